// Customers for the provisioning service tests: login "c<id>", password "pw".
#pragma once

#include "provisioning/services.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sb::test {

// Customer `id` under reseller `reseller` (itself: a reseller), with `props`, added by `admin`.
inline store::CustomerRow add_customer(prov::CustomerService& customers, const prov::Caller& admin,
                                       std::int64_t id, std::int64_t reseller,
                                       std::vector<store::PropertyRow> props = {}) {
    prov::CustomerInput c;
    c.id = id;
    c.reseller = reseller;
    c.username = "c" + std::to_string(id);
    c.password = "pw";
    c.reseller_active = true;
    c.properties = std::move(props);
    return customers.add(admin, c);
}

} // namespace sb::test
