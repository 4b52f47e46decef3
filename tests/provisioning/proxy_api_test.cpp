// ProxyService (the SIP proxy's read API) without HTTP, on a real LMDB: the call decision with
// accept rules at given times, PSTN gateway rules, prepaid seconds, and no write on any lookup;
// the prepaid reservations (reserve, settle, expiry at given times) of issue 17.
#include "api_error.hpp"
#include "provisioning/proxy_api.hpp"
#include "provisioning/rows.hpp"
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

namespace {

constexpr std::int64_t t0 = 1796032800; // the unix time the reservation tests start at

double balance(Fixture& f, const std::string& user) {
    return f.sip.prepaid.get_prepaid_status(f.admin, {{user, dom}})[0].balance;
}

} // namespace

TEST_CASE("issue_17_debit: a reservation takes the seconds off the balance, the settle returns "
          "the rest, once",
          "[prov][proxy]") {
    Fixture f;
    f.account("dave", true);
    f.account("paul");
    auto& prepaid = f.sip.prepaid;
    prepaid.add_balance(f.admin, {"dave", dom}, 0.5, "top-up");

    // 0.5 at 0.1 per minute pays 300 s; the first call asks for at most 120.
    const auto a = prepaid.reserve(f.admin, {"dave", dom}, "call-a", 0.1, 120, t0);
    CHECK(a.prepaid);
    CHECK_FALSE(a.repeated);
    CHECK(a.reservation.seconds == 120);
    CHECK(a.reservation.amount == Approx(0.2));
    CHECK(a.balance == Approx(0.3));
    CHECK(balance(f, "dave") == Approx(0.3));
    // The same Call-ID again (a retried request): the same reservation, nothing taken twice.
    const auto again = prepaid.reserve(f.admin, {"dave", dom}, "call-a", 0.1, 0, t0 + 1);
    CHECK(again.repeated);
    CHECK(again.reservation.seconds == 120);
    CHECK(balance(f, "dave") == Approx(0.3));
    // A second call at the same time gets only what is left: reservations add up.
    const auto b = prepaid.reserve(f.admin, {"dave", dom}, "call-b", 0.1, 0, t0 + 2);
    CHECK(b.reservation.seconds == 180);
    CHECK(balance(f, "dave") == Approx(0).margin(1e-9));
    const auto c = prepaid.reserve(f.admin, {"dave", dom}, "call-c", 0.1, 0, t0 + 3);
    CHECK(c.prepaid);
    CHECK(c.reservation.seconds == 0); // the proxy refuses the call (402)
    CHECK_FALSE(prepaid.reservation("call-c"));

    // The first call lasted 42 s: 0.07 charged, 0.13 back.
    const auto s = prepaid.settle("call-a", 42, t0 + 50);
    CHECK_FALSE(s.repeated);
    CHECK(s.reservation.state == prov::ReservationState::Settled);
    CHECK(s.reservation.used == 42);
    CHECK(s.reservation.price == Approx(0.07));
    CHECK(s.balance == Approx(0.13));
    // A duplicated settle (another number of seconds too) changes nothing.
    const auto s2 = prepaid.settle("call-a", 10, t0 + 51);
    CHECK(s2.repeated);
    CHECK(s2.reservation.used == 42);
    CHECK(balance(f, "dave") == Approx(0.13));
    // The second call claims more than it reserved: it was cut at 180 s.
    CHECK(prepaid.settle("call-b", 500, t0 + 200).reservation.used == 180);
    CHECK(balance(f, "dave") == Approx(0.13));

    // The history shows each step, newest first, with the Call-ID as the session.
    const auto h = prepaid.get_credit_history(f.admin, {"dave", dom}, 4);
    REQUIRE(h.size() == 4);
    CHECK(h[0].action == "Call settled");
    CHECK(h[0].session == "call-b");
    CHECK(h[0].value == Approx(0));
    CHECK(h[1].action == "Call settled");
    CHECK(h[1].value == Approx(0.13));
    CHECK(h[2].action == "Call reserved");
    CHECK(h[2].value == Approx(-0.3));

    // A settled Call-ID cannot be reserved again; nor another account's.
    CHECK(code_of([&] {
              prepaid.reserve(f.admin, {"dave", dom}, "call-a", 0.1, 0, t0 + 60);
          }) == ErrorCode::PrepaidReservationClosed);
    prepaid.add_balance(f.admin, {"dave", dom}, 1, "top-up");
    prepaid.reserve(f.admin, {"dave", dom}, "call-d", 0.1, 10, t0 + 60);
    f.account("erin", true);
    CHECK(code_of([&] {
              prepaid.reserve(f.admin, {"erin", dom}, "call-d", 0.1, 0, t0 + 61);
          }) == ErrorCode::PrepaidReservationClosed);
    // A postpaid account reserves nothing.
    const auto p = prepaid.reserve(f.admin, {"paul", dom}, "call-p", 0.1, 0, t0);
    CHECK_FALSE(p.prepaid);
    CHECK_FALSE(prepaid.reservation("call-p"));
}

TEST_CASE("issue_17_debit: bad reserve and settle requests change nothing", "[prov][proxy]") {
    Fixture f;
    f.account("dave", true);
    auto& prepaid = f.sip.prepaid;
    prepaid.add_balance(f.admin, {"dave", dom}, 0.5, "top-up");
    const auto before = f.env.stats().last_txn_id;
    CHECK(code_of([&] {
              prepaid.reserve(f.admin, {"nobody", dom}, "x", 0.1, 0, t0);
          }) == ErrorCode::SipAccountNotFound);
    CHECK(code_of([&] {
              prepaid.reserve(f.admin, {"dave", dom}, "", 0.1, 0, t0);
          }) == ErrorCode::InvalidArgument);
    CHECK(code_of([&] {
              prepaid.reserve(f.admin, {"dave", dom}, std::string(257, 'c'), 0.1, 0, t0);
          }) == ErrorCode::InvalidArgument);
    CHECK(code_of([&] {
              prepaid.reserve(f.admin, {"dave", dom}, "x", 0, 0, t0);
          }) == ErrorCode::InvalidArgument);
    CHECK(code_of([&] {
              prepaid.reserve(f.admin, {"dave", dom}, "x", 0.1, -1, t0);
          }) == ErrorCode::InvalidArgument);
    CHECK(code_of([&] { prepaid.settle("never", 5, t0); }) ==
          ErrorCode::PrepaidReservationNotFound);
    prepaid.reserve(f.admin, {"dave", dom}, "x", 0.1, 60, t0);
    const double left = balance(f, "dave");
    CHECK(code_of([&] { prepaid.settle("x", -5, t0); }) == ErrorCode::InvalidArgument);
    CHECK(prepaid.reservation("x")->state == prov::ReservationState::Open);
    CHECK(balance(f, "dave") == Approx(left));
    CHECK(f.env.stats().last_txn_id > before);
}

TEST_CASE("issue_17_debit: a reservation never settled is charged in full after the grace "
          "period",
          "[prov][proxy]") {
    Fixture f;
    f.account("dave", true);
    auto& prepaid = f.sip.prepaid;
    prepaid.add_balance(f.admin, {"dave", dom}, 0.5, "top-up");
    prepaid.reserve(f.admin, {"dave", dom}, "lost", 0.1, 60, t0);
    prepaid.reserve(f.admin, {"dave", dom}, "late", 0.1, 120, t0);
    CHECK(balance(f, "dave") == Approx(0.2));

    // Not before its time (t0 + 60) and the grace (30 s) have passed: nothing written.
    const auto before = f.env.stats().last_txn_id;
    CHECK(prepaid.expire_reservations(t0 + 89, 30) == 0);
    CHECK(f.env.stats().last_txn_id == before);
    CHECK(prepaid.expire_reservations(t0 + 90, 30) == 1);
    const auto lost = prepaid.reservation("lost");
    REQUIRE(lost);
    CHECK(lost->state == prov::ReservationState::Expired);
    CHECK(lost->used == 60);
    CHECK(lost->price == Approx(0.1));
    CHECK(balance(f, "dave") == Approx(0.2)); // charged in full: nothing returns
    const auto h = prepaid.get_credit_history(f.admin, {"dave", dom}, 1);
    CHECK(h[0].action == "Call expired");
    CHECK(h[0].session == "lost");
    // The proxy's settle arriving after the expiry is answered and changes nothing.
    const auto late = prepaid.settle("lost", 10, t0 + 95);
    CHECK(late.repeated);
    CHECK(late.reservation.state == prov::ReservationState::Expired);
    CHECK(balance(f, "dave") == Approx(0.2));
    // The other one is settled in time and never expires.
    prepaid.settle("late", 100, t0 + 130);
    CHECK(prepaid.expire_reservations(t0 + 1000, 30) == 0);
    CHECK(balance(f, "dave") == Approx(0.2 + 20 * 0.1 / 60));
    // Closed reservations answer repeats for a day, then they are gone.
    CHECK(prepaid.reservation("late"));
    CHECK(prepaid.expire_reservations(t0 + 130 + 86400, 30) == 0);
    CHECK_FALSE(prepaid.reservation("late"));
    CHECK_FALSE(prepaid.reservation("lost"));
    CHECK(code_of([&] { prepaid.settle("late", 1, t0 + 130 + 86400); }) ==
          ErrorCode::PrepaidReservationNotFound);
}

TEST_CASE("issue_17_debit: reservation rows round-trip through their codec", "[prov][proxy]") {
    prov::ReservationRow r;
    r.call_id = "abc@host";
    r.username = "dave";
    r.domain = dom;
    r.rate = 0.1;
    r.seconds = 300;
    r.amount = 0.5;
    r.created = t0;
    r.state = prov::ReservationState::Expired;
    r.used = 300;
    r.price = 0.5;
    r.closed = t0 + 400;
    const std::string bytes = encode(r);
    const auto d = prov::decoded<prov::ReservationRow>(bytes);
    CHECK(d.call_id == r.call_id);
    CHECK(d.state == prov::ReservationState::Expired);
    CHECK(d.closed == r.closed);
    CHECK(encode(d) == bytes);
    // The state's byte is where the same row with another state differs; 7 is no state.
    prov::ReservationRow open = r;
    open.state = prov::ReservationState::Open;
    const std::string other = encode(open);
    REQUIRE(other.size() == bytes.size());
    std::size_t at = 0;
    while (at < bytes.size() && bytes[at] == other[at]) {
        ++at;
    }
    REQUIRE(at < bytes.size());
    std::string bad = bytes;
    bad[at] = 7;
    CHECK_THROWS_AS(prov::decoded<prov::ReservationRow>(bad), store::Error);
}
