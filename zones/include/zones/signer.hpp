// Zones Switchboard signs itself (DNSSEC at write time, docs/decisions.md "DNSSEC signing").
//
// The policy ([dnssec] in the ini) is kept in Meta "dnssec_policy" by configure_signing, so
// every writer (provisioning, import, the command line) reads the same one in its transaction.
// rebuild_node (compile.hpp) signs: in a zone the policy covers, every RRset it writes gets its
// RRSIGs, the apex its DNSKEY and NSEC3PARAM RRsets, and the NSEC3 chain (RFC 5155, 0 extra
// iterations, no salt: RFC 9276) follows the owners that appear and go, empty non-terminals
// included, in the same transaction. Keys live in store::Table::DnssecKeys, generated with
// OpenSSL when a zone is first signed. Nothing is signed on the query path.
#pragma once

#include "store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones {

// A key's place in a rollover (RFC 7583 §3.3, a CSK by double signature): Incoming keys are
// published and sign beside the Active one; once the DNSKEY RRset has had time to reach every
// cache, the Incoming key becomes Active (CDS/CDNSKEY now name it, so the parent swaps its DS)
// and the old one Retiring (published, no longer signing) until the parent's DS has expired
// from caches; then it is removed.
enum class KeyState : std::uint8_t { Active = 0, Incoming = 1, Retiring = 2 };

struct SigningPolicy {
    bool all = false;               // zones = *
    std::vector<std::string> zones; // or these (canonical)
    std::uint8_t algorithm = 13;    // 13 ECDSAP256SHA256, 15 Ed25519
    bool nsec3 = true;              // NSEC3 (no salt, 0 iterations), or NSEC
    // Knot's defaults (rrsig-lifetime 14 days, rrsig-refresh 7 days): a signature is valid
    // this long from its inception, and made anew once less than `refresh` of it remains.
    std::uint32_t lifetime = 14 * 86400;
    std::uint32_t refresh = 7 * 86400;
    std::int64_t clock_offset = 0; // seconds added to the clock (tests only)
    // Rollover timing (RFC 7583): how long a change takes to reach every secondary, and the TTL
    // of the DS RRset at the parent (Knot's propagation-delay 1 h; the root's DS TTL 1 day).
    std::uint32_t propagation_delay = 3600;
    std::uint32_t parent_ds_ttl = 86400;
};

// Stores `policy` (nullopt: no zone signed) and signs or unsigns every zone whose state does
// not match it, in this transaction.
void configure_signing(store::WriteTxn& txn, const std::optional<SigningPolicy>& policy);

// The stored policy, if any.
std::optional<SigningPolicy> signing_policy(const store::WriteTxn& txn);
std::optional<SigningPolicy> signing_policy(const store::ReadTxn& txn);

// True when the policy covers `zone` (a zone Switchboard serves).
bool policy_covers(const SigningPolicy& policy, std::string_view zone);

// Re-signs `zone`: every owner rebuilt, signatures older than the refresh period made anew; a
// zone of more than bulk_slice_nodes owners is queued as a BulkTarget::Resign job (unless a job
// is pending already) for bulk_sign_step. Throws InvalidValue when the zone is not signed.
void resign_zone(store::WriteTxn& txn, std::string_view zone);

// Bulk signing in slices (docs/decisions.md "DNSSEC bulk signing"): a whole-zone pass larger
// than `bulk_slice_nodes` owners is not done in the transaction that asks for it but queued
// in Meta `dnssec_signing:<zone>` (its target and the last owner done) and carried out by
// bulk_sign_step, one bounded write transaction at a time, so other writers interleave and a
// kill -9 resumes where it stopped. While a first signing is under way the zone's nodes are
// signed and chained but the apex publishes no DNSKEY, CDS, CDNSKEY or NSEC3PARAM: to a
// validator the zone stays unsigned until the last slice publishes its keys.
enum class BulkTarget : std::uint8_t {
    Sign = 1,   // first signing: keys published by the last slice
    Resign = 2, // `dnssec sign`: every owner rebuilt, due signatures made anew
    Unsign = 3, // the zone left the policy: our DNSSEC records removed
};

inline constexpr std::size_t bulk_slice_nodes = 1000; // owners per bulk transaction

struct BulkJob {
    std::string zone;
    BulkTarget target = BulkTarget::Sign;
    std::string last; // DnsNodes key of the last owner done ("": none yet)
};

// The pending bulk job of `zone`, if any; every pending job.
std::optional<BulkJob> signing_job(const store::ReadTxn& txn, std::string_view zone);
std::vector<BulkJob> signing_jobs(const store::ReadTxn& txn);

// One slice of the first pending job: at most `max_nodes` owners after its last one rebuilt,
// the job's progress stored, the zone's serial bumped (so secondaries follow by IXFR); the
// last slice removes the job (a first signing's apex then publishes its keys).
struct BulkStep {
    bool any = false; // a job was pending
    std::string zone;
    BulkTarget target = BulkTarget::Sign;
    std::size_t nodes = 0;
    bool finished = false;
};

BulkStep bulk_sign_step(store::WriteTxn& txn, std::size_t max_nodes = bulk_slice_nodes);

// Starts a rollover of the zone's key (a CSK: `zsk` and `ksk` both roll it): a new key,
// Incoming, signing beside the old one from this transaction on. The re-signer moves it on
// (rollover_step). Throws InvalidValue when the zone is not signed or a rollover is under way.
void start_rollover(store::WriteTxn& txn, std::string_view zone);

// The rollover steps due now, for every zone: an Incoming key Active once the DNSKEY TTL and
// the propagation delay have passed since it came, a Retiring key removed once the parent's DS
// TTL and the propagation delay have passed since it stopped signing. Each step rebuilds the
// zone (new DNSKEY, CDS, signatures) and takes the next serial. Returns the steps taken.
std::size_t rollover_step(store::WriteTxn& txn);

// One bounded slice of the background re-signer: scans at most `max_scan` nodes from the
// DnsNodes key `from` ("" : the first) and rebuilds those in zones we sign holding a signature
// with no more than the refresh period left (at most `max_resign` of them), so rebuild_node
// signs them anew; each zone changed gets the next serial (secondaries follow by IXFR).
// Returns where the next slice starts ("" : the scan wrapped around).
struct ResignSlice {
    std::string next;
    std::size_t scanned = 0;
    std::size_t resigned = 0;
    std::size_t rollover_steps = 0; // taken at the start of a pass (from "")
};

ResignSlice resign_slice(store::WriteTxn& txn, std::string_view from, std::size_t max_scan,
                         std::size_t max_resign);

// One key of a zone, as `switchboard dnssec keys` lists it.
struct ZoneKeyInfo {
    std::uint64_t id = 0;
    std::uint16_t tag = 0;
    std::uint16_t flags = 0; // 257: the CSK (SEP bit set)
    std::uint8_t algorithm = 0;
    std::int64_t created = 0;
    KeyState state = KeyState::Active;
    std::string dnskey; // presentation form of the DNSKEY RR
};

std::vector<ZoneKeyInfo> zone_keys(const store::ReadTxn& txn, std::string_view zone);

// The DS RRs (SHA-256, RFC 4509) of the zone's keys with the SEP bit, in presentation form,
// one per line: what the parent publishes (and what a resolver may take as its trust anchor).
std::string ds_records(const store::ReadTxn& txn, std::string_view zone);

} // namespace sb::zones
