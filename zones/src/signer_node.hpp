// The write-side hooks of the signer (signer.hpp) that rebuild_node calls, and the node
// store step they share with it.
#pragma once

#include "zones/node.hpp"
#include "zones/signer.hpp"

#include <ldns/ldns.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones::detail {

struct KeyListFree {
    void operator()(ldns_key_list* l) const { ldns_key_list_free(l); }
};

// One zone being signed during one rebuild: its policy, row data and loaded keys.
struct SignContext {
    std::string zone;     // canonical
    std::string zone_key; // name_key(zone)
    SigningPolicy policy;
    std::int64_t now = 0; // the clock, with the policy's offset
    std::uint32_t zone_ttl = 3600;
    std::uint32_t nsec3_ttl = 3600; // RFC 9077: min(SOA TTL, SOA MINIMUM)

    struct Key {
        std::uint16_t tag = 0;
        std::uint16_t flags = 0;
        std::uint8_t algorithm = 0;
        std::string dnskey; // rdata
        KeyState state = KeyState::Active;
        bool signs_data = false;   // a ZSK or a CSK in a signing state
        bool signs_dnskey = false; // a KSK or a CSK in a signing state

        // True when this key signs the `type` RRset: a KSK the DNSKEY, CDS and CDNSKEY
        // RRsets, a ZSK the others, a CSK all (docs/decisions.md "Key rollovers").
        bool signs(RRType type) const noexcept {
            return dnskey_rrset(type) ? signs_dnskey : signs_data;
        }
    };

    static bool dnskey_rrset(RRType type) noexcept {
        return type == RRType::DNSKEY || type == RRType::CDS || type == RRType::CDNSKEY;
    }

    std::vector<Key> keys;
    // policy.nsec3 is the chain the zone serves (its apex's NSEC3PARAM, or its NSEC): the
    // policy's, except during a chain switch (a Rechain job), when `other_chain` also keeps the
    // other chain in step until the apex switches to it.
    bool other_chain = false;

    bool keeps_nsec() const noexcept { return !policy.nsec3 || other_chain; }

    bool keeps_nsec3() const noexcept { return policy.nsec3 || other_chain; }

    // False at the apex while the zone's first signing runs in slices: no DNSKEY, CDS, CDNSKEY
    // or NSEC3PARAM yet (a validator sees an unsigned zone until every RRset is signed).
    bool publish_keys = true;
    // The keys parsed for ldns, from a per-thread cache (parsing an OpenSSL 3 private key costs
    // more than a signature); valid while this context is used, on the writer thread. One list
    // signs the zone's data, the other the DNSKEY, CDS and CDNSKEY RRsets.
    ldns_key_list* ldns_keys = nullptr;
    ldns_key_list* ldns_dnskey_keys = nullptr;

    ldns_key_list* signers(RRType type) const noexcept {
        return dnskey_rrset(type) ? ldns_dnskey_keys : ldns_keys;
    }
};

// What rebuild_node does for `owner` as to signing.
struct SignPlan {
    std::optional<SignContext> sign; // set: the owner's zone is signed
    bool occluded = false;  // below a zone cut (glue) or a DNAME: neither signed nor chained
    bool full_pass = false; // the apex changed state: rebuild every owner of the zone
    std::string pass_zone;  // the zone of the full pass
    BulkTarget pass_target = BulkTarget::Sign; // Sign or Unsign
};

// Decides for `owner` (apex: a zone of that name exists; was_apex: the old node was one).
// At an apex whose zone the policy newly covers (or no longer covers) it marks the zone and
// asks for a full pass; keys are generated on first signing; a deleted zone loses its keys.
SignPlan plan_signing(store::WriteTxn& txn, std::string_view owner, std::string_view key, bool apex,
                      bool was_apex);

// Replaces the DNSSEC RRsets of `node` with ours: DNSKEY/CDS/CDNSKEY/NSEC3PARAM at the apex,
// the owner's NSEC in an NSEC zone (its next owner read from `txn`),
// the old node's NSEC3 kept (a hashed owner), and RRSIGs for every authoritative RRset (at a
// delegation only DS; RFC 4035 §2.2), reusing an old signature over the same RRset while more
// than the refresh period of it remains.
void sign_node(const store::WriteTxn& txn, const SignContext& ctx, std::string_view owner,
               std::string_view key, NodeBuilder& node, std::string_view old_node, bool apex,
               bool delegation);

// After the node of `owner` is stored: its NSEC3 (and its empty non-terminal ancestors') made
// to match, predecessors' next hashed owner fixed (RFC 5155 §7.1); in an NSEC zone, the
// predecessor rebuilt when the owner came or went (`existed`: it had a node before).
void chain_owner(store::WriteTxn& txn, const SignContext& ctx, std::string_view owner,
                 std::string_view key, bool occluded, bool existed);

// Every owner of `zone` rebuilt (the apex last), in this transaction.
void rebuild_zone_owners(store::WriteTxn& txn, std::string_view zone);

// The owners under key `zkey` that have records but no node (RecordsByOwner: e.g. a
// provisioned NSEC a signed zone serves its own chain in place of) rebuilt, so that an
// unsigned zone serves their RRs again. Rare rows: a whole-zone pass does them all at its end.
void rebuild_bare_owners(store::WriteTxn& txn, std::string_view zkey);

// A whole-zone pass towards `target`: done in this transaction (rebuild_zone_owners) for a
// zone of at most bulk_slice_nodes owners, else queued for bulk_sign_step (a pending Sign or
// Resign job of the zone is replaced by an Unsign one, and kept by a Resign). Returns true
// when queued.
bool zone_pass(store::WriteTxn& txn, std::string_view zone, BulkTarget target);

// The storing step of rebuild_node: the node (empty: none) put or deleted, with its zone
// marks, chain index entries and journal entry.
void store_node(store::WriteTxn& txn, std::string_view owner, std::string_view key,
                const std::optional<std::string>& old_node, const NodeBuilder& node,
                std::optional<std::string_view> zone_key);

} // namespace sb::zones::detail
