// SOAP faults in the shape NGNPro clients read (reference/ngnpro-api.md §3.1):
// faultcode/faultstring plus detail/exception/errorcode + errorstring.
#pragma once

#include "provisioning/errors.hpp"

#include <string>

struct soap;

namespace sb::prov {

// Sets the fault on `soap` and returns SOAP_FAULT, for `return fault(...)` in an entry point.
// `code` Internal gives SOAP-ENV:Server, every other code SOAP-ENV:Client.
int fault(struct soap* soap, ErrorCode code, const std::string& message);

// The fault for an operation this server does not implement yet (never a fake success), after
// authentication and audited like any other operation (trace_media_port.cpp).
int not_implemented(struct soap* soap, const char* port_and_operation);

} // namespace sb::prov
