// ReservationTimer: charges the prepaid reservations nobody settled (reservation_timer.hpp).
#include "reservation_timer.hpp"

#include "log/log.hpp"
#include "sip_common.hpp"

#include <chrono>
#include <string>

namespace sb::prov {

// Reservations are due to the second; a pass a second charges one within a second of its grace
// period, and finding nothing due is one read transaction.
ReservationTimer::ReservationTimer(store::Env& env, const SipOptions& options, std::int64_t grace)
    : prepaid_(env, options)
    , grace_(grace)
    , thread_("provisioning", std::chrono::seconds(1), [this] { return step(); }) {}

ReservationTimer::~ReservationTimer() = default;

bool ReservationTimer::step() {
    std::size_t expired = 0;
    try {
        expired = prepaid_.expire_reservations(now(), grace_);
        if (expired > 0) {
            log::write(log::Level::Notice, "provisioning",
                       "prepaid reservations not settled by the proxy charged in full",
                       {{"calls", std::to_string(expired)}});
        }
    } catch (const std::exception& e) {
        log::write(log::Level::Error, "provisioning", "expiring prepaid reservations failed",
                   {{"error", e.what()}});
    }
    return expired >= 256; // a full batch: go on at once
}

} // namespace sb::prov
