// sb_wsdl's small hand-written API next to the generated soapH.h (see wsdl/README.md).
#pragma once

struct soap;
struct ngnpro__Auth;

namespace sb::wsdl {

// Settings every server context needs for NGNPro clients; call once per soap context
// (soap_copy keeps them). Sets soap->actor = "0": old PHP builds send the auth header with
// SOAP-ENV:actor="0", and gSOAP silently skips header entries whose actor is not ours.
void configure(struct soap* soap) noexcept;

// The request's auth header entry, sent unqualified (<auth>, the PHP client) or as
// <ngnpro:auth> (what NGNPro.wsdl declares); nullptr when there is none.
const ngnpro__Auth* auth(const struct soap* soap) noexcept;

} // namespace sb::wsdl
