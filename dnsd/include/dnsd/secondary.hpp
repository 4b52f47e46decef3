// sb::dnsd::Secondary — zones this server keeps from primaries ([secondary] in the ini): the
// first transfer an AXFR (RFC 5936), then IXFR (RFC 1995) on NOTIFY (RFC 1996) and on the
// SOA refresh/retry timers; a zone not refreshed within its SOA expire answers SERVFAIL. Each
// transfer is written in one store transaction through the zone import path (zones/zonefile.hpp),
// so nodes, journal, zone marks and catalog are derived exactly as for a primary zone.
#pragma once

#include "store/store.hpp"

#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace sb::dnsd {

struct SecondaryOptions {
    // "ADDR:PORT" or "ADDR:PORT@KEY" (KEY: the name of one of tsig_keys, which then signs our
    // requests and must sign the primary's NOTIFYs). Tried in order until one answers.
    std::vector<std::string> primaries{};
    std::vector<std::string> zones{}; // zones to keep
    std::string catalog{};            // an RFC 9432 catalog to consume: its members are kept too
    std::vector<std::string> tsig_keys{}; // "NAME:ALGORITHM:BASE64" ([dns] tsig_key)
    unsigned first_retry = 5;             // seconds between tries of a zone never transferred
};

class Secondary {
public:
    // Parses the options (throws std::runtime_error naming the bad entry). `env` (read-write)
    // must outlive the Secondary. Nothing is transferred before start().
    Secondary(store::Env& env, const SecondaryOptions& options);
    ~Secondary();
    Secondary(const Secondary&) = delete;
    Secondary& operator=(const Secondary&) = delete;

    // Starts the transfer threads: drops zones marked secondary that are no longer configured
    // (nor listed in the consumed catalog), then refreshes every zone at once, a few in
    // parallel; a zone held here as a primary zone is never transferred nor dropped.
    void start();

    // A NOTIFY (opcode 4) received from `peer`: when it is for one of our zones, from a primary's
    // address and (when that primary has a key) TSIG-signed with it, writes the NOERROR + AA
    // answer (signed alike) into `out`, wakes the transfer threads and returns the length;
    // NOTAUTH for a bad signature. 0: not ours (the caller answers REFUSED). Allocates.
    std::size_t notify(std::span<const std::uint8_t> query, const sockaddr_storage& peer,
                       std::span<std::uint8_t> out);

    // switchboard_dns_xfr_in_total{type}, switchboard_dns_ixfr_in_applied_total{how},
    // switchboard_dns_ixfr_in_owners_total, switchboard_dns_notify_in_total{result},
    // switchboard_dns_secondary_zones (Prometheus text).
    void write_metrics(std::string& out) const;

    struct Impl;

private:
    std::unique_ptr<Impl> impl_;
};

} // namespace sb::dnsd
