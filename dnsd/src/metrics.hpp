// Per-worker counters (STYLE.md §2 rule 5): each worker writes only its own, with relaxed
// loads and stores (no locked instruction, no shared cache line, no allocation); a scrape
// sums them over the workers and writes Prometheus text exposition.
#pragma once

#include "cookie.hpp"

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace sb::dnsd {

// One writer (its worker), any number of readers.
class Counter {
public:
    void add(std::uint64_t n = 1) noexcept {
        n_.store(n_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }

    void sub() noexcept {
        n_.store(n_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    }

    std::uint64_t get() const noexcept { return n_.load(std::memory_order_relaxed); }

private:
    std::atomic<std::uint64_t> n_{0};
};

// The qtypes and rcodes counted by name; the rest go to "other".
constexpr std::size_t qtype_slots = 18;
constexpr std::size_t rcode_slots = 11;

std::size_t qtype_slot(std::uint16_t qtype) noexcept;
std::size_t rcode_slot(unsigned rcode) noexcept;

enum class TcpEvent : std::uint8_t {
    Accepted,   // admitted into the connection table
    Incomplete, // closed: a message not complete within tcp_io_timeout
    Idle,       // closed: idle beyond the (shrinking) idle timeout
    Evicted,    // closed: the oldest idle connection, to admit a new one
    Refused,    // closed at once: the table or the address's share is full
    Count
};

// Busy: SERVFAIL, max_transfers were under way and 64 waiting; Failed: SERVFAIL, or the stream
// broke off.
enum class TransferResult : std::uint8_t { Ok, Refused, NotAuth, Failed, Busy, Count };

struct alignas(64) Counters {
    Counter queries[2][qtype_slots][rcode_slots]; // [transport][qtype][rcode]
    Counter truncated[2];
    Counter rrl_dropped;
    Counter rrl_slipped;
    Counter rrl_spared; // over UDP with RRL on, a valid server cookie skips the limit
    Counter cookies[5]; // by CookieVerdict
    Counter tcp[static_cast<std::size_t>(TcpEvent::Count)];
    Counter transfers[static_cast<std::size_t>(TransferResult::Count)];
    Counter tcp_open; // written as a gauge: accepted minus closed, per worker
};

// The UDP queries a worker has answered so far (every qtype and rcode; read from any thread).
std::uint64_t udp_answered(const Counters& c) noexcept;

// Totals the scrape adds besides the workers' (the NOTIFY thread's).
struct NotifyCounts {
    std::uint64_t answered = 0;
    std::uint64_t failed = 0;
};

// Appends every switchboard_dns_* metric summed over `workers`.
void write_metrics(const std::vector<const Counters*>& workers, const NotifyCounts& notify,
                   std::string& out);

} // namespace sb::dnsd
