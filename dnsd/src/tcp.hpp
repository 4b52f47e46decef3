// TCP (RFC 7766): length-framed queries answered in order per connection, and each worker's
// table of connections with the §6.2.3 defences — a short deadline for an incomplete message,
// idle timeouts that shrink as the table fills, a per-address limit, room kept for transfer
// peers, and the oldest idle connection dropped to admit a new one.
#pragma once

#include "asio.hpp"
#include "metrics.hpp"

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <vector>

namespace sb::dnsd {

class Worker;
class TcpSession;

// One worker's share of the Options::tcp_* limits.
struct TcpLimits {
    std::size_t capacity = 256;
    std::size_t per_address = 16;
    std::size_t reserved = 16;
    std::chrono::milliseconds io_timeout{500};
    std::chrono::milliseconds idle_timeout{10000};
};

class ConnectionTable {
public:
    enum class Admit : std::uint8_t { Yes, Refused };

    // Decides on a new connection from `peer` (privileged: an allow_transfer address):
    // refused when the address has its share already; when the table (less the reserved
    // room, for others) is full, the oldest connection waiting for its client is closed
    // (Evicted) to make room, else refused.
    Admit admit(const sockaddr_storage& peer, bool privileged, const TcpLimits& limits);

    void add(TcpSession* session);
    void remove(TcpSession* session) noexcept;

    std::size_t size() const noexcept { return sessions_.size(); }

    std::chrono::milliseconds idle_timeout(const TcpLimits& limits) const noexcept;

    // Closes every connection (the server stops).
    void close_all();

private:
    std::vector<TcpSession*> sessions_;
};

// RFC 7766 §6.2.3: the idle timeout with `open` connections in the table: limits.idle_timeout
// while at most half full, then shrinking linearly to io_timeout as the table fills.
std::chrono::milliseconds idle_timeout_for(std::size_t open, const TcpLimits& limits) noexcept;

// Serves `socket` (admitted) from `peer` on `worker` until it closes.
void serve_tcp(boost::asio::ip::tcp::socket socket, const sockaddr_storage& peer, bool privileged,
               Worker& worker);

// `peer` as 16 bytes, IPv4 mapped (the form of the transfer ACL).
void mapped_address(const sockaddr_storage& peer, std::uint8_t* out) noexcept;

} // namespace sb::dnsd
