// The provisioning services' public API, free of gSOAP: plain inputs in, store rows or views
// out, ApiError on refusal. Each write operation is exactly one store::WriteTxn, committed at
// its end. DNS, ENUM, customers (and their passwords), rating profiles and network status here;
// SIP and voicemail in provisioning/sip.hpp. Tests and bench use these headers only.
#pragma once

#include "provisioning/errors.hpp"
#include "store/store.hpp"
#include "store/tables.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sb::prov {

// Who is calling, as established from the auth header.
struct Caller {
    bool admin = false;
    std::int64_t customer = 0; // 0 for the administrator acting as itself
    std::int64_t reseller = 0;
    std::string username;
    std::int64_t impersonating = 0; // the administrator acting as this customer (audit log)
};

struct Range {
    std::int64_t start = 0;
    std::int64_t count = -1; // < 0: every match
};

struct OrderBy {
    std::string attribute;
    bool descending = false;
};

template <class T>
struct Page {
    std::int64_t total = 0;
    std::vector<T> items;
};

// Values an update may leave out are optional: absent keeps (nameservers) or resets to the
// default (numbers), see docs/decisions.md.
struct ZoneInput {
    std::string name;
    std::optional<std::uint32_t> ttl, refresh, retry, expire, minimum;
    std::optional<std::vector<std::string>> nameservers;
    std::string email;
    std::string info;
    std::int64_t customer = 0;
    std::int64_t reseller = 0;
};

struct ZoneFilter {
    std::string name, info;
    std::int64_t customer = 0, reseller = 0;
};

struct RecordInput {
    std::uint64_t id = 0;
    std::string zone, name, type, value;
    std::uint32_t ttl = 0;
    std::uint32_t priority = 0;
    std::int64_t owner = 0;
};

struct RecordFilter {
    std::uint64_t id = 0;
    std::string zone, name, type, value;
    std::int64_t owner = 0, customer = 0, reseller = 0;
};

struct DnsDefaults {
    std::vector<std::string> nameservers; // used when addZone gives none
    std::uint32_t ttl = 3600, refresh = 10800, retry = 3600, expire = 604800, minimum = 3600;
};

class DnsService {
public:
    DnsService(store::Env& env, DnsDefaults defaults);

    void add_zone(const Caller& caller, const ZoneInput& zone);
    void update_zone(const Caller& caller, const ZoneInput& zone);
    void delete_zone(const Caller& caller, const std::string& name);
    store::ZoneRow get_zone(const Caller& caller, const std::string& name);
    Page<store::ZoneRow> get_zones(const Caller& caller, const ZoneFilter& filter, Range range,
                                   const OrderBy& order);

    std::uint64_t add_record(const Caller& caller, const RecordInput& record);
    void update_record(const Caller& caller, const RecordInput& record);
    void delete_record(const Caller& caller, std::uint64_t id);
    store::RecordRow get_record(const Caller& caller, std::uint64_t id);
    Page<store::RecordRow> get_records(const Caller& caller, const RecordFilter& filter,
                                       Range range, const OrderBy& order);

private:
    store::Env& env_;
    DnsDefaults defaults_;
};

struct EnumRangeInput {
    std::string prefix, tld;
    std::optional<std::uint32_t> ttl;
    std::uint32_t min_digits = 0, max_digits = 0, size = 0;
    std::optional<std::vector<std::string>> nameservers;
    std::string info;
    std::int64_t customer = 0, reseller = 0;
};

struct EnumRangeFilter {
    std::string prefix, tld, info;
    std::int64_t customer = 0, reseller = 0;
};

// A range with the DNS zone that serves it (ttl, nameservers, serial live there).
struct EnumRangeView {
    store::EnumRangeRow range;
    store::ZoneRow zone;
};

struct EnumMappingInput {
    std::uint32_t id = 0; // 0: a new mapping
    std::string type, mapto;
    std::uint32_t priority = 0;
    std::uint32_t ttl = 0;
};

struct EnumNumberInput {
    std::string number, tld;
    std::vector<EnumMappingInput> mappings;
    std::string info;
    std::int64_t owner = 0;
};

struct EnumNumberFilter {
    std::string number, tld, type, mapto;
    std::int64_t owner = 0, customer = 0, reseller = 0;
};

constexpr std::size_t max_enum_mappings = 5; // ETSI TS 102 172

class EnumService {
public:
    EnumService(store::Env& env, DnsDefaults defaults);

    void add_range(const Caller& caller, const EnumRangeInput& range);
    void update_range(const Caller& caller, const EnumRangeInput& range);
    void delete_range(const Caller& caller, const std::string& prefix, const std::string& tld);
    Page<EnumRangeView> get_ranges(const Caller& caller, const EnumRangeFilter& filter, Range range,
                                   const OrderBy& order);

    void add_number(const Caller& caller, const EnumNumberInput& number);
    void update_number(const Caller& caller, const EnumNumberInput& number);
    void delete_number(const Caller& caller, const std::string& number, const std::string& tld);
    store::EnumNumberRow get_number(const Caller& caller, const std::string& number,
                                    const std::string& tld);
    Page<store::EnumNumberRow> get_numbers(const Caller& caller, const EnumNumberFilter& filter,
                                           Range range, const OrderBy& order);

private:
    store::Env& env_;
    DnsDefaults defaults_;
};

// The CustomerAccount string fields besides username/password, by wire name.
const std::vector<std::string>& customer_text_fields();

struct CustomerInput {
    std::int64_t id = 0, reseller = 0, impersonate = 0;
    std::string username, password;
    std::vector<std::pair<std::string, std::string>> text; // customer_text_fields() given
    double balance = 0, credit = 0;
    bool reseller_active = false;
    std::optional<std::vector<store::PropertyRow>> properties;
};

struct CustomerFilter {
    std::int64_t customer = 0, reseller = 0;
    std::vector<std::pair<std::string, std::string>> text; // username, firstName, … patterns
    bool only_resellers = false;
};

class CustomerService {
public:
    explicit CustomerService(store::Env& env);

    store::CustomerRow add(const Caller& caller, const CustomerInput& customer);
    void update(const Caller& caller, const CustomerInput& customer);
    void remove(const Caller& caller, std::int64_t id);
    store::CustomerRow get(const Caller& caller, std::int64_t id);
    // getCustomers (resellers = false) and getResellers (true: resellers, plus the customer
    // named by a customer filter).
    Page<store::CustomerRow> find(const Caller& caller, const CustomerFilter& filter, Range range,
                                  const OrderBy& order, bool resellers);
    void set_properties(const Caller& caller, std::int64_t id,
                        const std::vector<store::PropertyRow>& properties);
    std::vector<store::PropertyRow> get_properties(const Caller& caller, std::int64_t id);

    // The customer whose username and password match (for the auth header), if any.
    std::optional<store::CustomerRow> login(const std::string& username,
                                            const std::string& password);
    std::optional<store::CustomerRow> by_id(std::int64_t id);

private:
    store::Env& env_;
    struct LoginCache;
    std::shared_ptr<LoginCache> cache_;
};

// The Caller a customer's login (or the administrator impersonating it) acts as: a customer
// whose impersonate equals its reseller acts with the reseller's rights.
Caller caller_for(const store::CustomerRow& customer, const std::string& username);

// SQL LIKE as the NGNPro filters use it: '%' any run, '_' one character, case-insensitive.
bool like(std::string_view pattern, std::string_view text);

// "YYYY-MM-DD HH:MM:SS" (UTC) of a unix time; "" for 0.
std::string format_date(std::int64_t unix_time);

std::int64_t now();

// ---- customer login passwords: salted PBKDF2-HMAC-SHA256 (OpenSSL), never stored in clear

// "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" of `password` with a fresh random salt.
std::string hash_password(const std::string& password);

// Constant-time check of `password` against a stored hash_password() value.
bool verify_password(const std::string& password, const std::string& stored);

// What getAccount shows in place of the password: "hashed:" and 12 hex digits of SHA-256 of
// the stored hash (the salt and hash stay unknown), "" when none is stored. An update that
// sends this token back keeps the password, as CDRTool's customer form does.
std::string password_token(const std::string& stored);

// Whether `given` asks to keep the stored password: empty, or the stored hash's token.
bool keeps_password(const std::string& given, const std::string& stored);

// ---- RatingPort and NetworkPort: rating profiles per entity (billing data, Table::Prepaid
// key "e" entity) and this server's status and statistics as NGNPro's JSON

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

// Test hook: how many store entries the services' cursor walks (reference checks, routing,
// prefix listings) have stepped over on this thread since it started. A test compares it before
// and after an operation to show that a check reads O(1) entries, not a table.
std::uint64_t cursor_steps() noexcept;

} // namespace sb::prov
