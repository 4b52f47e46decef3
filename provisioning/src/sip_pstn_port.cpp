// SipPort (urn:AGProjects:NGNPro:Sip), trusted peers and PSTN routing (carriers, gateways,
// gateway rules, routes): sip_codec.hpp ⇄ PstnService (sip_pstn.cpp).
#include "context.hpp"
#include "sip_codec.hpp"

using namespace sb::prov;

namespace {

std::string routes_note(const ngnpro__RouteArray* routes) {
    return "routes (" + std::to_string(routes ? routes->__size : 0) + ")";
}

} // namespace

// ---- trusted peers

int sip__addTrustedPeer(struct soap* soap, ngnpro__TrustedPeer* peer,
                        sip__addTrustedPeerResponse&) {
    return serve(soap, "SipPort.addTrustedPeer", [&](const Caller& caller) {
        audit_note(soap, "trusted peer " + (peer ? peer->ip : ""));
        context(soap).pstn.add_trusted_peer(caller, from_soap(required(peer, "peer")));
    });
}

int sip__updateTrustedPeer(struct soap* soap, ngnpro__TrustedPeer* peer,
                           sip__updateTrustedPeerResponse&) {
    return serve(soap, "SipPort.updateTrustedPeer", [&](const Caller& caller) {
        audit_note(soap, "trusted peer " + (peer ? peer->ip : ""));
        context(soap).pstn.update_trusted_peer(caller, from_soap(required(peer, "peer")));
    });
}

int sip__deleteTrustedPeer(struct soap* soap, std::string ip, sip__deleteTrustedPeerResponse&) {
    return serve(soap, "SipPort.deleteTrustedPeer", [&](const Caller& caller) {
        audit_note(soap, "trusted peer " + ip);
        context(soap).pstn.delete_trusted_peer(caller, ip);
    });
}

int sip__getTrustedPeers(struct soap* soap, ngnpro__TrustedPeerQuery* query,
                         sip__getTrustedPeersResponse& out) {
    return serve_page(soap, "SipPort.getTrustedPeers", query, out.return_.total, out.return_.peers,
                      soap_new_ngnpro__TrustedPeer,
                      [&](auto&&... a) { return context(soap).pstn.get_trusted_peers(a...); });
}

// ---- gateways

int sip__addGateway(struct soap* soap, ngnpro__Gateway* gateway, sip__addGatewayResponse&) {
    return serve(soap, "SipPort.addGateway", [&](const Caller& caller) {
        audit_note(soap, "gateway " + (gateway ? gateway->name : ""));
        context(soap).pstn.add_gateway(caller, from_soap(required(gateway, "gateway")));
    });
}

int sip__updateGateway(struct soap* soap, ngnpro__Gateway* gateway, sip__updateGatewayResponse&) {
    return serve(soap, "SipPort.updateGateway", [&](const Caller& caller) {
        audit_note(soap, "gateway " + std::to_string(gateway ? id_value(gateway->id) : 0));
        context(soap).pstn.update_gateway(caller, from_soap(required(gateway, "gateway")));
    });
}

int sip__deleteGateway(struct soap* soap, int id, sip__deleteGatewayResponse&) {
    return serve(soap, "SipPort.deleteGateway", [&](const Caller& caller) {
        audit_note(soap, "gateway " + std::to_string(id));
        context(soap).pstn.delete_gateway(caller, id_value(id));
    });
}

int sip__getGateways(struct soap* soap, ngnpro__GatewayQuery* query,
                     sip__getGatewaysResponse& out) {
    return serve_page(soap, "SipPort.getGateways", query, out.return_.total, out.return_.gateways,
                      soap_new_ngnpro__Gateway,
                      [&](auto&&... a) { return context(soap).pstn.get_gateways(a...); });
}

// ---- gateway rules

int sip__addGatewayRule(struct soap* soap, ngnpro__GatewayRule* rule,
                        sip__addGatewayRuleResponse&) {
    return serve(soap, "SipPort.addGatewayRule", [&](const Caller& caller) {
        audit_note(soap, "gateway rule for gateway " +
                             std::to_string(rule ? id_value(rule->gateway_USCOREid) : 0));
        context(soap).pstn.add_gateway_rule(caller, from_soap(required(rule, "rule")));
    });
}

int sip__updateGatewayRule(struct soap* soap, ngnpro__GatewayRule* rule,
                           sip__updateGatewayRuleResponse&) {
    return serve(soap, "SipPort.updateGatewayRule", [&](const Caller& caller) {
        audit_note(soap, "gateway rule " + std::to_string(rule ? id_value(rule->id) : 0));
        context(soap).pstn.update_gateway_rule(caller, from_soap(required(rule, "rule")));
    });
}

int sip__deleteGatewayRule(struct soap* soap, int id, sip__deleteGatewayRuleResponse&) {
    return serve(soap, "SipPort.deleteGatewayRule", [&](const Caller& caller) {
        audit_note(soap, "gateway rule " + std::to_string(id));
        context(soap).pstn.delete_gateway_rule(caller, id_value(id));
    });
}

int sip__getGatewayRules(struct soap* soap, ngnpro__GatewayRuleQuery* query,
                         sip__getGatewayRulesResponse& out) {
    return serve_page(soap, "SipPort.getGatewayRules", query, out.return_.total,
                      out.return_.gateway_USCORErules, soap_new_ngnpro__GatewayRule,
                      [&](auto&&... a) { return context(soap).pstn.get_gateway_rules(a...); });
}

// ---- carriers

int sip__addCarrier(struct soap* soap, ngnpro__Carrier* carrier, sip__addCarrierResponse&) {
    return serve(soap, "SipPort.addCarrier", [&](const Caller& caller) {
        audit_note(soap, "carrier " + (carrier ? carrier->name : ""));
        context(soap).pstn.add_carrier(caller, from_soap(required(carrier, "carrier")));
    });
}

int sip__updateCarrier(struct soap* soap, ngnpro__Carrier* carrier, sip__updateCarrierResponse&) {
    return serve(soap, "SipPort.updateCarrier", [&](const Caller& caller) {
        audit_note(soap, "carrier " + std::to_string(carrier ? id_value(carrier->id) : 0));
        context(soap).pstn.update_carrier(caller, from_soap(required(carrier, "carrier")));
    });
}

int sip__deleteCarrier(struct soap* soap, int id, sip__deleteCarrierResponse&) {
    return serve(soap, "SipPort.deleteCarrier", [&](const Caller& caller) {
        audit_note(soap, "carrier " + std::to_string(id));
        context(soap).pstn.delete_carrier(caller, id_value(id));
    });
}

int sip__getCarriers(struct soap* soap, ngnpro__CarrierQuery* query,
                     sip__getCarriersResponse& out) {
    return serve_page(soap, "SipPort.getCarriers", query, out.return_.total, out.return_.carriers,
                      soap_new_ngnpro__Carrier,
                      [&](auto&&... a) { return context(soap).pstn.get_carriers(a...); });
}

// ---- routes

int sip__addRoutes(struct soap* soap, ngnpro__RouteArray* routes, sip__addRoutesResponse&) {
    return serve(soap, "SipPort.addRoutes", [&](const Caller& caller) {
        audit_note(soap, routes_note(routes));
        context(soap).pstn.add_routes(caller, from_soap(routes));
    });
}

int sip__updateRoutes(struct soap* soap, ngnpro__RouteArray* routes, sip__updateRoutesResponse&) {
    return serve(soap, "SipPort.updateRoutes", [&](const Caller& caller) {
        audit_note(soap, routes_note(routes));
        context(soap).pstn.update_routes(caller, from_soap(routes));
    });
}

int sip__deleteRoutes(struct soap* soap, ngnpro__RouteArray* routes, sip__deleteRoutesResponse&) {
    return serve(soap, "SipPort.deleteRoutes", [&](const Caller& caller) {
        audit_note(soap, routes_note(routes));
        std::vector<std::uint64_t> ids;
        for (const auto& r : from_soap(routes)) {
            ids.push_back(r.id);
        }
        context(soap).pstn.delete_routes(caller, ids);
    });
}

int sip__getRoutes(struct soap* soap, ngnpro__RouteQuery* query, sip__getRoutesResponse& out) {
    return serve_page(soap, "SipPort.getRoutes", query, out.return_.total, out.return_.routes,
                      soap_new_ngnpro__Route,
                      [&](auto&&... a) { return context(soap).pstn.get_routes(a...); });
}
