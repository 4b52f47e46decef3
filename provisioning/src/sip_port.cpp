// SipPort (urn:AGProjects:NGNPro:Sip): SOAP types ⇄ SipService. getSipTrace, getMediaTrace,
// getMediaSummary and getMediaSessions (SIP Thor only) stay in unimplemented.cpp.
#include "context.hpp"
#include "sip_service.hpp"
#include "soap_util.hpp"

using namespace sb::prov;
namespace store = sb::store;

namespace {

SipId id_in(const ngnpro__SipId& id) {
    return SipId{id.username, id.domain};
}

SipId id_in(const ngnpro__SipId* id, const char* name) {
    return id_in(required(id, name));
}

void id_out(const std::string& username, const std::string& domain, ngnpro__SipId& out) {
    out.username = username;
    out.domain = domain;
}

std::vector<SipId> ids_in(const ngnpro__SipIdArray* a) {
    std::vector<SipId> out;
    for (int i = 0; a != nullptr && a->__ptr != nullptr && i < a->__size; ++i) {
        out.push_back(id_in(a->__ptr[i]));
    }
    return out;
}

SipAccountInput account_input(const ngnpro__SipAccount& a) {
    SipAccountInput in;
    in.id = id_in(a.id);
    in.password = a.password;
    in.first_name = a.firstName;
    in.last_name = a.lastName;
    in.email = a.email;
    for (int i = 0; a.acl.__ptr != nullptr && i < a.acl.__size; ++i) {
        const auto& e = a.acl.__ptr[i];
        const int mask = value_or<int>(e.mask, 32);
        in.acl.push_back(
            store::AclRow{e.ip, static_cast<std::uint32_t>(mask < 0 ? 99 : mask), e.tag});
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

void account_output(struct soap* soap, const store::SipAccountRow& r, ngnpro__SipAccount& a) {
    id_out(r.username, r.domain, a.id);
    a.password = r.password;
    a.firstName = r.first_name;
    a.lastName = r.last_name;
    a.email = r.email;
    a.acl.__size = static_cast<int>(r.acl.size());
    a.acl.__ptr = soap_new_ngnpro__SubscriberACL(soap, std::max(1, a.acl.__size));
    for (std::size_t i = 0; i < r.acl.size(); ++i) {
        a.acl.__ptr[i].ip = r.acl[i].ip;
        a.acl.__ptr[i].mask = soap_value<int>(soap, static_cast<int>(r.acl[i].mask));
        a.acl.__ptr[i].tag = r.acl[i].tag;
    }
    a.groups = string_array(soap, r.groups);
    a.properties.__size = static_cast<int>(r.properties.size());
    a.properties.__ptr = soap_new_ngnpro__Property(soap, std::max(1, a.properties.__size));
    for (std::size_t i = 0; i < r.properties.size(); ++i) {
        a.properties.__ptr[i].name = r.properties[i].name;
        a.properties.__ptr[i].value = r.properties[i].value;
    }
    a.timezone = r.timezone;
    a.rpid = r.rpid;
    a.quota = soap_value<int>(soap, static_cast<int>(r.quota));
    a.quickdialPrefix = r.quickdial_prefix;
    a.callLimit = soap_value<int>(soap, static_cast<int>(r.call_limit));
    a.prepaid = soap_value<bool>(soap, r.prepaid);
    a.region = r.region;
    a.timeout = soap_value<ULONG64>(soap, r.timeout);
    a.owner = soap_value<LONG64>(soap, r.owner);
    a.customer = soap_value<LONG64>(soap, r.customer);
    a.reseller = soap_value<LONG64>(soap, r.reseller);
    a.changeDate = format_date(r.change_date);
    a.createDate = format_date(r.create_date);
    a.ha1 = r.ha1;
}

SipDomainInput domain_input(const ngnpro__SipDomain& d) {
    SipDomainInput in;
    in.domain = d.domain;
    in.customer = value_or<LONG64>(d.customer, 0);
    in.reseller = value_or<LONG64>(d.reseller, 0);
    in.certificate = d.certificate;
    in.private_key = d.private_USCOREkey;
    in.match_ip_address = d.match_USCOREip_USCOREaddress;
    in.match_sip_domain = d.match_USCOREsip_USCOREdomain;
    in.verify_cert = value_or<bool>(d.verify_USCOREcert, false);
    in.require_cert = value_or<bool>(d.require_USCOREcert, false);
    return in;
}

void domain_output(struct soap* soap, const store::SipDomainRow& r, ngnpro__SipDomain& d) {
    d.domain = r.domain;
    d.customer = soap_value<LONG64>(soap, r.customer);
    d.reseller = soap_value<LONG64>(soap, r.reseller);
    d.certificate = r.certificate;
    d.private_USCOREkey = r.private_key;
    d.match_USCOREip_USCOREaddress = r.match_ip_address;
    d.match_USCOREsip_USCOREdomain = r.match_sip_domain;
    d.verify_USCOREcert = soap_value<bool>(soap, r.verify_cert);
    d.require_USCOREcert = soap_value<bool>(soap, r.require_cert);
    d.changeDate = format_date(r.change_date);
}

SipAliasInput alias_input(const ngnpro__SipAlias& a) {
    return SipAliasInput{id_in(a.id), id_in(a.target), value_or<LONG64>(a.owner, 0)};
}

void alias_output(struct soap* soap, const store::SipAliasRow& r, ngnpro__SipAlias& a) {
    id_out(r.username, r.domain, a.id);
    id_out(r.target_username, r.target_domain, a.target);
    a.owner = soap_value<LONG64>(soap, r.owner);
    a.customer = soap_value<LONG64>(soap, r.customer);
    a.reseller = soap_value<LONG64>(soap, r.reseller);
    a.changeDate = format_date(r.change_date);
}

ngnpro__SipAliasArray alias_array(struct soap* soap, const std::vector<store::SipAliasRow>& rows) {
    ngnpro__SipAliasArray a;
    a.__size = static_cast<int>(rows.size());
    a.__ptr = soap_new_ngnpro__SipAlias(soap, std::max(1, a.__size));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        alias_output(soap, rows[i], a.__ptr[i]);
    }
    return a;
}

store::TrustedPeerRow peer_input(const ngnpro__TrustedPeer& p) {
    store::TrustedPeerRow r;
    r.ip = p.ip;
    r.protocol = p.protocol;
    r.tag = p.tag;
    r.description = p.description;
    r.reseller = value_or<LONG64>(p.reseller, 0);
    r.customer = value_or<LONG64>(p.customer, 0);
    r.owner = value_or<LONG64>(p.owner, 0);
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

void peer_output(struct soap* soap, const store::TrustedPeerRow& r, ngnpro__TrustedPeer& p) {
    p.ip = r.ip;
    p.protocol = r.protocol;
    p.tag = r.tag;
    p.description = r.description;
    p.reseller = soap_value<LONG64>(soap, r.reseller);
    p.changeDate = format_date(r.change_date);
    p.customer = soap_value<LONG64>(soap, r.customer);
    p.owner = soap_value<LONG64>(soap, r.owner);
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

std::uint64_t id_value(const int* id) {
    return id != nullptr && *id > 0 ? static_cast<std::uint64_t>(*id) : 0;
}

std::uint64_t id_value(int id) {
    return id > 0 ? static_cast<std::uint64_t>(id) : 0;
}

int int_of(std::uint64_t v) {
    return static_cast<int>(v);
}

store::RouteRow route_input(const ngnpro__Route& r) {
    store::RouteRow row;
    row.id = id_value(r.id);
    row.carrier_id = id_value(r.carrier_USCOREid);
    row.prefix = r.prefix;
    row.originator = r.originator;
    row.priority = value_or<int>(r.priority, 0);
    row.reseller = value_or<LONG64>(r.reseller, 0);
    return row;
}

std::vector<store::RouteRow> routes_input(const ngnpro__RouteArray* a) {
    std::vector<store::RouteRow> out;
    for (int i = 0; a != nullptr && a->__ptr != nullptr && i < a->__size; ++i) {
        out.push_back(route_input(a->__ptr[i]));
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

ngnpro__CallArray call_array(struct soap* soap, const std::vector<store::CallRow>& rows) {
    ngnpro__CallArray a;
    a.__size = static_cast<int>(rows.size());
    a.__ptr = soap_new_ngnpro__Call(soap, std::max(1, a.__size));
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const auto& r = rows[i];
        auto& c = a.__ptr[i];
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
    return a;
}

CallQuery call_query(const ngnpro__CallQuery* q) {
    CallQuery out;
    if (q != nullptr) {
        out.given = true;
        out.from = value_or<int>(q->fromDate, 0);
        out.to = value_or<int>(q->toDate, 0);
        out.limit = value_or<int>(q->limit, 0);
    }
    return out;
}

// "user@domain" of an id for the audit log.
std::string who(const ngnpro__SipId* id) {
    return id != nullptr ? id->username + "@" + id->domain : std::string();
}

SipService& sip(struct soap* soap) {
    return context(soap).sip;
}

} // namespace

// ---- domains

int sip__addDomain(struct soap* soap, ngnpro__SipDomain* domain, sip__addDomainResponse&) {
    return serve(soap, "SipPort.addDomain", [&](const Caller& caller) {
        audit_note("sip domain " + (domain ? domain->domain : ""));
        sip(soap).add_domain(caller, domain_input(required(domain, "domain")));
    });
}

int sip__updateDomain(struct soap* soap, ngnpro__SipDomain* domain, sip__updateDomainResponse&) {
    return serve(soap, "SipPort.updateDomain", [&](const Caller& caller) {
        audit_note("sip domain " + (domain ? domain->domain : ""));
        sip(soap).update_domain(caller, domain_input(required(domain, "domain")));
    });
}

int sip__deleteDomain(struct soap* soap, std::string domain, sip__deleteDomainResponse&) {
    return serve(soap, "SipPort.deleteDomain", [&](const Caller& caller) {
        audit_note("sip domain " + domain);
        sip(soap).delete_domain(caller, domain);
    });
}

int sip__getDomains(struct soap* soap, ngnpro__SipDomainQuery* query,
                    sip__getDomainsResponse& out) {
    return serve(soap, "SipPort.getDomains", [&](const Caller& caller) {
        SipDomainFilter f;
        if (query != nullptr) {
            f.domain = query->filter.domain;
            f.customer = value_or<LONG64>(query->filter.customer, 0);
            f.reseller = value_or<LONG64>(query->filter.reseller, 0);
        }
        const auto page = sip(soap).get_domains(caller, f, range_of(query ? query->range : nullptr),
                                                order_of(query ? query->orderBy : nullptr));
        out.return_.total = static_cast<int>(page.total);
        out.return_.domains.__size = static_cast<int>(page.items.size());
        out.return_.domains.__ptr =
            soap_new_ngnpro__SipDomain(soap, std::max(1, out.return_.domains.__size));
        for (std::size_t i = 0; i < page.items.size(); ++i) {
            domain_output(soap, page.items[i], out.return_.domains.__ptr[i]);
        }
    });
}

// ---- trusted peers

int sip__addTrustedPeer(struct soap* soap, ngnpro__TrustedPeer* peer,
                        sip__addTrustedPeerResponse&) {
    return serve(soap, "SipPort.addTrustedPeer", [&](const Caller& caller) {
        audit_note("trusted peer " + (peer ? peer->ip : ""));
        sip(soap).add_trusted_peer(caller, peer_input(required(peer, "peer")));
    });
}

int sip__updateTrustedPeer(struct soap* soap, ngnpro__TrustedPeer* peer,
                           sip__updateTrustedPeerResponse&) {
    return serve(soap, "SipPort.updateTrustedPeer", [&](const Caller& caller) {
        audit_note("trusted peer " + (peer ? peer->ip : ""));
        sip(soap).update_trusted_peer(caller, peer_input(required(peer, "peer")));
    });
}

int sip__deleteTrustedPeer(struct soap* soap, std::string ip, sip__deleteTrustedPeerResponse&) {
    return serve(soap, "SipPort.deleteTrustedPeer", [&](const Caller& caller) {
        audit_note("trusted peer " + ip);
        sip(soap).delete_trusted_peer(caller, ip);
    });
}

int sip__getTrustedPeers(struct soap* soap, ngnpro__TrustedPeerQuery* query,
                         sip__getTrustedPeersResponse& out) {
    return serve(soap, "SipPort.getTrustedPeers", [&](const Caller& caller) {
        TrustedPeerFilter f;
        if (query != nullptr) {
            const auto& q = query->filter;
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
            f.customer = value_or<LONG64>(q.customer, 0);
            f.reseller = value_or<LONG64>(q.reseller, 0);
        }
        const auto page =
            sip(soap).get_trusted_peers(caller, f, range_of(query ? query->range : nullptr),
                                        order_of(query ? query->orderBy : nullptr));
        out.return_.total = static_cast<int>(page.total);
        out.return_.peers.__size = static_cast<int>(page.items.size());
        out.return_.peers.__ptr =
            soap_new_ngnpro__TrustedPeer(soap, std::max(1, out.return_.peers.__size));
        for (std::size_t i = 0; i < page.items.size(); ++i) {
            peer_output(soap, page.items[i], out.return_.peers.__ptr[i]);
        }
    });
}

// ---- accounts

int sip__addAccount(struct soap* soap, ngnpro__SipAccount* account, sip__addAccountResponse& out) {
    return serve(soap, "SipPort.addAccount", [&](const Caller& caller) {
        audit_note("sip account " + who(account ? &account->id : nullptr));
        const auto row = sip(soap).add_account(caller, account_input(required(account, "account")));
        account_output(soap, row, out.return_);
    });
}

int sip__updateAccount(struct soap* soap, ngnpro__SipAccount* account,
                       sip__updateAccountResponse&) {
    return serve(soap, "SipPort.updateAccount", [&](const Caller& caller) {
        audit_note("sip account " + who(account ? &account->id : nullptr));
        sip(soap).update_account(caller, account_input(required(account, "account")));
    });
}

int sip__deleteAccount(struct soap* soap, ngnpro__SipId* sipId, sip__deleteAccountResponse&) {
    return serve(soap, "SipPort.deleteAccount", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId));
        sip(soap).delete_account(caller, id_in(sipId, "sipId"));
    });
}

int sip__getAccount(struct soap* soap, ngnpro__SipId* sipId, sip__getAccountResponse& out) {
    return serve(soap, "SipPort.getAccount", [&](const Caller& caller) {
        account_output(soap, sip(soap).get_account(caller, id_in(sipId, "sipId")), out.return_);
    });
}

int sip__getAccounts(struct soap* soap, ngnpro__SipQuery* query, sip__getAccountsResponse& out) {
    return serve(soap, "SipPort.getAccounts", [&](const Caller& caller) {
        SipAccountFilter f;
        if (query != nullptr) {
            const auto& q = query->filter;
            f.username = q.username;
            f.domain = q.domain;
            f.first_name = q.firstName;
            f.last_name = q.lastName;
            f.email = q.email;
            f.owner = value_or<LONG64>(q.owner, 0);
            f.customer = value_or<LONG64>(q.customer, 0);
            f.reseller = value_or<LONG64>(q.reseller, 0);
            f.groups = strings(q.groups);
        }
        const auto page =
            sip(soap).get_accounts(caller, f, range_of(query ? query->range : nullptr),
                                   order_of(query ? query->orderBy : nullptr));
        out.return_.total = static_cast<int>(page.total);
        out.return_.accounts.__size = static_cast<int>(page.items.size());
        out.return_.accounts.__ptr =
            soap_new_ngnpro__SipAccount(soap, std::max(1, out.return_.accounts.__size));
        for (std::size_t i = 0; i < page.items.size(); ++i) {
            account_output(soap, page.items[i], out.return_.accounts.__ptr[i]);
        }
    });
}

// ---- aliases

int sip__addAlias(struct soap* soap, ngnpro__SipAlias* alias, sip__addAliasResponse&) {
    return serve(soap, "SipPort.addAlias", [&](const Caller& caller) {
        audit_note("sip alias " + who(alias ? &alias->id : nullptr));
        sip(soap).add_alias(caller, alias_input(required(alias, "alias")));
    });
}

int sip__updateAlias(struct soap* soap, ngnpro__SipAlias* alias, sip__updateAliasResponse&) {
    return serve(soap, "SipPort.updateAlias", [&](const Caller& caller) {
        audit_note("sip alias " + who(alias ? &alias->id : nullptr));
        sip(soap).update_alias(caller, alias_input(required(alias, "alias")));
    });
}

int sip__deleteAlias(struct soap* soap, ngnpro__SipId* id, sip__deleteAliasResponse&) {
    return serve(soap, "SipPort.deleteAlias", [&](const Caller& caller) {
        audit_note("sip alias " + who(id));
        sip(soap).delete_alias(caller, id_in(id, "id"));
    });
}

int sip__getAlias(struct soap* soap, ngnpro__SipId* id, sip__getAliasResponse& out) {
    return serve(soap, "SipPort.getAlias", [&](const Caller& caller) {
        alias_output(soap, sip(soap).get_alias(caller, id_in(id, "id")), out.return_);
    });
}

int sip__getAliases(struct soap* soap, ngnpro__AliasQuery* query, sip__getAliasesResponse& out) {
    return serve(soap, "SipPort.getAliases", [&](const Caller& caller) {
        SipAliasFilter f;
        if (query != nullptr) {
            const auto& q = query->filter;
            f.alias_username = q.aliasUsername;
            f.alias_domain = q.aliasDomain;
            f.target_username = q.targetUsername;
            f.target_domain = q.targetDomain;
            f.owner = value_or<LONG64>(q.owner, 0);
            f.customer = value_or<LONG64>(q.customer, 0);
            f.reseller = value_or<LONG64>(q.reseller, 0);
        }
        const auto page = sip(soap).get_aliases(caller, f, range_of(query ? query->range : nullptr),
                                                order_of(query ? query->orderBy : nullptr));
        out.return_.total = static_cast<int>(page.total);
        out.return_.aliases = alias_array(soap, page.items);
    });
}

int sip__getAliasesForAccount(struct soap* soap, ngnpro__SipId* target,
                              sip__getAliasesForAccountResponse& out) {
    return serve(soap, "SipPort.getAliasesForAccount", [&](const Caller& caller) {
        out.return_ =
            alias_array(soap, sip(soap).aliases_for_account(caller, id_in(target, "target")));
    });
}

// ---- groups

int sip__addToGroup(struct soap* soap, ngnpro__SipId* sipId, std::string group,
                    sip__addToGroupResponse&) {
    return serve(soap, "SipPort.addToGroup", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId) + " group " + group);
        sip(soap).add_to_group(caller, id_in(sipId, "sipId"), group);
    });
}

int sip__removeFromGroup(struct soap* soap, ngnpro__SipId* sipId, std::string group,
                         sip__removeFromGroupResponse&) {
    return serve(soap, "SipPort.removeFromGroup", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId) + " group " + group);
        sip(soap).remove_from_group(caller, id_in(sipId, "sipId"), group);
    });
}

int sip__getGroups(struct soap* soap, ngnpro__SipId* sipId, sip__getGroupsResponse& out) {
    return serve(soap, "SipPort.getGroups", [&](const Caller& caller) {
        out.return_ = string_array(soap, sip(soap).get_groups(caller, id_in(sipId, "sipId")));
    });
}

// ---- prepaid

int sip__addBalance(struct soap* soap, ngnpro__SipId* sipId, double value, std::string description,
                    sip__addBalanceResponse& out) {
    return serve(soap, "SipPort.addBalance", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId) + " balance");
        const auto c = sip(soap).add_balance(caller, id_in(sipId, "sipId"), value, description);
        out.return_.old_USCOREbalance = c.old_balance;
        out.return_.new_USCOREbalance = c.new_balance;
    });
}

int sip__addBalanceFromVoucher(struct soap* soap, ngnpro__SipId* sipId, ngnpro__PrepaidCard* card,
                               sip__addBalanceFromVoucherResponse& out) {
    return serve(soap, "SipPort.addBalanceFromVoucher", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId) + " balance");
        const auto& c = required(card, "card");
        const auto change = sip(soap).add_balance_from_voucher(caller, id_in(sipId, "sipId"),
                                                               id_value(c.id), c.number);
        out.return_.old_USCOREbalance = change.old_balance;
        out.return_.new_USCOREbalance = change.new_balance;
    });
}

int sip__getPrepaidStatus(struct soap* soap, ngnpro__SipIdArray* sipIds,
                          sip__getPrepaidStatusResponse& out) {
    return serve(soap, "SipPort.getPrepaidStatus", [&](const Caller& caller) {
        const auto rows = sip(soap).get_prepaid_status(caller, ids_in(sipIds));
        out.return_.__size = static_cast<int>(rows.size());
        out.return_.__ptr = soap_new_ngnpro__PrepaidStatus(soap, std::max(1, out.return_.__size));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            auto& s = out.return_.__ptr[i];
            s.balance = rows[i].balance;
            s.callInProgress = rows[i].call_in_progress;
            s.sessionTime = static_cast<int>(rows[i].session_time);
            s.maxSessionTime = static_cast<int>(rows[i].max_session_time);
            s.destination = rows[i].destination;
            s.lastCallPrice = rows[i].last_call_price;
        }
    });
}

int sip__getCreditHistory(struct soap* soap, ngnpro__SipId* sipId, int count,
                          sip__getCreditHistoryResponse& out) {
    return serve(soap, "SipPort.getCreditHistory", [&](const Caller& caller) {
        const auto rows = sip(soap).get_credit_history(caller, id_in(sipId, "sipId"), count);
        auto& a = out.return_.entries;
        a.__size = static_cast<int>(rows.size());
        a.__ptr = soap_new_ngnpro__CreditHistoryEntry(soap, std::max(1, a.__size));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            a.__ptr[i].date = format_date(rows[i].date);
            a.__ptr[i].action = rows[i].action;
            a.__ptr[i].description = rows[i].description;
            a.__ptr[i].value = rows[i].value;
            a.__ptr[i].balance = rows[i].balance;
            a.__ptr[i].session = rows[i].session;
        }
    });
}

// ---- phone book, reject, accept, barring, diversions

int sip__addPhonebookEntry(struct soap* soap, ngnpro__SipId* sipId, ngnpro__PhonebookEntry* entry,
                           sip__addPhonebookEntryResponse&) {
    return serve(soap, "SipPort.addPhonebookEntry", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId) + " phonebook");
        const auto& e = required(entry, "entry");
        sip(soap).add_phonebook_entry(caller, id_in(sipId, "sipId"), {e.uri, e.name, e.group});
    });
}

int sip__updatePhonebookEntry(struct soap* soap, ngnpro__SipId* sipId,
                              ngnpro__PhonebookEntry* entry, sip__updatePhonebookEntryResponse&) {
    return serve(soap, "SipPort.updatePhonebookEntry", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId) + " phonebook");
        const auto& e = required(entry, "entry");
        sip(soap).update_phonebook_entry(caller, id_in(sipId, "sipId"), {e.uri, e.name, e.group});
    });
}

int sip__deletePhonebookEntry(struct soap* soap, ngnpro__SipId* sipId, std::string uri,
                              sip__deletePhonebookEntryResponse&) {
    return serve(soap, "SipPort.deletePhonebookEntry", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId) + " phonebook");
        sip(soap).delete_phonebook_entry(caller, id_in(sipId, "sipId"), uri);
    });
}

int sip__getPhonebookEntries(struct soap* soap, ngnpro__SipId* sipId, ngnpro__PhonebookEntry* match,
                             ngnpro__Range* range, sip__getPhonebookEntriesResponse& out) {
    return serve(soap, "SipPort.getPhonebookEntries", [&](const Caller& caller) {
        store::PhonebookRow m;
        if (match != nullptr) {
            m = {match->uri, match->name, match->group};
        }
        const auto page =
            sip(soap).get_phonebook_entries(caller, id_in(sipId, "sipId"), m, range_of(range));
        out.return_.total = static_cast<int>(page.total);
        auto& a = out.return_.entries;
        a.__size = static_cast<int>(page.entries.size());
        a.__ptr = soap_new_ngnpro__PhonebookEntry(soap, std::max(1, a.__size));
        for (std::size_t i = 0; i < page.entries.size(); ++i) {
            a.__ptr[i].uri = page.entries[i].uri;
            a.__ptr[i].name = page.entries[i].name;
            a.__ptr[i].group = page.entries[i].group;
        }
    });
}

int sip__setRejectMembers(struct soap* soap, ngnpro__SipId* sipId, ngnpro__StringArray* members,
                          sip__setRejectMembersResponse&) {
    return serve(soap, "SipPort.setRejectMembers", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId) + " reject members");
        sip(soap).set_reject_members(caller, id_in(sipId, "sipId"),
                                     members ? strings(*members) : std::vector<std::string>{});
    });
}

int sip__getRejectMembers(struct soap* soap, ngnpro__SipId* sipId,
                          sip__getRejectMembersResponse& out) {
    return serve(soap, "SipPort.getRejectMembers", [&](const Caller& caller) {
        out.return_ =
            string_array(soap, sip(soap).get_reject_members(caller, id_in(sipId, "sipId")));
    });
}

int sip__setAcceptRules(struct soap* soap, ngnpro__SipId* sipId, ngnpro__AcceptRules* rules,
                        sip__setAcceptRulesResponse&) {
    return serve(soap, "SipPort.setAcceptRules", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId) + " accept rules");
        AcceptRules in;
        if (rules != nullptr) {
            for (int i = 0; rules->persistent.__ptr != nullptr && i < rules->persistent.__size;
                 ++i) {
                const auto& p = rules->persistent.__ptr[i];
                const int days = value_or<int>(p.days, 0);
                in.persistent.push_back(
                    store::AcceptRuleRow{p.start, p.stop, strings(p.groups),
                                         static_cast<std::uint32_t>(days < 0 ? 999 : days)});
            }
            if (rules->temporary != nullptr) {
                in.temporary_groups = strings(rules->temporary->groups);
                const int minutes = value_or<int>(rules->temporary->duration, 0);
                in.temporary_minutes = static_cast<std::uint32_t>(std::clamp(minutes, 0, 525600));
            }
        }
        sip(soap).set_accept_rules(caller, id_in(sipId, "sipId"), in);
    });
}

int sip__getAcceptRules(struct soap* soap, ngnpro__SipId* sipId, sip__getAcceptRulesResponse& out) {
    return serve(soap, "SipPort.getAcceptRules", [&](const Caller& caller) {
        std::vector<std::string> groups;
        const auto rules = sip(soap).get_accept_rules(caller, id_in(sipId, "sipId"), groups);
        auto& p = out.return_.rules.persistent;
        p.__size = static_cast<int>(rules.persistent.size());
        p.__ptr = soap_new_ngnpro__AcceptRulePersistent(soap, std::max(1, p.__size));
        for (std::size_t i = 0; i < rules.persistent.size(); ++i) {
            p.__ptr[i].start = rules.persistent[i].start;
            p.__ptr[i].stop = rules.persistent[i].stop;
            p.__ptr[i].groups = string_array(soap, rules.persistent[i].groups);
            p.__ptr[i].days = soap_value<int>(soap, static_cast<int>(rules.persistent[i].days));
        }
        auto* t = soap_new_ngnpro__AcceptRuleTemporary(soap);
        t->groups = string_array(soap, rules.temporary_groups);
        t->duration = soap_value<int>(soap, static_cast<int>(rules.temporary_minutes));
        out.return_.rules.temporary = t;
        out.return_.nonEmptyGroups = string_array(soap, groups);
    });
}

int sip__setBarringPrefixes(struct soap* soap, ngnpro__SipId* sipId, ngnpro__StringArray* prefixes,
                            sip__setBarringPrefixesResponse&) {
    return serve(soap, "SipPort.setBarringPrefixes", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId) + " barring prefixes");
        sip(soap).set_barring_prefixes(caller, id_in(sipId, "sipId"),
                                       prefixes ? strings(*prefixes) : std::vector<std::string>{});
    });
}

int sip__getBarringPrefixes(struct soap* soap, ngnpro__SipId* sipId,
                            sip__getBarringPrefixesResponse& out) {
    return serve(soap, "SipPort.getBarringPrefixes", [&](const Caller& caller) {
        out.return_ =
            string_array(soap, sip(soap).get_barring_prefixes(caller, id_in(sipId, "sipId")));
    });
}

namespace {

constexpr std::string ngnpro__CallDiversions::*diversion_members[10] = {
    &ngnpro__CallDiversions::FUNC, &ngnpro__CallDiversions::FNOL, &ngnpro__CallDiversions::FUNV,
    &ngnpro__CallDiversions::FNOA, &ngnpro__CallDiversions::FBUS, &ngnpro__CallDiversions::RUNC,
    &ngnpro__CallDiversions::RNOL, &ngnpro__CallDiversions::RUNV, &ngnpro__CallDiversions::RNOA,
    &ngnpro__CallDiversions::RBUS};

} // namespace

int sip__setCallDiversions(struct soap* soap, ngnpro__SipId* sipId,
                           ngnpro__CallDiversions* diversions, sip__setCallDiversionsResponse&) {
    return serve(soap, "SipPort.setCallDiversions", [&](const Caller& caller) {
        audit_note("sip account " + who(sipId) + " call diversions");
        std::array<std::string, 10> d;
        for (std::size_t i = 0; diversions != nullptr && i < d.size(); ++i) {
            d[i] = diversions->*diversion_members[i];
        }
        sip(soap).set_call_diversions(caller, id_in(sipId, "sipId"), d);
    });
}

int sip__getCallDiversions(struct soap* soap, ngnpro__SipId* sipId,
                           sip__getCallDiversionsResponse& out) {
    return serve(soap, "SipPort.getCallDiversions", [&](const Caller& caller) {
        const auto d = sip(soap).get_call_diversions(caller, id_in(sipId, "sipId"));
        for (std::size_t i = 0; i < d.size(); ++i) {
            out.return_.*diversion_members[i] = d[i];
        }
    });
}

// ---- calls and devices

int sip__getCalls(struct soap* soap, ngnpro__SipId* sipId, ngnpro__CallsQuery* query,
                  sip__getCallsResponse& out) {
    return serve(soap, "SipPort.getCalls", [&](const Caller& caller) {
        CallQuery placed = call_query(query ? query->placed : nullptr);
        CallQuery received = call_query(query ? query->received : nullptr);
        if (!placed.given && !received.given) {
            placed.given = received.given = true; // no query: both directions, everything
        }
        const auto calls = sip(soap).get_calls(caller, id_in(sipId, "sipId"), placed, received);
        out.return_.placed = call_array(soap, calls.placed);
        out.return_.received = call_array(soap, calls.received);
    });
}

int sip__getCallStatistics(struct soap* soap, ngnpro__SipId* sipId, ngnpro__CallsQuery* query,
                           sip__getCallStatisticsResponse& out) {
    return serve(soap, "SipPort.getCallStatistics", [&](const Caller& caller) {
        const auto s = sip(soap).get_call_statistics(caller, id_in(sipId, "sipId"),
                                                     call_query(query ? query->placed : nullptr),
                                                     call_query(query ? query->received : nullptr));
        out.return_.placed.calls = static_cast<int>(s.placed_calls);
        out.return_.placed.price = s.placed_price;
        out.return_.received.calls = static_cast<int>(s.received_calls);
        out.return_.received.price = s.received_price;
    });
}

int sip__getSipDeviceLocations(struct soap* soap, ngnpro__SipIdArray* sipIds,
                               sip__getSipDeviceLocationsResponse& out) {
    return serve(soap, "SipPort.getSipDeviceLocations", [&](const Caller& caller) {
        const auto rows = sip(soap).get_device_locations(caller, ids_in(sipIds));
        const std::int64_t t = now();
        out.return_.__size = static_cast<int>(rows.size());
        out.return_.__ptr =
            soap_new_ngnpro__SipDeviceLocations(soap, std::max(1, out.return_.__size));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            auto& d = out.return_.__ptr[i];
            id_out(rows[i].id.username, rows[i].id.domain, d.id);
            d.locations.__size = static_cast<int>(rows[i].locations.size());
            d.locations.__ptr =
                soap_new_ngnpro__SipDeviceLocation(soap, std::max(1, d.locations.__size));
            for (std::size_t j = 0; j < rows[i].locations.size(); ++j) {
                const auto& r = rows[i].locations[j];
                auto& l = d.locations.__ptr[j];
                l.address = r.address;
                l.port = static_cast<int>(r.port);
                const bool same = r.public_address == r.address && r.public_port == r.port;
                l.publicAddress = same ? "" : r.public_address;
                l.publicPort = same ? 0 : static_cast<int>(r.public_port);
                l.expires = static_cast<int>(std::max<std::int64_t>(0, r.expires_at - t));
                l.userAgent = r.user_agent;
                l.transport = r.transport;
            }
        }
    });
}

// ---- PSTN

int sip__addGateway(struct soap* soap, ngnpro__Gateway* gateway, sip__addGatewayResponse&) {
    return serve(soap, "SipPort.addGateway", [&](const Caller& caller) {
        audit_note("gateway " + (gateway ? gateway->name : ""));
        const auto& g = required(gateway, "gateway");
        store::GatewayRow row;
        row.name = g.name;
        row.carrier_id = id_value(g.carrier_USCOREid);
        row.transport = g.transport;
        row.ip = g.ip;
        row.port = static_cast<std::uint32_t>(std::clamp(value_or<int>(g.port, 5060), 0, 65536));
        row.reseller = value_or<LONG64>(g.reseller, 0);
        sip(soap).add_gateway(caller, row);
    });
}

int sip__updateGateway(struct soap* soap, ngnpro__Gateway* gateway, sip__updateGatewayResponse&) {
    return serve(soap, "SipPort.updateGateway", [&](const Caller& caller) {
        audit_note("gateway " + std::to_string(gateway ? id_value(gateway->id) : 0));
        const auto& g = required(gateway, "gateway");
        store::GatewayRow row;
        row.id = id_value(g.id);
        row.name = g.name;
        row.carrier_id = id_value(g.carrier_USCOREid);
        row.transport = g.transport;
        row.ip = g.ip;
        row.port = static_cast<std::uint32_t>(std::clamp(value_or<int>(g.port, 5060), 0, 65536));
        sip(soap).update_gateway(caller, row);
    });
}

int sip__deleteGateway(struct soap* soap, int id, sip__deleteGatewayResponse&) {
    return serve(soap, "SipPort.deleteGateway", [&](const Caller& caller) {
        audit_note("gateway " + std::to_string(id));
        sip(soap).delete_gateway(caller, id_value(id));
    });
}

int sip__getGateways(struct soap* soap, ngnpro__GatewayQuery* query,
                     sip__getGatewaysResponse& out) {
    return serve(soap, "SipPort.getGateways", [&](const Caller& caller) {
        IdFilter f;
        if (query != nullptr) {
            f.id = id_value(query->filter.id);
            f.name = query->filter.name;
            f.carrier_id = id_value(query->filter.carrier_USCOREid);
            f.reseller = value_or<LONG64>(query->filter.reseller, 0);
            f.customer = value_or<LONG64>(query->filter.customer, 0);
        }
        const auto page =
            sip(soap).get_gateways(caller, f, range_of(query ? query->range : nullptr),
                                   order_of(query ? query->orderBy : nullptr));
        out.return_.total = static_cast<int>(page.total);
        auto& a = out.return_.gateways;
        a.__size = static_cast<int>(page.items.size());
        a.__ptr = soap_new_ngnpro__Gateway(soap, std::max(1, a.__size));
        for (std::size_t i = 0; i < page.items.size(); ++i) {
            const auto& r = page.items[i].gateway;
            auto& g = a.__ptr[i];
            g.id = soap_value<int>(soap, int_of(r.id));
            g.name = r.name;
            g.carrier_USCOREid = soap_value<int>(soap, int_of(r.carrier_id));
            g.carrier = page.items[i].carrier;
            g.transport = r.transport;
            g.ip = r.ip;
            g.port = soap_value<int>(soap, static_cast<int>(r.port));
            g.reseller = soap_value<LONG64>(soap, r.reseller);
            g.changeDate = format_date(r.change_date);
        }
    });
}

namespace {

store::GatewayRuleRow rule_input(const ngnpro__GatewayRule& r) {
    store::GatewayRuleRow row;
    row.id = id_value(r.id);
    row.gateway_id = id_value(r.gateway_USCOREid);
    row.prefix = r.prefix;
    const auto nonneg = [](const int* p) {
        return static_cast<std::uint32_t>(std::clamp(value_or<int>(p, 0), 0, 1000));
    };
    row.strip = nonneg(r.strip);
    row.prepend = r.prepend;
    row.min_length = nonneg(r.minLength);
    row.max_length = nonneg(r.maxLength);
    row.reseller = value_or<LONG64>(r.reseller, 0);
    return row;
}

} // namespace

int sip__addGatewayRule(struct soap* soap, ngnpro__GatewayRule* rule,
                        sip__addGatewayRuleResponse&) {
    return serve(soap, "SipPort.addGatewayRule", [&](const Caller& caller) {
        audit_note("gateway rule for gateway " +
                   std::to_string(rule ? id_value(rule->gateway_USCOREid) : 0));
        sip(soap).add_gateway_rule(caller, rule_input(required(rule, "rule")));
    });
}

int sip__updateGatewayRule(struct soap* soap, ngnpro__GatewayRule* rule,
                           sip__updateGatewayRuleResponse&) {
    return serve(soap, "SipPort.updateGatewayRule", [&](const Caller& caller) {
        audit_note("gateway rule " + std::to_string(rule ? id_value(rule->id) : 0));
        sip(soap).update_gateway_rule(caller, rule_input(required(rule, "rule")));
    });
}

int sip__deleteGatewayRule(struct soap* soap, int id, sip__deleteGatewayRuleResponse&) {
    return serve(soap, "SipPort.deleteGatewayRule", [&](const Caller& caller) {
        audit_note("gateway rule " + std::to_string(id));
        sip(soap).delete_gateway_rule(caller, id_value(id));
    });
}

int sip__getGatewayRules(struct soap* soap, ngnpro__GatewayRuleQuery* query,
                         sip__getGatewayRulesResponse& out) {
    return serve(soap, "SipPort.getGatewayRules", [&](const Caller& caller) {
        IdFilter f;
        if (query != nullptr) {
            f.id = id_value(query->filter.id);
            f.gateway_id = id_value(query->filter.gateway_USCOREid);
            f.carrier_id = id_value(query->filter.carrier_USCOREid);
            f.prefix = query->filter.prefix;
            f.reseller = value_or<LONG64>(query->filter.reseller, 0);
            f.customer = value_or<LONG64>(query->filter.customer, 0);
        }
        const auto page =
            sip(soap).get_gateway_rules(caller, f, range_of(query ? query->range : nullptr),
                                        order_of(query ? query->orderBy : nullptr));
        out.return_.total = static_cast<int>(page.total);
        auto& a = out.return_.gateway_USCORErules;
        a.__size = static_cast<int>(page.items.size());
        a.__ptr = soap_new_ngnpro__GatewayRule(soap, std::max(1, a.__size));
        for (std::size_t i = 0; i < page.items.size(); ++i) {
            const auto& v = page.items[i];
            auto& r = a.__ptr[i];
            r.id = soap_value<int>(soap, int_of(v.rule.id));
            r.gateway_USCOREid = soap_value<int>(soap, int_of(v.rule.gateway_id));
            r.gateway = v.gateway;
            r.carrier_USCOREid = soap_value<int>(soap, int_of(v.carrier_id));
            r.carrier = v.carrier;
            r.prefix = v.rule.prefix;
            r.strip = soap_value<int>(soap, static_cast<int>(v.rule.strip));
            r.prepend = v.rule.prepend;
            r.minLength = soap_value<int>(soap, static_cast<int>(v.rule.min_length));
            r.maxLength = soap_value<int>(soap, static_cast<int>(v.rule.max_length));
            r.reseller = soap_value<LONG64>(soap, v.rule.reseller);
            r.changeDate = format_date(v.rule.change_date);
        }
    });
}

int sip__addCarrier(struct soap* soap, ngnpro__Carrier* carrier, sip__addCarrierResponse&) {
    return serve(soap, "SipPort.addCarrier", [&](const Caller& caller) {
        audit_note("carrier " + (carrier ? carrier->name : ""));
        const auto& c = required(carrier, "carrier");
        store::CarrierRow row;
        row.name = c.name;
        row.reseller = value_or<LONG64>(c.reseller, 0);
        sip(soap).add_carrier(caller, row);
    });
}

int sip__updateCarrier(struct soap* soap, ngnpro__Carrier* carrier, sip__updateCarrierResponse&) {
    return serve(soap, "SipPort.updateCarrier", [&](const Caller& caller) {
        audit_note("carrier " + std::to_string(carrier ? id_value(carrier->id) : 0));
        const auto& c = required(carrier, "carrier");
        store::CarrierRow row;
        row.id = id_value(c.id);
        row.name = c.name;
        row.reseller = value_or<LONG64>(c.reseller, 0);
        sip(soap).update_carrier(caller, row);
    });
}

int sip__deleteCarrier(struct soap* soap, int id, sip__deleteCarrierResponse&) {
    return serve(soap, "SipPort.deleteCarrier", [&](const Caller& caller) {
        audit_note("carrier " + std::to_string(id));
        sip(soap).delete_carrier(caller, id_value(id));
    });
}

int sip__getCarriers(struct soap* soap, ngnpro__CarrierQuery* query,
                     sip__getCarriersResponse& out) {
    return serve(soap, "SipPort.getCarriers", [&](const Caller& caller) {
        IdFilter f;
        if (query != nullptr) {
            f.id = id_value(query->filter.id);
            f.name = query->filter.name;
            f.reseller = value_or<LONG64>(query->filter.reseller, 0);
        }
        const auto page =
            sip(soap).get_carriers(caller, f, range_of(query ? query->range : nullptr),
                                   order_of(query ? query->orderBy : nullptr));
        out.return_.total = static_cast<int>(page.total);
        auto& a = out.return_.carriers;
        a.__size = static_cast<int>(page.items.size());
        a.__ptr = soap_new_ngnpro__Carrier(soap, std::max(1, a.__size));
        for (std::size_t i = 0; i < page.items.size(); ++i) {
            a.__ptr[i].id = soap_value<int>(soap, int_of(page.items[i].id));
            a.__ptr[i].name = page.items[i].name;
            a.__ptr[i].reseller = soap_value<LONG64>(soap, page.items[i].reseller);
            a.__ptr[i].changeDate = format_date(page.items[i].change_date);
        }
    });
}

int sip__addRoutes(struct soap* soap, ngnpro__RouteArray* routes, sip__addRoutesResponse&) {
    return serve(soap, "SipPort.addRoutes", [&](const Caller& caller) {
        audit_note("routes (" + std::to_string(routes ? routes->__size : 0) + ")");
        sip(soap).add_routes(caller, routes_input(routes));
    });
}

int sip__updateRoutes(struct soap* soap, ngnpro__RouteArray* routes, sip__updateRoutesResponse&) {
    return serve(soap, "SipPort.updateRoutes", [&](const Caller& caller) {
        audit_note("routes (" + std::to_string(routes ? routes->__size : 0) + ")");
        sip(soap).update_routes(caller, routes_input(routes));
    });
}

int sip__deleteRoutes(struct soap* soap, ngnpro__RouteArray* routes, sip__deleteRoutesResponse&) {
    return serve(soap, "SipPort.deleteRoutes", [&](const Caller& caller) {
        audit_note("routes (" + std::to_string(routes ? routes->__size : 0) + ")");
        std::vector<std::uint64_t> ids;
        for (const auto& r : routes_input(routes)) {
            ids.push_back(r.id);
        }
        sip(soap).delete_routes(caller, ids);
    });
}

int sip__getRoutes(struct soap* soap, ngnpro__RouteQuery* query, sip__getRoutesResponse& out) {
    return serve(soap, "SipPort.getRoutes", [&](const Caller& caller) {
        IdFilter f;
        if (query != nullptr) {
            f.id = id_value(query->filter.id);
            f.prefix = query->filter.prefix;
            f.carrier_id = id_value(query->filter.carrier_USCOREid);
            f.reseller = value_or<LONG64>(query->filter.reseller, 0);
        }
        const auto page = sip(soap).get_routes(caller, f, range_of(query ? query->range : nullptr),
                                               order_of(query ? query->orderBy : nullptr));
        out.return_.total = static_cast<int>(page.total);
        auto& a = out.return_.routes;
        a.__size = static_cast<int>(page.items.size());
        a.__ptr = soap_new_ngnpro__Route(soap, std::max(1, a.__size));
        for (std::size_t i = 0; i < page.items.size(); ++i) {
            const auto& v = page.items[i];
            a.__ptr[i].id = soap_value<int>(soap, int_of(v.route.id));
            a.__ptr[i].carrier_USCOREid = soap_value<int>(soap, int_of(v.route.carrier_id));
            a.__ptr[i].carrier = v.carrier;
            a.__ptr[i].prefix = v.route.prefix;
            a.__ptr[i].originator = v.route.originator;
            a.__ptr[i].priority = soap_value<int>(soap, static_cast<int>(v.route.priority));
            a.__ptr[i].reseller = soap_value<LONG64>(soap, v.route.reseller);
            a.__ptr[i].changeDate = format_date(v.route.change_date);
        }
    });
}
