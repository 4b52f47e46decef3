// Secondary zones: the transfer client (AXFR, IXFR over TCP, parsed by ldns), the refresh
// thread and the NOTIFY answer. Off the query path: everything here may allocate.
#include "dnsd/secondary.hpp"

#include "answer.hpp"
#include "listen.hpp"
#include "log/log.hpp"
#include "store/tables.hpp"
#include "tsig.hpp"
#include "zones/node.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <ldns/ldns.h>
#include <netinet/in.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

namespace sb::dnsd {

namespace {

using Clock = std::chrono::steady_clock;

struct RrFree {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};

using Rr = std::unique_ptr<ldns_rr, RrFree>;
using Pkt = std::unique_ptr<ldns_pkt, PktFree>;

constexpr unsigned opcode_notify = 4;

std::uint64_t unix_now() {
    return static_cast<std::uint64_t>(std::time(nullptr));
}

std::string text_of(const ldns_rr* rr) {
    char* s = ldns_rr2str(rr);
    std::string out = s != nullptr ? s : "";
    free(s);
    return out;
}

bool is_soa(const ldns_rr* rr) {
    return ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(rr) == 7;
}

std::uint32_t serial_of(const ldns_rr* rr) {
    return ldns_rdf2native_int32(ldns_rr_rdf(rr, 2));
}

// What identifies an RR in a zone (RFC 1995 deletions match it whatever the TTL): its text
// with the names lowercased (RFC 4034 §6.2) and the TTL zeroed.
std::string rr_key(const ldns_rr* rr) {
    const Rr copy(ldns_rr_clone(rr));
    ldns_rr2canonical(copy.get());
    ldns_rr_set_ttl(copy.get(), 0);
    return text_of(copy.get());
}

// The primary's transfer did not fit our copy (a deletion of an RR we do not hold, a first
// serial that is not ours): take the whole zone instead.
struct NeedAxfr : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct Primary {
    Endpoint endpoint;
    std::string text;
    std::optional<TsigKey> key;
};

// One TCP connection to a primary, blocking with timeouts (the transfer thread owns it).
class Connection {
public:
    explicit Connection(const Primary& p) {
        const boost::asio::ip::tcp::endpoint to(p.endpoint.address, p.endpoint.port);
        sockaddr_storage ss{};
        std::memcpy(&ss, to.data(), to.size());
        const auto len = static_cast<socklen_t>(to.size());
        fd_ = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ < 0) {
            throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
        }
        timeval tv{10, 0}; // connect and every read/write: a primary silent for 10 s has failed
        ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        if (::connect(fd_, reinterpret_cast<const sockaddr*>(&ss), len) != 0) {
            const std::string error = std::strerror(errno);
            ::close(fd_);
            throw std::runtime_error("connect: " + error);
        }
    }

    ~Connection() { ::close(fd_); }

    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    void send(const std::vector<std::uint8_t>& msg) {
        std::vector<std::uint8_t> framed = {static_cast<std::uint8_t>(msg.size() >> 8),
                                            static_cast<std::uint8_t>(msg.size())};
        framed.insert(framed.end(), msg.begin(), msg.end());
        for (std::size_t done = 0; done < framed.size();) {
            const ssize_t n = ::send(fd_, framed.data() + done, framed.size() - done, MSG_NOSIGNAL);
            if (n <= 0) {
                throw std::runtime_error(std::string("send: ") + std::strerror(errno));
            }
            done += static_cast<std::size_t>(n);
        }
    }

    std::vector<std::uint8_t> receive() {
        std::uint8_t len[2];
        read(len, 2);
        std::vector<std::uint8_t> msg(static_cast<std::size_t>((len[0] << 8) | len[1]));
        read(msg.data(), msg.size());
        return msg;
    }

private:
    void read(std::uint8_t* p, std::size_t n) {
        for (std::size_t done = 0; done < n;) {
            const ssize_t got = ::recv(fd_, p + done, n - done, 0);
            if (got <= 0) {
                throw std::runtime_error(got == 0 ? "the primary closed the connection"
                                                  : std::string("recv: ") + std::strerror(errno));
            }
            done += static_cast<std::size_t>(got);
        }
    }

    int fd_ = -1;
};

// RFC 8945 §5.3.1 on the client side: each message of the primary's answer must carry a TSIG
// with the primary's key and algorithm whose MAC covers the previous MAC (the request's for
// the first message). We require every message signed (the RFC lets a server leave up to 99
// unsigned, which neither Knot nor Switchboard does).
class ResponseTsig {
public:
    ResponseTsig(const TsigKey& key, std::string request_mac)
        : keys_{key}
        , prior_(std::move(request_mac)) {}

    void verify(const std::vector<std::uint8_t>& wire) {
        const TsigState t = tsig_verify(wire, keys_, unix_now(), &prior_, !first_);
        if (!t.present) {
            throw std::runtime_error("a message of the primary's answer is not TSIG-signed");
        }
        if (t.error != TsigRcode::NoError || t.key == nullptr) {
            throw std::runtime_error("the TSIG of the primary's answer does not verify with " +
                                     keys_.front().text);
        }
        prior_ = t.mac;
        first_ = false;
    }

private:
    std::vector<TsigKey> keys_;
    std::string prior_;
    bool first_ = true;
};

// The AXFR or IXFR query for `zone` (IXFR: our SOA, with our serial, in AUTHORITY), signed
// with the primary's key when it has one (its MAC in `mac`).
std::vector<std::uint8_t> transfer_query(const Primary& p, const std::string& zone,
                                         std::optional<std::uint32_t> serial, std::uint16_t id,
                                         std::string& mac) {
    const std::string origin = zone.empty() ? "." : zone + ".";
    Pkt q(ldns_pkt_query_new(ldns_dname_new_frm_str(origin.c_str()),
                             serial ? LDNS_RR_TYPE_IXFR : LDNS_RR_TYPE_AXFR, LDNS_RR_CLASS_IN, 0));
    if (!q) {
        throw std::runtime_error("cannot build the transfer query");
    }
    ldns_pkt_set_id(q.get(), id);
    if (serial) {
        ldns_rr* soa = nullptr;
        const std::string text = origin + " 0 IN SOA . . " + std::to_string(*serial) + " 0 0 0 0";
        if (ldns_rr_new_frm_str(&soa, text.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
            throw std::runtime_error("cannot build the IXFR query");
        }
        ldns_pkt_push_rr(q.get(), LDNS_SECTION_AUTHORITY, soa);
    }
    std::uint8_t* wire = nullptr;
    std::size_t size = 0;
    if (ldns_pkt2wire(&wire, q.get(), &size) != LDNS_STATUS_OK) {
        throw std::runtime_error("cannot build the transfer query");
    }
    std::vector<std::uint8_t> msg(wire, wire + size);
    free(wire);
    if (p.key) {
        mac = tsig_sign_request(msg, *p.key, unix_now());
    }
    return msg;
}

// The answer RRs of the transfer, every message of it, in order. Ends after the SOA that
// closes an AXFR (its serial a second time), an IXFR (a third time, once the second RR showed
// a diff sequence) or, for IXFR, a lone SOA (we are up to date).
std::vector<Rr> run_transfer(const Primary& p, const std::string& zone,
                             std::optional<std::uint32_t> serial, std::uint16_t id) {
    Connection conn(p);
    std::string mac;
    conn.send(transfer_query(p, zone, serial, id, mac));
    std::optional<ResponseTsig> tsig;
    if (p.key) {
        tsig.emplace(*p.key, mac);
    }
    std::vector<Rr> rrs;
    std::uint32_t final_serial = 0;
    unsigned seen_final = 0;
    for (;;) {
        const std::vector<std::uint8_t> wire = conn.receive();
        ldns_pkt* raw = nullptr;
        if (ldns_wire2pkt(&raw, wire.data(), wire.size()) != LDNS_STATUS_OK) {
            throw std::runtime_error("malformed transfer message");
        }
        const Pkt pkt(raw);
        if (ldns_pkt_id(pkt.get()) != id) {
            throw std::runtime_error("transfer message with another id");
        }
        if (ldns_pkt_get_rcode(pkt.get()) != LDNS_RCODE_NOERROR) {
            char* rc = ldns_pkt_rcode2str(ldns_pkt_get_rcode(pkt.get()));
            const std::string text = rc != nullptr ? rc : "?";
            free(rc);
            throw std::runtime_error("the primary answered " + text);
        }
        if (tsig) {
            tsig->verify(wire);
        }
        const ldns_rr_list* answer = ldns_pkt_answer(pkt.get());
        const std::size_t n = answer != nullptr ? ldns_rr_list_rr_count(answer) : 0;
        for (std::size_t i = 0; i < n; ++i) {
            const ldns_rr* rr = ldns_rr_list_rr(answer, i);
            if (rrs.empty()) {
                if (!is_soa(rr)) {
                    throw std::runtime_error("the transfer does not start with an SOA");
                }
                final_serial = serial_of(rr);
            }
            if (is_soa(rr) && serial_of(rr) == final_serial) {
                ++seen_final;
            }
            rrs.emplace_back(ldns_rr_clone(rr));
        }
        if (rrs.empty()) {
            throw std::runtime_error("empty transfer message");
        }
        const bool diffs = rrs.size() > 1 && is_soa(rrs[1].get());
        if ((serial && rrs.size() == 1) || seen_final >= (diffs ? 3u : 2u)) {
            return rrs;
        }
    }
}

// The zone's RRs as stored, keyed by rr_key (the SOA left out).
std::map<std::string, std::string> stored_rrs(const store::WriteTxn& txn, const std::string& zone) {
    std::map<std::string, std::string> out;
    for (const auto& z : zones::zone_rrs(txn, zone)) {
        if (z.type == zones::RRType::SOA) {
            continue;
        }
        const std::string line = z.owner + ".\t" + std::to_string(z.ttl) + "\tIN\t" +
                                 zones::to_string(z.type) + "\t" +
                                 zones::rdata_to_text(z.type, z.rdata) + "\n";
        ldns_rr* raw = nullptr;
        if (ldns_rr_new_frm_str(&raw, line.c_str(), 0, nullptr, nullptr) != LDNS_STATUS_OK) {
            throw NeedAxfr("a stored RR ldns cannot read back: " + line);
        }
        const Rr rr(raw);
        out.emplace(rr_key(rr.get()), line);
    }
    return out;
}

// One RFC 1995 §4 difference sequence of a received IXFR.
struct Step {
    std::vector<const ldns_rr*> removed;
    const ldns_rr* new_soa = nullptr;
    std::vector<const ldns_rr*> added;
};

// The sequences of `rrs` (an IXFR answer: new SOA, sequences, new SOA), the first starting at
// our serial `ours`.
std::vector<Step> split_steps(const std::vector<Rr>& rrs, std::uint32_t ours) {
    std::vector<Step> steps;
    std::size_t i = 1;
    while (i + 1 < rrs.size()) {
        if (!is_soa(rrs[i].get())) {
            throw NeedAxfr("an IXFR sequence does not start with an SOA");
        }
        if (steps.empty() && serial_of(rrs[i].get()) != ours) {
            throw NeedAxfr("the IXFR starts at serial " + std::to_string(serial_of(rrs[i].get())));
        }
        Step& step = steps.emplace_back();
        for (++i; i < rrs.size() && !is_soa(rrs[i].get()); ++i) {
            step.removed.push_back(rrs[i].get());
        }
        if (i >= rrs.size()) {
            throw NeedAxfr("an IXFR sequence has no new SOA");
        }
        step.new_soa = rrs[i].get();
        for (++i; i < rrs.size() && !is_soa(rrs[i].get()); ++i) {
            step.added.push_back(rrs[i].get());
        }
    }
    if (steps.empty()) {
        throw NeedAxfr("an IXFR without a sequence");
    }
    return steps;
}

// The sequences as zones applies them record by record.
std::vector<zones::ZoneDiffText> diff_texts(const std::vector<Step>& steps) {
    auto lines = [](const std::vector<const ldns_rr*>& rrs) {
        std::string text;
        for (const ldns_rr* rr : rrs) {
            text += text_of(rr);
        }
        return text;
    };
    std::vector<zones::ZoneDiffText> out;
    for (const Step& s : steps) {
        out.push_back({lines(s.removed), text_of(s.new_soa), lines(s.added)});
    }
    return out;
}

// The sequences applied to the stored zone, as a master file: the whole-zone path, for what
// apply_zone_diff leaves to it (the apex NS RRset changes).
std::string apply_diffs(const store::WriteTxn& txn, const std::string& zone,
                        const std::vector<Step>& steps, const ldns_rr* last_soa) {
    auto content = stored_rrs(txn, zone);
    for (const Step& s : steps) {
        for (const ldns_rr* rr : s.removed) {
            if (content.erase(rr_key(rr)) == 0) {
                throw NeedAxfr("the IXFR deletes an RR we do not hold: " + text_of(rr));
            }
        }
        for (const ldns_rr* rr : s.added) {
            content[rr_key(rr)] = text_of(rr);
        }
    }
    std::string text = text_of(last_soa);
    for (const auto& [key, line] : content) {
        text += line;
    }
    return text;
}

std::string whole_zone(const std::vector<Rr>& rrs) {
    std::string text;
    for (const auto& rr : rrs) {
        text += text_of(rr.get());
    }
    return text;
}

bool same_address(const sockaddr_storage& peer, const Endpoint& e) {
    if (peer.ss_family == AF_INET && e.address.is_v4()) {
        const auto bytes = e.address.to_v4().to_bytes();
        return std::memcmp(&reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr, bytes.data(),
                           bytes.size()) == 0;
    }
    if (peer.ss_family == AF_INET6) {
        const auto bytes =
            e.address.is_v4()
                ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, e.address.to_v4())
                      .to_bytes()
                : e.address.to_v6().to_bytes();
        return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr, bytes.data(),
                           bytes.size()) == 0;
    }
    return false;
}

} // namespace

struct Secondary::Impl {
    enum class Result : std::uint8_t { Axfr, Ixfr, UpToDate, Failed };

    struct Zone {
        bool configured = false;                  // in [secondary] zones (or the catalog itself)
        bool member = false;                      // listed in the consumed catalog
        Clock::time_point due{};                  // next refresh
        std::optional<Clock::time_point> expires; // loaded: when the copy expires
        bool expired = false;                     // past it: answered SERVFAIL
    };

    store::Env& env;
    std::vector<Primary> primaries;
    std::string catalog;
    unsigned first_retry = 5;

    mutable std::mutex mutex;
    std::condition_variable wake;
    std::map<std::string, Zone> zones; // guarded by mutex
    bool stopping = false;             // guarded by mutex
    std::thread thread;
    std::mt19937 rng{std::random_device{}()};

    std::atomic<std::uint64_t> axfr{0}, ixfr{0}, up_to_date{0}, failed{0};
    // IXFRs applied record by record or to the whole zone; owners rebuilt by the former.
    std::atomic<std::uint64_t> ixfr_by_record{0}, ixfr_whole{0}, ixfr_owners{0};
    std::atomic<std::uint64_t> notify_accepted{0}, notify_refused{0}, notify_notauth{0};

    Impl(store::Env& e, const SecondaryOptions& o)
        : env(e)
        , first_retry(std::max(1u, o.first_retry)) {
        for (const auto& entry : o.primaries) {
            const auto at = entry.find('@');
            Primary p;
            p.text = entry.substr(0, at);
            p.endpoint = parse_endpoint(p.text);
            if (at != std::string::npos) {
                const std::string wanted = zones::name_to_wire(
                    zones::canonical_name(entry.substr(at + 1), "[secondary] primaries key"));
                for (const auto& k : o.tsig_keys) {
                    if (TsigKey parsed = parse_tsig_key(k); parsed.name == wanted) {
                        p.key = std::move(parsed);
                    }
                }
                if (!p.key) {
                    throw std::runtime_error("[secondary] primaries: '" + entry + "' names key '" +
                                             entry.substr(at + 1) + "', which no tsig_key defines");
                }
            }
            primaries.push_back(std::move(p));
        }
        if (primaries.empty() && (!o.zones.empty() || !o.catalog.empty())) {
            throw std::runtime_error("[secondary] primaries: at least one ADDR:PORT is needed");
        }
        for (const auto& z : o.zones) {
            zones[zones::canonical_name(z, "[secondary] zones")].configured = true;
        }
        if (!o.catalog.empty()) {
            catalog = zones::canonical_name(o.catalog, "[secondary] catalog");
            zones[catalog].configured = true;
        }
    }

    // Members of the consumed catalog as stored: the PTR targets of <id>.zones.<catalog>
    // (RFC 9432 §4.3).
    std::set<std::string> catalog_members(const store::ReadTxn& txn) const {
        std::set<std::string> out;
        if (catalog.empty()) {
            return out;
        }
        const std::string suffix = ".zones." + catalog;
        for (const auto& rr : zones::zone_rrs(txn, catalog)) {
            if (rr.type != zones::RRType::PTR || !rr.owner.ends_with(suffix) ||
                rr.owner.find('.') + suffix.size() != rr.owner.size()) {
                continue;
            }
            try {
                out.insert(zones::canonical_name(zones::rdata_to_text(rr.type, rr.rdata), "PTR"));
            } catch (const zones::InvalidValue&) {
                // a member name we cannot hold: left out (logged by nobody, the catalog is theirs)
            }
        }
        return out;
    }

    // Brings the member list in line with the stored catalog; drops members that left it
    // (and, at start, zones marked secondary that nothing configures any more).
    void sync_members(bool at_start) {
        std::set<std::string> members, marked;
        {
            store::ReadTxn txn(env);
            members = catalog_members(txn);
            if (at_start) {
                for (auto& z : zones::secondary_zones(txn)) {
                    marked.insert(std::move(z));
                }
            }
        }
        std::vector<std::string> gone;
        {
            const std::lock_guard<std::mutex> lock(mutex);
            for (const auto& m : members) {
                Zone& z = zones[m];
                if (!z.member) {
                    z.member = true;
                    z.due = Clock::now();
                }
            }
            for (auto it = zones.begin(); it != zones.end();) {
                it->second.member = members.count(it->first) != 0;
                if (!it->second.configured && !it->second.member) {
                    gone.push_back(it->first);
                    it = zones.erase(it);
                } else {
                    ++it;
                }
            }
            for (const auto& m : marked) {
                if (zones.count(m) == 0) {
                    gone.push_back(m);
                }
            }
        }
        for (const auto& name : gone) {
            env.write([&](store::WriteTxn& txn) { zones::drop_zone(txn, name); });
            sb::log::write(sb::log::Level::Notice, "secondary",
                           "zone dropped: no longer configured or in the catalog",
                           {{"zone", name}});
        }
        wake.notify_all();
    }

    // One transfer from `p` applied in one write; returns what happened.
    Result transfer_from(const Primary& p, const std::string& zone,
                         std::optional<std::uint32_t> ours) {
        auto rrs = run_transfer(p, zone, ours, static_cast<std::uint16_t>(rng()));
        const std::uint32_t theirs = serial_of(rrs.front().get());
        if (ours && (rrs.size() == 1 || !zones::serial_lt(*ours, theirs))) {
            return Result::UpToDate;
        }
        const bool diffs = ours && rrs.size() > 1 && is_soa(rrs[1].get());
        const std::vector<Step> steps = diffs ? split_steps(rrs, *ours) : std::vector<Step>{};
        zones::ImportOptions o;
        o.zone = zone;
        o.now = static_cast<std::int64_t>(unix_now());
        o.force_serial = true; // the primary's serial, as it is
        bool by_record = diffs;
        std::optional<zones::ImportResult> r;
        if (diffs) {
            // RFC 1995 §4 record by record: the cost is the changes', not the zone's.
            try {
                r = env.write([&](store::WriteTxn& txn) {
                    zones::mark_secondary(txn, zone, p.text); // first: never signed by us
                    return zones::apply_zone_diff(txn, zone, diff_texts(steps), o.now);
                });
            } catch (const zones::DiffNotApplicable& e) {
                sb::log::write(sb::log::Level::Info, "secondary", "IXFR applied to the whole zone",
                               {{"zone", zone}, {"reason", e.what()}});
                by_record = false;
            }
        }
        if (!r) {
            r = env.write([&](store::WriteTxn& txn) {
                const std::string text =
                    diffs ? apply_diffs(txn, zone, steps, rrs.back().get()) : whole_zone(rrs);
                // Marked first, so the import's rebuilds see a secondary zone (never signed
                // by us).
                zones::mark_secondary(txn, zone, p.text);
                return zones::import_zone(txn, text, o);
            });
        }
        if (diffs) {
            (by_record ? ixfr_by_record : ixfr_whole).fetch_add(1, std::memory_order_relaxed);
            if (by_record) {
                ixfr_owners.fetch_add(r->owners, std::memory_order_relaxed);
            }
        }
        sb::log::write(sb::log::Level::Info, "secondary", diffs ? "IXFR applied" : "AXFR applied",
                       {{"zone", zone.empty() ? "." : zone},
                        {"primary", p.text},
                        {"serial", std::to_string(r->serial)},
                        {"records", std::to_string(r->records)},
                        {"owners", std::to_string(r->owners)},
                        {"applied", by_record ? "by record" : "whole zone"}});
        return diffs ? Result::Ixfr : Result::Axfr;
    }

    // Refreshes `zone` from the first primary that answers; reschedules it.
    void refresh(const std::string& zone) {
        std::optional<std::uint32_t> ours;
        std::uint32_t refresh_s = first_retry, retry_s = first_retry, expire_s = 0;
        auto read_row = [&] {
            store::ReadTxn txn(env);
            ours.reset();
            if (zones::secondary_primary(txn, zone)) {
                if (const auto row = store::get_zone(txn, zone)) {
                    ours = row->serial;
                    refresh_s = std::max(1u, row->refresh);
                    retry_s = std::max(1u, row->retry);
                    expire_s = std::max(1u, row->expire);
                }
            }
        };
        read_row();
        Result result = Result::Failed;
        for (const Primary& p : primaries) {
            try {
                try {
                    result = transfer_from(p, zone, ours);
                } catch (const NeedAxfr& e) {
                    sb::log::write(sb::log::Level::Notice, "secondary",
                                   "IXFR does not apply: falling back to AXFR",
                                   {{"zone", zone}, {"primary", p.text}, {"reason", e.what()}});
                    result = transfer_from(p, zone, std::nullopt);
                }
                break;
            } catch (const std::exception& e) {
                sb::log::write(sb::log::Level::Warning, "secondary", "transfer failed",
                               {{"zone", zone}, {"primary", p.text}, {"error", e.what()}});
            }
        }
        (result == Result::Axfr       ? axfr
         : result == Result::Ixfr     ? ixfr
         : result == Result::UpToDate ? up_to_date
                                      : failed)
            .fetch_add(1, std::memory_order_relaxed);
        if (result != Result::Failed) {
            read_row();
        }
        const auto now = Clock::now();
        const bool transferred = result == Result::Axfr || result == Result::Ixfr;
        bool kept = true, expired = false, revived = false;
        {
            const std::lock_guard<std::mutex> lock(mutex);
            const auto it = zones.find(zone);
            if (it == zones.end()) {
                kept = false; // left the catalog while it was transferred: what came goes too
            } else if (result != Result::Failed) {
                Zone& z = it->second;
                z.due = now + std::chrono::seconds(refresh_s);
                z.expires = now + std::chrono::seconds(expire_s);
                revived = z.expired && !transferred; // a transfer rebuilt the apex: no mark left
                z.expired = false;
            } else {
                Zone& z = it->second;
                z.due = now + std::chrono::seconds(ours ? retry_s : first_retry);
                // RFC 1035 §3.3.13 EXPIRE: "when the zone is no longer authoritative".
                expired = ours && !z.expired && z.expires && now >= *z.expires;
                z.expired = z.expired || expired;
            }
        }
        if (!kept && transferred) {
            env.write([&](store::WriteTxn& txn) { zones::drop_zone(txn, zone); });
        }
        if (expired || revived) {
            env.write([&](store::WriteTxn& txn) { zones::mark_expired(txn, zone, expired); });
        }
        if (expired) {
            sb::log::write(sb::log::Level::Warning, "secondary",
                           "zone expired: no primary answered within its SOA expire; answered "
                           "SERVFAIL until the next transfer",
                           {{"zone", zone}});
        }
        if (kept && zone == catalog && transferred) {
            sync_members(false);
        }
    }

    void run() {
        sync_members(true);
        {
            // A zone already held is refreshed at once too; its expiry counts from now.
            const std::lock_guard<std::mutex> lock(mutex);
            store::ReadTxn txn(env);
            for (auto& [name, z] : zones) {
                z.due = Clock::now();
                if (zones::secondary_primary(txn, name)) {
                    if (const auto row = store::get_zone(txn, name)) {
                        z.expires = Clock::now() + std::chrono::seconds(std::max(1u, row->expire));
                    }
                    // Expired before the restart: the mark stays until a primary answers.
                    const auto mark = txn.get(store::Table::ZoneMarks, zones::name_key(name));
                    z.expired = mark && mark->size() == 1 &&
                                (static_cast<std::uint8_t>((*mark)[0]) & zones::NodeExpired);
                }
            }
        }
        std::unique_lock<std::mutex> lock(mutex);
        while (!stopping) {
            const auto now = Clock::now();
            std::vector<std::string> due;
            auto next = now + std::chrono::hours(1);
            for (const auto& [name, z] : zones) {
                if (z.due <= now) {
                    due.push_back(name);
                } else {
                    next = std::min(next, z.due);
                }
            }
            if (due.empty()) {
                wake.wait_until(lock, next);
                continue;
            }
            lock.unlock();
            for (const auto& name : due) {
                refresh(name);
            }
            lock.lock();
        }
    }

    std::size_t notify(std::span<const std::uint8_t> query, const sockaddr_storage& peer,
                       std::span<std::uint8_t> out) {
        QueryInfo info;
        if (!query_info(query, info) || info.opcode != opcode_notify ||
            info.question_end > query.size() || out.size() < info.question_end) {
            return 0;
        }
        std::uint8_t key[zones::max_key_len];
        std::size_t key_len = 0;
        unsigned labels = 0;
        if (zones::wire_to_key(query.data() + 12, info.question_end - 12, key, key_len, labels) ==
            0) {
            return 0;
        }
        const std::string zone =
            zones::key_to_name(std::string_view(reinterpret_cast<const char*>(key), key_len));
        const Primary* from = nullptr;
        {
            const std::lock_guard<std::mutex> lock(mutex);
            if (zones.count(zone) == 0) {
                return 0;
            }
        }
        for (const Primary& p : primaries) {
            if (same_address(peer, p.endpoint)) {
                from = &p;
                break;
            }
        }
        if (from == nullptr) {
            notify_refused.fetch_add(1, std::memory_order_relaxed);
            return 0; // RFC 1996 §3.10: only from a master we know; REFUSED by answer()
        }
        std::vector<std::uint8_t> msg(
            query.begin(), query.begin() + static_cast<std::ptrdiff_t>(info.question_end));
        // QR, opcode NOTIFY, AA (RFC 1996 §4.7: "the response... with the same ID").
        msg[2] = static_cast<std::uint8_t>(0x80 | (opcode_notify << 3) | 0x04);
        msg[3] = 0;
        msg[4] = 0;
        msg[5] = 1;
        std::fill(msg.begin() + 6, msg.begin() + 12, std::uint8_t{0});
        bool ok = true;
        if (from->key) {
            const std::vector<TsigKey> keys = {*from->key};
            const TsigState t = tsig_verify(query, keys, unix_now());
            if (!t.present || t.error != TsigRcode::NoError || t.key == nullptr) {
                ok = false;
                msg[3] = static_cast<std::uint8_t>(Rcode::NotAuth);
            } else {
                tsig_sign(msg, *from->key, t.mac, true, unix_now());
            }
        }
        if (msg.size() > out.size()) {
            return 0;
        }
        if (ok) {
            notify_accepted.fetch_add(1, std::memory_order_relaxed);
            const std::lock_guard<std::mutex> lock(mutex);
            if (const auto it = zones.find(zone); it != zones.end()) {
                it->second.due = Clock::now();
            }
            wake.notify_all();
        } else {
            notify_notauth.fetch_add(1, std::memory_order_relaxed);
            sb::log::write(sb::log::Level::Warning, "secondary", "NOTIFY with a bad TSIG refused",
                           {{"zone", zone}, {"primary", from->text}});
        }
        std::copy(msg.begin(), msg.end(), out.begin());
        return msg.size();
    }
};

Secondary::Secondary(store::Env& env, const SecondaryOptions& options)
    : impl_(std::make_unique<Impl>(env, options)) {}

Secondary::~Secondary() {
    {
        const std::lock_guard<std::mutex> lock(impl_->mutex);
        impl_->stopping = true;
    }
    impl_->wake.notify_all();
    if (impl_->thread.joinable()) {
        impl_->thread.join();
    }
}

void Secondary::start() {
    impl_->thread = std::thread([this] { impl_->run(); });
}

std::size_t Secondary::notify(std::span<const std::uint8_t> query, const sockaddr_storage& peer,
                              std::span<std::uint8_t> out) {
    try {
        return impl_->notify(query, peer, out);
    } catch (const std::exception&) {
        return 0; // answered REFUSED by the caller
    }
}

void Secondary::write_metrics(std::string& out) const {
    const Impl& i = *impl_;
    out += "# HELP switchboard_dns_xfr_in_total Zone transfers into this secondary, by outcome.\n"
           "# TYPE switchboard_dns_xfr_in_total counter\n";
    for (const auto& [type, n] :
         {std::pair{"axfr", &i.axfr}, std::pair{"ixfr", &i.ixfr},
          std::pair{"uptodate", &i.up_to_date}, std::pair{"failed", &i.failed}}) {
        out += std::string("switchboard_dns_xfr_in_total{type=\"") + type + "\"} " +
               std::to_string(n->load(std::memory_order_relaxed)) + "\n";
    }
    out += "# HELP switchboard_dns_ixfr_in_applied_total IXFRs applied, record by record or to "
           "the whole zone.\n# TYPE switchboard_dns_ixfr_in_applied_total counter\n"
           "switchboard_dns_ixfr_in_applied_total{how=\"record\"} " +
           std::to_string(i.ixfr_by_record.load(std::memory_order_relaxed)) +
           "\nswitchboard_dns_ixfr_in_applied_total{how=\"zone\"} " +
           std::to_string(i.ixfr_whole.load(std::memory_order_relaxed)) +
           "\n# HELP switchboard_dns_ixfr_in_owners_total Names rebuilt by IXFRs applied record "
           "by record.\n# TYPE switchboard_dns_ixfr_in_owners_total counter\n"
           "switchboard_dns_ixfr_in_owners_total " +
           std::to_string(i.ixfr_owners.load(std::memory_order_relaxed)) + "\n";
    out += "# HELP switchboard_dns_notify_in_total NOTIFYs received for secondary zones.\n"
           "# TYPE switchboard_dns_notify_in_total counter\n";
    for (const auto& [result, n] :
         {std::pair{"accepted", &i.notify_accepted}, std::pair{"refused", &i.notify_refused},
          std::pair{"notauth", &i.notify_notauth}}) {
        out += std::string("switchboard_dns_notify_in_total{result=\"") + result + "\"} " +
               std::to_string(n->load(std::memory_order_relaxed)) + "\n";
    }
    std::size_t count = 0;
    {
        const std::lock_guard<std::mutex> lock(i.mutex);
        count = i.zones.size();
    }
    out += "# HELP switchboard_dns_secondary_zones Zones kept as a secondary.\n"
           "# TYPE switchboard_dns_secondary_zones gauge\nswitchboard_dns_secondary_zones " +
           std::to_string(count) + "\n";
}

} // namespace sb::dnsd
