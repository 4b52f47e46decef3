// Response rate limiting, as Knot and NSD do it: per client network (IPv4 /24, IPv6 /56) at
// most `rate` UDP answers a second; beyond, answers are dropped, except every `slip`-th,
// which goes out truncated (TC=1, no records) so that a real client behind a spoofed flood
// retries over TCP. One table per worker, allocated once: no allocation or lock per query.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace sb::dnsd {

class RateLimiter {
public:
    enum class Verdict : std::uint8_t { Send, Slip, Drop };

    // rate 0: no limit. slip 0: never slip (drop everything over the rate).
    RateLimiter(unsigned rate, unsigned slip)
        : rate_(rate)
        , slip_(slip)
        , table_(rate == 0 ? 0 : table_size) {}

    Verdict check(const sockaddr_storage& peer, std::uint32_t second) noexcept {
        if (rate_ == 0) {
            return Verdict::Send;
        }
        const std::uint64_t key = network_of(peer);
        Bucket& b = table_[(key * 0x9E3779B97F4A7C15ULL) >> (64 - table_bits)];
        if (b.key != key || b.second != second) {
            // A new second, or another network took the slot (rare collision: it restarts).
            b = Bucket{key, second, 0, 0};
        }
        if (++b.count <= rate_) {
            return Verdict::Send;
        }
        ++b.over;
        return slip_ != 0 && b.over % slip_ == 0 ? Verdict::Slip : Verdict::Drop;
    }

private:
    static constexpr unsigned table_bits = 14;
    static constexpr std::size_t table_size = std::size_t{1} << table_bits;

    struct Bucket {
        std::uint64_t key = 0;
        std::uint32_t second = 0;
        std::uint32_t count = 0;
        std::uint32_t over = 0;
    };

    static std::uint64_t network_of(const sockaddr_storage& peer) noexcept {
        if (peer.ss_family == AF_INET) {
            sockaddr_in in;
            std::memcpy(&in, &peer, sizeof in);
            return (std::uint64_t{4} << 56) | (ntohl(in.sin_addr.s_addr) >> 8); // /24
        }
        sockaddr_in6 in6;
        std::memcpy(&in6, &peer, sizeof in6);
        std::uint64_t prefix = 0;
        std::memcpy(&prefix, in6.sin6_addr.s6_addr, 7); // /56
        return (std::uint64_t{6} << 56) ^ prefix;
    }

    unsigned rate_;
    unsigned slip_;
    std::vector<Bucket> table_;
};

// Turns a built UDP answer into its slip form in place: header and question only, TC=1,
// no records. Returns the new length, 0 when the answer cannot be cut (then it is dropped).
inline std::size_t slip_answer(std::uint8_t* out, std::size_t len) noexcept {
    if (len < 12 || out[4] != 0 || out[5] != 1) {
        return 0;
    }
    std::size_t pos = 12;
    while (pos < len && out[pos] != 0) {
        if ((out[pos] & 0xC0) != 0) {
            return 0; // the question is echoed uncompressed; anything else is not ours
        }
        pos += 1 + out[pos];
    }
    pos += 1 + 4; // root label, qtype, qclass
    if (pos > len) {
        return 0;
    }
    out[2] |= 0x02;             // TC
    std::memset(out + 6, 0, 6); // ANCOUNT, NSCOUNT, ARCOUNT
    return pos;
}

} // namespace sb::dnsd
