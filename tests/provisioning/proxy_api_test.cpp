// ProxyService (the SIP proxy's read API) without HTTP, on a real LMDB: the call decision with
// accept rules at given times, PSTN gateway rules, prepaid seconds, and no write on any lookup.
#include "api_error.hpp"
#include "provisioning/proxy_api.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace sb;
using prov::CallAction;
using prov::ErrorCode;
using test::code_of;

namespace {

constexpr const char* dom = "proxy.example";

// Unix times (UTC) of the accept-rule cases.
constexpr std::int64_t monday_10_00 = 1796032800;  // 2026-11-30
constexpr std::int64_t monday_18_00 = 1796061600;  // 2026-11-30
constexpr std::int64_t monday_23_30 = 1796081400;  // 2026-11-30
constexpr std::int64_t tuesday_05_59 = 1796104740; // 2026-12-01
constexpr std::int64_t tuesday_06_00 = 1796104800; // 2026-12-01
constexpr std::int64_t sunday_10_00 = 1796551200;  // 2026-12-06

struct Fixture {
    test::TempDir dir;
    store::Env env{dir.path()};
    prov::SipServices sip{env, prov::SipOptions{}};
    prov::ProxyService proxy{env, prov::SipOptions{}};
    prov::Caller admin{true, 0, 0, "admin"};

    Fixture() {
        prov::SipDomainInput d;
        d.domain = dom;
        sip.sip_domains.add_domain(admin, d);
    }

    void account(const std::string& user, bool prepaid = false) {
        prov::SipAccountInput in;
        in.id = {user, dom};
        in.password = "pw";
        in.prepaid = prepaid;
        sip.sip_accounts.add_account(admin, in);
    }

    prov::CallDecision call(const std::string& user, const std::string& from, std::int64_t at) {
        return proxy.call({user, dom}, from, at);
    }

    std::uint64_t gateway(std::uint64_t carrier, const std::string& name) {
        prov::GatewayInput g;
        g.carrier_id = carrier;
        g.name = name;
        g.ip = "198.51.100.1";
        return sip.pstn.add_gateway(admin, g);
    }

    void rule(std::uint64_t gateway, const std::string& prefix, std::uint32_t min,
              std::uint32_t max, const std::string& prepend) {
        prov::GatewayRuleInput r;
        r.gateway_id = gateway;
        r.prefix = prefix;
        r.min_length = min;
        r.max_length = max;
        r.prepend = prepend;
        sip.pstn.add_gateway_rule(admin, r);
    }
};

} // namespace

TEST_CASE("the call decision follows accept rules by day and hour", "[prov][proxy]") {
    Fixture f;
    f.account("alice");
    const prov::SipId alice{"alice", dom};
    f.sip.sip_settings.add_phonebook_entry(f.admin, alice,
                                           {"sip:bob@proxy.example", "Bob", "work"});
    prov::AcceptRules rules;
    rules.persistent.push_back({"09:00", "17:00", {"work"}, 1 | 2 | 4 | 8 | 16}); // weekdays
    rules.persistent.push_back({"22:00", "06:00", {"nobody"}, 1 | 2});            // Mon, Tue nights
    f.sip.sip_settings.set_accept_rules(f.admin, alice, rules);

    CHECK(f.call("alice", "sip:bob@proxy.example", monday_10_00).action == CallAction::Deliver);
    const auto refused = f.call("alice", "<sip:carol@proxy.example>", monday_10_00);
    CHECK(refused.action == CallAction::Reject);
    CHECK(refused.reason == "accept");
    CHECK(f.call("alice", "sip:carol@proxy.example", monday_18_00).action == CallAction::Deliver);
    CHECK(f.call("alice", "sip:carol@proxy.example", sunday_10_00).action == CallAction::Deliver);
    CHECK(f.call("alice", "sip:bob@proxy.example", monday_23_30).action == CallAction::Reject);
    CHECK(f.call("alice", "sip:bob@proxy.example", tuesday_05_59).action == CallAction::Reject);
    CHECK(f.call("alice", "sip:bob@proxy.example", tuesday_06_00).action == CallAction::Deliver);

    std::array<std::string, 10> diversions{};
    diversions[2] = "sip:voicemail@proxy.example"; // FUNV
    f.sip.sip_settings.set_call_diversions(f.admin, alice, diversions);
    const auto diverted = f.call("alice", "sip:carol@proxy.example", monday_10_00);
    CHECK(diverted.action == CallAction::Divert);
    CHECK(diverted.reason == "FUNV");
    CHECK(diverted.target == "sip:voicemail@proxy.example");
}

TEST_CASE("an alias resolves to its account; unknown callees are not found", "[prov][proxy]") {
    Fixture f;
    f.account("alice");
    prov::SipAliasInput a;
    a.id = {"4930555", dom};
    a.target = {"alice", dom};
    f.sip.sip_aliases.add_alias(f.admin, a);
    const auto d = f.call("4930555", "sip:x@example.net", monday_10_00);
    CHECK(d.action == CallAction::Deliver);
    CHECK(d.callee.username == "alice");
    CHECK(f.call("nobody", "sip:x@example.net", monday_10_00).action == CallAction::NotFound);
    CHECK(std::string(prov::to_string(CallAction::Number)) == "number");
}

TEST_CASE("the PSTN route takes the first gateway whose rule takes the number", "[prov][proxy]") {
    Fixture f;
    prov::CarrierInput c;
    c.name = "de";
    const auto carrier = f.sip.pstn.add_carrier(f.admin, c);
    const auto short_only = f.gateway(carrier, "short");
    f.rule(short_only, "49", 0, 8, "");
    const auto national = f.gateway(carrier, "national");
    f.rule(national, "49", 9, 0, "+");
    prov::RouteInput r;
    r.prefix = "0049";
    r.carrier_id = carrier;
    f.sip.pstn.add_routes(f.admin, {r});

    const auto small = f.proxy.route("+4911833");
    CHECK(small.gateway == "short");
    CHECK(small.number == "4911833");
    const auto big = f.proxy.route("004930123456");
    CHECK(big.gateway == "national");
    CHECK(big.number == "+4930123456");
    CHECK_FALSE(f.proxy.route("3120123456").found);
    CHECK(code_of([&] { f.proxy.route("+49 30"); }) == ErrorCode::InvalidArgument);
}

TEST_CASE("prepaid seconds round down without losing a whole second to the double",
          "[prov][proxy]") {
    Fixture f;
    f.account("dave", true);
    f.account("paul");
    f.sip.prepaid.add_balance(f.admin, {"dave", dom}, 0.35, "top-up");
    const auto p = f.proxy.prepaid({"dave", dom}, 0.1);
    CHECK(p.prepaid);
    CHECK(p.max_seconds == 210);
    CHECK(f.proxy.prepaid({"dave", dom}, 7).max_seconds == 3);
    CHECK(f.proxy.prepaid({"dave", dom}, 1e-300).max_seconds == prov::max_call_seconds);
    CHECK_FALSE(f.proxy.prepaid({"paul", dom}, 0.1).prepaid);
    CHECK(code_of([&] { f.proxy.prepaid({"dave", dom}, 0); }) == ErrorCode::InvalidArgument);
    CHECK(prov::call_price(90, 0.1) == Approx(0.15));
    CHECK(code_of([&] { prov::call_price(-1, 1); }) == ErrorCode::InvalidArgument);
}

TEST_CASE("no lookup writes to the store", "[prov][proxy]") {
    Fixture f;
    f.account("alice");
    const auto before = f.env.stats().last_txn_id;
    CHECK(f.proxy.subscriber({"alice", dom}).exists);
    CHECK(f.proxy.domain_is_ours(dom));
    CHECK_FALSE(f.proxy.alias({"alice", dom}));
    CHECK(f.call("alice", "sip:x@example.net", monday_10_00).action == CallAction::Deliver);
    CHECK_FALSE(f.proxy.trusted_peer("192.0.2.1"));
    CHECK_FALSE(f.proxy.route("+4930").found);
    CHECK_FALSE(f.proxy.prepaid({"alice", dom}, 1).prepaid);
    CHECK(f.proxy.mailbox({"alice", dom}).empty());
    CHECK(f.env.stats().last_txn_id == before);
}
