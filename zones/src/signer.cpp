// DNSSEC signing at write time (signer.hpp), RRset by RRset: which owners are signed (and
// with which context), RRSIGs by ldns over the zone's keys, an old signature reused while it
// has more than the refresh period left, the DNSSEC RRsets of a signed node.
#include "zones/signer.hpp"

#include "ldns_rr.hpp"
#include "proofs.hpp"
#include "signer_internal.hpp"
#include "zones/compile.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <algorithm>
#include <set>

namespace sb::zones {

namespace {

struct RrListFree {
    void operator()(ldns_rr_list* l) const { ldns_rr_list_deep_free(l); }
};

using RrListPtr = std::unique_ptr<ldns_rr_list, RrListFree>;

detail::RrList old_rrset(std::string_view old_node, RRType type) {
    detail::RrList out;
    if (old_node.empty()) {
        return out;
    }
    const NodeView view(old_node);
    RrsetView rrset;
    if (!view.find(type, rrset)) {
        return out;
    }
    std::size_t pos = 0;
    RrView rr{};
    while (rrset.next_rr(pos, rr)) {
        out.emplace_back(rr.ttl, std::string(rr.rdata));
    }
    return out;
}

// The old node's signatures over the same RRset, when every key has one with more than the
// refresh period left (so an unchanged RRset is not signed again at every rebuild).
std::optional<detail::RrList> reusable(const detail::SignContext& ctx,
                                       const detail::RrList& old_sigs,
                                       const detail::RrList& old_rrs, RRType type,
                                       detail::RrList rrs) {
    detail::RrList sorted_old = old_rrs;
    std::sort(sorted_old.begin(), sorted_old.end());
    std::sort(rrs.begin(), rrs.end());
    if (sorted_old != rrs) {
        return std::nullopt;
    }
    detail::RrList out;
    for (const auto& key : ctx.keys) {
        if (!key.signs(type)) {
            continue;
        }
        bool found = false;
        for (const auto& sig : old_sigs) {
            const std::string_view r = sig.second;
            if (r.size() < 18 || detail::sig_covered(r) != static_cast<std::uint16_t>(type) ||
                detail::sig_tag(r) != key.tag || static_cast<std::uint8_t>(r[2]) != key.algorithm) {
                continue;
            }
            const auto left = static_cast<std::int64_t>(detail::sig_expiration(r)) - ctx.now;
            if (left > static_cast<std::int64_t>(ctx.policy.refresh) &&
                static_cast<std::int64_t>(detail::sig_inception(r)) <= ctx.now) {
                out.push_back(sig);
                found = true;
                break;
            }
        }
        if (!found) {
            return std::nullopt;
        }
    }
    return out;
}

constexpr std::string_view nsec3param_rdata{"\x01\x00\x00\x00\x00", 5};

} // namespace

namespace detail {

std::vector<std::string> sign_rrset(const detail::SignContext& ctx, std::string_view owner_wire,
                                    RRType type, const RrList& rrs) {
    RrListPtr list(ldns_rr_list_new());
    for (const auto& [ttl, rdata] : rrs) {
        std::string wire(owner_wire);
        store::put_u16(wire, static_cast<std::uint16_t>(type));
        store::put_u16(wire, 1); // IN
        store::put_u32(wire, ttl);
        store::put_u16(wire, static_cast<std::uint16_t>(rdata.size()));
        wire += rdata;
        ldns_rr* rr = nullptr;
        std::size_t pos = 0;
        if (ldns_wire2rr(&rr, reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size(), &pos,
                         LDNS_SECTION_ANSWER) != LDNS_STATUS_OK) {
            throw InvalidValue("records", std::string("cannot sign the ") + to_string(type) +
                                              " RRset: ldns cannot read it");
        }
        ldns_rr_list_push_rr(list.get(), rr);
    }
    ldns_key_list* const keys = ctx.signers(type);
    RrListPtr sigs(ldns_sign_public(list.get(), keys));
    if (!sigs || ldns_rr_list_rr_count(sigs.get()) != ldns_key_list_key_count(keys)) {
        throw std::runtime_error(std::string("signing the ") + to_string(type) + " RRset failed");
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(sigs.get()); ++i) {
        out.push_back(detail::wire_rdata(ldns_rr_list_rr(sigs.get(), i)));
    }
    return out;
}

SignPlan plan_signing(store::WriteTxn& txn, std::string_view owner, std::string_view key, bool apex,
                      bool was_apex) {
    SignPlan plan;
    if (apex) {
        const auto policy = signing_policy(txn);
        const auto row = store::get_zone(txn, owner);
        // A zone kept from a primary is served as the primary signed it (or did not): its
        // RRSIGs and NSEC3 come in the transfer, and our own keys would contradict its DS.
        const bool want = policy && row->kind != store::ZoneKind::Catalog &&
                          policy_covers(*policy, owner) && !secondary_primary(txn, owner);
        const std::string marker = signed_marker(owner);
        const bool have = txn.get(store::Table::Meta, marker).has_value();
        if (want != have) {
            if (want) {
                txn.put(store::Table::Meta, marker, "");
            } else {
                txn.del(store::Table::Meta, marker);
            }
            plan.full_pass = true;
            plan.pass_zone = std::string(owner);
            plan.pass_target = want ? BulkTarget::Sign : BulkTarget::Unsign;
        }
        if (want) {
            plan.sign = make_context(txn, *row, *policy);
            plan.sign->publish_keys = !first_signing_pending(txn, owner);
            apply_chain_job(txn, *plan.sign);
        }
        return plan;
    }
    // A pending bulk job (signer_bulk.cpp) may be unsigning the zone: its chain is still there.
    const bool job = was_apex && txn.get(store::Table::Meta, job_marker(owner)).has_value();
    if (was_apex && (job || txn.get(store::Table::Meta, signed_marker(owner)))) {
        // The zone was deleted: its keys, its mark, its job and its NSEC3 chain go with it.
        txn.del(store::Table::Meta, signed_marker(owner));
        txn.del(store::Table::Meta, job_marker(owner));
        delete_keys(txn, owner);
        std::vector<std::pair<std::string, std::string>> hashed; // key, node
        {
            store::Cursor c = txn.cursor(store::Table::DnsNodes);
            for (bool ok = c.seek(key); ok && c.key().starts_with(key); ok = c.next()) {
                // The zone's hashed owners, one label below its apex (a child zone we also
                // serve has its own chain below its apex: it stays).
                if (c.key().size() > key.size() &&
                    parent_key_len(c.key(), c.key().size()) == key.size() &&
                    (NodeView(c.value()).flags() & NodeNsec3Only)) {
                    hashed.emplace_back(c.key(), c.value());
                }
            }
        }
        for (const auto& [k, v] : hashed) {
            store_node(txn, key_to_name(k), k, v, NodeBuilder{}, std::nullopt);
        }
    }
    if (!txn.get(store::Table::Meta, policy_key)) {
        return plan; // nothing is signed: the common case, one read
    }
    const auto zone = zone_of(txn, owner);
    if (!zone || !txn.get(store::Table::Meta, signed_marker(zone->name))) {
        return plan;
    }
    const auto policy = signing_policy(txn);
    plan.sign = make_context(txn, *zone, *policy);
    apply_chain_job(txn, *plan.sign);
    // Occluded: below a zone cut or a DNAME between the owner and its apex (RFC 4035 §2.2:
    // glue is not signed; RFC 5155 §7.1: no NSEC3 for it).
    const std::size_t zlen = plan.sign->zone_key.size();
    for (std::size_t len = parent_key_len(key, key.size()); len > zlen;
         len = parent_key_len(key, len)) {
        if (const auto v = txn.get(store::Table::DnsNodes, key.substr(0, len))) {
            if (NodeView(*v).flags() & (NodeDelegation | NodeDname)) {
                plan.occluded = true;
                break;
            }
        }
    }
    return plan;
}

void sign_node(const store::WriteTxn& txn, const SignContext& ctx, std::string_view owner,
               std::string_view key, NodeBuilder& node, std::string_view old_node, bool apex,
               bool delegation) {
    // A zone we sign carries our DNSSEC records only (docs/decisions.md).
    for (const RRType t : {RRType::RRSIG, RRType::NSEC, RRType::NSEC3, RRType::NSEC3PARAM}) {
        node.remove(t);
    }
    if (ctx.keeps_nsec3()) {
        for (const auto& [ttl, rdata] : old_rrset(old_node, RRType::NSEC3)) {
            node.add(RRType::NSEC3, ttl, rdata); // a hashed owner: chain_owner keeps it
        }
    }
    if (apex) {
        for (const RRType t : {RRType::DNSKEY, RRType::CDS, RRType::CDNSKEY}) {
            node.remove(t);
        }
    }
    if (apex && ctx.publish_keys) {
        for (const auto& k : ctx.keys) {
            if (key_published(k.state)) {
                node.add(RRType::DNSKEY, ctx.zone_ttl, k.dnskey);
            }
        }
        // RFC 7344 §4 / RFC 8078: CDS and CDNSKEY for the key-signing key, so a parent can
        // follow the DS automatically.
        for (const auto& k : ctx.keys) {
            if ((k.flags & 1) && key_in_cds(k.state)) {
                node.add(RRType::CDNSKEY, ctx.zone_ttl, k.dnskey);
                node.add(RRType::CDS, ctx.zone_ttl, ds_rdata(ctx.zone, k));
            }
        }
        if (ctx.policy.nsec3) {
            node.add(RRType::NSEC3PARAM, ctx.zone_ttl, nsec3param_rdata);
        }
    }
    if (ctx.keeps_nsec() && !node.empty() && !node.nsec3_only()) {
        // RFC 4034 §4.1: the next owner in canonical order, and the types here, NSEC and RRSIG
        // included (RFC 4035 §2.3: "NSEC RRs ... MUST have the same TTL value as the SOA
        // minimum TTL field" — RFC 9077 makes it min(SOA TTL, MINIMUM)).
        std::set<std::uint16_t> present = {static_cast<std::uint16_t>(RRType::NSEC),
                                           static_cast<std::uint16_t>(RRType::RRSIG)};
        for (const auto& rr : node.rrs()) {
            present.insert(static_cast<std::uint16_t>(rr.type));
        }
        const std::string next = nsec_neighbour(txn, ctx.zone_key, key, true);
        node.add(RRType::NSEC, ctx.nsec3_ttl,
                 name_to_wire(key_to_name(next)) + type_bitmap(present));
    }
    std::vector<RRType> types;
    for (const auto& rr : node.rrs()) {
        if (std::find(types.begin(), types.end(), rr.type) == types.end()) {
            types.push_back(rr.type);
        }
    }
    const RrList old_sigs = old_rrset(old_node, RRType::RRSIG);
    const std::string owner_wire = name_to_wire(owner);
    std::vector<std::pair<std::uint32_t, std::string>> sigs;
    for (const RRType type : types) {
        // RFC 4035 §2.2: "The NS RRset that appears at the zone apex name MUST be signed, but the
        // NS RRset that appears at a delegation point ... MUST NOT be signed."
        if (delegation && type != RRType::DS && type != RRType::NSEC3 && type != RRType::NSEC) {
            continue;
        }
        RrList rrs;
        for (const auto& rr : node.rrs()) {
            if (rr.type == type) {
                rrs.emplace_back(rr.ttl, rr.rdata);
            }
        }
        const std::uint32_t ttl = rrs.front().first;
        if (auto kept = reusable(ctx, old_sigs, old_rrset(old_node, type), type, rrs)) {
            for (auto& s : *kept) {
                sigs.emplace_back(ttl, std::move(s.second));
            }
            continue;
        }
        for (auto& s : sign_rrset(ctx, owner_wire, type, rrs)) {
            sigs.emplace_back(ttl, std::move(s));
        }
    }
    for (const auto& [ttl, rdata] : sigs) {
        node.add(RRType::RRSIG, ttl, rdata);
    }
}

} // namespace detail

} // namespace sb::zones
