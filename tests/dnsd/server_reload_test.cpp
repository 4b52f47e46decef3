// dnsd::Server reload and metrics (helpers in server_client.hpp): reload() under UDP load loses
// no query, applies ACLs and keys and keeps the old settings when the new ones do not parse
// (transfer and TSIG failure log lines); write_metrics() counts and promtool accepts it.
#include "server_client.hpp"
#include "tsig.hpp"
#include "zones/zonefile.hpp"

#include <fcntl.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>

using namespace sb;
using namespace sb::test::net;

namespace {

// Everything written to stderr (the log's target) between construction and text().
class StderrCapture {
public:
    explicit StderrCapture(const std::filesystem::path& file)
        : file_(file)
        , saved_(::dup(2)) {
        const int fd = ::open(file.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0600);
        REQUIRE(fd >= 0);
        ::dup2(fd, 2);
        ::close(fd);
    }

    ~StderrCapture() { restore(); }

    StderrCapture(const StderrCapture&) = delete;
    StderrCapture& operator=(const StderrCapture&) = delete;

    std::string text() {
        restore();
        std::ifstream in(file_);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }

private:
    void restore() {
        if (saved_ >= 0) {
            ::dup2(saved_, 2);
            ::close(saved_);
            saved_ = -1;
        }
    }

    std::filesystem::path file_;
    int saved_;
};

} // namespace

TEST_CASE("dnsd reload applies ACLs and keys without dropping a query", "[dnsd]") {
    // An AXFR is refused, allowed after a reload, still allowed after a reload that fails;
    // UDP queries sent all along are all answered; each transfer is one log line.
    test::TempDir dir;
    store::Env env{dir.path()};
    env.write([&](store::WriteTxn& txn) {
        zones::ImportOptions o;
        o.now = 1700000000;
        zones::import_zone(txn, R"($ORIGIN example.com.
@ 3600 IN SOA ns1 hostmaster 2030010100 10800 3600 604800 300
@ 3600 IN NS ns1
ns1 3600 IN A 192.0.2.53
www 3600 IN A 192.0.2.80
)",
                           o);
    });
    RunningServer running(env, dnsd::Options{}, 2);
    const Bytes axfr = make_query("example.com", 252);
    CHECK(rcode_of(udp_exchange(running.port(), make_query("www.example.com", A))) == 0);
    StderrCapture log(dir.path() / "stderr.log");
    CHECK(rcode_of(tcp_exchange(running.port(), {axfr}).front()) == 5); // REFUSED

    std::atomic<bool> done{false};
    std::atomic<unsigned> sent{0}, answered{0};
    std::thread client([&] {
        Socket s(SOCK_DGRAM);
        const sockaddr_in to = loopback(running.port());
        Bytes buf(4096);
        while (!done) {
            Bytes q = make_query("www.example.com", A);
            ::sendto(s.fd(), q.data(), q.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                     sizeof to);
            ++sent;
            if (::recv(s.fd(), buf.data(), buf.size(), 0) > 0) {
                ++answered;
            }
        }
    });
    dnsd::Options allowed;
    allowed.allow_transfer = {"127.0.0.1"};
    dnsd::Options closed;
    for (int i = 0; i < 100; ++i) {
        running.server().reload(i % 2 == 0 ? closed : allowed);
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    done = true;
    client.join();
    CHECK(sent > 0);
    CHECK(answered == sent);

    // The last reload (i = 99) allowed transfers: workers switch between batches.
    const Bytes first = tcp_exchange(running.port(), {axfr}).front();
    CHECK(rcode_of(first) == 0);
    Packet p(first);
    CHECK(p.count(LDNS_SECTION_ANSWER) > 2);

    dnsd::Options broken = allowed;
    broken.tsig_keys = {"k1:hmac-md5:AAAA"};
    CHECK_THROWS_WITH(running.server().reload(broken),
                      Catch::Contains("tsig_key k1: algorithm 'hmac-md5' is not supported"));
    broken = allowed;
    broken.rrl_require_cookie = true;
    broken.cookie_secret = "not hex";
    CHECK_THROWS_WITH(running.server().reload(broken), Catch::Contains("cookie_secret"));
    broken = allowed;
    broken.notify = {"nowhere:53"};
    CHECK_THROWS_WITH(running.server().reload(broken), Catch::Contains("[dns] notify"));
    broken.notify = {"127.0.0.1:53@nokey"};
    CHECK_THROWS_WITH(running.server().reload(broken),
                      Catch::Contains("which no tsig_key defines"));
    broken = allowed;
    broken.transfer_rules = {{"example.com", {"key:nokey"}}};
    CHECK_THROWS_WITH(running.server().reload(broken),
                      Catch::Contains("[transfer] example.com: 'key:nokey' names a key"));
    broken = allowed;
    broken.max_transfers = 0;
    CHECK_THROWS_WITH(running.server().reload(broken), Catch::Contains("max_transfers"));
    CHECK(rcode_of(tcp_exchange(running.port(), {axfr}).front()) == 0); // the old ones kept

    // A rule reloaded in for example.com without our address: REFUSED; reloaded out: allowed.
    dnsd::Options ruled = allowed;
    ruled.transfer_rules = {{"example.com", {"192.0.2.1"}}};
    running.server().reload(ruled);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(rcode_of(tcp_exchange(running.port(), {axfr}).front()) == 5);
    running.server().reload(allowed);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(rcode_of(tcp_exchange(running.port(), {axfr}).front()) == 0);

    // A key reloaded in: a request signed with that name but another secret is NOTAUTH.
    dnsd::Options keyed = allowed;
    keyed.tsig_keys = {"k1:hmac-sha256:c2VjcmV0c2VjcmV0c2VjcmV0"};
    running.server().reload(keyed);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    Bytes forged = axfr;
    dnsd::tsig_sign_request(forged, dnsd::parse_tsig_key("k1:hmac-sha256:b3RoZXJvdGhlcm90aGVy"),
                            static_cast<std::uint64_t>(::time(nullptr)));
    CHECK(rcode_of(tcp_exchange(running.port(), {forged}).front()) == 9); // NOTAUTH

    const std::string lines = log.text();
    CHECK_THAT(lines, Catch::Contains("AXFR zone=example.com. client=127.0.0.1 result=refused"));
    CHECK_THAT(lines, Catch::Contains("AXFR zone=example.com. client=127.0.0.1 result=ok"));
    CHECK_THAT(lines, Catch::Contains("settings reloaded"));
    CHECK_THAT(lines, Catch::Contains("TSIG failure zone=example.com. client=127.0.0.1 key=k1 "
                                      "error=BADSIG"));
}

TEST_CASE_METHOD(Fixture, "dnsd counts queries per worker and promtool accepts the metrics",
                 "[dnsd]") {
    RunningServer running(env, dnsd::Options{}, 2);
    for (int i = 0; i < 3; ++i) {
        CHECK(rcode_of(udp_exchange(running.port(), make_query("www.example.com", A))) == 0);
    }
    CHECK(rcode_of(udp_exchange(running.port(), make_query("nope.example.com", A))) == 3);
    CHECK(rcode_of(udp_exchange(running.port(), make_query("www.example.org", AAAA))) == 5);
    const auto tcp = tcp_exchange(
        running.port(), {make_query("_sip._udp.example.com", SRV), make_query("example.com", 252)});
    CHECK(rcode_of(tcp[1]) == 5);
    std::string out;
    running.server().write_metrics(out);
    for (const char* line : {
             "switchboard_dns_queries_total{transport=\"udp\",qtype=\"A\",rcode=\"NOERROR\"} 3",
             "switchboard_dns_queries_total{transport=\"udp\",qtype=\"A\",rcode=\"NXDOMAIN\"} 1",
             "switchboard_dns_queries_total{transport=\"udp\",qtype=\"AAAA\",rcode=\"REFUSED\"} 1",
             "switchboard_dns_queries_total{transport=\"tcp\",qtype=\"SRV\",rcode=\"NOERROR\"} 1",
             "switchboard_dns_queries_total{transport=\"tcp\",qtype=\"AXFR\",rcode=\"REFUSED\"} 1",
             "switchboard_dns_transfers_total{result=\"refused\"} 1",
             "switchboard_dns_tcp_connections_total{event=\"accepted\"} 1",
             "switchboard_dns_cookies_total{result=\"none\"} 6",
             "# TYPE switchboard_dns_rrl_total counter",
             "# TYPE switchboard_dns_notifies_total counter",
         }) {
        CHECK_THAT(out, Catch::Contains(line));
    }
    const auto file = dir.path() / "metrics.txt";
    std::ofstream(file) << out;
    const std::string cmd = "promtool check metrics < " + file.string() + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string said;
    char buf[256];
    while (std::fgets(buf, sizeof buf, p) != nullptr) {
        said += buf;
    }
    const int status = ::pclose(p);
    INFO(said);
    CHECK(status == 0);
}
