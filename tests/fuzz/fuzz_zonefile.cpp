// libFuzzer target: bytes → `switchboard zone import` (ldns master-file parsing, validation,
// rows, indexes, nodes, journal) in a write transaction that is then aborted. Refusals are
// exceptions with a reason; a crash, hang or sanitizer report is a bug.
#include "fuzz_store.hpp"
#include "zones/zonefile.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace {

struct Discard {}; // thrown to abort the write

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static sb::test::FuzzStore f;
    try { // never committed: every input starts from the same store
        f.env.write([&](sb::store::WriteTxn& txn) {
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
