// Zone transfers out (AXFR RFC 5936, IXFR RFC 1995 from the zones journal) with transfer
// ACLs and TSIG (RFC 8945), and NOTIFY (RFC 1996) to the configured secondaries. Not on the
// query hot path: these allocate.
#pragma once

#include "answer.hpp"
#include "buffer.hpp"
#include "dnsd/dnsd.hpp"
#include "metrics.hpp"
#include "tsig.hpp"
#include "wire.hpp"
#include "zones/zonefile.hpp"

#include <netinet/in.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

namespace sb::dnsd {

// One allow_transfer entry: an address and prefix length (IPv4 addresses stored mapped).
struct Acl {
    std::uint8_t addr[16] = {};
    unsigned prefix = 128;
};

// Who may transfer: addresses (for unsigned requests) and key names (for signed ones).
struct TransferAcl {
    std::vector<Acl> addresses;
    std::vector<std::string> keys; // wire names of tsig_keys; `any_key`: every one
    bool any_key = false;
};

class Transfers {
public:
    // Parses allow_transfer, tsig_keys and transfer_rules (throws std::runtime_error naming
    // the bad entry).
    explicit Transfers(const Options& options);

    const std::vector<TsigKey>& keys() const noexcept { return keys_; }

    // Whether `peer` (16 bytes, IPv4 mapped) is in allow_transfer (a transfer peer: room is
    // kept for it in the TCP table). Also true for an address of any per-zone rule.
    bool allowed(const std::uint8_t* peer) const noexcept;

    // The rule for `zone` (canonical): its own, else its catalog `group`'s, else the global
    // one (allow_transfer, any key).
    const TransferAcl& rule(std::string_view zone, std::string_view group) const noexcept;

    // Whether `rule` lets a request signed with `key` (null: unsigned) from `peer` transfer.
    static bool permits(const TransferAcl& rule, const std::uint8_t* peer,
                        const TsigKey* key) noexcept;

    // allow_transfer, and any key.
    const TransferAcl& global() const noexcept { return global_; }

    // Whether any zone or group has a rule of its own.
    bool has_rules() const noexcept { return !rules_.empty(); }

private:
    TransferAcl global_;
    std::map<std::string, TransferAcl, std::less<>> rules_; // zone name or "group:NAME"
    std::vector<TsigKey> keys_;
};

// One AXFR/IXFR response, made message by message from one read snapshot (RFC 5936 §2.2,
// RFC 1995 §4). The constructor decides (TSIG, ACL, zone; on the DNS worker, cheap); next()
// makes each message in turn (on a transfer thread), up to 16 KiB with as many RRs as fit and
// names compressed within it, so a transfer holds one message and one node, never the zone.
// `transfers` must outlive it (its keys sign the messages).
class Transfer {
public:
    Transfer(const Transfers& transfers, const store::Env& env, std::span<const std::uint8_t> query,
             const QueryInfo& info, const std::uint8_t* peer);
    ~Transfer();
    Transfer(const Transfer&) = delete;
    Transfer& operator=(const Transfer&) = delete;

    // Whether the answer is the zone (a stream under way), not one error message.
    bool streams() const noexcept { return rcode_ == 0; }

    // Answers SERVFAIL instead, releasing the snapshot (the transfer queue is full).
    void busy();

    // The next message, with its 2-byte length, into `out`; false after the last one, or when
    // the stream broke off (failed(): a malformed stored node).
    bool next(std::vector<std::uint8_t>& out);

    bool failed() const noexcept { return failed_; }

    // After the last message (or the one error message).
    bool done() const noexcept { return done_; }

    // Time the stream yielded to UDP answering (TransferPacer), for the log line.
    void yielded(std::chrono::nanoseconds d) noexcept { yielded_ = d; }

    std::chrono::nanoseconds yielded() const noexcept { return yielded_; }

    // Ends the stream here and releases the snapshot (the client went away).
    void abandon() noexcept;

    // The rcode of the first message: 0 (the zone follows), 2, 5 or 9.
    std::uint8_t rcode() const noexcept { return rcode_; }

    // Messages and bytes (length prefixes included) made so far.
    std::size_t messages() const noexcept { return messages_; }

    std::uint64_t bytes() const noexcept { return bytes_; }

private:
    struct Source; // the snapshot and where in the zone (or the journal) the stream is

    bool pull(zones::ZoneRr& rr);
    bool add(const zones::ZoneRr& rr);
    void start();
    void finish(std::vector<std::uint8_t>& out);
    void error(std::vector<std::uint8_t>& out);

    std::vector<std::uint8_t> query_;
    QueryInfo info_;
    TsigState tsig_;
    std::uint8_t rcode_ = 0;
    std::unique_ptr<Source> source_;
    std::vector<std::uint8_t> buf_; // the message being made
    std::optional<Writer> w_;
    Compressor comp_;
    std::size_t count_ = 0;      // RRs in the message being made
    std::size_t last_owner_ = 0; // offset of the previous owner written with its own labels
    std::size_t messages_ = 0;
    std::uint64_t bytes_ = 0;
    std::string mac_;  // of the previous message (RFC 8945 §5.3.1)
    zones::ZoneRr rr_; // pulled but not yet written (it did not fit the last message)
    std::chrono::nanoseconds yielded_{0};
    bool have_rr_ = false;
    bool done_ = false;
    bool failed_ = false;
};

// The UDP queries the workers have answered so far: their counters summed with relaxed loads
// (server.cpp), so watching the load adds nothing to the UDP path.
using UdpAnswered = std::function<std::uint64_t()>;

// Paces one transfer's messages by the UDP workers' load. Issue 15: "UDP answering keeps its
// speed during a 1M-record transfer". On a machine short of cores a transfer at full speed
// takes a core (making messages, the kernel's TCP path) and its client another, from the
// workers and their clients; nice 10 alone gave UDP 40 % of its rate (bench/RESULTS.md). NSD
// keeps 98 %: one thread serves both, one TCP message per round of up to 100 UDP queries. So,
// between two messages, while the workers are busy (at least `busy_rate` queries/s over the
// last `window`: a shorter look would see none whenever the transfer itself holds the
// worker's CPU), the thread sleeps `yield_factor` times the CPU time it took to make and send
// the message (the transfer then takes at most 1/(1 + yield_factor) of a CPU, and its client
// reads that much less), never more than `max_pause` per message, so that a transfer on a
// server busy for good still ends (docs/decisions.md). An idle server never waits.
class TransferPacer {
public:
    static constexpr std::uint64_t busy_rate = 10000; // queries/s
    static constexpr std::chrono::milliseconds window{20};
    static constexpr unsigned yield_factor = 19;
    static constexpr std::chrono::milliseconds max_pause{10};

    // `answered` (may be empty: never pauses) must outlive the pacer.
    explicit TransferPacer(const UdpAnswered& answered);

    // Call between two messages, on the transfer's thread; returns early when `stop` turns true.
    void between(const std::atomic<bool>& stop);

    std::chrono::nanoseconds paused() const noexcept { return paused_; } // in total

    unsigned pauses() const noexcept { return pauses_; }

private:
    const UdpAnswered& answered_;
    std::chrono::nanoseconds cpu_{0};              // this thread's CPU time at the previous call
    std::uint64_t window_queries_ = 0;             // answered when the window began
    std::chrono::steady_clock::time_point window_; // when it began
    bool busy_ = false;                            // as the last whole window found
    std::chrono::nanoseconds paused_{0};
    unsigned pauses_ = 0;
};

// The transfer threads: one per transfer under way, at most a configured number at once;
// later transfers wait in line, first come first served, and run in the slot that frees up.
class TransferThreads {
public:
    using Job = std::function<void(const std::atomic<bool>& stop)>;
    enum class Start : std::uint8_t { Now, Queued, Full };

    // Made before the workers pin their threads: the CPUs the process may use are those its
    // transfer threads run on, whichever worker starts them.
    TransferThreads();
    ~TransferThreads(); // drops the waiting jobs, asks the running ones to stop, joins them
    TransferThreads(const TransferThreads&) = delete;
    TransferThreads& operator=(const TransferThreads&) = delete;

    // Runs `job` on a thread of its own (10 nicer than the process, at most 19, on any of the
    // process's CPUs, not the pinned worker's) when fewer
    // than `limit` run, else queues it behind at most `queue` others, else drops it (Full).
    // `stop` turns true when the server stops.
    Start submit(Job job, unsigned limit, std::size_t queue);

    unsigned active() const noexcept { return active_.load(std::memory_order_relaxed); }

    // What the transfers' pacers watch (set once, before the workers start).
    void watch(UdpAnswered answered) { answered_ = std::move(answered); }

    const UdpAnswered& udp_answered() const noexcept { return answered_; }

    // Time the transfers spent yielding to UDP answering, over all transfers so far.
    void add_paused(std::chrono::nanoseconds d) noexcept {
        paused_ns_.fetch_add(static_cast<std::uint64_t>(d.count()), std::memory_order_relaxed);
    }

    std::uint64_t paused_ns() const noexcept { return paused_ns_.load(std::memory_order_relaxed); }

private:
    struct Thread {
        std::thread thread;
        std::shared_ptr<std::atomic<bool>> done;
    };

    void reap(bool all); // joins the threads that ended (all: every thread)

    std::atomic<unsigned> active_{0};
    std::atomic<bool> stop_{false};
    std::atomic<std::uint64_t> paused_ns_{0};
    UdpAnswered answered_;
    cpu_set_t process_cpus_{};
    std::mutex mutex_;
    unsigned limit_ = 0;          // guarded by mutex_: the latest submit's
    std::deque<Job> waiting_;     // guarded by mutex_
    std::vector<Thread> threads_; // guarded by mutex_
};

// Writes `data` to the connected socket `fd` (non-blocking sends), giving up when a part of
// it waits longer than `timeout` for room (the client stopped reading), on a send error (the
// client went away), or when `stop` turns true. Whether all of it was written.
bool send_all(int fd, std::span<const std::uint8_t> data, std::chrono::milliseconds timeout,
              const std::atomic<bool>& stop) noexcept;

// Sends NOTIFY for every zone whose serial changes to every notify target (ADDR:PORT, or
// ADDR:PORT@KEY to sign it with the tsig_key named KEY), from its own thread: polls the Zones table
// every 200 ms, retries each NOTIFY every second up to 5 times until the secondary answers.
class Notifier {
public:
    Notifier(const store::Env& env, const Options& options);
    ~Notifier();
    Notifier(const Notifier&) = delete;
    Notifier& operator=(const Notifier&) = delete;

    // Replaces the targets with options.notify (throws std::runtime_error on a bad entry,
    // changing nothing); NOTIFYs already under way finish their retries.
    void retarget(const Options& options);

    // NOTIFYs answered, and given up after the last retry.
    NotifyCounts counts() const noexcept;

private:
    struct Target {
        sockaddr_storage address;
        socklen_t length;
        std::string text;
        std::optional<TsigKey> key; // NOTIFYs to this target are signed with it
    };

    static std::vector<Target> parse_targets(const Options& options);
    void run();
    const store::Env& env_;
    mutable std::mutex mutex_;
    std::vector<Target> targets_; // guarded by mutex_
    std::atomic<std::uint64_t> answered_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

} // namespace sb::dnsd
