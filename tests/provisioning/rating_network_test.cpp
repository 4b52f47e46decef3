// RatingService and NetworkService without SOAP, on a real LMDB: the profiles' codec, 4001
// when an entity has none, who may read and set them, the statistics' counts; and the
// password token customers' getAccount shows.
#include "api_error.hpp"
#include "provisioning/rows.hpp"
#include "provisioning/services.hpp"
#include "provisioning/sip.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace sb;
using prov::ErrorCode;
using test::code_of;

TEST_CASE("rating profiles: codec, 4001 when absent, administrator and reseller set them",
          "[prov][rating]") {
    const prov::RatingProfilesRow row{
        "subscriber://a@example.com", "w", "wa", "e", "ea", "UTC", 42};
    const auto bytes = encode(row);
    const auto back = prov::decoded<prov::RatingProfilesRow>(bytes);
    CHECK(encode(back) == bytes);
    CHECK(back.weekend_alt == "ea");
    CHECK_THROWS_AS(prov::decoded<prov::RatingProfilesRow>(bytes.substr(1)), store::Error);

    test::TempDir dir;
    store::Env env{dir.path()};
    prov::SipServices sip{env, prov::SipOptions{}};
    prov::RatingService rating{env};
    const prov::Caller admin{true, 0, 0, "admin"};
    const prov::Caller reseller{false, 5, 5, "r"};
    const prov::Caller customer{false, 6, 5, "c"};
    const prov::Caller stranger{false, 7, 7, "s"};
    prov::SipDomainInput d;
    d.domain = "example.com";
    d.customer = 6;
    d.reseller = 5;
    sip.sip_domains.add_domain(admin, d);

    const std::string entity = "subscriber://alice@example.com";
    CHECK(code_of([&] { rating.get(admin, entity); }) == ErrorCode::RatingProfilesNotFound);
    CHECK(code_of([&] { rating.remove(admin, entity); }) == ErrorCode::RatingProfilesNotFound);
    rating.set(admin, {entity, "day", "", "weekend", "", "Europe/Amsterdam"});
    CHECK(rating.get(customer, entity).weekend == "weekend");
    CHECK(code_of([&] {
              rating.set(customer, {entity, "x", "", "", "", ""});
          }) == ErrorCode::PermissionDenied);
    CHECK(code_of([&] { rating.get(stranger, entity); }) == ErrorCode::PermissionDenied);
    CHECK(code_of([&] { rating.get(customer, "domain://example.com"); }) ==
          ErrorCode::PermissionDenied);
    rating.set(reseller, {entity, "day2", "", "", "", ""});
    CHECK(rating.get(admin, entity).weekday == "day2");
    CHECK(code_of([&] {
              rating.set(admin, {"", "x", "", "", "", ""});
          }) == ErrorCode::InvalidArgument);
    CHECK(code_of([&] {
              rating.set(admin, {"bad\nentity", "", "", "", "", ""});
          }) == ErrorCode::InvalidArgument);
    rating.remove(reseller, entity);
    CHECK(code_of([&] { rating.get(admin, entity); }) == ErrorCode::RatingProfilesNotFound);

    // Deleting the SIP account deletes its profiles.
    prov::SipAccountInput alice;
    alice.id = {"alice", "example.com"};
    alice.password = "secret";
    sip.sip_accounts.add_account(admin, alice);
    rating.set(admin, {entity, "day", "", "", "", ""});
    sip.sip_accounts.delete_account(admin, alice.id);
    CHECK(code_of([&] { rating.get(admin, entity); }) == ErrorCode::RatingProfilesNotFound);
}

TEST_CASE("network statistics count accounts and live registrations per visible domain",
          "[prov][network]") {
    test::TempDir dir;
    store::Env env{dir.path()};
    prov::SipServices sip{env, prov::SipOptions{}};
    prov::NetworkService network{env};
    const prov::Caller admin{true, 0, 0, "admin"};
    for (const auto* name : {"a.example", "b.example"}) {
        prov::SipDomainInput d;
        d.domain = name;
        d.customer = name[0] == 'a' ? 3 : 4;
        d.reseller = d.customer;
        sip.sip_domains.add_domain(admin, d);
    }
    for (const auto* user : {"u1", "u2", "u3"}) {
        prov::SipAccountInput in;
        in.id = {user, "a.example"};
        in.password = "secret";
        sip.sip_accounts.add_account(admin, in);
    }
    prov::RegistrationEvent e;
    e.username = "u1";
    e.domain = "a.example";
    e.expires = 600;
    for (const auto* contact : {"sip:u1@10.0.0.1", "sip:u1@10.0.0.2"}) {
        e.contact = contact;
        CHECK(sip.call_data.record_registration(e));
    }
    const std::string figures = "{\"sip_proxy\": {\"online_accounts\": {\"a.example\": 1, "
                                "\"b.example\": 0}, \"total_accounts\": {\"a.example\": 3, "
                                "\"b.example\": 0}}}";
    CHECK(network.statistics(admin, "192.0.2.1") ==
          "{\"192.0.2.1\": " + figures + ", \"summary\": " + figures + "}");
    const prov::Caller b{false, 4, 4, "b"};
    CHECK(network.statistics(b, "192.0.2.1").find("a.example") == std::string::npos);
    CHECK(network.status(admin, "192.0.2.1").find("\"roles\": [\"provisioning_server\"]") !=
          std::string::npos);
}

TEST_CASE("the password token keeps a customer's password and shows nothing of it",
          "[prov][customer]") {
    const std::string stored = prov::hash_password("Orig-Pass-1");
    const std::string token = prov::password_token(stored);
    CHECK(token.rfind("hashed:", 0) == 0);
    CHECK(token.size() == 7 + 12);
    CHECK(stored.find(token.substr(7)) == std::string::npos);
    CHECK(prov::keeps_password(token, stored));
    CHECK(prov::keeps_password("", stored));
    CHECK_FALSE(prov::keeps_password("Orig-Pass-1", stored));
    CHECK_FALSE(prov::keeps_password(prov::password_token(prov::hash_password("x")), stored));
    CHECK(prov::password_token("").empty());
}
