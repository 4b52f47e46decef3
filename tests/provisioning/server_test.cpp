// prov::Server's operator API, through the real server on a loopback port it picks:
// write_metrics() counts calls, faults and failed logins by Port.operation and passes
// `promtool check metrics`; reload_certificate() serves a new certificate to new connections,
// and a bad file throws and keeps the old one (checked with curl --cacert).
#include "provisioning/provisioning.hpp"
#include "temp_dir.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

using namespace sb;

namespace {

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

// Runs `command` through the shell with `input` on its stdin; returns its output and status.
std::pair<int, std::string> shell(const std::string& command, const std::string& input = "") {
    const std::string out_file = "/tmp/sb-server-test-" + std::to_string(::getpid()) + ".out";
    FILE* p = ::popen((command + " >" + out_file + " 2>&1").c_str(), "w");
    REQUIRE(p != nullptr);
    std::fwrite(input.data(), 1, input.size(), p);
    const int status = ::pclose(p);
    std::ifstream f(out_file);
    std::string output((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::remove(out_file.c_str());
    return {status, output};
}

// POSTs one SOAP body with curl (a real HTTP client); returns the response body.
std::string soap_call(std::uint16_t port, const std::string& user, const std::string& password,
                      const std::string& body) {
    const std::string envelope =
        "<?xml version=\"1.0\"?><SOAP-ENV:Envelope "
        "xmlns:SOAP-ENV=\"http://schemas.xmlsoap.org/soap/envelope/\" "
        "xmlns:ns5=\"urn:AGProjects:NGNPro:Dns\"><SOAP-ENV:Header><auth><username>" +
        user + "</username><password>" + password +
        "</password></auth></SOAP-ENV:Header><SOAP-ENV:Body>" + body +
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>";
    return shell("curl -sS -H 'Content-Type: text/xml' --data-binary @- http://127.0.0.1:" +
                     std::to_string(port) + "/ngnpro/",
                 envelope)
        .second;
}

// A server for the administrator admin/pw on a free loopback port.
prov::Options options(unsigned threads) {
    prov::Options o;
    o.port = free_port();
    o.admin_username = "admin";
    o.admin_password = "pw";
    o.threads = threads;
    return o;
}

class Running {
public:
    Running(store::Env& env, prov::Options o)
        : server_(env, std::move(o))
        , thread_([this] { server_.run(); }) {}

    ~Running() {
        server_.stop();
        thread_.join();
    }

    prov::Server& operator*() { return server_; }

    prov::Server* operator->() { return &server_; }

private:
    prov::Server server_;
    std::thread thread_;
};

void make_certificate(const std::filesystem::path& dir, const std::string& cn) {
    const auto [status, output] =
        shell("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + cn +
              " -addext subjectAltName=DNS:localhost -keyout " + (dir / "key.pem").string() +
              " -out " + (dir / "cert.pem").string());
    REQUIRE(status == 0);
}

// Whether curl, trusting only `ca`, fetches the WSDL over HTTPS.
bool trusted_by(std::uint16_t port, const std::filesystem::path& ca) {
    const std::string p = std::to_string(port);
    return shell("curl -sS -o /dev/null --cacert " + ca.string() + " --resolve localhost:" + p +
                 ":127.0.0.1 https://localhost:" + p + "/ngnpro/wsdl")
               .first == 0;
}

} // namespace

TEST_CASE("write_metrics counts operations, faults and failed logins, and promtool accepts it",
          "[prov]") {
    test::TempDir dir;
    store::Env env(dir.path());
    const prov::Options o = options(2);
    Running server(env, o);

    const std::string zones = "<ns5:getZones><query><filter><name></name></filter></query>"
                              "</ns5:getZones>";
    CHECK(soap_call(o.port, "admin", "pw", zones).find("getZonesResponse") != std::string::npos);
    CHECK(soap_call(o.port, "admin", "pw", zones).find("getZonesResponse") != std::string::npos);
    CHECK(soap_call(o.port, "admin", "wrong", zones).find("8000") != std::string::npos);
    CHECK(
        soap_call(o.port, "admin", "pw", "<ns5:getZone><zone>nowhere.example</zone></ns5:getZone>")
            .find("7000") != std::string::npos);

    std::string text;
    server->write_metrics(text);
    CHECK(text.find("# TYPE switchboard_soap_calls_total counter") != std::string::npos);
    CHECK(text.find("switchboard_soap_calls_total{operation=\"DnsPort.getZones\"} 3") !=
          std::string::npos);
    CHECK(text.find("switchboard_soap_faults_total{operation=\"DnsPort.getZones\",code=\"8000\"}"
                    " 1") != std::string::npos);
    CHECK(text.find("switchboard_soap_faults_total{operation=\"DnsPort.getZone\",code=\"7000\"} "
                    "1") != std::string::npos);
    CHECK(text.find("switchboard_soap_failed_logins_total 1") != std::string::npos);
    CHECK(text.find("switchboard_soap_request_duration_seconds_count 4") != std::string::npos);
    CHECK(text.find("switchboard_soap_request_duration_seconds_bucket{le=\"+Inf\"} 4") !=
          std::string::npos);
    CHECK(text.find("# TYPE switchboard_soap_open_connections gauge") != std::string::npos);

    const auto [status, output] = shell("promtool check metrics", text);
    INFO(output);
    CHECK(status == 0);
}

TEST_CASE("reload_certificate serves the new pair, and a bad file throws and keeps the old one",
          "[prov]") {
    test::TempDir dir;
    const auto first = dir.path() / "first";
    const auto second = dir.path() / "second";
    std::filesystem::create_directories(first);
    std::filesystem::create_directories(second);
    make_certificate(first, "first");
    make_certificate(second, "second");
    const auto live = dir.path() / "live";
    std::filesystem::create_directories(live);
    std::filesystem::copy_file(first / "cert.pem", live / "cert.pem");
    std::filesystem::copy_file(first / "key.pem", live / "key.pem");

    store::Env env(dir.path());
    prov::Options o = options(1);
    o.tls_certificate = (live / "cert.pem").string();
    o.tls_key = (live / "key.pem").string();
    Running server(env, o);
    CHECK(trusted_by(o.port, first / "cert.pem"));
    CHECK_FALSE(trusted_by(o.port, second / "cert.pem"));

    // A key that does not match the certificate: refused, the first pair stays in use.
    std::filesystem::copy_file(second / "key.pem", live / "key.pem",
                               std::filesystem::copy_options::overwrite_existing);
    CHECK_THROWS_WITH(server->reload_certificate(),
                      Catch::Contains("is not the PEM private key of the certificate"));
    CHECK(trusted_by(o.port, first / "cert.pem"));
    std::ofstream(live / "cert.pem") << "not a certificate\n";
    CHECK_THROWS_WITH(server->reload_certificate(),
                      Catch::Contains("cannot read a PEM certificate"));
    CHECK(trusted_by(o.port, first / "cert.pem"));

    std::filesystem::copy_file(second / "cert.pem", live / "cert.pem",
                               std::filesystem::copy_options::overwrite_existing);
    server->reload_certificate();
    CHECK(trusted_by(o.port, second / "cert.pem"));
    CHECK_FALSE(trusted_by(o.port, first / "cert.pem"));
}
