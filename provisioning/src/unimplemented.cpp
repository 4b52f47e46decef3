// Every NGNPro operation this server does not implement yet answers with a SOAP fault
// (sb::prov::not_implemented), never a fake success. DnsPort is implemented in dns_port.cpp;
// when an operation gets a real implementation, delete its entry point here.
//
// The signatures are those soapcpp2 generates from wsdl/ngnpro.h (see wsdl/README.md).
// Parameter names are omitted: a fault uses none of them.

#include "fault.hpp"
#include "soapH.h"

// clang-format off


// SipPort

int sip__addDomain(struct soap* soap, struct ngnpro__SipDomain *, struct sip__addDomainResponse &) { return sb::prov::not_implemented(soap, "SipPort.addDomain"); }
int sip__updateDomain(struct soap* soap, struct ngnpro__SipDomain *, struct sip__updateDomainResponse &) { return sb::prov::not_implemented(soap, "SipPort.updateDomain"); }
int sip__deleteDomain(struct soap* soap, std::string, struct sip__deleteDomainResponse &) { return sb::prov::not_implemented(soap, "SipPort.deleteDomain"); }
int sip__getDomains(struct soap* soap, struct ngnpro__SipDomainQuery *, struct sip__getDomainsResponse &) { return sb::prov::not_implemented(soap, "SipPort.getDomains"); }
int sip__addTrustedPeer(struct soap* soap, struct ngnpro__TrustedPeer *, struct sip__addTrustedPeerResponse &) { return sb::prov::not_implemented(soap, "SipPort.addTrustedPeer"); }
int sip__updateTrustedPeer(struct soap* soap, struct ngnpro__TrustedPeer *, struct sip__updateTrustedPeerResponse &) { return sb::prov::not_implemented(soap, "SipPort.updateTrustedPeer"); }
int sip__deleteTrustedPeer(struct soap* soap, std::string, struct sip__deleteTrustedPeerResponse &) { return sb::prov::not_implemented(soap, "SipPort.deleteTrustedPeer"); }
int sip__getTrustedPeers(struct soap* soap, struct ngnpro__TrustedPeerQuery *, struct sip__getTrustedPeersResponse &) { return sb::prov::not_implemented(soap, "SipPort.getTrustedPeers"); }
int sip__addAccount(struct soap* soap, struct ngnpro__SipAccount *, struct sip__addAccountResponse &) { return sb::prov::not_implemented(soap, "SipPort.addAccount"); }
int sip__updateAccount(struct soap* soap, struct ngnpro__SipAccount *, struct sip__updateAccountResponse &) { return sb::prov::not_implemented(soap, "SipPort.updateAccount"); }
int sip__deleteAccount(struct soap* soap, struct ngnpro__SipId *, struct sip__deleteAccountResponse &) { return sb::prov::not_implemented(soap, "SipPort.deleteAccount"); }
int sip__getAccount(struct soap* soap, struct ngnpro__SipId *, struct sip__getAccountResponse &) { return sb::prov::not_implemented(soap, "SipPort.getAccount"); }
int sip__getAccounts(struct soap* soap, struct ngnpro__SipQuery *, struct sip__getAccountsResponse &) { return sb::prov::not_implemented(soap, "SipPort.getAccounts"); }
int sip__addAlias(struct soap* soap, struct ngnpro__SipAlias *, struct sip__addAliasResponse &) { return sb::prov::not_implemented(soap, "SipPort.addAlias"); }
int sip__updateAlias(struct soap* soap, struct ngnpro__SipAlias *, struct sip__updateAliasResponse &) { return sb::prov::not_implemented(soap, "SipPort.updateAlias"); }
int sip__deleteAlias(struct soap* soap, struct ngnpro__SipId *, struct sip__deleteAliasResponse &) { return sb::prov::not_implemented(soap, "SipPort.deleteAlias"); }
int sip__getAlias(struct soap* soap, struct ngnpro__SipId *, struct sip__getAliasResponse &) { return sb::prov::not_implemented(soap, "SipPort.getAlias"); }
int sip__getAliases(struct soap* soap, struct ngnpro__AliasQuery *, struct sip__getAliasesResponse &) { return sb::prov::not_implemented(soap, "SipPort.getAliases"); }
int sip__getAliasesForAccount(struct soap* soap, struct ngnpro__SipId *, struct sip__getAliasesForAccountResponse &) { return sb::prov::not_implemented(soap, "SipPort.getAliasesForAccount"); }
int sip__addToGroup(struct soap* soap, struct ngnpro__SipId *, std::string, struct sip__addToGroupResponse &) { return sb::prov::not_implemented(soap, "SipPort.addToGroup"); }
int sip__removeFromGroup(struct soap* soap, struct ngnpro__SipId *, std::string, struct sip__removeFromGroupResponse &) { return sb::prov::not_implemented(soap, "SipPort.removeFromGroup"); }
int sip__getGroups(struct soap* soap, struct ngnpro__SipId *, struct sip__getGroupsResponse &) { return sb::prov::not_implemented(soap, "SipPort.getGroups"); }
int sip__addBalance(struct soap* soap, struct ngnpro__SipId *, double, std::string, struct sip__addBalanceResponse &) { return sb::prov::not_implemented(soap, "SipPort.addBalance"); }
int sip__addBalanceFromVoucher(struct soap* soap, struct ngnpro__SipId *, struct ngnpro__PrepaidCard *, struct sip__addBalanceFromVoucherResponse &) { return sb::prov::not_implemented(soap, "SipPort.addBalanceFromVoucher"); }
int sip__getPrepaidStatus(struct soap* soap, struct ngnpro__SipIdArray *, struct sip__getPrepaidStatusResponse &) { return sb::prov::not_implemented(soap, "SipPort.getPrepaidStatus"); }
int sip__getCreditHistory(struct soap* soap, struct ngnpro__SipId *, int, struct sip__getCreditHistoryResponse &) { return sb::prov::not_implemented(soap, "SipPort.getCreditHistory"); }
int sip__addPhonebookEntry(struct soap* soap, struct ngnpro__SipId *, struct ngnpro__PhonebookEntry *, struct sip__addPhonebookEntryResponse &) { return sb::prov::not_implemented(soap, "SipPort.addPhonebookEntry"); }
int sip__updatePhonebookEntry(struct soap* soap, struct ngnpro__SipId *, struct ngnpro__PhonebookEntry *, struct sip__updatePhonebookEntryResponse &) { return sb::prov::not_implemented(soap, "SipPort.updatePhonebookEntry"); }
int sip__deletePhonebookEntry(struct soap* soap, struct ngnpro__SipId *, std::string, struct sip__deletePhonebookEntryResponse &) { return sb::prov::not_implemented(soap, "SipPort.deletePhonebookEntry"); }
int sip__getPhonebookEntries(struct soap* soap, struct ngnpro__SipId *, struct ngnpro__PhonebookEntry *, struct ngnpro__Range *, struct sip__getPhonebookEntriesResponse &) { return sb::prov::not_implemented(soap, "SipPort.getPhonebookEntries"); }
int sip__setRejectMembers(struct soap* soap, struct ngnpro__SipId *, struct ngnpro__StringArray *, struct sip__setRejectMembersResponse &) { return sb::prov::not_implemented(soap, "SipPort.setRejectMembers"); }
int sip__getRejectMembers(struct soap* soap, struct ngnpro__SipId *, struct sip__getRejectMembersResponse &) { return sb::prov::not_implemented(soap, "SipPort.getRejectMembers"); }
int sip__setAcceptRules(struct soap* soap, struct ngnpro__SipId *, struct ngnpro__AcceptRules *, struct sip__setAcceptRulesResponse &) { return sb::prov::not_implemented(soap, "SipPort.setAcceptRules"); }
int sip__getAcceptRules(struct soap* soap, struct ngnpro__SipId *, struct sip__getAcceptRulesResponse &) { return sb::prov::not_implemented(soap, "SipPort.getAcceptRules"); }
int sip__setBarringPrefixes(struct soap* soap, struct ngnpro__SipId *, struct ngnpro__StringArray *, struct sip__setBarringPrefixesResponse &) { return sb::prov::not_implemented(soap, "SipPort.setBarringPrefixes"); }
int sip__getBarringPrefixes(struct soap* soap, struct ngnpro__SipId *, struct sip__getBarringPrefixesResponse &) { return sb::prov::not_implemented(soap, "SipPort.getBarringPrefixes"); }
int sip__setCallDiversions(struct soap* soap, struct ngnpro__SipId *, struct ngnpro__CallDiversions *, struct sip__setCallDiversionsResponse &) { return sb::prov::not_implemented(soap, "SipPort.setCallDiversions"); }
int sip__getCallDiversions(struct soap* soap, struct ngnpro__SipId *, struct sip__getCallDiversionsResponse &) { return sb::prov::not_implemented(soap, "SipPort.getCallDiversions"); }
int sip__getCalls(struct soap* soap, struct ngnpro__SipId *, struct ngnpro__CallsQuery *, struct sip__getCallsResponse &) { return sb::prov::not_implemented(soap, "SipPort.getCalls"); }
int sip__getCallStatistics(struct soap* soap, struct ngnpro__SipId *, struct ngnpro__CallsQuery *, struct sip__getCallStatisticsResponse &) { return sb::prov::not_implemented(soap, "SipPort.getCallStatistics"); }
int sip__getSipDeviceLocations(struct soap* soap, struct ngnpro__SipIdArray *, struct sip__getSipDeviceLocationsResponse &) { return sb::prov::not_implemented(soap, "SipPort.getSipDeviceLocations"); }
int sip__getSipTrace(struct soap* soap, struct ngnpro__SipTraceFilter *, struct sip__getSipTraceResponse &) { return sb::prov::not_implemented(soap, "SipPort.getSipTrace"); }
int sip__getMediaTrace(struct soap* soap, struct ngnpro__MediaTraceFilter *, struct sip__getMediaTraceResponse &) { return sb::prov::not_implemented(soap, "SipPort.getMediaTrace"); }
int sip__getMediaSummary(struct soap* soap, struct sip__getMediaSummaryResponse &) { return sb::prov::not_implemented(soap, "SipPort.getMediaSummary"); }
int sip__getMediaSessions(struct soap* soap, struct sip__getMediaSessionsResponse &) { return sb::prov::not_implemented(soap, "SipPort.getMediaSessions"); }
int sip__addGateway(struct soap* soap, struct ngnpro__Gateway *, struct sip__addGatewayResponse &) { return sb::prov::not_implemented(soap, "SipPort.addGateway"); }
int sip__updateGateway(struct soap* soap, struct ngnpro__Gateway *, struct sip__updateGatewayResponse &) { return sb::prov::not_implemented(soap, "SipPort.updateGateway"); }
int sip__deleteGateway(struct soap* soap, int, struct sip__deleteGatewayResponse &) { return sb::prov::not_implemented(soap, "SipPort.deleteGateway"); }
int sip__getGateways(struct soap* soap, struct ngnpro__GatewayQuery *, struct sip__getGatewaysResponse &) { return sb::prov::not_implemented(soap, "SipPort.getGateways"); }
int sip__addGatewayRule(struct soap* soap, struct ngnpro__GatewayRule *, struct sip__addGatewayRuleResponse &) { return sb::prov::not_implemented(soap, "SipPort.addGatewayRule"); }
int sip__updateGatewayRule(struct soap* soap, struct ngnpro__GatewayRule *, struct sip__updateGatewayRuleResponse &) { return sb::prov::not_implemented(soap, "SipPort.updateGatewayRule"); }
int sip__deleteGatewayRule(struct soap* soap, int, struct sip__deleteGatewayRuleResponse &) { return sb::prov::not_implemented(soap, "SipPort.deleteGatewayRule"); }
int sip__getGatewayRules(struct soap* soap, struct ngnpro__GatewayRuleQuery *, struct sip__getGatewayRulesResponse &) { return sb::prov::not_implemented(soap, "SipPort.getGatewayRules"); }
int sip__addCarrier(struct soap* soap, struct ngnpro__Carrier *, struct sip__addCarrierResponse &) { return sb::prov::not_implemented(soap, "SipPort.addCarrier"); }
int sip__updateCarrier(struct soap* soap, struct ngnpro__Carrier *, struct sip__updateCarrierResponse &) { return sb::prov::not_implemented(soap, "SipPort.updateCarrier"); }
int sip__deleteCarrier(struct soap* soap, int, struct sip__deleteCarrierResponse &) { return sb::prov::not_implemented(soap, "SipPort.deleteCarrier"); }
int sip__getCarriers(struct soap* soap, struct ngnpro__CarrierQuery *, struct sip__getCarriersResponse &) { return sb::prov::not_implemented(soap, "SipPort.getCarriers"); }
int sip__addRoutes(struct soap* soap, struct ngnpro__RouteArray *, struct sip__addRoutesResponse &) { return sb::prov::not_implemented(soap, "SipPort.addRoutes"); }
int sip__updateRoutes(struct soap* soap, struct ngnpro__RouteArray *, struct sip__updateRoutesResponse &) { return sb::prov::not_implemented(soap, "SipPort.updateRoutes"); }
int sip__deleteRoutes(struct soap* soap, struct ngnpro__RouteArray *, struct sip__deleteRoutesResponse &) { return sb::prov::not_implemented(soap, "SipPort.deleteRoutes"); }
int sip__getRoutes(struct soap* soap, struct ngnpro__RouteQuery *, struct sip__getRoutesResponse &) { return sb::prov::not_implemented(soap, "SipPort.getRoutes"); }

// VoicemailPort

int vm__addAccount(struct soap* soap, struct ngnpro__VoicemailAccount *, struct vm__addAccountResponse &) { return sb::prov::not_implemented(soap, "VoicemailPort.addAccount"); }
int vm__updateAccount(struct soap* soap, struct ngnpro__VoicemailAccount *, struct vm__updateAccountResponse &) { return sb::prov::not_implemented(soap, "VoicemailPort.updateAccount"); }
int vm__deleteAccount(struct soap* soap, struct ngnpro__SipId *, struct vm__deleteAccountResponse &) { return sb::prov::not_implemented(soap, "VoicemailPort.deleteAccount"); }
int vm__getAccount(struct soap* soap, struct ngnpro__SipId *, struct vm__getAccountResponse &) { return sb::prov::not_implemented(soap, "VoicemailPort.getAccount"); }
int vm__setAnnouncement(struct soap* soap, struct ngnpro__SipId *, struct xsd__base64Binary *, struct vm__setAnnouncementResponse &) { return sb::prov::not_implemented(soap, "VoicemailPort.setAnnouncement"); }
// RatingPort

int rating__setEntityProfiles(struct soap* soap, struct ngnpro__RatingEntityProfiles *, struct rating__setEntityProfilesResponse &) { return sb::prov::not_implemented(soap, "RatingPort.setEntityProfiles"); }
int rating__deleteEntityProfiles(struct soap* soap, std::string, struct rating__deleteEntityProfilesResponse &) { return sb::prov::not_implemented(soap, "RatingPort.deleteEntityProfiles"); }
int rating__getEntityProfiles(struct soap* soap, std::string, struct rating__getEntityProfilesResponse &) { return sb::prov::not_implemented(soap, "RatingPort.getEntityProfiles"); }

// NetworkPort

int network__getStatistics(struct soap* soap, struct network__getStatisticsResponse &) { return sb::prov::not_implemented(soap, "NetworkPort.getStatistics"); }
int network__getStatus(struct soap* soap, struct network__getStatusResponse &) { return sb::prov::not_implemented(soap, "NetworkPort.getStatus"); }
// clang-format on
