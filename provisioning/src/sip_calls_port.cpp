// SipPort (urn:AGProjects:NGNPro:Sip), prepaid balances, call history and registered devices:
// sip_codec.hpp ⇄ PrepaidService (sip_prepaid.cpp), CallDataService (sip_calls.cpp).
#include "context.hpp"
#include "sip_codec.hpp"

using namespace sb::prov;

namespace {

// getCalls without a query: both directions, everything.
std::pair<CallQuery, CallQuery> calls_query(const ngnpro__CallsQuery* q) {
    CallQuery placed = from_soap(q ? q->placed : nullptr);
    CallQuery received = from_soap(q ? q->received : nullptr);
    if (!placed.given && !received.given) {
        placed.given = received.given = true;
    }
    return {placed, received};
}

} // namespace

// ---- prepaid

int sip__addBalance(struct soap* soap, ngnpro__SipId* sipId, double value, std::string description,
                    sip__addBalanceResponse& out) {
    return serve(soap, "SipPort.addBalance", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId) + " balance");
        to_soap(
            soap,
            context(soap).prepaid.add_balance(caller, id_in(sipId, "sipId"), value, description),
            out.return_);
    });
}

int sip__addBalanceFromVoucher(struct soap* soap, ngnpro__SipId* sipId, ngnpro__PrepaidCard* card,
                               sip__addBalanceFromVoucherResponse& out) {
    return serve(soap, "SipPort.addBalanceFromVoucher", [&](const Caller& caller) {
        audit_note(soap, "sip account " + who(sipId) + " balance");
        const auto& c = required(card, "card");
        to_soap(soap,
                context(soap).prepaid.add_balance_from_voucher(caller, id_in(sipId, "sipId"),
                                                               id_value(c.id), c.number),
                out.return_);
    });
}

int sip__getPrepaidStatus(struct soap* soap, ngnpro__SipIdArray* sipIds,
                          sip__getPrepaidStatusResponse& out) {
    return serve(soap, "SipPort.getPrepaidStatus", [&](const Caller& caller) {
        fill_array(soap, out.return_,
                   context(soap).prepaid.get_prepaid_status(caller, from_soap(sipIds)),
                   soap_new_ngnpro__PrepaidStatus);
    });
}

int sip__getCreditHistory(struct soap* soap, ngnpro__SipId* sipId, int count,
                          sip__getCreditHistoryResponse& out) {
    return serve(soap, "SipPort.getCreditHistory", [&](const Caller& caller) {
        const auto rows =
            context(soap).prepaid.get_credit_history(caller, id_in(sipId, "sipId"), count);
        fill_array(soap, out.return_.entries, rows, soap_new_ngnpro__CreditHistoryEntry);
    });
}

// ---- calls and devices

int sip__getCalls(struct soap* soap, ngnpro__SipId* sipId, ngnpro__CallsQuery* query,
                  sip__getCallsResponse& out) {
    return serve(soap, "SipPort.getCalls", [&](const Caller& caller) {
        const auto [placed, received] = calls_query(query);
        to_soap(soap,
                context(soap).call_data.get_calls(caller, id_in(sipId, "sipId"), placed, received),
                out.return_);
    });
}

int sip__getCallStatistics(struct soap* soap, ngnpro__SipId* sipId, ngnpro__CallsQuery* query,
                           sip__getCallStatisticsResponse& out) {
    return serve(soap, "SipPort.getCallStatistics", [&](const Caller& caller) {
        const auto s = context(soap).call_data.get_call_statistics(
            caller, id_in(sipId, "sipId"), from_soap(query ? query->placed : nullptr),
            from_soap(query ? query->received : nullptr));
        to_soap(soap, s, out.return_);
    });
}

int sip__getSipDeviceLocations(struct soap* soap, ngnpro__SipIdArray* sipIds,
                               sip__getSipDeviceLocationsResponse& out) {
    return serve(soap, "SipPort.getSipDeviceLocations", [&](const Caller& caller) {
        fill_array(soap, out.return_,
                   context(soap).call_data.get_device_locations(caller, from_soap(sipIds)),
                   soap_new_ngnpro__SipDeviceLocations);
    });
}
