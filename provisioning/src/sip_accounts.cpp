// SipPort domains, accounts, groups and aliases (guide "SIP Domains", "SIP Accounts",
// "SIP Aliases"; reference/ngnpro-api.md §8.1). Choices: docs/sip.md.
#include "sip_common.hpp"

#include <arpa/inet.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace sb::prov {

namespace sip {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

std::string domain_name(const std::string& text, const char* field) {
    std::string name;
    try {
        name = zones::canonical_name(text, field);
    } catch (const zones::InvalidValue& e) {
        throw invalid(e);
    }
    if (name.empty()) {
        throw ApiError(ErrorCode::InvalidArgument, std::string(field) + ": a domain is required");
    }
    return name;
}

SipId normal_id(const SipId& id, const char* field) {
    SipId out{lower(id.username), domain_name(id.domain, field)};
    static const std::string allowed = "._+=~!$&'()*,;-";
    const bool ok = !out.username.empty() && out.username.size() <= 64 &&
                    std::all_of(out.username.begin(), out.username.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) ||
                               allowed.find(c) != std::string::npos;
                    });
    if (!ok) {
        throw ApiError(ErrorCode::InvalidArgument,
                       std::string(field) + ".username: '" + id.username +
                           "' is not a SIP user name (1-64 of a-z 0-9 " + allowed + ")");
    }
    return out;
}

void check_ipv4(const std::string& ip, const std::string& field) {
    in_addr a{};
    if (inet_pton(AF_INET, ip.c_str(), &a) != 1) {
        throw ApiError(ErrorCode::InvalidArgument,
                       field + ": '" + ip + "' is not an IPv4 address (a.b.c.d)");
    }
}

bool property_on(const store::WriteTxn& txn, std::int64_t customer, const char* name,
                 bool fallback) {
    if (customer == 0) {
        return fallback;
    }
    const auto row = store::get_customer(txn, customer);
    const store::PropertyRow* p = row ? row->property(name) : nullptr;
    if (p == nullptr || p->value.empty()) {
        return fallback;
    }
    const std::string v = lower(p->value);
    return v == "1" || v == "yes" || v == "true" || v == "on";
}

} // namespace sip

using namespace sip;

namespace {

std::string md5_hex(const std::string& text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(text.data(), text.size(), digest, &n, EVP_md5(), nullptr) != 1) {
        throw std::runtime_error("MD5 digest failed");
    }
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 15]);
    }
    return out;
}

bool is_hex32(std::string_view s) {
    return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
               return std::isxdigit(static_cast<unsigned char>(c)) != 0;
           });
}

// The password as given (guide "SIP Accounts"): with a ':' it must be digest1:digest2 (two
// 32-hex-digit MD5 digests), stored as given; anything else is clear text, hashed here and
// kept only when the tenant's store_clear_text_passwords is on.
void set_password(const store::WriteTxn& txn, SipAccountRow& row, const std::string& password,
                  const SipDomainRow& domain) {
    if (password.find(':') != std::string::npos) {
        const auto colon = password.find(':');
        const std::string d1 = password.substr(0, colon), d2 = password.substr(colon + 1);
        if (!is_hex32(d1) || !is_hex32(d2)) {
            throw ApiError(ErrorCode::SipPasswordInvalid,
                           "password: a password with ':' must be digest1:digest2, two MD5 "
                           "digests of 32 hex digits each (clear-text passwords cannot "
                           "contain ':')");
        }
        row.ha1 = lower(d1);
        row.ha1b = lower(d2);
        row.password.clear();
        return;
    }
    if (password.size() > 128 || std::any_of(password.begin(), password.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
        })) {
        throw ApiError(ErrorCode::SipPasswordInvalid,
                       "password: a clear-text password has at most 128 characters and no "
                       "control characters");
    }
    row.ha1 = sip_ha1(row.username, row.domain, password);
    row.ha1b = sip_ha1b(row.username, row.domain, password);
    // The customer's property wins over its reseller's; both absent = yes (the guide's default).
    const bool store_clear =
        property_on(txn, domain.customer, "store_clear_text_passwords",
                    property_on(txn, domain.reseller, "store_clear_text_passwords", true));
    row.password = store_clear ? password : std::string();
}

constexpr const char* reserved_groups[] = {"prepaid", "intercept"};

bool is_reserved(const std::string& g) {
    return std::find(std::begin(reserved_groups), std::end(reserved_groups), g) !=
           std::end(reserved_groups);
}

void check_group_name(const std::string& g) {
    const bool ok = !g.empty() && g.size() <= 64 && std::all_of(g.begin(), g.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    });
    if (!ok) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "groups: '" + g + "' is not a group name (1-64 of a-z 0-9 - _ .)");
    }
}

// New group list: empty names dropped, duplicates merged; non-administrators may neither add
// nor remove a reserved group (prepaid, intercept).
std::vector<std::string> new_groups(const Caller& caller, const std::vector<std::string>& old,
                                    const std::vector<std::string>& wanted) {
    std::vector<std::string> out;
    for (const auto& raw : wanted) {
        const std::string g = lower(raw);
        if (g.empty() || std::find(out.begin(), out.end(), g) != out.end()) {
            continue;
        }
        check_group_name(g);
        out.push_back(g);
    }
    if (!caller.admin) {
        for (const char* r : reserved_groups) {
            const bool had = std::find(old.begin(), old.end(), r) != old.end();
            const bool has = std::find(out.begin(), out.end(), r) != out.end();
            if (had != has) {
                throw ApiError(ErrorCode::PermissionDenied,
                               std::string("groups: '") + r +
                                   "' is reserved; only the administrator changes it");
            }
        }
    }
    return out;
}

// PSTN and prepaid rights of accounts in a domain that has a customer (guide "Conventions for
// the properties"): a non-administrator may give PSTN access (free-pstn, prepaid) only when
// the domain's reseller has pstn_access = 1, and switch prepaid/postpaid only with
// prepaid_changes = 1.
void check_pstn_rights(const store::WriteTxn& txn, const Caller& caller, const SipDomainRow& d,
                       const SipAccountRow* old, const SipAccountRow& row) {
    if (caller.admin || d.customer == 0) {
        return;
    }
    auto has = [](const SipAccountRow& r, const char* g) {
        return std::find(r.groups.begin(), r.groups.end(), g) != r.groups.end();
    };
    const bool gains_pstn = has(row, "free-pstn") && (old == nullptr || !has(*old, "free-pstn"));
    const bool gains_prepaid = old == nullptr && row.prepaid;
    if ((gains_pstn || gains_prepaid) && !property_on(txn, d.reseller, "pstn_access", false)) {
        throw ApiError(ErrorCode::PermissionDenied,
                       "PSTN access (free-pstn, prepaid) needs the pstn_access property of "
                       "reseller " +
                           std::to_string(d.reseller));
    }
    if (old != nullptr && old->prepaid != row.prepaid &&
        !property_on(txn, d.reseller, "prepaid_changes", false)) {
        throw ApiError(ErrorCode::PermissionDenied,
                       "prepaid: switching prepaid/postpaid needs the prepaid_changes property "
                       "of reseller " +
                           std::to_string(d.reseller));
    }
}

void apply_account(const Caller& caller, SipAccountRow& row, const SipAccountInput& in) {
    row.first_name = in.first_name;
    row.last_name = in.last_name;
    row.email = in.email;
    row.acl.clear();
    for (std::size_t i = 0; i < in.acl.size(); ++i) {
        const auto& a = in.acl[i];
        const std::string field = "acl[" + std::to_string(i) + "]";
        check_ipv4(a.ip, field + ".ip");
        if (a.mask > 32) {
            throw ApiError(ErrorCode::InvalidArgument, field + ".mask: must be 0-32");
        }
        row.acl.push_back(a);
    }
    row.groups = new_groups(caller, row.groups, in.groups);
    row.properties.clear();
    for (const auto& p : in.properties) {
        if (p.name.empty()) {
            throw ApiError(ErrorCode::InvalidArgument, "properties: a property needs a name");
        }
        row.properties.push_back(p);
    }
    row.timezone = in.timezone;
    row.rpid = in.rpid;
    if (in.quota < 0 || in.call_limit < 0) {
        throw ApiError(ErrorCode::InvalidArgument, "quota, callLimit: must not be negative");
    }
    row.quota = in.quota;
    row.quickdial_prefix = in.quickdial_prefix;
    row.call_limit = in.call_limit;
    row.prepaid = in.prepaid;
    row.region = in.region;
    if (in.timeout > 900) {
        throw ApiError(ErrorCode::InvalidArgument, "timeout: at most 900 seconds");
    }
    row.timeout = in.timeout;
    row.owner = in.owner;
}

// The alias row of `id` (no tenant check), if any.
template <class Txn>
std::optional<SipAliasRow> find_alias(const Txn& txn, const SipId& id) {
    return get_row<SipAliasRow>(txn, Table::SipAliases, sip_key(id.username, id.domain));
}

void delete_alias_row(store::WriteTxn& txn, const SipAliasRow& a) {
    txn.del(Table::SipAliases, sip_key(a.username, a.domain));
    reindex<SipAliasRow>(txn, &a, nullptr);
    release(txn, Kind::SipAlias, Tenant{a.customer, a.reseller});
}

} // namespace

std::string sip_ha1(const std::string& username, const std::string& domain,
                    const std::string& password) {
    return md5_hex(lower(username) + ":" + lower(domain) + ":" + password);
}

std::string sip_ha1b(const std::string& username, const std::string& domain,
                     const std::string& password) {
    const std::string d = lower(domain);
    return md5_hex(lower(username) + "@" + d + ":" + d + ":" + password);
}

// ---- domains

namespace {

void apply_domain(SipDomainRow& row, const SipDomainInput& in) {
    row.certificate = in.certificate;
    row.private_key = in.private_key;
    row.match_ip_address = in.match_ip_address;
    row.match_sip_domain = in.match_sip_domain;
    row.verify_cert = in.verify_cert;
    row.require_cert = in.require_cert;
}

} // namespace

void SipDomainService::add_domain(const Caller& caller, const SipDomainInput& in) {
    const std::string name = domain_name(in.domain);
    env_.write([&](store::WriteTxn& txn) {
        if (txn.get(Table::SipDomains, name)) {
            throw ApiError(ErrorCode::SipDomainExists, "SIP domain " + name + " already exists");
        }
        const Tenant t = tenant_for_new(txn, caller, in.customer, in.reseller);
        SipDomainRow row;
        row.domain = name;
        row.customer = t.customer;
        row.reseller = t.reseller;
        apply_domain(row, in);
        row.change_date = now();
        txn.put(Table::SipDomains, name, encode(row));
        reindex<SipDomainRow>(txn, nullptr, &row);
    });
}

void SipDomainService::update_domain(const Caller& caller, const SipDomainInput& in) {
    const std::string name = domain_name(in.domain);
    env_.write([&](store::WriteTxn& txn) {
        SipDomainRow row = load_domain(txn, caller, name);
        const SipDomainRow before = row;
        apply_domain(row, in);
        if (caller.admin && (in.customer != row.customer || in.reseller != row.reseller)) {
            // The administrator moves the domain, and with it its accounts and aliases.
            const Tenant t = tenant_for_new(txn, caller, in.customer, in.reseller);
            const std::string prefix = sip_domain_prefix(name);
            for (auto a : rows_with_prefix<SipAccountRow>(txn, Table::SipAccounts, prefix)) {
                release(txn, Kind::SipAccount, Tenant{a.customer, a.reseller});
                charge(txn, Kind::SipAccount, t);
                a.customer = t.customer;
                a.reseller = t.reseller;
                put_account(txn, a);
            }
            for (auto a : rows_with_prefix<SipAliasRow>(txn, Table::SipAliases, prefix)) {
                release(txn, Kind::SipAlias, Tenant{a.customer, a.reseller});
                charge(txn, Kind::SipAlias, t);
                a.customer = t.customer;
                a.reseller = t.reseller;
                txn.put(Table::SipAliases, sip_key(a.username, a.domain), encode(a));
            }
            row.customer = t.customer;
            row.reseller = t.reseller;
        }
        row.change_date = now();
        txn.put(Table::SipDomains, name, encode(row));
        reindex(txn, &before, &row);
    });
}

void SipDomainService::delete_domain(const Caller& caller, const std::string& domain) {
    const std::string name = domain_name(domain);
    env_.write([&](store::WriteTxn& txn) {
        const SipDomainRow row = load_domain(txn, caller, name);
        // Accounts and aliases are keyed by domain first: one seek each when there are none.
        const std::string prefix = sip_domain_prefix(name);
        const auto accounts = count_with_prefix(txn, Table::SipAccounts, prefix);
        const auto aliases = count_with_prefix(txn, Table::SipAliases, prefix);
        if (accounts + aliases != 0) {
            throw ApiError(ErrorCode::SipDomainNotEmpty,
                           "SIP domain " + name + " still has " + std::to_string(accounts) +
                               " account(s) and " + std::to_string(aliases) +
                               " alias(es); delete them first");
        }
        txn.del(Table::SipDomains, name);
        reindex<SipDomainRow>(txn, &row, nullptr);
    });
}

Page<SipDomainView> SipDomainService::get_domains(const Caller& caller, const SipDomainFilter& f,
                                                  Range range, const OrderBy& order) {
    auto rows = visible_rows<SipDomainRow>(
        store::ReadTxn(env_), caller, Table::SipDomains,
        [&](const SipDomainRow& d) {
            return matches(f.domain, d.domain) && (f.customer == 0 || d.customer == f.customer) &&
                   (f.reseller == 0 || d.reseller == f.reseller);
        },
        [](SipDomainRow& d) { return std::move(d); });
    const auto view = [](const SipDomainRow& d) { return view_of<SipDomainView>(d); };
    if (order.attribute == "changeDate") {
        return page_of(
            paginate(std::move(rows), range, order,
                     [](const SipDomainRow& d) { return std::make_pair(d.change_date, d.domain); }),
            view);
    }
    return page_of(
        paginate(std::move(rows), range, order, [](const SipDomainRow& d) { return d.domain; }),
        view);
}

// ---- accounts

SipAccountView SipAccountService::add_account(const Caller& caller, const SipAccountInput& given) {
    SipAccountInput in = given;
    const bool autoincrement = in.id.username == "<autoincrement>";
    if (autoincrement) {
        in.id.username = "x"; // validated below with the picked name
    }
    SipId id = normal_id(in.id);
    return env_.write([&](store::WriteTxn& txn) {
        const SipDomainRow domain = load_domain(txn, caller, id.domain);
        require_may_create(txn, caller);
        if (autoincrement) {
            // The next free number in the domain (guide: CDRTool's "<autoincrement>").
            do {
                id.username = std::to_string(100000 + txn.next_id("sip_autoincrement"));
            } while (txn.get(Table::SipAccounts, sip_key(id.username, id.domain)) ||
                     txn.get(Table::SipAliases, sip_key(id.username, id.domain)));
        }
        const std::string key = sip_key(id.username, id.domain);
        if (txn.get(Table::SipAccounts, key)) {
            throw ApiError(ErrorCode::SipAccountExists,
                           "SIP account " + address(id) + " already exists");
        }
        if (txn.get(Table::SipAliases, key)) {
            throw ApiError(ErrorCode::SipAliasExists, "SIP alias " + address(id) +
                                                          " already exists; an account cannot have "
                                                          "the name of an alias");
        }
        if (in.password.empty()) {
            throw ApiError(ErrorCode::SipPasswordInvalid,
                           "password: is required for a new account");
        }
        SipAccountRow row;
        row.username = id.username;
        row.domain = id.domain;
        row.customer = domain.customer;
        row.reseller = domain.reseller;
        apply_account(caller, row, in);
        set_password(txn, row, in.password, domain);
        check_pstn_rights(txn, caller, domain, nullptr, row);
        charge(txn, Kind::SipAccount, Tenant{row.customer, row.reseller});
        row.create_date = row.change_date = now();
        put_account(txn, row);
        return account_view(row);
    });
}

void SipAccountService::update_account(const Caller& caller, const SipAccountInput& in) {
    const SipId id = normal_id(in.id);
    env_.write([&](store::WriteTxn& txn) {
        const SipAccountRow old = load_account(txn, caller, id);
        const SipDomainRow domain = load_domain(txn, caller, id.domain);
        SipAccountRow row = old;
        apply_account(caller, row, in);
        if (!in.password.empty()) {
            set_password(txn, row, in.password, domain);
        }
        check_pstn_rights(txn, caller, domain, &old, row);
        row.change_date = now();
        put_account(txn, row);
    });
}

void SipAccountService::delete_account(const Caller& caller, const SipId& given) {
    const SipId id = normal_id(given);
    env_.write([&](store::WriteTxn& txn) {
        const SipAccountRow row = load_account(txn, caller, id);
        const std::string key = sip_key(id.username, id.domain);
        // Everything that belongs to the account goes in the same transaction.
        for (const auto& index_key :
             keys_with_prefix(txn, Table::Index, alias_target_prefix(id.username, id.domain))) {
            const std::string alias_key =
                index_key.substr(alias_target_prefix(id.username, id.domain).size());
            if (auto a = get_row<SipAliasRow>(txn, Table::SipAliases, alias_key)) {
                delete_alias_row(txn, *a);
            } else {
                txn.del(Table::Index, index_key);
            }
        }
        txn.del(Table::SipSettings, key);
        if (auto vm = get_row<VoicemailRow>(txn, Table::Voicemail, key)) {
            txn.del(Table::Index, mailbox_index_key(vm->mailbox));
            txn.del(Table::Voicemail, key);
        }
        txn.del(Table::Prepaid, "a" + key);
        txn.del(Table::Prepaid, rating_profiles_key(subscriber_entity(id.username, id.domain)));
        for (const auto& k :
             keys_with_prefix(txn, Table::CallData, "r" + key + std::string(1, '\0'))) {
            txn.del(Table::CallData, k);
        }
        txn.del(Table::SipAccounts, key);
        release(txn, Kind::SipAccount, Tenant{row.customer, row.reseller});
    });
}

SipAccountView SipAccountService::get_account(const Caller& caller, const SipId& given) {
    const SipId id = normal_id(given);
    store::ReadTxn txn(env_);
    return account_view(load_account(txn, caller, id));
}

Page<SipAccountView> SipAccountService::get_accounts(const Caller& caller,
                                                     const SipAccountFilter& f, Range range,
                                                     const OrderBy& order) {
    store::ReadTxn txn(env_);
    std::vector<std::string> groups;
    for (const auto& g : f.groups) {
        if (!g.empty()) {
            groups.push_back(lower(g));
        }
    }
    std::string prefix;
    if (!f.domain.empty() && f.domain.find_first_of("%_") == std::string::npos) {
        prefix = sip_domain_prefix(lower(f.domain)); // one domain: scan only its rows
    }
    std::vector<SipAccountRow> rows;
    for (auto& a : rows_with_prefix<SipAccountRow>(txn, Table::SipAccounts, prefix)) {
        if (!may_access(caller, a.customer, a.reseller) || !matches(f.username, a.username) ||
            !matches(f.domain, a.domain) || !matches(f.first_name, a.first_name) ||
            !matches(f.last_name, a.last_name) || !matches(f.email, a.email) ||
            (f.owner != 0 && a.owner != f.owner) || (f.customer != 0 && a.customer != f.customer) ||
            (f.reseller != 0 && a.reseller != f.reseller)) {
            continue;
        }
        const bool in_groups = std::all_of(groups.begin(), groups.end(), [&](const auto& g) {
            return std::find(a.groups.begin(), a.groups.end(), g) != a.groups.end();
        });
        if (in_groups) {
            rows.push_back(std::move(a));
        }
    }
    auto by_name = [](const SipAccountRow& a) { return std::make_pair(a.username, a.domain); };
    if (order.attribute == "changeDate") {
        return page_of(paginate(std::move(rows), range, order,
                                [](const SipAccountRow& a) {
                                    return std::make_tuple(a.change_date, a.domain, a.username);
                                }),
                       account_view);
    }
    if (order.attribute == "domain") {
        return page_of(
            paginate(std::move(rows), range, order,
                     [](const SipAccountRow& a) { return std::make_pair(a.domain, a.username); }),
            account_view);
    }
    return page_of(paginate(std::move(rows), range, order, by_name), account_view);
}

// ---- groups

void SipAccountService::add_to_group(const Caller& caller, const SipId& given,
                                     const std::string& g) {
    const SipId id = normal_id(given);
    const std::string group = lower(g);
    check_group_name(group);
    env_.write([&](store::WriteTxn& txn) {
        SipAccountRow row = load_account(txn, caller, id);
        if (std::find(row.groups.begin(), row.groups.end(), group) != row.groups.end()) {
            throw ApiError(ErrorCode::GroupMemberExists,
                           "SIP account " + address(id) + " is already in group " + group);
        }
        if (!caller.admin && is_reserved(group)) {
            throw ApiError(ErrorCode::PermissionDenied,
                           "group: '" + group + "' is reserved; only the administrator changes it");
        }
        const SipAccountRow old = row;
        row.groups.push_back(group);
        check_pstn_rights(txn, caller, load_domain(txn, caller, id.domain), &old, row);
        row.change_date = now();
        put_account(txn, row);
    });
}

void SipAccountService::remove_from_group(const Caller& caller, const SipId& given,
                                          const std::string& g) {
    const SipId id = normal_id(given);
    const std::string group = lower(g);
    env_.write([&](store::WriteTxn& txn) {
        SipAccountRow row = load_account(txn, caller, id);
        const auto it = std::find(row.groups.begin(), row.groups.end(), group);
        if (it == row.groups.end()) {
            throw ApiError(ErrorCode::NotGroupMember,
                           "SIP account " + address(id) + " is not in group " + group);
        }
        if (!caller.admin && is_reserved(group)) {
            throw ApiError(ErrorCode::PermissionDenied,
                           "group: '" + group + "' is reserved; only the administrator changes it");
        }
        row.groups.erase(it);
        row.change_date = now();
        put_account(txn, row);
    });
}

std::vector<std::string> SipAccountService::get_groups(const Caller& caller, const SipId& given) {
    return get_account(caller, given).groups;
}

// ---- aliases

namespace {

// Loads the target account (it must exist and be the caller's to use).
SipId checked_target(const store::WriteTxn& txn, const Caller& caller, const SipId& target) {
    const SipId t = normal_id(target, "target");
    if (!txn.get(Table::SipAccounts, sip_key(t.username, t.domain))) {
        throw ApiError(ErrorCode::SipAccountNotFound,
                       "target: SIP account " + address(t) + " does not exist");
    }
    load_account(txn, caller, t);
    return t;
}

} // namespace

void SipAliasService::add_alias(const Caller& caller, const SipAliasInput& in) {
    const SipId id = normal_id(in.id);
    env_.write([&](store::WriteTxn& txn) {
        const SipDomainRow domain = load_domain(txn, caller, id.domain);
        require_may_create(txn, caller);
        const std::string key = sip_key(id.username, id.domain);
        if (txn.get(Table::SipAliases, key)) {
            throw ApiError(ErrorCode::SipAliasExists,
                           "SIP alias " + address(id) + " already exists");
        }
        if (txn.get(Table::SipAccounts, key)) {
            throw ApiError(ErrorCode::SipAccountExists,
                           "SIP account " + address(id) + " exists; an alias cannot have its name");
        }
        const SipId target = checked_target(txn, caller, in.target);
        SipAliasRow row;
        row.username = id.username;
        row.domain = id.domain;
        row.target_username = target.username;
        row.target_domain = target.domain;
        row.owner = in.owner;
        row.customer = domain.customer;
        row.reseller = domain.reseller;
        row.change_date = now();
        charge(txn, Kind::SipAlias, Tenant{row.customer, row.reseller});
        txn.put(Table::SipAliases, key, encode(row));
        reindex<SipAliasRow>(txn, nullptr, &row);
    });
}

void SipAliasService::update_alias(const Caller& caller, const SipAliasInput& in) {
    const SipId id = normal_id(in.id);
    env_.write([&](store::WriteTxn& txn) {
        auto row = find_alias(txn, id);
        if (!row || !may_access(caller, row->customer, row->reseller)) {
            throw ApiError(ErrorCode::SipAliasNotFound,
                           "SIP alias " + address(id) + " does not exist");
        }
        const SipId target = checked_target(txn, caller, in.target);
        const SipAliasRow before = *row;
        row->target_username = target.username;
        row->target_domain = target.domain;
        row->owner = in.owner;
        row->change_date = now();
        txn.put(Table::SipAliases, sip_key(id.username, id.domain), encode(*row));
        reindex(txn, &before, &*row);
    });
}

void SipAliasService::delete_alias(const Caller& caller, const SipId& given) {
    const SipId id = normal_id(given);
    env_.write([&](store::WriteTxn& txn) {
        const auto row = find_alias(txn, id);
        if (!row || !may_access(caller, row->customer, row->reseller)) {
            throw ApiError(ErrorCode::SipAliasNotFound,
                           "SIP alias " + address(id) + " does not exist");
        }
        delete_alias_row(txn, *row);
    });
}

SipAliasView SipAliasService::get_alias(const Caller& caller, const SipId& given) {
    const SipId id = normal_id(given);
    store::ReadTxn txn(env_);
    const auto row = find_alias(txn, id);
    if (!row || !may_access(caller, row->customer, row->reseller)) {
        throw ApiError(ErrorCode::SipAliasNotFound, "SIP alias " + address(id) + " does not exist");
    }
    return alias_view(*row);
}

std::vector<SipAliasView> SipAliasService::aliases_for_account(const Caller& caller,
                                                               const SipId& given) {
    const SipId id = normal_id(given, "target");
    store::ReadTxn txn(env_);
    load_account(txn, caller, id);
    const std::string prefix = alias_target_prefix(id.username, id.domain);
    std::vector<SipAliasView> out;
    for (const auto& k : keys_with_prefix(txn, Table::Index, prefix)) {
        auto a = get_row<SipAliasRow>(txn, Table::SipAliases, k.substr(prefix.size()));
        if (a && may_access(caller, a->customer, a->reseller)) {
            out.push_back(alias_view(*a));
        }
    }
    return out;
}

Page<SipAliasView> SipAliasService::get_aliases(const Caller& caller, const SipAliasFilter& f,
                                                Range range, const OrderBy& order) {
    auto rows = visible_rows<SipAliasRow>(
        store::ReadTxn(env_), caller, Table::SipAliases,
        [&](const SipAliasRow& a) {
            return matches(f.alias_username, a.username) && matches(f.alias_domain, a.domain) &&
                   matches(f.target_username, a.target_username) &&
                   matches(f.target_domain, a.target_domain) &&
                   (f.owner == 0 || a.owner == f.owner) &&
                   (f.customer == 0 || a.customer == f.customer) &&
                   (f.reseller == 0 || a.reseller == f.reseller);
        },
        [](const SipAliasRow& a) { return alias_view(a); });
    const std::string& by = order.attribute;
    if (by == "changeDate") {
        return paginate(std::move(rows), range, order, [](const SipAliasView& a) {
            return std::make_tuple(a.change_date, a.id.domain, a.id.username);
        });
    }
    if (by == "targetUsername" || by == "targetDomain") {
        const bool user = by == "targetUsername";
        return paginate(std::move(rows), range, order, [user](const SipAliasView& a) {
            return user ? std::make_pair(a.target.username, a.target.domain)
                        : std::make_pair(a.target.domain, a.target.username);
        });
    }
    if (by == "aliasDomain") {
        return paginate(std::move(rows), range, order, [](const SipAliasView& a) {
            return std::make_pair(a.id.domain, a.id.username);
        });
    }
    return paginate(std::move(rows), range, order, [](const SipAliasView& a) {
        return std::make_pair(a.id.username, a.id.domain);
    });
}

} // namespace sb::prov
