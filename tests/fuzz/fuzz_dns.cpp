// libFuzzer target: bytes → the DNS answer function (parse, lookup, compose) for UDP and for
// TCP, over a store holding the zones of tests/dns4/zones (wildcards, delegations, CNAME
// chains, a child zone). The answer must stay inside the output buffer, and a crash, hang or
// sanitizer report is a bug.
#include "answer.hpp"
#include "store/store.hpp"
#include "zones/zonefile.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace {

struct Fixture {
    std::filesystem::path dir;
    std::unique_ptr<sb::store::Env> env;

    struct Read { // a cursor lives inside the scope of its txn

        explicit Read(const sb::store::Env& env)
            : txn(env)
            , cursor(txn.cursor(sb::store::Table::DnsNodes)) {}

        sb::store::ReadTxn txn;
        sb::store::Cursor cursor;
    };

    std::unique_ptr<Read> read;
    sb::zones::ZoneIndex index;

    Fixture() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "sbfuzz-XXXXXX").string();
        dir = mkdtemp(tmpl.data());
        sb::store::Options so;
        so.durable = false;
        so.map_size = std::size_t{1} << 30;
        env = std::make_unique<sb::store::Env>(dir, so);
        env->write([&](sb::store::WriteTxn& w) {
            for (const auto& f : std::filesystem::directory_iterator(SB_FUZZ_ZONES)) {
                std::ifstream in(f.path());
                std::stringstream text;
                text << in.rdbuf();
                sb::zones::import_zone(w, text.str(), sb::zones::ImportOptions{});
            }
        });
        read = std::make_unique<Read>(*env);
        if (!index.sync(read->txn)) {
            std::abort();
        }
    }

    ~Fixture() {
        read.reset();
        env.reset();
        std::filesystem::remove_all(dir);
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture f;
    static std::uint8_t out[65535];
    const sb::dnsd::Snapshot snapshot{f.read->txn, f.read->cursor, f.index};
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
