// The compiled form of one owner name, stored in store::Table::DnsNodes under
// name_key(owner). Written by the provisioning side (NodeBuilder), read on the DNS answer
// path (NodeView) without allocation or copies. Integers are varints (LEB128, 7 bits a byte,
// low first, as store::Reader reads them): a node's counts, lengths and TTLs mostly fit one
// or two bytes (docs/decisions.md "Node headers as varints").
//
//   u8  format            = node_format (1), or node_format_extended (2): the RRsets are
//                           followed by the parent side and the owner's record ids
//   u8  flags             NodeFlag bits
//   rrset_count           at most 65535
//   rrset_count times, sorted by type:
//     type
//     rr_count            at most 65535
//     block_len           bytes of the RRs that follow, at most 65535
//     rr_count times:
//       ttl               at most 2^32 - 1
//       rdlength
//       rdlength bytes    rdata in wire form, names uncompressed and fully qualified
//   format 2 only, past the RRsets:
//   len, len bytes        the parent side, len 0 when there is none (the apex of a zone
//                         whose parent zone we also serve): a format 1 node holding the
//                         parent zone's RRsets at that name (NS, DS, their RRSIG, NSEC),
//                         which answer DS queries (RFC 4035 §3.1.4.1) and go out in the
//                         parent's transfers
//   the rest              the owner's record ids, maybe none (store::encode_record_ids
//                         without its format byte; zones/src/records.cpp), then, when the
//                         owner is an ENUM number, the number's row (store::EnumNumberRow,
//                         store::split_node_tail); the answer path never reads them
//
// Every length is checked by NodeView before use; a value that fails is reported as
// malformed (the caller answers SERVFAIL), never read past.
#pragma once

#include "zones/zones.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones {

constexpr std::uint8_t node_format = 1;
constexpr std::uint8_t node_format_extended = 2; // format 1, then the parent side and the tail

enum NodeFlag : std::uint8_t {
    NodeApex = 1,       // a zone apex: SOA and NS RRsets live here
    NodeDelegation = 2, // NS at a non-apex name: a zone cut (referral)
    NodeWildcard = 4,   // the owner's first label is "*"
    NodeNsec3Only = 8,  // only NSEC3 (and its RRSIGs): the name does not exist (RFC 5155 §7.2.8)
    NodeDname = 16,     // a DNAME: names below are redirected (RFC 6672)
    NodeSigned = 32,    // the node holds RRSIGs; at an apex (also kept in ZoneMarks): the zone
                        // is signed, so DO=1 answers carry RRSIGs and proofs (zones/dnssec.hpp)
    NodeExpired = 64,   // ZoneMarks only, at an apex: a secondary zone past its SOA expire
                        // (mark_expired), answered SERVFAIL until its next transfer
};

// The flags the zone index keeps (ZoneMarks); the others live in the node only, but
// NodeSigned, which the index keeps for apexes (a signed zone).
constexpr std::uint8_t index_flags = NodeApex | NodeDelegation | NodeWildcard | NodeDname;

constexpr std::uint8_t mark_flags(std::uint8_t node_flags) noexcept {
    return static_cast<std::uint8_t>((node_flags & index_flags) |
                                     ((node_flags & NodeApex) ? node_flags & NodeSigned : 0));
}

// The header of one RR as an RRset's block holds it (varint TTL, varint rdlength), written at
// `out`, which has room for rr_header_max bytes; returns its length. For an RRset made on the
// answer path (the CNAME a DNAME synthesizes), without allocation.
constexpr std::size_t rr_header_max = 8; // a five-byte TTL, a three-byte rdlength
std::size_t put_rr_header(char* out, std::uint32_t ttl, std::uint16_t rdlength) noexcept;

// One RR inside an RRset view.
struct RrView {
    std::uint32_t ttl;
    std::string_view rdata;
};

// One RRset of a node; iterate with next_rr().
class RrsetView {
public:
    RrsetView() = default;

    RrsetView(RRType type, std::uint16_t count, std::string_view block) noexcept
        : type_(type)
        , count_(count)
        , block_(block) {}

    RRType type() const noexcept { return type_; }

    std::uint16_t count() const noexcept { return count_; }

    std::string_view block() const noexcept { return block_; }

    // Reads the RR at byte offset `pos` of the block and advances pos; false at the end or on a
    // malformed block.
    bool next_rr(std::size_t& pos, RrView& out) const noexcept;

private:
    RRType type_{};
    std::uint16_t count_ = 0;
    std::string_view block_;
};

class NodeView {
public:
    // Validates the header and every RRset bound; valid() is false for a malformed value.
    explicit NodeView(std::string_view value) noexcept;

    bool valid() const noexcept { return valid_; }

    std::uint8_t flags() const noexcept { return flags_; }

    std::uint16_t rrset_count() const noexcept { return count_; }

    // The RRset of `type`, if present.
    bool find(RRType type, RrsetView& out) const noexcept;
    // The i-th RRset in stored order (0 ≤ i < rrset_count()).
    bool at(std::uint16_t i, RrsetView& out) const noexcept;

    // The parent side (a format 1 node, already checked); empty when there is none.
    std::string_view parent_side() const noexcept { return parent_side_; }

    // The node's own RRsets as stored (count and RRsets: no format, flags or parent side):
    // equal for two nodes holding the same RRsets.
    std::string_view rrsets() const noexcept;

    // The owner's record ids and ENUM number of a format 2 node (past the parent side), else
    // empty.
    std::string_view tail() const noexcept {
        return valid_ ? value_.substr(ids_at_) : value_.substr(0, 0);
    }

    // The value without the record ids and number, as NodeBuilder::build() makes it: format 1
    // unless it has a parent side. What the journal and the chain index compare.
    std::string without_ids() const;

private:
    std::string_view value_;
    std::string_view parent_side_;
    std::size_t rrsets_at_ = 0; // the first RRset's header
    std::size_t own_end_ = 0;
    std::size_t ids_at_ = 0;
    std::uint8_t flags_ = 0;
    std::uint16_t count_ = 0;
    bool valid_ = false;
};

// Accumulates RRs of one owner and produces the stored value.
class NodeBuilder {
public:
    void set_flags(std::uint8_t flags) { flags_ = flags; }

    std::uint8_t flags() const noexcept { return flags_; }

    void add(RRType type, std::uint32_t ttl, std::string_view rdata);

    bool empty() const noexcept { return rrs_.empty(); }

    // True when every RR added is an NSEC3 or an RRSIG, and one is an NSEC3.
    bool nsec3_only() const noexcept;

    bool has(RRType type) const noexcept;

    // Drops every RR of `type`.
    void remove(RRType type);

    // The parent side to store after the node's own RRsets (format 2); empty: none.
    void set_parent_side(std::string value) { parent_side_ = std::move(value); }

    std::string build() const;

    struct Rr {
        RRType type;
        std::uint32_t ttl;
        std::string rdata;
    };

    // The RRs added, in the order they were added.
    const std::vector<Rr>& rrs() const noexcept { return rrs_; }

private:
    std::uint8_t flags_ = 0;
    std::vector<Rr> rrs_;
    std::string parent_side_;
};

} // namespace sb::zones
