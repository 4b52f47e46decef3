// Authentication of every SOAP request from its auth header, and the failed-login throttle.
#include "context.hpp"
#include "log/log.hpp"
#include "policy.hpp"
#include "request.hpp"
#include "soapH.h"
#include "wsdl/wsdl.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>

namespace sb::prov {

namespace {

bool same_secret(const std::string& a, const std::string& b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

} // namespace

std::chrono::milliseconds LoginThrottle::failed(const std::string& address) {
    unsigned n;
    {
        std::lock_guard lock(mutex_);
        if (failures_.size() > 10000) {
            failures_.clear(); // bounded memory under a spray of addresses
        }
        n = ++failures_[address];
    }
    if (n <= 3) {
        return std::chrono::milliseconds(0);
    }
    const unsigned shift = std::min(n - 3, 5u);
    return std::chrono::milliseconds(std::min(3000u, 100u << shift));
}

void LoginThrottle::succeeded(const std::string& address) {
    std::lock_guard lock(mutex_);
    failures_.erase(address);
}

Caller authenticate(struct soap* soap) {
    Request& r = request(soap);
    Context& ctx = r.ctx;
    const ngnpro__Auth* auth = wsdl::auth(soap);
    if (auth == nullptr || auth->username.empty()) {
        throw ApiError(ErrorCode::AuthenticationFailed,
                       "the auth SOAP header with username and password is required");
    }
    const int impersonate = auth->impersonate != nullptr ? *auth->impersonate : 0;
    if (same_secret(auth->username, ctx.admin_username) &&
        same_secret(auth->password, ctx.admin_password)) {
        ctx.throttle.succeeded(r.peer);
        if (impersonate > 0) {
            const auto customer = ctx.customers.by_id(impersonate);
            if (!customer) {
                throw ApiError(ErrorCode::CustomerNotFound, "impersonate: customer " +
                                                                std::to_string(impersonate) +
                                                                " does not exist");
            }
            Caller caller = caller_for(*customer, auth->username);
            caller.impersonating = customer->id;
            return caller;
        }
        Caller caller;
        caller.admin = true;
        caller.username = auth->username;
        return caller;
    }
    // admin=true with other credentials is a failed administrator login, never a customer's.
    const bool claims_admin = auth->admin != nullptr && *auth->admin;
    if (!claims_admin) {
        if (const auto customer = ctx.customers.login(auth->username, auth->password)) {
            ctx.throttle.succeeded(r.peer);
            return caller_for(*customer, auth->username);
        }
    }
    log::write(log::Level::Warning, "provisioning", "failed login",
               {{"user", auth->username}, {"from", r.peer}});
    ctx.metrics.failed_login();
    r.answer_delay = ctx.throttle.failed(r.peer);
    throw ApiError(ErrorCode::AuthenticationFailed, "wrong username or password");
}

} // namespace sb::prov
