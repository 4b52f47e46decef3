// A background thread running one job step after another (the prepaid reservation timer, the
// DNSSEC re-signer): the next step at once while a step says more work is left, else after a
// pause or when woken; stopped and joined by the destructor. Here, in the library below every
// other, because the threads of two libraries share it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace sb::log {

class Periodic {
public:
    // `step` returns true when more work is left (step again at once). An exception it lets
    // out is logged (Error, `component`) and counts as no work left. The thread starts here:
    // construct a Periodic after whatever its step uses (last member).
    Periodic(std::string component, std::chrono::milliseconds pause, std::function<bool()> step);
    ~Periodic(); // stops: the step under way ends, no other starts; joins
    Periodic(const Periodic&) = delete;
    Periodic& operator=(const Periodic&) = delete;

    // The next step now, not after the pause.
    void wake();

private:
    void run();

    std::string component_;
    std::chrono::milliseconds pause_;
    std::function<bool()> step_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    bool woken_ = false;
    std::thread thread_;
};

} // namespace sb::log
