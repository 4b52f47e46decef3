// The store brought into the process behind the answers: dnsd::Resident's thread
// (docs/decisions.md "The store mapped at start").
#include "dnsd/dnsd.hpp"
#include "log/log.hpp"
#include "zones/zone_index.hpp"

#include <linux/ioprio.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stop_token>
#include <string>

namespace sb::dnsd {

namespace {

// Bytes the kernel could give without swapping (/proc/meminfo MemAvailable), 0 if unknown.
std::uint64_t available_memory() {
    std::ifstream meminfo("/proc/meminfo");
    for (std::string line; std::getline(meminfo, line);) {
        unsigned long long kb = 0;
        if (std::sscanf(line.c_str(), "MemAvailable: %llu kB", &kb) == 1) {
            return std::uint64_t{kb} << 10;
        }
    }
    return 0;
}

// Milliseconds since `t0`, for a log line.
std::string ms_since(std::chrono::steady_clock::time_point t0) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0)
            .count());
}

// Knot and NSD read every zone into their memory at start; dnsd answers at once from the map
// and brings the store in behind, on this thread, at the lowest priorities (SCHED_IDLE and
// the idle I/O class: neither its CPU nor its reads go ahead of a query's). Until then a
// lookup may wait on the disk for a page; after, none does, and the kernel does not take
// mapped pages back as idle cache. A store larger than half the memory the machine has left
// is left to the page cache (docs/decisions.md "The store mapped at start").
void keep_resident(const store::Env& env, std::stop_token stop) {
    // First, at normal priority, the node of every zone apex, cut and wildcard, 8 reads in
    // flight: on a store no process had mapped, a first lookup waits on the disk for its pages
    // (about 0.1 ms each on a virtual disk), and the first query of each zone would wait for
    // them one after another. With 8, the 300 zones of the 10M bench store all answered at a
    // median 79 ms from the exec against 104 with none, cache dropped (16: no better;
    // docs/decisions.md "The store mapped at start").
    constexpr unsigned reads_in_flight = 8;
    const auto t_marks = std::chrono::steady_clock::now();
    const std::size_t nodes = zones::read_marked_nodes(env, reads_in_flight, stop);
    sb::log::write(sb::log::Level::Info, "dns", "zone apexes, cuts and wildcards read",
                   {{"nodes", std::to_string(nodes)}, {"ms", ms_since(t_marks)}});
    const sched_param idle{};
    ::pthread_setschedparam(::pthread_self(), SCHED_IDLE, &idle);
    ::syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0 /* this thread */,
              IOPRIO_PRIO_VALUE(IOPRIO_CLASS_IDLE, 0));
    const std::uint64_t bytes = env.stats().used_bytes;
    const std::uint64_t available = available_memory();
    if (bytes > available / 2) {
        sb::log::write(sb::log::Level::Notice, "dns",
                       "store larger than half the available memory: left to the page cache",
                       {{"store_bytes", std::to_string(bytes)},
                        {"available_bytes", std::to_string(available)}});
        return;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t mapped = env.populate(stop);
    sb::log::write(sb::log::Level::Notice, "dns", "store mapped into memory",
                   {{"bytes", std::to_string(mapped)}, {"ms", ms_since(t0)}});
}

} // namespace

Resident::Resident(const store::Env& env)
    : thread_([&env](std::stop_token stop) { keep_resident(env, stop); }) {}

} // namespace sb::dnsd
