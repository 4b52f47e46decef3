// sb::dnsd — the authoritative DNS server over the store: UDP and TCP on every listen address,
// one worker thread per core, each with its own io_context, sockets, read txn, buffers and
// counters.
#pragma once

#include "store/store.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace sb::dnsd {

class Secondary;

// Who may transfer one zone, or the members of one catalog group (RFC 9432 §4.4.2).
struct TransferRule {
    std::string zone;               // a zone name, or "group:dns" / "group:enum"
    std::vector<std::string> allow; // "ADDR", "ADDR/PREFIXLEN", or "key:NAME" (a tsig_keys name)
};

struct Options {
    // "ADDR:PORT" or "[V6ADDR]:PORT", UDP and TCP on each. On a wildcard address (0.0.0.0,
    // ::) UDP answers leave from the address the query was sent to.
    std::vector<std::string> listen{"127.0.0.1:5300"};
    unsigned workers = 0; // 0 = hardware threads
    // With a worker for every CPU the process may use: each pinned to its CPU, taking the UDP
    // datagrams received there (docs/decisions.md "UDP workers pinned"). Otherwise ignored.
    bool cpu_affinity = true;
    std::uint16_t max_udp_payload = 1232;
    // Class CH TXT answers: id.server / hostname.bind and version.bind / version.server.
    // Empty: those queries are REFUSED.
    std::string identity{};
    std::string version{};
    // Zones kept from primaries (dnsd/secondary.hpp): NOTIFYs over UDP go to it first. Must
    // outlive the Server; null: none, every NOTIFY is REFUSED.
    Secondary* secondary = nullptr;

    // Reloadable (Server::reload) from here on.

    // Who may AXFR/IXFR: "ADDR" or "ADDR/PREFIXLEN" (IPv4 or IPv6). A client that signs
    // its request with one of tsig_keys may transfer from anywhere.
    std::vector<std::string> allow_transfer{};
    // TSIG keys (RFC 8945): "NAME:hmac-sha256:BASE64SECRET".
    std::vector<std::string> tsig_keys{};
    // Per zone, then per catalog group, a rule replacing allow_transfer and "any tsig_keys
    // key": a signed request is judged by its key, an unsigned one by its address.
    std::vector<TransferRule> transfer_rules{};
    // Secondaries told of every committed zone change by NOTIFY (RFC 1996): "ADDR:PORT".
    std::vector<std::string> notify{};
    // TCP (RFC 7766 §6.2.3). Open connections per server, split over the workers; when full,
    // a new connection closes the oldest idle one. tcp_reserved of them are kept for
    // allow_transfer addresses, which the per-address limit does not bind.
    unsigned tcp_max_connections = 512;
    unsigned tcp_max_per_address = 32;
    unsigned tcp_reserved = 32;
    // A message (length prefix included) must arrive whole this long after its first byte.
    unsigned tcp_io_timeout_ms = 500;
    // Idle time allowed between messages while the table is at most half full; it shrinks
    // linearly to tcp_io_timeout_ms as the table fills.
    unsigned tcp_idle_timeout_ms = 10000;
    // Zone transfers out (AXFR/IXFR) under way at once, each on a thread of its own reading
    // one snapshot; a transfer over the limit waits for a slot (64 at most wait, one more is
    // answered SERVFAIL; docs/decisions.md).
    unsigned max_transfers = 4;
    // A transfer whose client accepts no byte for this long is ended (its snapshot released).
    unsigned transfer_timeout_ms = 10000;
    // Response rate limiting over UDP: answers a second per client network (IPv4 /24, IPv6
    // /56), 0 = off; every rrl_slip-th answer over the rate goes out truncated (0 = none).
    // Clients presenting a valid server cookie are not limited.
    unsigned rrl_rate = 0;
    unsigned rrl_slip = 2;
    // Over the rate, a client that sends a DNS Cookie without a valid server cookie gets
    // BADCOOKIE with a fresh one (RFC 7873 §5.2.3) instead of a dropped or truncated answer.
    bool rrl_require_cookie = false;
    // DNS Cookies (RFC 7873, server cookies per RFC 9018). cookie_secret: 32 hex digits shared
    // by the servers of an anycast set, empty = random at start; the key derived from it
    // rotates every cookie_rotation seconds.
    bool cookies = true;
    std::string cookie_secret{};
    unsigned cookie_rotation = 3600;
};

// Binds UDP and TCP on every options.listen address in the constructor (throws
// std::runtime_error saying what failed, also when another server holds an address). `env`
// must outlive the Server. Answers are read from store::Table::DnsNodes; a commit is visible
// from the next batch of queries on.
class Server {
public:
    Server(const store::Env& env, Options options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Serves on options.workers threads; blocks until stop(). Call once.
    void run();
    // Makes run() return; callable from any thread, also before run().
    void stop();

    // Applies the reloadable options (allow_transfer, tsig_keys, transfer_rules, notify,
    // tcp_*, max_transfers, transfer_timeout_ms, rrl_*, cookie*) without dropping a query
    // (transfers under way finish under the settings they started with): each worker
    // switches between two batches. Throws std::runtime_error naming what is wrong, and then
    // keeps the old settings. Any thread.
    void reload(const Options& options);

    // Appends the switchboard_dns_* metrics (Prometheus text exposition), summed over the
    // workers. Any thread.
    void write_metrics(std::string& out) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The store brought into the process behind the answers (docs/decisions.md "The store mapped
// at start"): on a thread of its own, first the node of every zone apex, cut and wildcard at
// normal priority, then every page of data at idle priority (left to the page cache when the
// store is larger than half the memory available). Start it as soon as the store is open,
// before the Server: its first reads then overlap the rest of the start. `env` must outlive
// it; the destructor stops and joins the thread.
class Resident {
public:
    explicit Resident(const store::Env& env);

private:
    std::jthread thread_;
};

} // namespace sb::dnsd
