// The reference indexes (provisioning/rows.hpp index_keys, kept by the services): every delete
// that something still refers to is refused and allowed once the referrer went; an update that
// moves a reference moves its entry; the checks and the route lookup read O(1) entries however
// many unrelated rows there are (cursor_steps(), the services' cursor counter).
#include "api_error.hpp"
#include "provisioning/sip.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace sb;
using prov::ErrorCode;
using test::code_of;

namespace {

struct Fixture {
    test::TempDir dir;
    store::Env env{dir.path(), store::Options{.durable = false}};
    prov::SipServices sip{env, prov::SipOptions{}};
    prov::CustomerService customers{env};
    prov::Caller admin{true, 0, 0, "admin"};

    std::uint64_t carrier(const std::string& name) {
        prov::CarrierInput c;
        c.name = name;
        return sip.pstn.add_carrier(admin, c);
    }

    prov::GatewayInput gateway_on(std::uint64_t carrier_id, const std::string& name = "gw") {
        prov::GatewayInput g;
        g.name = name;
        g.ip = "192.0.2.1";
        g.carrier_id = carrier_id;
        g.id = sip.pstn.add_gateway(admin, g);
        return g;
    }

    prov::GatewayRuleInput rule_on(std::uint64_t gateway_id, const std::string& prefix = "00") {
        prov::GatewayRuleInput r;
        r.gateway_id = gateway_id;
        r.prefix = prefix;
        r.id = sip.pstn.add_gateway_rule(admin, r);
        return r;
    }

    prov::RouteInput route(std::uint64_t carrier_id, const std::string& prefix,
                           std::int64_t priority = 0) {
        prov::RouteInput r;
        r.carrier_id = carrier_id;
        r.prefix = prefix;
        r.priority = priority;
        r.id = sip.pstn.add_routes(admin, {r}).at(0);
        return r;
    }

    store::CustomerRow customer(const std::string& name) {
        prov::CustomerInput in;
        in.username = name;
        in.password = "pw-" + name;
        return customers.add(admin, in);
    }

    void domain(const std::string& name, std::int64_t customer) {
        prov::SipDomainInput d;
        d.domain = name;
        d.customer = customer;
        sip.sip_domains.add_domain(admin, d);
    }

    // The entries the services' cursors step over while `f` runs.
    template <class F>
    std::uint64_t steps_of(F&& f) {
        const std::uint64_t before = prov::cursor_steps();
        f();
        return prov::cursor_steps() - before;
    }
};

} // namespace

TEST_CASE("references: a carrier in use by a gateway or a route stays until they go",
          "[prov][index]") {
    Fixture f;
    const auto kpn = f.carrier("kpn");
    const auto tele2 = f.carrier("tele2");
    auto gw = f.gateway_on(kpn);
    CHECK(code_of([&] { f.sip.pstn.delete_carrier(f.admin, kpn); }) == ErrorCode::CarrierInUse);

    // The gateway moves to tele2: kpn is free, tele2 is held.
    gw.carrier_id = tele2;
    f.sip.pstn.update_gateway(f.admin, gw);
    CHECK(code_of([&] { f.sip.pstn.delete_carrier(f.admin, tele2); }) == ErrorCode::CarrierInUse);
    auto route = f.route(kpn, "0031");
    CHECK(code_of([&] { f.sip.pstn.delete_carrier(f.admin, kpn); }) == ErrorCode::CarrierInUse);

    // The route moves to tele2 too, then both go and tele2 can be deleted.
    route.carrier_id = tele2;
    f.sip.pstn.update_routes(f.admin, {route});
    f.sip.pstn.delete_carrier(f.admin, kpn);
    CHECK(code_of([&] { f.sip.pstn.delete_carrier(f.admin, tele2); }) == ErrorCode::CarrierInUse);
    f.sip.pstn.delete_gateway(f.admin, gw.id);
    CHECK(code_of([&] { f.sip.pstn.delete_carrier(f.admin, tele2); }) == ErrorCode::CarrierInUse);
    f.sip.pstn.delete_routes(f.admin, {route.id});
    f.sip.pstn.delete_carrier(f.admin, tele2);
    CHECK(f.sip.pstn.get_carriers(f.admin, {}, {}, {}).total == 0);
}

TEST_CASE("references: a gateway with rules stays until they go or move", "[prov][index]") {
    Fixture f;
    const auto kpn = f.carrier("kpn");
    const auto a = f.gateway_on(kpn, "a");
    const auto b = f.gateway_on(kpn, "b");
    auto rule = f.rule_on(a.id);
    CHECK(code_of([&] { f.sip.pstn.delete_gateway(f.admin, a.id); }) == ErrorCode::GatewayInUse);
    f.sip.pstn.delete_gateway(f.admin, b.id); // no rule refers to b
    const auto c = f.gateway_on(kpn, "c");
    rule.gateway_id = c.id;
    f.sip.pstn.update_gateway_rule(f.admin, rule);
    f.sip.pstn.delete_gateway(f.admin, a.id);
    CHECK(code_of([&] { f.sip.pstn.delete_gateway(f.admin, c.id); }) == ErrorCode::GatewayInUse);
    f.sip.pstn.delete_gateway_rule(f.admin, rule.id);
    f.sip.pstn.delete_gateway(f.admin, c.id);
    f.sip.pstn.delete_carrier(f.admin, kpn);
}

TEST_CASE("references: a domain with accounts or aliases, a customer holding a domain or a "
          "trusted peer",
          "[prov][index]") {
    Fixture f;
    const auto c1 = f.customer("c1");
    const auto c2 = f.customer("c2");
    f.domain("a.example", c1.id);
    prov::SipAccountInput acc;
    acc.id = {"alice", "a.example"};
    acc.password = "secret";
    f.sip.sip_accounts.add_account(f.admin, acc);
    prov::SipAliasInput alias;
    alias.id = {"al", "a.example"};
    alias.target = {"alice", "a.example"};
    f.sip.sip_aliases.add_alias(f.admin, alias);
    CHECK(code_of([&] { f.sip.sip_domains.delete_domain(f.admin, "a.example"); }) ==
          ErrorCode::SipDomainNotEmpty);
    f.sip.sip_accounts.delete_account(f.admin, {"alice", "a.example"}); // takes its alias along
    CHECK(code_of([&] { f.customers.remove(f.admin, c1.id); }) == ErrorCode::CustomerHasRecords);

    // The administrator moves the domain to c2: c1 may go, c2 may not.
    prov::SipDomainInput d;
    d.domain = "a.example";
    d.customer = c2.id;
    f.sip.sip_domains.update_domain(f.admin, d);
    f.customers.remove(f.admin, c1.id);
    CHECK(code_of([&] { f.customers.remove(f.admin, c2.id); }) == ErrorCode::CustomerHasRecords);
    f.sip.sip_domains.delete_domain(f.admin, "a.example");

    prov::TrustedPeerInput peer;
    peer.ip = "192.0.2.7";
    peer.customer = c2.id;
    f.sip.pstn.add_trusted_peer(f.admin, peer);
    CHECK(code_of([&] { f.customers.remove(f.admin, c2.id); }) == ErrorCode::CustomerHasRecords);
    f.sip.pstn.delete_trusted_peer(f.admin, peer.ip);
    f.customers.remove(f.admin, c2.id);
}

TEST_CASE("references: checks and routing read O(1) entries beside 5,000 unrelated rows",
          "[prov][index]") {
    Fixture f;
    const auto busy = f.carrier("busy");
    const auto other = f.customer("other");
    for (int i = 0; i < 5000; ++i) {
        const auto g = f.gateway_on(busy, "gw" + std::to_string(i));
        if (i % 10 == 0) {
            f.rule_on(g.id);
            f.route(busy, "0099" + std::to_string(i));
            f.domain("d" + std::to_string(i) + ".example", other.id);
        }
    }
    // The unrelated rows are really there: the busy carrier is refused, naming them all.
    try {
        f.sip.pstn.delete_carrier(f.admin, busy);
        FAIL("the busy carrier was deleted");
    } catch (const prov::ApiError& e) {
        CHECK(std::string(e.what()).find("5000 gateway(s) and 500 route(s)") != std::string::npos);
    }

    const auto idle = f.carrier("idle");
    const auto gw = f.gateway_on(idle);
    f.route(idle, "0031", 1);
    f.route(idle, "0031", 0);
    f.route(idle, "003120");
    const auto lone = f.customer("lone");
    CHECK(f.steps_of([&] {
        CHECK(code_of([&] { f.sip.pstn.delete_carrier(f.admin, idle); }) ==
              ErrorCode::CarrierInUse);
    }) <= 8);
    CHECK(f.steps_of([&] { f.sip.pstn.delete_gateway(f.admin, gw.id); }) <= 2);
    CHECK(f.steps_of([&] { f.customers.remove(f.admin, lone.id); }) <= 4);

    // Longest prefix, then the lowest priority; one seek per candidate length at most.
    std::optional<prov::RouteView> r;
    CHECK(f.steps_of([&] { r = f.sip.pstn.route_for("0031101234567"); }) <= 19);
    REQUIRE(r);
    CHECK(r->prefix == "0031");
    CHECK(r->priority == 0);
    CHECK(f.sip.pstn.route_for("0031201234567")->prefix == "003120");
    CHECK_FALSE(f.sip.pstn.route_for("0044"));
    f.route(idle, "");
    CHECK(f.sip.pstn.route_for("0044")->prefix.empty());
}
