// sb::dnsd — the authoritative DNS server over the store: UDP and TCP on one address, one
// worker thread per core, each with its own io_context, sockets, read txn and buffers.
#pragma once

#include "store/store.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace sb::dnsd {

struct Options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 5300;
    unsigned workers = 0; // 0 = hardware threads
    std::uint16_t max_udp_payload = 1232;
    // Class CH TXT answers: id.server / hostname.bind and version.bind / version.server.
    // Empty: those queries are REFUSED.
    std::string identity{};
    std::string version{};
    // Who may AXFR/IXFR: "ADDR" or "ADDR/PREFIXLEN" (IPv4 or IPv6). A client that signs
    // its request with one of tsig_keys may transfer from anywhere.
    std::vector<std::string> allow_transfer{};
    // TSIG keys (RFC 8945): "NAME:hmac-sha256:BASE64SECRET".
    std::vector<std::string> tsig_keys{};
    // Secondaries told of every committed zone change by NOTIFY (RFC 1996): "ADDR:PORT".
    std::vector<std::string> notify{};
    // Open TCP connections per server (split over the workers); more are closed at once.
    unsigned tcp_max_connections = 512;
    // Response rate limiting over UDP: answers a second per client network (IPv4 /24, IPv6
    // /56), 0 = off; every rrl_slip-th answer over the rate goes out truncated (0 = none).
    unsigned rrl_rate = 0;
    unsigned rrl_slip = 2;
};

// Binds UDP and TCP on options.address:port in the constructor (throws std::runtime_error
// saying what failed). `env` must outlive the Server. Answers are read from
// store::Table::DnsNodes; a commit is visible from the next batch of queries on.
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

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace sb::dnsd
