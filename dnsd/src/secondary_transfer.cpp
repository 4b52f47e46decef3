// Secondary zones, the transfer client (secondary_transfer.hpp): AXFR and IXFR over TCP,
// parsed by ldns, applied to the store. Off the query path: everything here may allocate.
#include "secondary_transfer.hpp"

#include "log/log.hpp"
#include "store/tables.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <ldns/ldns.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <vector>

namespace sb::dnsd {

namespace {

struct RrFree {
    void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};

using Rr = std::unique_ptr<ldns_rr, RrFree>;
using Pkt = std::unique_ptr<ldns_pkt, PktFree>;

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

template <class Txn>
bool primary_zone(const Txn& txn, const std::string& zone) {
    return store::get_zone(txn, zone) && !zones::secondary_primary(txn, zone);
}

// Checked in the transfer's own write: a zone provisioned since the scheduler looked is not
// overwritten either.
void refuse_primary(const store::WriteTxn& txn, const std::string& zone) {
    if (primary_zone(txn, zone)) {
        throw HeldAsPrimary("zone " + zone + " is held here as a primary zone");
    }
}

} // namespace

bool held_as_primary(const store::ReadTxn& txn, const std::string& zone) {
    return primary_zone(txn, zone);
}

std::uint64_t unix_now() {
    return static_cast<std::uint64_t>(std::time(nullptr));
}

XfrInResult transfer_from(store::Env& env, const Primary& p, const std::string& zone,
                          std::optional<std::uint32_t> ours, std::uint16_t id,
                          IxfrInCounters& counters) {
    auto rrs = run_transfer(p, zone, ours, id);
    const std::uint32_t theirs = serial_of(rrs.front().get());
    if (ours && (rrs.size() == 1 || !zones::serial_lt(*ours, theirs))) {
        return XfrInResult::UpToDate;
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
                refuse_primary(txn, zone);
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
            refuse_primary(txn, zone);
            const std::string text =
                diffs ? apply_diffs(txn, zone, steps, rrs.back().get()) : whole_zone(rrs);
            // Marked first, so the import's rebuilds see a secondary zone (never signed
            // by us).
            zones::mark_secondary(txn, zone, p.text);
            return zones::import_zone(txn, text, o);
        });
    }
    if (diffs) {
        (by_record ? counters.by_record : counters.whole).fetch_add(1, std::memory_order_relaxed);
        if (by_record) {
            counters.owners.fetch_add(r->owners, std::memory_order_relaxed);
        }
    }
    sb::log::write(sb::log::Level::Info, "secondary", diffs ? "IXFR applied" : "AXFR applied",
                   {{"zone", zone.empty() ? "." : zone},
                    {"primary", p.text},
                    {"serial", std::to_string(r->serial)},
                    {"records", std::to_string(r->records)},
                    {"owners", std::to_string(r->owners)},
                    {"applied", by_record ? "by record" : "whole zone"}});
    return diffs ? XfrInResult::Ixfr : XfrInResult::Axfr;
}

} // namespace sb::dnsd
