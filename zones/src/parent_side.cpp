// The parent side of a zone apex (node.hpp format 2): when we serve both a zone and the zone
// above it, the parent's RRsets at the cut (its NS, DS and their RRSIG, its NSEC) are derived
// at write time into the child apex's node, so that a DS query is answered from the parent
// (RFC 4035 §3.1.4.1) and the parent's transfers carry them. docs/decisions.md "DS at the apex
// of a child zone we also serve".
#include "parent_side.hpp"

#include "signer_internal.hpp"
#include "zones/compile.hpp"
#include "zones/dnssec.hpp"
#include "zones/journal.hpp"
#include "zones/zone_index.hpp"
#include "zones/zonefile.hpp"

#include <ctime>

namespace sb::zones::detail {

namespace {

bool signer_type(RRType t) noexcept {
    return t == RRType::RRSIG || t == RRType::NSEC || t == RRType::NSEC3 || t == RRType::NSEC3PARAM;
}

} // namespace

ParentSide parent_side(store::WriteTxn& txn, std::string_view owner, std::string_view key,
                       const store::ZoneRow& child, const SignContext* child_sign,
                       const std::vector<store::RecordRow>& records, std::string_view old_side) {
    ParentSide out;
    if (owner.empty()) {
        return out; // the root has no parent
    }
    const auto dot = owner.find('.');
    out.parent =
        zone_of(txn, dot == std::string_view::npos ? std::string_view{} : owner.substr(dot + 1));
    if (!out.parent) {
        return out; // RFC 4035 §3.1.4.1's "no parent zone" case: the child answers alone
    }
    const auto policy = signing_policy(txn);
    if (policy && txn.get(store::Table::Meta, signed_marker(out.parent->name))) {
        out.sign = make_context(txn, *out.parent, *policy);
    }
    NodeBuilder& node = out.node;
    for (const auto& rec : records) {
        const auto type = static_cast<RRType>(rec.type);
        if (rec.zone != out.parent->name || (out.sign && signer_type(type))) {
            continue; // a zone we sign carries our DNSSEC records only
        }
        node.add(type, served_ttl(rec.ttl, out.parent->ttl), rec.rdata);
    }
    if (out.sign) {
        // A zone we serve below a zone we sign is a cut of the parent whether or not the operator
        // wrote the delegation: without it the parent's NSEC3 could not say "NS, no DS" and a
        // validator could not tell an insecure child from a forged one (RFC 5155 §8.6).
        if (!node.has(RRType::NS)) {
            for (const auto& ns : child.nameservers) {
                node.add(RRType::NS, out.parent->ttl, name_to_wire(ns));
            }
        }
        // The DS of a child we sign ourselves, unless the operator gave the parent its own:
        // exactly what `switchboard dnssec ds` prints for the child, so it follows the child's
        // KSK rollovers (each step rebuilds the child's apex). None while the child's first
        // signing runs in slices (it publishes no DNSKEY until the last one).
        if (!node.has(RRType::DS) && child_sign != nullptr && child_sign->publish_keys) {
            for (const auto& k : child_sign->keys) {
                if ((k.flags & 1) && key_in_ds(k.state)) {
                    node.add(RRType::DS, out.parent->ttl, ds_rdata(child.name, k));
                }
            }
        }
        if (!node.empty()) {
            sign_node(txn, *out.sign, owner, key, node, old_side, false, true);
        }
    }
    std::uint8_t flags = node.has(RRType::NS) ? NodeDelegation : 0;
    if (node.has(RRType::RRSIG)) {
        flags |= NodeSigned;
    }
    node.set_flags(flags);
    return out;
}

namespace {

// The parent's RRsets at the cut went from `old_side` to `new_side` (null: none): journaled in
// the parent's journal and its serial bumped when they differ.
void parent_changed(store::WriteTxn& txn, const store::ZoneRow& parent, std::string_view owner,
                    const std::string* old_side, const std::string* new_side) {
    if ((old_side == nullptr) == (new_side == nullptr) &&
        (old_side == nullptr || NodeView(*old_side).rrsets() == NodeView(*new_side).rrsets())) {
        return; // the same RRsets (the parent's old delegation node becoming the side, say)
    }
    if (secondary_primary(txn, parent.name)) {
        return; // a zone kept from a primary changes by its transfers only, serial included
    }
    journal_parent_side(txn, parent.name, owner, old_side, new_side);
    // Its serial too, so its secondaries transfer the change (the journal group gets the
    // parent's SOA change), unless it changes in this transaction already (the parent created
    // or imported: its apex written).
    if (journal_holds(txn, parent.name, parent.name)) {
        return;
    }
    if (auto row = store::get_zone(txn, parent.name)) {
        touch_zone(txn, *row, static_cast<std::int64_t>(std::time(nullptr)));
    }
}

} // namespace

void parent_side_stored(store::WriteTxn& txn, const ParentSide& side, std::string_view owner,
                        std::string_view key, const std::string* old_side,
                        const std::string* new_side) {
    if (!side.parent) {
        return;
    }
    const std::string_view now = new_side != nullptr ? std::string_view(*new_side) : "";
    // After store_node, which dropped the entries of the node's old NSEC at every enclosing zone.
    chain_parent_nsec(txn, name_key(side.parent->name), key, now);
    if (side.sign) {
        chain_parent_side(txn, *side.sign, owner, key, now, old_side != nullptr);
    }
    parent_changed(txn, *side.parent, owner, old_side, new_side);
}

void parent_side_dropped(store::WriteTxn& txn, std::string_view owner, const std::string& old_side,
                         const NodeBuilder& node) {
    const auto parent = zone_of(txn, owner);
    if (!parent) {
        return;
    }
    const std::optional<std::string> now =
        node.empty() ? std::nullopt : std::optional<std::string>(node.build());
    parent_changed(txn, *parent, owner, &old_side, now ? &*now : nullptr);
}

void rebuild_child_apexes(store::WriteTxn& txn, std::string_view key) {
    const std::string_view prefix = key == root_stored_key ? std::string_view{} : key;
    std::vector<std::string> children;
    {
        store::Cursor c = txn.cursor(store::Table::ZoneMarks);
        std::string below; // the last child found: the zones under it are its children
        for (bool ok = prefix.empty() ? c.first() : c.seek(prefix);
             ok && c.key().starts_with(prefix); ok = c.next()) {
            const std::string_view k = c.key();
            if (k.size() == prefix.size() || k == root_stored_key ||
                (!below.empty() && k.starts_with(below)) || c.value().size() != 1 ||
                !(static_cast<std::uint8_t>(c.value()[0]) & NodeApex)) {
                continue;
            }
            children.emplace_back(k);
            below = children.back();
        }
    }
    for (const auto& child : children) {
        rebuild_node(txn, key_to_name(child));
    }
}

} // namespace sb::zones::detail
