// Customers and the tenant policy without SOAP: resellers and their customers, property
// permissions, credits counted in the creating transaction, hashed passwords.
#include "api_error.hpp"
#include "provisioning/services.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

using namespace sb;
using prov::ErrorCode;
using test::code_of;

namespace {

struct Fixture {
    test::TempDir dir;
    store::Env env{dir.path()};
    prov::CustomerService customers{env};
    prov::DnsService dns{env, prov::DnsDefaults{{"ns1.example.net"}}};
    prov::Caller admin{true, 0, 0, "admin"};

    store::CustomerRow add(const prov::Caller& as, const std::string& user, std::int64_t reseller,
                           std::vector<store::PropertyRow> props = {}, bool active = true) {
        prov::CustomerInput in;
        in.username = user;
        in.password = "pw-" + user;
        in.reseller = reseller;
        in.reseller_active = active;
        in.text = {{"firstName", user}, {"city", "Amsterdam"}};
        in.properties = std::move(props);
        return customers.add(as, in);
    }

    prov::Caller as(const store::CustomerRow& c) { return prov::caller_for(c, c.username); }

    void zone(const prov::Caller& as, const std::string& name, std::int64_t customer = 0) {
        prov::ZoneInput z;
        z.name = name;
        z.customer = customer;
        dns.add_zone(as, z);
    }
};

} // namespace

TEST_CASE("passwords are stored as salted PBKDF2 hashes", "[prov][customer]") {
    const std::string h = prov::hash_password("secret");
    CHECK(h.rfind("pbkdf2-sha256$", 0) == 0);
    CHECK(h.find("secret") == std::string::npos);
    CHECK(prov::hash_password("secret") != h); // salted
    CHECK(prov::verify_password("secret", h));
    CHECK_FALSE(prov::verify_password("Secret", h));
    CHECK_FALSE(prov::verify_password("secret", "garbage"));
}

TEST_CASE("a customer without reseller becomes a reseller; only the admin may do that",
          "[prov][customer]") {
    Fixture f;
    const auto r = f.add(f.admin, "reseller-a", 0);
    CHECK(r.id == r.reseller);
    const auto c = f.add(f.as(r), "customer-a1", 0);
    CHECK(c.reseller == r.id);
    CHECK(code_of([&] { f.add(f.as(c), "sub", 0); }) == ErrorCode::PermissionDenied);
    CHECK(code_of([&] { f.add(f.as(r), "other", 999); }) == ErrorCode::PermissionDenied);
    CHECK(code_of([&] { f.add(f.admin, "reseller-a", 0); }) == ErrorCode::CustomerExists);
    const auto row = f.customers.login("customer-a1", "pw-customer-a1");
    REQUIRE(row);
    CHECK(row->id == c.id);
    CHECK_FALSE(f.customers.login("customer-a1", "wrong"));
    CHECK(f.customers.login("customer-a1", "pw-customer-a1")); // from the cache
}

TEST_CASE("an inactive reseller cannot create customers or records", "[prov][customer]") {
    Fixture f;
    const auto r = f.add(f.admin, "sleepy", 0, {}, false);
    CHECK(code_of([&] { f.add(f.as(r), "c", 0); }) == ErrorCode::PermissionDenied);
    CHECK(code_of([&] { f.zone(f.as(r), "sleepy.example"); }) == ErrorCode::PermissionDenied);
}

TEST_CASE("tenants see only their own records", "[prov][customer]") {
    Fixture f;
    const auto ra = f.add(f.admin, "ra", 0);
    const auto a1 = f.add(f.as(ra), "a1", 0);
    const auto rb = f.add(f.admin, "rb", 0);
    f.zone(f.as(a1), "a1.example");
    f.zone(f.as(rb), "rb.example");
    CHECK(f.dns.get_zone(f.as(ra), "a1.example").customer == a1.id); // reseller sees customer's
    CHECK(code_of([&] { f.dns.get_zone(f.as(rb), "a1.example"); }) == ErrorCode::DnsZoneNotFound);
    CHECK(code_of([&] { f.dns.get_zone(f.as(a1), "rb.example"); }) == ErrorCode::DnsZoneNotFound);
    CHECK(f.dns.get_zones(f.as(a1), {}, {}, {}).total == 1);
    CHECK(f.dns.get_zones(f.admin, {}, {}, {}).total == 2);
    CHECK(code_of([&] { f.customers.get(f.as(rb), a1.id); }) == ErrorCode::CustomerNotFound);
    CHECK(f.customers.find(f.as(ra), {}, {}, {}, false).total == 2); // itself and a1
    // A reseller assigns a zone to its customer, not to another reseller's.
    f.zone(f.as(ra), "given.example", a1.id);
    CHECK(f.dns.get_zone(f.as(a1), "given.example").customer == a1.id);
    CHECK(code_of([&] { f.zone(f.as(ra), "stolen.example", rb.id); }) ==
          ErrorCode::PermissionDenied);
}

TEST_CASE("credits count per customer and per reseller in the creating transaction",
          "[prov][customer]") {
    Fixture f;
    const auto r = f.add(f.admin, "r", 0, {{"dns_zone_credit", "3", "credit", "admin"}});
    const auto c1 = f.add(f.as(r), "c1", 0, {{"dns_zone_credit", "2", "credit", "admin"}});
    const auto c2 = f.add(f.as(r), "c2", 0);
    f.zone(f.as(c1), "z1.example");
    f.zone(f.as(c1), "z2.example");
    CHECK(code_of([&] { f.zone(f.as(c1), "z3.example"); }) == ErrorCode::CreditExceeded);
    f.zone(f.as(c2), "z4.example");
    CHECK(code_of([&] { f.zone(f.as(c2), "z5.example"); }) == ErrorCode::CreditExceeded);
    f.dns.delete_zone(f.as(c1), "z1.example");
    f.zone(f.as(c2), "z5.example"); // the freed credit
    CHECK(code_of([&] { f.customers.remove(f.as(r), c2.id); }) == ErrorCode::CustomerHasRecords);
}

TEST_CASE("property permissions", "[prov][customer]") {
    Fixture f;
    const auto r = f.add(f.admin, "r", 0, {{"pstn_access", "1", "sip", "admin"}});
    const auto c = f.add(f.as(r), "c", 0, {{"language", "en", "web", "customer"}});
    // The customer changes its own customer-permission property…
    f.customers.set_properties(f.as(c), c.id, {{"language", "nl", "web", "customer"}});
    CHECK(f.customers.get_properties(f.admin, c.id).at(0).value == "nl");
    // …but not an admin one, which the reseller may set on its customer (credits, PSTN).
    CHECK(code_of([&] {
              f.customers.set_properties(f.as(c), c.id, {{"sip_credit", "99", "credit", "admin"}});
          }) == ErrorCode::PermissionDenied);
    f.customers.set_properties(f.as(r), c.id, {{"sip_credit", "5", "credit", "admin"}});
    CHECK(code_of([&] {
              f.customers.set_properties(f.as(r), r.id, {{"sip_credit", "500", "credit", "admin"}});
          }) == ErrorCode::PermissionDenied);
    // PSTN rights only when the reseller has them.
    f.customers.set_properties(f.as(r), c.id, {{"pstn_access", "1", "sip", "admin"}});
    const auto r2 = f.add(f.admin, "r2", 0);
    const auto c2 = f.add(f.as(r2), "c2", 0);
    CHECK(
        code_of([&] {
            f.customers.set_properties(f.admin, c2.id, {{"prepaid_changes", "1", "sip", "admin"}});
        }) == ErrorCode::PermissionDenied);
    // setProperties upserts: language survives a write of another property.
    CHECK(f.customers.get(f.admin, c.id).property("language") != nullptr);
}

TEST_CASE("a customer impersonating its reseller acts with the reseller's rights",
          "[prov][customer]") {
    Fixture f;
    const auto r = f.add(f.admin, "r", 0);
    prov::CustomerInput in;
    in.username = "deputy";
    in.password = "x";
    in.impersonate = r.id;
    const auto deputy = f.customers.add(f.as(r), in);
    const auto other = f.add(f.as(r), "other", 0);
    f.zone(f.as(other), "other.example");
    CHECK(f.dns.get_zone(f.as(deputy), "other.example").customer == other.id);
    CHECK(f.as(deputy).customer == r.id);
}
