// dnsd::Server over UDP and TCP on 127.0.0.1 (a port picked per test), against the zone in
// fixture.hpp. Checks: AA, rdata and TTL of hits (A, SRV, NAPTR); the question echoed as sent
// (case kept) and answer owners compressed to it; NXDOMAIN and NODATA with the SOA (TTL =
// MINIMUM) in authority; an empty non-terminal is NODATA; REFUSED outside our zones;
// FORMERR for QDCOUNT=2; NOTIMP for opcode 2; EDNS OPT echoed with our payload size and
// BADVERS for version 1; TC with whole RRsets dropped over UDP, the full RRset over TCP
// (two pipelined queries on one connection); CNAME chains; referrals; SERVFAIL for a
// malformed node; a commit made while the server runs is answered on the next query; a port
// held by another program is refused; reload() under UDP load loses no query, applies ACLs
// and keys and keeps the old settings when the new ones do not parse (transfer and TSIG
// failure log lines); write_metrics() counts and promtool accepts it; the TCP table's
// per-address limit, eviction of the oldest idle connection, reserved room and shrinking idle
// timeout.
#include "dnsd/dnsd.hpp"
#include "fixture.hpp"
#include "tcp.hpp"
#include "temp_dir.hpp"
#include "tsig.hpp"
#include "zones/zonefile.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

using namespace sb;
using Bytes = std::vector<std::uint8_t>;

namespace {

struct QueryOptions {
    std::uint16_t id = 0x1234;
    std::uint16_t flags = 0x0100; // RD
    bool edns = false;
    std::uint16_t edns_size = 4096;
    std::uint8_t edns_version = 0;
    bool edns_do = false;
};

void put16(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}

// A query for `name` (presentation form, case kept) and `qtype`.
Bytes make_query(const std::string& name, std::uint16_t qtype, const QueryOptions& o = {}) {
    Bytes q;
    put16(q, o.id);
    put16(q, o.flags);
    put16(q, 1);
    put16(q, 0);
    put16(q, 0);
    put16(q, o.edns ? 1 : 0);
    std::size_t start = 0;
    while (start < name.size()) {
        const auto dot = name.find('.', start);
        const auto end = dot == std::string::npos ? name.size() : dot;
        q.push_back(static_cast<std::uint8_t>(end - start));
        q.insert(q.end(), name.begin() + static_cast<long>(start),
                 name.begin() + static_cast<long>(end));
        start = end + 1;
    }
    q.push_back(0);
    put16(q, qtype);
    put16(q, 1);
    if (o.edns) {
        q.push_back(0);
        put16(q, 41);
        put16(q, o.edns_size);
        q.push_back(0);
        q.push_back(o.edns_version);
        put16(q, o.edns_do ? 0x8000 : 0);
        put16(q, 0);
    }
    return q;
}

class Socket {
public:
    explicit Socket(int type)
        : fd_(::socket(AF_INET, type, 0)) {
        REQUIRE(fd_ >= 0);
        timeval tv{5, 0}; // only so that a broken server fails the test instead of hanging it
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }

    ~Socket() { ::close(fd_); }

    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    int fd() const { return fd_; }

private:
    int fd_;
};

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

Bytes udp_exchange(std::uint16_t port, const Bytes& query) {
    Socket s(SOCK_DGRAM);
    const sockaddr_in to = loopback(port);
    REQUIRE(::sendto(s.fd(), query.data(), query.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                     sizeof to) == static_cast<ssize_t>(query.size()));
    Bytes buf(65535);
    const ssize_t n = ::recv(s.fd(), buf.data(), buf.size(), 0);
    REQUIRE(n > 0);
    buf.resize(static_cast<std::size_t>(n));
    return buf;
}

bool read_all(int fd, std::uint8_t* p, std::size_t n) {
    while (n > 0) {
        const ssize_t r = ::recv(fd, p, n, 0);
        if (r <= 0) {
            return false;
        }
        p += r;
        n -= static_cast<std::size_t>(r);
    }
    return true;
}

// Sends every query framed on one connection (pipelined, in one write), reads one response each.
std::vector<Bytes> tcp_exchange(std::uint16_t port, const std::vector<Bytes>& queries) {
    Socket s(SOCK_STREAM);
    const sockaddr_in to = loopback(port);
    REQUIRE(::connect(s.fd(), reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0);
    Bytes out;
    for (const Bytes& q : queries) {
        put16(out, static_cast<std::uint16_t>(q.size()));
        out.insert(out.end(), q.begin(), q.end());
    }
    REQUIRE(::send(s.fd(), out.data(), out.size(), 0) == static_cast<ssize_t>(out.size()));
    std::vector<Bytes> answers;
    for (std::size_t i = 0; i < queries.size(); ++i) {
        std::uint8_t len[2];
        REQUIRE(read_all(s.fd(), len, 2));
        Bytes a(static_cast<std::size_t>(len[0] << 8 | len[1]));
        REQUIRE(read_all(s.fd(), a.data(), a.size()));
        answers.push_back(std::move(a));
    }
    return answers;
}

struct Packet {
    explicit Packet(const Bytes& wire) {
        REQUIRE(ldns_wire2pkt(&pkt, wire.data(), wire.size()) == LDNS_STATUS_OK);
    }

    ~Packet() { ldns_pkt_free(pkt); }

    Packet(const Packet&) = delete;
    Packet& operator=(const Packet&) = delete;

    ldns_pkt_rcode rcode() const { return ldns_pkt_get_rcode(pkt); }

    std::size_t count(ldns_pkt_section s) const {
        const ldns_rr_list* l = section(s);
        return l == nullptr ? 0 : ldns_rr_list_rr_count(l);
    }

    const ldns_rr_list* section(ldns_pkt_section s) const {
        switch (s) {
        case LDNS_SECTION_ANSWER:
            return ldns_pkt_answer(pkt);
        case LDNS_SECTION_AUTHORITY:
            return ldns_pkt_authority(pkt);
        default:
            return ldns_pkt_additional(pkt);
        }
    }

    const ldns_rr* rr(ldns_pkt_section s, std::size_t i) const {
        return ldns_rr_list_rr(section(s), i);
    }

    static std::string text(const ldns_rdf* rdf) {
        char* s = ldns_rdf2str(rdf);
        std::string out = s;
        free(s);
        return out;
    }

    // "owner TTL TYPE rdata..." without the class, for easy comparison.
    std::string rr_text(ldns_pkt_section s, std::size_t i) const {
        const ldns_rr* r = rr(s, i);
        std::string out = text(ldns_rr_owner(r)) + " " + std::to_string(ldns_rr_ttl(r)) + " ";
        char* type = ldns_rr_type2str(ldns_rr_get_type(r));
        out += type;
        free(type);
        for (std::size_t f = 0; f < ldns_rr_rd_count(r); ++f) {
            out += " " + text(ldns_rr_rdf(r, f));
        }
        return out;
    }

    ldns_pkt* pkt = nullptr;
};

// A Server on a free port of 127.0.0.1, serving in a thread until destroyed.
class RunningServer {
public:
    explicit RunningServer(const store::Env& env, unsigned workers = 2)
        : RunningServer(env, dnsd::Options{}, workers) {}

    RunningServer(const store::Env& env, dnsd::Options o, unsigned workers) {
        std::mt19937 rng(std::random_device{}());
        std::uniform_int_distribution<int> ports(20000, 60000);
        for (int attempt = 0; !server_; ++attempt) {
            const auto port = static_cast<std::uint16_t>(ports(rng));
            o.listen = {"127.0.0.1:" + std::to_string(port)};
            o.workers = workers;
            try {
                server_ = std::make_unique<dnsd::Server>(env, o);
                port_ = port;
            } catch (const std::runtime_error&) {
                if (attempt == 50) {
                    throw;
                }
            }
        }
        thread_ = std::thread([this] { server_->run(); });
    }

    ~RunningServer() {
        server_->stop();
        thread_.join();
    }

    RunningServer(const RunningServer&) = delete;
    RunningServer& operator=(const RunningServer&) = delete;

    std::uint16_t port() const { return port_; }

    dnsd::Server& server() { return *server_; }

private:
    std::unique_ptr<dnsd::Server> server_;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

struct Fixture {
    Fixture() { test::build_example_zone(env); }

    test::TempDir dir;
    store::Env env{dir.path()};
};

constexpr std::uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, TXT = 16, AAAA = 28, SRV = 33,
                        NAPTR = 35;

} // namespace

TEST_CASE_METHOD(Fixture, "dnsd answers hits authoritatively over UDP", "[dnsd]") {
    RunningServer server(env);
    SECTION("A with TTL, question echoed as sent, owner compressed to it") {
        const Bytes q = make_query("WwW.ExAmple.COM", A);
        const Bytes r = udp_exchange(server.port(), q);
        Packet p(r);
        CHECK(ldns_pkt_id(p.pkt) == 0x1234);
        CHECK(ldns_pkt_qr(p.pkt));
        CHECK(ldns_pkt_aa(p.pkt));
        CHECK(ldns_pkt_rd(p.pkt));
        CHECK_FALSE(ldns_pkt_tc(p.pkt));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        // Question section byte for byte (case preserved), then a pointer to offset 12.
        const std::size_t qend = q.size();
        REQUIRE(r.size() > qend + 2);
        CHECK(Bytes(r.begin() + 12, r.begin() + static_cast<long>(qend)) ==
              Bytes(q.begin() + 12, q.end()));
        CHECK(r[qend] == 0xC0);
        CHECK(r[qend + 1] == 12);
        REQUIRE(p.count(LDNS_SECTION_ANSWER) == 2);
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 0) == "WwW.ExAmple.COM. 600 A 192.0.2.1");
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 1) == "WwW.ExAmple.COM. 600 A 192.0.2.2");
        CHECK(p.count(LDNS_SECTION_AUTHORITY) == 0);
        CHECK_FALSE(ldns_pkt_edns(p.pkt));
    }
    SECTION("SRV") {
        Packet p(udp_exchange(server.port(), make_query("_sip._udp.example.com", SRV)));
        CHECK(ldns_pkt_aa(p.pkt));
        REQUIRE(p.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 0) ==
              "_sip._udp.example.com. 3600 SRV 10 20 5060 sip.example.com.");
    }
    SECTION("NAPTR") {
        Packet p(udp_exchange(server.port(), make_query("sip.example.com", NAPTR)));
        REQUIRE(p.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 0) ==
              "sip.example.com. 3600 NAPTR 10 100 \"s\" \"SIP+D2U\" \"\" _sip._udp.example.com.");
    }
    SECTION("SOA and NS at the apex") {
        Packet soa(udp_exchange(server.port(), make_query("example.com", SOA)));
        REQUIRE(soa.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(soa.rr_text(LDNS_SECTION_ANSWER, 0) ==
              "example.com. 3600 SOA ns1.example.com. hostmaster.example.com. 2024010101 3600 "
              "600 86400 300");
        Packet ns(udp_exchange(server.port(), make_query("example.com", NS)));
        REQUIRE(ns.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(ns.rr_text(LDNS_SECTION_ANSWER, 0) == "example.com. 3600 NS ns1.example.com.");
    }
    SECTION("CNAME chain inside the zone") {
        Packet p(udp_exchange(server.port(), make_query("alias2.example.com", A)));
        CHECK(ldns_pkt_aa(p.pkt));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        REQUIRE(p.count(LDNS_SECTION_ANSWER) == 4);
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 0) ==
              "alias2.example.com. 300 CNAME alias.example.com.");
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 1) == "alias.example.com. 300 CNAME www.example.com.");
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 2) == "www.example.com. 600 A 192.0.2.1");
    }
    SECTION("CNAME out of our zones, and a CNAME loop") {
        Packet ext(udp_exchange(server.port(), make_query("ext.example.com", A)));
        CHECK(ext.rcode() == LDNS_RCODE_NOERROR);
        REQUIRE(ext.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(ext.rr_text(LDNS_SECTION_ANSWER, 0) == "ext.example.com. 300 CNAME www.example.net.");
        Packet loop(udp_exchange(server.port(), make_query("loop1.example.com", A)));
        CHECK(loop.rcode() == LDNS_RCODE_NOERROR);
        CHECK(loop.count(LDNS_SECTION_ANSWER) == 2);
    }
}

TEST_CASE_METHOD(Fixture, "dnsd negative answers carry the SOA", "[dnsd]") {
    RunningServer server(env);
    const auto check_soa = [](const Packet& p) {
        CHECK(ldns_pkt_aa(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
        REQUIRE(p.count(LDNS_SECTION_AUTHORITY) == 1);
        // TTL = min(SOA TTL 3600, MINIMUM 300) (RFC 2308 §5); owner is the apex.
        CHECK(p.rr_text(LDNS_SECTION_AUTHORITY, 0) ==
              "example.com. 300 SOA ns1.example.com. hostmaster.example.com. 2024010101 3600 "
              "600 86400 300");
    };
    SECTION("NXDOMAIN") {
        Packet p(udp_exchange(server.port(), make_query("nope.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NXDOMAIN);
        check_soa(p);
    }
    SECTION("NODATA") {
        Packet p(udp_exchange(server.port(), make_query("www.example.com", AAAA)));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        check_soa(p);
    }
    SECTION("empty non-terminal is NODATA") {
        Packet p(udp_exchange(server.port(), make_query("b.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        check_soa(p);
    }
    SECTION("dangling CNAME is NXDOMAIN with the CNAME") {
        Packet p(udp_exchange(server.port(), make_query("dangling.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NXDOMAIN);
        CHECK(ldns_pkt_aa(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(p.count(LDNS_SECTION_AUTHORITY) == 1);
    }
}

TEST_CASE_METHOD(Fixture, "dnsd refuses, rejects and fails where it must", "[dnsd]") {
    RunningServer server(env);
    SECTION("REFUSED outside our zones") {
        Packet p(udp_exchange(server.port(), make_query("www.example.org", A)));
        CHECK(p.rcode() == LDNS_RCODE_REFUSED);
        CHECK_FALSE(ldns_pkt_aa(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
    }
    SECTION("FORMERR for a bare header with QDCOUNT=2") {
        const Bytes q = {0xAB, 0xCD, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
        const Bytes r = udp_exchange(server.port(), q);
        Packet p(r);
        CHECK(ldns_pkt_id(p.pkt) == 0xABCD);
        CHECK(ldns_pkt_qr(p.pkt));
        CHECK(p.rcode() == LDNS_RCODE_FORMERR);
    }
    SECTION("FORMERR for a truncated question") {
        Bytes q = make_query("www.example.com", A);
        q.resize(q.size() - 3);
        Packet p(udp_exchange(server.port(), q));
        CHECK(p.rcode() == LDNS_RCODE_FORMERR);
    }
    SECTION("NOTIMP for opcode 2 (STATUS)") {
        QueryOptions o;
        o.flags = 2 << 11;
        Packet p(udp_exchange(server.port(), make_query("www.example.com", A, o)));
        CHECK(p.rcode() == LDNS_RCODE_NOTIMPL);
        CHECK(ldns_pkt_get_opcode(p.pkt) == LDNS_PACKET_STATUS);
    }
    SECTION("SERVFAIL for a malformed stored node") {
        Packet p(udp_exchange(server.port(), make_query("broken.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_SERVFAIL);
    }
    SECTION("a referral at a zone cut, not authoritative") {
        Packet p(udp_exchange(server.port(), make_query("host.sub.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        CHECK_FALSE(ldns_pkt_aa(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
        REQUIRE(p.count(LDNS_SECTION_AUTHORITY) == 1);
        CHECK(p.rr_text(LDNS_SECTION_AUTHORITY, 0) ==
              "sub.example.com. 86400 NS ns.sub.example.com.");
    }
}

TEST_CASE_METHOD(Fixture, "dnsd EDNS(0) and truncation", "[dnsd]") {
    RunningServer server(env);
    SECTION("OPT echoed with our payload size and the DO bit") {
        QueryOptions o;
        o.edns = true;
        o.edns_do = true;
        Packet p(udp_exchange(server.port(), make_query("www.example.com", A, o)));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        REQUIRE(ldns_pkt_edns(p.pkt));
        CHECK(ldns_pkt_edns_udp_size(p.pkt) == 1232);
        CHECK(ldns_pkt_edns_version(p.pkt) == 0);
        CHECK(ldns_pkt_edns_do(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 2);
    }
    SECTION("BADVERS for EDNS version 1") {
        QueryOptions o;
        o.edns = true;
        o.edns_version = 1;
        Packet p(udp_exchange(server.port(), make_query("www.example.com", A, o)));
        REQUIRE(ldns_pkt_edns(p.pkt));
        CHECK(ldns_pkt_edns_extended_rcode(p.pkt) == 1); // BADVERS = 16 = 1 << 4
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
    }
    SECTION("TC over UDP without EDNS: the RRset is dropped whole") {
        const Bytes r = udp_exchange(server.port(), make_query("big.example.com", TXT));
        CHECK(r.size() <= 512);
        Packet p(r);
        CHECK(ldns_pkt_tc(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
    }
    SECTION("TC over UDP with EDNS: bounded by our 1232") {
        QueryOptions o;
        o.edns = true;
        o.edns_size = 65000;
        const Bytes r = udp_exchange(server.port(), make_query("big.example.com", TXT, o));
        CHECK(r.size() <= 1232);
        Packet p(r);
        CHECK(ldns_pkt_tc(p.pkt));
        CHECK(ldns_pkt_edns(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
    }
    SECTION("the full RRset over TCP, two queries pipelined on one connection") {
        const auto answers = tcp_exchange(
            server.port(), {make_query("big.example.com", TXT), make_query("www.example.com", A)});
        REQUIRE(answers.size() == 2);
        Packet big(answers[0]);
        CHECK_FALSE(ldns_pkt_tc(big.pkt));
        CHECK(ldns_pkt_aa(big.pkt));
        CHECK(big.count(LDNS_SECTION_ANSWER) == 40);
        Packet www(answers[1]);
        CHECK(www.count(LDNS_SECTION_ANSWER) == 2);
        CHECK(www.rr_text(LDNS_SECTION_ANSWER, 0) == "www.example.com. 600 A 192.0.2.1");
    }
    SECTION("TCP negative answers and REFUSED") {
        const auto answers = tcp_exchange(
            server.port(), {make_query("nope.example.com", A), make_query("example.org", A)});
        Packet nx(answers[0]);
        CHECK(nx.rcode() == LDNS_RCODE_NXDOMAIN);
        CHECK(nx.count(LDNS_SECTION_AUTHORITY) == 1);
        Packet refused(answers[1]);
        CHECK(refused.rcode() == LDNS_RCODE_REFUSED);
    }
}

TEST_CASE_METHOD(Fixture, "dnsd answers a commit made while it runs", "[dnsd]") {
    RunningServer server(env);
    {
        Packet p(udp_exchange(server.port(), make_query("new.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NXDOMAIN);
    }
    {
        env.write([&](store::WriteTxn& txn) {
            test::put_rrs(txn, "new.example.com", zones::RRType::A, 60,
                          {test::a_rdata(192, 0, 2, 9)});
        });
    }
    // Every worker renews its snapshot per batch, whichever one gets the next query.
    for (int i = 0; i < 4; ++i) {
        Packet p(udp_exchange(server.port(), make_query("new.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        REQUIRE(p.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 0) == "new.example.com. 60 A 192.0.2.9");
    }
    const auto tcp = tcp_exchange(server.port(), {make_query("new.example.com", A)});
    Packet p(tcp[0]);
    CHECK(p.count(LDNS_SECTION_ANSWER) == 1);
}

TEST_CASE("dnsd reports a port it cannot bind", "[dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    Socket taken(SOCK_DGRAM);
    sockaddr_in a = loopback(0);
    REQUIRE(::bind(taken.fd(), reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(taken.fd(), reinterpret_cast<sockaddr*>(&a), &len) == 0);
    dnsd::Options o;
    o.listen = {"127.0.0.1:" + std::to_string(ntohs(a.sin_port))};
    o.workers = 1;
    CHECK_THROWS_WITH(dnsd::Server(env, o),
                      Catch::Contains("127.0.0.1 port " + std::to_string(ntohs(a.sin_port)) +
                                      " is already in use by another program"));
    o.listen = {"not-an-address:53"};
    CHECK_THROWS_WITH(dnsd::Server(env, o), Catch::Contains("not an IP address"));
}

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

unsigned rcode_of(const Bytes& message) {
    REQUIRE(message.size() >= 12);
    return message[3] & 0x0F;
}

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

namespace {

// A TCP connection from `source` (a loopback address) to the server.
std::unique_ptr<Socket> connect_from(const char* source, std::uint16_t port) {
    auto s = std::make_unique<Socket>(SOCK_STREAM);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    REQUIRE(inet_pton(AF_INET, source, &from.sin_addr) == 1);
    REQUIRE(::bind(s->fd(), reinterpret_cast<const sockaddr*>(&from), sizeof from) == 0);
    const sockaddr_in to = loopback(port);
    REQUIRE(::connect(s->fd(), reinterpret_cast<const sockaddr*>(&to), sizeof to) == 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(50)); // accepted in this order
    return s;
}

// True when the server closed `s` within `ms` (EOF or reset), false while it stays open.
bool closed_within(const Socket& s, int ms) {
    pollfd p{s.fd(), POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) {
        return false;
    }
    std::uint8_t b = 0;
    return ::recv(s.fd(), &b, 1, MSG_DONTWAIT) <= 0;
}

bool answers(const Socket& s, const Bytes& query) {
    Bytes framed;
    put16(framed, static_cast<std::uint16_t>(query.size()));
    framed.insert(framed.end(), query.begin(), query.end());
    std::uint8_t len[2];
    return ::send(s.fd(), framed.data(), framed.size(), 0) == static_cast<ssize_t>(framed.size()) &&
           read_all(s.fd(), len, 2);
}

} // namespace

TEST_CASE("the idle timeout shrinks as the TCP table fills", "[dnsd]") {
    dnsd::TcpLimits l;
    l.capacity = 100;
    l.io_timeout = std::chrono::milliseconds(500);
    l.idle_timeout = std::chrono::milliseconds(10000);
    CHECK(dnsd::idle_timeout_for(0, l).count() == 10000);
    CHECK(dnsd::idle_timeout_for(50, l).count() == 10000);
    CHECK(dnsd::idle_timeout_for(75, l).count() == 5250);
    CHECK(dnsd::idle_timeout_for(99, l).count() == 690);
    CHECK(dnsd::idle_timeout_for(100, l).count() == 500);
    CHECK(dnsd::idle_timeout_for(150, l).count() == 500);
}

TEST_CASE_METHOD(Fixture, "dnsd TCP table: per-address limit, eviction, room for transfers",
                 "[dnsd]") {
    dnsd::Options o;
    o.tcp_max_connections = 4;
    o.tcp_max_per_address = 2;
    o.tcp_reserved = 1;
    o.allow_transfer = {"127.0.0.9"};
    RunningServer running(env, o, 1);
    const std::uint16_t port = running.port();
    const auto a1 = connect_from("127.0.0.2", port);
    const auto a2 = connect_from("127.0.0.2", port);
    const auto a3 = connect_from("127.0.0.2", port);
    CHECK(closed_within(*a3, 1000)); // the address has its two already
    CHECK_FALSE(closed_within(*a1, 0));
    const auto b1 = connect_from("127.0.0.3", port); // 3 open: the table less the reserve
    const auto c1 = connect_from("127.0.0.4", port); // full: the oldest idle one goes
    CHECK(closed_within(*a1, 1000));
    CHECK(answers(*c1, make_query("www.example.com", A)));
    CHECK_FALSE(closed_within(*a2, 0));
    // A transfer peer uses the reserved slot: nobody is evicted for it.
    const auto t1 = connect_from("127.0.0.9", port);
    CHECK(answers(*t1, make_query("www.example.com", A)));
    CHECK_FALSE(closed_within(*a2, 100));
    CHECK_FALSE(closed_within(*b1, 0));
    CHECK(answers(*a2, make_query("www.example.com", A)));
    CHECK(answers(*b1, make_query("www.example.com", A)));
}
