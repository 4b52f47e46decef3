// One worker per CPU (server.cpp): a UDP thread per listen address (UdpWorker, server_udp.cpp:
// its socket, read txn, buffers, rate limiter and counters) and a TCP thread (its io_context,
// acceptors, read txn, connection table and counters), all their own. The reloadable settings
// are one immutable Settings object each thread swaps between batches.
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
#include <atomic>
#include <chrono>
#include <ctime>
#include <memory>
#include <mutex>
#include <thread>
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

// What answering takes on one thread, for the TCP Worker and each UdpWorker alike: a read txn
// and its cursors, the zone index, the answer options, the settings and the counters.
class Responder {
public:
    Responder(const store::Env& env, const Options& options,
              std::shared_ptr<const Settings> settings);

    // Takes a fresh snapshot for a batch; null when the store cannot be read (SERVFAIL).
    const Snapshot* begin() noexcept;

    void end() noexcept { txn_.reset(); }

    // answer(), or — for a NOTIFY when a Secondary keeps zones — its answer (NOERROR + AA for
    // a zone it keeps from that peer); UDP and TCP both call it.
    std::size_t answer_query(std::span<const std::uint8_t> query, const Snapshot* snapshot,
                             Transport transport, Client& client, std::span<std::uint8_t> out,
                             const sockaddr_storage& peer) noexcept;

    const AnswerOptions& answer_options() const noexcept { return answer_options_; }

    const Settings& settings() const noexcept { return *settings_; }

    // The settings, for a transfer that outlives a reload.
    std::shared_ptr<const Settings> shared_settings() const noexcept { return settings_; }

    const store::Env& env() const noexcept { return env_; }

    const store::ReadTxn& txn() const noexcept { return txn_; }

    Counters& counters() noexcept { return counters_; }

    const Counters& counters() const noexcept { return counters_; }

    // A query's cookie context: off unless cookies are on; `now` is the batch's wall second.
    CookieContext cookie_context(const sockaddr_storage& peer, std::uint32_t now) const noexcept;

    // Counts one answer (its qtype read from the echoed question) and its cookie.
    void count(Transport transport, std::span<const std::uint8_t> response,
               const Client& client) noexcept;

    static std::uint32_t wall_second() noexcept;

    // The second for rate limiting (coarse clock: no system call cost per query).
    static std::uint32_t coarse_second() noexcept {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
        return static_cast<std::uint32_t>(ts.tv_sec);
    }

protected:
    // On the owning thread, between two batches.
    void use(std::shared_ptr<const Settings> settings) noexcept;

    std::shared_ptr<const Settings> settings_;
    Counters counters_;

private:
    const store::Env& env_;
    store::ReadTxn txn_;
    store::Cursor cursor_;
    store::Cursor chain_; // DnssecChain: DO=1 proofs
    zones::ZoneIndex zones_;
    Snapshot snapshot_{txn_, cursor_, zones_, &chain_};
    AnswerOptions answer_options_;
    Secondary* secondary_ = nullptr; // NOTIFYs for the zones it keeps
    bool store_failing_ = false;     // logged once per failing spell
};

// One UDP socket (of a listen address) and the thread answering it (server_udp.cpp): blocked
// in recvmmsg until a datagram comes, it answers what came with it and sends the answers with
// one sendmmsg, two system calls per wake-up and nothing between the send and the next
// receive (docs/decisions.md "UDP threads").
class UdpWorker : public Responder {
public:
    // `cpu` >= 0: the thread runs on that CPU and the socket takes the datagrams received
    // there (SO_INCOMING_CPU); -1: anywhere, datagrams by hash.
    UdpWorker(const store::Env& env, const Options& options, const Endpoint& endpoint,
              std::shared_ptr<const Settings> settings, int cpu);
    ~UdpWorker();
    UdpWorker(const UdpWorker&) = delete;
    UdpWorker& operator=(const UdpWorker&) = delete;

    void start();

    // Wakes the thread (shutdown of the socket's receive side) and joins it.
    void stop() noexcept;

    // From any thread: the thread takes `settings` before its next batch.
    void offer(std::shared_ptr<const Settings> settings);

private:
    static constexpr std::size_t batch = 64; // datagrams per recvmmsg (docs/decisions.md)

    union Control {
        cmsghdr align;
        char buf[CMSG_SPACE(sizeof(in6_pktinfo))];
    };

    void serve() noexcept;
    void answer_batch(unsigned received) noexcept;
    void take_offer() noexcept;
    std::size_t limit(std::size_t i, std::span<std::uint8_t> out, std::size_t len,
                      std::span<const std::uint8_t> query, Client& client,
                      const Snapshot* snapshot) noexcept;

    int fd_ = -1;
    bool pktinfo_ = false;
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
    RateLimiter rrl_;
    // Last, off the hot members' cache lines:
    std::atomic<bool> stopping_{false};
    std::atomic<bool> offered_{false}; // settings wait in offer_
    std::mutex offer_mutex_;
    std::shared_ptr<const Settings> offer_; // guarded by offer_mutex_
    std::thread thread_;
    int cpu_; // pinned to it, -1: not pinned
};

// One worker per CPU: a UdpWorker per listen address, and a thread running the io_context of
// the TCP acceptors and sessions (with its own Responder).
class Worker : public Responder {
public:
    Worker(const store::Env& env, const Options& options, const std::vector<Endpoint>& endpoints,
           std::shared_ptr<const Settings> settings, TransferThreads& transfer_threads, int cpu);

    void start();

    // Serves TCP on the calling thread, and UDP on the UdpWorkers' threads, until stop();
    // then stops the UdpWorkers.
    void run();

    boost::asio::io_context& io() noexcept { return io_; }

    TransferThreads& transfer_threads() noexcept { return transfer_threads_; }

    ConnectionTable& connections() noexcept { return connections_; }

    const std::vector<std::unique_ptr<UdpWorker>>& udp() const noexcept { return udp_; }

    // Runs on the worker's thread (posted by Server::reload), between two TCP queries; the
    // UdpWorkers take the settings before their next batch.
    void apply(std::shared_ptr<const Settings> settings);

private:
    void accept(boost::asio::ip::tcp::acceptor& acceptor);

    boost::asio::io_context io_;
    TransferThreads& transfer_threads_;
    std::vector<std::unique_ptr<UdpWorker>> udp_;
    std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
    boost::asio::steady_timer accept_pause_;
    ConnectionTable connections_;
};

} // namespace sb::dnsd
