// DnsService without SOAP: every write lands as one transaction with its derived DNS node and
// a serial bump; every refusal has its code and changes nothing; queries filter, order, page.
#include "api_error.hpp"
#include "provisioning/services.hpp"
#include "temp_dir.hpp"
#include "zones/catalog.hpp"
#include "zones/node.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <catch2/catch.hpp>

using namespace sb;
using prov::ErrorCode;
using test::code_of;

namespace {

struct Fixture {
    test::TempDir dir;
    store::Env env{dir.path()};
    prov::DnsService dns{env, prov::DnsDefaults{}};
    prov::Caller admin{true, 0, 0, "admin"};

    void add_zone(const std::string& name) {
        prov::ZoneInput z;
        z.name = name;
        z.nameservers = std::vector<std::string>{"ns1.example.net", "ns2.example.net"};
        z.email = "hostmaster@" + name;
        dns.add_zone(admin, z);
    }

    std::uint64_t add(const std::string& name, const std::string& type, const std::string& value,
                      std::uint32_t prio = 0) {
        prov::RecordInput r;
        r.zone = "example.com";
        r.name = name;
        r.type = type;
        r.value = value;
        r.priority = prio;
        return dns.add_record(admin, r);
    }

    std::optional<std::string> node(const std::string& owner) {
        store::ReadTxn txn(env);
        auto v = txn.get(store::Table::DnsNodes, zones::name_key(owner));
        return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
    }

    std::uint32_t serial() { return dns.get_zone(admin, "example.com").serial; }
};

} // namespace

TEST_CASE("a zone's apex node carries SOA and NS", "[prov]") {
    Fixture f;
    f.add_zone("Example.COM.");
    const auto apex = f.node("example.com");
    REQUIRE(apex);
    zones::NodeView v(*apex);
    REQUIRE(v.valid());
    CHECK((v.flags() & zones::NodeApex) != 0);
    zones::RrsetView soa, ns;
    REQUIRE(v.find(zones::RRType::SOA, soa));
    REQUIRE(v.find(zones::RRType::NS, ns));
    CHECK(ns.count() == 2);
    CHECK(f.serial() > 0);
    CHECK(code_of([&] { f.add_zone("example.com"); }) == ErrorCode::DnsZoneExists);
}

TEST_CASE("records become nodes and bump the serial; deleting removes them", "[prov]") {
    Fixture f;
    f.add_zone("example.com");
    const auto s0 = f.serial();
    const auto id = f.add("www", "A", "192.0.2.10");
    CHECK(f.serial() == s0 + 1);
    REQUIRE(f.node("www.example.com"));
    const auto rec = f.dns.get_record(f.admin, id);
    CHECK(rec.name == "www.example.com");
    CHECK(rec.customer == 0);
    f.dns.delete_record(f.admin, id);
    CHECK(f.serial() == s0 + 2);
    CHECK_FALSE(f.node("www.example.com"));
    CHECK(code_of([&] { f.dns.get_record(f.admin, id); }) == ErrorCode::DnsRecordNotFound);
}

TEST_CASE("refusals have their codes and change nothing", "[prov]") {
    Fixture f;
    f.add_zone("example.com");
    f.add("www", "A", "192.0.2.10");
    const auto s0 = f.serial();
    CHECK(code_of([&] { f.add("www", "A", "192.0.2.10"); }) == ErrorCode::DnsRecordExists);
    CHECK(code_of([&] { f.add("bad", "A", "300.1.1.1"); }) == ErrorCode::InvalidArgument);
    CHECK(code_of([&] { f.add("www.other.org.", "A", "192.0.2.1"); }) ==
          ErrorCode::InvalidArgument);
    CHECK(code_of([&] { f.add("www", "CNAME", "elsewhere.example.net"); }) ==
          ErrorCode::InvalidArgument);
    CHECK(code_of([&] { f.add("", "CNAME", "elsewhere.example.net"); }) ==
          ErrorCode::InvalidArgument);
    CHECK(code_of([&] { f.add("x", "SOA", "whatever"); }) == ErrorCode::InvalidArgument);
    prov::RecordInput r;
    r.zone = "nowhere.test";
    r.type = "A";
    r.value = "192.0.2.1";
    CHECK(code_of([&] { f.dns.add_record(f.admin, r); }) == ErrorCode::DnsZoneNotFound);
    CHECK(f.serial() == s0);
    CHECK_FALSE(f.node("bad.example.com"));
    CHECK(f.dns.get_records(f.admin, {}, {}, {}).total == 1);
}

TEST_CASE("deleting a zone removes its records and nodes", "[prov]") {
    Fixture f;
    f.add_zone("example.com");
    f.add("www", "A", "192.0.2.10");
    f.add("a.b", "TXT", "deep");
    f.dns.delete_zone(f.admin, "example.com");
    CHECK_FALSE(f.node("example.com"));
    CHECK_FALSE(f.node("www.example.com"));
    CHECK_FALSE(f.node("a.b.example.com"));
    CHECK(f.dns.get_records(f.admin, {}, {}, {}).total == 0);
    CHECK(code_of([&] { f.dns.get_zone(f.admin, "example.com"); }) == ErrorCode::DnsZoneNotFound);
}

TEST_CASE("a zone held as a secondary refuses SOAP writes with 7005 and changes nothing",
          "[prov]") {
    Fixture f;
    f.add_zone("example.com");
    const auto id = f.add("www", "A", "192.0.2.10");
    f.env.write(
        [](store::WriteTxn& txn) { zones::mark_secondary(txn, "example.com", "192.0.2.53:53"); });
    const auto s0 = f.serial(); // reads stay allowed
    try {
        f.add("new", "A", "192.0.2.11");
        FAIL("a write to a secondary zone was accepted");
    } catch (const prov::ApiError& e) {
        CHECK(e.code() == ErrorCode::DnsZoneSecondary);
        CHECK_THAT(e.what(), Catch::Contains("secondary of 192.0.2.53:53"));
    }
    CHECK(code_of([&] { f.dns.delete_record(f.admin, id); }) == ErrorCode::DnsZoneSecondary);
    CHECK(code_of([&] { f.dns.delete_zone(f.admin, "example.com"); }) ==
          ErrorCode::DnsZoneSecondary);
    // addZone of its name: 7005 too (naming the primary), not 7001 "already exists".
    CHECK(code_of([&] { f.add_zone("example.com"); }) == ErrorCode::DnsZoneSecondary);
    CHECK(f.serial() == s0);
    CHECK_FALSE(f.node("new.example.com"));
    CHECK(f.node("www.example.com"));
    {
        store::ReadTxn txn(f.env);
        CHECK(zones::secondary_zones(txn) == std::vector<std::string>{"example.com"});
    }
    // drop_zone (a zone gone from [secondary]) removes it with its mark.
    f.env.write([](store::WriteTxn& txn) { zones::drop_zone(txn, "example.com"); });
    CHECK_FALSE(f.node("example.com"));
    CHECK_FALSE(f.node("www.example.com"));
    CHECK(f.dns.get_records(f.admin, {}, {}, {}).total == 0);
    store::ReadTxn txn(f.env);
    CHECK(zones::secondary_zones(txn).empty());
    CHECK_FALSE(zones::secondary_primary(txn, "example.com"));
}

TEST_CASE("getRecords filters with LIKE, orders and pages with a total", "[prov]") {
    Fixture f;
    f.add_zone("example.com");
    for (int i = 0; i < 5; ++i) {
        f.add("h" + std::to_string(i), "A", "192.0.2." + std::to_string(i + 1));
    }
    f.add("mail", "MX", "mx.example.net", 10);
    prov::RecordFilter filter;
    filter.zone = "example.com";
    filter.type = "A";
    auto page = f.dns.get_records(f.admin, filter, {1, 2}, {"name", true});
    CHECK(page.total == 5);
    REQUIRE(page.items.size() == 2);
    CHECK(page.items[0].name == "h3.example.com");
    CHECK(page.items[1].name == "h2.example.com");
    filter = {};
    filter.name = "H%.example.com";
    CHECK(f.dns.get_records(f.admin, filter, {}, {}).total == 5);
    CHECK(prov::like("3120800%", "31208005"));
    CHECK(prov::like("%foo%", "xfooy"));
    CHECK(prov::like("a_c", "abc"));
    CHECK_FALSE(prov::like("a_c", "abbc"));
    CHECK(prov::like("%", ""));
}

TEST_CASE("updating a record moves its data and keeps its id", "[prov]") {
    Fixture f;
    f.add_zone("example.com");
    const auto id = f.add("sip", "A", "192.0.2.10");
    prov::RecordInput r;
    r.id = id;
    r.zone = "example.com";
    r.name = "sip2.example.com";
    r.type = "A";
    r.value = "192.0.2.20";
    r.ttl = 600;
    f.dns.update_record(f.admin, r);
    CHECK_FALSE(f.node("sip.example.com"));
    REQUIRE(f.node("sip2.example.com"));
    CHECK(f.dns.get_record(f.admin, id).ttl == 600);
}

TEST_CASE("a zone added or deleted over DnsPort is in the catalog in the same commit; the "
          "catalog itself is refused",
          "[prov][catalog]") {
    Fixture f;
    const std::string catalog = "catalog.switchboard.invalid";
    f.env.write([&](store::WriteTxn& txn) { zones::configure_catalog(txn, catalog, 1700000000); });
    const std::string member = zones::catalog_member_id("example.com") + ".zones." + catalog;
    CHECK_FALSE(f.node(member));
    f.add_zone("example.com");
    CHECK(f.node(member));
    f.dns.delete_zone(f.admin, "example.com");
    CHECK_FALSE(f.node(member));

    CHECK(code_of([&] { f.add_zone(catalog); }) == ErrorCode::InvalidArgument);
    CHECK(code_of([&] { f.dns.delete_zone(f.admin, catalog); }) == ErrorCode::InvalidArgument);
    prov::RecordInput r;
    r.zone = catalog;
    r.name = "x";
    r.type = "TXT";
    r.value = "no";
    CHECK(code_of([&] { f.dns.add_record(f.admin, r); }) == ErrorCode::InvalidArgument);
    CHECK(f.node(catalog)); // still there
    CHECK(f.node("version." + catalog));
    CHECK_FALSE(f.node("x." + catalog));
}
