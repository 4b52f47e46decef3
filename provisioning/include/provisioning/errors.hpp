// Stable fault codes of the provisioning API. Never renumber or reuse a value; every code is
// listed in docs/faults.md. Codes the NGNPro client branches on keep their observed numbers.
#pragma once

#include <stdexcept>
#include <string>

namespace sb::prov {

enum class ErrorCode : int {
    // 1xxx SIP
    SipDomainNotFound = 1000,
    SipDomainExists = 1001,
    SipDomainNotEmpty = 1002,
    SipAccountNotFound = 1010,
    SipAccountExists = 1011,
    SipPasswordInvalid = 1012,
    SipAliasNotFound = 1020,
    SipAliasExists = 1021,
    GroupMemberExists = 1030,
    NotGroupMember = 1031,
    PhonebookEntryNotFound = 1040,
    PhonebookEntryExists = 1041,
    TrustedPeerNotFound = 1050,
    TrustedPeerExists = 1051,
    MediaTraceNotFound = 1060, // CDRTool ignores it after getMediaTrace
    CarrierNotFound = 1070,
    CarrierInUse = 1071,
    GatewayNotFound = 1080,
    GatewayInUse = 1081,
    GatewayRuleNotFound = 1090,
    RouteNotFound = 1100,
    // 2xxx voicemail, prepaid
    VoicemailNotFound = 2000,
    VoicemailExists = 2001,
    MailboxInUse = 2002,
    AnnouncementTooLarge = 2003,
    PrepaidCardNotFound = 2010,
    PrepaidCardUsed = 2011,
    PrepaidReservationNotFound = 2020, // settle of a Call-ID never reserved (or purged)
    PrepaidReservationClosed = 2021,   // reserve of a Call-ID settled, or held by another account
    // 3xxx ENUM
    EnumRangeNotFound = 3000,
    EnumRangeExists = 3001,
    EnumNumberNotFound = 3002,
    EnumNumberExists = 3003,
    EnumRangeNotEmpty = 3004,
    // 4xxx rating
    RatingProfilesNotFound = 4001, // CDRTool tolerates it after get/set/deleteEntityProfiles
    // 5xxx customers
    CustomerNotFound = 5000,
    CustomerExists = 5001,
    CustomerHasRecords = 5002,
    // 7xxx DNS
    DnsZoneNotFound = 7000,
    DnsZoneExists = 7001,
    DnsRecordNotFound = 7002,
    DnsRecordExists = 7003,
    DnsZoneNotEmpty = 7004,
    DnsZoneSecondary = 7005, // the zone is transferred from a primary ([secondary] in the ini)
    // 8xxx request and caller
    AuthenticationFailed = 8000,
    PermissionDenied = 8001,
    InvalidArgument = 8002,
    CreditExceeded = 8003,
    // 9xxx server
    NotImplemented = 9000,
    Internal = 9001,
    StoreFull = 9002,
};

// A refusal with a message that says what to fix; turned into a fault by the port layer.
class ApiError : public std::runtime_error {
public:
    ApiError(ErrorCode code, const std::string& message)
        : std::runtime_error(message)
        , code_(code) {}

    ErrorCode code() const noexcept { return code_; }

private:
    ErrorCode code_;
};

} // namespace sb::prov
