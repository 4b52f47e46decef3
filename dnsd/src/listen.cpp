// Listening sockets and the address lock (listen.hpp).
#include "listen.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sb::dnsd {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
constexpr int udp_receive_buffer = 1 << 20;

std::string where(const Endpoint& e) {
    return e.address.to_string() + " port " + std::to_string(e.port);
}

// A burst larger than the default 208 KiB receive buffer loses queries (each loss stalls a
// client for its timeout): ask for 1 MiB as NSD does, beyond rmem_max when allowed to.
void grow_receive_buffer(int fd) noexcept {
    const int size = udp_receive_buffer;
    if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
        ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
}

} // namespace

Endpoint parse_endpoint(const std::string& text) {
    const auto colon = text.rfind(':');
    const auto bad = [&](const std::string& why) {
        return std::runtime_error("dns: listen '" + text + "': " + why +
                                  " (write ADDR:PORT or [V6ADDR]:PORT)");
    };
    if (colon == std::string::npos || colon + 1 == text.size()) {
        throw bad("no port");
    }
    std::string host = text.substr(0, colon);
    const std::string port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string::npos) {
        throw bad("an IPv6 address needs brackets");
    }
    Endpoint e;
    e.text = text;
    boost::system::error_code ec;
    e.address = asio::ip::make_address(host, ec);
    if (ec) {
        throw bad("'" + host + "' is not an IP address");
    }
    if (port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
        std::stoul(port) > 65535) {
        throw bad("'" + port + "' is not a port number");
    }
    e.port = static_cast<std::uint16_t>(std::stoul(port));
    return e;
}

AddressLock::AddressLock(const Endpoint& endpoint) {
    // docs/decisions.md: the lock is an abstract socket "\0switchboard-dns <addr> <port>".
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    const std::string name =
        "switchboard-dns " + endpoint.address.to_string() + " " + std::to_string(endpoint.port);
    std::memcpy(un.sun_path + 1, name.data(), std::min(name.size(), sizeof un.sun_path - 2));
    const auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 +
                                            std::min(name.size(), sizeof un.sun_path - 2));
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) {
        throw std::runtime_error("dns: cannot lock " + where(endpoint) + ": " +
                                 std::strerror(errno));
    }
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&un), len) != 0) {
        const int err = errno;
        ::close(fd_);
        fd_ = -1;
        if (err == EADDRINUSE) {
            throw std::runtime_error("dns: another switchboard already serves " + where(endpoint) +
                                     "; stop it or choose another [dns] listen");
        }
        throw std::runtime_error("dns: cannot lock " + where(endpoint) + ": " + std::strerror(err));
    }
    // Another program (or a switchboard in another namespace) on the address: our
    // SO_REUSEPORT sockets would bind beside it when it set the option too, so probe with a
    // plain bind first. The probe closes at once; our workers bind right after.
    boost::system::error_code ec;
    asio::io_context io(1);
    udp::socket probe(io);
    probe.open(endpoint.address.is_v4() ? udp::v4() : udp::v6(), ec);
    if (!ec && endpoint.address.is_v6()) {
        probe.set_option(asio::ip::v6_only(true), ec);
    }
    if (!ec) {
        probe.bind(udp::endpoint(endpoint.address, endpoint.port), ec);
    }
    if (ec == asio::error::address_in_use) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("dns: " + where(endpoint) +
                                 " is already in use by another program; stop it or choose "
                                 "another [dns] listen");
    }
}

AddressLock::~AddressLock() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

namespace {

// An int option of the endpoint's family: `v4` at IPPROTO_IP or `v6` at IPPROTO_IPV6.
struct IntOption {
    int name;
    int value;
};

void set_ip_option(udp::socket& socket, const Endpoint& endpoint, IntOption v4, IntOption v6,
                   boost::system::error_code& ec) {
    const bool is_v4 = endpoint.address.is_v4();
    const IntOption o = is_v4 ? v4 : v6;
    if (::setsockopt(socket.native_handle(), is_v4 ? IPPROTO_IP : IPPROTO_IPV6, o.name, &o.value,
                     sizeof o.value) != 0) {
        ec.assign(errno, boost::system::system_category());
    }
}

} // namespace

void open_udp(udp::socket& socket, const Endpoint& endpoint) {
    boost::system::error_code ec;
    const udp::endpoint ep(endpoint.address, endpoint.port);
    socket.open(ep.protocol(), ec);
    if (!ec && endpoint.address.is_v6()) {
        socket.set_option(asio::ip::v6_only(true), ec); // [::] and 0.0.0.0 side by side
    }
    if (!ec) {
        socket.set_option(reuse_port(true), ec);
    }
    if (!ec && endpoint.wildcard()) {
        // Answers leave from the address the query came to (docs/decisions.md).
        set_ip_option(socket, endpoint, {IP_PKTINFO, 1}, {IPV6_RECVPKTINFO, 1}, ec);
    }
    if (!ec) {
        // Answers are never fragmented: RFC 9715 §3.1 (R1) has UDP responders ask for DF
        // (IP_DONTFRAG). PROBE sets DF and sizes by the interface's MTU, never by a path MTU
        // that an ICMP message, perhaps spoofed, lowered; an answer larger than the interface
        // takes goes out truncated instead (server_udp.cpp). With DF set the kernel also skips
        // the hashed IPv4 identification it draws for every datagram it may fragment.
        set_ip_option(socket, endpoint, {IP_MTU_DISCOVER, IP_PMTUDISC_PROBE},
                      {IPV6_MTU_DISCOVER, IPV6_PMTUDISC_PROBE}, ec);
    }
    if (!ec) {
        socket.bind(ep, ec);
    }
    if (!ec) {
        socket.non_blocking(true, ec);
    }
    if (ec) {
        throw std::runtime_error("dns: cannot bind UDP " + where(endpoint) + ": " + ec.message());
    }
    grow_receive_buffer(socket.native_handle());
}

void open_tcp(tcp::acceptor& acceptor, const Endpoint& endpoint) {
    boost::system::error_code ec;
    const tcp::endpoint ep(endpoint.address, endpoint.port);
    acceptor.open(ep.protocol(), ec);
    if (!ec && endpoint.address.is_v6()) {
        acceptor.set_option(asio::ip::v6_only(true), ec);
    }
    if (!ec) {
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor.set_option(reuse_port(true), ec);
    }
    if (!ec) {
        acceptor.bind(ep, ec);
    }
    if (!ec) {
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw std::runtime_error("dns: cannot listen on TCP " + where(endpoint) + ": " +
                                 ec.message());
    }
}

} // namespace sb::dnsd
