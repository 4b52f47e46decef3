#include "worker_pool.hpp"

#include "log/log.hpp"
#include "request.hpp"
#include "soap_glue.hpp"

namespace sb::prov {

WorkerPool::WorkerPool(Context& ctx, const SoapContext& prototype, unsigned threads,
                       unsigned max_xml_depth)
    : ctx_(ctx)
    , prototype_(prototype)
    , max_xml_depth_(max_xml_depth) {
    for (unsigned i = 0; i < std::max(1u, threads); ++i) {
        threads_.emplace_back([this] { work(); });
    }
}

WorkerPool::~WorkerPool() {
    stop();
}

void WorkerPool::submit(Job job) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(job));
    }
    ready_.notify_one();
}

void WorkerPool::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        queue_.clear();
    }
    ready_.notify_all();
    for (auto& t : threads_) {
        if (t.joinable()) {
            t.join();
        }
    }
}

void WorkerPool::work() {
    const SoapContext context = SoapContext::copy_of(prototype_);
    Request request(ctx_, max_xml_depth_);
    use(context.get(), request);
    for (;;) {
        Job job;
        {
            std::unique_lock lock(mutex_);
            ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (stopping_) {
                return;
            }
            job = std::move(queue_.front());
            queue_.pop_front();
        }
        std::string response;
        Served served;
        try {
            served = serve_buffer(context.get(), job.request, response, job.peer);
        } catch (const std::exception& e) {
            log::write(log::Level::Error, "provisioning", "request failed",
                       {{"from", job.peer}, {"error", e.what()}});
            response = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n"
                       "Connection: close\r\n\r\n";
            served = Served{};
        }
        job.done(std::move(response), served);
    }
}

} // namespace sb::prov
