// dnsd with real clients: dig and kdig (skipped when not installed) over UDP and TCP against
// a running Server. Checks the status line, the aa flag, the answer and the OPT pseudosection.
#include "dnsd/dnsd.hpp"
#include "fixture.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <random>
#include <string>
#include <thread>

using namespace sb;

namespace {

std::string run(const std::string& command) {
    std::string out;
    FILE* p = ::popen((command + " 2>&1").c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) {
        out.append(buf, n);
    }
    ::pclose(p);
    return out;
}

bool have(const char* tool) {
    return run(std::string("command -v ") + tool).find(tool) != std::string::npos;
}

} // namespace

TEST_CASE("dig and kdig get authoritative answers", "[dnsd][e2e]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::build_example_zone(env);
    std::mt19937 rng(std::random_device{}());
    std::unique_ptr<dnsd::Server> server;
    dnsd::Options o;
    std::uint16_t port = 0;
    for (int attempt = 0; !server; ++attempt) {
        port = static_cast<std::uint16_t>(20000 + rng() % 40000);
        o.listen = {"127.0.0.1:" + std::to_string(port)};
        o.workers = 2;
        try {
            server = std::make_unique<dnsd::Server>(env, o);
        } catch (const std::runtime_error&) {
            REQUIRE(attempt < 50);
        }
    }
    std::thread t([&] { server->run(); });
    const std::string server_at = " @127.0.0.1 -p " + std::to_string(port);
    const std::string at = server_at + " +tries=1 +time=5 ";
    const std::string kat = server_at + " +retry=0 +timeout=5 ";

    if (have("dig")) {
        const std::string udp = run("dig" + at + "www.example.com A");
        CHECK_THAT(udp, Catch::Contains("status: NOERROR"));
        CHECK_THAT(udp, Catch::Contains("flags: qr aa rd;"));
        CHECK_THAT(udp, Catch::Contains("www.example.com.\t600\tIN\tA\t192.0.2.1"));
        CHECK_THAT(udp, Catch::Contains("EDNS: version: 0, flags:; udp: 1232"));
        const std::string nx = run("dig" + at + "+tcp nope.example.com A");
        CHECK_THAT(nx, Catch::Contains("status: NXDOMAIN"));
        CHECK_THAT(nx, Catch::Contains("example.com.\t\t300\tIN\tSOA"));
        const std::string big = run("dig" + at + "+ignore +noedns big.example.com TXT");
        CHECK_THAT(big, Catch::Contains("flags: qr aa tc rd;"));
        const std::string full = run("dig" + at + "big.example.com TXT");
        CHECK_THAT(full, Catch::Contains("ANSWER: 40,")); // retried over TCP by dig
    }
    if (have("kdig")) {
        const std::string srv = run("kdig" + kat + "_sip._udp.example.com SRV");
        CHECK_THAT(srv, Catch::Contains("status: NOERROR"));
        CHECK_THAT(srv, Catch::Contains("10 20 5060 sip.example.com."));
        const std::string refused = run("kdig" + kat + "+tcp example.org SOA");
        CHECK_THAT(refused, Catch::Contains("status: REFUSED"));
    }
    server->stop();
    t.join();
}
