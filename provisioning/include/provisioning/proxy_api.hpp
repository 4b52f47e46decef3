// What the SIP proxy (Kamailio, OpenSIPS) reads from the store: the lookups behind
// GET <base>proxy/v1/<lookup> (docs/kamailio.md). Each lookup is one store::ReadTxn and
// writes nothing; the prepaid reserve, settle and debit write, through PrepaidService.
#pragma once

#include "provisioning/sip.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sb::prov {

// A subscriber's credentials: the HA1 digests the proxy checks digest auth with.
struct SubscriberAnswer {
    bool exists = false;
    std::string ha1, ha1b;
    bool blocked = false; // member of the group "blocked"
    bool prepaid = false;
    std::vector<std::string> groups;
};

enum class CallAction : std::uint8_t {
    Deliver,  // to the account `callee` (its registered contacts)
    Divert,   // to `target` (a URI, or the mailbox when `mailbox` is set)
    Reject,   // the caller is a reject member, or the accept rules refuse and FUNV is off
    Number,   // an alias to a bare number: route `callee.username` as a telephone number
    NotFound, // neither an account nor an alias of ours
};

const char* to_string(CallAction a) noexcept;

// Where a call to user@domain goes, decided by the callee's aliases and call settings.
struct CallDecision {
    CallAction action = CallAction::NotFound;
    SipId callee;                           // the account after alias resolution
    std::string reason;                     // "FUNC", "FUNV", "reject", "blocked", ""
    std::string target;                     // Divert: the URI ("" when to the mailbox)
    std::string mailbox;                    // the callee's voicemail box ("" without one)
    std::array<std::string, 10> diversions; // by diversion_names, for the proxy's failure routes
};

// The PSTN route of a number: the route of the longest matching prefix (then the lowest
// priority), its carrier's first gateway whose rules take the number, the number as that
// gateway's rule rewrites it.
struct RouteAnswer {
    bool found = false;
    std::uint64_t route_id = 0, gateway_id = 0;
    std::string prefix, carrier, gateway, ip, transport, number;
    std::uint32_t port = 0;
};

struct PrepaidAnswer {
    bool prepaid = false;
    double balance = 0;
    std::int64_t max_seconds = 0; // what the balance pays at the rate; 0 = nothing left
};

class ProxyService : public SipServiceBase {
public:
    using SipServiceBase::SipServiceBase;

    SubscriberAnswer subscriber(const SipId& id);
    bool domain_is_ours(const std::string& domain);
    // The account an alias names (nullopt: not an alias).
    std::optional<SipId> alias(const SipId& id);
    // `caller` is the From URI; `at` the unix time the accept rules are evaluated at (UTC).
    CallDecision call(const SipId& callee, const std::string& caller, std::int64_t at);
    std::optional<TrustedPeerView> trusted_peer(const std::string& ip);
    // `number`: E.164 digits with or without "+" or "00".
    RouteAnswer route(const std::string& number);
    // `rate`: price per minute (> 0).
    PrepaidAnswer prepaid(const SipId& id, double rate);
    // The mailbox number of the account's voicemail ("" when it has none).
    std::string mailbox(const SipId& id);
};

// The longest call a debit may name: 31 days.
inline constexpr std::int64_t max_call_seconds = 86400 * 31;

// The price of `seconds` at `rate` per minute; InvalidArgument when either is unusable.
double call_price(std::int64_t seconds, double rate);

// The whole seconds `balance` pays at `rate` (> 0) per minute: 0 when nothing is left, at most
// max_call_seconds.
std::int64_t seconds_paid(double balance, double rate);

} // namespace sb::prov
