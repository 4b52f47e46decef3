// libFuzzer target: bytes → `switchboard zone import` (ldns master-file parsing, validation,
// rows, indexes, nodes, journal) in a write transaction that is then aborted. Refusals are
// exceptions with a reason; a crash, hang or sanitizer report is a bug.
#include "store/store.hpp"
#include "zones/zonefile.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>

namespace {

struct Fixture {
    std::filesystem::path dir;
    std::unique_ptr<sb::store::Env> env;

    Fixture() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "sbfuzz-XXXXXX").string();
        dir = mkdtemp(tmpl.data());
        sb::store::Options so;
        so.durable = false;
        so.map_size = std::size_t{1} << 30;
        env = std::make_unique<sb::store::Env>(dir, so);
    }

    ~Fixture() {
        env.reset();
        std::filesystem::remove_all(dir);
    }
};

struct Discard {}; // thrown to abort the write

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture f;
    try { // never committed: every input starts from the same store

        f.env->write([&](sb::store::WriteTxn& txn) {
            try {
                sb::zones::ImportOptions o;
                o.now = 1795824000;
                sb::zones::import_zone(txn, std::string(reinterpret_cast<const char*>(data), size),
                                       o);
            } catch (const std::exception&) {
                // a refusal: the text is not a zone this store can hold
            }
            throw Discard{};
        });
    } catch (const Discard&) {
    }
    return 0;
}
