// The one authorization policy every port uses (issue 3 widens it to the full tenant model).
#pragma once

#include "service.hpp"

namespace sb::prov {

// May `caller` see and change a record owned by customer/reseller?
inline bool may_access(const Caller& caller, std::int64_t customer, std::int64_t reseller) {
    if (caller.admin && caller.customer == 0) {
        return true;
    }
    return customer == caller.customer || (reseller != 0 && reseller == caller.customer);
}

} // namespace sb::prov
