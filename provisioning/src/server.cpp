// prov::Server wires the HTTP front, the worker pool and the shared services; MemoryServer
// runs the same gSOAP handling over a string (tests, fuzzing).
#include "context.hpp"
#include "http_front.hpp"
#include "provisioning/provisioning.hpp"
#include "request.hpp"
#include "reservation_timer.hpp"
#include "soap_glue.hpp"
#include "worker_pool.hpp"

namespace sb::prov {

namespace {

// What both servers hold: the services and the gSOAP context requests are served with (the
// HTTP front's workers serve on copies of it).
struct Core {
    Core(store::Env& env, const Options& o)
        : ctx(env, o)
        , soap(serving_context(o)) {}

    Context ctx;
    SoapContext soap;
};

} // namespace

struct Server::Impl : Core {
    Impl(store::Env& env, const Options& o)
        : Core(env, o)
        , pool(ctx, soap, o.threads, o.max_xml_depth)
        , front(o, pool, ctx.metrics)
        , reservations(env, SipOptions{o.call_data_days}, o.prepaid_grace) {}

    // The workers go first: they post answers to the front's I/O context.
    ~Impl() { pool.stop(); }

    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    WorkerPool pool;
    HttpFront front;
    ReservationTimer reservations;
};

Server::Server(store::Env& env, Options options)
    : impl_(std::make_unique<Impl>(env, options)) {}

Server::~Server() = default;

void Server::run() {
    impl_->front.run();
    impl_->pool.stop();
}

void Server::stop() {
    impl_->front.stop();
}

void Server::write_metrics(std::string& out) const {
    impl_->ctx.metrics.write(out, impl_->front.open_connections());
}

void Server::reload_certificate() {
    impl_->front.reload_certificate();
}

struct MemoryServer::Impl : Core {
    Impl(store::Env& env, const Options& o)
        : Core(env, o)
        , request(ctx, o.max_xml_depth) {
        use(soap.get(), request);
    }

    Request request;
};

MemoryServer::MemoryServer(store::Env& env, Options options)
    : impl_(std::make_unique<Impl>(env, options)) {}

MemoryServer::~MemoryServer() = default;

std::string MemoryServer::handle(std::string_view request) {
    std::string response;
    serve_buffer(impl_->soap.get(), request, response, "memory");
    return response;
}

} // namespace sb::prov
