#include "json_text.hpp"
#include "policy.hpp"
#include "provisioning/rows.hpp"
#include "provisioning/services.hpp"

#include <unistd.h>

#include <map>

namespace sb::prov {

using store::Table;

namespace {

constexpr std::size_t max_entity = 255;
constexpr std::size_t max_profile = 64;

// Printable text of at most `max` bytes (an entity must not be empty either).
void check_text(const std::string& v, const std::string& field, std::size_t max, bool required) {
    if (required && v.empty()) {
        throw ApiError(ErrorCode::InvalidArgument, field + ": is required");
    }
    if (v.size() > max) {
        throw ApiError(ErrorCode::InvalidArgument,
                       field + ": at most " + std::to_string(max) + " characters");
    }
    for (const char c : v) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            throw ApiError(ErrorCode::InvalidArgument, field + ": control characters");
        }
    }
}

// The SIP domain of a "subscriber://user@domain" entity (lower case); "" for other entities.
std::string subscriber_domain(const std::string& entity) {
    constexpr std::string_view scheme = "subscriber://";
    if (entity.compare(0, scheme.size(), scheme) != 0) {
        return "";
    }
    const auto at = entity.rfind('@');
    if (at == std::string::npos || at < scheme.size()) {
        return "";
    }
    std::string d = entity.substr(at + 1);
    for (auto& c : d) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return d;
}

// Refuses a caller who may not read (change = false) or change the entity's profiles.
template <class Txn>
void authorize(const Txn& txn, const Caller& caller, const std::string& entity, bool change) {
    if (caller.admin) {
        return;
    }
    const std::string domain = subscriber_domain(entity);
    const auto row =
        domain.empty() ? std::nullopt : get_row<SipDomainRow>(txn, Table::SipDomains, domain);
    const bool reseller =
        caller.customer == caller.reseller && row && row->reseller == caller.customer;
    if (!row || !may_access(caller, row->customer, row->reseller) || (change && !reseller)) {
        throw ApiError(ErrorCode::PermissionDenied,
                       "entity: " + entity +
                           (change ? ": rating profiles are set by the administrator, or by the "
                                     "reseller of a subscriber://user@domain in its SIP domain"
                                   : ": not a subscriber://user@domain of a SIP domain you "
                                     "may see"));
    }
}

std::optional<RatingProfilesRow> load(const store::ReadTxn& txn, const std::string& entity) {
    return get_row<RatingProfilesRow>(txn, Table::Prepaid, rating_profiles_key(entity));
}

[[noreturn]] void not_found(const std::string& entity) {
    throw ApiError(ErrorCode::RatingProfilesNotFound,
                   "entity: " + entity + " has no rating profiles");
}

std::string json_counts(const std::map<std::string, std::int64_t>& counts) {
    std::string out = "{";
    for (const auto& [domain, n] : counts) {
        out += (out.size() > 1 ? ", " : "") + json_string(domain) + ": " + std::to_string(n);
    }
    return out + "}";
}

std::string hostname() {
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') {
        return "switchboard";
    }
    return name;
}

} // namespace

void RatingService::set(const Caller& caller, const RatingProfiles& in) {
    check_text(in.entity, "profiles.entity", max_entity, true);
    for (const auto& [value, field] : {std::pair{&in.weekday, "profileWeekday"},
                                       {&in.weekday_alt, "profileWeekdayAlt"},
                                       {&in.weekend, "profileWeekend"},
                                       {&in.weekend_alt, "profileWeekendAlt"},
                                       {&in.timezone, "timezone"}}) {
        check_text(*value, std::string("profiles.") + field, max_profile, false);
    }
    env_.write([&](store::WriteTxn& txn) {
        authorize(txn, caller, in.entity, true);
        const RatingProfilesRow row{in.entity,      in.weekday,  in.weekday_alt, in.weekend,
                                    in.weekend_alt, in.timezone, now()};
        txn.put(Table::Prepaid, rating_profiles_key(in.entity), encode(row));
    });
}

void RatingService::remove(const Caller& caller, const std::string& entity) {
    check_text(entity, "entity", max_entity, true);
    env_.write([&](store::WriteTxn& txn) {
        authorize(txn, caller, entity, true);
        if (!txn.get(Table::Prepaid, rating_profiles_key(entity))) {
            not_found(entity);
        }
        txn.del(Table::Prepaid, rating_profiles_key(entity));
    });
}

RatingProfiles RatingService::get(const Caller& caller, const std::string& entity) {
    check_text(entity, "entity", max_entity, true);
    store::ReadTxn txn(env_);
    authorize(txn, caller, entity, false);
    const auto row = load(txn, entity);
    if (!row) {
        not_found(entity);
    }
    return RatingProfiles{row->entity,  row->weekday,     row->weekday_alt,
                          row->weekend, row->weekend_alt, row->timezone};
}

std::string NetworkService::status(const Caller&, const std::string& ip) {
    return "{" + json_string(hostname()) + ": {\"ip\": " + json_string(ip) +
           ", \"version\": " + json_string(SB_VERSION) +
           ", \"roles\": [\"provisioning_server\"], \"dns\": \"authoritative\"}}";
}

std::string NetworkService::statistics(const Caller& caller, const std::string& ip) {
    store::ReadTxn txn(env_);
    std::map<std::string, std::int64_t> total, online;
    {
        store::Cursor c = txn.cursor(Table::SipDomains);
        for (bool ok = c.first(); ok; ok = c.next()) {
            const auto d = decoded<SipDomainRow>(c.value());
            if (may_access(caller, d.customer, d.reseller)) {
                total[d.domain] = 0;
                online[d.domain] = 0;
            }
        }
    }
    // Keys are domain '\0' user: count per domain.
    {
        store::Cursor c = txn.cursor(Table::SipAccounts);
        for (bool ok = c.first(); ok; ok = c.next()) {
            const std::string_view key = c.key();
            const auto it = total.find(std::string(key.substr(0, key.find('\0'))));
            if (it != total.end()) {
                ++it->second;
            }
        }
    }
    // Registrations: "r" domain '\0' user '\0' contact, one account's contacts adjacent.
    {
        const std::int64_t t = now();
        std::string last;
        store::Cursor c = txn.cursor(Table::CallData);
        for (bool ok = c.seek("r"); ok && c.key().starts_with("r"); ok = c.next()) {
            const std::string_view key = c.key().substr(1);
            const auto user_end = key.find('\0', key.find('\0') + 1);
            const std::string account(key.substr(0, user_end));
            if (account == last || decoded<RegistrationRow>(c.value()).expires_at <= t) {
                continue;
            }
            last = account;
            const auto it = online.find(account.substr(0, account.find('\0')));
            if (it != online.end()) {
                ++it->second;
            }
        }
    }
    const std::string figures = "{\"sip_proxy\": {\"online_accounts\": " + json_counts(online) +
                                ", \"total_accounts\": " + json_counts(total) + "}}";
    return "{" + json_string(ip) + ": " + figures + ", \"summary\": " + figures + "}";
}

} // namespace sb::prov
