// RatingPort (urn:AGProjects:NGNPro:Rating) and NetworkPort (urn:AGProjects:NGNPro:Network):
// SOAP types ⇄ RatingService and NetworkService (rating_network.hpp).
#include "context.hpp"
#include "provisioning/services.hpp"
#include "soap_util.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

using namespace sb::prov;

namespace {

RatingProfiles from_soap(const ngnpro__RatingEntityProfiles& p) {
    return RatingProfiles{p.entity,         p.profileWeekday,    p.profileWeekdayAlt,
                          p.profileWeekend, p.profileWeekendAlt, p.timezone};
}

void to_soap(const RatingProfiles& p, ngnpro__RatingEntityProfiles& out) {
    out.entity = p.entity;
    out.profileWeekday = p.weekday;
    out.profileWeekdayAlt = p.weekday_alt;
    out.profileWeekend = p.weekend;
    out.profileWeekendAlt = p.weekend_alt;
    out.timezone = p.timezone;
}

// The address this request reached (the node's IP in NGNPro's status and statistics).
std::string local_address(struct soap* soap) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    char text[INET6_ADDRSTRLEN] = {};
    if (soap->socket < 0 || getsockname(soap->socket, reinterpret_cast<sockaddr*>(&addr), &len))
        return "127.0.0.1";
    const void* ip =
        addr.ss_family == AF_INET6
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&addr)->sin6_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&addr)->sin_addr);
    return inet_ntop(addr.ss_family, ip, text, sizeof text) ? text : "127.0.0.1";
}

} // namespace

int rating__setEntityProfiles(struct soap* soap, ngnpro__RatingEntityProfiles* profiles,
                              rating__setEntityProfilesResponse&) {
    return serve(soap, "RatingPort.setEntityProfiles", [&](const Caller& caller) {
        audit_note(soap, "rating profiles " + (profiles ? profiles->entity : ""));
        context(soap).rating.set(caller, from_soap(required(profiles, "profiles")));
    });
}

int rating__deleteEntityProfiles(struct soap* soap, std::string entity,
                                 rating__deleteEntityProfilesResponse&) {
    return serve(soap, "RatingPort.deleteEntityProfiles", [&](const Caller& caller) {
        audit_note(soap, "rating profiles " + entity);
        context(soap).rating.remove(caller, entity);
    });
}

int rating__getEntityProfiles(struct soap* soap, std::string entity,
                              rating__getEntityProfilesResponse& out) {
    return serve(soap, "RatingPort.getEntityProfiles", [&](const Caller& caller) {
        to_soap(context(soap).rating.get(caller, entity), out.return_);
    });
}

int network__getStatistics(struct soap* soap, network__getStatisticsResponse& out) {
    return serve(soap, "NetworkPort.getStatistics", [&](const Caller& caller) {
        out.return_ = context(soap).network.statistics(caller, local_address(soap));
    });
}

int network__getStatus(struct soap* soap, network__getStatusResponse& out) {
    return serve(soap, "NetworkPort.getStatus", [&](const Caller& caller) {
        out.return_ = context(soap).network.status(caller, local_address(soap));
    });
}
