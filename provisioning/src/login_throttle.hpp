// Slows down repeated failed logins from one address: after 3 failures each further one
// waits 2^(n-3) × 100 ms, at most 3 s, before its fault goes out (a success forgets them).
// The wait is the front's (it holds the answer back); no worker sleeps.
#pragma once

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace sb::prov {

class LoginThrottle {
public:
    // Counts a failure from `address`; returns how long its answer must wait.
    [[nodiscard]] std::chrono::milliseconds failed(const std::string& address);
    void succeeded(const std::string& address);

private:
    std::mutex mutex_;
    std::unordered_map<std::string, unsigned> failures_;
};

} // namespace sb::prov
