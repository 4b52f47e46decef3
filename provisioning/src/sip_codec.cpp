// SipPort's codec (sip_codec.hpp): one from_soap and one to_soap per type, for add and update
// alike.
#include "sip_codec.hpp"

#include "context.hpp"

using namespace sb::prov;
namespace store = sb::store;

namespace sb::prov {

SipId id_in(const ngnpro__SipId* id, const char* name) {
    return from_soap(required(id, name));
}

std::string who(const ngnpro__SipId* id) {
    return id != nullptr ? id->username + "@" + id->domain : std::string();
}

std::uint64_t id_value(const int* id) {
    return id != nullptr && *id > 0 ? static_cast<std::uint64_t>(*id) : 0;
}

std::uint64_t id_value(int id) {
    return id > 0 ? static_cast<std::uint64_t>(id) : 0;
}

} // namespace sb::prov

namespace {

int int_of(std::uint64_t v) {
    return static_cast<int>(v);
}

void id_out(const std::string& username, const std::string& domain, ngnpro__SipId& out) {
    out.username = username;
    out.domain = domain;
}

template <class Row, class Array>
std::vector<Row> rows_of(const Array* a) {
    std::vector<Row> out;
    for (int i = 0; a != nullptr && a->__ptr != nullptr && i < a->__size; ++i) {
        out.push_back(from_soap(a->__ptr[i]));
    }
    return out;
}

// Quoted-printable for the call strings the client decodes (api §8.1 "Calls"): '=' and
// bytes outside printable ASCII become =XX.
std::string qp(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '=' || c < 0x20 || c >= 0x7f) {
            out += '=';
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += ch;
        }
    }
    return out;
}

constexpr std::string ngnpro__CallDiversions::*diversion_members[10] = {
    &ngnpro__CallDiversions::FUNC, &ngnpro__CallDiversions::FNOL, &ngnpro__CallDiversions::FUNV,
    &ngnpro__CallDiversions::FNOA, &ngnpro__CallDiversions::FBUS, &ngnpro__CallDiversions::RUNC,
    &ngnpro__CallDiversions::RNOL, &ngnpro__CallDiversions::RUNV, &ngnpro__CallDiversions::RNOA,
    &ngnpro__CallDiversions::RBUS};

// The filter of a PSTN query (carriers, gateways, rules, routes): the members its type has.
template <class Query>
IdFilter id_filter(const Query* query) {
    const auto& q = filter_in(query);
    IdFilter f;
    f.id = id_value(q.id);
    if constexpr (requires { f.name = q.name; }) {
        f.name = q.name;
    }
    if constexpr (requires { f.prefix = q.prefix; }) {
        f.prefix = q.prefix;
    }
    if constexpr (requires { id_value(q.carrier_USCOREid); }) {
        f.carrier_id = id_value(q.carrier_USCOREid);
    }
    if constexpr (requires { id_value(q.gateway_USCOREid); }) {
        f.gateway_id = id_value(q.gateway_USCOREid);
    }
    tenancy_from_soap(q, f);
    return f;
}

// The filter of a query (the default one when the query is absent): `fill(filter, soap_filter)`
// converts its own fields, the tenancy fields (customer, reseller, owner) follow.
template <class Filter, class Query, class Fill>
Filter filter_of(const Query* query, Fill fill) {
    const auto& q = filter_in(query);
    Filter f;
    fill(f, q);
    tenancy_from_soap(q, f);
    return f;
}

} // namespace

// Items of the arrays inside accounts and accept rules.
static void to_soap(struct soap* soap, const Acl& r, ngnpro__SubscriberACL& a) {
    a.ip = r.ip;
    a.mask = soap_value<int>(soap, static_cast<int>(r.mask));
    a.tag = r.tag;
}

static void to_soap(struct soap*, const NameValue& r, ngnpro__Property& p) {
    p.name = r.name;
    p.value = r.value;
}

static void to_soap(struct soap* soap, const AcceptRule& r, ngnpro__AcceptRulePersistent& p) {
    p.start = r.start;
    p.stop = r.stop;
    p.groups = string_array(soap, r.groups);
    p.days = soap_value<int>(soap, static_cast<int>(r.days));
}

static void to_soap(struct soap* soap, const CallView& r, ngnpro__Call& c) {
    c.fromURI = qp(r.from_uri);
    c.toURI = qp(r.to_uri);
    c.fromHeader = qp(r.from_header);
    c.startTime = static_cast<int>(r.start);
    c.stopTime = static_cast<int>(r.stop);
    c.duration = static_cast<int>(r.duration);
    c.status = static_cast<int>(r.status);
    c.price = r.price;
    c.rate = r.rate;
    c.sessionId = qp(r.call_id);
    c.fromTag = qp(r.from_tag);
    c.toTag = qp(r.to_tag);
    c.proxyIP = r.proxy_ip;
    std::string media;
    for (const auto& m : r.media) {
        media += (media.empty() ? "" : ", ") + m;
    }
    c.applicationTypes = string_array(soap, {qp(media)});
}

static void to_soap(struct soap*, const RegistrationView& r, ngnpro__SipDeviceLocation& l) {
    l.address = r.address;
    l.port = static_cast<int>(r.port);
    const bool same = r.public_address == r.address && r.public_port == r.port;
    l.publicAddress = same ? "" : r.public_address;
    l.publicPort = same ? 0 : static_cast<int>(r.public_port);
    l.expires = static_cast<int>(std::max<std::int64_t>(0, r.expires_at - now()));
    l.userAgent = r.user_agent;
    l.transport = r.transport;
}

// ---- identifiers, domains, accounts, aliases

SipId from_soap(const ngnpro__SipId& id) {
    return SipId{id.username, id.domain};
}

std::vector<SipId> from_soap(const ngnpro__SipIdArray* ids) {
    return rows_of<SipId>(ids);
}

SipDomainInput from_soap(const ngnpro__SipDomain& d) {
    SipDomainInput in;
    in.domain = d.domain;
    tenancy_from_soap(d, in);
    in.certificate = d.certificate;
    in.private_key = d.private_USCOREkey;
    in.match_ip_address = d.match_USCOREip_USCOREaddress;
    in.match_sip_domain = d.match_USCOREsip_USCOREdomain;
    in.verify_cert = value_or<bool>(d.verify_USCOREcert, false);
    in.require_cert = value_or<bool>(d.require_USCOREcert, false);
    return in;
}

SipAccountInput from_soap(const ngnpro__SipAccount& a) {
    SipAccountInput in;
    in.id = from_soap(a.id);
    in.password = a.password;
    in.first_name = a.firstName;
    in.last_name = a.lastName;
    in.email = a.email;
    for (int i = 0; a.acl.__ptr != nullptr && i < a.acl.__size; ++i) {
        const auto& e = a.acl.__ptr[i];
        const int mask = value_or<int>(e.mask, 32);
        in.acl.push_back(Acl{e.ip, static_cast<std::uint32_t>(mask < 0 ? 99 : mask), e.tag});
    }
    in.groups = strings(a.groups);
    for (int i = 0; a.properties.__ptr != nullptr && i < a.properties.__size; ++i) {
        in.properties.push_back({a.properties.__ptr[i].name, a.properties.__ptr[i].value});
    }
    in.timezone = a.timezone;
    in.rpid = a.rpid;
    in.quota = value_or<int>(a.quota, 0);
    in.quickdial_prefix = a.quickdialPrefix;
    in.call_limit = value_or<int>(a.callLimit, 0);
    in.prepaid = value_or<bool>(a.prepaid, false);
    in.region = a.region;
    const ULONG64 timeout = value_or<ULONG64>(a.timeout, 0);
    in.timeout = timeout > 100000 ? 100000 : static_cast<std::uint32_t>(timeout);
    in.owner = value_or<LONG64>(a.owner, 0);
    return in;
}

SipAliasInput from_soap(const ngnpro__SipAlias& a) {
    return SipAliasInput{from_soap(a.id), from_soap(a.target), value_or<LONG64>(a.owner, 0)};
}

SipDomainFilter from_soap(const ngnpro__SipDomainQuery* query) {
    return filter_of<SipDomainFilter>(query, [](auto& f, const auto& q) { f.domain = q.domain; });
}

SipAccountFilter from_soap(const ngnpro__SipQuery* query) {
    return filter_of<SipAccountFilter>(query, [](auto& f, const auto& q) {
        f.username = q.username;
        f.domain = q.domain;
        f.first_name = q.firstName;
        f.last_name = q.lastName;
        f.email = q.email;
        f.groups = strings(q.groups);
    });
}

SipAliasFilter from_soap(const ngnpro__AliasQuery* query) {
    return filter_of<SipAliasFilter>(query, [](auto& f, const auto& q) {
        f.alias_username = q.aliasUsername;
        f.alias_domain = q.aliasDomain;
        f.target_username = q.targetUsername;
        f.target_domain = q.targetDomain;
    });
}

void to_soap(struct soap* soap, const SipDomainView& r, ngnpro__SipDomain& d) {
    d.domain = r.domain;
    tenancy_to_soap(soap, r, d);
    d.certificate = r.certificate;
    d.private_USCOREkey = r.private_key;
    d.match_USCOREip_USCOREaddress = r.match_ip_address;
    d.match_USCOREsip_USCOREdomain = r.match_sip_domain;
    d.verify_USCOREcert = soap_value<bool>(soap, r.verify_cert);
    d.require_USCOREcert = soap_value<bool>(soap, r.require_cert);
}

void to_soap(struct soap* soap, const SipAccountView& r, ngnpro__SipAccount& a) {
    id_out(r.id.username, r.id.domain, a.id);
    a.password = r.password;
    a.firstName = r.first_name;
    a.lastName = r.last_name;
    a.email = r.email;
    fill_array(soap, a.acl, r.acl, soap_new_ngnpro__SubscriberACL);
    a.groups = string_array(soap, r.groups);
    fill_array(soap, a.properties, r.properties, soap_new_ngnpro__Property);
    a.timezone = r.timezone;
    a.rpid = r.rpid;
    a.quota = soap_value<int>(soap, static_cast<int>(r.quota));
    a.quickdialPrefix = r.quickdial_prefix;
    a.callLimit = soap_value<int>(soap, static_cast<int>(r.call_limit));
    a.prepaid = soap_value<bool>(soap, r.prepaid);
    a.region = r.region;
    a.timeout = soap_value<ULONG64>(soap, r.timeout);
    tenancy_to_soap(soap, r, a);
    a.createDate = format_date(r.create_date);
    a.ha1 = r.ha1;
}

void to_soap(struct soap* soap, const SipAliasView& r, ngnpro__SipAlias& a) {
    id_out(r.id.username, r.id.domain, a.id);
    id_out(r.target.username, r.target.domain, a.target);
    tenancy_to_soap(soap, r, a);
}

// ---- settings

PhonebookEntry from_soap(const ngnpro__PhonebookEntry* e) {
    return e != nullptr ? PhonebookEntry{e->uri, e->name, e->group} : PhonebookEntry{};
}

AcceptRules from_soap(const ngnpro__AcceptRules* rules) {
    AcceptRules in;
    if (rules == nullptr) {
        return in;
    }
    for (int i = 0; rules->persistent.__ptr != nullptr && i < rules->persistent.__size; ++i) {
        const auto& p = rules->persistent.__ptr[i];
        const int days = value_or<int>(p.days, 0);
        in.persistent.push_back(AcceptRule{p.start, p.stop, strings(p.groups),
                                           static_cast<std::uint32_t>(days < 0 ? 999 : days)});
    }
    if (rules->temporary != nullptr) {
        in.temporary_groups = strings(rules->temporary->groups);
        const int minutes = value_or<int>(rules->temporary->duration, 0);
        in.temporary_minutes = static_cast<std::uint32_t>(std::clamp(minutes, 0, 525600));
    }
    return in;
}

std::array<std::string, 10> from_soap(const ngnpro__CallDiversions* diversions) {
    std::array<std::string, 10> d;
    for (std::size_t i = 0; diversions != nullptr && i < d.size(); ++i) {
        d[i] = diversions->*diversion_members[i];
    }
    return d;
}

void to_soap(struct soap*, const PhonebookEntry& r, ngnpro__PhonebookEntry& e) {
    e.uri = r.uri;
    e.name = r.name;
    e.group = r.group;
}

void to_soap(struct soap* soap, const AcceptRules& r, ngnpro__AcceptRules& out) {
    fill_array(soap, out.persistent, r.persistent, soap_new_ngnpro__AcceptRulePersistent);
    out.temporary = soap_new_ngnpro__AcceptRuleTemporary(soap);
    out.temporary->groups = string_array(soap, r.temporary_groups);
    out.temporary->duration = soap_value<int>(soap, static_cast<int>(r.temporary_minutes));
}

void to_soap(struct soap*, const std::array<std::string, 10>& d, ngnpro__CallDiversions& out) {
    for (std::size_t i = 0; i < d.size(); ++i) {
        out.*diversion_members[i] = d[i];
    }
}

// ---- trusted peers and PSTN

TrustedPeerInput from_soap(const ngnpro__TrustedPeer& p) {
    TrustedPeerInput r;
    r.ip = p.ip;
    r.protocol = p.protocol;
    r.tag = p.tag;
    r.description = p.description;
    tenancy_from_soap(p, r);
    r.from_pattern = p.fromPattern;
    r.msteams = value_or<bool>(p.msteams, false);
    r.tenant = p.tenant;
    r.auth_token = p.authToken;
    r.carrier_name = p.carrierName;
    r.originator = p.originator;
    r.prefix = p.prefix;
    r.strip = value_or<int>(p.strip, 0);
    r.call_limit = value_or<int>(p.callLimit, 0);
    r.blocked = value_or<int>(p.blocked, 0);
    r.enum_lookup = value_or<bool>(p.enumLookup, false);
    r.transit = value_or<bool>(p.transit, false);
    r.prepaid = value_or<bool>(p.prepaid, false);
    r.billing_id = p.billingId;
    r.tags = p.tags;
    return r;
}

CarrierInput from_soap(const ngnpro__Carrier& c) {
    CarrierInput in;
    in.id = id_value(c.id);
    in.name = c.name;
    in.reseller = value_or<LONG64>(c.reseller, 0);
    return in;
}

GatewayInput from_soap(const ngnpro__Gateway& g) {
    GatewayInput in;
    in.id = id_value(g.id);
    in.name = g.name;
    in.carrier_id = id_value(g.carrier_USCOREid);
    in.transport = g.transport;
    in.ip = g.ip;
    in.port = static_cast<std::uint32_t>(std::clamp(value_or<int>(g.port, 5060), 0, 65536));
    in.reseller = value_or<LONG64>(g.reseller, 0);
    return in;
}

GatewayRuleInput from_soap(const ngnpro__GatewayRule& r) {
    const auto nonneg = [](const int* p) {
        return static_cast<std::uint32_t>(std::clamp(value_or<int>(p, 0), 0, 1000));
    };
    GatewayRuleInput in;
    in.id = id_value(r.id);
    in.gateway_id = id_value(r.gateway_USCOREid);
    in.prefix = r.prefix;
    in.strip = nonneg(r.strip);
    in.prepend = r.prepend;
    in.min_length = nonneg(r.minLength);
    in.max_length = nonneg(r.maxLength);
    in.reseller = value_or<LONG64>(r.reseller, 0);
    return in;
}

static RouteInput from_soap(const ngnpro__Route& r) {
    RouteInput in;
    in.id = id_value(r.id);
    in.carrier_id = id_value(r.carrier_USCOREid);
    in.prefix = r.prefix;
    in.originator = r.originator;
    in.priority = value_or<int>(r.priority, 0);
    in.reseller = value_or<LONG64>(r.reseller, 0);
    return in;
}

std::vector<RouteInput> from_soap(const ngnpro__RouteArray* routes) {
    return rows_of<RouteInput>(routes);
}

TrustedPeerFilter from_soap(const ngnpro__TrustedPeerQuery* query) {
    return filter_of<TrustedPeerFilter>(query, [](auto& f, const auto& q) {
        f.ip = q.ip;
        f.description = q.description;
        f.tenant = q.tenant;
        f.tags = q.tags;
        f.billing_id = q.billingId;
        if (q.msteams != nullptr) {
            f.msteams = *q.msteams;
        }
        if (q.blocked != nullptr) {
            f.blocked = *q.blocked;
        }
    });
}

IdFilter from_soap(const ngnpro__CarrierQuery* q) {
    return id_filter(q);
}

IdFilter from_soap(const ngnpro__GatewayQuery* q) {
    return id_filter(q);
}

IdFilter from_soap(const ngnpro__GatewayRuleQuery* q) {
    return id_filter(q);
}

IdFilter from_soap(const ngnpro__RouteQuery* q) {
    return id_filter(q);
}

void to_soap(struct soap* soap, const TrustedPeerView& r, ngnpro__TrustedPeer& p) {
    p.ip = r.ip;
    p.protocol = r.protocol;
    p.tag = r.tag;
    p.description = r.description;
    tenancy_to_soap(soap, r, p);
    p.fromPattern = r.from_pattern;
    p.msteams = soap_value<bool>(soap, r.msteams);
    p.tenant = r.tenant;
    p.authToken = r.auth_token;
    p.carrierName = r.carrier_name;
    p.originator = r.originator;
    p.prefix = r.prefix;
    p.strip = soap_value<int>(soap, static_cast<int>(r.strip));
    p.callLimit = soap_value<int>(soap, static_cast<int>(r.call_limit));
    p.blocked = soap_value<int>(soap, static_cast<int>(r.blocked));
    p.enumLookup = soap_value<bool>(soap, r.enum_lookup);
    p.transit = soap_value<bool>(soap, r.transit);
    p.prepaid = soap_value<bool>(soap, r.prepaid);
    p.billingId = r.billing_id;
    p.tags = r.tags;
}

void to_soap(struct soap* soap, const CarrierView& r, ngnpro__Carrier& c) {
    c.id = soap_value<int>(soap, int_of(r.id));
    c.name = r.name;
    c.reseller = soap_value<LONG64>(soap, r.reseller);
    c.changeDate = format_date(r.change_date);
}

void to_soap(struct soap* soap, const GatewayView& v, ngnpro__Gateway& g) {
    g.id = soap_value<int>(soap, int_of(v.id));
    g.name = v.name;
    g.carrier_USCOREid = soap_value<int>(soap, int_of(v.carrier_id));
    g.carrier = v.carrier;
    g.transport = v.transport;
    g.ip = v.ip;
    g.port = soap_value<int>(soap, static_cast<int>(v.port));
    g.reseller = soap_value<LONG64>(soap, v.reseller);
    g.changeDate = format_date(v.change_date);
}

void to_soap(struct soap* soap, const GatewayRuleView& v, ngnpro__GatewayRule& r) {
    r.id = soap_value<int>(soap, int_of(v.id));
    r.gateway_USCOREid = soap_value<int>(soap, int_of(v.gateway_id));
    r.gateway = v.gateway;
    r.carrier_USCOREid = soap_value<int>(soap, int_of(v.carrier_id));
    r.carrier = v.carrier;
    r.prefix = v.prefix;
    r.strip = soap_value<int>(soap, static_cast<int>(v.strip));
    r.prepend = v.prepend;
    r.minLength = soap_value<int>(soap, static_cast<int>(v.min_length));
    r.maxLength = soap_value<int>(soap, static_cast<int>(v.max_length));
    r.reseller = soap_value<LONG64>(soap, v.reseller);
    r.changeDate = format_date(v.change_date);
}

void to_soap(struct soap* soap, const RouteView& v, ngnpro__Route& r) {
    r.id = soap_value<int>(soap, int_of(v.id));
    r.carrier_USCOREid = soap_value<int>(soap, int_of(v.carrier_id));
    r.carrier = v.carrier;
    r.prefix = v.prefix;
    r.originator = v.originator;
    r.priority = soap_value<int>(soap, static_cast<int>(v.priority));
    r.reseller = soap_value<LONG64>(soap, v.reseller);
    r.changeDate = format_date(v.change_date);
}

// ---- prepaid, calls, devices

CallQuery from_soap(const ngnpro__CallQuery* q) {
    CallQuery out;
    if (q != nullptr) {
        out.given = true;
        out.from = value_or<int>(q->fromDate, 0);
        out.to = value_or<int>(q->toDate, 0);
        out.limit = value_or<int>(q->limit, 0);
    }
    return out;
}

void to_soap(struct soap*, const BalanceChange& c, ngnpro__BalanceChange& out) {
    out.old_USCOREbalance = c.old_balance;
    out.new_USCOREbalance = c.new_balance;
}

void to_soap(struct soap*, const PrepaidView& r, ngnpro__PrepaidStatus& s) {
    s.balance = r.balance;
    s.callInProgress = r.call_in_progress;
    s.sessionTime = static_cast<int>(r.session_time);
    s.maxSessionTime = static_cast<int>(r.max_session_time);
    s.destination = r.destination;
    s.lastCallPrice = r.last_call_price;
}

void to_soap(struct soap*, const CreditEntry& r, ngnpro__CreditHistoryEntry& e) {
    e.date = format_date(r.date);
    e.action = r.action;
    e.description = r.description;
    e.value = r.value;
    e.balance = r.balance;
    e.session = r.session;
}

void to_soap(struct soap* soap, const Calls& calls, ngnpro__CallsResult& out) {
    fill_array(soap, out.placed, calls.placed, soap_new_ngnpro__Call);
    fill_array(soap, out.received, calls.received, soap_new_ngnpro__Call);
}

void to_soap(struct soap*, const CallStatistics& s, ngnpro__CallStatisticsResult& out) {
    out.placed.calls = static_cast<int>(s.placed_calls);
    out.placed.price = s.placed_price;
    out.received.calls = static_cast<int>(s.received_calls);
    out.received.price = s.received_price;
}

void to_soap(struct soap* soap, const DeviceLocations& d, ngnpro__SipDeviceLocations& out) {
    id_out(d.id.username, d.id.domain, out.id);
    fill_array(soap, out.locations, d.locations, soap_new_ngnpro__SipDeviceLocation);
}
