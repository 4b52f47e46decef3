// answer(): parse the query in place, look the name up, compose the response in the caller's
// buffer. Staged as knot's internet.c: header → question → EDNS → lookup → ANSWER → AUTHORITY
// → ADDITIONAL → OPT. Every error rcode is decided here, once.
#include "answer.hpp"

#include "buffer.hpp"
#include "wire.hpp"
#include "zones/lookup.hpp"
#include "zones/zones.hpp"

#include <cstring>

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
constexpr unsigned opcode_notify = 4;

constexpr std::uint16_t class_in = 1;
constexpr std::uint16_t class_ch = 3;
constexpr std::uint16_t class_any = 255;
constexpr std::uint16_t type_opt = 41;
constexpr std::uint16_t type_tsig = 250;
constexpr std::uint16_t type_txt = 16;
constexpr std::uint16_t type_any = 255;

struct Query {
    std::uint16_t id = 0;
    std::uint16_t flags = 0;
    std::uint16_t counts[4] = {}; // QD, AN, NS, AR
    std::size_t question_len = 0; // qname + qtype + qclass (when QDCOUNT = 1)
    // The question's labels, where each starts in the name (leaf first): the one walk of the
    // name that its key and its compression reuse (read only when QDCOUNT = 1).
    std::uint8_t label_starts[zones::max_labels];
    unsigned labels = 0;
    std::uint16_t qtype = 0;
    std::uint16_t qclass = 0;
    bool edns = false;
    bool edns_options_malformed = false;
    std::size_t tsig_at = 0; // offset of the TSIG RR (the last one), 0: none
    std::uint16_t edns_size = 0;
    std::uint8_t edns_version = 0;
    std::uint16_t edns_flags = 0;
    CookieContext* cookie = nullptr;
    std::span<const std::uint8_t> cookie_option{}; // the COOKIE option's data, when read
};

enum class Parsed : std::uint8_t { Ok, FormErr };

// The question name as the client sent it: plain labels, no compression (RFC 1035 §4.1.4
// permits pointers there only to earlier names, and the question is first). Returns its
// length or 0; `starts` gets where each label starts, `labels` their number.
std::size_t question_name_length(Reader& r, std::uint8_t* starts, unsigned& labels) noexcept {
    const std::uint8_t* p = r.here();
    const std::size_t avail = r.remaining();
    labels = 0;
    for (std::size_t pos = 0; pos < avail;) {
        const std::uint8_t len = p[pos];
        if (len == 0) {
            r.skip(pos + 1);
            return pos + 1;
        }
        if (len > 63 || pos + 1 + len > 254) {
            return 0; // a pointer or a reserved label type; or, with the root, over 255 bytes
        }
        starts[labels++] = static_cast<std::uint8_t>(pos);
        pos += 1 + std::size_t{len};
    }
    return 0; // truncated
}

// Reads QDCOUNT questions; the first one's type and class go into q.
Parsed parse_questions(Reader& r, Query& q) noexcept {
    for (unsigned i = 0; i < q.counts[0]; ++i) {
        std::uint16_t qtype = 0, qclass = 0;
        if (question_name_length(r, q.label_starts, q.labels) == 0 || !r.u16(qtype) ||
            !r.u16(qclass)) {
            return Parsed::FormErr;
        }
        if (i == 0) {
            q.qtype = qtype;
            q.qclass = qclass;
            q.question_len = r.position() - header_len;
        }
    }
    return Parsed::Ok;
}

// The options of the OPT rdata (RFC 6891 §6.1.2); a DNS Cookie goes to cookie.cpp.
// RFC 6891 §6.1.2: options are {code, length, data} to the end of the RDATA; one whose
// length runs past it makes the query malformed (FORMERR, with our OPT).
void read_options(std::span<const std::uint8_t> rdata, Query& q) noexcept {
    for (std::size_t pos = 0; pos < rdata.size();) {
        if (rdata.size() - pos < 4) {
            q.edns_options_malformed = true;
            return;
        }
        const auto code = static_cast<std::uint16_t>(rdata[pos] << 8 | rdata[pos + 1]);
        const std::size_t len = std::size_t{rdata[pos + 2]} << 8 | rdata[pos + 3];
        if (pos + 4 + len > rdata.size()) {
            q.edns_options_malformed = true;
            return;
        }
        if (code == option_cookie && q.cookie != nullptr) {
            q.cookie_option = rdata.subspan(pos + 4, len);
            read_cookie(q.cookie_option, *q.cookie);
        }
        pos += 4 + len;
    }
}

// Skips ANSWER and AUTHORITY and reads the OPT RR of ADDITIONAL (RFC 6891 §6.1.1: "If a query
// message with more than one OPT RR is received, a FORMERR (RCODE=1) MUST be returned";
// its owner "MUST be 0 (root domain)"). Unknown EDNS options are ignored (§6.1.2).
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
        if (type == type_tsig) {
            // RFC 8945 §5.1: the TSIG RR must be the last record; anywhere else, FORMERR.
            if (i + 1 != records || i < first_additional) {
                return Parsed::FormErr;
            }
            q.tsig_at = start;
            continue;
        }
        if (type != type_opt) {
            continue;
        }
        const bool root_owner = r.position() - start == 1 + 10 + std::size_t{rdlength};
        if (i < first_additional || q.edns || !root_owner) {
            q.edns = false; // an OPT we cannot trust is not echoed
            return Parsed::FormErr;
        }
        q.edns = true;
        q.edns_size = rclass;
        q.edns_version = static_cast<std::uint8_t>(ttl >> 16);
        q.edns_flags = static_cast<std::uint16_t>(ttl);
        read_options(std::span<const std::uint8_t>(r.here() - rdlength, rdlength), q);
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

// The TSIG key of the request at `tsig_at` is one of `keys` (owner name compared as
// lowercase wire form; a compressed owner is no key of ours).
bool known_tsig_key(std::span<const std::uint8_t> query, std::size_t tsig_at,
                    const std::vector<TsigKey>* keys) noexcept {
    const std::size_t len = wire_name_length(query.data() + tsig_at, query.size() - tsig_at);
    if (keys == nullptr || len == 0) {
        return false;
    }
    for (const TsigKey& k : *keys) {
        bool same = k.name.size() == len;
        for (std::size_t i = 0; same && i < len; ++i) {
            same = lower(query[tsig_at + i]) == static_cast<std::uint8_t>(k.name[i]);
        }
        if (same) {
            return true;
        }
    }
    return false;
}

// RFC 8945 §5.2.1: to a request signed with a key we do not know, "an error response with
// RCODE 9 (NOTAUTH) and TSIG ERROR 17 (BADKEY)", unsigned (§5.3.2: MAC size 0): the request's
// key name, algorithm, time signed and fudge, its id as original id. False when the request's
// TSIG RR cannot be read back.
bool write_badkey_tsig(Writer& w, std::span<const std::uint8_t> query, std::size_t tsig_at,
                       std::uint16_t id) noexcept {
    Reader r(query);
    if (!r.skip(tsig_at)) {
        return false;
    }
    const std::uint8_t* owner = r.here();
    std::uint16_t type = 0, rclass = 0, rdlength = 0;
    std::uint32_t ttl = 0;
    if (!r.skip_name()) {
        return false;
    }
    const std::size_t owner_len = static_cast<std::size_t>(r.here() - owner);
    if (!r.u16(type) || !r.u16(rclass) || !r.u32(ttl) || !r.u16(rdlength)) {
        return false;
    }
    const std::uint8_t* alg = r.here();
    const std::size_t alg_len = wire_name_length(alg, r.remaining());
    if (alg_len == 0 || rdlength < alg_len + 10 || r.remaining() < alg_len + 10) {
        return false;
    }
    w.bytes(owner, owner_len);
    w.u16(type_tsig);
    w.u16(class_any);
    w.u32(0);
    w.u16(static_cast<std::uint16_t>(alg_len + 16));
    w.bytes(alg, alg_len);
    w.bytes(alg + alg_len, 8); // time signed (48 bits) and fudge, as the request gave them
    w.u16(0);                  // MAC size: unsigned
    w.u16(id);                 // original id
    w.u16(static_cast<std::uint16_t>(TsigRcode::BadKey));
    w.u16(0); // other len
    return true;
}

enum class Wrote : std::uint8_t { Ok, NoRoom, Malformed };

// The RRs of an RRSIG RRset that cover `type` (RFC 4034 §3.1.1: Type Covered, the first two
// bytes of the rdata).
bool covers(std::string_view rrsig_rdata, std::uint16_t type) noexcept {
    return rrsig_rdata.size() >= 2 &&
           (static_cast<std::uint16_t>(static_cast<std::uint8_t>(rrsig_rdata[0]) << 8 |
                                       static_cast<std::uint8_t>(rrsig_rdata[1]))) == type;
}

// One RRset with owner `owner` (uncompressed wire). `ttl` overrides the stored TTLs when
// `override_ttl`. With `covered` (an RRSIG RRset), only the signatures covering that type.
// Whole or nothing: on NoRoom the writer and compressor are rolled back.
Wrote write_rrset(Writer& w, Compressor& c, std::string_view owner, const zones::RrsetView& rrset,
                  bool override_ttl, std::uint32_t ttl, std::uint16_t& count,
                  std::uint16_t covered = 0) noexcept {
    const std::size_t mark = w.mark();
    std::size_t pos = 0;
    zones::RrView rr{};
    std::uint16_t n = 0;
    std::uint16_t read = 0;
    bool valid = true;
    const zones::TypeInfo* info = zones::type_info(rrset.type());
    while (valid && rrset.next_rr(pos, rr)) {
        ++read;
        if (covered != 0 && !covers(rr.rdata, covered)) {
            continue;
        }
        c.write(w, bytes_of(owner), owner.size());
        w.u16(static_cast<std::uint16_t>(rrset.type()));
        w.u16(class_in);
        w.u32(override_ttl ? ttl : rr.ttl);
        const std::size_t rdlength_at = w.position();
        w.u16(0);
        valid = write_rdata(w, c, info, rr.rdata);
        if (w.ok()) {
            const std::size_t rdlength = w.position() - rdlength_at - 2;
            w.put_u16_at(rdlength_at, static_cast<std::uint16_t>(rdlength));
        }
        ++n;
    }
    if (!valid || read != rrset.count() || pos != rrset.block().size()) {
        w.rollback(mark);
        c.forget_from(mark);
        return Wrote::Malformed;
    }
    if (!w.ok()) {
        w.rollback(mark);
        c.forget_from(mark);
        return Wrote::NoRoom;
    }
    count = static_cast<std::uint16_t>(count + n);
    return Wrote::Ok;
}

// An RRset and, when `sigs` holds any (DO=1, a signed zone), the RRSIGs covering it, as one
// unit: RFC 4035 §3.1.1 "include ... the RRSIG RRs", so a set whose signatures do not fit is
// dropped with them (then TC in ANSWER/AUTHORITY, as NSD).
Wrote write_signed(Writer& w, Compressor& c, std::string_view owner, const zones::RrsetView& rrset,
                   const zones::RrsetView& sigs, bool override_ttl, std::uint32_t ttl,
                   std::uint16_t& count) noexcept {
    const std::size_t mark = w.mark();
    const std::uint16_t before = count;
    Wrote r = write_rrset(w, c, owner, rrset, override_ttl, ttl, count);
    if (r != Wrote::Ok || sigs.count() == 0 || rrset.type() == zones::RRType::RRSIG) {
        return r;
    }
    // A negative answer's SOA TTL (RFC 2308 §5) is its RRSIG's too, as NSD sends them.
    r = write_rrset(w, c, owner, sigs, override_ttl, ttl, count,
                    static_cast<std::uint16_t>(rrset.type()));
    if (r != Wrote::Ok) {
        w.rollback(mark);
        c.forget_from(mark);
        count = before;
    }
    return r;
}

struct Sections {
    Rcode rcode = Rcode::NoError;
    bool aa = false;
    bool tc = false;
    std::uint16_t an = 0;
    std::uint16_t ns = 0;
    std::uint16_t ar = 0;
};

// The name inside an rdata that additional-section processing follows (TypeInfo::target:
// NS, MX, SRV… targets). Empty for other types.
std::string_view target_of(const zones::TypeInfo* info, std::string_view rdata) noexcept {
    if (info == nullptr || info->target < 0) {
        return {};
    }
    const auto skip = static_cast<std::size_t>(info->target);
    if (rdata.size() <= skip) {
        return {};
    }
    const std::size_t len = wire_name_length(bytes_of(rdata) + skip, rdata.size() - skip);
    return len == rdata.size() - skip ? rdata.substr(skip) : std::string_view{};
}

// Adds the A and AAAA RRsets of the targets of `rrset` that we hold. For a referral,
// `within` is the key of the referring zone (glue outside it is not glue, RFC 9471 §2) and
// `required_below` the cut's: glue below the cut must fit, else TC (RFC 9471 §3: "If all
// in-domain glue records do not fit, the TC flag MUST be set"). Other additional data is left
// out silently when it does not fit (RFC 2181 §9).
void write_additional(Writer& w, Compressor& c, const Snapshot& snap, const zones::RrsetView& rrset,
                      std::string_view within, std::string_view required_below,
                      std::string_view* seen, std::size_t& seen_count, std::size_t seen_cap,
                      bool dnssec, Sections& s) noexcept {
    const zones::TypeInfo* info = zones::type_info(rrset.type());
    if (info == nullptr || info->target < 0) {
        return;
    }
    std::size_t pos = 0;
    zones::RrView rr{};
    while (rrset.next_rr(pos, rr)) {
        const std::string_view target = target_of(info, rr.rdata);
        if (target.empty() || target.size() == 1) {
            continue; // "." (no service) or not a type with a target
        }
        bool dup = false;
        for (std::size_t i = 0; i < seen_count && !dup; ++i) {
            dup = seen[i] == target;
        }
        if (dup) {
            continue;
        }
        if (seen_count < seen_cap) {
            seen[seen_count++] = target;
        }
        std::uint8_t key[zones::max_key_len];
        std::size_t key_len = 0;
        unsigned labels = 0;
        if (zones::wire_to_key(bytes_of(target), target.size(), key, key_len, labels) == 0) {
            continue;
        }
        const std::string_view k(reinterpret_cast<const char*>(key), key_len);
        if (!k.starts_with(within)) {
            continue;
        }
        if (snap.zones.locate(k).kind == zones::ZoneSpot::Kind::None) {
            continue; // in no zone of ours (ns1.example.net of an ENUM apex): no node to read
        }
        std::string_view value;
        if (!zones::exact_node(snap.txn, k, value)) {
            continue;
        }
        const zones::NodeView node(value);
        const bool required = !required_below.empty() && k.starts_with(required_below);
        zones::RrsetView sigs;
        if (dnssec && (node.flags() & zones::NodeSigned)) {
            node.find(zones::RRType::RRSIG, sigs);
        }
        for (const zones::RRType type : {zones::RRType::A, zones::RRType::AAAA}) {
            zones::RrsetView addr;
            if (!node.find(type, addr)) {
                continue;
            }
            if (write_signed(w, c, target, addr, sigs, false, 0, s.ar) == Wrote::NoRoom &&
                required) {
                s.tc = true;
            }
        }
    }
}

// What an ANSWER or AUTHORITY RRset that was written (or not) means for the rest: Next, Stop
// (no room: TC set, the sections end here) or Fail (a malformed stored RRset).
enum class Then : std::uint8_t { Next, Stop, Fail };

Then then(Wrote r, Sections& s) noexcept {
    switch (r) {
    case Wrote::Ok:
        return Then::Next;
    case Wrote::NoRoom:
        s.tc = true;
        return Then::Stop;
    case Wrote::Malformed:
        break;
    }
    return Then::Fail;
}

// ANSWER, AUTHORITY and ADDITIONAL from the lookup result. Returns false when a stored RRset
// was malformed.
bool write_sections(Writer& w, Compressor& c, const Snapshot& snap, std::string_view qname,
                    const zones::LookupResult& res, Sections& s) noexcept {
    for (std::size_t i = 0; i < res.answer_count; ++i) {
        const zones::AnswerRrset& a = res.answer[i];
        const std::string_view owner = a.owner.empty() ? qname : a.owner;
        const zones::RrsetView sigs = res.dnssec ? res.dnssec->answer_sigs[i] : zones::RrsetView{};
        if (const Then t = then(write_signed(w, c, owner, a.rrset, sigs, false, 0, s.an), s);
            t != Then::Next) {
            return t == Then::Stop;
        }
    }
    const bool referral = res.state == zones::LookupState::Delegation;
    if (res.authority.count() > 0) {
        const bool negative =
            res.state == zones::LookupState::NoData || res.state == zones::LookupState::NxDomain;
        if (const Then t =
                then(write_signed(w, c, res.authority_owner.view(), res.authority,
                                  res.dnssec ? res.dnssec->authority_sigs : zones::RrsetView{},
                                  negative, res.authority_ttl, s.ns),
                     s);
            t != Then::Next) {
            return t == Then::Stop;
        }
    }
    // DO=1: the NSEC/NSEC3 proofs, or a referral's DS (RFC 4035 §3.1.3, §3.1.4).
    for (std::size_t i = 0; res.dnssec != nullptr && i < res.dnssec->proof_count; ++i) {
        const zones::ProofRrset& p = res.dnssec->proofs[i];
        if (const Then t = then(write_signed(w, c, p.owner(), p.rrset, p.sigs, false, 0, s.ns), s);
            t != Then::Next) {
            return t == Then::Stop;
        }
    }
    // Additional-section processing follows the targets of NS, MX, SRV… (TypeInfo::target); an
    // answer of none of those (NAPTR, A, TXT…) has none to follow.
    bool targets = referral;
    for (std::size_t i = 0; i < res.answer_count && !targets; ++i) {
        const zones::TypeInfo* info = zones::type_info(res.answer[i].rrset.type());
        targets = info != nullptr && info->target >= 0;
    }
    if (!targets) {
        return true;
    }
    constexpr std::size_t seen_cap = 32;
    std::string_view seen[seen_cap];
    std::size_t seen_count = 0;
    if (referral) {
        std::uint8_t cut[zones::max_key_len];
        std::size_t cut_len = 0;
        unsigned labels = 0;
        const auto owner = res.authority_owner.view();
        if (zones::wire_to_key(bytes_of(owner), owner.size(), cut, cut_len, labels) == 0) {
            return false;
        }
        const std::string_view cut_key(reinterpret_cast<const char*>(cut), cut_len);
        std::size_t zone_len = 0;
        for (unsigned n = 0; n < res.zone_labels && zone_len < cut_len; ++zone_len) {
            n += cut_key[zone_len] == '\0' ? 1 : 0;
        }
        write_additional(w, c, snap, res.authority, cut_key.substr(0, zone_len), cut_key, seen,
                         seen_count, seen_cap, res.dnssec != nullptr, s);
        return true;
    }
    for (std::size_t i = 0; i < res.answer_count; ++i) {
        write_additional(w, c, snap, res.answer[i].rrset, {}, {}, seen, seen_count, seen_cap,
                         res.dnssec != nullptr, s);
    }
    return true;
}

bool equals_ci(std::string_view wire, std::string_view lower_wire) noexcept {
    if (wire.size() != lower_wire.size()) {
        return false;
    }
    for (std::size_t i = 0; i < wire.size(); ++i) {
        if (lower(static_cast<std::uint8_t>(wire[i])) != static_cast<std::uint8_t>(lower_wire[i])) {
            return false;
        }
    }
    return true;
}

// Class CH: the server's identity and version as TXT (the BIND convention NSD and Knot
// follow), or REFUSED when not configured or for any other name.
void solve_chaos(std::string_view qname, const Query& q, const AnswerOptions& o, Writer& w,
                 Compressor& c, Sections& s) noexcept {
    using namespace std::string_view_literals;
    std::string_view text;
    if (equals_ci(qname, "\7version\4bind\0"sv) || equals_ci(qname, "\7version\6server\0"sv)) {
        text = o.version;
    } else if (equals_ci(qname, "\2id\6server\0"sv) || equals_ci(qname, "\10hostname\4bind\0"sv)) {
        text = o.identity;
    }
    // Not authoritative data (AA=0), and only TXT is answered, as NSD and Knot do.
    if (text.empty() || (q.qtype != type_txt && q.qtype != type_any)) {
        s.rcode = Rcode::Refused;
        return;
    }
    text = text.substr(0, 255);
    c.write(w, bytes_of(qname), qname.size());
    w.u16(type_txt);
    w.u16(class_ch);
    w.u32(0);
    w.u16(static_cast<std::uint16_t>(text.size() + 1));
    w.u8(static_cast<std::uint8_t>(text.size()));
    w.bytes(text.data(), text.size());
    s.an = 1;
}

// The lookup of `qkey` and the sections it fills; `dnssec`: the DO=1 part, null without DO.
void answer_name(const Snapshot& snapshot, std::string_view qname, std::string_view qkey,
                 zones::RRType qtype, zones::DnssecAnswer* dnssec, Writer& w, Compressor& c,
                 Sections& s) noexcept {
    zones::LookupResult res;
    const auto state =
        dnssec != nullptr
            ? zones::lookup(snapshot.txn, snapshot.cursor, snapshot.zones, qkey, qtype, res,
                            *snapshot.chain, *dnssec)
            : zones::lookup(snapshot.txn, snapshot.cursor, snapshot.zones, qkey, qtype, res);
    switch (state) {
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
        // A referral is not authoritative, unless a CNAME of ours led to it (RFC 1035 §4.1.1:
        // AA "corresponds to the name which matches the query name").
        s.aa = res.answer_count > 0;
        break;
    case zones::LookupState::YxDomain:
        s.aa = true;
        s.rcode = Rcode::YxDomain; // RFC 6672 §2.2, with the DNAME in ANSWER
        break;
    case zones::LookupState::Refused:
        s.rcode = Rcode::Refused;
        return;
    case zones::LookupState::Malformed:
        s.rcode = Rcode::ServFail;
        return;
    }
    const std::size_t sections = w.mark();
    if (!write_sections(w, c, snapshot, qname, res, s)) {
        w.rollback(sections);
        c.forget_from(sections);
        s = Sections{};
        s.rcode = Rcode::ServFail;
    }
}

// A DO=1 query: its DNSSEC part lives in this frame, which queries without DO never enter.
[[gnu::noinline]] void answer_signed(const Snapshot& snapshot, std::string_view qname,
                                     std::string_view qkey, zones::RRType qtype, Writer& w,
                                     Compressor& c, Sections& s) noexcept {
    zones::DnssecAnswer dnssec;
    answer_name(snapshot, qname, qkey, qtype, &dnssec, w, c, s);
}

void solve(std::span<const std::uint8_t> query, const Query& q, const Snapshot* snapshot,
           const AnswerOptions& options, Transport transport, Writer& w, Compressor& c,
           Sections& s) noexcept {
    if (q.edns && q.edns_version > 0) {
        s.rcode = Rcode::BadVers; // RFC 6891 §6.1.3
        return;
    }
    const std::string_view qname(reinterpret_cast<const char*>(query.data() + header_len),
                                 q.question_len - 4);
    if (q.qclass == class_ch) {
        solve_chaos(qname, q, options, w, c, s);
        return;
    }
    if (q.qclass != class_in && q.qclass != class_any) {
        s.rcode = Rcode::Refused;
        return;
    }
    auto qtype = static_cast<zones::RRType>(q.qtype);
    if (qtype == zones::RRType::AXFR ||
        (qtype == zones::RRType::IXFR && transport == Transport::Tcp)) {
        // RFC 5936 §4.2: AXFR is TCP only; over TCP the session answers transfers before
        // calling us, so one that gets here was not allowed.
        s.rcode = transport == Transport::Udp ? Rcode::FormErr : Rcode::Refused;
        return;
    }
    if (qtype == zones::RRType::IXFR) {
        // RFC 1995 §2: over UDP, "If the reply does not fit ... the server responds with a
        // single SOA record of the server's current version" — we always do, so the client
        // comes back over TCP.
        qtype = zones::RRType::SOA;
    }
    std::uint8_t key[zones::max_key_len];
    if (!zones::labels_to_key(query.data() + header_len, qname.size(), q.label_starts, q.labels,
                              key)) {
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
    const std::string_view qkey(reinterpret_cast<const char*>(key), qname.size() - 1);
    // RFC 3225 §3: DNSSEC RRs only for a query with the DO bit (RFC 4035 §3.1.1).
    if (q.edns && (q.edns_flags & edns_do) && snapshot->chain != nullptr) {
        answer_signed(*snapshot, qname, qkey, qtype, w, c, s);
    } else {
        answer_name(*snapshot, qname, qkey, qtype, nullptr, w, c, s);
    }
}

} // namespace

bool query_info(std::span<const std::uint8_t> query, QueryInfo& out) noexcept {
    Query q;
    Reader r(query);
    if (!r.u16(q.id) || !r.u16(q.flags) || !r.u16(q.counts[0]) || !r.u16(q.counts[1]) ||
        !r.u16(q.counts[2]) || !r.u16(q.counts[3]) || (q.flags & flag_qr) || q.counts[0] != 1 ||
        parse_questions(r, q) != Parsed::Ok) {
        return false;
    }
    out.id = q.id;
    out.opcode = static_cast<std::uint16_t>((q.flags & opcode_mask) >> 11);
    out.qtype = q.qtype;
    out.qclass = q.qclass;
    out.question_end = header_len + q.question_len;
    return true;
}

std::size_t answer(std::span<const std::uint8_t> query, const Snapshot* snapshot,
                   Transport transport, std::uint16_t max_udp_payload,
                   std::span<std::uint8_t> out) noexcept {
    AnswerOptions options;
    options.max_udp_payload = max_udp_payload;
    return answer(query, snapshot, transport, options, out);
}

std::size_t answer(std::span<const std::uint8_t> query, const Snapshot* snapshot,
                   Transport transport, const AnswerOptions& options,
                   std::span<std::uint8_t> out) noexcept {
    Client client;
    return answer(query, snapshot, transport, options, client, out);
}

std::size_t answer(std::span<const std::uint8_t> query, const Snapshot* snapshot,
                   Transport transport, const AnswerOptions& options, Client& client,
                   std::span<std::uint8_t> out) noexcept {
    const std::uint16_t max_udp_payload = options.max_udp_payload;
    Query q;
    q.cookie = &client.cookie;
    client.answered = true;
    client.qtype = 0;
    client.cookie.udp = transport == Transport::Udp;
    client.cookie.verdict = CookieVerdict::None;
    Reader r(query);
    if (!r.u16(q.id) || !r.u16(q.flags) || !r.u16(q.counts[0]) || !r.u16(q.counts[1]) ||
        !r.u16(q.counts[2]) || !r.u16(q.counts[3]) || out.size() < min_udp) {
        return 0; // not even a header to answer to
    }
    if (q.flags & flag_qr) {
        return 0; // never answer a response
    }
    const bool parsed = parse_questions(r, q) == Parsed::Ok && parse_records(r, q) == Parsed::Ok;
    Rcode early = Rcode::NoError;
    const unsigned opcode = (q.flags & opcode_mask) >> 11;
    if (opcode == opcode_notify) {
        // We are the primary of every zone we serve: nobody may notify us (as NSD answers).
        early = Rcode::Refused;
    } else if (opcode != 0) {
        early = Rcode::NotImp; // UPDATE, STATUS…: RFC 1035 §4.1.1 "Not Implemented"
    } else if (!parsed || q.counts[0] != 1 || q.edns_options_malformed ||
               client.cookie.verdict == CookieVerdict::Malformed) {
        early = Rcode::FormErr;
    } else if (q.tsig_at != 0 && !known_tsig_key(query, q.tsig_at, options.tsig_keys)) {
        early = Rcode::NotAuth;
    } else if (bad_cookie_answer(client.cookie)) {
        early = Rcode::BadCookie; // RFC 7873 §5.2.3, §5.2.4: the client retries with ours
    }
    client.rcode = early;
    if (!parsed) {
        return header_only(q, early, out); // nothing in it we can trust, the OPT included
    }
    std::uint8_t cookie[cookie_answer_len];
    const std::size_t cookie_len =
        q.edns ? write_cookie(q.cookie_option, client.cookie, cookie) : 0;

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
    Compressor c;
    w.bytes(query.data(), header_len);
    const bool echo_question = q.counts[0] == 1;
    if (echo_question) {
        w.bytes(query.data() + header_len, q.question_len);
        c.add_question(w.data(), header_len, q.question_len - 4, q.labels,
                       q.labels > 0 ? header_len + q.label_starts[q.labels - 1] : header_len);
    }
    if (q.edns) {
        w.set_limit(limit - opt_len - cookie_len); // the OPT RR always fits (RFC 6891 §7)
    }

    Sections s;
    s.rcode = early;
    if (early == Rcode::NoError) {
        solve(query, q, snapshot, options, transport, w, c, s);
    }

    if (q.edns) {
        // RFC 6891 §7: "If an OPT record is present in a received request, compliant
        // responders MUST include an OPT record in their respective responses" — also with
        // FORMERR, NOTIMP and REFUSED.
        w.set_limit(limit);
        const auto ext = static_cast<std::uint8_t>(static_cast<unsigned>(s.rcode) >> 4);
        w.u8(0); // root owner
        w.u16(type_opt);
        w.u16(max_udp_payload < min_udp ? min_udp : max_udp_payload);
        // Extended rcode, version 0, and the DO bit copied (RFC 3225 §3).
        w.u32((std::uint32_t{ext} << 24) | (q.edns_flags & edns_do));
        w.u16(static_cast<std::uint16_t>(cookie_len));
        w.bytes(cookie, cookie_len);
        ++s.ar;
    }
    client.rcode = s.rcode;
    if (early == Rcode::NotAuth) {
        w.set_limit(out.size()); // the TSIG RR goes last, whatever the UDP limit (RFC 8945 §5.3)
        if (write_badkey_tsig(w, query, q.tsig_at, q.id)) {
            ++s.ar;
        }
    }
    if (!w.ok()) {
        client.rcode = Rcode::ServFail;
        return header_only(q, Rcode::ServFail, out);
    }
    const auto flags = static_cast<std::uint16_t>(
        flag_qr | (q.flags & (opcode_mask | flag_rd | flag_cd)) | (s.aa ? flag_aa : 0) |
        (s.tc ? flag_tc : 0) | (static_cast<unsigned>(s.rcode) & 0x0F));
    w.put_u16_at(2, flags);
    w.put_u16_at(4, echo_question ? 1 : 0);
    client.qtype = echo_question ? q.qtype : 0;
    w.put_u16_at(6, s.an);
    w.put_u16_at(8, s.ns);
    w.put_u16_at(10, s.ar);
    return w.position();
}

} // namespace sb::dnsd
