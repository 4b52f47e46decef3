// libFuzzer target: bytes → one HTTP request through the NGNPro SOAP handlers (HTTP parsing,
// XML, gSOAP deserialization, authentication, every operation), against a real store that
// persists across inputs. A crash, hang or sanitizer report is a bug.
#include "fuzz_store.hpp"
#include "provisioning/provisioning.hpp"

#include <cstdint>
#include <string_view>

namespace {

struct Fixture {
    sb::test::FuzzStore store;
    sb::prov::MemoryServer server{store.env, options()};

    static sb::prov::Options options() {
        sb::prov::Options o;
        o.admin_username = "admin";
        o.admin_password = "secret";
        o.default_nameservers = {"ns1.example.net"};
        return o;
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture fixture;
    fixture.server.handle(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
