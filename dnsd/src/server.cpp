// Workers and the Server: one Worker per CPU, each with a TCP thread (its own io_context,
// concurrency hint 1, a TCP acceptor per listen address, read txn and counters) and a UDP
// thread per listen address (UdpWorker, server_udp.cpp), the sockets SO_REUSEPORT among the
// workers. TCP sessions live in tcp.cpp, sockets and the address lock in listen.cpp, DNS
// Cookies in cookie.cpp.
#include "dnsd/dnsd.hpp"
#include "dnsd/secondary.hpp"
#include "log/log.hpp"
#include "worker.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace sb::dnsd {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

constexpr auto accept_pause = std::chrono::milliseconds(100); // out of file descriptors

unsigned share(unsigned total, unsigned workers) noexcept {
    return total == 0 ? 0 : std::max(1u, (total + workers - 1) / workers);
}

TcpLimits tcp_limits(const Options& o, unsigned workers) {
    if (o.tcp_max_connections == 0 || o.tcp_max_per_address == 0 || o.tcp_io_timeout_ms == 0 ||
        o.tcp_idle_timeout_ms < o.tcp_io_timeout_ms) {
        throw std::runtime_error(
            "dns: tcp_max_connections and tcp_max_per_address must be at least 1, "
            "tcp_io_timeout_ms at least 1 and tcp_idle_timeout_ms at least tcp_io_timeout_ms");
    }
    TcpLimits t;
    t.capacity = std::max(1u, o.tcp_max_connections / workers);
    t.per_address = share(o.tcp_max_per_address, workers);
    t.reserved = std::min<std::size_t>(share(o.tcp_reserved, workers), t.capacity - 1);
    t.io_timeout = std::chrono::milliseconds(o.tcp_io_timeout_ms);
    t.idle_timeout = std::chrono::milliseconds(o.tcp_idle_timeout_ms);
    return t;
}

unsigned checked_max_transfers(const Options& o) {
    if (o.max_transfers == 0 || o.transfer_timeout_ms == 0) {
        throw std::runtime_error("dns: max_transfers and transfer_timeout_ms must be at least 1");
    }
    return o.max_transfers;
}

std::shared_ptr<const CookieSecrets> cookie_secrets(const Options& o,
                                                    std::shared_ptr<const CookieSecrets> kept) {
    if (kept != nullptr && o.cookie_secret.empty()) {
        return kept;
    }
    return std::make_shared<const CookieSecrets>(o.cookie_secret, o.cookie_rotation);
}

// The qtype of an answer's echoed question (uncompressed, as answer() writes it); 0 if none.
std::uint16_t answered_qtype(std::span<const std::uint8_t> r) noexcept {
    if (r.size() < 12 || r[5] != 1) {
        return 0;
    }
    std::size_t pos = 12;
    while (pos < r.size() && r[pos] != 0 && (r[pos] & 0xC0) == 0) {
        pos += 1 + r[pos];
    }
    return pos + 3 <= r.size() ? static_cast<std::uint16_t>(r[pos + 1] << 8 | r[pos + 2]) : 0;
}

// The CPU of each worker's UDP threads. With a worker for every CPU the process may use (the
// default: `workers` = hardware threads), worker i's run on the i-th of them, as Knot pins its
// UDP workers (udp-handler.c: "Set thread affinity to CPU core"), and its UDP sockets take the
// datagrams received on that CPU (SO_INCOMING_CPU: Linux 6.1+ picks, in a SO_REUSEPORT group,
// the socket whose incoming CPU is the receiving one, else hashes as before; Knot's
// `socket-affinity` does the same with a BPF program). A query is then answered on the CPU
// that received it: on loopback the client's own, so the worker wakes without a cross-CPU
// wake-up (an IPI to a halted virtual CPU costs tens of µs, more than the answer), and a flood
// sent from another CPU lands on another worker. With fewer workers than CPUs, or one CPU,
// nothing is pinned (-1) and datagrams are spread by hash.
std::vector<int> worker_cpus(unsigned workers) {
    std::vector<int> cpus(workers, -1);
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) {
        return cpus;
    }
    std::vector<int> allowed;
    for (int c = 0; c < CPU_SETSIZE; ++c) {
        if (CPU_ISSET(c, &set)) {
            allowed.push_back(c);
        }
    }
    if (allowed.size() < 2 || workers < allowed.size()) {
        return cpus;
    }
    for (unsigned i = 0; i < workers; ++i) {
        cpus[i] = allowed[i % allowed.size()];
    }
    return cpus;
}

// 3,000 clients of TCP need descriptors: lift the soft limit to the hard one, as Knot does.
void raise_file_limit() noexcept {
    rlimit r{};
    if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
        r.rlim_cur = r.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &r);
    }
}

} // namespace

Settings::Settings(const Options& options, unsigned workers,
                   std::shared_ptr<const CookieSecrets> kept)
    : transfers(options)
    , tcp(tcp_limits(options, workers))
    , max_transfers(checked_max_transfers(options))
    , transfer_timeout(options.transfer_timeout_ms)
    // SO_REUSEPORT (or the receiving CPU) spreads a network's queries over the workers: each
    // enforces its share.
    , rrl_rate(share(options.rrl_rate, workers))
    , rrl_slip(options.rrl_slip)
    , rrl_require_cookie(options.rrl_require_cookie)
    , cookies_on(options.cookies)
    , cookies(cookie_secrets(options, std::move(kept)))
    , cookie_secret(options.cookie_secret) {}

Responder::Responder(const store::Env& env, const Options& options,
                     std::shared_ptr<const Settings> settings)
    : settings_(std::move(settings))
    , env_(env)
    , txn_(env)
    , cursor_(txn_.cursor(store::Table::DnsNodes))
    , chain_(txn_.cursor(store::Table::DnssecChain)) {
    answer_options_.max_udp_payload = options.max_udp_payload;
    answer_options_.identity = options.identity;
    answer_options_.version = options.version;
    answer_options_.tsig_keys = &settings_->transfers.keys();
    secondary_ = options.secondary;
    txn_.reset(); // hold no snapshot while idle
}

void Responder::use(std::shared_ptr<const Settings> settings) noexcept {
    settings_ = std::move(settings);
    answer_options_.tsig_keys = &settings_->transfers.keys();
}

Worker::Worker(const store::Env& env, const Options& options,
               const std::vector<Endpoint>& endpoints, std::shared_ptr<const Settings> settings,
               TransferThreads& transfer_threads, int cpu)
    : Responder(env, options, settings)
    , io_(1)
    , transfer_threads_(transfer_threads)
    , accept_pause_(io_) {
    for (const Endpoint& e : endpoints) {
        udp_.push_back(std::make_unique<UdpWorker>(env, options, e, settings, cpu));
        auto a = std::make_unique<tcp::acceptor>(io_);
        open_tcp(*a, e);
        acceptors_.push_back(std::move(a));
    }
}

// TCP stays on any CPU and hashed over the workers: the per-worker shares of the TCP limits
// assume connections spread evenly, and a flood from one CPU would otherwise fill one
// worker's table (docs/decisions.md).
void Worker::run() {
    for (auto& u : udp_) {
        u->start();
    }
    io_.run();
    for (auto& u : udp_) {
        u->stop();
    }
}

void Worker::start() {
    for (auto& a : acceptors_) {
        accept(*a);
    }
}

const Snapshot* Responder::begin() noexcept {
    const char* error = "the zone index cannot be built";
    try {
        txn_.renew();
        cursor_.renew(txn_);
        chain_.renew(txn_);
        if (zones_.sync(txn_)) {
            if (store_failing_) {
                store_failing_ = false;
                sb::log::write(sb::log::Level::Notice, "dns", "store readable again");
            }
            return &snapshot_;
        }
    } catch (const std::exception& e) {
        error = e.what();
    } catch (...) {
        error = "unknown error";
    }
    txn_.reset();
    // One line when the store starts failing (queries get SERVFAIL), not one per query.
    if (!store_failing_) {
        store_failing_ = true;
        sb::log::write(sb::log::Level::Error, "dns", "store error: answering SERVFAIL",
                       {{"error", error}});
    }
    return nullptr;
}

std::size_t Responder::answer_query(std::span<const std::uint8_t> query, const Snapshot* snapshot,
                                    Transport transport, Client& client,
                                    std::span<std::uint8_t> out,
                                    const sockaddr_storage& peer) noexcept {
    if (secondary_ != nullptr && query.size() > 2 && (query[2] & 0xF8) == 0x20) {
        // QR=0, opcode NOTIFY: off the query path, the Secondary may allocate.
        if (const std::size_t len = secondary_->notify(query, peer, out); len != 0) {
            return len;
        }
    }
    return answer(query, snapshot, transport, answer_options_, client, out);
}

std::uint32_t Responder::wall_second() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME_COARSE, &ts);
    return static_cast<std::uint32_t>(ts.tv_sec);
}

CookieContext Responder::cookie_context(const sockaddr_storage& peer,
                                        std::uint32_t now) const noexcept {
    CookieContext c;
    if (settings_->cookies_on) {
        c.secrets = settings_->cookies.get();
        c.peer = &peer;
        c.now = now;
    }
    return c;
}

void Responder::count(Transport transport, std::span<const std::uint8_t> response,
                      const Client& client) noexcept {
    const auto t = static_cast<std::size_t>(transport);
    const std::uint16_t qtype = client.answered ? client.qtype : answered_qtype(response);
    counters_.queries[t][qtype_slot(qtype)][rcode_slot(static_cast<unsigned>(client.rcode))].add();
    counters_.cookies[static_cast<std::size_t>(client.cookie.verdict)].add();
    if (response.size() > 2 && (response[2] & 0x02) != 0) {
        counters_.truncated[t].add();
    }
}

void Worker::apply(std::shared_ptr<const Settings> settings) {
    for (auto& u : udp_) {
        u->offer(settings);
    }
    use(std::move(settings));
}

void Worker::accept(tcp::acceptor& acceptor) {
    acceptor.async_accept(
        io_, [this, &acceptor](const boost::system::error_code& ec, tcp::socket s) {
            if (ec == asio::error::operation_aborted) {
                return;
            }
            if (ec == asio::error::no_descriptors || ec.value() == ENFILE) {
                // Out of descriptors: pause instead of spinning on the pending connection.
                accept_pause_.expires_after(accept_pause);
                accept_pause_.async_wait([this, &acceptor](const boost::system::error_code& e) {
                    if (!e) {
                        accept(acceptor);
                    }
                });
                return;
            }
            if (!ec) {
                boost::system::error_code peer_ec;
                const tcp::endpoint peer = s.remote_endpoint(peer_ec);
                sockaddr_storage ss{};
                if (!peer_ec) {
                    std::memcpy(&ss, peer.data(), std::min<std::size_t>(peer.size(), sizeof ss));
                    std::uint8_t mapped[16];
                    mapped_address(ss, mapped);
                    const bool privileged = settings_->transfers.allowed(mapped);
                    if (connections_.admit(ss, privileged, settings_->tcp) ==
                        ConnectionTable::Admit::Yes) {
                        serve_tcp(std::move(s), ss, privileged, *this);
                    } else {
                        counters_.tcp[static_cast<std::size_t>(TcpEvent::Refused)].add();
                    }
                }
            }
            accept(acceptor);
        });
}

struct Server::Impl {
    Options options; // the workers' AnswerOptions view its strings
    unsigned workers_n = 1;
    std::vector<Endpoint> endpoints;
    std::vector<std::unique_ptr<AddressLock>> locks;
    mutable std::mutex reload_mutex;
    std::shared_ptr<const Settings> settings;
    std::unique_ptr<Notifier> notifier;
    std::vector<std::unique_ptr<Worker>> workers;
    // Declared after the workers, so destroyed before them: transfers under way stop and are
    // joined while their sessions and sockets still exist.
    std::unique_ptr<TransferThreads> transfer_threads;
};

Server::Server(const store::Env& env, Options options)
    : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    const Options& o = impl_->options;
    if (o.listen.empty()) {
        throw std::runtime_error("dns: no listen address");
    }
    for (const auto& text : o.listen) {
        impl_->endpoints.push_back(parse_endpoint(text));
    }
    unsigned n = o.workers != 0 ? o.workers : std::thread::hardware_concurrency();
    n = n == 0 ? 1 : n;
    impl_->workers_n = n;
    impl_->settings = std::make_shared<const Settings>(o, n, nullptr);
    raise_file_limit();
    for (const Endpoint& e : impl_->endpoints) {
        impl_->locks.push_back(std::make_unique<AddressLock>(e));
    }
    impl_->transfer_threads = std::make_unique<TransferThreads>();
    const std::vector<int> cpus = o.cpu_affinity ? worker_cpus(n) : std::vector<int>(n, -1);
    for (unsigned i = 0; i < n; ++i) {
        impl_->workers.push_back(std::make_unique<Worker>(env, o, impl_->endpoints, impl_->settings,
                                                          *impl_->transfer_threads, cpus[i]));
    }
    // The transfers yield to the UDP workers while these are busy (TransferPacer): their load
    // is read from their counters, so the UDP path does nothing more for it.
    impl_->transfer_threads->watch([workers = &impl_->workers]() noexcept {
        std::uint64_t answered = 0;
        for (const auto& w : *workers) {
            for (const auto& u : w->udp()) {
                answered += udp_answered(u->counters());
            }
        }
        return answered;
    });
    impl_->notifier = std::make_unique<Notifier>(env, o);
    for (auto& w : impl_->workers) {
        w->start();
    }
}

Server::~Server() = default;

void Server::run() {
    for (const Endpoint& e : impl_->endpoints) {
        sb::log::write(sb::log::Level::Notice, "dns", "listening",
                       {{"address", e.text}, {"transport", "udp+tcp"}});
    }
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < impl_->workers.size(); ++i) {
        threads.emplace_back([w = impl_->workers[i].get()] { w->run(); });
    }
    impl_->workers.front()->run();
    for (auto& t : threads) {
        t.join();
    }
    for (const Endpoint& e : impl_->endpoints) {
        sb::log::write(sb::log::Level::Notice, "dns", "stopped listening", {{"address", e.text}});
    }
}

void Server::stop() {
    for (auto& w : impl_->workers) {
        w->io().stop();
    }
}

void Server::reload(const Options& options) {
    std::lock_guard<std::mutex> lock(impl_->reload_mutex);
    const auto kept = options.cookie_secret == impl_->settings->cookie_secret
                          ? impl_->settings->cookies
                          : nullptr;
    auto settings = std::make_shared<const Settings>(options, impl_->workers_n, kept);
    impl_->notifier->retarget(options); // parses before it changes anything
    impl_->settings = settings;
    for (auto& w : impl_->workers) {
        asio::post(w->io(), [w = w.get(), settings] { w->apply(settings); });
    }
    sb::log::write(sb::log::Level::Notice, "dns", "settings reloaded");
}

void Server::write_metrics(std::string& out) const {
    std::vector<const Counters*> counters;
    for (const auto& w : impl_->workers) {
        counters.push_back(&w->counters());
        for (const auto& u : w->udp()) {
            counters.push_back(&u->counters());
        }
    }
    dnsd::write_metrics(counters, impl_->notifier->counts(), out);
}

} // namespace sb::dnsd
