#include "xfr.hpp"

#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <ctime>

// The transfer threads (the pool outgoing transfers run on, at most max_transfers at once,
// nicer than the workers), the pacer that yields their CPU to UDP answering, and the
// non-blocking send they write their messages with.
namespace sb::dnsd {

namespace {

constexpr int transfer_nice = 10;

} // namespace

TransferThreads::TransferThreads() {
    CPU_ZERO(&process_cpus_);
    ::sched_getaffinity(0, sizeof process_cpus_, &process_cpus_);
}

TransferThreads::~TransferThreads() {
    stop_ = true;
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        waiting_.clear(); // never started: their sessions go with the workers
    }
    reap(true);
}

TransferThreads::Start TransferThreads::submit(Job job, unsigned limit, std::size_t queue) {
    reap(false);
    const std::lock_guard<std::mutex> lock(mutex_);
    limit_ = limit;
    if (active_.load(std::memory_order_relaxed) >= limit) {
        if (waiting_.size() >= queue) {
            return Start::Full;
        }
        waiting_.push_back(std::move(job));
        return Start::Queued;
    }
    active_.fetch_add(1, std::memory_order_relaxed);
    auto done = std::make_shared<std::atomic<bool>>(false);
    std::thread t([this, job = std::move(job), done]() mutable {
        // Below the DNS workers (10 nicer, this thread only): on a busy machine UDP answers
        // keep their CPU while a large zone streams.
        const auto tid = static_cast<id_t>(::gettid());
        ::setpriority(PRIO_PROCESS, tid,
                      std::min(19, ::getpriority(PRIO_PROCESS, tid) + transfer_nice));
        // A thread inherits its creator's CPU: not tied to the worker's (best effort).
        ::pthread_setaffinity_np(::pthread_self(), sizeof process_cpus_, &process_cpus_);
        for (;;) {
            try {
                job(stop_);
            } catch (...) {
                // the job reports its own failures; nothing may escape a thread
            }
            job = nullptr; // its captures (session, snapshot) go before the next one starts
            const std::lock_guard<std::mutex> relock(mutex_);
            if (waiting_.empty() || stop_ || active_.load(std::memory_order_relaxed) > limit_) {
                active_.fetch_sub(1, std::memory_order_relaxed);
                break;
            }
            job = std::move(waiting_.front()); // the longest waiting, in this slot
            waiting_.pop_front();
        }
        done->store(true);
    });
    threads_.push_back(Thread{std::move(t), std::move(done)});
    return Start::Now;
}

void TransferThreads::reap(bool all) {
    std::vector<Thread> ended;
    {
        const std::lock_guard<std::mutex> lock(mutex_);
        for (auto it = threads_.begin(); it != threads_.end();) {
            if (all || it->done->load()) {
                ended.push_back(std::move(*it));
                it = threads_.erase(it);
            } else {
                ++it;
            }
        }
    }
    for (auto& t : ended) {
        t.thread.join();
    }
}

namespace {

std::chrono::nanoseconds thread_cpu() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

} // namespace

TransferPacer::TransferPacer(const UdpAnswered& answered)
    : answered_(answered)
    , cpu_(thread_cpu())
    , window_queries_(answered ? answered() : 0)
    , window_(std::chrono::steady_clock::now()) {}

void TransferPacer::between(const std::atomic<bool>& stop) {
    if (!answered_) {
        return;
    }
    const auto now = std::chrono::steady_clock::now();
    const auto cpu = thread_cpu();
    const auto work = cpu - cpu_;
    cpu_ = cpu;
    const std::uint64_t queries = answered_();
    const double answered = static_cast<double>(queries - window_queries_);
    constexpr double per_window = busy_rate * std::chrono::duration<double>(window).count();
    if (const auto elapsed = now - window_; elapsed >= window) {
        busy_ = answered >= busy_rate * std::chrono::duration<double>(elapsed).count();
        window_ = now;
        window_queries_ = queries;
    } else if (answered >= per_window) {
        busy_ = true; // a busy window's worth already
    }
    // "UDP answering keeps its speed during a 1M-record transfer" (issue 15): while the
    // workers are busy the transfer gives back yield_factor times the CPU it just took.
    if (!busy_ || work.count() <= 0 || stop.load(std::memory_order_relaxed)) {
        return;
    }
    const auto pause = std::min<std::chrono::nanoseconds>(max_pause, work * yield_factor);
    std::this_thread::sleep_for(pause);
    paused_ += pause;
    ++pauses_;
}

bool send_all(int fd, std::span<const std::uint8_t> data, std::chrono::milliseconds timeout,
              const std::atomic<bool>& stop) noexcept {
    using clock = std::chrono::steady_clock;
    auto deadline = clock::now() + timeout;
    while (!data.empty()) {
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            data = data.subspan(static_cast<std::size_t>(n));
            deadline = clock::now() + timeout; // progress: the client reads
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            return false; // the client went away
        }
        const auto now = clock::now();
        if (now >= deadline || stop.load(std::memory_order_relaxed)) {
            return false;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
        pollfd p{fd, POLLOUT, 0};
        ::poll(&p, 1, static_cast<int>(std::min<long>(left.count() + 1, 100)));
    }
    return true;
}

} // namespace sb::dnsd
