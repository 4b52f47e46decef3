// Secondary zones, the scheduler: which zones are kept (configured, or members of a consumed
// catalog), the refresh/retry/expire thread and the NOTIFY answer; secondary_transfer.cpp
// transfers. Off the query path: everything here may allocate.
#include "dnsd/secondary.hpp"

#include "answer.hpp"
#include "listen.hpp"
#include "log/log.hpp"
#include "secondary_transfer.hpp"
#include "store/tables.hpp"
#include "tsig.hpp"
#include "zones/node.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
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

constexpr unsigned opcode_notify = 4;

// Zones refreshed at once (each by its own thread; one zone by one thread at a time).
constexpr unsigned refresh_threads = 4;

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
    using Result = XfrInResult;

    struct Zone {
        bool configured = false;                  // in [secondary] zones (or the catalog itself)
        bool member = false;                      // listed in the consumed catalog
        Clock::time_point due{};                  // next refresh
        std::optional<Clock::time_point> expires; // loaded: when the copy expires
        bool expired = false;                     // past it: answered SERVFAIL
        bool conflict = false; // held here as a primary zone: left alone, NOTIFY refused
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
    // Zones being refreshed, and those NOTIFYed meanwhile (refreshed again right after).
    std::set<std::string> in_flight, again;   // guarded by mutex
    std::mt19937 rng{std::random_device{}()}; // guarded by mutex (message ids)

    std::atomic<std::uint64_t> axfr{0}, ixfr{0}, up_to_date{0}, failed{0};
    IxfrInCounters ixfr_applied;
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
            if (drop_secondary(name)) {
                sb::log::write(sb::log::Level::Notice, "secondary",
                               "zone dropped: no longer configured or in the catalog",
                               {{"zone", name}});
            }
        }
        wake.notify_all();
    }

    // Deletes `zone` if it is held as a secondary zone; a primary zone of the same name (the
    // catalog's member never taken over) is left alone. True when it was dropped.
    bool drop_secondary(const std::string& zone) {
        return env.write([&](store::WriteTxn& txn) {
            if (!zones::secondary_primary(txn, zone)) {
                return false;
            }
            zones::drop_zone(txn, zone);
            return true;
        });
    }

    // `zone` is held here as a primary zone (docs/decisions.md "Switchboard as a secondary":
    // RFC 9432 §5.2 "the new instance of the zone MUST be ignored"): no transfer; logged when the
    // conflict starts and when it ends, checked again every `first_retry` seconds (a zone deleted
    // over SOAP is then transferred).
    void set_conflict(const std::string& zone, bool conflict) {
        std::string named_by;
        {
            const std::lock_guard<std::mutex> lock(mutex);
            const auto it = zones.find(zone);
            if (it == zones.end()) {
                return;
            }
            Zone& z = it->second;
            if (conflict) {
                z.due = Clock::now() + std::chrono::seconds(first_retry);
            }
            if (z.conflict == conflict) {
                return;
            }
            z.conflict = conflict;
            named_by = z.member ? "catalog " + catalog : "[secondary] zones";
            if (z.member && z.configured) {
                named_by += " and [secondary] zones";
            }
        }
        if (conflict) {
            sb::log::write(sb::log::Level::Warning, "secondary",
                           "zone held here as a primary zone: not transferred, its local data "
                           "is served",
                           {{"zone", zone}, {"named_by", named_by}});
        } else {
            sb::log::write(sb::log::Level::Notice, "secondary",
                           "zone no longer held as a primary zone: transferred from now on",
                           {{"zone", zone}, {"named_by", named_by}});
        }
    }

    std::uint16_t message_id() {
        const std::lock_guard<std::mutex> lock(mutex);
        return static_cast<std::uint16_t>(rng());
    }

    // Refreshes `zone` from the first primary that answers; reschedules it.
    void refresh(const std::string& zone) {
        {
            const bool primary = held_as_primary(store::ReadTxn(env), zone);
            set_conflict(zone, primary);
            if (primary) {
                return;
            }
        }
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
            auto transfer = [&](std::optional<std::uint32_t> from) {
                return transfer_from(env, p, zone, from, message_id(), ixfr_applied);
            };
            try {
                try {
                    result = transfer(ours);
                } catch (const NeedAxfr& e) {
                    sb::log::write(sb::log::Level::Notice, "secondary",
                                   "IXFR does not apply: falling back to AXFR",
                                   {{"zone", zone}, {"primary", p.text}, {"reason", e.what()}});
                    result = transfer(std::nullopt);
                }
                break;
            } catch (const HeldAsPrimary&) {
                set_conflict(zone, true); // provisioned while we transferred: nothing written
                return;
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
            drop_secondary(zone);
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
        // Zones are refreshed by a few threads, so a slow primary delays no other zone while
        // the others are free (docs/decisions.md).
        std::vector<std::thread> helpers;
        for (unsigned i = 1; i < refresh_threads; ++i) {
            helpers.emplace_back([this] { serve(); });
        }
        serve();
        for (auto& t : helpers) {
            t.join();
        }
    }

    // One refresh thread: takes a due zone no other thread holds, refreshes it, again.
    void serve() {
        std::unique_lock<std::mutex> lock(mutex);
        while (!stopping) {
            const auto now = Clock::now();
            auto next = now + std::chrono::hours(1);
            std::optional<std::string> pick;
            for (const auto& [name, z] : zones) {
                if (in_flight.count(name) != 0) {
                    continue;
                }
                if (z.due <= now) {
                    pick = name;
                    break;
                }
                next = std::min(next, z.due);
            }
            if (!pick) {
                wake.wait_until(lock, next);
                continue;
            }
            in_flight.insert(*pick);
            lock.unlock();
            refresh(*pick);
            lock.lock();
            in_flight.erase(*pick);
            if (again.erase(*pick) != 0) {
                if (const auto it = zones.find(*pick); it != zones.end()) {
                    it->second.due = Clock::now();
                }
            }
            wake.notify_all();
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
            const auto it = zones.find(zone);
            if (it == zones.end()) {
                return 0;
            }
            if (it->second.conflict) {
                notify_refused.fetch_add(1, std::memory_order_relaxed);
                return 0; // we are this zone's primary: REFUSED by answer()
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
                if (in_flight.count(zone) != 0) {
                    again.insert(zone); // its refresh may have asked before this change
                }
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
           std::to_string(i.ixfr_applied.by_record.load(std::memory_order_relaxed)) +
           "\nswitchboard_dns_ixfr_in_applied_total{how=\"zone\"} " +
           std::to_string(i.ixfr_applied.whole.load(std::memory_order_relaxed)) +
           "\n# HELP switchboard_dns_ixfr_in_owners_total Names rebuilt by IXFRs applied record "
           "by record.\n# TYPE switchboard_dns_ixfr_in_owners_total counter\n"
           "switchboard_dns_ixfr_in_owners_total " +
           std::to_string(i.ixfr_applied.owners.load(std::memory_order_relaxed)) + "\n";
    out += "# HELP switchboard_dns_notify_in_total NOTIFYs received for secondary zones.\n"
           "# TYPE switchboard_dns_notify_in_total counter\n";
    for (const auto& [result, n] :
         {std::pair{"accepted", &i.notify_accepted}, std::pair{"refused", &i.notify_refused},
          std::pair{"notauth", &i.notify_notauth}}) {
        out += std::string("switchboard_dns_notify_in_total{result=\"") + result + "\"} " +
               std::to_string(n->load(std::memory_order_relaxed)) + "\n";
    }
    std::size_t count = 0, conflicts = 0;
    {
        const std::lock_guard<std::mutex> lock(i.mutex);
        conflicts = static_cast<std::size_t>(std::count_if(
            i.zones.begin(), i.zones.end(), [](const auto& z) { return z.second.conflict; }));
        count = i.zones.size() - conflicts;
    }
    out += "# HELP switchboard_dns_secondary_zones Zones kept as a secondary.\n"
           "# TYPE switchboard_dns_secondary_zones gauge\nswitchboard_dns_secondary_zones " +
           std::to_string(count) + "\n";
    out += "# HELP switchboard_dns_secondary_conflicts Zones the catalog or [secondary] zones "
           "names that are held here as primary zones (not transferred).\n"
           "# TYPE switchboard_dns_secondary_conflicts gauge\n"
           "switchboard_dns_secondary_conflicts " +
           std::to_string(conflicts) + "\n";
}

} // namespace sb::dnsd
