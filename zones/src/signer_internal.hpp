// What the three parts of the signer share: signer_keys.cpp (keys, policy, clock, the signing
// context), signer.cpp (RRSIGs, the DNSSEC RRsets of a node) and signer_chain.cpp (the
// NSEC3/NSEC chain, the re-signer). The hooks rebuild_node calls are in signer_node.hpp.
#pragma once

#include "signer_node.hpp"
#include "store/store.hpp"
#include "store/tables.hpp"
#include "zones/signer.hpp"
#include "zones/zones.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::zones::detail {

// The Meta row of the signing policy: absent, nothing is signed (one read says so).
inline constexpr std::string_view policy_key = "dnssec_policy";

// The Meta row marking a zone we sign (not one kept signed from a primary).
inline std::string signed_marker(std::string_view zone) {
    return "dnssec_signed:" + std::string(zone);
}

// What a key state means for the zone (signer.hpp KeyState).
constexpr bool key_published(KeyState s) noexcept { // in the DNSKEY RRset
    return s == KeyState::Active || s == KeyState::Incoming || s == KeyState::Retiring ||
           s == KeyState::Published;
}

constexpr bool key_signing(KeyState s) noexcept {
    return s == KeyState::Active || s == KeyState::Incoming;
}

// Its DS in CDS/CDNSKEY (a CSK's Incoming key is not: the parent swaps the DS when it is Active).
constexpr bool key_in_cds(KeyState s) noexcept {
    return s == KeyState::Active || s == KeyState::Submitted || s == KeyState::Removed;
}

// Its DS in `dnssec ds`: what the parent should hold now.
constexpr bool key_in_ds(KeyState s) noexcept {
    return key_in_cds(s) || s == KeyState::Incoming;
}

// The Meta row of a zone's pending bulk job (signer.hpp BulkJob).
inline std::string job_marker(std::string_view zone) {
    return "dnssec_signing:" + std::string(zone);
}

// True while the first signing of `zone` runs in slices (its apex publishes no keys yet).
bool first_signing_pending(const store::WriteTxn& txn, std::string_view zone);

// f(), any exception but a ZoneSigningError thrown again as one naming `zone`.
template <class F>
auto for_zone(std::string_view zone, F&& f) -> decltype(f()) {
    try {
        return f();
    } catch (const ZoneSigningError&) {
        throw;
    } catch (const std::exception& e) {
        throw ZoneSigningError(std::string(zone), e.what());
    }
}

// True while any bulk job of `zone` is pending (a rollover step waits for it to end).
bool job_pending(const store::WriteTxn& txn, std::string_view zone);

// Sets which chain `ctx` serves and keeps by the zone's pending Rechain job, if any.
void apply_chain_job(const store::WriteTxn& txn, SignContext& ctx);

// `[dnssec] nsec3` changed (the policy stored already): the signed `zone`, which served
// `old_nsec3` (unless a chain switch was under way), moves to `nsec3` by a Rechain job, done
// here for a zone of at most bulk_slice_nodes owners.
void chain_switch(store::WriteTxn& txn, std::string_view zone, bool old_nsec3, bool nsec3);

// A whole-zone pass of `zone` (bulk job) has ended: the rollover waits that count from the
// moment every RRset is signed by the new key set (Incoming, Retiring keys) start now (RFC 7583
// Dsgn: the signing took that long).
void pass_finished(store::WriteTxn& txn, std::string_view zone);

// The signer's clock: now, with the policy's offset.
std::int64_t clock_now(const SigningPolicy& p);

// The zone `owner` belongs to: its longest ancestor (or itself) with a Zones row.
std::optional<store::ZoneRow> zone_of(const store::WriteTxn& txn, std::string_view owner);

// The signing context of `zone`: its keys (a CSK, or a KSK and a ZSK by the policy's scheme,
// generated when it has none), parsed for ldns.
SignContext make_context(store::WriteTxn& txn, const store::ZoneRow& zone,
                         const SigningPolicy& policy);

// Every key row of `zone` deleted.
void delete_keys(store::WriteTxn& txn, std::string_view zone);

// The DS rdata of `key` (SHA-256, RFC 4509).
std::string ds_rdata(std::string_view zone, const SignContext::Key& key);

// RRSIG rdata fields (RFC 4034 §3.1).
inline std::uint16_t sig_covered(std::string_view rdata) {
    return store::get_u16(rdata, 0);
}

inline std::uint32_t sig_expiration(std::string_view rdata) {
    return store::get_u32(rdata, 8);
}

inline std::uint32_t sig_inception(std::string_view rdata) {
    return store::get_u32(rdata, 12);
}

inline std::uint16_t sig_tag(std::string_view rdata) {
    return store::get_u16(rdata, 16);
}

using RrList = std::vector<std::pair<std::uint32_t, std::string>>; // ttl, rdata

// The RRSIGs (rdata) of one RRset of `owner_wire` by every signing key of `ctx`.
std::vector<std::string> sign_rrset(const SignContext& ctx, std::string_view owner_wire,
                                    RRType type, const RrList& rrs);

// RFC 4034 §4.1.2 type bit maps.
std::string type_bitmap(const std::set<std::uint16_t>& types);

// The owner key after (or before) `key` in canonical order in the zone's NSEC chain, wrapping
// around to the apex (or the last name); `key` itself when it is alone.
std::string nsec_neighbour(const store::WriteTxn& txn, std::string_view zone_key,
                           std::string_view key, bool next);

} // namespace sb::zones::detail
