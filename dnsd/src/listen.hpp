// Listening sockets: "ADDR:PORT" / "[V6ADDR]:PORT" endpoints, one UDP socket and one TCP
// acceptor per endpoint and worker (SO_REUSEPORT among our own workers), IP_PKTINFO /
// IPV6_RECVPKTINFO on wildcard addresses, and the lock that keeps a second server off an
// address this one serves.
#pragma once

#include "asio.hpp"

#include <cstdint>
#include <string>

namespace sb::dnsd {

struct Endpoint {
    boost::asio::ip::address address;
    std::uint16_t port = 0;
    std::string text; // as configured, for messages

    bool wildcard() const noexcept { return address.is_unspecified(); }
};

// Parses "ADDR:PORT" or "[V6ADDR]:PORT"; throws std::runtime_error saying what to fix.
Endpoint parse_endpoint(const std::string& text);

// Held while a Server serves `endpoint`: an abstract Unix socket named after the address and
// port, bound once per network namespace, so a second switchboard fails to start with a clear
// error instead of sharing the port through SO_REUSEPORT. The kernel frees it when the
// process ends, however it ends. Also refused: an address another program already serves.
class AddressLock {
public:
    explicit AddressLock(const Endpoint& endpoint); // throws std::runtime_error
    ~AddressLock();
    AddressLock(const AddressLock&) = delete;
    AddressLock& operator=(const AddressLock&) = delete;

private:
    int fd_ = -1;
};

// Opens and binds the UDP socket of `endpoint` (non-blocking, 1 MiB receive buffer, packet
// info on wildcard addresses) and the TCP acceptor; throws std::runtime_error on failure.
void open_udp(boost::asio::ip::udp::socket& socket, const Endpoint& endpoint);
void open_tcp(boost::asio::ip::tcp::acceptor& acceptor, const Endpoint& endpoint);

} // namespace sb::dnsd
