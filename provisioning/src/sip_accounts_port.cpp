// SipPort (urn:AGProjects:NGNPro:Sip), domains, accounts, aliases and groups: sip_codec.hpp ⇄
// SipDomainService, SipAccountService, SipAliasService (sip_accounts.cpp).
#include "context.hpp"
#include "sip_codec.hpp"

using namespace sb::prov;

// ---- domains

int sip__addDomain(struct soap* soap, ngnpro__SipDomain* domain, sip__addDomainResponse&) {
    return serve(soap, "SipPort.addDomain", [&](const Caller& caller) {
        audit_note(soap, "sip domain " + (domain ? domain->domain : ""));
        context(soap).sip_domains.add_domain(caller, from_soap(required(domain, "domain")));
    });
}

int sip__updateDomain(struct soap* soap, ngnpro__SipDomain* domain, sip__updateDomainResponse&) {
    return serve(soap, "SipPort.updateDomain", [&](const Caller& caller) {
        audit_note(soap, "sip domain " + (domain ? domain->domain : ""));
        context(soap).sip_domains.update_domain(caller, from_soap(required(domain, "domain")));
    });
}

int sip__deleteDomain(struct soap* soap, std::string domain, sip__deleteDomainResponse&) {
    return serve(soap, "SipPort.deleteDomain", [&](const Caller& caller) {
        audit_note(soap, "sip domain " + domain);
        context(soap).sip_domains.delete_domain(caller, domain);
    });
}

int sip__getDomains(struct soap* soap, ngnpro__SipDomainQuery* query,
                    sip__getDomainsResponse& out) {
    return serve_page(soap, "SipPort.getDomains", query, out.return_.total, out.return_.domains,
                      soap_new_ngnpro__SipDomain,
                      [&](auto&&... a) { return context(soap).sip_domains.get_domains(a...); });
}

// ---- accounts

int sip__addAccount(struct soap* soap, ngnpro__SipAccount* account, sip__addAccountResponse& out) {
    return serve(soap, "SipPort.addAccount", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(account ? &account->id : nullptr));
        const auto row =
            context(soap).sip_accounts.add_account(caller, from_soap(required(account, "account")));
        to_soap(soap, row, out.return_);
    });
}

int sip__updateAccount(struct soap* soap, ngnpro__SipAccount* account,
                       sip__updateAccountResponse&) {
    return serve(soap, "SipPort.updateAccount", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(account ? &account->id : nullptr));
        context(soap).sip_accounts.update_account(caller, from_soap(required(account, "account")));
    });
}

int sip__deleteAccount(struct soap* soap, ngnpro__SipId* sipId, sip__deleteAccountResponse&) {
    return serve(soap, "SipPort.deleteAccount", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId));
        context(soap).sip_accounts.delete_account(caller, id_in(sipId, "sipId"));
    });
}

int sip__getAccount(struct soap* soap, ngnpro__SipId* sipId, sip__getAccountResponse& out) {
    return serve(soap, "SipPort.getAccount", [&](const Caller& caller) {
        to_soap(soap, context(soap).sip_accounts.get_account(caller, id_in(sipId, "sipId")),
                out.return_);
    });
}

int sip__getAccounts(struct soap* soap, ngnpro__SipQuery* query, sip__getAccountsResponse& out) {
    return serve_page(soap, "SipPort.getAccounts", query, out.return_.total, out.return_.accounts,
                      soap_new_ngnpro__SipAccount,
                      [&](auto&&... a) { return context(soap).sip_accounts.get_accounts(a...); });
}

// ---- aliases

int sip__addAlias(struct soap* soap, ngnpro__SipAlias* alias, sip__addAliasResponse&) {
    return serve(soap, "SipPort.addAlias", [&](const Caller& caller) {
        audit_note(soap, "sip alias " + who(alias ? &alias->id : nullptr));
        context(soap).sip_aliases.add_alias(caller, from_soap(required(alias, "alias")));
    });
}

int sip__updateAlias(struct soap* soap, ngnpro__SipAlias* alias, sip__updateAliasResponse&) {
    return serve(soap, "SipPort.updateAlias", [&](const Caller& caller) {
        audit_note(soap, "sip alias " + who(alias ? &alias->id : nullptr));
        context(soap).sip_aliases.update_alias(caller, from_soap(required(alias, "alias")));
    });
}

int sip__deleteAlias(struct soap* soap, ngnpro__SipId* id, sip__deleteAliasResponse&) {
    return serve(soap, "SipPort.deleteAlias", [&](const Caller& caller) {
        audit_note(soap, "sip alias " + who(id));
        context(soap).sip_aliases.delete_alias(caller, id_in(id, "id"));
    });
}

int sip__getAlias(struct soap* soap, ngnpro__SipId* id, sip__getAliasResponse& out) {
    return serve(soap, "SipPort.getAlias", [&](const Caller& caller) {
        to_soap(soap, context(soap).sip_aliases.get_alias(caller, id_in(id, "id")), out.return_);
    });
}

int sip__getAliases(struct soap* soap, ngnpro__AliasQuery* query, sip__getAliasesResponse& out) {
    return serve_page(soap, "SipPort.getAliases", query, out.return_.total, out.return_.aliases,
                      soap_new_ngnpro__SipAlias,
                      [&](auto&&... a) { return context(soap).sip_aliases.get_aliases(a...); });
}

int sip__getAliasesForAccount(struct soap* soap, ngnpro__SipId* target,
                              sip__getAliasesForAccountResponse& out) {
    return serve(soap, "SipPort.getAliasesForAccount", [&](const Caller& caller) {
        const auto rows =
            context(soap).sip_aliases.aliases_for_account(caller, id_in(target, "target"));
        fill_array(soap, out.return_, rows, soap_new_ngnpro__SipAlias);
    });
}

// ---- groups

int sip__addToGroup(struct soap* soap, ngnpro__SipId* sipId, std::string group,
                    sip__addToGroupResponse&) {
    return serve(soap, "SipPort.addToGroup", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId) + " group " + group);
        context(soap).sip_accounts.add_to_group(caller, id_in(sipId, "sipId"), group);
    });
}

int sip__removeFromGroup(struct soap* soap, ngnpro__SipId* sipId, std::string group,
                         sip__removeFromGroupResponse&) {
    return serve(soap, "SipPort.removeFromGroup", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId) + " group " + group);
        context(soap).sip_accounts.remove_from_group(caller, id_in(sipId, "sipId"), group);
    });
}

int sip__getGroups(struct soap* soap, ngnpro__SipId* sipId, sip__getGroupsResponse& out) {
    return serve(soap, "SipPort.getGroups", [&](const Caller& caller) {
        out.return_ = string_array(
            soap, context(soap).sip_accounts.get_groups(caller, id_in(sipId, "sipId")));
    });
}
