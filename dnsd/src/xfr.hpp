// Zone transfers out (AXFR RFC 5936, IXFR RFC 1995 from the zones journal) with transfer
// ACLs and TSIG (RFC 8945), and NOTIFY (RFC 1996) to the configured secondaries. Not on the
// query hot path: these allocate.
#pragma once

#include "answer.hpp"
#include "dnsd/dnsd.hpp"
#include "metrics.hpp"
#include "tsig.hpp"

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
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

class Transfers {
public:
    // Parses allow_transfer and tsig_keys (throws std::runtime_error naming the bad entry).
    explicit Transfers(const Options& options);

    // The complete TCP response stream (each message with its 2-byte length) to the AXFR or
    // IXFR `query` from `peer` (16 bytes, IPv4 mapped), read from `txn` (null: SERVFAIL).
    std::vector<std::uint8_t> respond(std::span<const std::uint8_t> query, const QueryInfo& info,
                                      const std::uint8_t* peer, const store::ReadTxn* txn) const;

    const std::vector<TsigKey>& keys() const noexcept { return keys_; }

    // Whether `peer` (16 bytes, IPv4 mapped) is in allow_transfer.
    bool allowed(const std::uint8_t* peer) const noexcept;

private:
    std::vector<Acl> acl_;
    std::vector<TsigKey> keys_;
};

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
