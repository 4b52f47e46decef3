// The UDP threads: one per worker and listen address, each blocked in recvmmsg on its own
// SO_REUSEPORT socket. MSG_WAITFORONE returns as soon as one datagram is there, with whatever
// else came with it; the batch is answered from one snapshot and sent with one sendmmsg, the
// answers to valid server cookies first. Two system calls per wake-up, as few as a UDP server
// can make, and nothing between the send and the next receive: Asio's reactor added an
// epoll_wait and, after the send, the epoll_ctl re-arming the socket (docs/decisions.md "UDP
// threads").
#include "worker.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace sb::dnsd {

namespace {

constexpr std::size_t udp_rx_size = 4096; // larger queries arrive truncated → FORMERR

// Answers from the address the query came to: the received packet info, as send wants it.
socklen_t reply_control(const msghdr& rx, void* buf, std::size_t size) noexcept {
    for (cmsghdr* c = CMSG_FIRSTHDR(&rx); c != nullptr;
         c = CMSG_NXTHDR(const_cast<msghdr*>(&rx), c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
            size >= CMSG_SPACE(sizeof(in_pktinfo))) {
            in_pktinfo info;
            std::memcpy(&info, CMSG_DATA(c), sizeof info);
            info.ipi_spec_dst = info.ipi_addr;
            info.ipi_ifindex = 0;
            auto* out = static_cast<cmsghdr*>(buf);
            out->cmsg_level = IPPROTO_IP;
            out->cmsg_type = IP_PKTINFO;
            out->cmsg_len = CMSG_LEN(sizeof info);
            std::memcpy(CMSG_DATA(out), &info, sizeof info);
            return CMSG_SPACE(sizeof info);
        }
        if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
            size >= CMSG_SPACE(sizeof(in6_pktinfo))) {
            auto* out = static_cast<cmsghdr*>(buf);
            out->cmsg_level = IPPROTO_IPV6;
            out->cmsg_type = IPV6_PKTINFO;
            out->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
            std::memcpy(CMSG_DATA(out), CMSG_DATA(c), sizeof(in6_pktinfo));
            return CMSG_SPACE(sizeof(in6_pktinfo));
        }
    }
    return 0;
}

// The socket, opened and bound as every listener is (listen.cpp), then taken from Asio: no
// reactor watches it, and it blocks.
int open_udp_fd(const Endpoint& endpoint) {
    boost::asio::io_context io;
    boost::asio::ip::udp::socket socket(io);
    open_udp(socket, endpoint);
    boost::system::error_code ec;
    socket.non_blocking(false, ec);
    if (ec) {
        throw std::runtime_error("dns: UDP socket: " + ec.message());
    }
    return socket.release();
}

} // namespace

UdpWorker::UdpWorker(const store::Env& env, const Options& options, const Endpoint& endpoint,
                     std::shared_ptr<const Settings> settings, int cpu)
    : Responder(env, options, std::move(settings))
    , fd_(open_udp_fd(endpoint))
    , pktinfo_(endpoint.wildcard())
    , rx_(batch * udp_rx_size)
    , tx_(batch * std::max<std::size_t>(512, options.max_udp_payload))
    , rrl_(settings_->rrl_rate, settings_->rrl_slip)
    , cpu_(cpu) {
    if (cpu_ >= 0) {
        // Best effort: an older kernel keeps hashing (server.cpp, worker_cpus).
        ::setsockopt(fd_, SOL_SOCKET, SO_INCOMING_CPU, &cpu_, sizeof cpu_);
    }
    for (std::size_t i = 0; i < batch; ++i) {
        rx_iov_[i] = {rx_.data() + i * udp_rx_size, udp_rx_size};
        rx_msg_[i].msg_hdr.msg_name = &peers_[i];
        rx_msg_[i].msg_hdr.msg_namelen = sizeof(peers_[i]);
        rx_msg_[i].msg_hdr.msg_iov = &rx_iov_[i];
        rx_msg_[i].msg_hdr.msg_iovlen = 1;
        if (pktinfo_) {
            rx_msg_[i].msg_hdr.msg_control = rx_ctl_[i].buf;
            rx_msg_[i].msg_hdr.msg_controllen = sizeof rx_ctl_[i].buf;
        }
    }
}

UdpWorker::~UdpWorker() {
    stop();
    ::close(fd_);
}

void UdpWorker::start() {
    thread_ = std::thread([this] { serve(); });
}

void UdpWorker::stop() noexcept {
    if (!thread_.joinable()) {
        return;
    }
    stopping_.store(true, std::memory_order_release);
    // Shutting down the receive side wakes the blocked recvmmsg, which then returns at once
    // (Linux does so for an unconnected UDP socket too, though shutdown reports ENOTCONN).
    ::shutdown(fd_, SHUT_RD);
    thread_.join();
}

void UdpWorker::offer(std::shared_ptr<const Settings> settings) {
    const std::lock_guard<std::mutex> lock(offer_mutex_);
    offer_ = std::move(settings);
    offered_.store(true, std::memory_order_release);
}

void UdpWorker::take_offer() noexcept {
    std::shared_ptr<const Settings> settings;
    {
        const std::lock_guard<std::mutex> lock(offer_mutex_);
        settings = std::move(offer_);
        offered_.store(false, std::memory_order_relaxed);
    }
    if (settings == nullptr) {
        return;
    }
    if (settings->rrl_rate != settings_->rrl_rate || settings->rrl_slip != settings_->rrl_slip) {
        rrl_ = RateLimiter(settings->rrl_rate, settings->rrl_slip);
    }
    use(std::move(settings));
}

void UdpWorker::serve() noexcept {
    ::pthread_setname_np(::pthread_self(), "dns-udp"); // for top -H, perf and the tests
    if (cpu_ >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu_, &set);
        ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set); // best effort
    }
    for (;;) {
        const int received = ::recvmmsg(fd_, rx_msg_.data(), batch, MSG_WAITFORONE, nullptr);
        if (stopping_.load(std::memory_order_acquire)) {
            return;
        }
        if (received <= 0) {
            continue; // EINTR; a datagram's own error is not the socket's
        }
        if (offered_.load(std::memory_order_acquire)) {
            take_offer(); // Server::reload, between two batches
        }
        answer_batch(static_cast<unsigned>(received));
        for (unsigned i = 0; i < static_cast<unsigned>(received); ++i) {
            rx_msg_[i].msg_hdr.msg_namelen = sizeof(peers_[i]); // the kernel shortened them
            rx_msg_[i].msg_hdr.msg_controllen = pktinfo_ ? sizeof rx_ctl_[i].buf : 0;
        }
    }
}

// Response rate limiting of answer i (length len in out): the length to send, 0 to drop.
std::size_t UdpWorker::limit(std::size_t i, std::span<std::uint8_t> out, std::size_t len,
                             std::span<const std::uint8_t> query, Client& client,
                             const Snapshot* snapshot) noexcept {
    const CookieVerdict verdict = client.cookie.verdict;
    if (verdict == CookieVerdict::Valid) {
        counters_.rrl_spared.add(); // the address is proven: not a spoofed source
        return len;
    }
    const RateLimiter::Verdict v = rrl_.check(peers_[i], coarse_second());
    if (v == RateLimiter::Verdict::Send) {
        return len;
    }
    if (settings_->rrl_require_cookie &&
        (verdict == CookieVerdict::ClientOnly || verdict == CookieVerdict::Bad)) {
        // RFC 7873 §5.2.3 choice 2: BADCOOKIE with a fresh server cookie, no larger than
        // the query plus the cookie, so the real client proves itself on its retry.
        client.cookie.require = true;
        return answer(query, snapshot, Transport::Udp, answer_options(), client, out);
    }
    if (v == RateLimiter::Verdict::Slip) {
        counters_.rrl_slipped.add();
        return slip_answer(out.data(), len);
    }
    counters_.rrl_dropped.add();
    return 0;
}

// Answers the `received` datagrams from one snapshot and sends the answers.
void UdpWorker::answer_batch(unsigned received) noexcept {
    const std::size_t tx_size = tx_.size() / batch;
    const Snapshot* snapshot = begin();
    const std::uint32_t now = wall_second();
    const bool limiting = settings_->rrl_rate != 0;
    unsigned first = 0; // answers to a valid server cookie, in tx_msg_
    unsigned rest = 0;  // the others, in tx_rest_
    for (unsigned i = 0; i < received; ++i) {
        const std::span<const std::uint8_t> query(rx_.data() + i * udp_rx_size, rx_msg_[i].msg_len);
        const std::span<std::uint8_t> out(tx_.data() + i * tx_size, tx_size);
        Client client;
        client.cookie = cookie_context(peers_[i], now);
        std::size_t len = answer_query(query, snapshot, Transport::Udp, client, out, peers_[i]);
        if (len == 0) {
            continue;
        }
        if (limiting) {
            len = limit(i, out, len, query, client, snapshot);
        }
        if (len == 0) {
            counters_.cookies[static_cast<std::size_t>(client.cookie.verdict)].add();
            continue;
        }
        count(Transport::Udp, out.first(len), client);
        // A proven address goes out first: under a flood that fills the batch, its answer
        // does not queue behind the flood's (docs/decisions.md).
        mmsghdr& m =
            client.cookie.verdict == CookieVerdict::Valid ? tx_msg_[first++] : tx_rest_[rest++];
        tx_iov_[i] = {out.data(), len}; // iov and control of query i
        m = {};
        m.msg_hdr.msg_name = &peers_[i];
        m.msg_hdr.msg_namelen = rx_msg_[i].msg_hdr.msg_namelen;
        m.msg_hdr.msg_iov = &tx_iov_[i];
        m.msg_hdr.msg_iovlen = 1;
        if (pktinfo_) {
            const socklen_t n =
                reply_control(rx_msg_[i].msg_hdr, tx_ctl_[i].buf, sizeof tx_ctl_[i].buf);
            if (n != 0) {
                m.msg_hdr.msg_control = tx_ctl_[i].buf;
                m.msg_hdr.msg_controllen = n;
            }
        }
    }
    // One sendmmsg for both: the others follow the cookie answers (a copy only when the batch
    // holds both kinds).
    mmsghdr* msgs = tx_msg_.data();
    if (first == 0) {
        msgs = tx_rest_.data();
    } else if (rest != 0) {
        std::copy_n(tx_rest_.begin(), rest, tx_msg_.begin() + first);
    }
    const unsigned replies = first + rest;
    for (unsigned sent = 0; sent < replies;) {
        const int n = ::sendmmsg(fd_, msgs + sent, replies - sent, MSG_DONTWAIT);
        if (n > 0) {
            sent += static_cast<unsigned>(n);
        } else if (n < 0 && errno == EMSGSIZE) {
            // Larger than the interface takes, and the socket forbids fragments (listen.cpp,
            // RFC 9715 §3.1): header and question with TC=1 instead, so the client asks
            // again over TCP. One that cannot be cut, or still does not fit, is dropped.
            iovec& v = *msgs[sent].msg_hdr.msg_iov;
            const std::size_t cut =
                v.iov_len > 512 ? slip_answer(static_cast<std::uint8_t*>(v.iov_base), v.iov_len)
                                : 0;
            if (cut == 0) {
                ++sent;
            } else {
                v.iov_len = cut;
                counters_.truncated[static_cast<std::size_t>(Transport::Udp)].add();
            }
        } else {
            break; // socket buffer full: UDP answers may be dropped
        }
    }
    end(); // the answers are copies: the snapshot goes after they left, not before
}

} // namespace sb::dnsd
