// gSOAP serving one buffered HTTP request: how every context is set up (namespaces, hooks,
// limits) and how a complete request read by the HTTP front is run through soap_serve's
// steps with frecv/fsend over memory. Used by the worker pool and the MemoryServer.
#pragma once

#include "provisioning/provisioning.hpp"
#include "soap_context.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace sb::prov {

struct Request;

// A context that serves NGNPro requests from memory: namespaces, the PHP client's header
// actor, GET <base>wsdl, the events endpoint, the XML depth check and the size, depth and
// array limits of `options`. Its copies (SoapContext::copy_of) keep all of it; each gets its
// own Request with use().
SoapContext serving_context(const Options& options);

// Makes `r` the Request of `soap` (soap->user).
void use(struct soap* soap, Request& r) noexcept;

struct Served {
    bool keep_alive = false;            // the connection may stay open for another request
    std::chrono::milliseconds delay{0}; // hold the answer back this long (failed logins)
};

// Serves one complete HTTP request `in` from `peer` and appends the whole HTTP response to
// `out`.
Served serve_buffer(struct soap* soap, std::string_view in, std::string& out,
                    std::string_view peer);

} // namespace sb::prov
