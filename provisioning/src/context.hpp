// What every gSOAP entry point reaches through soap->user (a Request, request.hpp): the
// services, the admin account, the login throttle and the metrics shared by every worker,
// plus the helpers that turn a request's auth header into a Caller.
#pragma once

#include "login_throttle.hpp"
#include "metrics.hpp"
#include "provisioning/provisioning.hpp"
#include "service.hpp"
#include "sip_service.hpp"

#include <string>

struct soap;

namespace sb::prov {

struct Context : SipServices {
    Context(store::Env& env, const Options& options);

    DnsService dns;
    EnumService enums;
    CustomerService customers;
    std::string admin_username;
    std::string admin_password;
    RatingService rating;
    NetworkService network;
    LoginThrottle throttle;
    Metrics metrics;
};

// The services of the request being served on `soap`.
Context& context(struct soap* soap);

// The caller named by the request's auth header; throws ApiError(AuthenticationFailed).
Caller authenticate(struct soap* soap);

// Runs `body` for an entry point: ApiError → its fault; anything else → an Internal fault with
// a generic message and one log line. Returns SOAP_OK or SOAP_FAULT.
template <class F>
int serve(struct soap* soap, const char* operation, F&& body);

int internal_fault(struct soap* soap, const char* operation, const char* what);

// serve() for a paged query (getZones, getAccounts...); defined below.
template <class Query, class Array, class Item, class Get>
int serve_page(struct soap* soap, const char* operation, const Query* query, int& total, Array& out,
               Item* (*allocate)(struct soap*, int), Get&& get);

// The audit log: one structured line on stderr per change (add/update/delete/set/remove) and
// per failed login — who, as whom, from where, what, on which object, with which result.
// An entry point names the object it changes with audit_note(soap, "zone example.com").
void audit_note(struct soap* soap, std::string what);
void audit(struct soap* soap, const char* operation, const Caller* caller, int code);

// Serves POST <base>events (JSON from the SIP proxy, docs/sip.md) on `soap` and its copies.
void install_events_endpoint(struct soap* soap);

// Drops the request's header so that gSOAP does not echo it (with the password) back.
void forget_header(struct soap* soap) noexcept;

} // namespace sb::prov

#include "fault.hpp"

template <class F>
int sb::prov::serve(struct soap* soap, const char* operation, F&& body) {
    Caller caller;
    bool known = false;
    try {
        try {
            caller = authenticate(soap);
            known = true;
        } catch (...) {
            forget_header(soap);
            throw;
        }
        forget_header(soap);
        body(caller);
        audit(soap, operation, &caller, 0);
        return 0; // SOAP_OK
    } catch (const ApiError& e) {
        audit(soap, operation, known ? &caller : nullptr, static_cast<int>(e.code()));
        return fault(soap, e.code(), e.what());
    } catch (const store::Error& e) {
        if (!e.full()) {
            audit(soap, operation, known ? &caller : nullptr,
                  static_cast<int>(ErrorCode::Internal));
            return internal_fault(soap, operation, e.what());
        }
        audit(soap, operation, known ? &caller : nullptr, static_cast<int>(ErrorCode::StoreFull));
        return fault(soap, ErrorCode::StoreFull,
                     std::string("the store is full (") + e.what() +
                         "): nothing was written; free disk space or raise [store] map_size_mb");
    } catch (const std::exception& e) {
        audit(soap, operation, known ? &caller : nullptr, static_cast<int>(ErrorCode::Internal));
        return internal_fault(soap, operation, e.what());
    }
}

#include "soap_util.hpp"

// A paged query's entry point: `get(caller, filter, range, order)` with the query's filter
// (its codec's from_soap, found by argument-dependent lookup), range and order; the page goes
// to the response's total and array.
template <class Query, class Array, class Item, class Get>
int sb::prov::serve_page(struct soap* soap, const char* operation, const Query* query, int& total,
                         Array& out, Item* (*allocate)(struct soap*, int), Get&& get) {
    return serve(soap, operation, [&](const Caller& caller) {
        fill_page(soap, total, out, get(caller, from_soap(query), range_of(query), order_of(query)),
                  allocate);
    });
}
