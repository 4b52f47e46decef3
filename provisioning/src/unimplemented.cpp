// Every NGNPro operation this server does not implement yet answers with a SOAP fault
// (sb::prov::not_implemented), never a fake success. The other ports live in their *_port.cpp
// files; when an operation gets a real implementation, delete its entry point here.
//
// The signatures are those soapcpp2 generates from wsdl/ngnpro.h (see wsdl/README.md).
// Parameter names are omitted: a fault uses none of them.

#include "fault.hpp"
#include "soapH.h"

// clang-format off


// SipPort (SIP Thor traces and media relay data)

int sip__getSipTrace(struct soap* soap, struct ngnpro__SipTraceFilter *, struct sip__getSipTraceResponse &) { return sb::prov::not_implemented(soap, "SipPort.getSipTrace"); }
int sip__getMediaTrace(struct soap* soap, struct ngnpro__MediaTraceFilter *, struct sip__getMediaTraceResponse &) { return sb::prov::not_implemented(soap, "SipPort.getMediaTrace"); }
int sip__getMediaSummary(struct soap* soap, struct sip__getMediaSummaryResponse &) { return sb::prov::not_implemented(soap, "SipPort.getMediaSummary"); }
int sip__getMediaSessions(struct soap* soap, struct sip__getMediaSessionsResponse &) { return sb::prov::not_implemented(soap, "SipPort.getMediaSessions"); }

// RatingPort

int rating__setEntityProfiles(struct soap* soap, struct ngnpro__RatingEntityProfiles *, struct rating__setEntityProfilesResponse &) { return sb::prov::not_implemented(soap, "RatingPort.setEntityProfiles"); }
int rating__deleteEntityProfiles(struct soap* soap, std::string, struct rating__deleteEntityProfilesResponse &) { return sb::prov::not_implemented(soap, "RatingPort.deleteEntityProfiles"); }
int rating__getEntityProfiles(struct soap* soap, std::string, struct rating__getEntityProfilesResponse &) { return sb::prov::not_implemented(soap, "RatingPort.getEntityProfiles"); }

// NetworkPort

int network__getStatistics(struct soap* soap, struct network__getStatisticsResponse &) { return sb::prov::not_implemented(soap, "NetworkPort.getStatistics"); }
int network__getStatus(struct soap* soap, struct network__getStatusResponse &) { return sb::prov::not_implemented(soap, "NetworkPort.getStatus"); }

// clang-format on
