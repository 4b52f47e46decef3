// What the dnsd::Server tests share: DNS queries built by hand, UDP and TCP exchanges with a
// server on 127.0.0.1, answers read back with ldns, a Server running on a free port in a
// thread, and the zone of fixture.hpp in a fresh store.
#pragma once

#include "dnsd/dnsd.hpp"
#include "fixture.hpp"
#include "temp_dir.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <ldns/ldns.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sb::test::net {

using Bytes = std::vector<std::uint8_t>;

struct QueryOptions {
    std::uint16_t id = 0x1234;
    std::uint16_t flags = 0x0100; // RD
    bool edns = false;
    std::uint16_t edns_size = 4096;
    std::uint8_t edns_version = 0;
    bool edns_do = false;
};

inline void put16(Bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}

// A query for `name` (presentation form, case kept) and `qtype`.
inline Bytes make_query(const std::string& name, std::uint16_t qtype, const QueryOptions& o = {}) {
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

inline sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

inline Bytes udp_exchange(std::uint16_t port, const Bytes& query) {
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

inline bool read_all(int fd, std::uint8_t* p, std::size_t n) {
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
inline std::vector<Bytes> tcp_exchange(std::uint16_t port, const std::vector<Bytes>& queries) {
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

inline constexpr std::uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, TXT = 16, AAAA = 28, SRV = 33,
                               NAPTR = 35;

// The RCODE of a DNS message.
inline unsigned rcode_of(const Bytes& message) {
    REQUIRE(message.size() >= 12);
    return message[3] & 0x0F;
}

} // namespace sb::test::net
