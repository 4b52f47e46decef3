// The request's helpers for entry points: context(), the audit line, internal faults.
#include "request.hpp"

#include "fault.hpp"
#include "log/log.hpp"
#include "soapH.h"

#include <iomanip>
#include <sstream>

namespace sb::prov {

namespace {

bool is_change(std::string_view operation) {
    const auto dot = operation.find('.');
    const auto op = operation.substr(dot == std::string_view::npos ? 0 : dot + 1);
    for (const char* verb : {"add", "update", "delete", "set", "remove"}) {
        if (op.rfind(verb, 0) == 0) {
            return true;
        }
    }
    return false;
}

} // namespace

Context::Context(store::Env& env, const Options& options)
    : SipServices(env, SipOptions{options.call_data_days})
    , dns(env, DnsDefaults{options.default_nameservers})
    , enums(env, DnsDefaults{options.default_nameservers})
    , customers(env)
    , admin_username(options.admin_username)
    , admin_password(options.admin_password)
    , rating(env)
    , network(env) {}

Request& request(struct soap* soap) noexcept {
    return *static_cast<Request*>(soap->user);
}

Context& context(struct soap* soap) {
    return request(soap).ctx;
}

void forget_header(struct soap* soap) noexcept {
    soap->header = nullptr;
}

void audit_note(struct soap* soap, std::string what) {
    request(soap).audit_object = std::move(what);
}

void audit(struct soap* soap, const char* operation, const Caller* caller, int code) {
    Request& r = request(soap);
    r.ctx.metrics.operation_done(operation, code, std::chrono::steady_clock::now() - r.start);
    if (!is_change(operation) && code != static_cast<int>(ErrorCode::AuthenticationFailed)) {
        r.audit_object.clear();
        return;
    }
    std::ostringstream line;
    line << "audit time=" << format_date(now()) << "Z op=" << operation << " from=" << r.peer;
    if (caller != nullptr) {
        line << " user=" << std::quoted(caller->username);
        if (caller->impersonating != 0) {
            line << " impersonate=" << caller->impersonating;
        }
        line << " as_customer=" << caller->customer;
    }
    if (!r.audit_object.empty()) {
        line << " object=" << std::quoted(r.audit_object);
    }
    line << " result=" << (code == 0 ? std::string("ok") : "fault:" + std::to_string(code));
    log::write(log::Level::Notice, "provisioning", line.str());
    r.audit_object.clear();
}

int internal_fault(struct soap* soap, const char* operation, const char* what) {
    log::write(log::Level::Error, "provisioning", "operation failed",
               {{"op", operation}, {"error", what}, {"from", request(soap).peer}});
    return fault(soap, ErrorCode::Internal,
                 std::string(operation) + " failed on the server; the error is in its log");
}

} // namespace sb::prov
