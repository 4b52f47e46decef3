// The event-driven HTTP(S) front of the SOAP server (Boost.Asio, one I/O thread): accepts
// connections within the connection limits, terminates TLS, reads whole requests within the
// size limits and timeouts, hands each complete request to the worker pool and writes the
// response back. Waiting for a client (idle keep-alive, slow sender) costs a socket and a few
// KiB, never a worker thread.
#pragma once

#include "asio.hpp"
#include "metrics.hpp"
#include "provisioning/provisioning.hpp"
#include "worker_pool.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sb::prov {

class HttpFront {
public:
    // Checks the TLS and plain-HTTP settings and binds address:port now; throws
    // std::runtime_error saying what to fix.
    HttpFront(const Options& options, WorkerPool& pool, Metrics& metrics);
    ~HttpFront();
    HttpFront(const HttpFront&) = delete;
    HttpFront& operator=(const HttpFront&) = delete;

    // Serves on the calling thread until stop().
    void run();
    // Thread-safe; run() returns at once. Open connections are closed when the front is
    // destroyed.
    void stop() noexcept;
    // Re-reads the certificate and key files for new connections; throws (keeping the
    // certificate in use) when they cannot be read or do not match. Nothing to do without TLS.
    void reload_certificate();

    unsigned open_connections() const noexcept { return open_.load(std::memory_order_relaxed); }

private:
    class Session;
    friend class Session;

    void accept();
    void admit(boost::asio::ip::tcp::socket socket);
    void release(const std::string& address) noexcept;
    std::shared_ptr<boost::asio::ssl::context> tls_context() const;

    const Options options_;
    WorkerPool& pool_;
    Metrics& metrics_;
    // Open connections in all and per client address; the map is used on the I/O thread only.
    std::atomic<unsigned> open_{0};
    std::unordered_map<std::string, unsigned> per_address_;
    mutable std::mutex tls_mutex_;
    std::shared_ptr<boost::asio::ssl::context> tls_; // null: plain HTTP
    // Declared last: destroyed first, with the sessions its pending handlers own.
    boost::asio::io_context io_{1};
    boost::asio::ip::tcp::acceptor acceptor_{io_};
    boost::asio::steady_timer accept_retry_{io_};
};

} // namespace sb::prov
