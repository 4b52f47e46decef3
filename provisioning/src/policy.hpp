// The one tenant policy every port uses (guide: Customer, Reseller, credits, Owner;
// reference/ngnpro-api.md §8.3). Services call these; none re-implements a rule.
#pragma once

#include "service.hpp"
#include "store/tables.hpp"

namespace sb::prov {

// May `caller` see and change a record that belongs to customer/reseller? The administrator
// sees everything; a reseller sees its own and its customers' records; a customer its own.
inline bool may_access(const Caller& caller, std::int64_t customer, std::int64_t reseller) {
    if (caller.admin) {
        return true;
    }
    if (caller.customer == caller.reseller && reseller == caller.customer) {
        return true;
    }
    return customer == caller.customer;
}

// Kinds of records that count against credits.
enum class Kind { SipAccount, SipAlias, EnumRange, EnumNumber, DnsZone, Email };

struct Tenant {
    std::int64_t customer = 0;
    std::int64_t reseller = 0;
};

// The customer/reseller of a new top-level record (domain, range, zone). The administrator
// may assign any existing customer (its reseller follows) or none; a reseller itself or one
// of its customers; a customer only itself. A tenant's reseller must be resellerActive to
// create anything. Throws ApiError (PermissionDenied, CustomerNotFound).
Tenant tenant_for_new(const store::WriteTxn& txn, const Caller& caller,
                      std::int64_t requested_customer, std::int64_t requested_reseller);

// Refuses a non-administrator's creation of anything when its reseller is not
// resellerActive (guide, "Conventions for resellers"). tenant_for_new() includes it.
void require_may_create(const store::WriteTxn& txn, const Caller& caller);

// Checks the credits of the record's customer and of its reseller (total of its customers)
// and counts the record. Throws ApiError(CreditExceeded) naming the credit.
void charge(store::WriteTxn& txn, Kind kind, const Tenant& owner);

// Uncounts a deleted record.
void release(store::WriteTxn& txn, Kind kind, const Tenant& owner);

// What still belongs to a customer (as customer or as reseller), e.g. "dns_zones, customers";
// "" when nothing does.
std::string remaining_records(const store::WriteTxn& txn, std::int64_t customer);

// The credit property and the counter of a kind: "sip_credit"/"sip" …
const char* credit_property(Kind kind) noexcept;
const char* counter_name(Kind kind) noexcept;

} // namespace sb::prov
