// The server's own settle of prepaid reservations the SIP proxy never settled (docs/kamailio.md
// "Prepaid"): once a second, PrepaidService::expire_reservations (a read when nothing is due,
// else one bounded write on the store's writer).
#pragma once

#include "provisioning/sip.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace sb::prov {

class ReservationTimer {
public:
    // `grace`: seconds after a reservation's time before it is charged in full.
    ReservationTimer(store::Env& env, const SipOptions& options, std::int64_t grace);
    ~ReservationTimer(); // stops and joins
    ReservationTimer(const ReservationTimer&) = delete;
    ReservationTimer& operator=(const ReservationTimer&) = delete;

private:
    void run();

    PrepaidService prepaid_;
    std::int64_t grace_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stop_ = false;
    std::thread thread_;
};

} // namespace sb::prov
