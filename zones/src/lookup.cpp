// The lookup over DnsNodes, staged like knot's internet.c: find the zone and any zone cut
// (find_zone), then solve the answer at the name (solve_name: exact node, empty non-terminal,
// wildcard), then chase CNAMEs through the zones we serve.
#include "zones/lookup.hpp"

#include "proofs.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>

namespace sb::zones {

namespace {

// How much of a node solve_name asks the cache for ahead of its parse: the header, the RRset
// index and a few RRs. A larger node (an apex with many RRsets) is read as it is parsed.
constexpr std::size_t prefetch_bytes = 512;

// What find_zone learnt about one name.
struct Located {
    LookupState state = LookupState::Refused; // Refused, Malformed, Delegation or Hit (= in zone)
    std::size_t zone_len = 0;                 // key length of the apex
    std::size_t cut_len = 0;                  // Delegation: the topmost cut
    std::string_view cut_value;               // Delegation: the cut's node
    bool wildcards = false;                   // the zone holds a wildcard somewhere
    std::size_t dname_len = 0;                // a DNAME above the name: its key length
    bool signed_zone = false;                 // the zone's apex holds RRSIGs
};

// DO=1: the RRSIGs of `node` into `slot` (empty when it has none: a flag test).
void keep_sigs(const NodeView& node, RrsetView& slot) noexcept {
    slot = RrsetView{};
    if (node.flags() & NodeSigned) {
        node.find(RRType::RRSIG, slot);
    }
}

// Appends an answer RRset of `node` (null: synthesized, unsigned), with its RRSIGs for DO=1.
void add_answer(LookupResult& out, const RrsetView& rrset, std::string_view owner,
                const NodeView* node) noexcept {
    if (out.dnssec != nullptr) {
        RrsetView& slot = out.dnssec->answer_sigs[out.answer_count];
        if (node != nullptr) {
            keep_sigs(*node, slot);
        } else {
            slot = RrsetView{};
        }
    }
    out.answer[out.answer_count++] = AnswerRrset{rrset, owner};
}

std::optional<std::string_view> get_node(const store::ReadTxn& txn, std::string_view key,
                                         bool& failed) noexcept {
    try {
        return txn.get(store::Table::DnsNodes, key);
    } catch (...) { // store::Error: I/O or corruption, answered as SERVFAIL
        failed = true;
        return std::nullopt;
    }
}

// The zone of `key` from the in-memory index; the store only for the node of a cut.
Located find_zone(const ZoneIndex& index, const store::ReadTxn& txn,
                  std::string_view key) noexcept {
    const ZoneSpot spot = index.locate(key);
    Located at;
    at.zone_len = spot.zone_len;
    at.cut_len = spot.cut_len;
    at.wildcards = spot.wildcards;
    at.dname_len = spot.dname_len;
    at.signed_zone = spot.signed_zone;
    switch (spot.kind) {
    case ZoneSpot::Kind::None:
        at.state = LookupState::Refused;
        break;
    case ZoneSpot::Kind::InZone:
        at.state = LookupState::Hit;
        break;
    case ZoneSpot::Kind::BelowCut: {
        // The mark and the node are written in one transaction: a missing node is corruption.
        bool failed = false;
        const auto value = get_node(txn, key.substr(0, spot.cut_len), failed);
        at.state = value ? LookupState::Delegation : LookupState::Malformed;
        at.cut_value = value.value_or(std::string_view{});
        break;
    }
    }
    if (spot.expired && at.state != LookupState::Refused) {
        at.state = LookupState::Malformed; // RFC 1035 §3.3.13: no longer authoritative
    }
    return at;
}

// The SOA of the apex for a negative answer, TTL = min(SOA TTL, SOA MINIMUM) (RFC 2308 §5).
bool negative_soa(std::string_view zone_value, LookupResult& out) noexcept {
    const NodeView apex(zone_value);
    RrsetView soa;
    RrView rr{};
    std::size_t pos = 0;
    if (!apex.find(RRType::SOA, soa) || !soa.next_rr(pos, rr) || rr.rdata.size() < 22) {
        return false; // MNAME and RNAME take at least a byte each, then 5 u32s
    }
    const auto* m = reinterpret_cast<const unsigned char*>(rr.rdata.data() + rr.rdata.size() - 4);
    const std::uint32_t minimum = (std::uint32_t{m[0]} << 24) | (std::uint32_t{m[1]} << 16) |
                                  (std::uint32_t{m[2]} << 8) | m[3];
    out.authority = soa;
    if (out.dnssec != nullptr) {
        keep_sigs(apex, out.dnssec->authority_sigs);
    }
    out.authority_ttl = rr.ttl < minimum ? rr.ttl : minimum;
    return true;
}

// True when some stored name lies at or below key (so the name exists, perhaps as an empty
// non-terminal). Throws nothing; a store error counts as "exists" with `failed` set.
bool has_subtree(store::Cursor& cursor, std::string_view key, bool& failed) noexcept {
    try {
        return cursor.jump(key) && cursor.key().starts_with(key);
    } catch (...) {
        failed = true;
        return false;
    }
}

// The RRsets of one existing node for qtype: appends to out.answer on Hit and CName.
LookupState solve_node(std::string_view value, RRType qtype, std::string_view owner,
                       LookupResult& out) noexcept {
    const NodeView node(value);
    if (!node.valid()) {
        return LookupState::Malformed;
    }
    RrsetView rrset;
    // RFC 8482 §4.2: answer ANY with one RRset of the name — at an apex the SOA (as NSD).
    const bool found = qtype == RRType::ANY ? node.find(RRType::SOA, rrset) || node.at(0, rrset)
                                            : node.find(qtype, rrset);
    if (found) {
        add_answer(out, rrset, owner, &node);
        return LookupState::Hit;
    }
    if (qtype != RRType::CNAME && node.find(RRType::CNAME, rrset)) {
        add_answer(out, rrset, owner, &node);
        return LookupState::CName;
    }
    return LookupState::NoData;
}

// A DS query at the apex of a child zone whose parent we also serve, answered from the
// parent side of the apex's node (node.hpp): the parent's DS RRset (Hit), else NoData.
LookupState solve_parent_side(const store::ReadTxn& txn, std::string_view key,
                              LookupResult& out) noexcept {
    bool failed = false;
    const auto value = get_node(txn, key, failed);
    const NodeView apex(value.value_or(std::string_view{}));
    if (!value || !apex.valid()) {
        return LookupState::Malformed;
    }
    const NodeView parent(apex.parent_side());
    RrsetView ds;
    if (!parent.valid() || !parent.find(RRType::DS, ds)) {
        return LookupState::NoData;
    }
    add_answer(out, ds, {}, &parent);
    return LookupState::Hit;
}

// The answer at one in-zone name above any cut. Appends to out.answer on Hit and CName.
// `wild_ce`: set to the closest encloser's key length when the answer came from a wildcard.
LookupState solve_name(const Located& at, const store::ReadTxn& txn, store::Cursor& cursor,
                       std::string_view key, RRType qtype, std::string_view owner,
                       LookupResult& out, std::size_t& wild_ce) noexcept {
    bool failed = false;
    if (key.empty()) {
        // The root zone's apex (at.zone_len == 0): always a node of its own.
        const auto value = get_node(txn, key, failed);
        return value ? solve_node(*value, qtype, owner, out) : LookupState::Malformed;
    }
    // One B-tree search: the node itself, or else the first name after it, which lies below
    // it when the name is an empty non-terminal (RFC 8020 relies on NODATA there).
    if (has_subtree(cursor, key, failed)) {
        if (cursor.key().size() != key.size()) {
            return LookupState::NoData;
        }
        const std::string_view value = cursor.value();
        // The node's lines past the first (which the search's last compare brought in) are
        // read next, by NodeView and the copy of the answer's rdata: asked for all at once
        // they arrive together, where the parse would miss on each in turn (bench/RESULTS.md).
        // Stepped by line from the node's own, so a node that starts mid-line gets its last.
        const auto first = reinterpret_cast<std::uintptr_t>(value.data());
        const std::uintptr_t end = first + std::min(value.size(), prefetch_bytes);
        for (std::uintptr_t line = (first | 63) + 1; line < end; line += 64) {
            __builtin_prefetch(reinterpret_cast<const void*>(line));
        }
        // RFC 5155 §7.2.8: an NSEC3 owner name is answered as though it did not exist (its
        // hash is covered by the chain like any other), as NSD does.
        if (value.size() < 2 || !(static_cast<std::uint8_t>(value[1]) & NodeNsec3Only)) {
            return solve_node(value, qtype, owner, out);
        }
    }
    if (failed) {
        return LookupState::Malformed;
    }
    if (!at.wildcards) {
        return LookupState::NxDomain;
    }
    // RFC 4592 §3.3.1: the closest encloser is the longest existing ancestor; the source of
    // synthesis is "*" directly below it. Every ancestor with anything below it exists (the
    // name itself does not), and the apex always does.
    for (std::size_t len = parent_key_len(key, key.size()); len >= at.zone_len;
         len = parent_key_len(key, len)) {
        const std::string_view ancestor = key.substr(0, len);
        if (len > at.zone_len && !has_subtree(cursor, ancestor, failed)) {
            if (failed) {
                return LookupState::Malformed;
            }
            continue;
        }
        char wild[max_key_len + 2];
        if (len + 2 > sizeof wild) {
            return LookupState::NxDomain;
        }
        std::memcpy(wild, ancestor.data(), len);
        wild[len] = '*';
        wild[len + 1] = '\0';
        const auto value = get_node(txn, std::string_view(wild, len + 2), failed);
        if (failed) {
            return LookupState::Malformed;
        }
        if (!value) {
            return LookupState::NxDomain;
        }
        if (out.answer_count == 0) {
            out.wildcard = true;
        }
        wild_ce = len;
        // RFC 4592 §4.1: the answer is synthesised with the query's name as owner.
        return solve_node(*value, qtype, owner, out);
    }
    return LookupState::NxDomain;
}

// RFC 6672 §3.2: below a DNAME, the answer is the DNAME RRset and a CNAME synthesized for
// the qname (TTL of the DNAME, §3.1): the qname's labels below the DNAME's owner followed by
// the DNAME's target. Built in out.synthesized, no allocation.
LookupState substitute_dname(const Located& at, const store::ReadTxn& txn, std::string_view key,
                             RRType qtype, LookupResult& out) noexcept {
    bool failed = false;
    const std::string_view dname_key = key.substr(0, at.dname_len);
    const auto value = get_node(txn, dname_key, failed);
    RrsetView dname;
    RrView rr{};
    std::size_t pos = 0;
    NameBuf prefix;
    const NodeView dname_node(value.value_or(std::string_view{}));
    if (!value || !dname_node.find(RRType::DNAME, dname) || !dname.next_rr(pos, rr) ||
        !key_to_wire(dname_key, out.dname_owner) ||
        !key_to_wire(key.substr(at.dname_len), prefix) || rr.rdata.empty()) {
        return LookupState::Malformed;
    }
    add_answer(out, dname, out.dname_owner.view(), &dname_node);
    const std::size_t target_len = prefix.len - 1 + rr.rdata.size();
    if (target_len > 255) {
        return LookupState::YxDomain;
    }
    char* b = out.synthesized.data();
    const std::size_t header = put_rr_header(b, rr.ttl, static_cast<std::uint16_t>(target_len));
    std::memcpy(b + header, prefix.bytes.data(), prefix.len - 1);
    std::memcpy(b + header + prefix.len - 1, rr.rdata.data(), rr.rdata.size());
    add_answer(out, RrsetView(RRType::CNAME, 1, std::string_view(b, header + target_len)), {},
               nullptr);
    // Asked for the CNAME, the synthesized one is the answer, not followed (as a stored one).
    return qtype == RRType::CNAME ? LookupState::Hit : LookupState::CName;
}

// The NS RRset of a referral.
LookupState referral(const Located& at, std::string_view key, LookupResult& out) noexcept {
    const NodeView cut(at.cut_value);
    if (!cut.find(RRType::NS, out.authority)) {
        return LookupState::Malformed;
    }
    if (out.dnssec != nullptr) {
        keep_sigs(cut, out.dnssec->authority_sigs);
    }
    out.authority_ttl = 0;
    out.authority_labels = key_labels(key.substr(0, at.cut_len));
    out.zone_labels = key_labels(key.substr(0, at.zone_len));
    if (!key_to_wire(key.substr(0, at.cut_len), out.authority_owner)) {
        return LookupState::Malformed;
    }
    return LookupState::Delegation;
}

} // namespace

bool key_to_wire(std::string_view key, NameBuf& out) noexcept {
    // Labels root first in the key, leaf first on the wire: walk the key backwards.
    if (key.size() + 1 > out.bytes.size()) {
        return false;
    }
    std::size_t pos = 0;
    std::size_t end = key.size();
    while (end > 0) {
        std::size_t start = end - 1; // the '\0' that ends this label
        while (start > 0 && key[start - 1] != '\0') {
            --start;
        }
        const std::size_t len = end - 1 - start;
        if (len == 0 || len > 63) {
            return false;
        }
        out.bytes[pos++] = static_cast<char>(len);
        std::memcpy(out.bytes.data() + pos, key.data() + start, len);
        pos += len;
        end = start;
    }
    out.bytes[pos++] = '\0';
    out.len = pos;
    return true;
}

bool exact_node(const store::ReadTxn& txn, std::string_view key, std::string_view& value) noexcept {
    bool failed = false;
    const auto v = key.empty() ? std::nullopt : get_node(txn, key, failed);
    if (!v) {
        return false;
    }
    value = *v;
    return true;
}

const char* to_string(LookupState s) noexcept {
    switch (s) {
    case LookupState::Hit:
        return "Hit";
    case LookupState::CName:
        return "CName";
    case LookupState::NoData:
        return "NoData";
    case LookupState::NxDomain:
        return "NxDomain";
    case LookupState::Delegation:
        return "Delegation";
    case LookupState::YxDomain:
        return "YxDomain";
    case LookupState::Refused:
        return "Refused";
    case LookupState::Malformed:
        return "Malformed";
    }
    return "?";
}

namespace {

// What proof selection reads: the txn, the DnsNodes cursor and (DO=1) the chain cursor.
struct ProofStep {
    const store::ReadTxn& txn;
    store::Cursor& cursor;
    store::Cursor* chain; // null: no DNSSEC asked for
};

// Adds the proofs of one step of the answer (RFC 4035 §3.1.3-3.1.4, RFC 5155 §7.2) when the
// zone is signed; false when a stored node or the chain index cannot be read. `apex`: the
// zone's apex node when the caller has read it (a negative answer's SOA), else empty.
bool prove(const ProofStep& p, const Located& at, std::string_view key, LookupState state,
           std::size_t wild_ce, LookupResult& out, std::string_view apex = {}) noexcept {
    if (p.chain == nullptr || !at.signed_zone) {
        return true;
    }
    ProofZone z;
    switch (open_proof_zone(p.txn, p.cursor, *p.chain, key.substr(0, at.zone_len), z, apex)) {
    case Proved::Ok:
        break;
    case Proved::Unsigned:
        return true;
    case Proved::Malformed:
        return false;
    }
    Proved r = Proved::Ok;
    if (wild_ce != std::string_view::npos &&
        (state == LookupState::Hit || state == LookupState::CName ||
         state == LookupState::NoData)) {
        r = prove_wildcard(z, key, wild_ce, state == LookupState::NoData, out);
    } else if (state == LookupState::NxDomain) {
        r = prove_nxdomain(z, key, out);
    } else if (state == LookupState::NoData) {
        r = prove_nodata(z, key, out);
    } else if (state == LookupState::Delegation) {
        r = prove_referral(z, key.substr(0, at.cut_len), at.cut_value, out);
    }
    return r != Proved::Malformed;
}

LookupState lookup_impl(const store::ReadTxn& txn, store::Cursor& cursor, const ZoneIndex& index,
                        std::string_view qkey, RRType qtype, LookupResult& out,
                        store::Cursor* chain, DnssecAnswer* dnssec) noexcept {
    out.answer_count = 0;
    out.authority = RrsetView{};
    out.authority_ttl = 0;
    out.authority_labels = 0;
    out.authority_owner.len = 0;
    out.zone_labels = 0;
    out.wildcard = false;
    out.dnssec = chain != nullptr ? dnssec : nullptr;
    if (out.dnssec != nullptr) {
        out.dnssec->authority_sigs = RrsetView{};
        out.dnssec->proof_count = 0;
    }
    const ProofStep proof{txn, cursor, out.dnssec != nullptr ? chain : nullptr};

    Located at = find_zone(index, txn, qkey);
    // RFC 4035 §3.1.4.1: "The DS resource record type is unusual in that it appears only on
    // the parent zone's side of a zone cut": a DS query for the cut itself is answered by the
    // parent (the DS RRset, or NODATA with the parent's SOA), not referred.
    const bool ds_at_cut =
        at.state == LookupState::Delegation && qtype == RRType::DS && at.cut_len == qkey.size();
    if (at.state == LookupState::Delegation && !ds_at_cut) {
        out.state = referral(at, qkey, out);
        if (out.state == LookupState::Delegation &&
            !prove(proof, at, qkey, out.state, std::string_view::npos, out)) {
            return out.state = LookupState::Malformed;
        }
        return out.state;
    }
    if (at.state != LookupState::Hit && !ds_at_cut) {
        return out.state = at.state;
    }
    // RFC 4035 §3.1.4.1: the DS RRset "appears only on the parent zone's side of a zone cut";
    // special processing is needed only when "The name server is not authoritative for the
    // parent zone" (then it "MUST return an authoritative "no data" response showing that the
    // DS RRset does not exist in the child zone's apex": a zone whose parent we do not serve
    // answers alone, as before). "In all other cases, the name server either has some way of
    // obtaining the DS RRset ...": at the apex of a zone whose parent zone we serve too, the
    // parent answers (its DS, or NODATA with its SOA and proofs).
    bool ds_from_parent = false;
    if (qtype == RRType::DS && at.zone_len == qkey.size() && !qkey.empty() && !ds_at_cut) {
        const Located parent =
            find_zone(index, txn, qkey.substr(0, parent_key_len(qkey, qkey.size())));
        if (parent.state == LookupState::Malformed) {
            return out.state = LookupState::Malformed;
        }
        if (parent.state == LookupState::Hit && parent.dname_len == 0) {
            at = parent;
            ds_from_parent = true;
        }
    }
    std::string_view zone_key = qkey.substr(0, at.zone_len);
    std::size_t wild_ce = std::string_view::npos;

    LookupState state = ds_at_cut        ? solve_node(at.cut_value, qtype, {}, out)
                        : ds_from_parent ? solve_parent_side(txn, qkey, out)
                        : at.dname_len != 0
                            ? substitute_dname(at, txn, qkey, qtype, out)
                            : solve_name(at, txn, cursor, qkey, qtype, {}, out, wild_ce);
    // The name whose proofs the answer needs: the qname, then each CNAME target in turn.
    std::string_view proof_key = qkey;

    // Follow CNAMEs while the target is in a zone we serve, above any cut (RFC 1034 §4.3.2
    // step 3a: "change QNAME to the canonical name in the CNAME RR, and go back to step 1").
    // A loop shows as a target already in the chain; the limit bounds the rest.
    std::uint8_t key_buf[max_key_len];
    while (state == LookupState::CName && out.answer_count <= max_cname_chain) {
        if (wild_ce != std::string_view::npos &&
            !prove(proof, at, proof_key, state, wild_ce, out)) {
            return out.state = LookupState::Malformed;
        }
        wild_ce = std::string_view::npos;
        const RrsetView& cname = out.answer[out.answer_count - 1].rrset;
        RrView rr{};
        std::size_t pos = 0;
        std::size_t key_len = 0;
        unsigned labels = 0;
        if (!cname.next_rr(pos, rr) ||
            wire_to_key(reinterpret_cast<const std::uint8_t*>(rr.rdata.data()), rr.rdata.size(),
                        key_buf, key_len, labels) != rr.rdata.size()) {
            return out.state = LookupState::Malformed;
        }
        const std::string_view target(reinterpret_cast<const char*>(key_buf), key_len);
        const Located next = find_zone(index, txn, target);
        if (next.state == LookupState::Malformed) {
            return out.state = LookupState::Malformed;
        }
        if (next.state == LookupState::Delegation) {
            // RFC 1034 §4.3.2 step 3b after a CNAME: the referral for the target goes into
            // the authority section, after the chain.
            state = referral(next, target, out);
            at = next;
            proof_key = target;
            break;
        }
        if (next.state != LookupState::Hit || next.dname_len != 0) {
            // Out of our zones, or below a second DNAME (one substitution per answer): the
            // resolver goes on from here.
            break;
        }
        // A loop: the target is the qname or the owner of a CNAME already in the chain
        // (compared as keys: the owners are rdata of earlier CNAMEs).
        bool loop = target == qkey;
        for (std::size_t i = 1; i < out.answer_count && !loop; ++i) {
            std::uint8_t seen[max_key_len];
            std::size_t seen_len = 0;
            unsigned seen_labels = 0;
            const auto& o = out.answer[i].owner;
            loop = wire_to_key(reinterpret_cast<const std::uint8_t*>(o.data()), o.size(), seen,
                               seen_len, seen_labels) != 0 &&
                   std::string_view(reinterpret_cast<const char*>(seen), seen_len) == target;
        }
        if (loop) {
            break;
        }
        zone_key = target.substr(0, next.zone_len);
        at = next;
        proof_key = target;
        state = solve_name(next, txn, cursor, target, qtype, rr.rdata, out, wild_ce);
        if (state == LookupState::CName && out.answer_count > max_cname_chain) {
            break;
        }
    }

    std::string_view apex_node; // read once: the negative SOA's and the proofs' parameters
    if (state == LookupState::NoData || state == LookupState::NxDomain) {
        bool failed = false;
        const auto apex = get_node(txn, zone_key, failed);
        if (!apex || !negative_soa(*apex, out) || !key_to_wire(zone_key, out.authority_owner)) {
            return out.state = LookupState::Malformed;
        }
        out.authority_labels = key_labels(zone_key);
        apex_node = *apex;
    }
    if (state != LookupState::CName && state != LookupState::Malformed &&
        (state != LookupState::Hit || wild_ce != std::string_view::npos) &&
        !prove(proof, at, proof_key, state, wild_ce, out, apex_node)) {
        return out.state = LookupState::Malformed;
    }
    return out.state = state;
}

} // namespace

LookupState lookup(const store::ReadTxn& txn, store::Cursor& cursor, const ZoneIndex& index,
                   std::string_view qkey, RRType qtype, LookupResult& out) noexcept {
    return lookup_impl(txn, cursor, index, qkey, qtype, out, nullptr, nullptr);
}

LookupState lookup(const store::ReadTxn& txn, store::Cursor& cursor, const ZoneIndex& index,
                   std::string_view qkey, RRType qtype, LookupResult& out, store::Cursor& chain,
                   DnssecAnswer& dnssec) noexcept {
    return lookup_impl(txn, cursor, index, qkey, qtype, out, &chain, &dnssec);
}

} // namespace sb::zones
