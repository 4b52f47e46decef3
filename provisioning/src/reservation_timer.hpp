// The server's own settle of prepaid reservations the SIP proxy never settled (docs/kamailio.md
// "Prepaid"): once a second, PrepaidService::expire_reservations (a read when nothing is due,
// else one bounded write on the store's writer).
#pragma once

#include "log/periodic.hpp"
#include "provisioning/sip.hpp"

#include <cstdint>

namespace sb::prov {

class ReservationTimer {
public:
    // `grace`: seconds after a reservation's time before it is charged in full.
    ReservationTimer(store::Env& env, const SipOptions& options, std::int64_t grace);
    ~ReservationTimer(); // stops and joins
    ReservationTimer(const ReservationTimer&) = delete;
    ReservationTimer& operator=(const ReservationTimer&) = delete;

private:
    bool step(); // true: a full batch was charged, more may be due

    PrepaidService prepaid_;
    std::int64_t grace_;
    log::Periodic thread_; // last: its thread uses the members above
};

} // namespace sb::prov
