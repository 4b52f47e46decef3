// Counters of the SOAP front for Prometheus (text exposition): calls and faults per
// Port.operation, a latency histogram, failed logins, refused connections. Recorded once per
// request (not on the DNS path), read by Server::write_metrics.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace sb::prov {

class Metrics {
public:
    // One operation finished with `code` (0 = success, else the fault's error code).
    void operation_done(std::string_view operation, int code, std::chrono::nanoseconds latency);

    void failed_login() noexcept { failed_logins_.fetch_add(1, std::memory_order_relaxed); }

    void refused_connection() noexcept { refused_.fetch_add(1, std::memory_order_relaxed); }

    // Appends every metric (# HELP, # TYPE, samples); `open_connections` is the front's gauge.
    void write(std::string& out, unsigned open_connections) const;

private:
    // Upper bounds of the latency buckets, in seconds (+Inf is implied).
    static constexpr std::array<double, 11> bounds_{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                    0.1,   0.25,   0.5,   1.0,  2.5};

    struct Operation {
        std::uint64_t calls = 0;
        std::map<int, std::uint64_t> faults; // by error code
    };

    mutable std::mutex mutex_;
    std::map<std::string, Operation, std::less<>> operations_;
    std::array<std::uint64_t, bounds_.size() + 1> buckets_{}; // the last one is +Inf
    double latency_sum_ = 0;
    std::uint64_t latency_count_ = 0;
    std::atomic<std::uint64_t> failed_logins_{0};
    std::atomic<std::uint64_t> refused_{0};
};

} // namespace sb::prov
