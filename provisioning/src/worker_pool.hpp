// A fixed pool of worker threads that run gSOAP on complete requests. Each worker owns a
// copy of the serving context and its Request; a request waits in a queue until a worker is
// free, so idle and slow connections (held by the front) never occupy a worker.
#pragma once

#include "context.hpp"
#include "soap_context.hpp"
#include "soap_glue.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sb::prov {

struct Job {
    std::string request; // one complete HTTP request
    std::string peer;    // the client's address
    // Called on the worker thread with the whole HTTP response, whether the connection may
    // stay open and how long the answer must wait.
    std::function<void(std::string&& response, Served served)> done;
};

class WorkerPool {
public:
    // `prototype` is copied once per worker; it must outlive the pool.
    WorkerPool(Context& ctx, const SoapContext& prototype, unsigned threads,
               unsigned max_xml_depth);
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    void submit(Job job);
    // Lets the workers finish the request they run, drops queued ones, joins the threads.
    void stop();

private:
    void work();

    Context& ctx_;
    const SoapContext& prototype_;
    unsigned max_xml_depth_;
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<Job> queue_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

} // namespace sb::prov
