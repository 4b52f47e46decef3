// The lookup over DnsNodes, staged like knot's internet.c: find the zone and any zone cut
// (find_zone), then solve the answer at the name (solve_name), then chase in-zone CNAMEs.
#include "zones/lookup.hpp"

#include <cstring>
#include <optional>

namespace sb::zones {

namespace {

// What find_zone learnt about one name.
struct Located {
    LookupState state = LookupState::Refused; // Refused, Malformed, Delegation or Hit (= in zone)
    std::size_t zone_len = 0;                 // key length of the apex
    std::string_view zone_value;              // the apex node
    std::string_view cut_value;               // the topmost cut between apex and name
    std::size_t cut_len = 0;
    std::string_view node_value; // the name's own node, when it exists
    bool has_node = false;
};

unsigned count_labels(std::string_view key) noexcept {
    unsigned n = 0;
    for (const char c : key) {
        n += c == '\0' ? 1 : 0;
    }
    return n;
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

// Walks the ancestors of `key`, longest first, down to the closest apex. Keys end in '\0',
// so every prefix ending in '\0' is an ancestor. The root ("") cannot be stored in LMDB (no
// zero-length keys), so the root zone is not served.
Located find_zone(const store::ReadTxn& txn, std::string_view key) noexcept {
    Located at;
    for (std::size_t len = key.size(); len > 0;) {
        bool failed = false;
        const auto value = get_node(txn, key.substr(0, len), failed);
        if (failed) {
            at.state = LookupState::Malformed;
            return at;
        }
        if (value) {
            const NodeView node(*value);
            if (!node.valid()) {
                at.state = LookupState::Malformed;
                return at;
            }
            if (len == key.size()) {
                at.node_value = *value;
                at.has_node = true;
            }
            if (node.flags() & NodeApex) {
                at.zone_len = len;
                at.zone_value = *value;
                at.state = at.cut_value.empty() ? LookupState::Hit : LookupState::Delegation;
                return at;
            }
            if (node.flags() & NodeDelegation) {
                at.cut_value = *value; // keep going: the topmost cut wins
                at.cut_len = len;
            }
        }
        // Step to the parent: drop the last label (and its '\0').
        --len;
        while (len > 0 && key[len - 1] != '\0') {
            --len;
        }
    }
    at.state = LookupState::Refused;
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
    out.authority_ttl = rr.ttl < minimum ? rr.ttl : minimum;
    return true;
}

// The answer at one in-zone, non-delegated name. Appends to out.answer on Hit and CName.
LookupState solve_name(const Located& at, store::Cursor& cursor, std::string_view key, RRType qtype,
                       std::string_view owner, LookupResult& out) noexcept {
    if (!at.has_node) {
        // No node: an empty non-terminal when some name below exists (RFC 8020 relies on
        // NODATA here), else NXDOMAIN. Wildcards (RFC 4592) slot in here: the source of
        // synthesis is "*" under the closest encloser.
        try {
            if (cursor.seek(key) && cursor.key().starts_with(key)) {
                return LookupState::NoData;
            }
        } catch (...) {
            return LookupState::Malformed;
        }
        return LookupState::NxDomain;
    }
    const NodeView node(at.node_value);
    RrsetView rrset;
    // RFC 8482 §4.2: answer ANY with one RRset of the name.
    const bool found = qtype == RRType::ANY ? node.at(0, rrset) : node.find(qtype, rrset);
    if (found) {
        out.answer[out.answer_count++] = AnswerRrset{rrset, owner};
        return LookupState::Hit;
    }
    if (qtype != RRType::CNAME && node.find(RRType::CNAME, rrset)) {
        out.answer[out.answer_count++] = AnswerRrset{rrset, owner};
        return LookupState::CName;
    }
    return LookupState::NoData;
}

// Owner label count and RRset of a referral.
LookupState referral(const Located& at, std::string_view key, LookupResult& out) noexcept {
    const NodeView cut(at.cut_value);
    if (!cut.find(RRType::NS, out.authority)) {
        return LookupState::Malformed;
    }
    out.authority_ttl = 0;
    out.authority_labels = count_labels(key.substr(0, at.cut_len));
    return LookupState::Delegation;
}

} // namespace

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
    case LookupState::Refused:
        return "Refused";
    case LookupState::Malformed:
        return "Malformed";
    }
    return "?";
}

LookupState lookup(const store::ReadTxn& txn, store::Cursor& cursor, std::string_view qkey,
                   RRType qtype, LookupResult& out) noexcept {
    out.answer_count = 0;
    out.authority = RrsetView{};
    out.authority_ttl = 0;
    out.authority_labels = 0;

    const Located at = find_zone(txn, qkey);
    if (at.state == LookupState::Delegation) {
        return out.state = referral(at, qkey, out);
    }
    if (at.state != LookupState::Hit) {
        return out.state = at.state;
    }
    const std::string_view zone_key = qkey.substr(0, at.zone_len);

    LookupState state = solve_name(at, cursor, qkey, qtype, {}, out);

    // Follow CNAMEs while the target stays in this zone above any cut (RFC 1034 §4.3.2 step
    // 3a: "change QNAME to the canonical name in the CNAME RR, and go back to step 1").
    // A loop shows as a node already in the chain; the limit bounds the rest.
    std::uint8_t key_buf[max_key_len];
    const char* visited[max_cname_chain + 1] = {at.node_value.data()};
    while (state == LookupState::CName && out.answer_count <= max_cname_chain) {
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
        const Located next = find_zone(txn, target);
        if (next.state == LookupState::Malformed) {
            return out.state = LookupState::Malformed;
        }
        if (next.state != LookupState::Hit || next.zone_len != zone_key.size() ||
            target.substr(0, next.zone_len) != zone_key) {
            break; // out of zone, below a cut or in a child zone: the resolver goes on from here
        }
        bool loop = false;
        for (std::size_t i = 0; i < out.answer_count; ++i) {
            loop = loop || (next.has_node && visited[i] == next.node_value.data());
        }
        if (loop) {
            break;
        }
        visited[out.answer_count] = next.node_value.data();
        state = solve_name(next, cursor, target, qtype, rr.rdata, out);
    }

    if (state == LookupState::NoData || state == LookupState::NxDomain) {
        if (!negative_soa(at.zone_value, out)) {
            return out.state = LookupState::Malformed;
        }
        out.authority_labels = count_labels(zone_key);
    }
    return out.state = state;
}

} // namespace sb::zones
