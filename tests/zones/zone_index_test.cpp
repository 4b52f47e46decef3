// zones::read_marked_nodes: reads the node of every mark (apex, cut, wildcard) on several
// threads. Checks: it finds each one once whatever the number of threads (0, 1, a few, more
// than there are marks), an empty store has none, and a stop requested before it starts reads
// nothing.
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/zone_index.hpp"

#include <catch2/catch.hpp>

#include <stop_token>
#include <string>

using namespace sb;

TEST_CASE("read_marked_nodes reads every apex, cut and wildcard node once", "[zones][dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    CHECK(zones::read_marked_nodes(env, 8, {}) == 0);

    constexpr int zone_count = 37;
    for (int i = 0; i < zone_count; ++i) {
        const std::string origin = "z" + std::to_string(i) + ".example.";
        test::import_zone_file(env, "$ORIGIN " + origin +
                                        "\n@ 3600 IN SOA ns1 h 1 2 3 4 300\n@ IN NS ns1\n"
                                        "ns1 IN A 192.0.2.1\n* IN TXT \"any\"\n"
                                        "sub IN NS ns.sub\nns.sub IN A 192.0.2.2\n");
    }
    std::size_t marks = 0;
    {
        const store::ReadTxn txn(env);
        auto c = txn.cursor(store::Table::ZoneMarks);
        for (bool ok = c.first(); ok; ok = c.next()) {
            ++marks;
        }
    }
    REQUIRE(marks == 3 * zone_count); // apex, wildcard, cut

    for (const unsigned threads : {0u, 1u, 3u, 8u, 500u}) {
        INFO("threads " << threads);
        CHECK(zones::read_marked_nodes(env, threads, {}) == marks);
    }

    std::stop_source stopped;
    stopped.request_stop();
    CHECK(zones::read_marked_nodes(env, 8, stopped.get_token()) == 0);
}
