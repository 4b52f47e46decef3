// libFuzzer target: bytes → one HTTP request through the NGNPro SOAP handlers (HTTP parsing,
// XML, gSOAP deserialization, authentication, every operation), against a real store that
// persists across inputs. A crash, hang or sanitizer report is a bug.
#include "provisioning/provisioning.hpp"

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace {

struct Fixture {
    std::filesystem::path dir;
    std::unique_ptr<sb::store::Env> env;
    std::unique_ptr<sb::prov::MemoryServer> server;

    Fixture() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "sbfuzz-XXXXXX").string();
        dir = mkdtemp(tmpl.data());
        sb::store::Options so;
        so.durable = false;
        so.map_size = std::size_t{1} << 30;
        env = std::make_unique<sb::store::Env>(dir, so);
        sb::prov::Options o;
        o.admin_username = "admin";
        o.admin_password = "secret";
        o.default_nameservers = {"ns1.example.net"};
        server = std::make_unique<sb::prov::MemoryServer>(*env, o);
    }

    ~Fixture() {
        server.reset();
        env.reset();
        std::filesystem::remove_all(dir);
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixture fixture;
    fixture.server->handle(std::string_view(reinterpret_cast<const char*>(data), size));
    return 0;
}
