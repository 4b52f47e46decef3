// dnsd::Server's TCP table (helpers in server_client.hpp): the per-address limit, eviction of
// the oldest idle connection, the room reserved for transfer peers and the idle timeout that
// shrinks as the table fills.
#include "server_client.hpp"
#include "tcp.hpp"

#include <poll.h>

#include <chrono>

using namespace sb;
using namespace sb::test::net;

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
