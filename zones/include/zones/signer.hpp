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

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones {

// A key's place in a rollover (RFC 7583 §3; docs/decisions.md "Key rollovers"). What each
// state means for the zone: published in the DNSKEY RRset, signing (its role's RRsets), its DS
// listed (CDS/CDNSKEY and `dnssec ds`, SEP keys only).
//   Active     published, signing, DS listed: the key in use.
//   Incoming   published, signing, DS listed (a CSK by double signature, §3.3.3: beside the
//              Active one until the DNSKEY RRset has reached every cache).
//   Retiring   published, not signing: an old CSK until its DS has left every cache, an old
//              ZSK until the signatures it made have.
//   Published  published, not signing: a new ZSK (pre-publication, §3.2.1) until the DNSKEY
//              RRset holding it has reached every cache.
//   Submitted  not published, not signing, DS listed: a new KSK (double-DS, §3.3.2) until the
//              parent's DS RRset holding its DS has reached every cache.
//   Removed    not published, not signing, DS listed: an old KSK, out of the DNSKEY RRset,
//              until the DNSKEY RRset it signed has left every cache; then its DS may go.
enum class KeyState : std::uint8_t {
    Active = 0,
    Incoming = 1,
    Retiring = 2,
    Published = 3,
    Submitted = 4,
    Removed = 5
};

// A key's role. A zone with a ZSK (flags 256) has a KSK (257: signs the DNSKEY RRset, CDS and
// CDNSKEY only) and a ZSK (signs every other RRset); a zone without one has a CSK (257, signs
// everything).
enum class KeyRole : std::uint8_t { Csk = 0, Ksk = 1, Zsk = 2 };

// [dnssec] keys: the keys a zone gets when it is first signed (an existing zone keeps its own;
// a `zsk` rollover of a CSK zone under KskZsk moves it to a KSK and a ZSK).
enum class KeyScheme : std::uint8_t { Csk = 0, KskZsk = 1 };

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
    KeyScheme keys = KeyScheme::Csk; // a single CSK (docs/decisions.md), or a KSK and a ZSK
};

// Zones a background step passes over (the re-signer's backed-off ones).
using ZoneSet = std::set<std::string, std::less<>>;

// A signing step that failed for one zone (a corrupt key row, an RRset ldns cannot sign, ...):
// what bulk_sign_step, resign_slice and rollover_step throw, naming the zone, so the re-signer
// backs that zone off alone (ResignerWork). The transaction is aborted as for any exception.
class ZoneSigningError : public std::runtime_error {
public:
    ZoneSigningError(std::string zone, const std::string& reason)
        : std::runtime_error(reason)
        , zone_(std::move(zone)) {}

    const std::string& zone() const noexcept { return zone_; }

private:
    std::string zone_;
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
    // `[dnssec] nsec3` changed: the new chain built beside the old one (every owner rebuilt
    // keeping both), the apex switched (NSEC3PARAM, or its NSEC) by the slice that ends the
    // build, then the old chain's records removed (every owner rebuilt again).
    Rechain = 4,
};

inline constexpr std::size_t bulk_slice_nodes = 1000; // owners per bulk transaction

struct BulkJob {
    std::string zone;
    BulkTarget target = BulkTarget::Sign;
    std::string last; // DnsNodes key of the last owner done ("": none yet)
    // Rechain only: the chain the zone moves to (true: NSEC3), and whether its apex has switched
    // to it (the build is over; the slices now remove the old chain).
    bool nsec3 = true;
    bool switched = false;
};

// The pending bulk job of `zone`, if any; every pending job.
std::optional<BulkJob> signing_job(const store::ReadTxn& txn, std::string_view zone);
std::vector<BulkJob> signing_jobs(const store::ReadTxn& txn);

// One slice of the first pending job: at most `max_nodes` owners after its last one rebuilt,
// the job's progress stored, the zone's serial bumped (so secondaries follow by IXFR); the
// last slice removes the job (a first signing's apex then publishes its keys). A Rechain job
// takes two passes: `switched` is set by the slice that ends its build.
struct BulkStep {
    bool any = false; // a job was pending
    std::string zone;
    BulkTarget target = BulkTarget::Sign;
    std::size_t nodes = 0;
    bool finished = false;
    bool switched = false; // this slice switched a Rechain job's apex to the new chain
};

// Jobs of the zones in `skip` wait.
BulkStep bulk_sign_step(store::WriteTxn& txn, std::size_t max_nodes = bulk_slice_nodes,
                        const ZoneSet& skip = {});

// Starts a rollover of the zone's `role` key (Zsk or Ksk), by the zone's scheme: in a zone with
// a ZSK, a ZSK rollover pre-publishes a new ZSK (Published) and a KSK rollover submits a new
// KSK's DS beside the old one (Submitted, double-DS); in a CSK zone both roll the CSK by double
// signature (Incoming), except a ZSK rollover under `keys = ksk-zsk`, which pre-publishes the
// zone's first ZSK (the CSK then signs the DNSKEY RRset only: a KSK). The re-signer moves the
// keys on (rollover_step). Throws InvalidValue when the zone is not signed, a rollover is under
// way or a bulk job of the zone is pending. A CSK's double signature of a large zone is added by
// a Resign job.
void start_rollover(store::WriteTxn& txn, std::string_view zone, KeyRole role);

// The rollover steps due now on the signer's clock, for every zone (RFC 7583; the waits in
// docs/decisions.md "Key rollovers"): Incoming/Published keys Active once the DNSKEY TTL and the
// propagation delay have passed (the old key of that role Retiring), a Submitted KSK Active
// once the parent's DS TTL and the propagation delay have (the old KSK Removed), Retiring and
// Removed keys deleted when their wait is over. A step that changes which key signs the zone's
// data rebuilds every owner (the full pass: in this transaction for a zone of at most
// bulk_slice_nodes owners, else a Resign job, after which the waits of Incoming and Retiring
// keys start again); the others rebuild the apex (DNSKEY, CDS, CDNSKEY). Each takes the next
// serial. Returns the number of zones stepped. Zones in `skip`, and zones with a bulk job
// pending, wait.
std::size_t rollover_step(store::WriteTxn& txn, const ZoneSet& skip = {});

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

// Nodes of the zones in `skip` are passed over (nor are their rollover steps taken).
ResignSlice resign_slice(store::WriteTxn& txn, std::string_view from, std::size_t max_scan,
                         std::size_t max_resign, const ZoneSet& skip = {});

// The background re-signer's work, one write transaction per call to step() (the thread that
// calls it is the serving process's; app/dnssec_command.cpp): a slice of the first pending
// bulk job, else a slice of the refresh pass (resign_slice, rollover steps at its start). A
// step that fails for one zone (ZoneSigningError) backs off that zone's job, or that zone's
// refresh, alone: skipped for `backoff`, doubled at each failure up to `backoff_cap`, reset by a
// success; the other zones' jobs and refreshes go on meanwhile, and so does the zone's refresh
// while its job backs off. Not thread-safe but for failures(), which any thread may read.
class ResignerWork {
public:
    using Clock = std::chrono::steady_clock;

    struct Limits {
        std::size_t max_scan = 4096;  // nodes looked at per refresh transaction
        std::size_t max_resign = 256; // nodes signed anew per refresh transaction
        std::chrono::seconds backoff{30};
        std::chrono::seconds backoff_cap{3600};
    };

    enum class Did : std::uint8_t {
        Job,     // a slice of a bulk job (`job`)
        Refresh, // a slice of the refresh pass (`slice`)
        Failed,  // a step failed (`zone`, `error`; backed off for `retry_in`)
    };

    struct Step {
        Did did = Did::Refresh;
        BulkStep job;
        ResignSlice slice;
        std::string zone; // Failed: the zone, "" when the error named none
        std::string error;
        std::chrono::seconds retry_in{0};
        bool more = false; // work is left: call again at once (else at the next pass)
    };

    explicit ResignerWork(store::Env& env, Limits limits);

    explicit ResignerWork(store::Env& env)
        : ResignerWork(env, Limits{}) {}

    Step step(Clock::time_point now);

    // Steps that failed since start (the metric switchboard_dnssec_failed_steps_total).
    std::uint64_t failures() const noexcept { return failures_.load(std::memory_order_relaxed); }

private:
    struct Backoff {
        Clock::time_point until;
        std::chrono::seconds delay{0};
    };

    using Backoffs = std::map<std::string, Backoff, std::less<>>;

    static ZoneSet waiting(Backoffs& backoffs, Clock::time_point now);
    std::chrono::seconds back_off(Backoffs& backoffs, const std::string& zone,
                                  Clock::time_point now);
    Step failed(Backoffs& backoffs, const ZoneSigningError& e, Clock::time_point now);

    store::Env& env_;
    Limits limits_;
    std::string from_; // where the refresh pass goes on
    Clock::time_point pass_start_;
    Backoffs jobs_;    // zones whose bulk job backs off
    Backoffs refresh_; // zones whose refresh backs off
    std::atomic<std::uint64_t> failures_{0};
};

// One key of a zone, as `switchboard dnssec keys` lists it.
struct ZoneKeyInfo {
    std::uint64_t id = 0;
    std::uint16_t tag = 0;
    std::uint16_t flags = 0; // 257: a CSK or KSK (SEP bit set), 256: a ZSK
    std::uint8_t algorithm = 0;
    std::int64_t created = 0;
    KeyRole role = KeyRole::Csk;
    KeyState state = KeyState::Active;
    std::int64_t since = 0; // when it entered `state` (signer clock)
    std::string dnskey;     // presentation form of the DNSKEY RR
};

std::vector<ZoneKeyInfo> zone_keys(const store::ReadTxn& txn, std::string_view zone);

// The DS RRs (SHA-256, RFC 4509) of the zone's keys with the SEP bit whose DS the parent should
// hold now (Active, Incoming, Submitted, Removed: during a KSK double-DS rollover both), in
// presentation form, one per line (what a resolver may take as its trust anchor).
std::string ds_records(const store::ReadTxn& txn, std::string_view zone);

} // namespace sb::zones
