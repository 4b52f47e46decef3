#include "http_front.hpp"

#include "http_framing.hpp"
#include "log/log.hpp"

#include <openssl/ssl.h>

#include <chrono>
#include <stdexcept>

namespace sb::prov {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::size_t read_chunk = 4096;

bool is_loopback(const std::string& address) {
    return address == "localhost" || address == "::1" || address.rfind("127.", 0) == 0;
}

// TLS 1.2 and 1.3 only, modern AEAD ciphers, the certificate chain and key from PEM files.
std::shared_ptr<ssl::context> make_tls_context(const Options& o) {
    auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* ctx = context->native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!SHA1:!SHA256:!SHA384");
    if (SSL_CTX_use_certificate_chain_file(ctx, o.tls_certificate.c_str()) != 1) {
        throw std::runtime_error("[soap] certificate: cannot read a PEM certificate from " +
                                 o.tls_certificate);
    }
    if (SSL_CTX_use_PrivateKey_file(ctx, o.tls_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        throw std::runtime_error("[soap] key: " + o.tls_key +
                                 " is not the PEM private key of the certificate");
    }
    return context;
}

std::string status_response(const char* status) {
    return std::string("HTTP/1.1 ") + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
}

} // namespace

// One client connection: read a whole request, let a worker answer it, write the answer,
// repeat while keep-alive. Every wait has a deadline (idle_timeout before a request's first
// byte, request_timeout from there until it is complete and while the answer is written).
class HttpFront::Session : public std::enable_shared_from_this<Session> {
public:
    Session(HttpFront& front, tcp::socket socket, std::string peer,
            std::shared_ptr<ssl::context> tls)
        : front_(front)
        , socket_(std::move(socket))
        , tls_context_(std::move(tls))
        , timer_(front.io_)
        , peer_(std::move(peer)) {}

    ~Session() { front_.release(peer_); }

    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    void start() {
        if (!tls_context_) {
            wait_for_request();
            return;
        }
        tls_ = std::make_unique<ssl::stream<tcp::socket&>>(socket_, *tls_context_);
        arm(front_.options_.request_timeout);
        tls_->async_handshake(ssl::stream_base::server, [self = shared_from_this()](error_code ec) {
            if (ec) {
                self->close();
                return;
            }
            self->wait_for_request();
        });
    }

private:
    template <class Op>
    void with_stream(Op&& op) {
        if (tls_) {
            op(*tls_);
        } else {
            op(socket_);
        }
    }

    // A new deadline replaces the previous one. A wait that completed just before it was
    // replaced is ignored by its generation, so it cannot close a connection in good standing.
    void arm(unsigned seconds) {
        timer_.expires_after(std::chrono::seconds(seconds));
        timer_.async_wait([self = shared_from_this(), generation = ++deadline_](error_code ec) {
            if (!ec && generation == self->deadline_) {
                self->close(); // a deadline passed: idle too long, or a slow sender
            }
        });
    }

    void disarm() {
        ++deadline_;
        timer_.cancel();
    }

    // The next request: maybe already buffered (pipelining), else read with a deadline.
    void wait_for_request() {
        if (in_.empty()) {
            if (in_.capacity() > (64u << 10)) {
                std::string().swap(in_); // an idle connection keeps no large buffer
            }
            arm(front_.options_.idle_timeout);
            request_started_ = false;
        } else {
            // Bytes of the next request came with the last one: its deadline runs from now.
            arm(front_.options_.request_timeout);
            request_started_ = true;
        }
        process();
    }

    void read_more() {
        if (!in_.empty() && !request_started_) {
            request_started_ = true;
            arm(front_.options_.request_timeout);
        }
        const std::size_t old = in_.size();
        in_.resize(old + read_chunk);
        with_stream([&](auto& stream) {
            stream.async_read_some(asio::buffer(in_.data() + old, read_chunk),
                                   [self = shared_from_this(), old](error_code ec, std::size_t n) {
                                       self->in_.resize(old + n);
                                       if (ec) {
                                           self->close();
                                           return;
                                       }
                                       self->process();
                                   });
        });
    }

    void process() {
        const Framing f =
            frame_request(in_, FramingLimits{64u << 10, front_.options_.max_request_bytes});
        switch (f.state) {
        case Framing::State::Incomplete:
            if (f.expect_continue && !continue_sent_) {
                continue_sent_ = true;
                write(std::string("HTTP/1.1 100 Continue\r\n\r\n"), true, false);
                return;
            }
            read_more();
            return;
        case Framing::State::HeaderTooLarge:
            write(status_response("431 Request Header Fields Too Large"), false, true);
            return;
        case Framing::State::BodyTooLarge:
            write(status_response("413 Content Too Large"), false, true);
            return;
        case Framing::State::Malformed:
            write(status_response("400 Bad Request"), false, true);
            return;
        case Framing::State::Complete:
            break;
        }
        disarm(); // a worker answers; no deadline while it runs
        continue_sent_ = false;
        Job job;
        job.request = in_.substr(0, f.length);
        in_.erase(0, f.length);
        job.peer = peer_;
        // The session moves from the worker's callback into the posted handler, so its last
        // owner is always on the I/O thread (it touches the front's per-address counts).
        job.done = [self = shared_from_this()](std::string&& response, Served served) mutable {
            HttpFront& front = self->front_;
            asio::post(front.io_,
                       [self = std::move(self), response = std::move(response), served]() mutable {
                           self->answer(std::move(response), served);
                       });
        };
        front_.pool_.submit(std::move(job));
    }

    // The worker's answer, after the login throttle's wait (on the timer, not on a thread).
    void answer(std::string response, Served served) {
        if (served.delay.count() <= 0) {
            write(std::move(response), served.keep_alive, true);
            return;
        }
        disarm();
        timer_.expires_after(served.delay);
        timer_.async_wait([self = shared_from_this(), generation = deadline_,
                           response = std::move(response), served](error_code ec) mutable {
            if (!ec && generation == self->deadline_) {
                self->write(std::move(response), served.keep_alive, true);
            }
        });
    }

    // Writes `data`; then reads on (`keep_alive`) or closes. `final` answers end a request.
    void write(std::string data, bool keep_alive, bool final) {
        out_ = std::move(data);
        if (final) {
            arm(front_.options_.request_timeout);
        }
        with_stream([&](auto& stream) {
            asio::async_write(
                stream, asio::buffer(out_),
                [self = shared_from_this(), keep_alive, final](error_code ec, std::size_t) {
                    self->out_.clear();
                    if (ec || !keep_alive) {
                        self->close();
                    } else if (final) {
                        self->wait_for_request();
                    } else {
                        self->read_more();
                    }
                });
        });
    }

    void close() {
        disarm();
        error_code ignored;
        if (!tls_) {
            socket_.shutdown(tcp::socket::shutdown_both, ignored);
        }
        socket_.close(ignored);
    }

    HttpFront& front_;
    tcp::socket socket_;
    std::shared_ptr<ssl::context> tls_context_; // kept while the connection uses it
    std::unique_ptr<ssl::stream<tcp::socket&>> tls_;
    asio::steady_timer timer_;
    std::string peer_;
    std::string in_;        // received, not yet handed to a worker
    std::string out_;       // being written
    unsigned deadline_ = 0; // generation of the current deadline
    bool request_started_ = false;
    bool continue_sent_ = false;
};

HttpFront::HttpFront(const Options& options, WorkerPool& pool, Metrics& metrics)
    : options_(options)
    , pool_(pool)
    , metrics_(metrics) {
    if (options_.tls_certificate.empty() != options_.tls_key.empty()) {
        throw std::runtime_error("[soap] certificate and key go together: set both or neither");
    }
    if (options_.tls_certificate.empty()) {
        if (!is_loopback(options_.address) && !options_.allow_plain_http) {
            throw std::runtime_error("refusing plain HTTP on " + options_.address +
                                     ": set [soap] certificate and key for HTTPS, or "
                                     "[soap] allow_plain_http = yes");
        }
    } else {
        tls_ = make_tls_context(options_);
    }
    const std::string where = options_.address + ":" + std::to_string(options_.port);
    try {
        tcp::resolver resolver(io_);
        const auto endpoint =
            resolver.resolve(options_.address, std::to_string(options_.port))->endpoint();
        acceptor_.open(endpoint.protocol());
        acceptor_.set_option(tcp::acceptor::reuse_address(true));
        acceptor_.bind(endpoint);
        acceptor_.listen(asio::socket_base::max_listen_connections);
    } catch (const boost::system::system_error& e) {
        throw std::runtime_error("cannot listen for SOAP on " + where + ": " + e.code().message());
    }
    accept();
}

HttpFront::~HttpFront() = default;

void HttpFront::run() {
    io_.run();
}

void HttpFront::stop() noexcept {
    io_.stop();
}

void HttpFront::reload_certificate() {
    if (!tls_context()) {
        return;
    }
    auto fresh = make_tls_context(options_);
    std::lock_guard lock(tls_mutex_);
    tls_ = std::move(fresh);
}

std::shared_ptr<ssl::context> HttpFront::tls_context() const {
    std::lock_guard lock(tls_mutex_);
    return tls_;
}

void HttpFront::accept() {
    acceptor_.async_accept([this](error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted) {
            return;
        }
        if (ec) {
            // Out of descriptors (EMFILE) and the like: try again shortly, do not spin.
            log::write(log::Level::Warning, "provisioning", "accept failed",
                       {{"error", ec.message()}});
            accept_retry_.expires_after(std::chrono::milliseconds(100));
            accept_retry_.async_wait([this](error_code e) {
                if (!e) {
                    accept();
                }
            });
            return;
        }
        admit(std::move(socket));
        accept();
    });
}

void HttpFront::admit(tcp::socket socket) {
    error_code ec;
    auto address = socket.remote_endpoint(ec).address();
    if (ec) {
        return; // already gone
    }
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    }
    std::string peer = address.to_string();
    unsigned& from_peer = per_address_[peer];
    const bool server_full = open_.load(std::memory_order_relaxed) >= options_.max_connections;
    if (server_full || from_peer >= options_.max_connections_per_address) {
        if (from_peer == 0) {
            per_address_.erase(peer);
        }
        metrics_.refused_connection();
        log::write(log::Level::Warning, "provisioning", "refused a connection",
                   {{"from", peer}, {"limit", server_full ? "server" : "per-address"}});
        // An HTTP 503 on plain HTTP; a TLS client just sees the close.
        if (!tls_context()) {
            static const std::string answer = status_response("503 Service Unavailable");
            socket.non_blocking(true, ec);
            socket.send(asio::buffer(answer), 0, ec); // a fresh socket's buffer takes it
        }
        socket.shutdown(tcp::socket::shutdown_both, ec);
        socket.close(ec);
        return;
    }
    // Every answer leaves in one write once complete: Nagle would only hold back the second of
    // two writes (100 Continue, then the answer) for the client's delayed ACK, up to 40 ms.
    socket.set_option(tcp::no_delay(true), ec);
    ++from_peer;
    open_.fetch_add(1, std::memory_order_relaxed);
    std::make_shared<Session>(*this, std::move(socket), std::move(peer), tls_context())->start();
}

void HttpFront::release(const std::string& address) noexcept {
    open_.fetch_sub(1, std::memory_order_relaxed);
    const auto it = per_address_.find(address);
    if (it != per_address_.end() && --it->second == 0) {
        per_address_.erase(it);
    }
}

} // namespace sb::prov
