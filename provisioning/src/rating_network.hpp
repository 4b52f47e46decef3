// RatingPort and NetworkPort services, free of gSOAP: rating profiles per entity (billing data,
// Table::Prepaid key "e" entity) and this server's status and statistics as NGNPro's JSON.
#pragma once

#include "service.hpp"
#include "store/sip_tables.hpp"

#include <string>

namespace sb::prov {

// RatingEntityProfiles (reference/ngnpro-api.md §7.14), as given and as read back.
struct RatingProfiles {
    std::string entity; // "subscriber://user@domain", "domain://example.com", …
    std::string weekday, weekday_alt, weekend, weekend_alt, timezone;
};

// The administrator sets and reads the profiles of any entity. A customer or reseller reads
// those of the subscribers it may see (`subscriber://user@domain`); a reseller also sets and
// deletes them. No profiles stored for the entity: RatingProfilesNotFound (4001), the code
// CDRTool tolerates on every SIP settings page.
class RatingService {
public:
    explicit RatingService(store::Env& env)
        : env_(env) {}

    void set(const Caller& caller, const RatingProfiles& profiles);
    void remove(const Caller& caller, const std::string& entity);
    RatingProfiles get(const Caller& caller, const std::string& entity);

private:
    store::Env& env_;
};

// NetworkPort: this server as the only node of the network (reference/ngnpro-api.md §8.9).
class NetworkService {
public:
    explicit NetworkService(store::Env& env)
        : env_(env) {}

    // {"<ip>": {"ip", "version", "roles": ["provisioning_server"], attributes…}}
    std::string status(const Caller& caller, const std::string& ip);
    // {"<ip>": {"sip_proxy": {"online_accounts": {domain: n}, "total_accounts": {…}}},
    //  "summary": {"sip_proxy": {…}}}, counting the domains the caller may see.
    std::string statistics(const Caller& caller, const std::string& ip);

private:
    store::Env& env_;
};

} // namespace sb::prov
