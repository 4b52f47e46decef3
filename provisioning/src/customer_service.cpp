#include "common.hpp"
#include "policy.hpp"
#include "provisioning/services.hpp"
#include "service.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <map>
#include <mutex>

namespace sb::prov {

namespace {

using store::CustomerRow;
using store::PropertyRow;
using store::Table;

// Properties a reseller may set on its own customers although their permission is admin
// (reference/ngnpro-api.md §10.6): the credits and the PSTN rights, never on itself.
bool reseller_settable(const std::string& name) {
    static const char* names[] = {"sip_credit",         "sip_alias_credit", "enum_range_credit",
                                  "enum_number_credit", "dns_zone_credit",  "email_credit",
                                  "pstn_access",        "prepaid_changes",  "pstn_changes"};
    for (const char* n : names) {
        if (name == n) {
            return true;
        }
    }
    return false;
}

bool is_pstn_right(const std::string& name) {
    return name == "pstn_access" || name == "prepaid_changes" || name == "pstn_changes";
}

bool visible(const Caller& caller, const CustomerRow& c) {
    return caller.admin || c.id == caller.customer ||
           (caller.customer == caller.reseller && c.reseller == caller.customer);
}

bool is_reseller_of(const Caller& caller, const CustomerRow& target) {
    return !caller.admin && caller.customer == caller.reseller &&
           target.reseller == caller.customer && target.id != caller.customer;
}

// Property permissions (guide, "Conventions for the properties").
bool may_change(const Caller& caller, const CustomerRow& target, const PropertyRow& p) {
    if (caller.admin) {
        return true;
    }
    if (p.permission == "admin") {
        return is_reseller_of(caller, target) && reseller_settable(p.name);
    }
    if (p.permission == "reseller") {
        return is_reseller_of(caller, target);
    }
    return target.id == caller.customer || is_reseller_of(caller, target);
}

bool same(const PropertyRow& a, const PropertyRow& b) {
    return a.value == b.value && a.category == b.category && a.permission == b.permission;
}

template <class Txn>
CustomerRow load(const Txn& txn, const Caller& caller, std::int64_t id) {
    auto row = store::get_customer(txn, id);
    if (!row || !visible(caller, *row)) {
        throw ApiError(ErrorCode::CustomerNotFound,
                       "customer " + std::to_string(id) + " does not exist");
    }
    return *row;
}

// Merges `wanted` into `row.properties` under the permission rules: a property the caller
// may not change keeps its stored value (the client re-sends what it read) unless the caller
// tries to change it, which is refused. `replace` drops properties left out (updateAccount);
// otherwise they are kept (setProperties upserts by name).
void apply_properties(const store::WriteTxn& txn, const Caller& caller, CustomerRow& row,
                      const std::vector<PropertyRow>& wanted, bool replace) {
    std::vector<PropertyRow> result;
    for (const auto& w : wanted) {
        if (w.name.empty()) {
            throw ApiError(ErrorCode::InvalidArgument, "properties: a property needs a name");
        }
        const PropertyRow* old = row.property(w.name);
        if (old != nullptr && same(*old, w)) {
            result.push_back(*old);
            continue;
        }
        // The stored permission decides who may change a property; a new one is judged by
        // the permission it is given.
        const PropertyRow& judged = old != nullptr ? *old : w;
        if (!may_change(caller, row, judged) || (old != nullptr && !may_change(caller, row, w))) {
            throw ApiError(ErrorCode::PermissionDenied, "properties: " + w.name + " (permission " +
                                                            judged.permission +
                                                            ") cannot be changed by this login");
        }
        if (is_pstn_right(w.name) && w.value == "1" && !row.is_reseller()) {
            const auto reseller = store::get_customer(txn, row.reseller);
            const PropertyRow* has = reseller ? reseller->property(w.name) : nullptr;
            if (has == nullptr || has->value != "1") {
                throw ApiError(ErrorCode::PermissionDenied,
                               "properties: " + w.name + " can be enabled only when reseller " +
                                   std::to_string(row.reseller) + " has it");
            }
        }
        result.push_back(w);
    }
    for (const auto& old : row.properties) {
        const bool given = std::any_of(wanted.begin(), wanted.end(),
                                       [&](const PropertyRow& w) { return w.name == old.name; });
        if (given) {
            continue;
        }
        if (!replace || !may_change(caller, row, old)) {
            result.push_back(old); // kept: not named, or not the caller's to remove
        }
    }
    row.properties = std::move(result);
}

void set_text(CustomerRow& row, const std::vector<std::pair<std::string, std::string>>& text) {
    row.text.clear();
    for (const auto& field : customer_text_fields()) {
        for (const auto& [k, v] : text) {
            if (k == field) {
                row.text.emplace_back(k, v);
            }
        }
    }
}

std::string text_of(const CustomerRow& row, const std::string& field) {
    for (const auto& [k, v] : row.text) {
        if (k == field) {
            return v;
        }
    }
    return "";
}

void check_username(const store::WriteTxn& txn, const std::string& username, std::int64_t self) {
    if (username.empty()) {
        throw ApiError(ErrorCode::InvalidArgument, "username: a customer needs a username");
    }
    if (const auto v = txn.get(Table::CustomerNames, username)) {
        if (static_cast<std::int64_t>(store::get_u64(*v, 0)) != self) {
            throw ApiError(ErrorCode::CustomerExists,
                           "customer username " + username + " already exists");
        }
    }
}

void put_customer(store::WriteTxn& txn, const CustomerRow& row) {
    txn.put(Table::Customers, store::u64_key(static_cast<std::uint64_t>(row.id)), encode(row));
    txn.put(Table::CustomerNames, row.username, store::u64_key(static_cast<std::uint64_t>(row.id)));
}

} // namespace

const std::vector<std::string>& customer_text_fields() {
    static const std::vector<std::string> fields = {
        "firstName",    "lastName",   "organization", "vatNumber",   "email",
        "web",          "tel",        "fax",          "mobile",      "sip",
        "enum",         "address",    "postcode",     "city",        "state",
        "country",      "timezone",   "language",     "bankAccount", "billingAddress",
        "billingEmail", "companyCode"};
    return fields;
}

// Verified credentials, so that a customer's every request does not pay for PBKDF2: a
// digest of the password under a per-process key, valid while the stored hash is unchanged.
struct CustomerService::LoginCache {
    std::mutex mutex;
    std::array<unsigned char, 32> key{};

    struct Entry {
        std::string stored_hash;
        std::array<unsigned char, 32> digest;
    };

    std::map<std::string, Entry> entries;

    LoginCache() { RAND_bytes(key.data(), static_cast<int>(key.size())); }

    std::array<unsigned char, 32> digest(const std::string& user, const std::string& password) {
        std::array<unsigned char, 32> out{};
        const std::string input = user + '\0' + password;
        std::size_t len = out.size();
        EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                  reinterpret_cast<const unsigned char*>(input.data()), input.size(), out.data(),
                  out.size(), &len);
        return out;
    }
};

CustomerService::CustomerService(store::Env& env)
    : env_(env)
    , cache_(std::make_shared<LoginCache>()) {}

CustomerRow CustomerService::add(const Caller& caller, const CustomerInput& in) {
    return env_.write([&](store::WriteTxn& txn) {
        CustomerRow row;
        if (caller.admin) {
            if (in.id < 0) {
                throw ApiError(ErrorCode::InvalidArgument, "id: must be positive");
            }
            if (in.id != 0 && store::get_customer(txn, in.id)) {
                throw ApiError(ErrorCode::CustomerExists,
                               "customer " + std::to_string(in.id) + " already exists");
            }
            row.id = in.id;
            row.reseller = in.reseller;
            if (in.reseller != 0 && in.reseller != in.id) {
                const auto r = store::get_customer(txn, in.reseller);
                if (!r) {
                    throw ApiError(ErrorCode::CustomerNotFound, "reseller: customer " +
                                                                    std::to_string(in.reseller) +
                                                                    " does not exist");
                }
                if (!r->is_reseller()) {
                    throw ApiError(ErrorCode::InvalidArgument, "reseller: customer " +
                                                                   std::to_string(in.reseller) +
                                                                   " is not a reseller");
                }
            }
            row.impersonate = in.impersonate;
            row.reseller_active = in.reseller_active;
        } else {
            if (caller.customer != caller.reseller) {
                throw ApiError(ErrorCode::PermissionDenied,
                               "only the administrator and resellers may add customers");
            }
            if (in.reseller != 0 && in.reseller != caller.customer) {
                throw ApiError(ErrorCode::PermissionDenied,
                               "reseller: a reseller adds customers only under itself; only the "
                               "administrator may add resellers");
            }
            tenant_for_new(txn, caller, 0, 0); // refuses an inactive reseller
            row.reseller = caller.customer;
            row.impersonate = in.impersonate == caller.customer ? in.impersonate : 0;
        }
        if (row.id == 0) {
            // Ids never collide with ones the administrator chose.
            do {
                row.id = static_cast<std::int64_t>(txn.next_id("customer"));
            } while (store::get_customer(txn, row.id));
        }
        if (row.reseller == 0) {
            row.reseller = row.id; // a new reseller (administrator only, checked above)
        }
        row.username = in.username;
        check_username(txn, row.username, row.id);
        if (!in.password.empty()) {
            row.password_hash = hash_password(in.password);
        }
        set_text(row, in.text);
        row.balance = in.balance;
        row.credit = in.credit;
        row.change_date = now();
        if (in.properties) {
            apply_properties(txn, caller, row, *in.properties, true);
        }
        store::add_counter(txn, 'r', row.reseller, "customers", 1);
        put_customer(txn, row);
        return row;
    });
}

void CustomerService::update(const Caller& caller, const CustomerInput& in) {
    env_.write([&](store::WriteTxn& txn) {
        CustomerRow row = load(txn, caller, in.id);
        if (caller.admin) {
            if (in.reseller != 0 && in.reseller != row.reseller) {
                // Records carry their customer's reseller; moving a customer that has any would
                // split its records between two resellers (docs/decisions.md).
                const std::string left = remaining_records(txn, row.id);
                if (!left.empty()) {
                    throw ApiError(ErrorCode::CustomerHasRecords,
                                   "reseller: customer " + std::to_string(row.id) + " still has " +
                                       left + "; it can move to another reseller when it has none");
                }
                const auto r = store::get_customer(txn, in.reseller);
                if (in.reseller != row.id && (!r || !r->is_reseller())) {
                    throw ApiError(ErrorCode::InvalidArgument, "reseller: customer " +
                                                                   std::to_string(in.reseller) +
                                                                   " is not a reseller");
                }
                store::add_counter(txn, 'r', row.reseller, "customers", -1);
                store::add_counter(txn, 'r', in.reseller, "customers", 1);
                row.reseller = in.reseller;
            }
            row.impersonate = in.impersonate;
            row.reseller_active = in.reseller_active;
            row.balance = in.balance;
            row.credit = in.credit;
        } else if (is_reseller_of(caller, row)) {
            // A reseller edits its customer's record, but not who it belongs to.
            row.impersonate = in.impersonate == row.reseller ? in.impersonate : 0;
            row.balance = in.balance;
            row.credit = in.credit;
        }
        // A customer editing itself keeps reseller, impersonate, resellerActive, balance, credit.
        if (!in.username.empty() && in.username != row.username) {
            check_username(txn, in.username, row.id);
            txn.del(Table::CustomerNames, row.username);
            row.username = in.username;
        }
        if (!keeps_password(in.password, row.password_hash)) {
            row.password_hash = hash_password(in.password);
        }
        set_text(row, in.text);
        if (in.properties) {
            apply_properties(txn, caller, row, *in.properties, true);
        }
        row.change_date = now();
        put_customer(txn, row);
    });
}

void CustomerService::remove(const Caller& caller, std::int64_t id) {
    env_.write([&](store::WriteTxn& txn) {
        const CustomerRow row = load(txn, caller, id);
        if (!caller.admin && !is_reseller_of(caller, row)) {
            throw ApiError(ErrorCode::PermissionDenied,
                           "customer " + std::to_string(id) +
                               " can be deleted only by its reseller or the administrator");
        }
        const std::string left = remaining_records(txn, id);
        if (!left.empty()) {
            throw ApiError(ErrorCode::CustomerHasRecords, "customer " + std::to_string(id) +
                                                              " still has " + left +
                                                              "; delete or move them first");
        }
        store::add_counter(txn, 'r', row.reseller, "customers", -1);
        txn.del(Table::Customers, store::u64_key(static_cast<std::uint64_t>(id)));
        txn.del(Table::CustomerNames, row.username);
    });
}

CustomerRow CustomerService::get(const Caller& caller, std::int64_t id) {
    store::ReadTxn txn(env_);
    return load(txn, caller, id);
}

Page<CustomerRow> CustomerService::find(const Caller& caller, const CustomerFilter& f, Range range,
                                        const OrderBy& order, bool resellers) {
    store::ReadTxn txn(env_);
    std::vector<CustomerRow> rows;
    store::Cursor c = txn.cursor(Table::Customers);
    for (bool ok = c.first(); ok; ok = c.next()) {
        CustomerRow row = store::decode_customer(c.value());
        if (!visible(caller, row) || (f.customer != 0 && row.id != f.customer) ||
            (f.reseller != 0 && row.reseller != f.reseller)) {
            continue;
        }
        // getResellers with a customer filter returns that customer even if it is not a
        // reseller: the client reads one account's record that way (§6.5).
        if (((resellers && f.customer == 0) || f.only_resellers) && !row.is_reseller()) {
            continue;
        }
        bool keep = true;
        for (const auto& [field, pattern] : f.text) {
            const std::string value = field == "username" ? row.username : text_of(row, field);
            keep = keep && matches(pattern, value);
        }
        if (keep) {
            rows.push_back(std::move(row));
        }
    }
    const std::string& a = order.attribute;
    if (a == "changeDate") {
        return paginate(std::move(rows), range, order,
                        [](const CustomerRow& r) { return std::make_pair(r.change_date, r.id); });
    }
    if (a == "username") {
        return paginate(std::move(rows), range, order,
                        [](const CustomerRow& r) { return std::make_pair(r.username, r.id); });
    }
    if (a == "firstName" || a == "lastName" || a == "organization") {
        return paginate(std::move(rows), range, order,
                        [&a](const CustomerRow& r) { return std::make_pair(text_of(r, a), r.id); });
    }
    return paginate(std::move(rows), range, order, [](const CustomerRow& r) { return r.id; });
}

void CustomerService::set_properties(const Caller& caller, std::int64_t id,
                                     const std::vector<PropertyRow>& properties) {
    env_.write([&](store::WriteTxn& txn) {
        CustomerRow row = load(txn, caller, id);
        apply_properties(txn, caller, row, properties, false);
        row.change_date = now();
        put_customer(txn, row);
    });
}

std::vector<PropertyRow> CustomerService::get_properties(const Caller& caller, std::int64_t id) {
    store::ReadTxn txn(env_);
    return load(txn, caller, id).properties;
}

std::optional<CustomerRow> CustomerService::login(const std::string& username,
                                                  const std::string& password) {
    std::optional<CustomerRow> row;
    {
        store::ReadTxn txn(env_);
        const auto v = txn.get(Table::CustomerNames, username);
        if (!v || v->size() != 8) {
            return std::nullopt;
        }
        row = store::get_customer(txn, static_cast<std::int64_t>(store::get_u64(*v, 0)));
    }
    if (!row || row->password_hash.empty()) {
        return std::nullopt;
    }
    const auto digest = cache_->digest(username, password);
    {
        std::lock_guard lock(cache_->mutex);
        const auto it = cache_->entries.find(username);
        if (it != cache_->entries.end() && it->second.stored_hash == row->password_hash &&
            CRYPTO_memcmp(it->second.digest.data(), digest.data(), digest.size()) == 0) {
            return row;
        }
    }
    if (!verify_password(password, row->password_hash)) {
        return std::nullopt;
    }
    std::lock_guard lock(cache_->mutex);
    cache_->entries[username] = LoginCache::Entry{row->password_hash, digest};
    return row;
}

std::optional<CustomerRow> CustomerService::by_id(std::int64_t id) {
    store::ReadTxn txn(env_);
    return store::get_customer(txn, id);
}

} // namespace sb::prov
