// Keys and rollovers of the signer (issue 16, signer_keys.cpp) through a real store:
// `keys = ksk-zsk` gives a zone a KSK that signs the DNSKEY, CDS and CDNSKEY RRsets only and a
// ZSK that signs the rest, CDS and `dnssec ds` naming the KSK; a ZSK rollover by
// pre-publication and a KSK rollover by double-DS move on only when the signer's clock has
// passed each wait (docs/decisions.md "Key rollovers"), with the right keys published, signing
// and listed as DS at every step; a CSK zone moves to a KSK and a ZSK by a ZSK rollover.
#include "signed_nodes.hpp"
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/compile.hpp"
#include "zones/node.hpp"
#include "zones/signer.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>
#include <string>

using namespace sb;

namespace {

const std::string zone = "example.com";
using test::Tags;

zones::SigningPolicy policy(zones::KeyScheme keys, std::int64_t offset) {
    return test::rollover_policy(keys, offset);
}

std::size_t step_at(store::Env& env, zones::KeyScheme keys, std::int64_t offset) {
    return test::rollover_step_at(env, keys, offset);
}

using Signed = test::SignedNode;

Signed signed_at(store::Env& env, const std::string& owner) {
    return test::signed_node(env, owner);
}

std::vector<zones::ZoneKeyInfo> keys_of(store::Env& env) {
    store::ReadTxn txn(env);
    return zones::zone_keys(txn, zone);
}

std::uint16_t tag(store::Env& env, zones::KeyRole role, zones::KeyState state) {
    return test::key_tag_of(env, zone, role, state);
}

Tags ds_tags(store::Env& env) {
    store::ReadTxn txn(env);
    std::istringstream lines(zones::ds_records(txn, zone));
    Tags out;
    for (std::string owner, cls, type; lines >> owner >> cls >> type;) {
        unsigned t = 0;
        lines >> t;
        out.insert(static_cast<std::uint16_t>(t));
        std::string rest;
        std::getline(lines, rest);
    }
    return out;
}

void start(store::Env& env, zones::KeyRole role) {
    env.write([&](store::WriteTxn& txn) { zones::start_rollover(txn, zone, role); });
}

} // namespace

TEST_CASE("ksk-zsk: the KSK signs the DNSKEY RRset, the ZSK the rest; DS and CDS name the KSK",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    env.write([&](store::WriteTxn& txn) {
        zones::configure_signing(txn, policy(zones::KeyScheme::KskZsk, 0));
    });
    test::import_zone_file(env, test::example_zone_file);
    const auto keys = keys_of(env);
    REQUIRE(keys.size() == 2);
    const std::uint16_t ksk = tag(env, zones::KeyRole::Ksk, zones::KeyState::Active);
    const std::uint16_t zsk = tag(env, zones::KeyRole::Zsk, zones::KeyState::Active);
    REQUIRE(ksk != 0);
    REQUIRE(zsk != 0);
    const Signed apex = signed_at(env, zone);
    CHECK(apex.dnskey == Tags{ksk, zsk});
    CHECK(apex.sigs.at(zones::RRType::DNSKEY) == Tags{ksk});
    CHECK(apex.sigs.at(zones::RRType::CDS) == Tags{ksk});
    CHECK(apex.sigs.at(zones::RRType::CDNSKEY) == Tags{ksk});
    CHECK(apex.sigs.at(zones::RRType::SOA) == Tags{zsk});
    CHECK(apex.sigs.at(zones::RRType::NS) == Tags{zsk});
    CHECK(apex.cds == Tags{ksk});
    CHECK(signed_at(env, "www." + zone).sigs.at(zones::RRType::A) == Tags{zsk});
    CHECK(ds_tags(env) == Tags{ksk});
    // The scheme applies to new keys only: a policy back to csk leaves the zone's keys alone.
    CHECK(step_at(env, zones::KeyScheme::Csk, 0) == 0);
    CHECK(keys_of(env).size() == 2);
}

TEST_CASE("a ZSK rollover by pre-publication and a KSK rollover by double-DS, on the clock",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    const auto scheme = zones::KeyScheme::KskZsk;
    step_at(env, scheme, 0);
    test::import_zone_file(env, test::example_zone_file); // TTL 3600 throughout
    const std::uint16_t ksk = tag(env, zones::KeyRole::Ksk, zones::KeyState::Active);
    const std::uint16_t zsk = tag(env, zones::KeyRole::Zsk, zones::KeyState::Active);
    const std::string www = "www." + zone;

    // ZSK: the new key published, not signing.
    start(env, zones::KeyRole::Zsk);
    const std::uint16_t zsk2 = tag(env, zones::KeyRole::Zsk, zones::KeyState::Published);
    REQUIRE(zsk2 != 0);
    CHECK_THROWS_AS(start(env, zones::KeyRole::Ksk), zones::InvalidValue);
    CHECK(signed_at(env, zone).dnskey == Tags{ksk, zsk, zsk2});
    CHECK(signed_at(env, www).sigs.at(zones::RRType::A) == Tags{zsk});
    // Each wait is checked 10 s short of its end: the offsets add to the real clock, which may
    // tick a second or two between two steps on a loaded machine.
    CHECK(step_at(env, scheme, 3590) == 0); // DNSKEY TTL 3600 + propagation delay 0
    // The new ZSK signs everything; the old one stays published.
    CHECK(step_at(env, scheme, 3600) == 1);
    CHECK(tag(env, zones::KeyRole::Zsk, zones::KeyState::Active) == zsk2);
    CHECK(tag(env, zones::KeyRole::Zsk, zones::KeyState::Retiring) == zsk);
    CHECK(signed_at(env, www).sigs.at(zones::RRType::A) == Tags{zsk2});
    CHECK(signed_at(env, zone).sigs.at(zones::RRType::SOA) == Tags{zsk2});
    CHECK(signed_at(env, zone).sigs.at(zones::RRType::DNSKEY) == Tags{ksk});
    CHECK(signed_at(env, zone).dnskey == Tags{ksk, zsk, zsk2});
    CHECK(step_at(env, scheme, 7190) == 0); // the largest TTL of the data: 3600
    CHECK(step_at(env, scheme, 7200) == 1);
    CHECK(signed_at(env, zone).dnskey == Tags{ksk, zsk2});
    CHECK(keys_of(env).size() == 2);

    // KSK: the new key's DS first, beside the old one; the key itself not yet published.
    start(env, zones::KeyRole::Ksk);
    const std::uint16_t ksk2 = tag(env, zones::KeyRole::Ksk, zones::KeyState::Submitted);
    REQUIRE(ksk2 != 0);
    CHECK(ds_tags(env) == Tags{ksk, ksk2});
    CHECK(signed_at(env, zone).cds == Tags{ksk, ksk2});
    CHECK(signed_at(env, zone).dnskey == Tags{ksk, zsk2});
    CHECK(signed_at(env, zone).sigs.at(zones::RRType::DNSKEY) == Tags{ksk});
    CHECK(step_at(env, scheme, 7250) == 0); // parent DS TTL 60 + propagation delay 0
    // The new KSK replaces the old one in the DNSKEY RRset; both DS stay listed.
    CHECK(step_at(env, scheme, 7260) == 1);
    CHECK(tag(env, zones::KeyRole::Ksk, zones::KeyState::Active) == ksk2);
    CHECK(tag(env, zones::KeyRole::Ksk, zones::KeyState::Removed) == ksk);
    CHECK(signed_at(env, zone).dnskey == Tags{ksk2, zsk2});
    CHECK(signed_at(env, zone).sigs.at(zones::RRType::DNSKEY) == Tags{ksk2});
    CHECK(signed_at(env, zone).sigs.at(zones::RRType::SOA) == Tags{zsk2});
    CHECK(ds_tags(env) == Tags{ksk, ksk2});
    CHECK(step_at(env, scheme, 10850) == 0); // the old DNSKEY RRset's TTL 3600
    CHECK(step_at(env, scheme, 10860) == 1);
    CHECK(ds_tags(env) == Tags{ksk2});
    CHECK(signed_at(env, zone).cds == Tags{ksk2});
    CHECK(keys_of(env).size() == 2);
    CHECK(step_at(env, scheme, 20000) == 0); // over
}

TEST_CASE("a CSK zone moves to a KSK and a ZSK by a ZSK rollover under keys = ksk-zsk",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    step_at(env, zones::KeyScheme::Csk, 0);
    test::import_zone_file(env, test::example_zone_file);
    const std::uint16_t csk = tag(env, zones::KeyRole::Csk, zones::KeyState::Active);
    REQUIRE(csk != 0);
    REQUIRE(keys_of(env).size() == 1);
    step_at(env, zones::KeyScheme::KskZsk, 0);
    start(env, zones::KeyRole::Zsk);
    const std::uint16_t zsk = tag(env, zones::KeyRole::Zsk, zones::KeyState::Published);
    REQUIRE(zsk != 0);
    CHECK(signed_at(env, "www." + zone).sigs.at(zones::RRType::A) == Tags{csk});
    CHECK(step_at(env, zones::KeyScheme::KskZsk, 3600) == 1);
    CHECK(tag(env, zones::KeyRole::Ksk, zones::KeyState::Active) == csk);
    CHECK(tag(env, zones::KeyRole::Zsk, zones::KeyState::Active) == zsk);
    CHECK(signed_at(env, "www." + zone).sigs.at(zones::RRType::A) == Tags{zsk});
    CHECK(signed_at(env, zone).sigs.at(zones::RRType::DNSKEY) == Tags{csk});
    CHECK(ds_tags(env) == Tags{csk}); // the DS is unchanged
}
