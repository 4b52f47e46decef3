#include "xfr.hpp"

#include "buffer.hpp"
#include "log/log.hpp"
#include "store/tables.hpp"
#include "wire.hpp"
#include "zones/catalog.hpp"
#include "zones/compile.hpp"
#include "zones/journal.hpp"
#include "zones/zonefile.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iterator>
#include <map>
#include <random>
#include <stdexcept>

namespace sb::dnsd {

namespace {

constexpr std::uint16_t flag_qr = 0x8000;
constexpr std::uint16_t flag_aa = 0x0400;
constexpr std::uint8_t rcode_servfail = 2;
constexpr std::uint8_t rcode_refused = 5;
constexpr std::uint8_t rcode_notauth = 9;
constexpr std::size_t max_message = 65535;
// Bytes of RRs per message: compression pointers reach the first 16 KiB of a message only
// (14 bits, RFC 1035 §4.1.4), so larger messages would repeat their later names whole; Knot
// and NSD send messages of about this size too.
constexpr std::size_t message_budget = 16384;
// Room kept in a signed message for its TSIG RR: two names of up to 255 bytes, the fixed
// fields and a MAC of up to 64 bytes (hmac-sha512).
constexpr std::size_t tsig_room = 1024;

std::uint64_t unix_now() {
    return static_cast<std::uint64_t>(std::time(nullptr));
}

bool parse_address(const std::string& text, std::uint8_t out[16], bool& v4) {
    in_addr a4{};
    in6_addr a6{};
    if (inet_pton(AF_INET, text.c_str(), &a4) == 1) {
        std::memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        std::memcpy(out + 12, &a4, 4);
        v4 = true;
        return true;
    }
    if (inet_pton(AF_INET6, text.c_str(), &a6) == 1) {
        std::memcpy(out, &a6, 16);
        v4 = false;
        return true;
    }
    return false;
}

// The 2-byte length, then `msg`, into `out`.
void frame(const std::vector<std::uint8_t>& msg, std::vector<std::uint8_t>& out) {
    // Sized once, then filled: GCC 12 at -O3 reports a false -Warray-bounds when a
    // two-byte vector grows by insert().
    out.resize(msg.size() + 2);
    out[0] = static_cast<std::uint8_t>(msg.size() >> 8);
    out[1] = static_cast<std::uint8_t>(msg.size());
    std::copy(msg.begin(), msg.end(), out.begin() + 2);
}

// The serial of the SOA in the IXFR query's authority section (RFC 1995 §3).
bool ixfr_serial(std::span<const std::uint8_t> query, const QueryInfo& info,
                 std::uint32_t& serial) {
    Reader r(query);
    std::uint16_t counts[6] = {};
    for (auto& c : counts) {
        if (!r.u16(c)) {
            return false;
        }
    }
    if (counts[4] < 1) {
        return false;
    }
    r.skip(info.question_end - 12);
    std::uint16_t type = 0, cls = 0, rdlen = 0;
    std::uint32_t ttl = 0;
    if (!r.skip_name() || !r.u16(type) || !r.u16(cls) || !r.u32(ttl) || !r.u16(rdlen) ||
        type != 6 || rdlen < 22 || r.remaining() < rdlen) {
        return false;
    }
    Reader s(query.subspan(r.position() + rdlen - 20, 4));
    return s.u32(serial);
}

} // namespace

namespace {

// "ADDR" or "ADDR/PREFIXLEN" (`what` names the option in the error).
Acl parse_acl(const std::string& spec, const std::string& what) {
    Acl a;
    const auto slash = spec.find('/');
    bool v4 = false;
    if (!parse_address(spec.substr(0, slash), a.addr, v4)) {
        throw std::runtime_error(what + ": '" + spec + "' is not an address");
    }
    a.prefix = 128; // a single address unless a length follows
    if (slash != std::string::npos) {
        const std::string len_text = spec.substr(slash + 1);
        const unsigned len = len_text.empty() || len_text.size() > 3 ||
                                     len_text.find_first_not_of("0123456789") != std::string::npos
                                 ? 999u
                                 : static_cast<unsigned>(std::stoul(len_text));
        if (len > (v4 ? 32u : 128u)) {
            throw std::runtime_error(what + ": bad prefix length in '" + spec + "'");
        }
        a.prefix = v4 ? 96 + len : len;
    }
    return a;
}

bool in_acl(const std::vector<Acl>& acl, const std::uint8_t* peer) noexcept {
    for (const Acl& a : acl) {
        unsigned bits = a.prefix;
        bool match = true;
        for (unsigned i = 0; i < 16 && bits > 0 && match; ++i) {
            const unsigned take = bits >= 8 ? 8 : bits;
            const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
            match = (peer[i] & mask) == (a.addr[i] & mask);
            bits -= take;
        }
        if (match) {
            return true;
        }
    }
    return false;
}

} // namespace

Transfers::Transfers(const Options& options) {
    for (const auto& spec : options.allow_transfer) {
        global_.addresses.push_back(parse_acl(spec, "[dns] allow_transfer"));
    }
    global_.any_key = true;
    for (const auto& spec : options.tsig_keys) {
        keys_.push_back(parse_tsig_key(spec));
    }
    for (const auto& r : options.transfer_rules) {
        std::string name = r.zone;
        if (name.starts_with("group:")) {
            if (name != "group:dns" && name != "group:enum") {
                throw std::runtime_error("[transfer] " + name +
                                         ": the catalog groups are group:dns and group:enum");
            }
        } else {
            name = zones::canonical_name(name, "[transfer] zone");
        }
        const std::string what = "[transfer] " + r.zone;
        TransferAcl acl;
        for (const auto& item : r.allow) {
            if (!item.starts_with("key:")) {
                acl.addresses.push_back(parse_acl(item, what));
                continue;
            }
            const std::string key =
                zones::name_to_wire(zones::canonical_name(item.substr(4), what));
            if (std::none_of(keys_.begin(), keys_.end(),
                             [&](const TsigKey& k) { return k.name == key; })) {
                throw std::runtime_error(what + ": '" + item + "' names a key no tsig_key defines");
            }
            acl.keys.push_back(key);
        }
        if (!rules_.emplace(name, std::move(acl)).second) {
            throw std::runtime_error(what + ": given twice");
        }
    }
}

bool Transfers::allowed(const std::uint8_t* peer) const noexcept {
    if (in_acl(global_.addresses, peer)) {
        return true;
    }
    return std::any_of(rules_.begin(), rules_.end(),
                       [&](const auto& r) { return in_acl(r.second.addresses, peer); });
}

const TransferAcl& Transfers::rule(std::string_view zone, std::string_view group) const noexcept {
    if (const auto it = rules_.find(zone); it != rules_.end()) {
        return it->second;
    }
    if (!group.empty()) {
        std::string key("group:");
        key.append(group);
        if (const auto it = rules_.find(key); it != rules_.end()) {
            return it->second;
        }
    }
    return global_;
}

bool Transfers::permits(const TransferAcl& rule, const std::uint8_t* peer,
                        const TsigKey* key) noexcept {
    if (key == nullptr) {
        return in_acl(rule.addresses, peer);
    }
    return rule.any_key ||
           std::find(rule.keys.begin(), rule.keys.end(), key->name) != rule.keys.end();
}

// Where a transfer's RRs come from: one snapshot, read a node at a time (AXFR), or the
// journal's differences (IXFR, as long as the journal keeps them).
struct Transfer::Source {
    explicit Source(const store::Env& env, std::string zone_name)
        : txn(env)
        , zone(std::move(zone_name))
        , reader(txn, zone) {}

    store::ReadTxn txn;
    std::string zone;
    zones::ZoneReader<store::ReadTxn> reader;
    zones::ZoneRr soa;               // the current SOA, which starts and ends the stream
    std::vector<zones::ZoneRr> ixfr; // RFC 1995 §4 sequence, when answering from the journal
    std::size_t at = 0;              // next of ixfr
    enum class Stage : std::uint8_t { Start, Zone, Journal, Closing, Done } stage = Stage::Start;
};

Transfer::Transfer(const Transfers& transfers, const store::Env& env,
                   std::span<const std::uint8_t> query, const QueryInfo& info,
                   const std::uint8_t* peer)
    : query_(query.begin(), query.end())
    , info_(info)
    , tsig_(tsig_verify(query, transfers.keys(), unix_now())) {
    if (tsig_.present && tsig_.error != TsigRcode::NoError) {
        // RFC 8945 §5.2: NOTAUTH with the TSIG error (unsigned for BADKEY/BADSIG).
        rcode_ = rcode_notauth;
        return;
    }
    std::uint8_t key[zones::max_key_len];
    std::size_t key_len = 0;
    unsigned labels = 0;
    const bool named =
        info.qclass == 1 &&
        zones::wire_to_key(query.data() + 12, info.question_end - 12, key, key_len, labels) != 0;
    const TsigKey* signer = tsig_.present ? tsig_.key : nullptr;
    if (named) {
        try {
            source_ = std::make_unique<Source>(
                env,
                zones::key_to_name(std::string_view(reinterpret_cast<const char*>(key), key_len)));
        } catch (const std::exception&) {
            rcode_ = rcode_servfail; // the store cannot be read
            return;
        }
    }
    const bool served = source_ != nullptr && source_->reader.served();
    // A zone we serve is judged by its own rule, or its catalog group's; anything else by the
    // global one, so that a refused client learns nothing of which zones we serve.
    const TransferAcl* rule = &transfers.global();
    if (served && transfers.has_rules()) {
        const auto row = store::get_zone(source_->txn, source_->zone);
        rule = &transfers.rule(source_->zone,
                               row ? zones::catalog_group(row->kind) : std::string_view());
    }
    if (!Transfers::permits(*rule, peer, signer)) {
        // Signed with a key that verified but is not this zone's, or unsigned from an address
        // not allowed: a policy refusal (RFC 5936 §2.2.1), signed with the request's key.
        source_.reset();
        rcode_ = rcode_refused;
        return;
    }
    if (!served) {
        source_.reset();
        rcode_ = rcode_notauth; // RFC 5936 §2.2.1: not authoritative for the zone
    }
}

Transfer::~Transfer() = default;

void Transfer::abandon() noexcept {
    source_.reset();
    done_ = true;
}

void Transfer::busy() {
    source_.reset();
    rcode_ = rcode_servfail;
}

// The next RR of the stream: AXFR is the SOA, the zone, the SOA (RFC 5936 §2.2); IXFR the
// journal's sequence (RFC 1995 §4), or AXFR's when the journal does not reach the serial.
bool Transfer::pull(zones::ZoneRr& rr) {
    using Stage = Source::Stage;
    Source& s = *source_;
    switch (s.stage) {
    case Stage::Start: {
        if (!s.reader.next(s.soa)) {
            s.stage = Stage::Done;
            return false;
        }
        std::uint32_t serial = 0;
        s.stage = Stage::Zone;
        if (info_.qtype == 251 && ixfr_serial(query_, info_, serial)) {
            if (auto diffs = zones::journal_diffs(s.txn, s.zone, serial)) {
                // RFC 1995 §4: the current SOA, then per version the old SOA, the deletions,
                // the new SOA, the additions, and the current SOA again. Up to date: one SOA.
                for (auto& d : *diffs) {
                    s.ixfr.push_back(std::move(d.old_soa));
                    std::move(d.removed.begin(), d.removed.end(), std::back_inserter(s.ixfr));
                    s.ixfr.push_back(std::move(d.new_soa));
                    std::move(d.added.begin(), d.added.end(), std::back_inserter(s.ixfr));
                }
                if (!diffs->empty()) {
                    s.ixfr.push_back(s.soa);
                }
                s.stage = Stage::Journal;
            }
            // Otherwise the journal does not reach the client's serial: the whole zone.
        }
        rr = s.soa;
        return true;
    }
    case Stage::Zone:
        if (s.reader.next(rr)) {
            return true;
        }
        s.stage = Stage::Closing;
        [[fallthrough]];
    case Stage::Closing:
        s.stage = Stage::Done;
        rr = s.soa; // RFC 5936 §2.2: the SOA ends the transfer
        return true;
    case Stage::Journal:
        if (s.at < s.ixfr.size()) {
            rr = std::move(s.ixfr[s.at++]);
            return true;
        }
        s.stage = Stage::Done;
        return false;
    case Stage::Done:
        break;
    }
    return false;
}

void Transfer::start() {
    if (buf_.empty()) {
        buf_.resize(max_message);
    }
    const std::size_t budget = tsig_.key != nullptr ? max_message - tsig_room : max_message;
    w_.emplace(std::span<std::uint8_t>(buf_.data(), buf_.size()), std::min(budget, message_budget));
    w_->bytes(query_.data(), info_.question_end);
    count_ = 0;
    last_owner_ = 0;
}

// Writes `rr` into the message; false (nothing written) when it does not fit.
bool Transfer::add(const zones::ZoneRr& rr) {
    Writer& w = *w_;
    const std::string owner = zones::name_to_wire(rr.owner);
    const std::size_t mark = w.mark();
    // Names are compressed against the zone (the question) and the previous owner only: in
    // canonical order the previous owner holds the longest suffix worth pointing to, and a
    // table of every name so far would be scanned for each name (most of a transfer's time).
    comp_.clear();
    comp_.add_name(buf_.data(), 12);
    if (last_owner_ != 0) {
        comp_.add_name(buf_.data(), last_owner_);
    }
    comp_.write(w, bytes_of(owner), owner.size());
    w.u16(static_cast<std::uint16_t>(rr.type));
    w.u16(1);
    w.u32(rr.ttl);
    const std::size_t at = w.position();
    w.u16(0);
    if (!write_rdata(w, comp_, zones::type_info(rr.type), rr.rdata)) {
        throw std::runtime_error("malformed stored rdata");
    }
    if (!w.ok()) {
        w.rollback(mark);
        return false;
    }
    w.put_u16_at(at, static_cast<std::uint16_t>(w.position() - at - 2));
    if ((buf_[mark] & 0xC0) == 0) {
        last_owner_ = mark; // starts with labels of its own (not a pointer only)
    }
    ++count_;
    return true;
}

void Transfer::finish(std::vector<std::uint8_t>& out) {
    Writer& w = *w_;
    w.put_u16_at(2, static_cast<std::uint16_t>(flag_qr | flag_aa));
    w.put_u16_at(4, 1);
    w.put_u16_at(6, static_cast<std::uint16_t>(count_));
    w.put_u16_at(8, 0);
    w.put_u16_at(10, 0);
    std::vector<std::uint8_t> msg(buf_.begin(), buf_.begin() + static_cast<long>(w.position()));
    if (tsig_.key != nullptr) {
        // RFC 8945 §5.3.1: every message signed, each MAC chained to the previous one.
        mac_ = tsig_sign(msg, *tsig_.key, messages_ == 0 ? tsig_.mac : mac_, messages_ == 0,
                         unix_now());
    }
    frame(msg, out);
}

// A one-message answer with only a header, question and rcode (and TSIG when signed).
void Transfer::error(std::vector<std::uint8_t>& out) {
    std::vector<std::uint8_t> msg(query_.begin(), query_.begin() + info_.question_end);
    const std::uint16_t flags = static_cast<std::uint16_t>(flag_qr | rcode_);
    msg[2] = static_cast<std::uint8_t>(flags >> 8);
    msg[3] = static_cast<std::uint8_t>(flags);
    std::memset(msg.data() + 6, 0, 6);
    if (tsig_.present && tsig_.key != nullptr) {
        tsig_sign(msg, *tsig_.key, tsig_.mac, true, unix_now(), tsig_.error);
    } else if (tsig_.present && !tsig_.named.name.empty()) {
        // RFC 8945 §5.2.1: an unknown key or algorithm gets NOTAUTH with TSIG ERROR 17
        // (BADKEY), and "This response MUST be unsigned as specified in Section 5.3.2":
        // a TSIG RR with the request's key and algorithm names and an empty MAC.
        tsig_sign(msg, tsig_.named, {}, true, unix_now(), TsigRcode::BadKey);
    }
    frame(msg, out);
}

bool Transfer::next(std::vector<std::uint8_t>& out) {
    if (done_) {
        return false;
    }
    if (rcode_ != 0) {
        error(out);
        done_ = true;
    } else {
        try {
            start();
            for (;;) {
                if (!have_rr_ && !(have_rr_ = pull(rr_))) {
                    done_ = true;
                    break;
                }
                if (!add(rr_)) {
                    if (count_ == 0) {
                        throw std::runtime_error("an RR does not fit a transfer message");
                    }
                    break; // rr_ starts the next message
                }
                have_rr_ = false;
            }
            finish(out);
        } catch (const std::exception&) {
            source_.reset();
            if (messages_ != 0) {
                done_ = failed_ = true; // the stream breaks off: the client sees it incomplete
                return false;
            }
            rcode_ = rcode_servfail;
            error(out);
            done_ = true;
        }
    }
    if (done_) {
        source_.reset(); // the snapshot is released with the last message
    }
    ++messages_;
    bytes_ += out.size();
    return true;
}

std::vector<Notifier::Target> Notifier::parse_targets(const Options& options) {
    std::vector<Target> targets;
    for (const auto& entry : options.notify) {
        // ADDR:PORT@KEY: NOTIFYs signed with the tsig_key named KEY (RFC 8945 §5.1).
        const auto at = entry.find('@');
        const std::string spec = entry.substr(0, at);
        std::optional<TsigKey> key;
        if (at != std::string::npos) {
            const std::string wanted =
                zones::name_to_wire(zones::canonical_name(entry.substr(at + 1), "notify key"));
            for (const auto& k : options.tsig_keys) {
                TsigKey parsed = parse_tsig_key(k);
                if (parsed.name == wanted) {
                    key = std::move(parsed);
                }
            }
            if (!key) {
                throw std::runtime_error("[dns] notify: '" + entry + "' names key '" +
                                         entry.substr(at + 1) + "', which no tsig_key defines");
            }
        }
        const auto colon = spec.rfind(':');
        std::string host = colon == std::string::npos ? spec : spec.substr(0, colon);
        const std::string port = colon == std::string::npos ? "53" : spec.substr(colon + 1);
        if (host.size() > 2 && host.front() == '[') {
            host = host.substr(1, host.size() - 2);
        }
        Target t{};
        t.text = entry;
        t.key = std::move(key);
        auto* v4 = reinterpret_cast<sockaddr_in*>(&t.address);
        auto* v6 = reinterpret_cast<sockaddr_in6*>(&t.address);
        if (port.empty() || port.size() > 5 ||
            port.find_first_not_of("0123456789") != std::string::npos || std::stoul(port) > 65535) {
            throw std::runtime_error("[dns] notify: '" + spec + "' is not ADDRESS:PORT");
        }
        const auto p = static_cast<std::uint16_t>(std::stoul(port));
        if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
            v4->sin_family = AF_INET;
            v4->sin_port = htons(p);
            t.length = sizeof(sockaddr_in);
        } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
            v6->sin6_family = AF_INET6;
            v6->sin6_port = htons(p);
            t.length = sizeof(sockaddr_in6);
        } else {
            throw std::runtime_error("[dns] notify: '" + spec + "' is not ADDRESS:PORT");
        }
        targets.push_back(t);
    }
    return targets;
}

Notifier::Notifier(const store::Env& env, const Options& options)
    : env_(env)
    , targets_(parse_targets(options)) {
    thread_ = std::thread([this] { run(); }); // also without targets: a reload may add some
}

void Notifier::retarget(const Options& options) {
    auto targets = parse_targets(options);
    const std::lock_guard<std::mutex> lock(mutex_);
    targets_ = std::move(targets);
}

NotifyCounts Notifier::counts() const noexcept {
    return NotifyCounts{answered_.load(std::memory_order_relaxed),
                        failed_.load(std::memory_order_relaxed)};
}

Notifier::~Notifier() {
    stop_ = true;
    if (thread_.joinable()) {
        thread_.join();
    }
}

void Notifier::run() {
    using clock = std::chrono::steady_clock;

    struct Pending {
        std::string zone;
        std::string soa; // the answer RR: the zone's new SOA (RFC 1996 §3.7)
        Target target;
        std::uint16_t id;
        int attempts;
        clock::time_point next;
    };

    std::map<std::string, std::uint32_t> serials;
    std::vector<Pending> pending;
    std::mt19937 rng(std::random_device{}());
    const int fd4 = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    const int fd6 = ::socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    bool first = true;
    bool store_ok = true;
    auto next_poll = clock::now();
    while (!stop_) {
        const auto now = clock::now();
        if (now >= next_poll) {
            next_poll = now + std::chrono::milliseconds(200);
            try {
                store::ReadTxn txn(env_);
                store::Cursor c = txn.cursor(store::Table::Zones);
                for (bool ok = c.first(); ok; ok = c.next()) {
                    const auto row = store::decode_zone(c.value());
                    auto [it, inserted] = serials.emplace(row.name, row.serial);
                    if (!inserted && it->second == row.serial) {
                        continue;
                    }
                    it->second = row.serial;
                    if (first) {
                        continue; // what the secondaries had before we started is theirs to check
                    }
                    std::string soa("\xC0\x0C\x00\x06\x00\x01", 6);
                    store::put_u32(soa, row.ttl);
                    const std::string rdata = zones::soa_rdata_of(row);
                    soa.push_back(static_cast<char>(rdata.size() >> 8));
                    soa.push_back(static_cast<char>(rdata.size()));
                    soa += rdata;
                    std::vector<Target> targets;
                    {
                        const std::lock_guard<std::mutex> lock(mutex_);
                        targets = targets_;
                    }
                    for (const Target& t : targets) {
                        std::erase_if(pending, [&](const Pending& p) {
                            return p.zone == row.name && p.target.text == t.text;
                        });
                        pending.push_back(
                            Pending{row.name, soa, t, static_cast<std::uint16_t>(rng()), 0, now});
                    }
                }
                store_ok = true;
            } catch (const std::exception& e) {
                // the store is unreadable right now: try again at the next poll (one line
                // when it starts failing, not one every poll)
                if (store_ok) {
                    sb::log::write(sb::log::Level::Error, "dns",
                                   "store error while polling zone serials", {{"error", e.what()}});
                }
                store_ok = false;
            }
            first = false;
        }
        for (auto& p : pending) {
            if (p.next > now) {
                continue;
            }
            // RFC 1996 §3.7: opcode NOTIFY, AA, the zone's SOA as question.
            // Header: opcode NOTIFY, AA, one question, one answer (the SOA).
            std::vector<std::uint8_t> msg = {static_cast<std::uint8_t>(p.id >> 8),
                                             static_cast<std::uint8_t>(p.id)};
            for (const std::uint8_t b : {0x24, 0x00, 0, 1, 0, 1, 0, 0, 0, 0}) {
                msg.push_back(b);
            }
            const std::string name = zones::name_to_wire(p.zone);
            msg.insert(msg.end(), name.begin(), name.end());
            for (const std::uint8_t b : {0, 6, 0, 1}) {
                msg.push_back(b);
            }
            msg.insert(msg.end(), p.soa.begin(), p.soa.end());
            if (p.target.key) {
                tsig_sign_request(msg, *p.target.key, unix_now());
            }
            const auto& ss = p.target.address;
            const int fd = ss.ss_family == AF_INET ? fd4 : fd6;
            ::sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<const sockaddr*>(&ss),
                     p.target.length);
            ++p.attempts;
            p.next = now + std::chrono::seconds(1);
        }
        // Answers: any response with a pending id ends that NOTIFY.
        std::uint8_t buf[512];
        for (const int fd : {fd4, fd6}) {
            for (;;) {
                const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
                if (n < 12) {
                    break;
                }
                const auto id = static_cast<std::uint16_t>((buf[0] << 8) | buf[1]);
                std::erase_if(pending, [&](const Pending& p) {
                    if (p.id != id) {
                        return false;
                    }
                    answered_.fetch_add(1, std::memory_order_relaxed);
                    sb::log::write(sb::log::Level::Info, "dns", "NOTIFY answered",
                                   {{"zone", p.zone}, {"target", p.target.text}});
                    return true;
                });
            }
        }
        const auto later = clock::now();
        std::erase_if(pending, [&](const Pending& p) {
            if (p.attempts < 5 || p.next > later) {
                return false;
            }
            failed_.fetch_add(1, std::memory_order_relaxed);
            sb::log::write(sb::log::Level::Warning, "dns", "NOTIFY failed: no answer after 5 tries",
                           {{"zone", p.zone}, {"target", p.target.text}});
            return true;
        });
        pollfd fds[2] = {{fd4, POLLIN, 0}, {fd6, POLLIN, 0}};
        ::poll(fds, 2, 50);
    }
    ::close(fd4);
    ::close(fd6);
}

} // namespace sb::dnsd
