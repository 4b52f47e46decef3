// SipPort (urn:AGProjects:NGNPro:Sip), the call settings of an account (phone book, reject
// members, accept rules, barring prefixes, diversions): sip_codec.hpp ⇄ SipSettingsService
// (sip_settings.cpp).
#include "context.hpp"
#include "sip_codec.hpp"

using namespace sb::prov;

int sip__addPhonebookEntry(struct soap* soap, ngnpro__SipId* sipId, ngnpro__PhonebookEntry* entry,
                           sip__addPhonebookEntryResponse&) {
    return serve(soap, "SipPort.addPhonebookEntry", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId) + " phonebook");
        context(soap).sip_settings.add_phonebook_entry(caller, id_in(sipId, "sipId"),
                                                       from_soap(&required(entry, "entry")));
    });
}

int sip__updatePhonebookEntry(struct soap* soap, ngnpro__SipId* sipId,
                              ngnpro__PhonebookEntry* entry, sip__updatePhonebookEntryResponse&) {
    return serve(soap, "SipPort.updatePhonebookEntry", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId) + " phonebook");
        context(soap).sip_settings.update_phonebook_entry(caller, id_in(sipId, "sipId"),
                                                          from_soap(&required(entry, "entry")));
    });
}

int sip__deletePhonebookEntry(struct soap* soap, ngnpro__SipId* sipId, std::string uri,
                              sip__deletePhonebookEntryResponse&) {
    return serve(soap, "SipPort.deletePhonebookEntry", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId) + " phonebook");
        context(soap).sip_settings.delete_phonebook_entry(caller, id_in(sipId, "sipId"), uri);
    });
}

int sip__getPhonebookEntries(struct soap* soap, ngnpro__SipId* sipId, ngnpro__PhonebookEntry* match,
                             ngnpro__Range* range, sip__getPhonebookEntriesResponse& out) {
    return serve(soap, "SipPort.getPhonebookEntries", [&](const Caller& caller) {
        const auto page = context(soap).sip_settings.get_phonebook_entries(
            caller, id_in(sipId, "sipId"), from_soap(match), range_of(range));
        out.return_.total = static_cast<int>(page.total);
        fill_array(soap, out.return_.entries, page.entries, soap_new_ngnpro__PhonebookEntry);
    });
}

int sip__setRejectMembers(struct soap* soap, ngnpro__SipId* sipId, ngnpro__StringArray* members,
                          sip__setRejectMembersResponse&) {
    return serve(soap, "SipPort.setRejectMembers", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId) + " reject members");
        context(soap).sip_settings.set_reject_members(caller, id_in(sipId, "sipId"),
                                                      members ? strings(*members)
                                                              : std::vector<std::string>{});
    });
}

int sip__getRejectMembers(struct soap* soap, ngnpro__SipId* sipId,
                          sip__getRejectMembersResponse& out) {
    return serve(soap, "SipPort.getRejectMembers", [&](const Caller& caller) {
        out.return_ = string_array(
            soap, context(soap).sip_settings.get_reject_members(caller, id_in(sipId, "sipId")));
    });
}

int sip__setAcceptRules(struct soap* soap, ngnpro__SipId* sipId, ngnpro__AcceptRules* rules,
                        sip__setAcceptRulesResponse&) {
    return serve(soap, "SipPort.setAcceptRules", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId) + " accept rules");
        context(soap).sip_settings.set_accept_rules(caller, id_in(sipId, "sipId"),
                                                    from_soap(rules));
    });
}

int sip__getAcceptRules(struct soap* soap, ngnpro__SipId* sipId, sip__getAcceptRulesResponse& out) {
    return serve(soap, "SipPort.getAcceptRules", [&](const Caller& caller) {
        std::vector<std::string> groups;
        const auto rules =
            context(soap).sip_settings.get_accept_rules(caller, id_in(sipId, "sipId"), groups);
        to_soap(soap, rules, out.return_.rules);
        out.return_.nonEmptyGroups = string_array(soap, groups);
    });
}

int sip__setBarringPrefixes(struct soap* soap, ngnpro__SipId* sipId, ngnpro__StringArray* prefixes,
                            sip__setBarringPrefixesResponse&) {
    return serve(soap, "SipPort.setBarringPrefixes", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId) + " barring prefixes");
        context(soap).sip_settings.set_barring_prefixes(caller, id_in(sipId, "sipId"),
                                                        prefixes ? strings(*prefixes)
                                                                 : std::vector<std::string>{});
    });
}

int sip__getBarringPrefixes(struct soap* soap, ngnpro__SipId* sipId,
                            sip__getBarringPrefixesResponse& out) {
    return serve(soap, "SipPort.getBarringPrefixes", [&](const Caller& caller) {
        out.return_ = string_array(
            soap, context(soap).sip_settings.get_barring_prefixes(caller, id_in(sipId, "sipId")));
    });
}

int sip__setCallDiversions(struct soap* soap, ngnpro__SipId* sipId,
                           ngnpro__CallDiversions* diversions, sip__setCallDiversionsResponse&) {
    return serve(soap, "SipPort.setCallDiversions", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId) + " call diversions");
        context(soap).sip_settings.set_call_diversions(caller, id_in(sipId, "sipId"),
                                                       from_soap(diversions));
    });
}

int sip__getCallDiversions(struct soap* soap, ngnpro__SipId* sipId,
                           sip__getCallDiversionsResponse& out) {
    return serve(soap, "SipPort.getCallDiversions", [&](const Caller& caller) {
        to_soap(soap, context(soap).sip_settings.get_call_diversions(caller, id_in(sipId, "sipId")),
                out.return_);
    });
}
