#include "wsdl/wsdl.hpp"

#include "soapH.h"

namespace sb::wsdl {

void configure(struct soap* soap) noexcept {
    soap->actor = "0";
}

const ngnpro__Auth* auth(const struct soap* soap) noexcept {
    if (soap->header == nullptr)
        return nullptr;
    return soap->header->auth != nullptr ? soap->header->auth : soap->header->ngnpro__auth;
}

} // namespace sb::wsdl
