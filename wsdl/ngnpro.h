// soapcpp2 input, not C++: its member annotations must stay as written.
// clang-format off
// NGNPro provisioning API: the gSOAP service definition (input of soapcpp2).
//
// Wire contract: /work/shared/reference/ngnpro-api.md (§1.3 ports, §6 operations, §7 types).
// soapcpp2 -1 -e turns this into soapStub.h/soapH.h/soapC.cpp/soapServer.cpp and one WSDL per
// port; wsdl/cmake/merge_wsdl.cmake merges those into NGNPro.wsdl (soapcpp2 writes one WSDL per
// service name and keeps only the last namespace when several share a name).
//
// Conventions (see wsdl/README.md):
//  * every type lives in urn:AGProjects:NGNPro (prefix ngnpro), every operation in
//    urn:AGProjects:NGNPro:<Port> (prefixes sip, vm, enm, dns, customer, rating, network);
//  * strings are std::string values (empty = not given), optional numbers/booleans are
//    pointers (nullptr = not given), arrays are SOAP-encoded __ptr/__size structs held by
//    value (never nil on output), optional nested structs are pointers;
//  * each operation's output is a <op>Response struct: one member `return_` (element
//    <return>) for value-returning operations, no member for void ones;
//  * XSD scalar types are `extern typedef`: their lenient serializers are in src/lenient.cpp;
//  * gSOAP maps `_` in a name to `-` on the wire: a literal `_` is written `_USCORE`
//    (private_USCOREkey is <private_key>); a trailing `_` is dropped (return_, delete_, enum_).

//gsoap ngnpro schema namespace: urn:AGProjects:NGNPro
//gsoap ngnpro schema form: unqualified

//gsoap sip service name: SipPort
//gsoap sip service type: SipPort
//gsoap sip service portName: SipPort
//gsoap sip service binding: SipBinding
//gsoap sip service definitions: NGNPro
//gsoap sip service namespace: urn:AGProjects:NGNPro:Sip
//gsoap sip service location: http://localhost:9200/ngnpro/
//gsoap sip service style: rpc
//gsoap sip service encoding: encoded

//gsoap vm service name: VoicemailPort
//gsoap vm service type: VoicemailPort
//gsoap vm service portName: VoicemailPort
//gsoap vm service binding: VoicemailBinding
//gsoap vm service definitions: NGNPro
//gsoap vm service namespace: urn:AGProjects:NGNPro:Voicemail
//gsoap vm service location: http://localhost:9200/ngnpro/
//gsoap vm service style: rpc
//gsoap vm service encoding: encoded

//gsoap enm service name: EnumPort
//gsoap enm service type: EnumPort
//gsoap enm service portName: EnumPort
//gsoap enm service binding: EnumBinding
//gsoap enm service definitions: NGNPro
//gsoap enm service namespace: urn:AGProjects:NGNPro:Enum
//gsoap enm service location: http://localhost:9200/ngnpro/
//gsoap enm service style: rpc
//gsoap enm service encoding: encoded

//gsoap dns service name: DnsPort
//gsoap dns service type: DnsPort
//gsoap dns service portName: DnsPort
//gsoap dns service binding: DnsBinding
//gsoap dns service definitions: NGNPro
//gsoap dns service namespace: urn:AGProjects:NGNPro:Dns
//gsoap dns service location: http://localhost:9200/ngnpro/
//gsoap dns service style: rpc
//gsoap dns service encoding: encoded

//gsoap customer service name: CustomerPort
//gsoap customer service type: CustomerPort
//gsoap customer service portName: CustomerPort
//gsoap customer service binding: CustomerBinding
//gsoap customer service definitions: NGNPro
//gsoap customer service namespace: urn:AGProjects:NGNPro:Customer
//gsoap customer service location: http://localhost:9200/ngnpro/
//gsoap customer service style: rpc
//gsoap customer service encoding: encoded

//gsoap rating service name: RatingPort
//gsoap rating service type: RatingPort
//gsoap rating service portName: RatingPort
//gsoap rating service binding: RatingBinding
//gsoap rating service definitions: NGNPro
//gsoap rating service namespace: urn:AGProjects:NGNPro:Rating
//gsoap rating service location: http://localhost:9200/ngnpro/
//gsoap rating service style: rpc
//gsoap rating service encoding: encoded

//gsoap network service name: NetworkPort
//gsoap network service type: NetworkPort
//gsoap network service portName: NetworkPort
//gsoap network service binding: NetworkBinding
//gsoap network service definitions: NGNPro
//gsoap network service namespace: urn:AGProjects:NGNPro:Network
//gsoap network service location: http://localhost:9200/ngnpro/
//gsoap network service style: rpc
//gsoap network service encoding: encoded

// ---------------------------------------------------------------------------------------
// Scalars with lenient serializers (src/lenient.cpp). LONG64/ULONG64 are gSOAP's 64-bit types.

extern typedef int xsd__int;
extern typedef unsigned int xsd__unsignedInt;
extern typedef unsigned short xsd__unsignedShort;
extern typedef bool xsd__boolean;
extern typedef double xsd__double;
extern typedef LONG64 xsd__integer;
extern typedef ULONG64 xsd__nonNegativeInteger;

// Binary (Voicemail.setAnnouncement; the real type is unknown, ngnpro-api.md §10.11).
struct xsd__base64Binary { unsigned char *__ptr; int __size; };

// Enumerations of xsd:string (§7.5, §7.12). Kept as strings so that any value deserializes
// whatever its xsi:type; the service layer checks the value and faults with NGNPro codes.
typedef std::string ngnpro__DnsRecordType "A|AAAA|CNAME|MX|NAPTR|NS|SRV|TXT|PTR|LOC";
typedef std::string ngnpro__TrustedPeerProtocol "any|udp|tcp|tls|sctp";

// ---------------------------------------------------------------------------------------
// Authentication header (§2). PHP sends <auth> unqualified; WSDL-driven clients send the
// element the WSDL declares, <ngnpro:auth>. gSOAP matches an element either qualified or
// not, so the header has one member for each form; read it with `auth ? auth : ngnpro__auth`.

struct ngnpro__Auth
{
    std::string username 0;
    std::string password 0;
    xsd__boolean *admin;
    xsd__int *impersonate;
};

struct SOAP_ENV__Header
{
    struct ngnpro__Auth *auth;           // <auth> (no namespace): the PHP client
    struct ngnpro__Auth *ngnpro__auth;   // <ngnpro:auth>: what the WSDL declares
};

// ---------------------------------------------------------------------------------------
// §7.1 Identifiers and helpers

struct ngnpro__SipId { std::string username 0; std::string domain 0; };
struct ngnpro__SipIdArray { struct ngnpro__SipId *__ptr; int __size; };
struct ngnpro__StringArray { std::string *__ptr; int __size; };
struct ngnpro__Range { xsd__int start 0; xsd__int count 0; };
struct ngnpro__OrderBy { std::string attribute 0; std::string direction 0; };
struct ngnpro__Property { std::string name 0; std::string value 0; };
struct ngnpro__PropertyArray { struct ngnpro__Property *__ptr; int __size; };
struct ngnpro__CustomerProperty
{
    std::string name 0;
    std::string value 0;
    std::string category 0;
    std::string permission 0;
};
struct ngnpro__CustomerPropertyArray { struct ngnpro__CustomerProperty *__ptr; int __size; };

// §7.2 SipAccount
struct ngnpro__SubscriberACL { std::string ip 0; xsd__int *mask; std::string tag 0; };
struct ngnpro__SubscriberACLArray { struct ngnpro__SubscriberACL *__ptr; int __size; };

struct ngnpro__SipAccount
{
    struct ngnpro__SipId id 1;
    std::string password 0;
    std::string firstName 0;
    std::string lastName 0;
    std::string email 0;
    struct ngnpro__SubscriberACLArray acl 0;
    struct ngnpro__StringArray groups 0;
    struct ngnpro__PropertyArray properties 0;
    std::string timezone 0;
    std::string rpid 0;
    xsd__int *quota;
    std::string quickdialPrefix 0;
    xsd__int *callLimit;
    xsd__boolean *prepaid;
    std::string region 0;
    xsd__nonNegativeInteger *timeout;
    xsd__integer *owner;
    xsd__integer *customer;
    xsd__integer *reseller;
    std::string changeDate 0;
    std::string createDate 0;
    std::string ha1 0;
};
struct ngnpro__SipAccountArray { struct ngnpro__SipAccount *__ptr; int __size; };

// §7.3 SipDomain
struct ngnpro__SipDomain
{
    std::string domain 1;
    xsd__integer *customer;
    xsd__integer *reseller;
    std::string certificate 0;
    std::string private_USCOREkey 0;
    std::string match_USCOREip_USCOREaddress 0;
    std::string match_USCOREsip_USCOREdomain 0;
    xsd__boolean *verify_USCOREcert;
    xsd__boolean *require_USCOREcert;
    std::string changeDate 0;
};
struct ngnpro__SipDomainArray { struct ngnpro__SipDomain *__ptr; int __size; };

// §7.4 SipAlias
struct ngnpro__SipAlias
{
    struct ngnpro__SipId id 1;
    struct ngnpro__SipId target 0;
    xsd__integer *owner;
    xsd__integer *customer;
    xsd__integer *reseller;
    std::string changeDate 0;
};
struct ngnpro__SipAliasArray { struct ngnpro__SipAlias *__ptr; int __size; };

// §7.5 TrustedPeer
struct ngnpro__TrustedPeer
{
    std::string ip 1;
    ngnpro__TrustedPeerProtocol protocol 0 = "any";
    std::string tag 0;
    std::string description 0;
    xsd__integer *reseller;
    std::string changeDate 0;
    xsd__integer *customer;
    xsd__integer *owner;
    std::string fromPattern 0;
    xsd__boolean *msteams;
    std::string tenant 0;
    std::string authToken 0;
    std::string carrierName 0;
    std::string originator 0;
    std::string prefix 0;
    xsd__int *strip;
    xsd__int *callLimit;
    xsd__int *blocked;
    xsd__boolean *enumLookup;
    xsd__boolean *transit;
    xsd__boolean *prepaid;
    std::string billingId 0;
    std::string tags 0;
};
struct ngnpro__TrustedPeerArray { struct ngnpro__TrustedPeer *__ptr; int __size; };

// §7.6 PSTN routing
struct ngnpro__Carrier
{
    xsd__int *id;
    std::string name 0;
    xsd__integer *reseller;
    std::string changeDate 0;
};
struct ngnpro__CarrierArray { struct ngnpro__Carrier *__ptr; int __size; };

struct ngnpro__Gateway
{
    xsd__int *id;
    std::string name 0;
    xsd__int *carrier_USCOREid;
    std::string carrier 0;
    std::string transport 0;
    std::string ip 0;
    xsd__int *port;
    xsd__integer *reseller;
    std::string changeDate 0;
};
struct ngnpro__GatewayArray { struct ngnpro__Gateway *__ptr; int __size; };

struct ngnpro__GatewayRule
{
    xsd__int *id;
    xsd__int *gateway_USCOREid;
    std::string gateway 0;
    xsd__int *carrier_USCOREid;
    std::string carrier 0;
    std::string prefix 0;
    xsd__int *strip;
    std::string prepend 0;
    xsd__int *minLength;
    xsd__int *maxLength;
    xsd__integer *reseller;
    std::string changeDate 0;
};
struct ngnpro__GatewayRuleArray { struct ngnpro__GatewayRule *__ptr; int __size; };

struct ngnpro__Route
{
    xsd__int *id;
    xsd__int *carrier_USCOREid;
    std::string carrier 0;
    std::string prefix 0;
    std::string originator 0;
    xsd__int *priority;
    xsd__integer *reseller;
    std::string changeDate 0;
};
struct ngnpro__RouteArray { struct ngnpro__Route *__ptr; int __size; };

// §7.7 Prepaid
struct ngnpro__PrepaidCard { xsd__int *id; std::string number 0; };
struct ngnpro__PrepaidStatus
{
    xsd__double balance 0;
    xsd__boolean callInProgress 0;
    xsd__int sessionTime 0;
    xsd__int maxSessionTime 0;
    std::string destination 0;
    xsd__double lastCallPrice 0;
};
struct ngnpro__PrepaidStatusArray { struct ngnpro__PrepaidStatus *__ptr; int __size; };
struct ngnpro__BalanceChange { xsd__double old_USCOREbalance 0; xsd__double new_USCOREbalance 0; };
struct ngnpro__CreditHistoryEntry
{
    std::string date 0;
    std::string action 0;
    std::string description 0;
    xsd__double value 0;
    xsd__double balance 0;
    std::string session 0;
    std::string number 0;
};
struct ngnpro__CreditHistoryEntryArray { struct ngnpro__CreditHistoryEntry *__ptr; int __size; };
struct ngnpro__CreditHistory { struct ngnpro__CreditHistoryEntryArray entries 0; };

// §7.8 Phone book, accept/reject, barring, diversions
struct ngnpro__PhonebookEntry { std::string uri 0; std::string name 0; std::string group 0; };
struct ngnpro__PhonebookEntryArray { struct ngnpro__PhonebookEntry *__ptr; int __size; };
struct ngnpro__PhonebookEntries { xsd__int total 0; struct ngnpro__PhonebookEntryArray entries 0; };

struct ngnpro__AcceptRulePersistent
{
    std::string start 0;
    std::string stop 0;
    struct ngnpro__StringArray groups 0;
    xsd__int *days;
};
struct ngnpro__AcceptRulePersistentArray { struct ngnpro__AcceptRulePersistent *__ptr; int __size; };
struct ngnpro__AcceptRuleTemporary { struct ngnpro__StringArray groups 0; xsd__int *duration; };
struct ngnpro__AcceptRules
{
    struct ngnpro__AcceptRulePersistentArray persistent 0;
    struct ngnpro__AcceptRuleTemporary *temporary;
};
struct ngnpro__AcceptRulesResult
{
    struct ngnpro__AcceptRules rules 0;
    struct ngnpro__StringArray nonEmptyGroups 0;
};

struct ngnpro__CallDiversions
{
    std::string FUNC 0;
    std::string FNOL 0;
    std::string FUNV 0;
    std::string FNOA 0;
    std::string FBUS 0;
    std::string RUNC 0;
    std::string RNOL 0;
    std::string RUNV 0;
    std::string RNOA 0;
    std::string RBUS 0;
};

// §7.9 Calls and devices
struct ngnpro__CallQuery { xsd__int *fromDate; xsd__int *toDate; xsd__int *limit; };
struct ngnpro__CallsQuery { struct ngnpro__CallQuery *placed; struct ngnpro__CallQuery *received; };
struct ngnpro__Call
{
    std::string fromURI 0;
    std::string toURI 0;
    std::string fromHeader 0;
    xsd__int startTime 0;
    xsd__int stopTime 0;
    xsd__int duration 0;
    xsd__int status 0;
    xsd__double price 0;
    std::string rate 0;
    std::string sessionId 0;
    std::string fromTag 0;
    std::string toTag 0;
    std::string proxyIP 0;
    struct ngnpro__StringArray applicationTypes 0;
};
struct ngnpro__CallArray { struct ngnpro__Call *__ptr; int __size; };
struct ngnpro__CallsResult { struct ngnpro__CallArray placed 0; struct ngnpro__CallArray received 0; };
struct ngnpro__CallStatistics { xsd__int calls 0; xsd__double price 0; };
struct ngnpro__CallStatisticsResult
{
    struct ngnpro__CallStatistics placed 0;
    struct ngnpro__CallStatistics received 0;
};
struct ngnpro__SipDeviceLocation
{
    std::string address 0;
    xsd__int port 0;
    std::string publicAddress 0;
    xsd__int publicPort 0;
    xsd__int expires 0;
    std::string userAgent 0;
    std::string transport 0;
};
struct ngnpro__SipDeviceLocationArray { struct ngnpro__SipDeviceLocation *__ptr; int __size; };
struct ngnpro__SipDeviceLocations
{
    struct ngnpro__SipId id 0;
    struct ngnpro__SipDeviceLocationArray locations 0;
};
struct ngnpro__SipDeviceLocationsArray { struct ngnpro__SipDeviceLocations *__ptr; int __size; };
struct ngnpro__SipTraceFilter
{
    std::string nodeIp 0;
    std::string callId 0;
    std::string fromTag 0;
    std::string toTag 0;
};
struct ngnpro__MediaTraceFilter
{
    std::string nodeIp 0;
    std::string callId 0;
    std::string fromTag 0;
    std::string toTag 0;
};

// §7.10 Voicemail
struct ngnpro__VoicemailOptions { xsd__boolean *delete_; };
struct ngnpro__VoicemailAccount
{
    struct ngnpro__SipId sipId 1;
    std::string mailbox 0;
    std::string password 0;
    std::string name 0;
    std::string email 0;
    std::string info 0;
    struct ngnpro__VoicemailOptions *options;
};

// §7.11 ENUM
struct ngnpro__EnumRangeId { std::string prefix 0; std::string tld 0; };
struct ngnpro__EnumRange
{
    struct ngnpro__EnumRangeId id 1;
    xsd__nonNegativeInteger *ttl;
    xsd__int *minDigits;
    xsd__int *maxDigits;
    xsd__int *size;
    struct ngnpro__StringArray nameservers 0;
    xsd__int *used;
    xsd__int *serial;
    xsd__integer *customer;
    xsd__integer *reseller;
    std::string changeDate 0;
    std::string info 0;
};
struct ngnpro__EnumRangeArray { struct ngnpro__EnumRange *__ptr; int __size; };
struct ngnpro__EnumId { std::string number 0; std::string tld 0; };
struct ngnpro__EnumMapping
{
    xsd__int *id;
    std::string type 0;
    std::string mapto 0;
    xsd__int *priority;
    xsd__int *ttl;
};
struct ngnpro__EnumMappingArray { struct ngnpro__EnumMapping *__ptr; int __size; };
struct ngnpro__EnumNumber
{
    struct ngnpro__EnumId id 1;
    struct ngnpro__EnumMappingArray mappings 0;
    std::string info 0;
    xsd__integer *owner;
    xsd__integer *customer;
    xsd__integer *reseller;
    std::string changeDate 0;
};
struct ngnpro__EnumNumberArray { struct ngnpro__EnumNumber *__ptr; int __size; };

// §7.12 DNS
struct ngnpro__DnsZone
{
    std::string name 1;
    xsd__nonNegativeInteger *ttl;
    struct ngnpro__StringArray nameservers 0;
    std::string email 0;
    xsd__int *serial;
    xsd__int *refresh;
    xsd__int *retry;
    xsd__int *expire;
    xsd__int *minimum;
    xsd__integer *customer;
    xsd__integer *reseller;
    std::string changeDate 0;
    std::string info 0;
};
struct ngnpro__DnsZoneArray { struct ngnpro__DnsZone *__ptr; int __size; };

struct ngnpro__DnsRecord
{
    xsd__integer *id;
    std::string zone 0;
    std::string name 0;
    ngnpro__DnsRecordType type 0;
    xsd__unsignedInt *ttl;
    std::string value 0;
    xsd__unsignedShort *priority;
    xsd__integer *owner;
    xsd__integer *customer;
    xsd__integer *reseller;
    std::string changeDate 0;
};
struct ngnpro__DnsRecordArray { struct ngnpro__DnsRecord *__ptr; int __size; };

struct ngnpro__DnsFancyRecord
{
    xsd__integer *id;
    std::string zone 0;
    std::string name 0;
    std::string type 0;
    std::string value 0;
    xsd__integer *owner;
    xsd__integer *customer;
    xsd__integer *reseller;
    std::string changeDate 0;
};
struct ngnpro__DnsFancyRecordArray { struct ngnpro__DnsFancyRecord *__ptr; int __size; };

// §7.13 Customers
struct ngnpro__CustomerAccount
{
    xsd__integer *id;
    xsd__integer *reseller;
    xsd__integer *impersonate;
    std::string username 0;
    std::string password 0;
    std::string firstName 0;
    std::string lastName 0;
    std::string organization 0;
    std::string vatNumber 0;
    std::string email 0;
    std::string web 0;
    std::string tel 0;
    std::string fax 0;
    std::string mobile 0;
    std::string sip 0;
    std::string enum_ 0;
    std::string address 0;
    std::string postcode 0;
    std::string city 0;
    std::string state 0;
    std::string country 0;
    std::string timezone 0;
    std::string language 0;
    std::string bankAccount 0;
    std::string billingAddress 0;
    std::string billingEmail 0;
    xsd__double *balance;
    xsd__double *credit;
    std::string companyCode 0;
    xsd__boolean *resellerActive;
    std::string changeDate 0;
    struct ngnpro__CustomerPropertyArray properties 0;
};
struct ngnpro__CustomerAccountArray { struct ngnpro__CustomerAccount *__ptr; int __size; };

// §7.14 Rating
struct ngnpro__RatingEntityProfiles
{
    std::string entity 0;
    std::string profileWeekday 0;
    std::string profileWeekdayAlt 0;
    std::string profileWeekend 0;
    std::string profileWeekendAlt 0;
    std::string timezone 0;
};

// §7.15 Query filters and results: {filter, range, orderBy} -> {total, <list>}.
// `range`/`orderBy` are pointers: without them, return every match in any stable order.

struct ngnpro__SipDomainFilter { std::string domain 0; xsd__integer *customer; xsd__integer *reseller; };
struct ngnpro__SipDomainQuery
{
    struct ngnpro__SipDomainFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__SipDomainQueryResult { xsd__int total 0; struct ngnpro__SipDomainArray domains 0; };

struct ngnpro__SipAccountFilter
{
    std::string username 0;
    std::string domain 0;
    std::string firstName 0;
    std::string lastName 0;
    std::string email 0;
    xsd__integer *owner;
    xsd__integer *customer;
    xsd__integer *reseller;
    struct ngnpro__StringArray groups 0;
};
struct ngnpro__SipQuery
{
    struct ngnpro__SipAccountFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__SipQueryResult { xsd__int total 0; struct ngnpro__SipAccountArray accounts 0; };

struct ngnpro__AliasFilter
{
    std::string aliasUsername 0;
    std::string aliasDomain 0;
    std::string targetUsername 0;
    std::string targetDomain 0;
    xsd__integer *owner;
    xsd__integer *customer;
    xsd__integer *reseller;
};
struct ngnpro__AliasQuery
{
    struct ngnpro__AliasFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__AliasQueryResult { xsd__int total 0; struct ngnpro__SipAliasArray aliases 0; };

struct ngnpro__TrustedPeerFilter
{
    std::string ip 0;
    std::string description 0;
    std::string tenant 0;
    std::string tags 0;
    std::string billingId 0;
    xsd__boolean *msteams;
    xsd__int *blocked;
    xsd__integer *customer;
    xsd__integer *reseller;
};
struct ngnpro__TrustedPeerQuery
{
    struct ngnpro__TrustedPeerFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__TrustedPeerQueryResult { xsd__int total 0; struct ngnpro__TrustedPeerArray peers 0; };

struct ngnpro__CarrierFilter { xsd__int *id; std::string name 0; xsd__integer *reseller; };
struct ngnpro__CarrierQuery
{
    struct ngnpro__CarrierFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__CarrierQueryResult { xsd__int total 0; struct ngnpro__CarrierArray carriers 0; };

struct ngnpro__GatewayFilter
{
    xsd__int *id;
    std::string name 0;
    xsd__int *carrier_USCOREid;
    xsd__integer *customer;
    xsd__integer *reseller;
};
struct ngnpro__GatewayQuery
{
    struct ngnpro__GatewayFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__GatewayQueryResult { xsd__int total 0; struct ngnpro__GatewayArray gateways 0; };

struct ngnpro__GatewayRuleFilter
{
    xsd__int *id;
    xsd__int *gateway_USCOREid;
    xsd__int *carrier_USCOREid;
    std::string prefix 0;
    xsd__integer *customer;
    xsd__integer *reseller;
};
struct ngnpro__GatewayRuleQuery
{
    struct ngnpro__GatewayRuleFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__GatewayRuleQueryResult
{
    xsd__int total 0;
    struct ngnpro__GatewayRuleArray gateway_USCORErules 0;
};

struct ngnpro__RouteFilter { xsd__int *id; std::string prefix 0; xsd__int *carrier_USCOREid; xsd__integer *reseller; };
struct ngnpro__RouteQuery
{
    struct ngnpro__RouteFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__RouteQueryResult { xsd__int total 0; struct ngnpro__RouteArray routes 0; };

struct ngnpro__EnumRangeFilter
{
    std::string prefix 0;
    std::string tld 0;
    std::string info 0;
    xsd__integer *customer;
    xsd__integer *reseller;
};
struct ngnpro__EnumRangeQuery
{
    struct ngnpro__EnumRangeFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__EnumRangeQueryResult { xsd__int total 0; struct ngnpro__EnumRangeArray ranges 0; };

struct ngnpro__EnumNumberFilter
{
    std::string number 0;
    std::string tld 0;
    std::string type 0;
    std::string mapto 0;
    xsd__integer *owner;
    xsd__integer *customer;
    xsd__integer *reseller;
};
struct ngnpro__EnumNumberQuery
{
    struct ngnpro__EnumNumberFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__EnumNumberQueryResult { xsd__int total 0; struct ngnpro__EnumNumberArray numbers 0; };

struct ngnpro__DnsZoneFilter
{
    std::string name 0;
    std::string info 0;
    xsd__integer *customer;
    xsd__integer *reseller;
};
struct ngnpro__DnsZoneQuery
{
    struct ngnpro__DnsZoneFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__DnsZoneQueryResult { xsd__int total 0; struct ngnpro__DnsZoneArray zones 0; };

struct ngnpro__DnsRecordFilter
{
    xsd__integer *id;
    std::string zone 0;
    std::string name 0;
    std::string type 0;
    std::string value 0;
    xsd__integer *owner;
    xsd__integer *customer;
    xsd__integer *reseller;
};
struct ngnpro__DnsRecordQuery
{
    struct ngnpro__DnsRecordFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__DnsRecordQueryResult { xsd__int total 0; struct ngnpro__DnsRecordArray records 0; };

struct ngnpro__DnsFancyRecordFilter
{
    xsd__integer *id;
    std::string zone 0;
    std::string name 0;
    std::string type 0;
    std::string value 0;
    xsd__integer *owner;
    xsd__integer *customer;
    xsd__integer *reseller;
};
struct ngnpro__DnsFancyRecordQuery
{
    struct ngnpro__DnsFancyRecordFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__DnsFancyRecordQueryResult
{
    xsd__int total 0;
    struct ngnpro__DnsFancyRecordArray records 0;
};

struct ngnpro__CustomerFilter
{
    xsd__integer *customer;
    xsd__integer *reseller;
    std::string username 0;
    std::string firstName 0;
    std::string lastName 0;
    std::string organization 0;
    std::string tel 0;
    std::string email 0;
    std::string web 0;
    std::string city 0;
    std::string country 0;
    std::string only_USCOREresellers 0;
};
struct ngnpro__CustomerQuery
{
    struct ngnpro__CustomerFilter filter 0;
    struct ngnpro__Range *range;
    struct ngnpro__OrderBy *orderBy;
};
struct ngnpro__CustomerQueryResult { xsd__int total 0; struct ngnpro__CustomerAccountArray accounts 0; };

// ---------------------------------------------------------------------------------------
// SipPort: urn:AGProjects:NGNPro:Sip (61 operations)

struct sip__addDomainResponse { };
//gsoap sip service method-input-header-part: addDomain ngnpro__auth
int sip__addDomain(struct ngnpro__SipDomain *domain, struct sip__addDomainResponse &response);

struct sip__updateDomainResponse { };
//gsoap sip service method-input-header-part: updateDomain ngnpro__auth
int sip__updateDomain(struct ngnpro__SipDomain *domain, struct sip__updateDomainResponse &response);

struct sip__deleteDomainResponse { };
//gsoap sip service method-input-header-part: deleteDomain ngnpro__auth
int sip__deleteDomain(std::string domain, struct sip__deleteDomainResponse &response);

struct sip__getDomainsResponse { struct ngnpro__SipDomainQueryResult return_ 1; };
//gsoap sip service method-input-header-part: getDomains ngnpro__auth
int sip__getDomains(struct ngnpro__SipDomainQuery *query, struct sip__getDomainsResponse &response);

struct sip__addTrustedPeerResponse { };
//gsoap sip service method-input-header-part: addTrustedPeer ngnpro__auth
int sip__addTrustedPeer(struct ngnpro__TrustedPeer *peer, struct sip__addTrustedPeerResponse &response);

struct sip__updateTrustedPeerResponse { };
//gsoap sip service method-input-header-part: updateTrustedPeer ngnpro__auth
int sip__updateTrustedPeer(struct ngnpro__TrustedPeer *peer, struct sip__updateTrustedPeerResponse &response);

struct sip__deleteTrustedPeerResponse { };
//gsoap sip service method-input-header-part: deleteTrustedPeer ngnpro__auth
int sip__deleteTrustedPeer(std::string ip, struct sip__deleteTrustedPeerResponse &response);

struct sip__getTrustedPeersResponse { struct ngnpro__TrustedPeerQueryResult return_ 1; };
//gsoap sip service method-input-header-part: getTrustedPeers ngnpro__auth
int sip__getTrustedPeers(struct ngnpro__TrustedPeerQuery *query, struct sip__getTrustedPeersResponse &response);

struct sip__addAccountResponse { struct ngnpro__SipAccount return_ 1; };
//gsoap sip service method-input-header-part: addAccount ngnpro__auth
int sip__addAccount(struct ngnpro__SipAccount *account, struct sip__addAccountResponse &response);

struct sip__updateAccountResponse { };
//gsoap sip service method-input-header-part: updateAccount ngnpro__auth
int sip__updateAccount(struct ngnpro__SipAccount *account, struct sip__updateAccountResponse &response);

struct sip__deleteAccountResponse { };
//gsoap sip service method-input-header-part: deleteAccount ngnpro__auth
int sip__deleteAccount(struct ngnpro__SipId *sipId, struct sip__deleteAccountResponse &response);

struct sip__getAccountResponse { struct ngnpro__SipAccount return_ 1; };
//gsoap sip service method-input-header-part: getAccount ngnpro__auth
int sip__getAccount(struct ngnpro__SipId *sipId, struct sip__getAccountResponse &response);

struct sip__getAccountsResponse { struct ngnpro__SipQueryResult return_ 1; };
//gsoap sip service method-input-header-part: getAccounts ngnpro__auth
int sip__getAccounts(struct ngnpro__SipQuery *query, struct sip__getAccountsResponse &response);

struct sip__addAliasResponse { };
//gsoap sip service method-input-header-part: addAlias ngnpro__auth
int sip__addAlias(struct ngnpro__SipAlias *alias, struct sip__addAliasResponse &response);

struct sip__updateAliasResponse { };
//gsoap sip service method-input-header-part: updateAlias ngnpro__auth
int sip__updateAlias(struct ngnpro__SipAlias *alias, struct sip__updateAliasResponse &response);

struct sip__deleteAliasResponse { };
//gsoap sip service method-input-header-part: deleteAlias ngnpro__auth
int sip__deleteAlias(struct ngnpro__SipId *id, struct sip__deleteAliasResponse &response);

struct sip__getAliasResponse { struct ngnpro__SipAlias return_ 1; };
//gsoap sip service method-input-header-part: getAlias ngnpro__auth
int sip__getAlias(struct ngnpro__SipId *id, struct sip__getAliasResponse &response);

struct sip__getAliasesResponse { struct ngnpro__AliasQueryResult return_ 1; };
//gsoap sip service method-input-header-part: getAliases ngnpro__auth
int sip__getAliases(struct ngnpro__AliasQuery *query, struct sip__getAliasesResponse &response);

struct sip__getAliasesForAccountResponse { struct ngnpro__SipAliasArray return_ 1; };
//gsoap sip service method-input-header-part: getAliasesForAccount ngnpro__auth
int sip__getAliasesForAccount(struct ngnpro__SipId *target, struct sip__getAliasesForAccountResponse &response);

struct sip__addToGroupResponse { };
//gsoap sip service method-input-header-part: addToGroup ngnpro__auth
int sip__addToGroup(struct ngnpro__SipId *sipId, std::string group, struct sip__addToGroupResponse &response);

struct sip__removeFromGroupResponse { };
//gsoap sip service method-input-header-part: removeFromGroup ngnpro__auth
int sip__removeFromGroup(struct ngnpro__SipId *sipId, std::string group, struct sip__removeFromGroupResponse &response);

struct sip__getGroupsResponse { struct ngnpro__StringArray return_ 1; };
//gsoap sip service method-input-header-part: getGroups ngnpro__auth
int sip__getGroups(struct ngnpro__SipId *sipId, struct sip__getGroupsResponse &response);

struct sip__addBalanceResponse { struct ngnpro__BalanceChange return_ 1; };
//gsoap sip service method-input-header-part: addBalance ngnpro__auth
int sip__addBalance(struct ngnpro__SipId *sipId, xsd__double value, std::string description, struct sip__addBalanceResponse &response);

struct sip__addBalanceFromVoucherResponse { struct ngnpro__BalanceChange return_ 1; };
//gsoap sip service method-input-header-part: addBalanceFromVoucher ngnpro__auth
int sip__addBalanceFromVoucher(struct ngnpro__SipId *sipId, struct ngnpro__PrepaidCard *card, struct sip__addBalanceFromVoucherResponse &response);

struct sip__getPrepaidStatusResponse { struct ngnpro__PrepaidStatusArray return_ 1; };
//gsoap sip service method-input-header-part: getPrepaidStatus ngnpro__auth
int sip__getPrepaidStatus(struct ngnpro__SipIdArray *sipIds, struct sip__getPrepaidStatusResponse &response);

struct sip__getCreditHistoryResponse { struct ngnpro__CreditHistory return_ 1; };
//gsoap sip service method-input-header-part: getCreditHistory ngnpro__auth
int sip__getCreditHistory(struct ngnpro__SipId *sipId, xsd__int count, struct sip__getCreditHistoryResponse &response);

struct sip__addPhonebookEntryResponse { };
//gsoap sip service method-input-header-part: addPhonebookEntry ngnpro__auth
int sip__addPhonebookEntry(struct ngnpro__SipId *sipId, struct ngnpro__PhonebookEntry *entry, struct sip__addPhonebookEntryResponse &response);

struct sip__updatePhonebookEntryResponse { };
//gsoap sip service method-input-header-part: updatePhonebookEntry ngnpro__auth
int sip__updatePhonebookEntry(struct ngnpro__SipId *sipId, struct ngnpro__PhonebookEntry *entry, struct sip__updatePhonebookEntryResponse &response);

struct sip__deletePhonebookEntryResponse { };
//gsoap sip service method-input-header-part: deletePhonebookEntry ngnpro__auth
int sip__deletePhonebookEntry(struct ngnpro__SipId *sipId, std::string uri, struct sip__deletePhonebookEntryResponse &response);

struct sip__getPhonebookEntriesResponse { struct ngnpro__PhonebookEntries return_ 1; };
//gsoap sip service method-input-header-part: getPhonebookEntries ngnpro__auth
int sip__getPhonebookEntries(struct ngnpro__SipId *sipId, struct ngnpro__PhonebookEntry *match, struct ngnpro__Range *range, struct sip__getPhonebookEntriesResponse &response);

struct sip__setRejectMembersResponse { };
//gsoap sip service method-input-header-part: setRejectMembers ngnpro__auth
int sip__setRejectMembers(struct ngnpro__SipId *sipId, struct ngnpro__StringArray *members, struct sip__setRejectMembersResponse &response);

struct sip__getRejectMembersResponse { struct ngnpro__StringArray return_ 1; };
//gsoap sip service method-input-header-part: getRejectMembers ngnpro__auth
int sip__getRejectMembers(struct ngnpro__SipId *sipId, struct sip__getRejectMembersResponse &response);

struct sip__setAcceptRulesResponse { };
//gsoap sip service method-input-header-part: setAcceptRules ngnpro__auth
int sip__setAcceptRules(struct ngnpro__SipId *sipId, struct ngnpro__AcceptRules *rules, struct sip__setAcceptRulesResponse &response);

struct sip__getAcceptRulesResponse { struct ngnpro__AcceptRulesResult return_ 1; };
//gsoap sip service method-input-header-part: getAcceptRules ngnpro__auth
int sip__getAcceptRules(struct ngnpro__SipId *sipId, struct sip__getAcceptRulesResponse &response);

struct sip__setBarringPrefixesResponse { };
//gsoap sip service method-input-header-part: setBarringPrefixes ngnpro__auth
int sip__setBarringPrefixes(struct ngnpro__SipId *sipId, struct ngnpro__StringArray *prefixes, struct sip__setBarringPrefixesResponse &response);

struct sip__getBarringPrefixesResponse { struct ngnpro__StringArray return_ 1; };
//gsoap sip service method-input-header-part: getBarringPrefixes ngnpro__auth
int sip__getBarringPrefixes(struct ngnpro__SipId *sipId, struct sip__getBarringPrefixesResponse &response);

struct sip__setCallDiversionsResponse { };
//gsoap sip service method-input-header-part: setCallDiversions ngnpro__auth
int sip__setCallDiversions(struct ngnpro__SipId *sipId, struct ngnpro__CallDiversions *diversions, struct sip__setCallDiversionsResponse &response);

struct sip__getCallDiversionsResponse { struct ngnpro__CallDiversions return_ 1; };
//gsoap sip service method-input-header-part: getCallDiversions ngnpro__auth
int sip__getCallDiversions(struct ngnpro__SipId *sipId, struct sip__getCallDiversionsResponse &response);

struct sip__getCallsResponse { struct ngnpro__CallsResult return_ 1; };
//gsoap sip service method-input-header-part: getCalls ngnpro__auth
int sip__getCalls(struct ngnpro__SipId *sipId, struct ngnpro__CallsQuery *query, struct sip__getCallsResponse &response);

struct sip__getCallStatisticsResponse { struct ngnpro__CallStatisticsResult return_ 1; };
//gsoap sip service method-input-header-part: getCallStatistics ngnpro__auth
int sip__getCallStatistics(struct ngnpro__SipId *sipId, struct ngnpro__CallsQuery *query, struct sip__getCallStatisticsResponse &response);

struct sip__getSipDeviceLocationsResponse { struct ngnpro__SipDeviceLocationsArray return_ 1; };
//gsoap sip service method-input-header-part: getSipDeviceLocations ngnpro__auth
int sip__getSipDeviceLocations(struct ngnpro__SipIdArray *sipIds, struct sip__getSipDeviceLocationsResponse &response);

struct sip__getSipTraceResponse { std::string return_ 1; };
//gsoap sip service method-input-header-part: getSipTrace ngnpro__auth
int sip__getSipTrace(struct ngnpro__SipTraceFilter *filter, struct sip__getSipTraceResponse &response);

struct sip__getMediaTraceResponse { std::string return_ 1; };
//gsoap sip service method-input-header-part: getMediaTrace ngnpro__auth
int sip__getMediaTrace(struct ngnpro__MediaTraceFilter *filter, struct sip__getMediaTraceResponse &response);

struct sip__getMediaSummaryResponse { std::string return_ 1; };
//gsoap sip service method-input-header-part: getMediaSummary ngnpro__auth
int sip__getMediaSummary(struct sip__getMediaSummaryResponse &response);

struct sip__getMediaSessionsResponse { std::string return_ 1; };
//gsoap sip service method-input-header-part: getMediaSessions ngnpro__auth
int sip__getMediaSessions(struct sip__getMediaSessionsResponse &response);

struct sip__addGatewayResponse { };
//gsoap sip service method-input-header-part: addGateway ngnpro__auth
int sip__addGateway(struct ngnpro__Gateway *gateway, struct sip__addGatewayResponse &response);

struct sip__updateGatewayResponse { };
//gsoap sip service method-input-header-part: updateGateway ngnpro__auth
int sip__updateGateway(struct ngnpro__Gateway *gateway, struct sip__updateGatewayResponse &response);

struct sip__deleteGatewayResponse { };
//gsoap sip service method-input-header-part: deleteGateway ngnpro__auth
int sip__deleteGateway(xsd__int id, struct sip__deleteGatewayResponse &response);

struct sip__getGatewaysResponse { struct ngnpro__GatewayQueryResult return_ 1; };
//gsoap sip service method-input-header-part: getGateways ngnpro__auth
int sip__getGateways(struct ngnpro__GatewayQuery *query, struct sip__getGatewaysResponse &response);

struct sip__addGatewayRuleResponse { };
//gsoap sip service method-input-header-part: addGatewayRule ngnpro__auth
int sip__addGatewayRule(struct ngnpro__GatewayRule *rule, struct sip__addGatewayRuleResponse &response);

struct sip__updateGatewayRuleResponse { };
//gsoap sip service method-input-header-part: updateGatewayRule ngnpro__auth
int sip__updateGatewayRule(struct ngnpro__GatewayRule *rule, struct sip__updateGatewayRuleResponse &response);

struct sip__deleteGatewayRuleResponse { };
//gsoap sip service method-input-header-part: deleteGatewayRule ngnpro__auth
int sip__deleteGatewayRule(xsd__int id, struct sip__deleteGatewayRuleResponse &response);

struct sip__getGatewayRulesResponse { struct ngnpro__GatewayRuleQueryResult return_ 1; };
//gsoap sip service method-input-header-part: getGatewayRules ngnpro__auth
int sip__getGatewayRules(struct ngnpro__GatewayRuleQuery *query, struct sip__getGatewayRulesResponse &response);

struct sip__addCarrierResponse { };
//gsoap sip service method-input-header-part: addCarrier ngnpro__auth
int sip__addCarrier(struct ngnpro__Carrier *carrier, struct sip__addCarrierResponse &response);

struct sip__updateCarrierResponse { };
//gsoap sip service method-input-header-part: updateCarrier ngnpro__auth
int sip__updateCarrier(struct ngnpro__Carrier *carrier, struct sip__updateCarrierResponse &response);

struct sip__deleteCarrierResponse { };
//gsoap sip service method-input-header-part: deleteCarrier ngnpro__auth
int sip__deleteCarrier(xsd__int id, struct sip__deleteCarrierResponse &response);

struct sip__getCarriersResponse { struct ngnpro__CarrierQueryResult return_ 1; };
//gsoap sip service method-input-header-part: getCarriers ngnpro__auth
int sip__getCarriers(struct ngnpro__CarrierQuery *query, struct sip__getCarriersResponse &response);

struct sip__addRoutesResponse { };
//gsoap sip service method-input-header-part: addRoutes ngnpro__auth
int sip__addRoutes(struct ngnpro__RouteArray *routes, struct sip__addRoutesResponse &response);

struct sip__updateRoutesResponse { };
//gsoap sip service method-input-header-part: updateRoutes ngnpro__auth
int sip__updateRoutes(struct ngnpro__RouteArray *routes, struct sip__updateRoutesResponse &response);

struct sip__deleteRoutesResponse { };
//gsoap sip service method-input-header-part: deleteRoutes ngnpro__auth
int sip__deleteRoutes(struct ngnpro__RouteArray *routes, struct sip__deleteRoutesResponse &response);

struct sip__getRoutesResponse { struct ngnpro__RouteQueryResult return_ 1; };
//gsoap sip service method-input-header-part: getRoutes ngnpro__auth
int sip__getRoutes(struct ngnpro__RouteQuery *query, struct sip__getRoutesResponse &response);

// ---------------------------------------------------------------------------------------
// VoicemailPort: urn:AGProjects:NGNPro:Voicemail (5 operations)

struct vm__addAccountResponse { };
//gsoap vm service method-input-header-part: addAccount ngnpro__auth
int vm__addAccount(struct ngnpro__VoicemailAccount *account, struct vm__addAccountResponse &response);

struct vm__updateAccountResponse { };
//gsoap vm service method-input-header-part: updateAccount ngnpro__auth
int vm__updateAccount(struct ngnpro__VoicemailAccount *account, struct vm__updateAccountResponse &response);

struct vm__deleteAccountResponse { };
//gsoap vm service method-input-header-part: deleteAccount ngnpro__auth
int vm__deleteAccount(struct ngnpro__SipId *sipId, struct vm__deleteAccountResponse &response);

struct vm__getAccountResponse { struct ngnpro__VoicemailAccount return_ 1; };
//gsoap vm service method-input-header-part: getAccount ngnpro__auth
int vm__getAccount(struct ngnpro__SipId *sipId, struct vm__getAccountResponse &response);

struct vm__setAnnouncementResponse { };
//gsoap vm service method-input-header-part: setAnnouncement ngnpro__auth
int vm__setAnnouncement(struct ngnpro__SipId *sipId, struct xsd__base64Binary *message, struct vm__setAnnouncementResponse &response);

// ---------------------------------------------------------------------------------------
// EnumPort: urn:AGProjects:NGNPro:Enum (9 operations)

struct enm__addRangeResponse { };
//gsoap enm service method-input-header-part: addRange ngnpro__auth
int enm__addRange(struct ngnpro__EnumRange *range, struct enm__addRangeResponse &response);

struct enm__updateRangeResponse { };
//gsoap enm service method-input-header-part: updateRange ngnpro__auth
int enm__updateRange(struct ngnpro__EnumRange *range, struct enm__updateRangeResponse &response);

struct enm__deleteRangeResponse { };
//gsoap enm service method-input-header-part: deleteRange ngnpro__auth
int enm__deleteRange(struct ngnpro__EnumRangeId *range, struct enm__deleteRangeResponse &response);

struct enm__getRangesResponse { struct ngnpro__EnumRangeQueryResult return_ 1; };
//gsoap enm service method-input-header-part: getRanges ngnpro__auth
int enm__getRanges(struct ngnpro__EnumRangeQuery *query, struct enm__getRangesResponse &response);

struct enm__addNumberResponse { };
//gsoap enm service method-input-header-part: addNumber ngnpro__auth
int enm__addNumber(struct ngnpro__EnumNumber *number, struct enm__addNumberResponse &response);

struct enm__updateNumberResponse { };
//gsoap enm service method-input-header-part: updateNumber ngnpro__auth
int enm__updateNumber(struct ngnpro__EnumNumber *number, struct enm__updateNumberResponse &response);

struct enm__deleteNumberResponse { };
//gsoap enm service method-input-header-part: deleteNumber ngnpro__auth
int enm__deleteNumber(struct ngnpro__EnumId *enumId, struct enm__deleteNumberResponse &response);

struct enm__getNumberResponse { struct ngnpro__EnumNumber return_ 1; };
//gsoap enm service method-input-header-part: getNumber ngnpro__auth
int enm__getNumber(struct ngnpro__EnumId *enumId, struct enm__getNumberResponse &response);

struct enm__getNumbersResponse { struct ngnpro__EnumNumberQueryResult return_ 1; };
//gsoap enm service method-input-header-part: getNumbers ngnpro__auth
int enm__getNumbers(struct ngnpro__EnumNumberQuery *query, struct enm__getNumbersResponse &response);

// ---------------------------------------------------------------------------------------
// DnsPort: urn:AGProjects:NGNPro:Dns (15 operations)

struct dns__addZoneResponse { };
//gsoap dns service method-input-header-part: addZone ngnpro__auth
int dns__addZone(struct ngnpro__DnsZone *zone, struct dns__addZoneResponse &response);

struct dns__updateZoneResponse { };
//gsoap dns service method-input-header-part: updateZone ngnpro__auth
int dns__updateZone(struct ngnpro__DnsZone *zone, struct dns__updateZoneResponse &response);

struct dns__deleteZoneResponse { };
//gsoap dns service method-input-header-part: deleteZone ngnpro__auth
int dns__deleteZone(std::string zone, struct dns__deleteZoneResponse &response);

struct dns__getZoneResponse { struct ngnpro__DnsZone return_ 1; };
//gsoap dns service method-input-header-part: getZone ngnpro__auth
int dns__getZone(std::string zone, struct dns__getZoneResponse &response);

struct dns__getZonesResponse { struct ngnpro__DnsZoneQueryResult return_ 1; };
//gsoap dns service method-input-header-part: getZones ngnpro__auth
int dns__getZones(struct ngnpro__DnsZoneQuery *query, struct dns__getZonesResponse &response);

struct dns__addRecordResponse { };
//gsoap dns service method-input-header-part: addRecord ngnpro__auth
int dns__addRecord(struct ngnpro__DnsRecord *record, struct dns__addRecordResponse &response);

struct dns__updateRecordResponse { };
//gsoap dns service method-input-header-part: updateRecord ngnpro__auth
int dns__updateRecord(struct ngnpro__DnsRecord *record, struct dns__updateRecordResponse &response);

struct dns__deleteRecordResponse { };
//gsoap dns service method-input-header-part: deleteRecord ngnpro__auth
int dns__deleteRecord(xsd__int recordId, struct dns__deleteRecordResponse &response);

struct dns__getRecordResponse { struct ngnpro__DnsRecord return_ 1; };
//gsoap dns service method-input-header-part: getRecord ngnpro__auth
int dns__getRecord(xsd__int recordId, struct dns__getRecordResponse &response);

struct dns__getRecordsResponse { struct ngnpro__DnsRecordQueryResult return_ 1; };
//gsoap dns service method-input-header-part: getRecords ngnpro__auth
int dns__getRecords(struct ngnpro__DnsRecordQuery *query, struct dns__getRecordsResponse &response);

struct dns__addFancyRecordResponse { };
//gsoap dns service method-input-header-part: addFancyRecord ngnpro__auth
int dns__addFancyRecord(struct ngnpro__DnsFancyRecord *record, struct dns__addFancyRecordResponse &response);

struct dns__updateFancyRecordResponse { };
//gsoap dns service method-input-header-part: updateFancyRecord ngnpro__auth
int dns__updateFancyRecord(struct ngnpro__DnsFancyRecord *record, struct dns__updateFancyRecordResponse &response);

struct dns__deleteFancyRecordResponse { };
//gsoap dns service method-input-header-part: deleteFancyRecord ngnpro__auth
int dns__deleteFancyRecord(xsd__int recordId, struct dns__deleteFancyRecordResponse &response);

struct dns__getFancyRecordResponse { struct ngnpro__DnsFancyRecord return_ 1; };
//gsoap dns service method-input-header-part: getFancyRecord ngnpro__auth
int dns__getFancyRecord(xsd__int recordId, struct dns__getFancyRecordResponse &response);

struct dns__getFancyRecordsResponse { struct ngnpro__DnsFancyRecordQueryResult return_ 1; };
//gsoap dns service method-input-header-part: getFancyRecords ngnpro__auth
int dns__getFancyRecords(struct ngnpro__DnsFancyRecordQuery *query, struct dns__getFancyRecordsResponse &response);

// ---------------------------------------------------------------------------------------
// CustomerPort: urn:AGProjects:NGNPro:Customer (8 operations)

struct customer__addAccountResponse { struct ngnpro__CustomerAccount return_ 1; };
//gsoap customer service method-input-header-part: addAccount ngnpro__auth
int customer__addAccount(struct ngnpro__CustomerAccount *account, struct customer__addAccountResponse &response);

struct customer__updateAccountResponse { };
//gsoap customer service method-input-header-part: updateAccount ngnpro__auth
int customer__updateAccount(struct ngnpro__CustomerAccount *account, struct customer__updateAccountResponse &response);

struct customer__deleteAccountResponse { };
//gsoap customer service method-input-header-part: deleteAccount ngnpro__auth
int customer__deleteAccount(xsd__int id, struct customer__deleteAccountResponse &response);

struct customer__getAccountResponse { struct ngnpro__CustomerAccount return_ 1; };
//gsoap customer service method-input-header-part: getAccount ngnpro__auth
int customer__getAccount(xsd__int id, struct customer__getAccountResponse &response);

struct customer__getCustomersResponse { struct ngnpro__CustomerQueryResult return_ 1; };
//gsoap customer service method-input-header-part: getCustomers ngnpro__auth
int customer__getCustomers(struct ngnpro__CustomerQuery *query, struct customer__getCustomersResponse &response);

struct customer__getResellersResponse { struct ngnpro__CustomerQueryResult return_ 1; };
//gsoap customer service method-input-header-part: getResellers ngnpro__auth
int customer__getResellers(struct ngnpro__CustomerQuery *query, struct customer__getResellersResponse &response);

struct customer__setPropertiesResponse { };
//gsoap customer service method-input-header-part: setProperties ngnpro__auth
int customer__setProperties(xsd__int customer, struct ngnpro__CustomerPropertyArray *properties, struct customer__setPropertiesResponse &response);

struct customer__getPropertiesResponse { struct ngnpro__CustomerPropertyArray return_ 1; };
//gsoap customer service method-input-header-part: getProperties ngnpro__auth
int customer__getProperties(xsd__int customer, struct customer__getPropertiesResponse &response);

// ---------------------------------------------------------------------------------------
// RatingPort: urn:AGProjects:NGNPro:Rating (3 operations)

struct rating__setEntityProfilesResponse { };
//gsoap rating service method-input-header-part: setEntityProfiles ngnpro__auth
int rating__setEntityProfiles(struct ngnpro__RatingEntityProfiles *profiles, struct rating__setEntityProfilesResponse &response);

struct rating__deleteEntityProfilesResponse { };
//gsoap rating service method-input-header-part: deleteEntityProfiles ngnpro__auth
int rating__deleteEntityProfiles(std::string entity, struct rating__deleteEntityProfilesResponse &response);

struct rating__getEntityProfilesResponse { struct ngnpro__RatingEntityProfiles return_ 1; };
//gsoap rating service method-input-header-part: getEntityProfiles ngnpro__auth
int rating__getEntityProfiles(std::string entity, struct rating__getEntityProfilesResponse &response);

// ---------------------------------------------------------------------------------------
// NetworkPort: urn:AGProjects:NGNPro:Network (2 operations)

struct network__getStatisticsResponse { std::string return_ 1; };
//gsoap network service method-input-header-part: getStatistics ngnpro__auth
int network__getStatistics(struct network__getStatisticsResponse &response);

struct network__getStatusResponse { std::string return_ 1; };
//gsoap network service method-input-header-part: getStatus ngnpro__auth
int network__getStatus(struct network__getStatusResponse &response);

