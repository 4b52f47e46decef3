// answer(): parse the query in place, look the name up, compose the response in the caller's
// buffer. Staged as knot's internet.c: header → question → EDNS → lookup → ANSWER → AUTHORITY
// → OPT. Every error rcode is decided here, once.
#include "answer.hpp"

#include "buffer.hpp"
#include "zones/lookup.hpp"
#include "zones/zones.hpp"

namespace sb::dnsd {

namespace {

constexpr std::size_t header_len = 12;
constexpr std::size_t opt_len = 11; // root owner, type, class, ttl, rdlength 0
constexpr std::size_t min_udp = 512;

constexpr std::uint16_t flag_qr = 0x8000;
constexpr std::uint16_t flag_aa = 0x0400;
constexpr std::uint16_t flag_tc = 0x0200;
constexpr std::uint16_t flag_rd = 0x0100;
constexpr std::uint16_t flag_cd = 0x0010;
constexpr std::uint16_t opcode_mask = 0x7800;
constexpr std::uint16_t edns_do = 0x8000;

constexpr std::uint16_t class_in = 1;
constexpr std::uint16_t class_any = 255;
constexpr std::uint16_t type_opt = 41;

struct Query {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    std::uint16_t counts[4] = {}; // QD, AN, NS, AR
    std::size_t question_len = 0; // qname + qtype + qclass
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    bool edns = false;
    std::uint16_t edns_size = 0;
    std::uint8_t edns_version = 0;
    std::uint16_t edns_flags = 0;
};

enum class Parsed : std::uint8_t { Ok, FormErr };

// The question name as the client sent it: plain labels, no compression (RFC 1035 §4.1.4
// permits pointers there only to earlier names, and the question is first). Returns its
// length or 0.
std::size_t question_name_length(Reader& r) noexcept {
    for (std::size_t total = 0;;) {
        std::uint8_t len = 0;
        if (!r.u8(len)) {
            return 0;
        }
        ++total;
        if (len == 0) {
            return total;
        }
        if (len > 63 || (total += len) > 254 || !r.skip(len)) {
            return 0;
        }
    }
}

Parsed parse_question(Reader& r, Query& q) noexcept {
    if (question_name_length(r) == 0 || !r.u16(q.qtype) || !r.u16(q.qclass)) {
        return Parsed::FormErr;
    }
    q.question_len = r.position() - header_len;
    return Parsed::Ok;
}

// Skips ANSWER and AUTHORITY and reads the OPT RR of ADDITIONAL (RFC 6891 §6.1.1: "If a query
// message with more than one OPT RR is received, a FORMERR (RCODE=1) MUST be returned";
// its owner "MUST be 0 (root domain)").
Parsed parse_records(Reader& r, Query& q) noexcept {
    const unsigned records = unsigned{q.counts[1]} + q.counts[2] + q.counts[3];
    const unsigned first_additional = unsigned{q.counts[1]} + q.counts[2];
    for (unsigned i = 0; i < records; ++i) {
        const std::size_t start = r.position();
        std::uint16_t type = 0, rclass = 0, rdlength = 0;
        std::uint32_t ttl = 0;
        if (!r.skip_name() || !r.u16(type) || !r.u16(rclass) || !r.u32(ttl) || !r.u16(rdlength) ||
            !r.skip(rdlength)) {
            return Parsed::FormErr;
        }
        if (type != type_opt) {
            continue;
        }
        const bool root_owner = r.position() - start == 1 + 10 + std::size_t{rdlength};
        if (i < first_additional || q.edns || !root_owner) {
            return Parsed::FormErr;
        }
        q.edns = true;
        q.edns_size = rclass;
        q.edns_version = static_cast<std::uint8_t>(ttl >> 16);
        q.edns_flags = static_cast<std::uint16_t>(ttl);
    }
    return Parsed::Ok;
}

std::size_t header_only(const Query& q, Rcode rcode, std::span<std::uint8_t> out) noexcept {
    Writer w(out, out.size());
    w.u16(q.id);
    w.u16(static_cast<std::uint16_t>(flag_qr | (q.flags & (opcode_mask | flag_rd | flag_cd)) |
                                     static_cast<std::uint16_t>(rcode)));
    for (int i = 0; i < 4; ++i) {
        w.u16(0);
    }
    return w.ok() ? w.position() : 0;
}

// Offset in the message of the qname's ancestor with `labels` labels (the question starts
// at offset 12 and was copied verbatim, so offsets match the query's).
std::uint16_t suffix_offset(std::span<const std::uint8_t> query, unsigned qlabels,
                            unsigned labels) noexcept {
    std::size_t pos = header_len;
    for (unsigned i = labels; i < qlabels; ++i) {
        pos += 1 + std::size_t{query[pos]};
    }
    return static_cast<std::uint16_t>(pos);
}

enum class Wrote : std::uint8_t { Ok, NoRoom, Malformed };

// One RRset, owner as a compression pointer (`pointer` < 0x4000) or, when pointer is 0, as
// the uncompressed `owner`. `ttl` overrides the stored TTLs when `override_ttl`.
Wrote write_rrset(Writer& w, std::uint16_t pointer, std::string_view owner,
                  const zones::RrsetView& rrset, bool override_ttl, std::uint32_t ttl,
                  std::uint16_t& count, std::size_t& first_rdata) noexcept {
    const std::size_t mark = w.mark();
    std::size_t pos = 0;
    zones::RrView rr{};
    std::uint16_t n = 0;
    while (rrset.next_rr(pos, rr)) {
        if (pointer != 0) {
            w.u16(static_cast<std::uint16_t>(0xC000 | pointer));
        } else {
            w.bytes(owner.data(), owner.size());
        }
        w.u16(static_cast<std::uint16_t>(rrset.type()));
        w.u16(class_in);
        w.u32(override_ttl ? ttl : rr.ttl);
        w.u16(static_cast<std::uint16_t>(rr.rdata.size()));
        if (n == 0) {
            first_rdata = w.position();
        }
        w.bytes(rr.rdata.data(), rr.rdata.size());
        ++n;
    }
    if (n != rrset.count() || pos != rrset.block().size()) {
        w.rollback(mark);
        return Wrote::Malformed;
    }
    if (!w.ok()) {
        w.rollback(mark);
        return Wrote::NoRoom;
    }
    count = static_cast<std::uint16_t>(count + n);
    return Wrote::Ok;
}

struct Sections {
    Rcode rcode = Rcode::NoError;
    bool aa = false;
    bool tc = false;
    std::uint16_t an = 0;
    std::uint16_t ns = 0;
};

// ANSWER and AUTHORITY from the lookup result. Returns false when a stored RRset was malformed.
bool write_sections(Writer& w, std::span<const std::uint8_t> query, unsigned qlabels,
                    const zones::LookupResult& res, Sections& s) noexcept {
    std::size_t prev_rdata = 0;
    for (std::size_t i = 0; i < res.answer_count; ++i) {
        const zones::AnswerRrset& a = res.answer[i];
        // The qname is at offset 12; a CNAME target owner is the previous RR's rdata.
        std::uint16_t pointer = i == 0 ? header_len : 0;
        if (i > 0 && prev_rdata < 0x4000) {
            pointer = static_cast<std::uint16_t>(prev_rdata);
        }
        std::size_t rdata = 0;
        switch (write_rrset(w, pointer, a.owner, a.rrset, false, 0, s.an, rdata)) {
        case Wrote::Ok:
            break;
        case Wrote::NoRoom:
            s.tc = true;
            return true;
        case Wrote::Malformed:
            return false;
        }
        prev_rdata = rdata;
    }
    if (res.authority.count() > 0) {
        const bool negative =
            res.state == zones::LookupState::NoData || res.state == zones::LookupState::NxDomain;
        const std::uint16_t pointer = suffix_offset(query, qlabels, res.authority_labels);
        std::size_t rdata = 0;
        switch (
            write_rrset(w, pointer, {}, res.authority, negative, res.authority_ttl, s.ns, rdata)) {
        case Wrote::Ok:
            break;
        case Wrote::NoRoom:
            s.tc = true;
            return true;
        case Wrote::Malformed:
            return false;
        }
    }
    return true;
}

void solve(std::span<const std::uint8_t> query, const Query& q, const Snapshot* snapshot, Writer& w,
           Sections& s) noexcept {
    if (q.edns && q.edns_version > 0) {
        s.rcode = Rcode::BadVers; // RFC 6891 §6.1.3
        return;
    }
    if (q.qclass != class_in && q.qclass != class_any) {
        s.rcode = Rcode::Refused;
        return;
    }
    const auto qtype = static_cast<zones::RRType>(q.qtype);
    if (qtype == zones::RRType::AXFR || qtype == zones::RRType::IXFR) {
        s.rcode = Rcode::NotImp; // zone transfers are served by a later stage
        return;
    }
    std::uint8_t key[zones::max_key_len];
    std::size_t key_len = 0;
    unsigned qlabels = 0;
    if (zones::wire_to_key(query.data() + header_len, query.size() - header_len, key, key_len,
                           qlabels) == 0) {
        // Well formed (parse_question checked) but with a NUL byte in a label: no stored name
        // can hold one (docs/decisions.md), so we answer as for a name in none of our zones
        // (dnsd/README.md).
        s.rcode = Rcode::Refused;
        return;
    }
    if (snapshot == nullptr) {
        s.rcode = Rcode::ServFail;
        return;
    }
    zones::LookupResult res;
    const std::string_view qkey(reinterpret_cast<const char*>(key), key_len);
    switch (zones::lookup(snapshot->txn, snapshot->cursor, qkey, qtype, res)) {
    case zones::LookupState::Hit:
    case zones::LookupState::CName:
    case zones::LookupState::NoData:
        s.aa = true;
        break;
    case zones::LookupState::NxDomain:
        s.aa = true;
        s.rcode = Rcode::NxDomain;
        break;
    case zones::LookupState::Delegation:
        break; // a referral is not authoritative
    case zones::LookupState::Refused:
        s.rcode = Rcode::Refused;
        return;
    case zones::LookupState::Malformed:
        s.rcode = Rcode::ServFail;
        return;
    }
    const std::size_t sections = w.mark();
    if (!write_sections(w, query, qlabels, res, s)) {
        w.rollback(sections);
        s = Sections{};
        s.rcode = Rcode::ServFail;
    }
}

} // namespace

std::size_t answer(std::span<const std::uint8_t> query, const Snapshot* snapshot,
                   Transport transport, std::uint16_t max_udp_payload,
                   std::span<std::uint8_t> out) noexcept {
    Query q;
    Reader r(query);
    if (!r.u16(q.id) || !r.u16(q.flags) || !r.u16(q.counts[0]) || !r.u16(q.counts[1]) ||
        !r.u16(q.counts[2]) || !r.u16(q.counts[3]) || out.size() < min_udp) {
        return 0; // not even a header to answer to
    }
    if (q.flags & flag_qr) {
        return 0; // never answer a response
    }
    if ((q.flags & opcode_mask) != 0) {
        return header_only(q, Rcode::NotImp, out);
    }
    if (q.counts[0] != 1 || parse_question(r, q) != Parsed::Ok ||
        parse_records(r, q) != Parsed::Ok) {
        return header_only(q, Rcode::FormErr, out);
    }

    std::size_t limit = out.size();
    if (transport == Transport::Udp) {
        const std::size_t ours = max_udp_payload < min_udp ? min_udp : max_udp_payload;
        limit = min_udp;
        if (q.edns) {
            limit = q.edns_size < min_udp ? min_udp : q.edns_size;
            limit = limit > ours ? ours : limit;
        }
    }
    Writer w(out, limit);
    w.bytes(query.data(), header_len);
    w.bytes(query.data() + header_len, q.question_len);
    if (q.edns) {
        w.set_limit(limit - opt_len); // the OPT RR always fits (RFC 6891 §7)
    }

    Sections s;
    solve(query, q, snapshot, w, s);

    std::uint16_t ar = 0;
    if (q.edns) {
        w.set_limit(limit);
        const auto ext = static_cast<std::uint8_t>(static_cast<unsigned>(s.rcode) >> 4);
        w.u8(0); // root owner
        w.u16(type_opt);
        w.u16(max_udp_payload < min_udp ? min_udp : max_udp_payload);
        // Extended rcode, version 0, and the DO bit copied (RFC 3225 §3).
        w.u32((std::uint32_t{ext} << 24) | (q.edns_flags & edns_do));
        w.u16(0);
        ar = 1;
    }
    if (!w.ok()) {
        return header_only(q, Rcode::ServFail, out);
    }
    const auto flags = static_cast<std::uint16_t>(
        flag_qr | (q.flags & (opcode_mask | flag_rd | flag_cd)) | (s.aa ? flag_aa : 0) |
        (s.tc ? flag_tc : 0) | (static_cast<unsigned>(s.rcode) & 0x0F));
    w.put_u16_at(2, flags);
    w.put_u16_at(4, 1);
    w.put_u16_at(6, s.an);
    w.put_u16_at(8, s.ns);
    w.put_u16_at(10, ar);
    return w.position();
}

} // namespace sb::dnsd
