// One worker per thread (server.cpp): its io_context, a UDP socket and a TCP acceptor per
// listen address, read txn, buffers, rate limiter, connection table and counters, all its own.
// The reloadable settings are one immutable Settings object the worker swaps between batches.
#pragma once

#include "answer.hpp"
#include "asio.hpp"
#include "cookie.hpp"
#include "dnsd/dnsd.hpp"
#include "listen.hpp"
#include "metrics.hpp"
#include "rrl.hpp"
#include "tcp.hpp"
#include "xfr.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <ctime>
#include <memory>
#include <vector>

namespace sb::dnsd {

// What Server::reload may change, parsed and checked before any worker sees it.
struct Settings {
    // Throws std::runtime_error naming the bad option. `cookies` (may be null) is kept when
    // options.cookie_secret is empty, so a reload does not invalidate every client's cookie.
    Settings(const Options& options, unsigned workers,
             std::shared_ptr<const CookieSecrets> cookies);
    Transfers transfers;
    TcpLimits tcp;
    unsigned max_transfers;
    std::chrono::milliseconds transfer_timeout;
    unsigned rrl_rate; // per worker
    unsigned rrl_slip;
    bool rrl_require_cookie;
    bool cookies_on;
    std::shared_ptr<const CookieSecrets> cookies; // kept across reloads, see above
    std::string cookie_secret;                    // as configured
};

class Worker {
public:
    // `cpu` >= 0: the CPU this worker runs on (run() pins its thread there) and the one whose
    // UDP datagrams its sockets take (SO_INCOMING_CPU); -1: anywhere, datagrams by hash.
    Worker(const store::Env& env, const Options& options, const std::vector<Endpoint>& endpoints,
           std::shared_ptr<const Settings> settings, TransferThreads& transfer_threads, int cpu);

    void start();

    // Serves on the calling thread (pinned to the worker's CPU, if any) until stop().
    void run();

    boost::asio::io_context& io() noexcept { return io_; }

    // Takes a fresh snapshot for a batch; null when the store cannot be read (SERVFAIL).
    // answer(), or — for a NOTIFY when a Secondary keeps zones — its answer (NOERROR + AA for
    // a zone it keeps from that peer); UDP and TCP both call it.
    std::size_t answer_query(std::span<const std::uint8_t> query, const Snapshot* snapshot,
                             Transport transport, Client& client, std::span<std::uint8_t> out,
                             const sockaddr_storage& peer) noexcept;
    const Snapshot* begin() noexcept;

    void end() noexcept { txn_.reset(); }

    const AnswerOptions& answer_options() const noexcept { return answer_options_; }

    const Settings& settings() const noexcept { return *settings_; }

    // The settings, for a transfer that outlives a reload.
    std::shared_ptr<const Settings> shared_settings() const noexcept { return settings_; }

    const store::Env& env() const noexcept { return env_; }

    TransferThreads& transfer_threads() noexcept { return transfer_threads_; }

    const store::ReadTxn& txn() const noexcept { return txn_; }

    Counters& counters() noexcept { return counters_; }

    const Counters& counters() const noexcept { return counters_; }

    ConnectionTable& connections() noexcept { return connections_; }

    // A query's cookie context: off unless cookies are on; `now` is the batch's wall second.
    CookieContext cookie_context(const sockaddr_storage& peer, std::uint32_t now) const noexcept;

    // Counts one answer (its qtype read from the echoed question) and its cookie.
    void count(Transport transport, std::span<const std::uint8_t> response,
               const Client& client) noexcept;

    // Runs on the worker's thread (posted by Server::reload), between two batches.
    void apply(std::shared_ptr<const Settings> settings);

    static std::uint32_t wall_second() noexcept;

    // The second for rate limiting (coarse clock: no system call cost per query).
    static std::uint32_t coarse_second() noexcept {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
        return static_cast<std::uint32_t>(ts.tv_sec);
    }

private:
    struct Udp {
        explicit Udp(boost::asio::io_context& io)
            : socket(io) {}

        boost::asio::ip::udp::socket socket;
        bool pktinfo = false;
    };

    static constexpr std::size_t batch = 32; // datagrams per recvmmsg

    union Control {
        cmsghdr align;
        char buf[CMSG_SPACE(sizeof(in6_pktinfo))];
    };

    void wait_udp(Udp& udp);
    void drain_udp(Udp& udp) noexcept;
    std::size_t limit(std::size_t i, std::span<std::uint8_t> out, std::size_t len,
                      std::span<const std::uint8_t> query, Client& client,
                      const Snapshot* snapshot) noexcept;
    void accept(boost::asio::ip::tcp::acceptor& acceptor);

    boost::asio::io_context io_;
    const store::Env& env_;
    TransferThreads& transfer_threads_;
    std::vector<std::unique_ptr<Udp>> udp_;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    boost::asio::steady_timer accept_pause_;
    store::ReadTxn txn_;
    store::Cursor cursor_;
    store::Cursor chain_; // DnssecChain: DO=1 proofs
    zones::ZoneIndex zones_;
    Snapshot snapshot_{txn_, cursor_, zones_, &chain_};
    std::vector<std::uint8_t> rx_;
    std::vector<std::uint8_t> tx_;
    std::array<mmsghdr, batch> rx_msg_{};
    std::array<mmsghdr, batch> tx_msg_{};  // answers to valid cookies, then the rest
    std::array<mmsghdr, batch> tx_rest_{}; // the other answers, until sent
    std::array<iovec, batch> rx_iov_{};
    std::array<iovec, batch> tx_iov_{};
    std::array<sockaddr_storage, batch> peers_{};
    std::array<Control, batch> rx_ctl_{};
    std::array<Control, batch> tx_ctl_{};
    AnswerOptions answer_options_;
    Secondary* secondary_ = nullptr; // NOTIFYs for the zones it keeps
    std::shared_ptr<const Settings> settings_;
    RateLimiter rrl_;
    ConnectionTable connections_;
    bool store_failing_ = false; // logged once per failing spell
    Counters counters_;
    // Last, off the hot members' cache lines:
    int cpu_; // pinned to it, -1: not pinned
};

} // namespace sb::dnsd
