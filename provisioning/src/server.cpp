// The gSOAP HTTP server: one listening context, a fixed pool of workers each owning a copy,
// keep-alive, GET /ngnpro/wsdl, and authentication of every request.
#include "context.hpp"
#include "policy.hpp"
#include "provisioning/provisioning.hpp"
#include "soapH.h"
#include "wsdl/wsdl.hpp"
#include "xml_depth.hpp"

#include <arpa/inet.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>

namespace sb::prov {

namespace {

constexpr const char* wsdl_location = "http://localhost:9200/ngnpro/";

bool same_secret(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string peer_address(const struct soap* soap) {
    char buf[INET6_ADDRSTRLEN] = "?";
    if (soap->peer.addr.sa_family == AF_INET) {
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&soap->peer)->sin_addr, buf,
                  sizeof buf);
    } else if (soap->peer.addr.sa_family == AF_INET6) {
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&soap->peer)->sin6_addr, buf,
                  sizeof buf);
    }
    return buf;
}

// GET <base>wsdl: the WSDL with its service address pointing at the base the client used.
int http_get(struct soap* soap) {
    const std::string path = soap->path;
    if (path.size() < 4 || path.compare(path.size() - 4, 4, "wsdl") != 0) {
        return 404;
    }
    std::string text = wsdl_text();
    std::string base = soap->endpoint; // "http://host:port/path" from the Host header
    if (const auto at = base.rfind("wsdl"); at != std::string::npos) {
        base.erase(at);
    }
    if (base.size() > 1 && base.back() == '?') {
        base.pop_back();
    }
    for (std::size_t at = text.find(wsdl_location); at != std::string::npos;
         at = text.find(wsdl_location, at + base.size())) {
        text.replace(at, std::string_view(wsdl_location).size(), base);
    }
    soap->http_content = "text/xml; charset=utf-8";
    if (soap_response(soap, SOAP_FILE) || soap_send_raw(soap, text.data(), text.size()) ||
        soap_end_send(soap)) {
        return soap_closesock(soap);
    }
    return SOAP_OK;
}

} // namespace

void forget_header(struct soap* soap) noexcept {
    soap->header = nullptr;
}

namespace {

bool is_loopback(const std::string& address) {
    return address == "localhost" || address == "::1" || address.rfind("127.", 0) == 0;
}

// Over the connection limits: an HTTP 503 on plain HTTP (a TLS client just sees the close).
void refuse(SOAP_SOCKET sock, bool tls) {
    if (!tls) {
        static const char answer[] = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                                     "Connection: close\r\n\r\n";
        [[maybe_unused]] const auto sent = ::send(sock, answer, sizeof answer - 1, MSG_NOSIGNAL);
    }
    ::close(sock);
}

unsigned max_xml_depth = 64;
thread_local XmlDepth xml_depth; // one soap context per worker thread

int depth_init(struct soap*) {
    xml_depth.reset();
    return SOAP_OK;
}

int depth_check(struct soap* soap, const char* data, std::size_t n) {
    if (!xml_depth.feed(data, n, max_xml_depth)) {
        return soap->error = soap_sender_fault(
                   soap,
                   ("XML nested deeper than " + std::to_string(max_xml_depth) + " levels").c_str(),
                   nullptr);
    }
    return SOAP_OK;
}

// Installs the depth check on `soap` (copies inherit it).
void install_depth_limit(struct soap* soap, unsigned max) {
    max_xml_depth = max;
    soap->fprepareinitrecv = depth_init;
    soap->fpreparerecv = depth_check;
}

} // namespace

Context& context(struct soap* soap) {
    return *static_cast<Context*>(soap->user);
}

namespace {

thread_local std::string audit_object;

bool is_change(std::string_view operation) {
    const auto dot = operation.find('.');
    const auto op = operation.substr(dot == std::string_view::npos ? 0 : dot + 1);
    for (const char* verb : {"add", "update", "delete", "set", "remove"}) {
        if (op.rfind(verb, 0) == 0) {
            return true;
        }
    }
    return false;
}

} // namespace

void audit_note(std::string what) {
    audit_object = std::move(what);
}

void audit(struct soap* soap, const char* operation, const Caller* caller, int code) {
    if (!is_change(operation) && code != static_cast<int>(ErrorCode::AuthenticationFailed)) {
        audit_object.clear();
        return;
    }
    std::ostringstream line;
    line << "audit time=" << format_date(now()) << "Z op=" << operation
         << " from=" << peer_address(soap);
    if (caller != nullptr) {
        line << " user=" << std::quoted(caller->username);
        if (caller->impersonating != 0) {
            line << " impersonate=" << caller->impersonating;
        }
        line << " as_customer=" << caller->customer;
    }
    if (!audit_object.empty()) {
        line << " object=" << std::quoted(audit_object);
    }
    line << " result=" << (code == 0 ? std::string("ok") : "fault:" + std::to_string(code));
    std::clog << line.str() << "\n";
    audit_object.clear();
}

int internal_fault(struct soap* soap, const char* operation, const char* what) {
    std::cerr << "provisioning: " << operation << " failed: " << what << "\n";
    return fault(soap, ErrorCode::Internal,
                 std::string(operation) + " failed on the server; the error is in its log");
}

// Slows down repeated failed logins from one address: after 3 failures each further one
// waits 2^(n-3) × 100 ms, at most 3 s, before its fault goes out (a success forgets them).
class LoginThrottle {
public:
    void failed(const std::string& address) {
        unsigned n;
        {
            std::lock_guard lock(mutex_);
            if (failures_.size() > 10000) {
                failures_.clear(); // bounded memory under a spray of addresses
            }
            n = ++failures_[address];
        }
        if (n > 3) {
            const unsigned shift = std::min(n - 3, 5u);
            std::this_thread::sleep_for(std::chrono::milliseconds(std::min(3000u, 100u << shift)));
        }
    }

    void succeeded(const std::string& address) {
        std::lock_guard lock(mutex_);
        failures_.erase(address);
    }

private:
    std::mutex mutex_;
    std::unordered_map<std::string, unsigned> failures_;
};

LoginThrottle& throttle() {
    static LoginThrottle t;
    return t;
}

Caller authenticate(struct soap* soap) {
    Context& ctx = context(soap);
    const ngnpro__Auth* auth = wsdl::auth(soap);
    if (auth == nullptr || auth->username.empty()) {
        throw ApiError(ErrorCode::AuthenticationFailed,
                       "the auth SOAP header with username and password is required");
    }
    const std::string address = peer_address(soap);
    const int impersonate = auth->impersonate != nullptr ? *auth->impersonate : 0;
    if (same_secret(auth->username, ctx.admin_username) &&
        same_secret(auth->password, ctx.admin_password)) {
        throttle().succeeded(address);
        if (impersonate > 0) {
            const auto customer = ctx.customers.by_id(impersonate);
            if (!customer) {
                throw ApiError(ErrorCode::CustomerNotFound, "impersonate: customer " +
                                                                std::to_string(impersonate) +
                                                                " does not exist");
            }
            Caller caller = caller_for(*customer, auth->username);
            caller.impersonating = customer->id;
            return caller;
        }
        Caller caller;
        caller.admin = true;
        caller.username = auth->username;
        return caller;
    }
    // admin=true with other credentials is a failed administrator login, never a customer's.
    const bool claims_admin = auth->admin != nullptr && *auth->admin;
    if (!claims_admin) {
        if (const auto customer = ctx.customers.login(auth->username, auth->password)) {
            throttle().succeeded(address);
            return caller_for(*customer, auth->username);
        }
    }
    std::cerr << "provisioning: failed login for '" << auth->username << "' from " << address
              << "\n";
    throttle().failed(address);
    throw ApiError(ErrorCode::AuthenticationFailed, "wrong username or password");
}

namespace {

std::unique_ptr<Context> make_context(store::Env& env, const Options& options) {
    return std::unique_ptr<Context>(
        new Context{DnsService(env, DnsDefaults{options.default_nameservers}),
                    EnumService(env, DnsDefaults{options.default_nameservers}),
                    CustomerService(env), options.admin_username, options.admin_password,
                    SipService(env, SipOptions{options.call_data_days}),
                    VoicemailService(env, SipOptions{options.call_data_days})});
}

// A gSOAP context that serves NGNPro requests for `ctx`: namespaces, the PHP client's header
// actor, GET /ngnpro/wsdl, the events endpoint and the XML depth limit.
struct soap* new_context(Context& ctx, const Options& options, soap_mode mode) {
    struct soap* m = soap_new2(mode | SOAP_C_UTFSTRING, mode | SOAP_C_UTFSTRING);
    soap_set_namespaces(m, namespaces);
    wsdl::configure(m);
    m->user = &ctx;
    m->fget = http_get;
    install_events_endpoint(m);
    install_depth_limit(m, options.max_xml_depth);
    m->recv_maxlength = options.max_request_bytes;
    m->maxlevel = options.max_xml_depth;
    m->maxoccurs = options.max_array_items;
    return m;
}

} // namespace

struct Server::Impl {
    Impl(store::Env& env, Options o)
        : options(std::move(o))
        , ctx(make_context(env, options)) {}

    ~Impl() {
        if (master != nullptr) {
            soap_destroy(master);
            soap_end(master);
            soap_free(master);
        }
    }

    void work(unsigned index) {
        struct soap* s = soap_copy(master);
        // A whole request must arrive within request_timeout (slow senders are cut off); an
        // idle keep-alive connection is closed after idle_timeout.
        s->recv_timeout = static_cast<int>(options.idle_timeout);
        s->send_timeout = static_cast<int>(options.request_timeout);
        s->transfer_timeout = static_cast<int>(options.request_timeout);
        for (;;) {
            Connection conn;
            {
                std::unique_lock lock(mutex);
                ready.wait(lock, [&] { return stopping || !queue.empty(); });
                if (queue.empty()) {
                    break;
                }
                conn = queue.front();
                queue.pop_front();
            }
            const SOAP_SOCKET sock = conn.socket;
            s->socket = sock;
            std::memcpy(&s->peer, &conn.peer, sizeof s->peer); // for logs and throttling
            s->peerlen = conn.peerlen;
            active[index] = sock;
            if (stopping) {
                ::shutdown(sock, SHUT_RDWR); // stop() may have looked before we published it
            }
            if (!tls || soap_ssl_accept(s) == SOAP_OK) {
                soap_serve(s);
            }
            active[index] = SOAP_INVALID_SOCKET;
            {
                std::lock_guard lock(mutex);
                if (--per_address[conn.address] == 0) {
                    per_address.erase(conn.address);
                }
                --open;
            }
            soap_destroy(s);
            soap_end(s);
            soap_force_closesock(s);
        }
        soap_destroy(s);
        soap_end(s);
        soap_free(s);
    }

    Options options;
    std::unique_ptr<Context> ctx;
    struct soap* master = nullptr;
    std::mutex mutex;
    std::condition_variable ready;

    struct Connection {
        SOAP_SOCKET socket = SOAP_INVALID_SOCKET;
        decltype(soap::peer) peer{};
        std::size_t peerlen = 0;
        std::string address;
    };

    bool tls = false;
    // Open connections, in all and per client address (guarded by mutex).
    unsigned open = 0;
    std::unordered_map<std::string, unsigned> per_address;
    std::deque<Connection> queue;
    std::atomic<bool> stopping{false};
    // The connection each worker serves, so that stop() can end keep-alive waits at once.
    std::unique_ptr<std::atomic<SOAP_SOCKET>[]> active;
};

// TLS 1.2 and 1.3 only, modern AEAD ciphers, the certificate chain and key from PEM files.
// Returns whether the server speaks TLS.
bool setup_tls(struct soap* m, const Options& o) {
    if (o.tls_certificate.empty() != o.tls_key.empty()) {
        throw std::runtime_error("[soap] certificate and key go together: set both or neither");
    }
    if (o.tls_certificate.empty()) {
        if (!is_loopback(o.address) && !o.allow_plain_http) {
            throw std::runtime_error("refusing plain HTTP on " + o.address +
                                     ": set [soap] certificate and key for HTTPS, or "
                                     "[soap] allow_plain_http = yes");
        }
        return false;
    }
    if (soap_ssl_server_context(m, SOAP_SSL_NO_AUTHENTICATION | SOAP_TLSv1_2 | SOAP_TLSv1_3,
                                nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
                                "switchboard") != SOAP_OK ||
        m->ctx == nullptr) {
        throw std::runtime_error("cannot set up TLS for the SOAP server");
    }
    SSL_CTX* ctx = m->ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
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
    return true;
}

Server::Server(store::Env& env, Options options)
    : impl_(std::make_unique<Impl>(env, std::move(options))) {
    struct soap* m = new_context(*impl_->ctx, impl_->options, SOAP_IO_KEEPALIVE);
    impl_->master = m;
    const unsigned n = std::max(1u, impl_->options.threads);
    impl_->active = std::make_unique<std::atomic<SOAP_SOCKET>[]>(n);
    for (unsigned i = 0; i < n; ++i) {
        impl_->active[i] = SOAP_INVALID_SOCKET;
    }
    m->bind_flags = SO_REUSEADDR;
    impl_->tls = setup_tls(m, impl_->options);
    m->accept_timeout = 1; // seconds: lets run() notice stop()
    if (!soap_valid_socket(
            soap_bind(m, impl_->options.address.c_str(), impl_->options.port, 128))) {
        throw std::runtime_error("cannot listen for SOAP on " + impl_->options.address + ":" +
                                 std::to_string(impl_->options.port) + ": " +
                                 std::string(m->errnum != 0 ? strerror(m->errnum) : "bind failed"));
    }
}

Server::~Server() = default;

void Server::run() {
    Impl& d = *impl_;
    std::vector<std::thread> workers;
    const unsigned n = std::max(1u, d.options.threads);
    for (unsigned i = 0; i < n; ++i) {
        workers.emplace_back([&d, i] { d.work(i); });
    }
    while (!d.stopping) {
        const SOAP_SOCKET sock = soap_accept(d.master);
        if (!soap_valid_socket(sock)) {
            continue; // timeout (checks stopping) or a failed accept
        }
        Impl::Connection conn;
        conn.socket = sock;
        std::memcpy(&conn.peer, &d.master->peer, sizeof conn.peer);
        conn.peerlen = d.master->peerlen;
        conn.address = peer_address(d.master);
        std::lock_guard lock(d.mutex);
        unsigned& from_peer = d.per_address[conn.address];
        if (d.open >= d.options.max_connections ||
            from_peer >= d.options.max_connections_per_address) {
            if (from_peer == 0) {
                d.per_address.erase(conn.address);
            }
            std::cerr << "provisioning: refused a connection from " << conn.address << " ("
                      << (d.open >= d.options.max_connections ? "server" : "per-address")
                      << " connection limit)\n";
            refuse(sock, d.tls);
            continue;
        }
        ++from_peer;
        ++d.open;
        d.queue.push_back(conn);
        d.ready.notify_one();
    }
    {
        std::lock_guard lock(d.mutex);
        d.ready.notify_all();
    }
    for (auto& t : workers) {
        t.join();
    }
}

void Server::stop() {
    std::lock_guard lock(impl_->mutex);
    impl_->stopping = true;
    impl_->ready.notify_all();
    {
        for (unsigned i = 0; i < std::max(1u, impl_->options.threads); ++i) {
            const SOAP_SOCKET sock = impl_->active[i];
            if (soap_valid_socket(sock)) {
                ::shutdown(sock, SHUT_RDWR);
            }
        }
    }
}

// ---- in-memory serving (tests, fuzzing) ----

namespace {

thread_local std::string_view memory_in;
thread_local std::string* memory_out = nullptr;

std::size_t memory_recv(struct soap*, char* buf, std::size_t len) {
    const std::size_t n = std::min(len, memory_in.size());
    std::memcpy(buf, memory_in.data(), n);
    memory_in.remove_prefix(n);
    return n;
}

int memory_send(struct soap*, const char* buf, std::size_t len) {
    memory_out->append(buf, len);
    return SOAP_OK;
}

} // namespace

struct MemoryServer::Impl {
    Options options;
    std::unique_ptr<Context> ctx;
    struct soap* soap = nullptr;
};

MemoryServer::MemoryServer(store::Env& env, Options options)
    : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->ctx = make_context(env, impl_->options);
    impl_->soap = new_context(*impl_->ctx, impl_->options, 0);
    impl_->soap->frecv = memory_recv;
    impl_->soap->fsend = memory_send;
}

MemoryServer::~MemoryServer() {
    soap_destroy(impl_->soap);
    soap_end(impl_->soap);
    soap_free(impl_->soap);
}

std::string MemoryServer::handle(std::string_view request) {
    std::string response;
    memory_in = request;
    memory_out = &response;
    struct soap* s = impl_->soap;
    s->socket = SOAP_INVALID_SOCKET;
    s->recvfd = 0;
    s->sendfd = 1; // unused: frecv/fsend take the I/O
    soap_serve(s);
    soap_destroy(s);
    soap_end(s);
    memory_out = nullptr;
    return response;
}

} // namespace sb::prov
