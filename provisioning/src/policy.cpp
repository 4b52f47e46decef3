#include "policy.hpp"

#include "index.hpp"
#include "provisioning/rows.hpp"

#include <cstdlib>
#include <iterator>

namespace sb::prov {

namespace {

constexpr Kind all_kinds[] = {Kind::SipAccount, Kind::SipAlias, Kind::EnumRange,
                              Kind::EnumNumber, Kind::DnsZone,  Kind::Email};

store::CustomerRow load_customer(const store::WriteTxn& txn, std::int64_t id) {
    auto row = store::get_customer(txn, id);
    if (!row) {
        throw ApiError(ErrorCode::CustomerNotFound,
                       "customer: " + std::to_string(id) + " does not exist");
    }
    return *row;
}

// A credit property holds a whole number; empty or absent means no limit.
std::optional<std::uint64_t> credit_of(const store::CustomerRow& c, Kind kind) {
    const store::PropertyRow* p = c.property(credit_property(kind));
    if (p == nullptr || p->value.empty()) {
        return std::nullopt;
    }
    char* end = nullptr;
    const long long v = std::strtoll(p->value.c_str(), &end, 10);
    if (end == p->value.c_str() || v < 0) {
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(v);
}

} // namespace

std::string remaining_records(const store::WriteTxn& txn, std::int64_t customer) {
    std::string out;
    for (const Kind k : all_kinds) {
        const std::uint64_t n = store::get_counter(txn, 'c', customer, counter_name(k)) +
                                store::get_counter(txn, 'r', customer, counter_name(k));
        if (n != 0) {
            out += (out.empty() ? "" : ", ") + std::string(counter_name(k));
        }
    }
    // SIP domains and trusted peers count against no credit: their held_by index (rows.hpp)
    // says in one seek whether the customer, or the reseller, still holds one.
    for (const char* what : {"sip_domain", "trusted_peer"}) {
        if (first_key_with_prefix(txn, store::Table::Index, held_by_prefix(what, customer))) {
            out += (out.empty() ? "" : ", ") + std::string(what) + "s";
        }
    }
    const std::uint64_t customers = store::get_counter(txn, 'r', customer, "customers");
    if (customers > 1 || (customers == 1 && !out.empty())) {
        out += (out.empty() ? "" : ", ") + std::string("customers");
    }
    return out;
}

namespace {

// Per Kind, in its order: the credit property that limits it and the counter that counts it.
struct KindNames {
    const char* credit;
    const char* counter;
};

constexpr KindNames kind_names[] = {
    {"sip_credit", "sip_accounts"},       {"sip_alias_credit", "sip_aliases"},
    {"enum_range_credit", "enum_ranges"}, {"enum_number_credit", "enum_numbers"},
    {"dns_zone_credit", "dns_zones"},     {"email_credit", "email"},
};
static_assert(std::size(kind_names) == std::size(all_kinds));

} // namespace

const char* credit_property(Kind kind) noexcept {
    return kind_names[static_cast<std::size_t>(kind)].credit;
}

const char* counter_name(Kind kind) noexcept {
    return kind_names[static_cast<std::size_t>(kind)].counter;
}

Caller caller_for(const store::CustomerRow& customer, const std::string& username) {
    Caller c;
    c.admin = false;
    c.username = username;
    c.customer = customer.id;
    c.reseller = customer.reseller;
    if (!customer.is_reseller() && customer.impersonate != 0 &&
        customer.impersonate == customer.reseller) {
        c.customer = customer.reseller; // acts with its reseller's rights
    }
    return c;
}

Tenant tenant_for_new(const store::WriteTxn& txn, const Caller& caller,
                      std::int64_t requested_customer, std::int64_t requested_reseller) {
    Tenant t{requested_customer, requested_reseller};
    if (caller.admin) {
        // Customer ids may name customers kept by another provisioning engine, so the
        // administrator's assignment is taken as given (docs/decisions.md); a known
        // customer's reseller fills a missing one.
        if (t.customer != 0 && t.reseller == 0) {
            if (const auto c = store::get_customer(txn, t.customer)) {
                t.reseller = c->reseller;
            }
        }
        return t;
    }
    require_may_create(txn, caller);
    t = Tenant{caller.customer, caller.reseller};
    if (requested_customer != 0 && requested_customer != caller.customer) {
        const auto c = store::get_customer(txn, requested_customer);
        const bool own = caller.customer == caller.reseller && c && c->reseller == caller.customer;
        if (!own) {
            throw ApiError(ErrorCode::PermissionDenied,
                           "customer: " + std::to_string(requested_customer) +
                               " is not one of your customers");
        }
        t.customer = c->id;
    }
    return t;
}

void require_may_create(const store::WriteTxn& txn, const Caller& caller) {
    if (caller.admin) {
        return;
    }
    const auto reseller = load_customer(txn, caller.reseller);
    if (!reseller.reseller_active) {
        throw ApiError(ErrorCode::PermissionDenied,
                       "reseller " + std::to_string(reseller.id) +
                           " is not active (resellerActive): its customers cannot create records");
    }
}

void charge(store::WriteTxn& txn, Kind kind, const Tenant& owner) {
    const char* counter = counter_name(kind);
    auto check = [&](char scope, std::int64_t id, const char* whose) {
        if (id == 0) {
            return;
        }
        const auto row = store::get_customer(txn, id);
        if (!row) {
            return; // records of a customer deleted by the administrator: nothing to check
        }
        const auto credit = credit_of(*row, kind);
        const std::uint64_t used = store::get_counter(txn, scope, id, counter);
        if (credit && used + 1 > *credit) {
            throw ApiError(ErrorCode::CreditExceeded,
                           std::string(credit_property(kind)) + " of " + whose + " " +
                               std::to_string(id) + " is " + std::to_string(*credit) + " and " +
                               std::to_string(used) + " are in use");
        }
    };
    check('c', owner.customer, "customer");
    check('r', owner.reseller, "reseller");
    if (owner.customer != 0) {
        store::add_counter(txn, 'c', owner.customer, counter, 1);
    }
    if (owner.reseller != 0) {
        store::add_counter(txn, 'r', owner.reseller, counter, 1);
    }
}

void release(store::WriteTxn& txn, Kind kind, const Tenant& owner) {
    const char* counter = counter_name(kind);
    if (owner.customer != 0) {
        store::add_counter(txn, 'c', owner.customer, counter, -1);
    }
    if (owner.reseller != 0) {
        store::add_counter(txn, 'r', owner.reseller, counter, -1);
    }
}

} // namespace sb::prov
