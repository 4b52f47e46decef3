// An incoming IXFR applied at record level (issue 15): the zone after apply_zone_diff is the
// zone a whole re-import of the result gives (same nodes, zone marks, transfer RRs and journal
// step), only the changed owners are rebuilt even in a 50,000-record zone, and a diff that does
// not fit (an RR we do not hold, the apex NS) is refused with nothing written.
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/journal.hpp"
#include "zones/node.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

using namespace sb;
using test::import_zone_file;

namespace {

const std::string& base = test::example_zone_file; // serial 2030010100

// Two steps: 2030010100 → 2030010101 → 2030010102.
const std::vector<zones::ZoneDiffText> steps = {
    {"www.example.com. 3600 IN A 192.0.2.80\n*.wild.example.com. 3600 IN TXT \"wildcard\"\n",
     "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2030010101 10800 3600 "
     "604800 300\n",
     "www.example.com. 600 IN A 192.0.2.81\nmail.example.com. 300 IN MX 10 www.example.com.\n"
     "ns1.example.com. 120 IN A 192.0.2.53\n"},
    {"ns.sub.example.com. 3600 IN A 192.0.2.200\n",
     "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2030010102 7200 3600 "
     "604800 300\n",
     "new.example.com. 60 IN TXT \"added\"\nns.sub.example.com. 3600 IN A 192.0.2.201\n"},
};

// The zone those steps lead to, as a master file.
const std::string result = R"($ORIGIN example.com.
$TTL 3600
@ IN SOA ns1.example.com. hostmaster.example.com. 2030010102 7200 3600 604800 300
@ IN NS ns1.example.com.
ns1 120 IN A 192.0.2.53
www 600 IN A 192.0.2.81
mail 300 IN MX 10 www.example.com.
sub IN NS ns.sub.example.com.
ns.sub IN A 192.0.2.201
new 60 IN TXT "added"
)";

std::map<std::string, std::string> table(store::Env& env, store::Table t) {
    std::map<std::string, std::string> out;
    store::ReadTxn txn(env);
    store::Cursor c = txn.cursor(t);
    for (bool ok = c.first(); ok; ok = c.next()) {
        out.emplace(c.key(), c.value());
    }
    return out;
}

// The nodes as the answer path reads them: their RRsets, without the record ids a format 2
// node ends with (each store numbers its records its own way).
std::map<std::string, std::string> nodes(store::Env& env) {
    auto out = table(env, store::Table::DnsNodes);
    for (auto& [key, value] : out) {
        value = zones::NodeView(value).without_ids();
    }
    return out;
}

// The journal from `serial` as sorted RR lists (the order within a group is the store's).
std::vector<std::vector<zones::ZoneRr>> journal_from(store::Env& env, std::uint32_t serial) {
    store::ReadTxn txn(env);
    const auto diffs = zones::journal_diffs(txn, "example.com", serial);
    REQUIRE(diffs);
    std::vector<std::vector<zones::ZoneRr>> out;
    for (auto d : *diffs) {
        std::sort(d.removed.begin(), d.removed.end());
        std::sort(d.added.begin(), d.added.end());
        out.push_back({d.old_soa, d.new_soa});
        out.push_back(d.removed);
        out.push_back(d.added);
    }
    return out;
}

zones::ImportResult apply(store::Env& env, const std::vector<zones::ZoneDiffText>& s) {
    return env.write([&](store::WriteTxn& txn) {
        return zones::apply_zone_diff(txn, "example.com", s, 1700000100);
    });
}

} // namespace

TEST_CASE("an IXFR applied record by record equals the re-import of its result", "[zones]") {
    test::TempDir a, b;
    store::Env diffed(a.path()), reimported(b.path());
    import_zone_file(diffed, base);
    import_zone_file(reimported, base);

    const auto r = apply(diffed, steps);
    CHECK(r.serial == 2030010102);
    CHECK(r.records == 8);
    CHECK(r.owners == 6); // www, *.wild, mail, ns1, ns.sub, new (the apex: its SOA)
    reimported.write([&](store::WriteTxn& txn) {
        zones::ImportOptions o;
        o.zone = "example.com";
        o.now = 1700000100;
        o.force_serial = true;
        zones::import_zone(txn, result, o);
    });

    CHECK(nodes(diffed) == nodes(reimported));
    CHECK(table(diffed, store::Table::ZoneMarks) == table(reimported, store::Table::ZoneMarks));
    CHECK(table(diffed, store::Table::Zones) == table(reimported, store::Table::Zones));
    {
        store::ReadTxn x(diffed), y(reimported);
        CHECK(zones::export_zone(x, "example.com") == zones::export_zone(y, "example.com"));
    }
    CHECK(journal_from(diffed, 2030010100) == journal_from(reimported, 2030010100));
}

TEST_CASE("an IXFR that does not fit is refused and writes nothing", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    import_zone_file(env, base);
    const auto before = table(env, store::Table::DnsNodes);
    const std::string soa = "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. "
                            "2030010101 10800 3600 604800 300\n";
    // An RR we do not hold (RFC 1995 §4 deletes what the old version had).
    CHECK_THROWS_AS(apply(env, {{"www.example.com. 60 IN A 192.0.2.99\n", soa, ""}}),
                    zones::DiffNotApplicable);
    // The apex NS RRset lives in the zone row: the caller re-reads the whole zone.
    CHECK_THROWS_AS(apply(env, {{"", soa, "example.com. 3600 IN NS ns2.example.com.\n"}}),
                    zones::DiffNotApplicable);
    // A step without its SOA.
    CHECK_THROWS_AS(apply(env, {{"", "", "x.example.com. 60 IN A 192.0.2.1\n"}}),
                    zones::DiffNotApplicable);
    CHECK(table(env, store::Table::DnsNodes) == before);
    store::ReadTxn txn(env);
    CHECK(store::get_zone(txn, "example.com")->serial == 2030010100);
}

TEST_CASE("an IXFR of one record into a 50,000-record zone touches one owner", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    std::string big = base;
    for (int i = 0; i < 50000; ++i) {
        big += "h" + std::to_string(i) + " IN A 198.51." + std::to_string(i / 256 % 256) + "." +
               std::to_string(i % 256) + "\n";
    }
    const auto imported = import_zone_file(env, big);
    REQUIRE(imported.records >= 50000);
    const auto r = apply(env, {{"h12345.example.com. 3600 IN A 198.51.48.57\n",
                                "example.com. 3600 IN SOA ns1.example.com. "
                                "hostmaster.example.com. 2030010101 10800 3600 604800 300\n",
                                "h12345.example.com. 3600 IN A 198.51.100.1\n"}});
    CHECK(r.records == 2);
    CHECK(r.owners == 1); // h12345 (and the apex, rebuilt with the new SOA)
    store::ReadTxn txn(env);
    const auto diffs = zones::journal_diffs(txn, "example.com", 2030010100);
    REQUIRE(diffs);
    REQUIRE(diffs->size() == 1);
    CHECK(diffs->front().removed.size() == 1);
    REQUIRE(diffs->front().added.size() == 1);
    CHECK(diffs->front().added.front().owner == "h12345.example.com");
    CHECK(zones::soa_serial(diffs->front().new_soa.rdata) == 2030010101);
}
