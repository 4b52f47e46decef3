// TCP sessions and the connection table (tcp.hpp).
#include "tcp.hpp"

#include "log/log.hpp"
#include "tsig.hpp"
#include "worker.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

namespace sb::dnsd {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t max_tcp_message = 65535;
// A connection's buffers, allocated as it shows it needs them, never per message: what the
// first read takes (a flood's half-open connections hold no more), what later reads take (the
// queries a client pipelines, read and answered together), and the answers written with one
// send beyond the one message that always has room.
constexpr std::size_t first_read = 512;
constexpr std::size_t read_room = 16 * 1024;
constexpr std::size_t write_room = 16 * 1024;
// answer_read: nothing to write, the connection closed or a transfer has it.
constexpr std::size_t not_ours = ~std::size_t{0};
// Transfers waiting for one of the max_transfers slots; one more is answered SERVFAIL. Each
// holds its snapshot (an LMDB reader slot) while it waits.
constexpr std::size_t transfer_queue = 64;

bool same_address(const sockaddr_storage& a, const sockaddr_storage& b) noexcept {
    if (a.ss_family != b.ss_family) {
        return false;
    }
    if (a.ss_family == AF_INET) {
        return reinterpret_cast<const sockaddr_in&>(a).sin_addr.s_addr ==
               reinterpret_cast<const sockaddr_in&>(b).sin_addr.s_addr;
    }
    return std::memcmp(&reinterpret_cast<const sockaddr_in6&>(a).sin6_addr,
                       &reinterpret_cast<const sockaddr_in6&>(b).sin6_addr, 16) == 0;
}

// The question name of a query, for log lines (labels as sent, dot separated).
std::string qname_text(std::span<const std::uint8_t> query) {
    std::string name;
    for (std::size_t pos = 12; pos < query.size() && query[pos] != 0;) {
        const std::size_t len = query[pos];
        if (pos + 1 + len > query.size()) {
            break;
        }
        name.append(reinterpret_cast<const char*>(query.data() + pos + 1), len).append(".");
        pos += 1 + len;
    }
    return name.empty() ? "." : name;
}

} // namespace

void mapped_address(const sockaddr_storage& peer, std::uint8_t* out) noexcept {
    std::memset(out, 0, 16);
    if (peer.ss_family == AF_INET) {
        out[10] = out[11] = 0xff;
        std::memcpy(out + 12, &reinterpret_cast<const sockaddr_in&>(peer).sin_addr, 4);
    } else {
        std::memcpy(out, &reinterpret_cast<const sockaddr_in6&>(peer).sin6_addr, 16);
    }
}

// One TCP connection: 2-byte length, query, answer, repeat, under a deadline that depends on
// its state. What one read brings is answered whole: the messages it completes are answered
// from one snapshot and their answers written together (RFC 7766 §6.2.1.1: pipelined queries
// are answered, and §7: a server should send as few segments as it can), two system calls for
// a client's whole batch. Shared by its pending handlers; listed in its worker's table while
// open.
class TcpSession : public std::enable_shared_from_this<TcpSession> {
public:
    enum class State : std::uint8_t {
        Idle,    // waiting for the first byte of a message
        Reading, // part of a message arrived: tcp_io_timeout runs from its first byte
        Busy,    // answering or writing
    };

    TcpSession(tcp::socket socket, const sockaddr_storage& peer, bool privileged, Worker& worker)
        : socket_(std::move(socket))
        , timer_(socket_.get_executor())
        , worker_(worker)
        , peer_(peer)
        , privileged_(privileged) {}

    TcpSession(const TcpSession&) = delete;
    TcpSession& operator=(const TcpSession&) = delete;

    void start() {
        worker_.connections().add(this);
        worker_.counters().tcp[static_cast<std::size_t>(TcpEvent::Accepted)].add();
        worker_.counters().tcp_open.add();
        timer_.expires_at(Clock::time_point::max());
        proceed();
    }

    // Closes the connection once; `why` is counted unless the client or an error ended it.
    void close(TcpEvent why = TcpEvent::Count) noexcept {
        if (closed_) {
            return;
        }
        closed_ = true;
        worker_.connections().remove(this);
        worker_.counters().tcp_open.sub();
        if (why != TcpEvent::Count) {
            worker_.counters().tcp[static_cast<std::size_t>(why)].add();
        }
        boost::system::error_code ignored;
        timer_.cancel(ignored);
        socket_.close(ignored);
    }

    State state() const noexcept { return state_; }

    Clock::time_point since() const noexcept { return since_; }

    bool privileged() const noexcept { return privileged_; }

    const sockaddr_storage& peer() const noexcept { return peer_; }

    std::size_t slot = 0; // index in the worker's ConnectionTable

private:
    void enter(State state, Clock::time_point deadline) {
        state_ = state;
        since_ = Clock::now();
        deadline_ = deadline;
        if (deadline < timer_.expiry()) {
            timer_.expires_at(deadline); // cancels the wait in progress, if any
            wait();
        }
    }

    void wait() {
        timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec == asio::error::operation_aborted || self->closed_) {
                return;
            }
            self->on_timer();
        });
    }

    void on_timer() {
        if (Clock::now() < deadline_) {
            timer_.expires_at(deadline_);
            wait();
            return;
        }
        // RFC 7766 §6.2.3 leaves idle timeouts to the server and asks it to protect itself
        // from clients that hold connections open (docs/decisions.md has our numbers).
        close(state_ == State::Idle ? TcpEvent::Idle : TcpEvent::Incomplete);
    }

    const TcpLimits& limits() const noexcept { return worker_.settings().tcp; }

    // Answers the whole messages read, then writes, or reads what is missing.
    void proceed() {
        const std::size_t used = answer_read();
        if (used == not_ours) {
            return;
        }
        if (used != 0) {
            enter(State::Busy, Clock::now() + limits().idle_timeout);
            asio::async_write(
                socket_, asio::buffer(out_.data(), used),
                [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                    if (ec) {
                        self->close();
                        return;
                    }
                    self->written();
                });
            return;
        }
        read();
    }

    // The length of the message that begins the unanswered bytes; 0: not known yet.
    std::size_t next_length() const noexcept {
        return end_ - start_ < 2 ? 0 : std::size_t{in_[start_]} << 8 | in_[start_ + 1];
    }

    // Answers the whole messages from start_ into out_, as many as it has room for; returns
    // the bytes of out_ to write, or not_ours.
    std::size_t answer_read();

    void read() {
        const std::size_t have = end_ - start_;
        if (have == 0) {
            start_ = end_ = 0;
            enter(State::Idle, Clock::now() + worker_.connections().idle_timeout(limits()));
        } else {
            if (state_ != State::Reading) {
                // A part of a message came with the last read: tcp_io_timeout runs from it.
                enter(State::Reading, Clock::now() + limits().io_timeout);
            }
            std::memmove(in_.data(), in_.data() + start_, have); // the part to the front
            start_ = 0;
            end_ = have;
        }
        // Room for the message under way, and for a batch once the client has sent one whole.
        const std::size_t length = next_length();
        std::size_t want = in_.empty() ? first_read : in_.size();
        if (answered_) {
            want = std::max(want, read_room);
        }
        if (length != 0) {
            want = std::max(want, 2 + length);
        }
        if (in_.size() < want) {
            in_.resize(want);
        }
        socket_.async_read_some(
            asio::buffer(in_.data() + end_, in_.size() - end_),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                if (ec || self->closed_) {
                    self->close();
                    return;
                }
                self->end_ += n;
                self->proceed();
            });
    }

    void transfer(std::span<const std::uint8_t> query, const QueryInfo& info);
    // Counts and logs a transfer; a streamed one then ends the connection (not ok) or waits
    // for the next query.
    void transferred(const Transfer& t, std::span<const std::uint8_t> query, const QueryInfo& info,
                     bool ok, bool busy);

    void written() {
        if (closed_) {
            return;
        }
        proceed();
    }

    tcp::socket socket_;
    asio::steady_timer timer_;
    Worker& worker_;
    sockaddr_storage peer_;
    bool privileged_;
    bool closed_ = false;
    State state_ = State::Idle;
    Clock::time_point since_{};
    Clock::time_point deadline_{};
    bool answered_ = false;        // a whole message came: reads take a batch from now on
    std::vector<std::uint8_t> in_; // read, from start_ to end_ not answered yet
    std::size_t start_ = 0;
    std::size_t end_ = 0;
    std::vector<std::uint8_t> out_;    // answers, each with its length, written together
    std::vector<std::uint8_t> stream_; // a transfer's one error message
};

std::size_t TcpSession::answer_read() {
    std::size_t used = 0;
    const Snapshot* snapshot = nullptr;
    while (end_ - start_ >= 2) {
        const std::size_t length = next_length();
        if (length == 0) {
            if (used == 0) {
                close(); // not a message: end the connection
            }
            break; // (after the answers before it are written)
        }
        if (end_ - start_ < 2 + length) {
            break; // the rest of it is still to come
        }
        if (used != 0 && out_.size() - used < 2 + max_tcp_message) {
            break; // the next answer after these are written
        }
        const std::span<const std::uint8_t> query(in_.data() + start_ + 2, length);
        QueryInfo info;
        if (query_info(query, info) && info.opcode == 0 &&
            (info.qtype == 251 || info.qtype == 252)) {
            if (used != 0) {
                break; // the answers before it go first (no snapshot is held without them)
            }
            start_ += 2 + length; // the query stays where it is: nothing reads meanwhile
            answered_ = true;
            enter(State::Busy, Clock::now() + limits().idle_timeout);
            transfer(query, info);
            return not_ours;
        }
        if (out_.empty()) {
            out_.resize(2 + max_tcp_message + write_room); // once per connection
        }
        if (snapshot == nullptr) {
            snapshot = worker_.begin(); // one for the batch
        }
        Client client;
        client.cookie = worker_.cookie_context(peer_, Worker::wall_second());
        const std::span<std::uint8_t> out(out_.data() + used + 2, max_tcp_message);
        const std::size_t len =
            worker_.answer_query(query, snapshot, Transport::Tcp, client, out, peer_);
        if (len == 0) {
            if (used == 0) {
                close(); // not a query we can answer: end the connection
            }
            break; // (after the answers before it are written)
        }
        worker_.count(Transport::Tcp, out.first(len), client);
        out_[used] = static_cast<std::uint8_t>(len >> 8);
        out_[used + 1] = static_cast<std::uint8_t>(len);
        used += 2 + len;
        start_ += 2 + length;
        answered_ = true;
    }
    if (snapshot != nullptr) {
        worker_.end();
    }
    return closed_ ? not_ours : used;
}

void TcpSession::transfer(std::span<const std::uint8_t> query, const QueryInfo& info) {
    // AXFR/IXFR (RFC 5936 §4.2: TCP only). Decided here; a zone is streamed from one snapshot
    // by a transfer thread, which writes each message as the socket drains, then hands the
    // connection back.
    std::uint8_t addr[16];
    mapped_address(peer_, addr);
    auto settings = worker_.shared_settings();
    auto t = std::make_shared<Transfer>(settings->transfers, worker_.env(), query, info, addr);
    const bool streams = t->streams();
    if (streams) {
        // The transfer thread bounds the transfer's time (transfer_timeout); the connection is
        // neither read nor timed out here meanwhile, and Busy connections are never evicted.
        enter(State::Busy, Clock::time_point::max());
        // Each message goes out whole as soon as it is made: without TCP_NODELAY the last,
        // short one waits for the ACK of the one before (Nagle against delayed ACKs, 40 ms).
        boost::system::error_code ignored;
        socket_.set_option(tcp::no_delay(true), ignored);
        const int fd = socket_.native_handle();
        const std::size_t offset = static_cast<std::size_t>(query.data() - in_.data());
        const std::size_t length = query.size(); // stays in in_: nothing reads meanwhile
        TransferThreads& threads = worker_.transfer_threads();
        const auto start = threads.submit(
            [self = shared_from_this(), t, settings, fd, info, offset, length,
             &threads](const std::atomic<bool>& stop) mutable {
                std::vector<std::uint8_t> msg;
                bool ok = true;
                TransferPacer pace(threads.udp_answered()); // yields to busy UDP workers
                while (ok && t->next(msg)) {
                    ok = send_all(fd, msg, settings->transfer_timeout, stop);
                    if (ok && !t->done()) {
                        pace.between(stop);
                    }
                }
                t->yielded(pace.paused());
                threads.add_paused(pace.paused());
                ok = ok && !t->failed();
                t->abandon(); // the snapshot goes now, not when the worker gets to it
                // The session moves into the handler: it is never destroyed on this thread,
                // whose Asio objects belong to the worker's io_context.
                const auto executor = self->socket_.get_executor();
                asio::post(executor,
                           [self = std::move(self), t = std::move(t), ok, info, offset, length] {
                               self->transferred(*t, std::span(self->in_.data() + offset, length),
                                                 info, ok, false);
                           });
            },
            settings->max_transfers, transfer_queue);
        if (start != TransferThreads::Start::Full) {
            return;
        }
        t->busy(); // max_transfers under way and transfer_queue waiting (docs/decisions.md)
    }
    t->next(stream_);
    transferred(*t, query, info, true, streams); // streams but answered here: busy
    asio::async_write(socket_, asio::buffer(stream_),
                      [self = shared_from_this()](const boost::system::error_code& e, std::size_t) {
                          if (e) {
                              self->close();
                              return;
                          }
                          self->written();
                      });
}

void TcpSession::transferred(const Transfer& t, std::span<const std::uint8_t> query,
                             const QueryInfo& info, bool ok, bool busy) {
    const unsigned rcode = t.rcode();
    const TransferResult result = busy         ? TransferResult::Busy
                                  : !ok        ? TransferResult::Failed
                                  : rcode == 0 ? TransferResult::Ok
                                  : rcode == 5 ? TransferResult::Refused
                                  : rcode == 9 ? TransferResult::NotAuth
                                               : TransferResult::Failed;
    worker_.counters().transfers[static_cast<std::size_t>(result)].add();
    worker_.counters().queries[1][qtype_slot(info.qtype)][rcode_slot(rcode)].add();
    boost::system::error_code ec;
    const auto client = socket_.remote_endpoint(ec);
    static constexpr std::string_view results[] = {"ok", "refused", "notauth", "failed", "busy"};
    sb::log::write(
        result == TransferResult::Ok ? sb::log::Level::Info : sb::log::Level::Warning, "dns",
        info.qtype == 252 ? "AXFR" : "IXFR",
        {{"zone", qname_text(query)},
         {"client", ec ? std::string("?") : client.address().to_string()},
         {"result", results[static_cast<std::size_t>(result)]},
         {"messages", std::to_string(t.messages())},
         {"bytes", std::to_string(t.bytes())},
         {"yielded_ms",
          std::to_string(
              std::chrono::duration_cast<std::chrono::milliseconds>(t.yielded()).count())}});
    if (result == TransferResult::NotAuth) {
        // Off the answer path: verify again only to say which key failed and how.
        const TsigState tsig =
            tsig_verify(query, worker_.settings().transfers.keys(), Worker::wall_second());
        if (tsig.present && tsig.error != TsigRcode::NoError) {
            static constexpr std::string_view errors[] = {"BADSIG", "BADKEY", "BADTIME"};
            const auto e = static_cast<unsigned>(tsig.error) - 16;
            sb::log::write(sb::log::Level::Warning, "dns", "TSIG failure",
                           {{"zone", qname_text(query)},
                            {"client", ec ? std::string("?") : client.address().to_string()},
                            {"key", tsig.key != nullptr ? tsig.key->text : std::string("?")},
                            {"error", e < 3 ? errors[e] : std::string_view("?")}});
        }
    }
    if (!t.streams()) {
        return; // the caller writes the one message
    }
    if (!ok) {
        close(); // a client that stopped reading or went away, or a broken stream
        return;
    }
    privileged_ = true; // a secondary (by ACL or TSIG): not evicted for others
    written();
}

ConnectionTable::Admit ConnectionTable::admit(const sockaddr_storage& peer, bool privileged,
                                              const TcpLimits& limits) {
    std::size_t same = 0;
    TcpSession* oldest = nullptr;
    for (TcpSession* s : sessions_) {
        if (same_address(s->peer(), peer)) {
            ++same;
        }
        if (!s->privileged() && s->state() != TcpSession::State::Busy &&
            (oldest == nullptr || s->since() < oldest->since())) {
            oldest = s;
        }
    }
    // RFC 7766 §6.2.2 lets a server limit the concurrent connections of one client address.
    if (!privileged && same >= limits.per_address) {
        return Admit::Refused;
    }
    const std::size_t room =
        privileged ? limits.capacity
                   : (limits.capacity > limits.reserved ? limits.capacity - limits.reserved : 1);
    if (sessions_.size() < room) {
        return Admit::Yes;
    }
    if (oldest == nullptr) {
        return Admit::Refused;
    }
    oldest->close(TcpEvent::Evicted);
    return Admit::Yes;
}

void ConnectionTable::add(TcpSession* session) {
    session->slot = sessions_.size();
    sessions_.push_back(session);
}

void ConnectionTable::remove(TcpSession* session) noexcept {
    const std::size_t slot = session->slot;
    if (slot >= sessions_.size() || sessions_[slot] != session) {
        return;
    }
    sessions_[slot] = sessions_.back();
    sessions_[slot]->slot = slot;
    sessions_.pop_back();
}

std::chrono::milliseconds ConnectionTable::idle_timeout(const TcpLimits& limits) const noexcept {
    return idle_timeout_for(sessions_.size(), limits);
}

std::chrono::milliseconds idle_timeout_for(std::size_t open, const TcpLimits& limits) noexcept {
    const std::size_t half = limits.capacity / 2;
    if (open <= half || limits.capacity <= half) {
        return limits.idle_timeout;
    }
    const std::size_t left = open >= limits.capacity ? 0 : limits.capacity - open;
    const auto span = limits.idle_timeout - limits.io_timeout;
    return limits.io_timeout +
           span * static_cast<long>(left) / static_cast<long>(limits.capacity - half);
}

void ConnectionTable::close_all() {
    while (!sessions_.empty()) {
        sessions_.back()->close();
    }
}

void serve_tcp(tcp::socket socket, const sockaddr_storage& peer, bool privileged, Worker& worker) {
    std::make_shared<TcpSession>(std::move(socket), peer, privileged, worker)->start();
}

} // namespace sb::dnsd
