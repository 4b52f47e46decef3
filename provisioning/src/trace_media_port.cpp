// SipPort's trace and media operations: this server keeps no SIP messages and runs no media
// relay, so it answers as an NGNPro without them would, with what CDRTool tolerates: empty
// JSON lists, and fault 1060 for a media trace. And the fault for the operations not
// implemented yet (DnsPort's fancy records): after authentication, audited like any other.
#include "context.hpp"
#include "soap_util.hpp"

using namespace sb::prov;

int sb::prov::not_implemented(struct soap* soap, const char* port_and_operation) {
    return serve(soap, port_and_operation, [&](const Caller&) {
        throw ApiError(ErrorCode::NotImplemented,
                       std::string(port_and_operation) + " is not implemented by this server yet");
    });
}

int sip__getSipTrace(struct soap* soap, ngnpro__SipTraceFilter*, sip__getSipTraceResponse& out) {
    return serve(soap, "SipPort.getSipTrace", [&](const Caller&) { out.return_ = "[]"; });
}

int sip__getMediaTrace(struct soap* soap, ngnpro__MediaTraceFilter* filter,
                       sip__getMediaTraceResponse&) {
    return serve(soap, "SipPort.getMediaTrace", [&](const Caller&) {
        throw ApiError(ErrorCode::MediaTraceNotFound,
                       "no media trace for call " + (filter ? filter->callId : std::string()) +
                           ": this server runs no media relay");
    });
}

int sip__getMediaSummary(struct soap* soap, sip__getMediaSummaryResponse& out) {
    return serve(soap, "SipPort.getMediaSummary", [&](const Caller&) { out.return_ = "[]"; });
}

int sip__getMediaSessions(struct soap* soap, sip__getMediaSessionsResponse& out) {
    return serve(soap, "SipPort.getMediaSessions", [&](const Caller&) { out.return_ = "[]"; });
}
