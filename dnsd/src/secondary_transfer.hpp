// The transfer client of the secondary (secondary.cpp schedules it): an AXFR (RFC 5936) or
// IXFR (RFC 1995) requested from a primary over TCP, TSIG-signed when the primary has a key,
// parsed with ldns and written into the store in one transaction (record by record for an
// IXFR, else through the zone import path). Off the query path: everything here may allocate.
#pragma once

#include "listen.hpp"
#include "store/store.hpp"
#include "tsig.hpp"

#include <atomic>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace sb::dnsd {

struct Primary {
    Endpoint endpoint;
    std::string text;
    std::optional<TsigKey> key;
};

// The primary's transfer did not fit our copy (a deletion of an RR we do not hold, a first
// serial that is not ours): take the whole zone instead.
struct NeedAxfr : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The zone is held here as a primary zone (a zone row not marked secondary: provisioned or
// imported): a transfer never overwrites it (docs/decisions.md "Switchboard as a secondary").
struct HeldAsPrimary : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// True when `zone` has a zone row here that is not marked secondary.
bool held_as_primary(const store::ReadTxn& txn, const std::string& zone);

// What a refresh came to (Failed: no primary answered; the scheduler's).
enum class XfrInResult : std::uint8_t { Axfr, Ixfr, UpToDate, Failed };

// IXFRs applied record by record or to the whole zone; owners rebuilt by the former.
struct IxfrInCounters {
    std::atomic<std::uint64_t> by_record{0}, whole{0}, owners{0};
};

// One transfer of `zone` from `p` (IXFR from our serial `ours`, else AXFR; message id `id`)
// applied in one write of `env`; returns what happened. Throws NeedAxfr when an IXFR does not
// fit our copy, HeldAsPrimary (nothing written) when the zone is held here as a primary zone,
// std::exception when the transfer fails.
XfrInResult transfer_from(store::Env& env, const Primary& p, const std::string& zone,
                          std::optional<std::uint32_t> ours, std::uint16_t id,
                          IxfrInCounters& counters);

// Seconds since the epoch (TSIG time signed).
std::uint64_t unix_now();

} // namespace sb::dnsd
