// What the PSTN service (PstnService, provisioning/sip.hpp) takes and gives: an Input per
// aggregate (what a client sets; id 0 on add, the server assigns it) and a View (the Input as
// stored, its change date and the names of what it refers to). The stored rows (rows.hpp) add
// what only the store keeps to the same Input, so a field is declared once.
#pragma once

#include <cstdint>
#include <string>

namespace sb::prov {

struct TrustedPeerInput {
    std::string ip, protocol = "any", tag, description;
    std::int64_t customer = 0, reseller = 0, owner = 0;
    std::string from_pattern;
    bool msteams = false;
    std::string tenant, auth_token, carrier_name, originator, prefix;
    std::int64_t strip = 0, call_limit = 0, blocked = 0;
    bool enum_lookup = false, transit = false, prepaid = false;
    std::string billing_id, tags;
};

struct TrustedPeerView : TrustedPeerInput {
    std::int64_t change_date = 0;
};

struct CarrierInput {
    std::uint64_t id = 0;
    std::string name;
    std::int64_t reseller = 0; // the administrator's choice; a reseller's own otherwise
};

struct CarrierView : CarrierInput {
    std::int64_t change_date = 0;
};

struct GatewayInput {
    std::uint64_t id = 0, carrier_id = 0;
    std::string name, transport = "udp", ip;
    std::uint32_t port = 5060;
    std::int64_t reseller = 0; // stored: the carrier's
};

struct GatewayView : GatewayInput {
    std::int64_t change_date = 0;
    std::string carrier;
};

struct GatewayRuleInput {
    std::uint64_t id = 0, gateway_id = 0;
    std::string prefix, prepend;
    std::uint32_t strip = 0, min_length = 0, max_length = 0;
    std::int64_t reseller = 0; // stored: the gateway's
};

struct GatewayRuleView : GatewayRuleInput {
    std::int64_t change_date = 0;
    std::string gateway;
    std::uint64_t carrier_id = 0;
    std::string carrier;
};

struct RouteInput {
    std::uint64_t id = 0, carrier_id = 0;
    std::string prefix, originator;
    std::int64_t priority = 0, reseller = 0; // reseller stored: the carrier's
};

struct RouteView : RouteInput {
    std::int64_t change_date = 0;
    std::string carrier;
};

} // namespace sb::prov
