// The catalog zone (RFC 9432 version 2, issue 15) through a real store: members listed when a
// zone is created (by a provisioning write or a zone import) and unlisted when it is deleted,
// in the same transaction; member IDs stable across a delete and re-add; the group property
// carries the kind; the catalog's serial moves and its journal holds the change (IXFR).
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/catalog.hpp"
#include "zones/compile.hpp"
#include "zones/journal.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace sb;

namespace {

const std::string catalog = "catalog.switchboard.invalid";

void create_zone(store::Env& env, const std::string& name,
                 store::ZoneKind kind = store::ZoneKind::Dns) {
    env.write([&](store::WriteTxn& txn) {
        store::ZoneRow row;
        row.name = name;
        row.kind = kind;
        row.nameservers = {"ns1.example.net"};
        zones::touch_zone(txn, row, 1700000000);
    });
}

void delete_zone(store::Env& env, const std::string& name) {
    env.write([&](store::WriteTxn& txn) {
        txn.del(store::Table::Zones, name);
        zones::rebuild_node(txn, name);
    });
}

// The catalog's RRs as "owner TYPE text" lines.
std::vector<std::string> catalog_lines(store::Env& env) {
    store::ReadTxn txn(env);
    std::vector<std::string> out;
    for (const auto& rr : zones::zone_rrs(txn, catalog)) {
        out.push_back(rr.owner + " " + zones::to_string(rr.type) + " " +
                      zones::rdata_to_text(rr.type, rr.rdata));
    }
    return out;
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::uint32_t catalog_serial(store::Env& env) {
    store::ReadTxn txn(env);
    return store::get_zone(txn, catalog)->serial;
}

std::string member_owner(const std::string& zone) {
    return zones::catalog_member_id(zone) + ".zones." + catalog;
}

} // namespace

TEST_CASE("member IDs depend on the name only", "[zones][catalog]") {
    const auto id = zones::catalog_member_id("example.com");
    CHECK(id.size() == 16);
    CHECK(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(zones::catalog_member_id("example.com") == id);
    CHECK(zones::catalog_member_id("example.org") != id);
}

TEST_CASE("the catalog lists zones as they come and go", "[zones][catalog]") {
    test::TempDir dir;
    store::Env env(dir.path());
    create_zone(env, "before.example"); // a zone that predates the catalog
    env.write([&](store::WriteTxn& txn) { zones::configure_catalog(txn, catalog, 1700000000); });

    auto lines = catalog_lines(env);
    REQUIRE(!lines.empty());
    CHECK(lines.front().starts_with(catalog + " SOA invalid. "));
    CHECK(has(lines, catalog + " NS invalid."));
    CHECK(has(lines, "version." + catalog + " TXT \"2\""));
    CHECK(has(lines, member_owner("before.example") + " PTR before.example."));
    CHECK(has(lines, "group." + member_owner("before.example") + " TXT \"dns\""));

    const auto serial0 = catalog_serial(env);
    create_zone(env, "example.com");
    create_zone(env, "0.0.1.3.e164.arpa", store::ZoneKind::Enum);
    lines = catalog_lines(env);
    CHECK(has(lines, member_owner("example.com") + " PTR example.com."));
    CHECK(has(lines, "group." + member_owner("example.com") + " TXT \"dns\""));
    CHECK(has(lines, member_owner("0.0.1.3.e164.arpa") + " PTR 0.0.1.3.e164.arpa."));
    CHECK(has(lines, "group." + member_owner("0.0.1.3.e164.arpa") + " TXT \"enum\""));
    const auto serial1 = catalog_serial(env);
    CHECK(zones::serial_lt(serial0, serial1));

    // The journal carries the step: IXFR from serial1 shows the member going.
    delete_zone(env, "example.com");
    lines = catalog_lines(env);
    CHECK_FALSE(has(lines, member_owner("example.com") + " PTR example.com."));
    CHECK(has(lines, member_owner("before.example") + " PTR before.example."));
    const auto serial2 = catalog_serial(env);
    CHECK(zones::serial_lt(serial1, serial2));
    {
        store::ReadTxn txn(env);
        const auto diffs = zones::journal_diffs(txn, catalog, serial1);
        REQUIRE(diffs);
        REQUIRE(diffs->size() == 1);
        const auto& d = diffs->front();
        CHECK(zones::soa_serial(d.old_soa.rdata) == serial1);
        CHECK(zones::soa_serial(d.new_soa.rdata) == serial2);
        bool ptr_gone = false;
        for (const auto& rr : d.removed) {
            ptr_gone = ptr_gone ||
                       (rr.owner == member_owner("example.com") && rr.type == zones::RRType::PTR);
        }
        CHECK(ptr_gone);
        CHECK(d.added.empty());
    }

    // Re-added, it has the same ID.
    create_zone(env, "example.com");
    CHECK(has(catalog_lines(env), member_owner("example.com") + " PTR example.com."));
}

TEST_CASE("a zone import lists the zone; the catalog itself cannot be imported",
          "[zones][catalog]") {
    test::TempDir dir;
    store::Env env(dir.path());
    env.write([&](store::WriteTxn& txn) { zones::configure_catalog(txn, catalog, 1700000000); });
    test::import_zone_file(env, test::example_zone_file);
    CHECK(has(catalog_lines(env), member_owner("example.com") + " PTR example.com."));
    // Re-importing the same zone keeps one member and the same catalog.
    const auto serial = catalog_serial(env);
    test::import_zone_file(env, test::example_zone_file);
    CHECK(catalog_serial(env) == serial);

    const std::string catalog_file = "$ORIGIN " + catalog +
                                     ".\n@ 0 IN SOA invalid. invalid. 1 1 1 1 1\n"
                                     "@ 0 IN NS invalid.\n";
    CHECK_THROWS_AS(test::import_zone_file(env, catalog_file), zones::InvalidValue);
    CHECK(has(catalog_lines(env), member_owner("example.com") + " PTR example.com."));
}

TEST_CASE("configuring the catalog away drops it; a served zone's name is refused",
          "[zones][catalog]") {
    test::TempDir dir;
    store::Env env(dir.path());
    create_zone(env, "example.com");
    CHECK_THROWS_AS(env.write([&](store::WriteTxn& txn) {
        zones::configure_catalog(txn, std::string("example.com"), 1700000000);
    }),
                    zones::InvalidValue);
    env.write([&](store::WriteTxn& txn) { zones::configure_catalog(txn, catalog, 1700000000); });
    CHECK_FALSE(catalog_lines(env).empty());
    env.write(
        [&](store::WriteTxn& txn) { zones::configure_catalog(txn, std::nullopt, 1700000000); });
    CHECK(catalog_lines(env).empty());
    store::ReadTxn txn(env);
    CHECK_FALSE(zones::catalog_name(txn));
    CHECK(store::get_zone(txn, "example.com"));
}
