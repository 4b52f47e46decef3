#include "soap_context.hpp"

#include <new>

namespace sb::prov {

SoapContext::SoapContext(struct soap* owned) noexcept
    : soap_(owned) {}

SoapContext::SoapContext(soap_mode mode)
    : soap_(soap_new2(mode, mode)) {
    if (soap_ == nullptr) {
        throw std::bad_alloc();
    }
}

SoapContext SoapContext::copy_of(const SoapContext& prototype) {
    struct soap* copy = soap_copy(prototype.soap_);
    if (copy == nullptr) {
        throw std::bad_alloc();
    }
    return SoapContext(copy);
}

SoapContext::SoapContext(SoapContext&& other) noexcept
    : soap_(other.soap_) {
    other.soap_ = nullptr;
}

SoapContext::~SoapContext() {
    if (soap_ != nullptr) {
        soap_destroy(soap_);
        soap_end(soap_);
        soap_free(soap_);
    }
}

RequestScope::~RequestScope() {
    soap_destroy(soap_);
    soap_end(soap_);
}

} // namespace sb::prov
