// Ownership of gSOAP contexts (STYLE §4): a SoapContext owns one `struct soap` and frees it;
// a RequestScope frees what one request allocated, whatever path the request took.
#pragma once

#include <stdsoap2.h>

namespace sb::prov {

class SoapContext {
public:
    // A new context in `mode` (both directions); throws std::bad_alloc when gSOAP cannot.
    explicit SoapContext(soap_mode mode);
    // A copy of `prototype` (its settings, hooks and user pointer), for another thread.
    static SoapContext copy_of(const SoapContext& prototype);
    ~SoapContext();
    SoapContext(SoapContext&& other) noexcept;
    SoapContext& operator=(SoapContext&&) = delete;
    SoapContext(const SoapContext&) = delete;
    SoapContext& operator=(const SoapContext&) = delete;

    struct soap* get() const noexcept {
        return soap_;
    }

private:
    explicit SoapContext(struct soap* owned) noexcept;
    struct soap* soap_;
};

// Runs soap_destroy + soap_end on `soap` when the scope ends: C++ objects, then temporary
// data of the request are freed, the context stays ready for the next request.
class RequestScope {
public:
    explicit RequestScope(struct soap* soap) noexcept
        : soap_(soap) {}

    ~RequestScope();
    RequestScope(const RequestScope&) = delete;
    RequestScope& operator=(const RequestScope&) = delete;

private:
    struct soap* soap_;
};

} // namespace sb::prov
