// Prometheus text exposition of the per-worker counters.
#include "metrics.hpp"

#include "log/metrics_text.hpp"

#include <array>
#include <string_view>

namespace sb::dnsd {

namespace {

struct Named {
    std::uint16_t value;
    std::string_view name;
};

constexpr std::array<Named, qtype_slots - 1> qtypes{{
    {1, "A"},
    {2, "NS"},
    {5, "CNAME"},
    {6, "SOA"},
    {12, "PTR"},
    {15, "MX"},
    {16, "TXT"},
    {28, "AAAA"},
    {33, "SRV"},
    {35, "NAPTR"},
    {43, "DS"},
    {48, "DNSKEY"},
    {65, "HTTPS"},
    {251, "IXFR"},
    {252, "AXFR"},
    {255, "ANY"},
    {257, "CAA"},
}};

constexpr std::array<Named, rcode_slots - 1> rcodes{{
    {0, "NOERROR"},
    {1, "FORMERR"},
    {2, "SERVFAIL"},
    {3, "NXDOMAIN"},
    {4, "NOTIMP"},
    {5, "REFUSED"},
    {9, "NOTAUTH"},
    {16, "BADVERS"},
    {23, "BADCOOKIE"},
    {17, "BADKEY"},
}};

constexpr std::array<std::string_view, 2> transports{"udp", "tcp"};
constexpr std::array<std::string_view, 5> verdicts{"none", "malformed", "client_only", "bad",
                                                   "valid"};
constexpr std::array<std::string_view, 5> tcp_events{"accepted", "incomplete", "idle", "evicted",
                                                     "refused"};
constexpr std::array<std::string_view, 5> transfer_results{"ok", "refused", "notauth", "failed",
                                                           "busy"};

std::string_view slot_name(std::size_t slot, const auto& table) {
    return slot < table.size() ? table[slot].name : std::string_view("other");
}

void sample(std::string& out, std::string_view name, std::string_view labels, std::uint64_t value) {
    out.append(name);
    if (!labels.empty()) {
        out.append("{").append(labels).append("}");
    }
    out.append(" ").append(std::to_string(value)).append("\n");
}

template <typename Get>
std::uint64_t sum(const std::vector<const Counters*>& workers, Get get) {
    std::uint64_t total = 0;
    for (const Counters* c : workers) {
        total += get(*c);
    }
    return total;
}

// value → slot for every value up to the largest in `table`, "other" (table.size()) elsewhere:
// one load a query instead of a search.
template <std::size_t Max, std::size_t N>
constexpr std::array<std::uint8_t, Max + 1> slots_of(const std::array<Named, N>& table) {
    std::array<std::uint8_t, Max + 1> slots{};
    slots.fill(static_cast<std::uint8_t>(N));
    for (std::size_t i = 0; i < N; ++i) {
        slots[table[i].value] = static_cast<std::uint8_t>(i);
    }
    return slots;
}

constexpr auto qtype_slots_by_value = slots_of<257>(qtypes);
constexpr auto rcode_slots_by_value = slots_of<23>(rcodes);

} // namespace

std::size_t qtype_slot(std::uint16_t qtype) noexcept {
    return qtype < qtype_slots_by_value.size() ? qtype_slots_by_value[qtype] : qtypes.size();
}

std::size_t rcode_slot(unsigned rcode) noexcept {
    return rcode < rcode_slots_by_value.size() ? rcode_slots_by_value[rcode] : rcodes.size();
}

std::uint64_t udp_answered(const Counters& c) noexcept {
    std::uint64_t n = 0;
    for (const auto& by_qtype : c.queries[0]) {
        for (const Counter& counter : by_qtype) {
            n += counter.get();
        }
    }
    return n;
}

void write_metrics(const std::vector<const Counters*>& workers, const NotifyCounts& notify,
                   std::string& out) {
    log::metric_family(out, "switchboard_dns_queries_total", "counter",
                       "DNS queries answered, by transport, qtype and rcode.");
    bool any = false;
    for (std::size_t t = 0; t < 2; ++t) {
        for (std::size_t q = 0; q < qtype_slots; ++q) {
            for (std::size_t r = 0; r < rcode_slots; ++r) {
                const std::uint64_t n =
                    sum(workers, [&](const Counters& c) { return c.queries[t][q][r].get(); });
                if (n == 0) {
                    continue;
                }
                any = true;
                sample(out, "switchboard_dns_queries_total",
                       std::string("transport=\"") + std::string(transports[t]) + "\",qtype=\"" +
                           std::string(slot_name(q, qtypes)) + "\",rcode=\"" +
                           std::string(slot_name(r, rcodes)) + "\"",
                       n);
            }
        }
    }
    if (!any) {
        sample(out, "switchboard_dns_queries_total",
               "transport=\"udp\",qtype=\"A\",rcode=\"NOERROR\"", 0);
    }
    log::metric_family(out, "switchboard_dns_truncated_total", "counter",
                       "Answers sent with TC=1 (too large for UDP, or an RRL slip).");
    for (std::size_t t = 0; t < 2; ++t) {
        sample(out, "switchboard_dns_truncated_total",
               std::string("transport=\"") + std::string(transports[t]) + "\"",
               sum(workers, [&](const Counters& c) { return c.truncated[t].get(); }));
    }
    log::metric_family(
        out, "switchboard_dns_rrl_total", "counter",
        "Response rate limiting over UDP: answers dropped, slipped (sent truncated), and "
        "spared by a valid server cookie.");
    sample(out, "switchboard_dns_rrl_total", "action=\"drop\"",
           sum(workers, [](const Counters& c) { return c.rrl_dropped.get(); }));
    sample(out, "switchboard_dns_rrl_total", "action=\"slip\"",
           sum(workers, [](const Counters& c) { return c.rrl_slipped.get(); }));
    sample(out, "switchboard_dns_rrl_total", "action=\"spared\"",
           sum(workers, [](const Counters& c) { return c.rrl_spared.get(); }));
    log::metric_family(out, "switchboard_dns_cookies_total", "counter",
                       "Queries by the DNS Cookie they carried (RFC 7873).");
    for (std::size_t v = 0; v < verdicts.size(); ++v) {
        sample(out, "switchboard_dns_cookies_total",
               std::string("result=\"") + std::string(verdicts[v]) + "\"",
               sum(workers, [&](const Counters& c) { return c.cookies[v].get(); }));
    }
    log::metric_family(
        out, "switchboard_dns_tcp_connections_total", "counter",
        "TCP connections accepted, and closed early: incomplete message, idle, evicted "
        "for a new one, refused at once.");
    for (std::size_t e = 0; e < tcp_events.size(); ++e) {
        sample(out, "switchboard_dns_tcp_connections_total",
               std::string("event=\"") + std::string(tcp_events[e]) + "\"",
               sum(workers, [&](const Counters& c) { return c.tcp[e].get(); }));
    }
    log::metric_family(out, "switchboard_dns_tcp_connections_open", "gauge",
                       "TCP connections open now.");
    sample(out, "switchboard_dns_tcp_connections_open", "",
           sum(workers, [](const Counters& c) { return c.tcp_open.get(); }));
    log::metric_family(out, "switchboard_dns_transfers_total", "counter",
                       "AXFR/IXFR requests by result.");
    for (std::size_t r = 0; r < transfer_results.size(); ++r) {
        sample(out, "switchboard_dns_transfers_total",
               std::string("result=\"") + std::string(transfer_results[r]) + "\"",
               sum(workers, [&](const Counters& c) { return c.transfers[r].get(); }));
    }
    log::metric_family(
        out, "switchboard_dns_notifies_total", "counter",
        "NOTIFY messages to secondaries: answered, or given up after the last retry.");
    sample(out, "switchboard_dns_notifies_total", "result=\"answered\"", notify.answered);
    sample(out, "switchboard_dns_notifies_total", "result=\"failed\"", notify.failed);
}

} // namespace sb::dnsd
