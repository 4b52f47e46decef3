// What every gSOAP entry point reaches through soap->user: the services and the admin
// account, plus the helpers that turn a request's auth header into a Caller.
#pragma once

#include "service.hpp"

#include <string>

struct soap;

namespace sb::prov {

struct Context {
    DnsService dns;
    EnumService enums;
    CustomerService customers;
    std::string admin_username;
    std::string admin_password;
};

Context& context(struct soap* soap);

// The caller named by the request's auth header; throws ApiError(AuthenticationFailed).
Caller authenticate(struct soap* soap);

// Runs `body` for an entry point: ApiError → its fault; anything else → an Internal fault with
// a generic message and one log line. Returns SOAP_OK or SOAP_FAULT.
template <class F>
int serve(struct soap* soap, const char* operation, F&& body);

int internal_fault(struct soap* soap, const char* operation, const char* what);

// Drops the request's header so that gSOAP does not echo it (with the password) back.
void forget_header(struct soap* soap) noexcept;

} // namespace sb::prov

#include "fault.hpp"

template <class F>
int sb::prov::serve(struct soap* soap, const char* operation, F&& body) {
    try {
        Caller caller;
        try {
            caller = authenticate(soap);
        } catch (...) {
            forget_header(soap);
            throw;
        }
        forget_header(soap);
        body(caller);
        return 0; // SOAP_OK
    } catch (const ApiError& e) {
        return fault(soap, e.code(), e.what());
    } catch (const std::exception& e) {
        return internal_fault(soap, operation, e.what());
    }
}
