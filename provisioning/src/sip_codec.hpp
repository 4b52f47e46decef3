// SipPort's codec: from_soap (SOAP type → service input or filter) and to_soap (service row or
// view → SOAP type) per type. They live in the global namespace, beside the generated types,
// so fill_array/fill_page (soap_util.hpp) find to_soap by argument-dependent lookup. Everything
// to_soap allocates belongs to the soap context.
#pragma once

#include "sip_service.hpp"
#include "soap_util.hpp"

#include <array>
#include <string>
#include <vector>

namespace sb::prov {

// A required SipId parameter; InvalidArgument naming it when absent.
SipId id_in(const ngnpro__SipId* id, const char* name);

// "user@domain" of an id for the audit log ("" when absent).
std::string who(const ngnpro__SipId* id);

// A server-assigned id from the wire (absent or not positive: 0).
std::uint64_t id_value(const int* id);
std::uint64_t id_value(int id);

} // namespace sb::prov

// ---- identifiers, domains, accounts, aliases

sb::prov::SipId from_soap(const ngnpro__SipId& id);
std::vector<sb::prov::SipId> from_soap(const ngnpro__SipIdArray* ids);
sb::prov::SipDomainInput from_soap(const ngnpro__SipDomain& d);
sb::prov::SipAccountInput from_soap(const ngnpro__SipAccount& a);
sb::prov::SipAliasInput from_soap(const ngnpro__SipAlias& a);
sb::prov::SipDomainFilter from_soap(const ngnpro__SipDomainQuery* q);
sb::prov::SipAccountFilter from_soap(const ngnpro__SipQuery* q);
sb::prov::SipAliasFilter from_soap(const ngnpro__AliasQuery* q);

void to_soap(struct soap* soap, const sb::prov::SipDomainView& r, ngnpro__SipDomain& d);
void to_soap(struct soap* soap, const sb::prov::SipAccountView& r, ngnpro__SipAccount& a);
void to_soap(struct soap* soap, const sb::prov::SipAliasView& r, ngnpro__SipAlias& a);

// ---- settings

sb::prov::PhonebookEntry from_soap(const ngnpro__PhonebookEntry* e);
sb::prov::AcceptRules from_soap(const ngnpro__AcceptRules* rules);
std::array<std::string, 10> from_soap(const ngnpro__CallDiversions* d);

void to_soap(struct soap* soap, const sb::prov::PhonebookEntry& r, ngnpro__PhonebookEntry& e);
void to_soap(struct soap* soap, const sb::prov::AcceptRules& r, ngnpro__AcceptRules& out);
void to_soap(struct soap* soap, const std::array<std::string, 10>& d, ngnpro__CallDiversions& out);

// ---- trusted peers and PSTN

sb::prov::TrustedPeerInput from_soap(const ngnpro__TrustedPeer& p);
sb::prov::CarrierInput from_soap(const ngnpro__Carrier& c);
sb::prov::GatewayInput from_soap(const ngnpro__Gateway& g);
sb::prov::GatewayRuleInput from_soap(const ngnpro__GatewayRule& r);
std::vector<sb::prov::RouteInput> from_soap(const ngnpro__RouteArray* routes);
sb::prov::TrustedPeerFilter from_soap(const ngnpro__TrustedPeerQuery* q);
sb::prov::IdFilter from_soap(const ngnpro__CarrierQuery* q);
sb::prov::IdFilter from_soap(const ngnpro__GatewayQuery* q);
sb::prov::IdFilter from_soap(const ngnpro__GatewayRuleQuery* q);
sb::prov::IdFilter from_soap(const ngnpro__RouteQuery* q);

void to_soap(struct soap* soap, const sb::prov::TrustedPeerView& r, ngnpro__TrustedPeer& p);
void to_soap(struct soap* soap, const sb::prov::CarrierView& r, ngnpro__Carrier& c);
void to_soap(struct soap* soap, const sb::prov::GatewayView& v, ngnpro__Gateway& g);
void to_soap(struct soap* soap, const sb::prov::GatewayRuleView& v, ngnpro__GatewayRule& r);
void to_soap(struct soap* soap, const sb::prov::RouteView& v, ngnpro__Route& r);

// ---- prepaid, calls, devices

sb::prov::CallQuery from_soap(const ngnpro__CallQuery* q);

void to_soap(struct soap* soap, const sb::prov::BalanceChange& c, ngnpro__BalanceChange& out);
void to_soap(struct soap* soap, const sb::prov::PrepaidView& r, ngnpro__PrepaidStatus& s);
void to_soap(struct soap* soap, const sb::prov::CreditEntry& r, ngnpro__CreditHistoryEntry& e);
void to_soap(struct soap* soap, const sb::prov::Calls& calls, ngnpro__CallsResult& out);
void to_soap(struct soap* soap, const sb::prov::CallStatistics& s,
             ngnpro__CallStatisticsResult& out);
void to_soap(struct soap* soap, const sb::prov::DeviceLocations& d,
             ngnpro__SipDeviceLocations& out);
