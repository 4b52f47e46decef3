// The thread of a periodic job (periodic.hpp).
#include "log/periodic.hpp"

#include "log/log.hpp"

#include <exception>
#include <utility>

namespace sb::log {

Periodic::Periodic(std::string component, std::chrono::milliseconds pause,
                   std::function<bool()> step)
    : component_(std::move(component))
    , pause_(pause)
    , step_(std::move(step))
    , thread_([this] { run(); }) {}

Periodic::~Periodic() {
    {
        const std::lock_guard lock(mutex_);
        stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
}

void Periodic::wake() {
    {
        const std::lock_guard lock(mutex_);
        woken_ = true;
    }
    wake_.notify_all();
}

void Periodic::run() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
        woken_ = false;
        lock.unlock();
        bool more = false;
        try {
            more = step_();
        } catch (const std::exception& e) {
            write(Level::Error, component_, "background step failed", {{"error", e.what()}});
        }
        lock.lock();
        if (!more) {
            wake_.wait_for(lock, pause_, [this] { return stop_ || woken_; });
        }
    }
}

} // namespace sb::log
