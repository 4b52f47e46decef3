// Proof selection for DO=1 answers from signed zones (RFC 4035 §3.1.3-3.1.4, RFC 5155 §7.2),
// as NSD selects them. Reads only the store: nodes (NSEC, NSEC3, DS and their RRSIGs) and the
// chain index (zones/dnssec.hpp). Query side: noexcept, no allocation.
#pragma once

#include "store/store.hpp"
#include "zones/dnssec.hpp"
#include "zones/lookup.hpp"

#include <string_view>

namespace sb::zones {

// Key length of the parent of the name whose key is key[0..len) (0 for the root).
std::size_t parent_key_len(std::string_view key, std::size_t len) noexcept;

// One signed zone while its proofs are chosen.
struct ProofZone {
    const store::ReadTxn* txn = nullptr;
    store::Cursor* nodes = nullptr; // on DnsNodes
    store::Cursor* chain = nullptr; // on DnssecChain
    std::string_view zone_key;
    bool nsec3 = false;
    Nsec3Params params;
};

enum class Proved : std::uint8_t { Ok, Unsigned, Malformed };

// Reads the apex of `zone_key` (`apex`: its node when the caller has it, else empty and it
// is read): Unsigned when it has neither NSEC3PARAM nor NSEC (no proofs).
Proved open_proof_zone(const store::ReadTxn& txn, store::Cursor& nodes, store::Cursor& chain,
                       std::string_view zone_key, ProofZone& z,
                       std::string_view apex = {}) noexcept;

// The name `key` does not exist: RFC 4035 §3.1.3.2 / RFC 5155 §7.2.2.
Proved prove_nxdomain(const ProofZone& z, std::string_view key, LookupResult& out) noexcept;

// `key` exists (or is an empty non-terminal) without the type: RFC 4035 §3.1.3.1, RFC 5155
// §7.2.3 and §7.2.4 (DS, opt-out).
Proved prove_nodata(const ProofZone& z, std::string_view key, LookupResult& out) noexcept;

// Answer synthesized from the wildcard `*.<key[0..ce_len)>`: RFC 4035 §3.1.3.3 (and §3.1.3.4
// with `nodata`), RFC 5155 §7.2.6 (§7.2.5).
Proved prove_wildcard(const ProofZone& z, std::string_view key, std::size_t ce_len, bool nodata,
                      LookupResult& out) noexcept;

// A referral at the cut `cut_key` (node `cut`): its DS, or the proof it has none (RFC 4035
// §3.1.4, RFC 5155 §7.2.7).
Proved prove_referral(const ProofZone& z, std::string_view cut_key, std::string_view cut,
                      LookupResult& out) noexcept;

} // namespace sb::zones
