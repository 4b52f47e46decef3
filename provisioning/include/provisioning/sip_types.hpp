// What the SIP domain, account and alias services (provisioning/sip.hpp) take and give: an
// Input per aggregate (what a client sets) and a View (what a read shows). The stored rows
// (rows.hpp) build on the same structs, so a field is declared once; rows never leave the
// services. Nested values (Acl, NameValue) list their fields() for the row codec.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sb::prov {

struct SipId {
    std::string username, domain;
};

struct SipDomainInput {
    std::string domain;
    std::int64_t customer = 0, reseller = 0;
    std::string certificate, private_key, match_ip_address, match_sip_domain;
    bool verify_cert = false, require_cert = false;
};

struct SipDomainView : SipDomainInput {
    std::int64_t change_date = 0;
};

struct Acl {
    std::string ip; // IPv4 network address
    std::uint32_t mask = 32;
    std::string tag;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.ip), v(r.mask), v(r.tag);
    }
};

struct NameValue {
    std::string name, value;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.name), v(r.value);
    }
};

// What a client sets on a SIP account besides its id, password and owner: shared by the stored
// row, the Input and the View.
struct SipAccountAttributes {
    std::string first_name, last_name, email;
    std::vector<Acl> acl;
    std::vector<std::string> groups;
    std::vector<NameValue> properties;
    std::string timezone, rpid;
    std::int64_t quota = 0;
    std::string quickdial_prefix;
    std::int64_t call_limit = 0;
    bool prepaid = false;
    std::string region;
    std::uint32_t timeout = 0;
};

// A SipAccount as given to add/update. `password` "" keeps the stored one on update.
struct SipAccountInput : SipAccountAttributes {
    SipId id;
    std::string password;
    std::int64_t owner = 0;
};

// A SipAccount as read: `password` is "" unless the tenant stores clear-text passwords; ha1 and
// ha1b are the digests of sip_ha1/sip_ha1b (sip.hpp).
struct SipAccountView : SipAccountAttributes {
    SipId id;
    std::string password, ha1, ha1b;
    std::int64_t owner = 0, customer = 0, reseller = 0;
    std::int64_t change_date = 0, create_date = 0;
};

struct SipAliasInput {
    SipId id, target; // target.domain "" for a bare number
    std::int64_t owner = 0;
};

struct SipAliasView : SipAliasInput {
    std::int64_t customer = 0, reseller = 0;
    std::int64_t change_date = 0;
};

} // namespace sb::prov
