// The RFC 1034 §4.3.2 lookup over store::Table::DnsNodes, for the DNS answer path: noexcept,
// no allocation, every returned view points into the LMDB map of the caller's read txn.
#pragma once

#include "store/store.hpp"
#include "zones/node.hpp"
#include "zones/zone_index.hpp"
#include "zones/zones.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sb::zones {

// What the lookup found; the caller that owns the response turns it into an rcode.
enum class LookupState : std::uint8_t {
    Hit,        // answer holds the qtype RRset (after the CNAMEs that led to it, if any)
    CName,      // answer holds a CNAME chain that ends outside this zone, in a loop or at the limit
    NoData,     // the name exists (or is an empty non-terminal) without qtype; authority = SOA
    NxDomain,   // the name does not exist in the zone; authority = SOA
    Delegation, // the name (or the end of the CNAME chain in answer) is at or below a zone
                // cut; authority = the cut's NS (a referral)
    YxDomain,   // a DNAME substitution would exceed 255 bytes; answer = the DNAME (RFC 6672 §2.2)
    Refused,    // the name is in no zone we serve
    Malformed,  // a stored node failed its checks, or the zone expired (answer SERVFAIL)
};

const char* to_string(LookupState s) noexcept;

// Longest CNAME chain (inside our zones) followed before answering with what was found so far.
constexpr std::size_t max_cname_chain = 8;

// A name in uncompressed wire form, in caller-provided storage (no allocation). Only the first
// len bytes are ever read: the buffer starts uninitialised (every answer has one or two).
struct NameBuf {
    std::array<char, 256> bytes;
    std::size_t len = 0;

    std::string_view view() const noexcept { return {bytes.data(), len}; }
};

// Writes the uncompressed wire form of store key `key` (labels root first, each ended by
// '\0') to `out`. False when it does not fit 255 bytes.
bool key_to_wire(std::string_view key, NameBuf& out) noexcept;

// The stored node of exactly `key` (no zone or cut logic: glue and additional data), valid
// until the txn ends. False when there is none or the store cannot be read.
bool exact_node(const store::ReadTxn& txn, std::string_view key, std::string_view& value) noexcept;

// One RRset of the answer section.
struct AnswerRrset {
    RrsetView rrset;
    // Empty: the owner is the qname. Otherwise the owner in uncompressed wire form (the target
    // in the previous CNAME's rdata).
    std::string_view owner;
};

// One RRset of a DNSSEC proof (NSEC, NSEC3) or a referral's DS, for AUTHORITY.
// Its owner buffer is left uninitialised (only the first `count` of Proofs are read).
struct ProofRrset {
    std::array<char, 255> owner_bytes; // uncompressed wire form, owner_len bytes
    std::size_t owner_len;
    RrsetView rrset;
    RrsetView sigs; // the owner's RRSIGs (the writer keeps those covering rrset's type)

    std::string_view owner() const noexcept { return {owner_bytes.data(), owner_len}; }
};

// At most: NSEC3 closest encloser, next closer and wildcard (RFC 5155 §7.2.1), the wildcard's
// NSEC3 (§7.2.5) and a second chain link's; or the DS of a referral.
constexpr std::size_t max_proofs = 5;

// The DNSSEC part of one DO=1 answer, in caller storage that only DO=1 queries construct (an
// answer without DO pays nothing for it): the RRSIG RRsets at the owners of the answer's and
// the authority's RRsets (the writer keeps the RRs covering each RRset's type; empty for an
// unsigned node and a synthesized CNAME), and the NSEC/NSEC3 proofs (RFC 4035 §3.1.3, RFC 5155
// §7.2) or a referral's DS or the proof it has none (RFC 4035 §3.1.4), each once, for
// AUTHORITY after the SOA/NS.
struct DnssecAnswer {
    std::array<RrsetView, max_cname_chain + 1> answer_sigs; // [i]: of LookupResult::answer[i]
    RrsetView authority_sigs;
    std::array<ProofRrset, max_proofs> proofs;
    std::size_t proof_count = 0;
};

struct LookupResult {
    LookupState state = LookupState::Refused;
    std::array<AnswerRrset, max_cname_chain + 1> answer; // the first answer_count are set
    std::size_t answer_count = 0;
    // SOA for NoData/NxDomain, the cut's NS for Delegation; count() == 0 otherwise.
    RrsetView authority;
    // NoData/NxDomain: the TTL to give every SOA RR, min(SOA TTL, MINIMUM) (RFC 2308 §5).
    // Delegation: 0, use the stored TTLs.
    std::uint32_t authority_ttl = 0;
    // Labels of the authority RRset's owner (the apex or the cut). When the answer stayed in
    // the qname's zone it is an ancestor of the qname; after a CNAME into another zone we
    // serve it is that zone's apex: authority_owner always holds the owner in wire form.
    unsigned authority_labels = 0;
    NameBuf authority_owner;
    // Delegation: labels of the zone that refers (glue must lie inside it, RFC 9471 §2).
    unsigned zone_labels = 0;
    // True when answer[0] was synthesised from a wildcard (RFC 4592).
    bool wildcard = false;
    // DNAME substitution (RFC 6672): the DNAME's owner and the synthesized CNAME's one RR
    // (its header as put_rr_header writes it, then the target), which answer[] views.
    NameBuf dname_owner;
    std::array<char, rr_header_max + 255> synthesized; // uninitialised until then
    // Set by lookup: the caller's DnssecAnswer for a DO=1 query, null without DO.
    DnssecAnswer* dnssec = nullptr;
};

// Looks `qkey` (name_key of the qname, e.g. from wire_to_key) up for `qtype` and fills `out`.
// Needs a live `txn`, a `cursor` on Table::DnsNodes opened from it (renewed with it) and an
// `index` synced to it. Views in `out` are valid until the txn is reset or ends. Returns
// out.state.
LookupState lookup(const store::ReadTxn& txn, store::Cursor& cursor, const ZoneIndex& index,
                   std::string_view qkey, RRType qtype, LookupResult& out) noexcept;

// As above for a query with DO=1 (RFC 3225): `chain` is a cursor on Table::DnssecChain of the
// same txn. In a signed zone (ZoneSpot::signed_zone) `dnssec` gets the RRSIGs of the answer's
// RRsets and the NSEC/NSEC3 proofs NSD gives; in an unsigned zone it costs a flag test.
LookupState lookup(const store::ReadTxn& txn, store::Cursor& cursor, const ZoneIndex& index,
                   std::string_view qkey, RRType qtype, LookupResult& out, store::Cursor& chain,
                   DnssecAnswer& dnssec) noexcept;

} // namespace sb::zones
