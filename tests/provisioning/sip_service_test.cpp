// The SIP services (SipServices) and VoicemailService without SOAP, on a real LMDB: row codecs,
// passwords, the tenant rules, cascades, PSTN references and longest-prefix routing, prepaid, call
// data.
#include "api_error.hpp"
#include "provisioning/rows.hpp"
#include "provisioning/sip.hpp"
#include "temp_dir.hpp"
#include "tenants.hpp"

#include <catch2/catch.hpp>

#include <functional>

using namespace sb;
using prov::ErrorCode;
using prov::SipId;
using test::code_of;

namespace {

struct Fixture {
    test::TempDir dir;
    store::Env env{dir.path()};
    prov::SipServices sip{env, prov::SipOptions{}};
    prov::CustomerService customers{env};
    prov::Caller admin{true, 0, 0, "admin"};

    void domain(const std::string& name, std::int64_t customer = 0) {
        prov::SipDomainInput d;
        d.domain = name;
        d.customer = customer;
        sip.sip_domains.add_domain(admin, d);
    }

    prov::SipAccountView account(const std::string& user, const std::string& dom,
                                 const std::string& password = "secret",
                                 const prov::Caller* as = nullptr) {
        prov::SipAccountInput in;
        in.id = {user, dom};
        in.password = password;
        return sip.sip_accounts.add_account(as ? *as : admin, in);
    }
};

} // namespace

TEST_CASE("SIP rows round-trip through their codecs and refuse damaged values", "[prov][sip]") {
    prov::SipAccountRow a;
    a.username = "alice";
    a.domain = "example.com";
    a.acl = {{"192.0.2.0", 24, "office"}};
    a.groups = {"free-pstn", "quota"};
    a.properties = {{"language", "en"}};
    a.prepaid = true;
    a.timeout = 35;
    a.customer = -1;
    const std::string bytes = encode(a);
    const auto b = prov::decoded<prov::SipAccountRow>(bytes);
    CHECK(b.acl.size() == 1);
    CHECK(b.acl[0].mask == 24);
    CHECK(b.groups == a.groups);
    CHECK(b.properties[0].value == "en");
    CHECK(b.prepaid);
    CHECK(b.customer == -1);
    CHECK(encode(b) == bytes);
    CHECK_THROWS_AS(prov::decoded<prov::SipAccountRow>(bytes.substr(0, bytes.size() - 1)),
                    store::Error);
    CHECK_THROWS_AS(prov::decoded<prov::SipAccountRow>(bytes + "x"), store::Error);
    CHECK_THROWS_AS(prov::decoded<prov::SipDomainRow>(bytes), store::Error); // foreign row

    prov::SipSettingsRow s;
    s.diversions[3] = "<voice-mailbox>";
    s.accept_persistent = {{"09:00", "18:00", {"everybody"}, 31}};
    const auto t = prov::decoded<prov::SipSettingsRow>(encode(s));
    CHECK(t.diversions[3] == "<voice-mailbox>");
    CHECK(t.accept_persistent[0].groups == std::vector<std::string>{"everybody"});

    prov::CallRow c;
    c.id = 7;
    c.price = 0.25;
    c.media = {"audio", "chat"};
    const auto d = prov::decoded<prov::CallRow>(encode(c));
    CHECK(d.price == 0.25);
    CHECK(d.media.size() == 2);
}

TEST_CASE("passwords: both digests, digest form as given, clear text per property", "[prov][sip]") {
    Fixture f;
    // Digests are over the lower-cased id (guide: "username, domain, password").
    CHECK(prov::sip_ha1("Alice", "EXAMPLE.com", "secret") ==
          prov::sip_ha1("alice", "example.com", "secret"));
    f.domain("example.com");
    const auto a = f.account("alice", "example.com");
    CHECK(a.ha1 == prov::sip_ha1("alice", "example.com", "secret"));
    CHECK(a.ha1b == prov::sip_ha1b("alice", "example.com", "secret"));
    CHECK(a.password == "secret");

    const std::string d1(32, 'a'), d2(32, 'B');
    const auto b = f.account("bob", "example.com", d1 + ":" + d2);
    CHECK(b.ha1 == d1);
    CHECK(b.ha1b == std::string(32, 'b'));
    CHECK(b.password.empty());
    CHECK(code_of([&] { f.account("carol", "example.com", "abc:def"); }) ==
          ErrorCode::SipPasswordInvalid);
    CHECK(code_of([&] { f.account("carol", "example.com", ""); }) == ErrorCode::SipPasswordInvalid);

    prov::CustomerInput c;
    c.id = 40;
    c.reseller = 40;
    c.username = "r40";
    c.password = "pw";
    c.reseller_active = true;
    c.properties =
        std::vector<store::PropertyRow>{{"store_clear_text_passwords", "0", "sip", "customer"}};
    f.customers.add(f.admin, c);
    f.domain("hidden.example", 40);
    const auto h = f.account("dave", "hidden.example");
    CHECK(h.password.empty());
    CHECK(h.ha1 == prov::sip_ha1("dave", "hidden.example", "secret"));
}

TEST_CASE("accounts: tenancy, credits, cascade on delete", "[prov][sip]") {
    Fixture f;
    prov::CustomerInput r;
    r.id = 10;
    r.reseller = 10;
    r.username = "res";
    r.password = "pw";
    r.reseller_active = true;
    r.properties = std::vector<store::PropertyRow>{{"sip_credit", "1", "credit", "admin"},
                                                   {"sip_alias_credit", "1", "credit", "admin"}};
    const auto reseller = f.customers.add(f.admin, r);
    const prov::Caller as_reseller = prov::caller_for(reseller, "res");
    f.domain("r.example", 10);
    f.domain("other.example");

    const auto a = f.account("u1", "r.example", "pw", &as_reseller);
    CHECK(a.customer == 10);
    CHECK(a.reseller == 10);
    CHECK(code_of([&] { f.account("u2", "r.example", "pw", &as_reseller); }) ==
          ErrorCode::CreditExceeded);
    CHECK(code_of([&] { f.account("x", "other.example", "pw", &as_reseller); }) ==
          ErrorCode::SipDomainNotFound); // not its domain: "not found"

    prov::SipAliasInput al;
    al.id = {"alias1", "r.example"};
    al.target = {"u1", "r.example"};
    f.sip.sip_aliases.add_alias(as_reseller, al);
    f.sip.sip_settings.add_phonebook_entry(as_reseller, {"u1", "r.example"},
                                           {"sip:x@y.z", "X", ""});
    prov::VoicemailInput v;
    v.id = {"u1", "r.example"};
    CHECK(f.sip.voicemail.add(as_reseller, v).mailbox == "1000000");
    CHECK(store::get_counter(store::ReadTxn(f.env), 'c', 10, "sip_aliases") == 1);

    CHECK(code_of([&] { f.sip.sip_domains.delete_domain(f.admin, "r.example"); }) ==
          ErrorCode::SipDomainNotEmpty);
    f.sip.sip_accounts.delete_account(as_reseller, {"u1", "r.example"});
    CHECK(code_of([&] {
              f.sip.sip_aliases.get_alias(f.admin, {"alias1", "r.example"});
          }) == ErrorCode::SipAliasNotFound);
    CHECK(code_of([&] {
              f.sip.voicemail.get(f.admin, {"u1", "r.example"});
          }) == ErrorCode::SipAccountNotFound);
    {
        store::ReadTxn txn(f.env);
        CHECK(store::get_counter(txn, 'c', 10, "sip_accounts") == 0);
        CHECK(store::get_counter(txn, 'c', 10, "sip_aliases") == 0);
        CHECK_FALSE(txn.get(store::Table::SipSettings, prov::sip_key("u1", "r.example")));
        CHECK_FALSE(txn.get(store::Table::Index, prov::mailbox_index_key("1000000")));
    }
    f.account("u1", "r.example", "pw", &as_reseller); // the credit is free again
    CHECK(f.sip.sip_settings.get_phonebook_entries(f.admin, {"u1", "r.example"}, {}, {}).total ==
          0);
}

TEST_CASE("PSTN: references are checked, the longest prefix wins", "[prov][sip]") {
    Fixture f;
    prov::CarrierInput c;
    c.name = "kpn";
    const auto kpn = f.sip.pstn.add_carrier(f.admin, c);
    c.name = "tele2";
    const auto tele2 = f.sip.pstn.add_carrier(f.admin, c);
    prov::GatewayInput g;
    g.name = "gw";
    g.ip = "192.0.2.1";
    g.carrier_id = 999;
    CHECK(code_of([&] { f.sip.pstn.add_gateway(f.admin, g); }) == ErrorCode::CarrierNotFound);
    g.carrier_id = kpn;
    const auto gw = f.sip.pstn.add_gateway(f.admin, g);
    prov::GatewayRuleInput rule;
    rule.gateway_id = gw;
    rule.prefix = "00";
    rule.strip = 2;
    const auto rid = f.sip.pstn.add_gateway_rule(f.admin, rule);
    CHECK(code_of([&] { f.sip.pstn.delete_gateway(f.admin, gw); }) == ErrorCode::GatewayInUse);
    CHECK(code_of([&] { f.sip.pstn.delete_carrier(f.admin, kpn); }) == ErrorCode::CarrierInUse);

    std::vector<prov::RouteInput> routes(3);
    routes[0].prefix = "";
    routes[0].carrier_id = kpn;
    routes[1].prefix = "0031";
    routes[1].carrier_id = tele2;
    routes[2].prefix = "003120";
    routes[2].carrier_id = kpn;
    routes[2].priority = 5;
    f.sip.pstn.add_routes(f.admin, routes);
    CHECK(f.sip.pstn.route_for("0031201234567")->prefix == "003120");
    CHECK(f.sip.pstn.route_for("0031101234567")->carrier_id == tele2);
    CHECK(f.sip.pstn.route_for("0044201234567")->prefix.empty());
    routes[0].prefix = "31";
    CHECK(code_of([&] { f.sip.pstn.add_routes(f.admin, {routes[0]}); }) ==
          ErrorCode::InvalidArgument);
    CHECK(f.sip.pstn.get_routes(f.admin, {}, {}, {}).total == 3);

    f.sip.pstn.delete_gateway_rule(f.admin, rid);
    f.sip.pstn.delete_gateway(f.admin, gw);
    CHECK(code_of([&] { f.sip.pstn.delete_carrier(f.admin, kpn); }) == ErrorCode::CarrierInUse);
    std::vector<std::uint64_t> ids;
    for (const auto& v : f.sip.pstn.get_routes(f.admin, {}, {}, {}).items) {
        ids.push_back(v.id);
    }
    f.sip.pstn.delete_routes(f.admin, ids);
    f.sip.pstn.delete_carrier(f.admin, kpn);
    CHECK(f.sip.pstn.get_carriers(f.admin, {}, {}, {}).total == 1);
}

TEST_CASE("issue_13 rows built on their Input or View keep the stored bytes", "[prov][sip]") {
    // The layout written before the rows were split from their Inputs and Views: a format byte,
    // then each field big-endian, strings as a u32 length and the bytes.
    const auto u64 = [](std::uint64_t v) {
        std::string out;
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.push_back(static_cast<char>((v >> shift) & 0xff));
        }
        return out;
    };
    const auto str = [&](const std::string& text) { return u64(text.size()).substr(4) + text; };
    prov::GatewayRow g;
    g.id = 3;
    g.carrier_id = 2;
    g.name = "gw";
    g.ip = "192.0.2.1";
    g.reseller = 9;
    g.change_date = 1700000000;
    CHECK(encode(g) == "\x01" + u64(3) + u64(2) + str("gw") + str("udp") + str("192.0.2.1") +
                           u64(5060).substr(4) + u64(9) + u64(1700000000));
    prov::SipDomainRow d;
    d.domain = "example.com";
    d.customer = 4;
    d.reseller = 5;
    d.verify_cert = true;
    d.change_date = 6;
    CHECK(encode(d) == "\x01" + str("example.com") + u64(4) + u64(5) + str("") + str("") + str("") +
                           str("") + "\x01" + std::string(1, '\0') + u64(6));
}

TEST_CASE("prepaid: balance moves and history, vouchers once", "[prov][sip]") {
    Fixture f;
    f.domain("example.com");
    f.account("alice", "example.com");
    CHECK(f.sip.prepaid.add_balance(f.admin, {"alice", "example.com"}, 10, "in").new_balance == 10);
    CHECK(f.sip.prepaid.add_balance(f.admin, {"alice", "example.com"}, -2.5, "out").new_balance ==
          7.5);
    prov::PrepaidCard card;
    card.id = 5;
    card.number = "555";
    card.value = 2.5;
    f.sip.prepaid.add_prepaid_card(card);
    CHECK(f.sip.prepaid.add_balance_from_voucher(f.admin, {"alice", "example.com"}, 5, "555")
              .new_balance == 10);
    CHECK(code_of([&] {
              f.sip.prepaid.add_balance_from_voucher(f.admin, {"alice", "example.com"}, 5, "555");
          }) == ErrorCode::PrepaidCardUsed);
    const auto h = f.sip.prepaid.get_credit_history(f.admin, {"alice", "example.com"}, 2);
    REQUIRE(h.size() == 2);
    CHECK(h[0].value == 2.5);
    CHECK(h[1].value == -2.5);
    const auto st = f.sip.prepaid.get_prepaid_status(
        f.admin, {{"nobody", "example.com"}, {"alice", "example.com"}});
    REQUIRE(st.size() == 2);
    CHECK(st[0].balance == 0);
    CHECK(st[1].balance == 10);
}

TEST_CASE("call data: registrations expire, calls by direction, retention", "[prov][sip]") {
    Fixture f;
    f.domain("example.com");
    f.account("alice", "example.com");
    f.account("bob", "example.com");
    prov::RegistrationEvent r;
    r.username = "alice";
    r.domain = "example.com";
    r.contact = "sip:alice@10.0.0.1";
    r.address = "10.0.0.1";
    r.expires = 60;
    CHECK(f.sip.call_data.record_registration(r));
    r.contact = "sip:alice@10.0.0.2";
    r.expires = -5; // gone
    CHECK(f.sip.call_data.record_registration(r));
    r.username = "ghost";
    CHECK_FALSE(f.sip.call_data.record_registration(r));
    const auto locs = f.sip.call_data.get_device_locations(f.admin, {{"alice", "example.com"}});
    REQUIRE(locs.size() == 1);
    CHECK(locs[0].locations.size() == 1);

    const std::int64_t t = prov::now();
    prov::CallRow c;
    c.call_id = "a";
    c.from_uri = "sip:alice@example.com";
    c.to_uri = "<sip:bob@example.com;user=phone>";
    c.start = t - 100;
    c.stop = t - 40;
    CHECK(f.sip.call_data.record_call(c));
    c.call_id = "old";
    c.start = t - 91 * 86400;
    CHECK_FALSE(f.sip.call_data.record_call(c)); // beyond the 90 days kept
    c.call_id = "a"; // the same call reported again replaces the first record
    c.start = t - 50;
    c.stop = t - 40;
    CHECK(f.sip.call_data.record_call(c));
    prov::CallQuery all;
    all.given = true;
    const auto alice = f.sip.call_data.get_calls(f.admin, {"alice", "example.com"}, all, all);
    REQUIRE(alice.placed.size() == 1);
    CHECK(alice.placed[0].duration == 10);
    CHECK(alice.received.empty());
    const auto bob = f.sip.call_data.get_calls(f.admin, {"bob", "example.com"}, all, all);
    CHECK(bob.received.size() == 1);
    prov::CallQuery hour;
    hour.from = t - 3600;
    const auto s =
        f.sip.call_data.get_call_statistics(f.admin, {"alice", "example.com"}, hour, hour);
    CHECK(s.placed_calls == 1);
}

TEST_CASE("PSTN rights of accounts in a customer's domain; other tenants see nothing",
          "[prov][sip]") {
    Fixture f;
    auto add_customer = [&](std::int64_t id, std::int64_t reseller,
                            std::vector<store::PropertyRow> props) {
        return test::add_customer(f.customers, f.admin, id, reseller, std::move(props));
    };
    const auto plain = add_customer(50, 50, {});
    const auto pstn = add_customer(60, 60, {{"pstn_access", "1", "sip", "admin"}});
    const auto other = add_customer(70, 70, {});
    f.domain("plain.example", 50);
    f.domain("pstn.example", 60);
    const prov::Caller as_plain = prov::caller_for(plain, "c50");
    const prov::Caller as_pstn = prov::caller_for(pstn, "c60");
    const prov::Caller as_other = prov::caller_for(other, "c70");

    prov::SipAccountInput in;
    in.id = {"u", "plain.example"};
    in.password = "pw";
    in.groups = {"free-pstn"};
    CHECK(code_of([&] { f.sip.sip_accounts.add_account(as_plain, in); }) ==
          ErrorCode::PermissionDenied);
    in.groups.clear();
    in.prepaid = true;
    CHECK(code_of([&] { f.sip.sip_accounts.add_account(as_plain, in); }) ==
          ErrorCode::PermissionDenied);
    in.prepaid = false;
    f.sip.sip_accounts.add_account(as_plain, in);
    CHECK(code_of([&] { f.sip.sip_accounts.add_to_group(as_plain, in.id, "free-pstn"); }) ==
          ErrorCode::PermissionDenied);
    f.sip.sip_accounts.add_to_group(f.admin, in.id,
                                    "free-pstn"); // the administrator is not restricted
    f.sip.sip_accounts.add_to_group(as_plain, in.id, "anonymous");

    in.id = {"u", "pstn.example"};
    in.groups = {"free-pstn"};
    f.sip.sip_accounts.add_account(as_pstn, in);
    in.prepaid = true; // switching needs prepaid_changes, which reseller 60 lacks
    CHECK(code_of([&] { f.sip.sip_accounts.update_account(as_pstn, in); }) ==
          ErrorCode::PermissionDenied);

    CHECK(code_of([&] {
              f.sip.sip_accounts.get_account(as_other, {"u", "pstn.example"});
          }) == ErrorCode::SipAccountNotFound);
    CHECK(f.sip.sip_accounts.get_accounts(as_other, {}, {}, {}).total == 0);
    CHECK(f.sip.sip_accounts.get_accounts(as_pstn, {}, {}, {}).total == 1);
    CHECK(f.sip.sip_accounts.get_accounts(f.admin, {}, {}, {}).total == 2);
    CHECK(f.sip.sip_domains.get_domains(as_other, {}, {}, {}).total == 0);
}
