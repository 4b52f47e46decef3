// The parent side of a zone apex (node.hpp format 2), derived by rebuild_node when we serve
// the zone above the apex too: the parent's records at the cut, its delegation NS when the
// operator wrote none and the parent is one we sign, the DS of a child we sign, the parent's
// RRSIG(DS) and NSEC, and after storing, the parent's NSEC3 for the cut.
#pragma once

#include "signer_node.hpp"
#include "store/tables.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones::detail {

struct ParentSide {
    std::optional<store::ZoneRow> parent; // the closest zone above the apex, if we serve one
    std::optional<SignContext> sign;      // set: we sign the parent
    NodeBuilder node;                     // the parent side (empty: none)
};

// The parent side of the apex `owner` (key `key`) of zone `child`; `child_sign`: the child's
// signing context when we sign it; `records`: every record row at the owner (the parent's
// are those of its zone); `old_side`: the parent side stored before (signatures reused).
ParentSide parent_side(store::WriteTxn& txn, std::string_view owner, std::string_view key,
                       const store::ZoneRow& child, const SignContext* child_sign,
                       const std::vector<store::RecordRow>& records, std::string_view old_side);

// After the apex node is stored: the parent's NSEC3 for the cut (or its NSEC chain entry), the
// parent's journal and serial when its side changed (null: none before / after).
void parent_side_stored(store::WriteTxn& txn, const ParentSide& side, std::string_view owner,
                        std::string_view key, const std::string* old_side,
                        const std::string* new_side);

// Before the node of `owner` (`node`, not stored yet) replaces a child zone's apex that had
// the parent side `old_side` (the child zone was deleted): the parent's journal gets the
// change ("before": the side; journal_node keeps it) and the parent a new serial.
void parent_side_dropped(store::WriteTxn& txn, std::string_view owner, const std::string& old_side,
                         const NodeBuilder& node);

// A zone apex at `key` appeared or went: the apexes of the zones directly below it are rebuilt
// (their parent changed).
void rebuild_child_apexes(store::WriteTxn& txn, std::string_view key);

// The parent's denial chain entry for the cut `owner` whose parent side is `side` (empty:
// none), in the parent zone of `ctx` (signer_chain.cpp); `existed`: it had a side before.
void chain_parent_side(store::WriteTxn& txn, const SignContext& ctx, std::string_view owner,
                       std::string_view key, std::string_view side, bool existed);

// The DnssecChain entry of the parent's NSEC at the cut `key` (in the zone `zone_key`): there
// when the parent side `side` holds an NSEC (ours or a pre-signed parent's), else none.
void chain_parent_nsec(store::WriteTxn& txn, std::string_view zone_key, std::string_view key,
                       std::string_view side);

} // namespace sb::zones::detail
