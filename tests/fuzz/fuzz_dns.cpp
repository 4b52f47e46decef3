// libFuzzer target: bytes → the DNS answer function (parse, lookup, compose) for UDP and for
// TCP, over a store holding the zones of tests/dns4/zones (wildcards, delegations, CNAME
// chains, a child zone). The answer must stay inside the output buffer, and a crash, hang or
// sanitizer report is a bug.
#include "answer.hpp"
#include "fuzz_store.hpp"
#include "zones/zonefile.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace {

// Every zone file of SB_FUZZ_ZONES imported and committed.
sb::store::Env& import_zones(sb::store::Env& env) {
    env.write([](sb::store::WriteTxn& w) {
        for (const auto& f : std::filesystem::directory_iterator(SB_FUZZ_ZONES)) {
            std::ifstream in(f.path());
            std::stringstream text;
            text << in.rdbuf();
            sb::zones::import_zone(w, text.str(), sb::zones::ImportOptions{});
        }
    });
    return env;
}

struct Fixture {
    sb::test::FuzzStore store;
    sb::store::ReadTxn txn{import_zones(store.env)};
    sb::store::Cursor cursor = txn.cursor(sb::store::Table::DnsNodes);
    sb::zones::ZoneIndex index;

    Fixture() {
        if (!index.sync(txn)) {
            std::abort();
        }
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture f;
    static std::uint8_t out[65535];
    const sb::dnsd::Snapshot snapshot{f.txn, f.cursor, f.index};
    sb::dnsd::AnswerOptions options;
    options.identity = "ns1.fuzz";
    options.version = "switchboard";
    const std::span<const std::uint8_t> query(data, size);
    for (const auto transport : {sb::dnsd::Transport::Udp, sb::dnsd::Transport::Tcp}) {
        const std::size_t n = sb::dnsd::answer(query, &snapshot, transport, options, out);
        if (n > sizeof out) {
            std::abort();
        }
    }
    return 0;
}
