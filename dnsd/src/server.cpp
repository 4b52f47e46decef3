// Sockets and threads: one Worker per thread, each with its own io_context (concurrency hint
// 1), SO_REUSEPORT UDP socket and TCP acceptor, read txn, cursor and buffers, allocated once.
// UDP waits for readability and then drains the socket with recvmmsg/sendmmsg (Asio 1.74 has
// no batch receive); TCP serves length-framed queries one after another per connection.
#include "answer.hpp"
#include "asio.hpp"
#include "dnsd/dnsd.hpp"
#include "rrl.hpp"
#include "xfr.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace sb::dnsd {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

constexpr std::size_t batch = 32;         // datagrams per recvmmsg
constexpr std::size_t udp_rx_size = 4096; // larger queries arrive truncated → FORMERR
constexpr std::size_t max_tcp_message = 65535;
constexpr auto tcp_idle_timeout = std::chrono::seconds(10);
constexpr int udp_receive_buffer = 1 << 20;
constexpr int drain_rounds = 8; // recvmmsg rounds per wake-up, so TCP gets its turn

using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

std::string where(const asio::ip::address& address, std::uint16_t port) {
    return address.to_string() + " port " + std::to_string(port);
}

class Worker;

// One TCP connection (RFC 7766): 2-byte length, query, answer, repeat until the client closes
// or stays idle for tcp_idle_timeout. Shared by its pending handlers.
class TcpSession : public std::enable_shared_from_this<TcpSession> {
public:
    TcpSession(tcp::socket socket, Worker& worker)
        : socket_(std::move(socket))
        , timer_(socket_.get_executor())
        , worker_(worker)
        , in_(max_tcp_message)
        , out_(2 + max_tcp_message) {
        opened();
    }

    ~TcpSession() { closed(); }

    TcpSession(const TcpSession&) = delete;
    TcpSession& operator=(const TcpSession&) = delete;

    void start() { read_length(); }

private:
    void opened() noexcept;
    void closed() noexcept;
    void read_length();
    void read_message(std::size_t length);
    void respond(std::size_t length);
    void transfer(std::span<const std::uint8_t> query, const QueryInfo& info);
    void write_stream();

    void close() {
        boost::system::error_code ignored;
        timer_.cancel(ignored);
        socket_.close(ignored);
    }

    tcp::socket socket_;
    asio::steady_timer timer_;
    Worker& worker_;
    std::array<std::uint8_t, 2> length_{};
    std::vector<std::uint8_t> in_;
    std::vector<std::uint8_t> out_;
    std::vector<std::uint8_t> stream_; // a zone transfer's messages
};

class Worker {
public:
    Worker(const store::Env& env, const Options& options, const asio::ip::address& address,
           unsigned tcp_limit, unsigned rrl_rate, const Transfers& transfers)
        : io_(1)
        , udp_(io_)
        , acceptor_(io_)
        , txn_(env)
        , cursor_(txn_.cursor(store::Table::DnsNodes))
        , max_udp_payload_(options.max_udp_payload)
        , rx_(batch * udp_rx_size)
        , tx_(batch * std::max<std::size_t>(512, max_udp_payload_))
        , rrl_(rrl_rate, options.rrl_slip)
        , tcp_limit_(tcp_limit)
        , transfers_(transfers) {
        answer_options_.max_udp_payload = options.max_udp_payload;
        answer_options_.identity = options.identity;
        answer_options_.version = options.version;
        answer_options_.tsig_keys = &transfers.keys();
        txn_.reset(); // hold no snapshot while idle
        bind(address, options.port);
    }

    void start() {
        wait_udp();
        accept();
    }

    asio::io_context& io() noexcept { return io_; }

    // Takes a fresh snapshot for a batch; null when the store cannot be read (SERVFAIL).
    const Snapshot* begin() noexcept {
        try {
            txn_.renew();
            cursor_.renew(txn_);
            if (!zones_.sync(txn_)) {
                txn_.reset();
                return nullptr;
            }
            return &snapshot_;
        } catch (...) {
            txn_.reset();
            return nullptr;
        }
    }

    void end() noexcept { txn_.reset(); }

    // The second of a batch, for rate limiting (coarse clock: no system call cost per query).
    static std::uint32_t coarse_second() noexcept {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
        return static_cast<std::uint32_t>(ts.tv_sec);
    }

    std::uint16_t max_udp_payload() const noexcept { return max_udp_payload_; }

    const AnswerOptions& answer_options() const noexcept { return answer_options_; }

    const Transfers& transfers() const noexcept { return transfers_; }

    const store::ReadTxn& txn() const noexcept { return txn_; }

    // RFC 7766 §6.2.2 lets a server limit its connections; sessions count themselves.
    void tcp_opened() noexcept { ++tcp_open_; }

    void tcp_closed() noexcept { --tcp_open_; }

private:
    void bind(const asio::ip::address& address, std::uint16_t port) {
        boost::system::error_code ec;
        const udp::endpoint uep(address, port);
        udp_.open(uep.protocol(), ec);
        if (!ec) {
            udp_.set_option(reuse_port(true), ec);
        }
        if (!ec) {
            udp_.bind(uep, ec);
        }
        if (!ec) {
            udp_.non_blocking(true, ec);
        }
        if (!ec) {
            grow_receive_buffer();
        }
        if (ec) {
            throw std::runtime_error("dns: cannot bind UDP " + where(address, port) + ": " +
                                     ec.message());
        }
        const tcp::endpoint tep(address, port);
        acceptor_.open(tep.protocol(), ec);
        if (!ec) {
            acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
        }
        if (!ec) {
            acceptor_.set_option(reuse_port(true), ec);
        }
        if (!ec) {
            acceptor_.bind(tep, ec);
        }
        if (!ec) {
            acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        }
        if (ec) {
            throw std::runtime_error("dns: cannot listen on TCP " + where(address, port) + ": " +
                                     ec.message());
        }
    }

    // A burst larger than the default 208 KiB receive buffer loses queries (each loss stalls a
    // client for its timeout): ask for 1 MiB as NSD does, beyond rmem_max when allowed to.
    void grow_receive_buffer() noexcept {
        const int size = udp_receive_buffer;
        const int fd = udp_.native_handle();
        if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0) {
            ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        }
    }

    void wait_udp() {
        udp_.async_wait(udp::socket::wait_read, [this](const boost::system::error_code& ec) {
            if (ec == asio::error::operation_aborted) {
                return;
            }
            drain_udp();
            wait_udp();
        });
    }

    // Receives up to `batch` datagrams, answers them from one snapshot, sends the answers.
    void drain_udp() noexcept {
        const std::size_t tx_size = tx_.size() / batch;
        for (int round = 0; round < drain_rounds; ++round) {
            for (std::size_t i = 0; i < batch; ++i) {
                rx_iov_[i] = {rx_.data() + i * udp_rx_size, udp_rx_size};
                rx_msg_[i] = {};
                rx_msg_[i].msg_hdr.msg_name = &peers_[i];
                rx_msg_[i].msg_hdr.msg_namelen = sizeof(peers_[i]);
                rx_msg_[i].msg_hdr.msg_iov = &rx_iov_[i];
                rx_msg_[i].msg_hdr.msg_iovlen = 1;
            }
            const int received =
                ::recvmmsg(udp_.native_handle(), rx_msg_.data(), batch, MSG_DONTWAIT, nullptr);
            if (received <= 0) {
                return; // EAGAIN: drained; other errors: wait for the next readiness
            }
            const Snapshot* snapshot = begin();
            const std::uint32_t second = coarse_second();
            unsigned replies = 0;
            for (int i = 0; i < received; ++i) {
                const std::span<const std::uint8_t> query(rx_.data() + i * udp_rx_size,
                                                          rx_msg_[i].msg_len);
                const std::span<std::uint8_t> out(tx_.data() + i * tx_size, tx_size);
                std::size_t len = answer(query, snapshot, Transport::Udp, answer_options_, out);
                if (len == 0) {
                    continue;
                }
                switch (rrl_.check(peers_[i], second)) {
                case RateLimiter::Verdict::Send:
                    break;
                case RateLimiter::Verdict::Slip:
                    len = slip_answer(out.data(), len);
                    break;
                case RateLimiter::Verdict::Drop:
                    len = 0;
                    break;
                }
                if (len == 0) {
                    continue;
                }
                tx_iov_[replies] = {out.data(), len};
                tx_msg_[replies] = {};
                tx_msg_[replies].msg_hdr.msg_name = &peers_[i];
                tx_msg_[replies].msg_hdr.msg_namelen = rx_msg_[i].msg_hdr.msg_namelen;
                tx_msg_[replies].msg_hdr.msg_iov = &tx_iov_[replies];
                tx_msg_[replies].msg_hdr.msg_iovlen = 1;
                ++replies;
            }
            end();
            for (unsigned sent = 0; sent < replies;) {
                const int n = ::sendmmsg(udp_.native_handle(), tx_msg_.data() + sent,
                                         replies - sent, MSG_DONTWAIT);
                if (n <= 0) {
                    break; // socket buffer full: UDP answers may be dropped
                }
                sent += static_cast<unsigned>(n);
            }
            if (static_cast<std::size_t>(received) < batch) {
                return;
            }
        }
    }

    void accept() {
        acceptor_.async_accept(io_, [this](const boost::system::error_code& ec, tcp::socket s) {
            if (ec == asio::error::operation_aborted) {
                return;
            }
            if (!ec && tcp_open_ < tcp_limit_) {
                std::make_shared<TcpSession>(std::move(s), *this)->start();
            }
            accept();
        });
    }

    asio::io_context io_;
    udp::socket udp_;
    tcp::acceptor acceptor_;
    store::ReadTxn txn_;
    store::Cursor cursor_;
    zones::ZoneIndex zones_;
    Snapshot snapshot_{txn_, cursor_, zones_};
    std::uint16_t max_udp_payload_;
    std::vector<std::uint8_t> rx_;
    std::vector<std::uint8_t> tx_;
    std::array<mmsghdr, batch> rx_msg_{};
    std::array<mmsghdr, batch> tx_msg_{};
    std::array<iovec, batch> rx_iov_{};
    std::array<iovec, batch> tx_iov_{};
    std::array<sockaddr_storage, batch> peers_{};
    AnswerOptions answer_options_;
    RateLimiter rrl_;
    unsigned tcp_limit_;
    unsigned tcp_open_ = 0;
    const Transfers& transfers_;
};

void TcpSession::opened() noexcept {
    worker_.tcp_opened();
}

void TcpSession::closed() noexcept {
    worker_.tcp_closed();
}

void TcpSession::read_length() {
    timer_.expires_after(tcp_idle_timeout);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (!ec) {
            self->close(); // idle: RFC 7766 §6.2.3 lets the server close
        }
    });
    asio::async_read(socket_, asio::buffer(length_),
                     [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                         if (ec) {
                             self->close();
                             return;
                         }
                         self->read_message(std::size_t{self->length_[0]} << 8 | self->length_[1]);
                     });
}

void TcpSession::read_message(std::size_t length) {
    asio::async_read(
        socket_, asio::buffer(in_.data(), length),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
            if (ec) {
                self->close();
                return;
            }
            self->respond(n);
        });
}

void TcpSession::respond(std::size_t length) {
    const std::span<const std::uint8_t> query(in_.data(), length);
    QueryInfo info;
    if (query_info(query, info) && info.opcode == 0 && (info.qtype == 251 || info.qtype == 252)) {
        transfer(query, info);
        return;
    }
    const Snapshot* snapshot = worker_.begin();
    const std::size_t len =
        answer(std::span<const std::uint8_t>(in_.data(), length), snapshot, Transport::Tcp,
               worker_.answer_options(), std::span<std::uint8_t>(out_.data() + 2, max_tcp_message));
    worker_.end();
    if (len == 0) {
        close(); // not a query we can answer: end the connection
        return;
    }
    out_[0] = static_cast<std::uint8_t>(len >> 8);
    out_[1] = static_cast<std::uint8_t>(len);
    asio::async_write(
        socket_, asio::buffer(out_.data(), len + 2),
        [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
            if (ec) {
                self->close();
                return;
            }
            self->read_length();
        });
}

void TcpSession::transfer(std::span<const std::uint8_t> query, const QueryInfo& info) {
    // AXFR/IXFR (RFC 5936 §4.2: TCP only). Composed whole from one snapshot, then written.
    boost::system::error_code ec;
    const auto peer = socket_.remote_endpoint(ec).address();
    std::uint8_t addr[16] = {};
    if (!ec && peer.is_v4()) {
        const auto b = peer.to_v4().to_bytes();
        addr[10] = addr[11] = 0xff;
        std::memcpy(addr + 12, b.data(), 4);
    } else if (!ec) {
        const auto b = peer.to_v6().to_bytes();
        std::memcpy(addr, b.data(), 16);
    }
    const Snapshot* snapshot = worker_.begin();
    try {
        stream_ = worker_.transfers().respond(query, info, addr,
                                              snapshot != nullptr ? &worker_.txn() : nullptr);
    } catch (const std::exception&) {
        stream_.clear();
    }
    worker_.end();
    if (stream_.empty()) {
        close();
        return;
    }
    timer_.cancel(ec);
    asio::async_write(socket_, asio::buffer(stream_),
                      [self = shared_from_this()](const boost::system::error_code& e, std::size_t) {
                          self->stream_.clear();
                          self->stream_.shrink_to_fit();
                          if (e) {
                              self->close();
                              return;
                          }
                          self->read_length();
                      });
}

} // namespace

struct Server::Impl {
    Options options; // the workers' AnswerOptions view its strings
    std::unique_ptr<Transfers> transfers;
    std::unique_ptr<Notifier> notifier;
    std::vector<std::unique_ptr<Worker>> workers;
};

Server::Server(const store::Env& env, Options options)
    : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    const Options& o = impl_->options;
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(o.address, ec);
    if (ec) {
        throw std::runtime_error("dns: '" + o.address + "' is not an IP address");
    }
    unsigned n = o.workers != 0 ? o.workers : std::thread::hardware_concurrency();
    n = n == 0 ? 1 : n;
    const unsigned tcp_limit = std::max(1u, o.tcp_max_connections / n);
    // SO_REUSEPORT spreads one client's queries over the workers: each enforces its share.
    const unsigned rrl_rate = o.rrl_rate == 0 ? 0 : std::max(1u, (o.rrl_rate + n - 1) / n);
    impl_->transfers = std::make_unique<Transfers>(o);
    for (unsigned i = 0; i < n; ++i) {
        impl_->workers.push_back(
            std::make_unique<Worker>(env, o, address, tcp_limit, rrl_rate, *impl_->transfers));
    }
    impl_->notifier = std::make_unique<Notifier>(env, o);
    for (auto& w : impl_->workers) {
        w->start();
    }
}

Server::~Server() = default;

void Server::run() {
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < impl_->workers.size(); ++i) {
        threads.emplace_back([w = impl_->workers[i].get()] { w->io().run(); });
    }
    impl_->workers.front()->io().run();
    for (auto& t : threads) {
        t.join();
    }
}

void Server::stop() {
    for (auto& w : impl_->workers) {
        w->io().stop();
    }
}

} // namespace sb::dnsd
