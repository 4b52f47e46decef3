// VoicemailPort (urn:AGProjects:NGNPro:Voicemail): SOAP types ⇄ VoicemailService. Served on the
// base URL and on <base>voicemail/ alike (gSOAP dispatches on the body, not the path).
#include "context.hpp"
#include "sip_codec.hpp"

using namespace sb::prov;

namespace {

VoicemailInput voicemail_input(const ngnpro__VoicemailAccount& a) {
    VoicemailInput in;
    in.id = from_soap(a.sipId);
    in.mailbox = a.mailbox;
    in.password = a.password;
    in.name = a.name;
    in.email = a.email;
    in.info = a.info;
    in.delete_messages = a.options != nullptr && value_or<bool>(a.options->delete_, false);
    return in;
}

VoicemailService& vm(struct soap* soap) {
    return context(soap).voicemail;
}

std::string audio_of(const xsd__base64Binary* message) {
    if (message == nullptr || message->__ptr == nullptr || message->__size <= 0) {
        return "";
    }
    return std::string(reinterpret_cast<const char*>(message->__ptr),
                       static_cast<std::size_t>(message->__size));
}

} // namespace

static void to_soap(struct soap* soap, const sb::prov::VoicemailView& row,
                    ngnpro__VoicemailAccount& a) {
    a.sipId.username = row.username;
    a.sipId.domain = row.domain;
    a.mailbox = row.mailbox;
    a.password = row.password;
    a.name = row.name;
    a.email = row.email;
    a.info = row.info;
    a.options = soap_new_ngnpro__VoicemailOptions(soap);
    a.options->delete_ = soap_value<bool>(soap, row.delete_messages);
}

int vm__addAccount(struct soap* soap, ngnpro__VoicemailAccount* account, vm__addAccountResponse&) {
    return serve(soap, "VoicemailPort.addAccount", [&](const Caller& caller) {
        audit_note(soap, "voicemail " + who(account ? &account->sipId : nullptr));
        vm(soap).add(caller, voicemail_input(required(account, "account")));
    });
}

int vm__updateAccount(struct soap* soap, ngnpro__VoicemailAccount* account,
                      vm__updateAccountResponse&) {
    return serve(soap, "VoicemailPort.updateAccount", [&](const Caller& caller) {
        audit_note(soap, "voicemail " + who(account ? &account->sipId : nullptr));
        vm(soap).update(caller, voicemail_input(required(account, "account")));
    });
}

int vm__deleteAccount(struct soap* soap, ngnpro__SipId* sipId, vm__deleteAccountResponse&) {
    return serve(soap, "VoicemailPort.deleteAccount", [&](const Caller& caller) {
        audit_note(soap, "voicemail " + who(sipId));
        vm(soap).remove(caller, id_in(sipId, "sipId"));
    });
}

int vm__getAccount(struct soap* soap, ngnpro__SipId* sipId, vm__getAccountResponse& out) {
    return serve(soap, "VoicemailPort.getAccount", [&](const Caller& caller) {
        to_soap(soap, vm(soap).get(caller, id_in(sipId, "sipId")), out.return_);
    });
}

int vm__setAnnouncement(struct soap* soap, ngnpro__SipId* sipId, xsd__base64Binary* message,
                        vm__setAnnouncementResponse&) {
    return serve(soap, "VoicemailPort.setAnnouncement", [&](const Caller& caller) {
        audit_note(soap, "voicemail " + who(sipId) + " announcement");
        vm(soap).set_announcement(caller, id_in(sipId, "sipId"), audio_of(message));
    });
}
