// Signing at write time (issue 16) through a real store: a zone the policy covers is signed
// when imported (every authoritative RRset has its RRSIG, delegation NS and glue none), its
// NSEC3 chain is a ring in hash order over every name and empty non-terminal, and stays one
// when names come and go; the policy dropped unsigns the zone; the re-signer refreshes due
// signatures and bumps the serial; a deleted zone loses its keys and its chain. Each NSEC3's
// chain index entry carries a copy of its node, kept in step through every relink.
#include "signed_nodes.hpp"
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/compile.hpp"
#include "zones/dnssec.hpp"
#include "zones/node.hpp"
#include "zones/signer.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>

using namespace sb;

namespace {

const std::string zone = "example.com";

using Owner = test::SignedNode;

std::map<std::string, Owner> owners(store::Env& env) {
    return test::signed_nodes(env, zone);
}

std::size_t check_ring(const std::map<std::string, Owner>& all) {
    return test::check_nsec3_ring(all, zone);
}

void set_policy(store::Env& env, std::optional<zones::SigningPolicy> p) {
    env.write([&](store::WriteTxn& txn) { zones::configure_signing(txn, p); });
}

zones::SigningPolicy all_zones(std::int64_t offset = 0) {
    zones::SigningPolicy p;
    p.all = true;
    p.clock_offset = offset;
    return p;
}

} // namespace

TEST_CASE("a zone the policy covers is signed on import, its NSEC3 chain one ring",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    set_policy(env, all_zones());
    test::import_zone_file(env, test::example_zone_file);
    auto all = owners(env);
    const auto& apex = all.at(zones::name_key(zone));
    CHECK(apex.types.count(zones::RRType::DNSKEY) == 1);
    CHECK(apex.types.count(zones::RRType::NSEC3PARAM) == 1);
    CHECK(apex.types.count(zones::RRType::CDS) == 1);
    CHECK(apex.signed_types.count(zones::RRType::SOA) == 1);
    CHECK(apex.signed_types.count(zones::RRType::DNSKEY) == 1);
    CHECK(all.at(zones::name_key("www.example.com")).signed_types ==
          std::set<zones::RRType>{zones::RRType::A});
    // RFC 4035 §2.2: the delegation's NS and the glue are not signed.
    CHECK(all.at(zones::name_key("sub.example.com")).signed_types.empty());
    CHECK(all.at(zones::name_key("ns.sub.example.com")).signed_types.empty());
    // apex, ns1, www, *.wild, the empty non-terminal wild, sub; not the glue.
    CHECK(check_ring(all) == 6);
    {
        store::ReadTxn txn(env);
        const auto keys = zones::zone_keys(txn, zone);
        REQUIRE(keys.size() == 1);
        CHECK(keys[0].flags == 257);
        CHECK(keys[0].algorithm == 13);
        CHECK(zones::ds_records(txn, zone).find("example.com. IN DS " +
                                                std::to_string(keys[0].tag) + " 13 2 ") == 0);
    }

    SECTION("names that come and go keep the ring, empty non-terminals included") {
        std::string changed = test::example_zone_file;
        changed.replace(changed.find("www IN A"), 8, "a.b.c IN TXT \"deep\"\nx IN A");
        test::import_zone_file(env, changed);
        all = owners(env);
        CHECK(all.count(zones::name_key("www.example.com")) == 0);
        // apex, ns1, x, *.wild, wild, sub, a.b.c, b.c, c
        CHECK(check_ring(all) == 9);
        test::import_zone_file(env, test::example_zone_file, true);
        CHECK(check_ring(owners(env)) == 6);
    }

    SECTION("the policy dropped, the zone is served unsigned, with a new serial") {
        const std::uint32_t signed_serial = test::zone_serial(env, zone);
        set_policy(env, std::nullopt);
        CHECK(test::zone_serial(env, zone) != signed_serial);
        for (const auto& [key, o] : owners(env)) {
            CHECK(o.signed_types.empty());
            CHECK((o.flags & (zones::NodeSigned | zones::NodeNsec3Only)) == 0);
            CHECK(o.types.count(zones::RRType::DNSKEY) == 0);
        }
    }

    SECTION("a deleted zone loses its keys and its chain") {
        env.write([&](store::WriteTxn& txn) {
            txn.del(store::Table::Zones, zone);
            zones::rebuild_node(txn, zone);
        });
        store::ReadTxn txn(env);
        CHECK(zones::zone_keys(txn, zone).empty());
        for (const auto& [key, o] : owners(env)) {
            CHECK((o.flags & zones::NodeNsec3Only) == 0);
        }
    }
}

TEST_CASE("a zone kept as a secondary is not signed by us, whatever the policy",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    set_policy(env, all_zones());
    env.write([&](store::WriteTxn& txn) {
        zones::mark_secondary(txn, zone, "192.0.2.1:53");
        zones::ImportOptions o;
        o.now = 1700000000;
        zones::import_zone(txn, test::example_zone_file, o);
    });
    const auto all = owners(env);
    CHECK(all.at(zones::name_key(zone)).types.count(zones::RRType::DNSKEY) == 0);
    CHECK(all.at(zones::name_key("www.example.com")).signed_types.empty());
    store::ReadTxn txn(env);
    CHECK(zones::zone_keys(txn, zone).empty());
}

TEST_CASE("the re-signer refreshes signatures due for it and bumps the serial", "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    set_policy(env, all_zones(-8 * 86400)); // signed 8 days ago: 6 days left, refresh is 7
    test::import_zone_file(env, test::example_zone_file);
    const std::uint32_t before = test::zone_serial(env, zone);
    auto expirations = [&] { return test::signature_expirations(env, zone); };
    const auto now = static_cast<std::uint32_t>(std::time(nullptr));
    const auto old = expirations();
    REQUIRE(!old.empty());
    CHECK(*std::max_element(old.begin(), old.end()) < now + 7 * 86400);

    set_policy(env, all_zones()); // the real clock: every signature is due
    std::string from;
    std::size_t slices = 0, resigned = 0;
    do {
        const auto slice = env.write([&](store::WriteTxn& txn) {
            return zones::resign_slice(txn, from, 3, 2); // tiny slices: many transactions
        });
        from = slice.next;
        resigned += slice.resigned;
        ++slices;
    } while (!from.empty() && slices < 100);
    CHECK(slices > 2);
    CHECK(resigned > 0);
    // A second pass picks up what the first one left (nodes of the apex re-written last).
    env.write([&](store::WriteTxn& txn) { return zones::resign_slice(txn, "", 1000, 1000); });
    const auto fresh = expirations();
    CHECK(*std::min_element(fresh.begin(), fresh.end()) > now + 13 * 86400);
    CHECK(test::zone_serial(env, zone) != before);
    CHECK(check_ring(owners(env)) == 6);
}

TEST_CASE("an NSEC zone: each owner's NSEC names the next, through changes and a switch",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    zones::SigningPolicy nsec = all_zones();
    nsec.nsec3 = false;
    set_policy(env, nsec);
    test::import_zone_file(env, test::example_zone_file);
    // The owners in canonical order (RFC 4034 §6.1), each NSEC's next the following one.
    auto check_nsec = [&](std::vector<std::string> expected) {
        std::vector<std::string> owners_seen;
        for (const auto& [key, next] : test::nsec_chain(env, zone)) {
            owners_seen.push_back(key);
        }
        for (const auto& [key, o] : owners(env)) {
            CHECK((o.flags & zones::NodeNsec3Only) == 0);
        }
        std::vector<std::string> keys;
        for (const auto& name : expected) {
            keys.push_back(zones::name_key(name));
        }
        CHECK(owners_seen == keys);
        CHECK(test::check_nsec_ring(env, zone) == keys.size());
    };
    check_nsec({"example.com", "ns1.example.com", "sub.example.com", "*.wild.example.com",
                "www.example.com"});
    std::string changed = test::example_zone_file;
    changed.replace(changed.find("www IN A"), 8, "a.b.c IN TXT \"deep\"\nx IN A");
    test::import_zone_file(env, changed);
    check_nsec({"example.com", "a.b.c.example.com", "ns1.example.com", "sub.example.com",
                "*.wild.example.com", "x.example.com"});

    set_policy(env, all_zones()); // back to NSEC3: the chain is rebuilt the other way
    CHECK(check_ring(owners(env)) == 9);
    for (const auto& [key, o] : owners(env)) {
        CHECK(o.types.count(zones::RRType::NSEC) == 0);
    }
}
