// Keys and rollovers of the signer (issue 16, signer_keys.cpp) through a real store:
// `keys = ksk-zsk` gives a zone a KSK that signs the DNSKEY, CDS and CDNSKEY RRsets only and a
// ZSK that signs the rest, CDS and `dnssec ds` naming the KSK; a ZSK rollover by
// pre-publication and a KSK rollover by double-DS move on only when the signer's clock has
// passed each wait (docs/decisions.md "Key rollovers"), with the right keys published, signing
// and listed as DS at every step; a CSK zone moves to a KSK and a ZSK by a ZSK rollover.
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
using Tags = std::set<std::uint16_t>;

zones::SigningPolicy policy(zones::KeyScheme keys, std::int64_t offset) {
    zones::SigningPolicy p;
    p.all = true;
    p.keys = keys;
    p.clock_offset = offset;
    p.propagation_delay = 0;
    p.parent_ds_ttl = 60;
    return p;
}

// RFC 4034 Appendix B: the key tag of a DNSKEY rdata.
std::uint16_t key_tag(std::string_view rdata) {
    std::uint32_t ac = 0;
    for (std::size_t i = 0; i < rdata.size(); ++i) {
        const auto b = static_cast<std::uint8_t>(rdata[i]);
        ac += (i & 1) ? b : std::uint32_t{b} << 8;
    }
    ac += (ac >> 16) & 0xffff;
    return static_cast<std::uint16_t>(ac & 0xffff);
}

// Sets the clock (the policy with another offset) and takes the steps due.
std::size_t step_at(store::Env& env, zones::KeyScheme keys, std::int64_t offset) {
    return env.write([&](store::WriteTxn& txn) {
        zones::configure_signing(txn, policy(keys, offset));
        return zones::rollover_step(txn);
    });
}

// The key tags of the RRSIGs over each type at `owner`, and those of its DNSKEY and CDS RRs.
struct Signed {
    std::map<zones::RRType, Tags> sigs;
    Tags dnskey, cds;
};

Signed signed_at(store::Env& env, const std::string& owner) {
    store::ReadTxn txn(env);
    Signed out;
    const auto v = txn.get(store::Table::DnsNodes, zones::name_key(owner));
    REQUIRE(v);
    const zones::NodeView view(*v);
    for (std::uint16_t i = 0; i < view.rrset_count(); ++i) {
        zones::RrsetView rrset;
        REQUIRE(view.at(i, rrset));
        std::size_t pos = 0;
        zones::RrView rr{};
        while (rrset.next_rr(pos, rr)) {
            if (rrset.type() == zones::RRType::RRSIG) {
                const auto covered = static_cast<zones::RRType>(store::get_u16(rr.rdata, 0));
                out.sigs[covered].insert(store::get_u16(rr.rdata, 16));
            } else if (rrset.type() == zones::RRType::CDS) {
                out.cds.insert(store::get_u16(rr.rdata, 0));
            } else if (rrset.type() == zones::RRType::DNSKEY) {
                out.dnskey.insert(key_tag(rr.rdata));
            }
        }
    }
    return out;
}

std::vector<zones::ZoneKeyInfo> keys_of(store::Env& env) {
    store::ReadTxn txn(env);
    return zones::zone_keys(txn, zone);
}

// The tag of the zone's key in `role` and `state` (0: none).
std::uint16_t tag(store::Env& env, zones::KeyRole role, zones::KeyState state) {
    for (const auto& k : keys_of(env)) {
        if (k.role == role && k.state == state) {
            return k.tag;
        }
    }
    return 0;
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
    CHECK(step_at(env, scheme, 3599) == 0); // DNSKEY TTL 3600 + propagation delay 0
    // The new ZSK signs everything; the old one stays published.
    CHECK(step_at(env, scheme, 3600) == 1);
    CHECK(tag(env, zones::KeyRole::Zsk, zones::KeyState::Active) == zsk2);
    CHECK(tag(env, zones::KeyRole::Zsk, zones::KeyState::Retiring) == zsk);
    CHECK(signed_at(env, www).sigs.at(zones::RRType::A) == Tags{zsk2});
    CHECK(signed_at(env, zone).sigs.at(zones::RRType::SOA) == Tags{zsk2});
    CHECK(signed_at(env, zone).sigs.at(zones::RRType::DNSKEY) == Tags{ksk});
    CHECK(signed_at(env, zone).dnskey == Tags{ksk, zsk, zsk2});
    CHECK(step_at(env, scheme, 7199) == 0); // the largest TTL of the data: 3600
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
    CHECK(step_at(env, scheme, 7259) == 0); // parent DS TTL 60 + propagation delay 0
    // The new KSK replaces the old one in the DNSKEY RRset; both DS stay listed.
    CHECK(step_at(env, scheme, 7260) == 1);
    CHECK(tag(env, zones::KeyRole::Ksk, zones::KeyState::Active) == ksk2);
    CHECK(tag(env, zones::KeyRole::Ksk, zones::KeyState::Removed) == ksk);
    CHECK(signed_at(env, zone).dnskey == Tags{ksk2, zsk2});
    CHECK(signed_at(env, zone).sigs.at(zones::RRType::DNSKEY) == Tags{ksk2});
    CHECK(signed_at(env, zone).sigs.at(zones::RRType::SOA) == Tags{zsk2});
    CHECK(ds_tags(env) == Tags{ksk, ksk2});
    CHECK(step_at(env, scheme, 10859) == 0); // the old DNSKEY RRset's TTL 3600
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
