// Bulk signing in slices (issue 16): a zone larger than one slice entering the policy is
// signed by a job in Meta, one bounded transaction at a time, its apex publishing no keys until
// the last slice; the job survives a reopen of the store (a restart) and resumes where it
// stopped; `resign_zone` and unsigning run the same way; a small zone is still signed at once.
// A chain switch (NSEC <-> NSEC3) builds the new chain beside the old one before the apex
// switches, and a rollover's whole-zone re-sign (a new ZSK, a CSK's double signature) runs in
// slices too, the zone validly signed by a published key at every slice.
#include "signed_nodes.hpp"
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/compile.hpp"
#include "zones/lookup.hpp"
#include "zones/node.hpp"
#include "zones/signer.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace sb;

namespace {

const std::string zone = "bulk.test";
constexpr std::size_t names = zones::bulk_slice_nodes + 500;

std::string big_zone() {
    std::string text = "$ORIGIN bulk.test.\n$TTL 3600\n@ SOA ns1.bulk.test. hostmaster.bulk.test. "
                       "1 10800 3600 604800 300\n@ NS ns1\nns1 A 192.0.2.53\n";
    for (std::size_t i = 0; i < names; ++i) {
        text += "h" + std::to_string(i) + " A 192.0.2.1\n";
    }
    return text;
}

struct Census {
    bool keys_published = false; // DNSKEY and NSEC3PARAM at the apex
    std::size_t signed_owners = 0;
    std::size_t unsigned_owners = 0; // owners with data and no RRSIG
    std::size_t hashed = 0;          // NSEC3 owners
};

Census census(store::Env& env) {
    Census out;
    store::ReadTxn txn(env);
    const std::string prefix = zones::name_key(zone);
    store::Cursor c = txn.cursor(store::Table::DnsNodes);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        const zones::NodeView view(c.value());
        zones::RrsetView rrset;
        if (c.key() == prefix) {
            out.keys_published = view.find(zones::RRType::DNSKEY, rrset) &&
                                 view.find(zones::RRType::NSEC3PARAM, rrset);
        }
        if (view.flags() & zones::NodeNsec3Only) {
            ++out.hashed;
        } else if (view.find(zones::RRType::RRSIG, rrset)) {
            ++out.signed_owners;
        } else {
            ++out.unsigned_owners;
        }
    }
    return out;
}

std::optional<zones::BulkJob> job(store::Env& env) {
    store::ReadTxn txn(env);
    return zones::signing_job(txn, zone);
}

zones::BulkStep step(store::Env& env, std::size_t max_nodes = zones::bulk_slice_nodes) {
    return env.write([&](store::WriteTxn& txn) { return zones::bulk_sign_step(txn, max_nodes); });
}

std::size_t finish(store::Env& env) {
    std::size_t steps = 0;
    while (step(env).any) {
        ++steps;
        REQUIRE(steps < 100);
    }
    return steps;
}

void set_policy(store::Env& env, std::optional<zones::SigningPolicy> p) {
    env.write([&](store::WriteTxn& txn) { zones::configure_signing(txn, p); });
}

zones::SigningPolicy all_zones() {
    zones::SigningPolicy p;
    p.all = true;
    return p;
}

} // namespace

TEST_CASE("a large zone is signed in slices, keys published by the last, resumable",
          "[zones][dnssec]") {
    test::TempDir dir;
    {
        store::Env env(dir.path());
        test::import_zone_file(env, big_zone()); // no policy yet: unsigned
        CHECK(census(env).signed_owners == 0);
        set_policy(env, all_zones());
        // Queued, not done: the apex is signed but publishes no keys.
        const auto queued = job(env);
        REQUIRE(queued);
        CHECK(queued->target == zones::BulkTarget::Sign);
        CHECK(queued->last.empty());
        auto c = census(env);
        CHECK_FALSE(c.keys_published);
        CHECK(c.unsigned_owners >= names);
        {
            store::ReadTxn txn(env);
            CHECK(zones::signing_jobs(txn).size() == 1);
        }
        const std::uint32_t before = test::zone_serial(env, zone);
        const auto first = step(env, 400);
        CHECK(first.any);
        CHECK(first.nodes == 400);
        CHECK_FALSE(first.finished);
        CHECK(test::zone_serial(env, zone) != before); // each slice a new serial
        c = census(env);
        CHECK_FALSE(c.keys_published);
        CHECK(c.signed_owners >= 400);
        CHECK(c.unsigned_owners > 0);
        REQUIRE(job(env));
        CHECK_FALSE(job(env)->last.empty());
    } // the store closed mid-job: a restart
    store::Env env(dir.path());
    const auto resumed = job(env);
    REQUIRE(resumed);
    const std::size_t signed_before = census(env).signed_owners;
    const auto next = step(env, 400);
    CHECK(next.nodes == 400);
    CHECK(census(env).signed_owners >= signed_before + 300); // did not start over
    finish(env);
    CHECK_FALSE(job(env));
    auto c = census(env);
    CHECK(c.keys_published);
    CHECK(c.unsigned_owners == 0);
    CHECK(c.hashed == names + 2); // every owner but the apex... and the apex, ns1
    {
        store::ReadTxn txn(env);
        CHECK(zones::ds_records(txn, zone).find(" IN DS ") != std::string::npos);
    }

    SECTION("dnssec sign: a Resign job, every node stays signed throughout") {
        env.write([&](store::WriteTxn& txn) { zones::resign_zone(txn, zone); });
        REQUIRE(job(env));
        CHECK(job(env)->target == zones::BulkTarget::Resign);
        step(env, 300);
        c = census(env);
        CHECK(c.keys_published);
        CHECK(c.unsigned_owners == 0);
        finish(env);
        CHECK_FALSE(job(env));
    }

    SECTION("the policy dropped: the apex unsigned at once, the rest in slices") {
        set_policy(env, std::nullopt);
        REQUIRE(job(env));
        CHECK(job(env)->target == zones::BulkTarget::Unsign);
        CHECK_FALSE(census(env).keys_published);
        CHECK(finish(env) >= 2);
        c = census(env);
        CHECK(c.signed_owners == 0);
        CHECK(c.hashed == 0);
    }

    SECTION("the zone deleted mid-job: the job goes with it") {
        set_policy(env, std::nullopt);
        env.write([&](store::WriteTxn& txn) { zones::drop_zone(txn, zone); });
        CHECK_FALSE(job(env));
        CHECK_FALSE(step(env).any);
        c = census(env);
        CHECK(c.hashed == 0); // its chain went too
        CHECK(c.signed_owners == 0);
    }
}

TEST_CASE("a zone of one slice or less is signed in the transaction that asks", "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    set_policy(env, all_zones());
    std::string text = big_zone();
    text.resize(text.find("h100 A")); // 100 names
    test::import_zone_file(env, text);
    CHECK_FALSE(job(env));
    const auto c = census(env);
    CHECK(c.keys_published);
    CHECK(c.unsigned_owners == 0);
}

TEST_CASE("an NSEC zone signed in slices: keys published by the last, every owner an NSEC",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::import_zone_file(env, big_zone());
    auto policy = all_zones();
    policy.nsec3 = false;
    set_policy(env, policy);
    REQUIRE(job(env));
    step(env, 700);
    {
        // Part done: no DNSKEY published yet.
        store::ReadTxn txn(env);
        const auto apex = txn.get(store::Table::DnsNodes, zones::name_key(zone));
        zones::RrsetView rrset;
        CHECK_FALSE(zones::NodeView(*apex).find(zones::RRType::DNSKEY, rrset));
    }
    finish(env);
    store::ReadTxn txn(env);
    const std::string prefix = zones::name_key(zone);
    std::size_t nsecs = 0;
    store::Cursor c = txn.cursor(store::Table::DnsNodes);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        zones::RrsetView rrset;
        const zones::NodeView view(c.value());
        REQUIRE(view.find(zones::RRType::NSEC, rrset));
        CHECK(view.find(zones::RRType::RRSIG, rrset));
        ++nsecs;
    }
    CHECK(nsecs == names + 2);
    const auto apex = txn.get(store::Table::DnsNodes, prefix);
    zones::RrsetView rrset;
    CHECK(zones::NodeView(*apex).find(zones::RRType::DNSKEY, rrset));
    CHECK_FALSE(zones::NodeView(*apex).find(zones::RRType::NSEC3PARAM, rrset));
}

namespace {

zones::SigningPolicy chain_policy(bool nsec3) {
    auto p = all_zones();
    p.nsec3 = nsec3;
    return p;
}

bool apex_has(store::Env& env, zones::RRType type) {
    return test::signed_node(env, zone).types.count(type) == 1;
}

std::size_t hashed_owners(store::Env& env) {
    std::size_t n = 0;
    for (const auto& [key, o] : test::signed_nodes(env, zone)) {
        n += (o.flags & zones::NodeNsec3Only) ? 1 : 0;
    }
    return n;
}

// The label of the last hashed owner (a node holding only NSEC3) in key order: past the
// zone's names ("v..." sorts after "ns1" and the "h" names).
std::string last_hashed_label(store::Env& env) {
    std::string last;
    for (const auto& [key, o] : test::signed_nodes(env, zone)) {
        if (o.flags & zones::NodeNsec3Only) {
            last = zones::key_to_name(key).substr(0, 32);
        }
    }
    REQUIRE(last > "ns1");
    return last;
}

// The owner keys of the NSEC proofs of a DO=1 query for `name` (A), which must be NXDOMAIN.
std::set<std::string> nxdomain_nsec_owners(store::Env& env, const std::string& name) {
    const test::SignedLookup q(env, name, zones::RRType::A);
    REQUIRE(q.state == zones::LookupState::NxDomain);
    std::set<std::string> out;
    for (std::size_t i = 0; i < q.dnssec.proof_count; ++i) {
        REQUIRE(q.dnssec.proofs[i].rrset.type() == zones::RRType::NSEC);
        out.insert(test::wire_key(q.dnssec.proofs[i].owner()));
    }
    return out;
}

std::size_t nsec_owners(store::Env& env) {
    return test::nsec_chain(env, zone).size();
}

constexpr std::size_t owners_total = names + 2; // the apex, ns1 and the h names
// After the change in the first case: 3 names gone, new1 and deep.new2 come (NSEC3 also has
// the empty non-terminal new2).
constexpr std::size_t nsec_owners_after = owners_total - 1;

} // namespace

TEST_CASE("an NSEC to NSEC3 switch of a large zone: the new chain built beside the old, the "
          "apex switched last, resumable",
          "[zones][dnssec]") {
    test::TempDir dir;
    {
        store::Env env(dir.path());
        set_policy(env, chain_policy(false));
        test::import_zone_file(env, big_zone());
        finish(env);
        REQUIRE(test::check_nsec_ring(env, zone) == owners_total);
        CHECK(hashed_owners(env) == 0);
        set_policy(env, chain_policy(true));
        REQUIRE(job(env));
        CHECK(job(env)->target == zones::BulkTarget::Rechain);
        CHECK(job(env)->nsec3);
        CHECK_FALSE(job(env)->switched);
        const auto first = step(env, 400);
        CHECK(first.nodes == 400);
        CHECK_FALSE(first.switched);
        // The zone still serves its NSEC chain, whole; the NSEC3 one is being built.
        CHECK(apex_has(env, zones::RRType::NSEC));
        CHECK_FALSE(apex_has(env, zones::RRType::NSEC3PARAM));
        CHECK(test::check_nsec_ring(env, zone) == owners_total);
        const std::size_t hashed = hashed_owners(env);
        CHECK(hashed > 400);
        CHECK(hashed < owners_total);
        // A name below one of the new chain's hashed owners is not below an encloser of the
        // zone's: its NXDOMAIN proves no "*" at the apex with the apex's NSEC (RFC 5155
        // §7.2.8), as a validator expects from the NSEC chain it is given.
        CHECK(nxdomain_nsec_owners(env, "x." + last_hashed_label(env) + "." + zone)
                  .count(zones::name_key(zone)) == 1);
        // Changes meanwhile (as over SOAP): names go (one the build has passed, h1 - keys
        // sort h1 before h10.. - and some it has not) and come; both chains follow them.
        std::string text = big_zone();
        for (const char* gone : {"h1 A", "h1200 A", "h1201 A"}) {
            const auto at = text.find(std::string("\n") + gone);
            text.erase(at + 1, text.find('\n', at + 1) - at);
        }
        text += "new1 A 192.0.2.9\ndeep.new2 A 192.0.2.9\n"; // new2: an empty non-terminal
        test::import_zone_file(env, text, true);
        CHECK(test::check_nsec_ring(env, zone) == nsec_owners_after);
    } // a restart mid-build
    store::Env env(dir.path());
    REQUIRE(job(env));
    CHECK_FALSE(job(env)->switched);
    std::size_t slices = 0;
    for (;;) {
        const auto s = step(env, 400);
        ++slices;
        REQUIRE(slices < 20);
        if (s.switched) {
            break;
        }
        CHECK_FALSE(apex_has(env, zones::RRType::NSEC3PARAM));
        CHECK(test::check_nsec_ring(env, zone) == nsec_owners_after);
    }
    CHECK(slices >= 3); // 1100 more owners, 400 a slice
    // The switch: the NSEC3 chain whole, the apex naming it.
    CHECK(apex_has(env, zones::RRType::NSEC3PARAM));
    CHECK_FALSE(apex_has(env, zones::RRType::NSEC));
    CHECK(test::check_nsec3_ring(test::signed_nodes(env, zone), zone) == owners_total);
    REQUIRE(job(env));
    CHECK(job(env)->switched);
    // Then the old chain's NSEC RRs go, slice by slice.
    step(env, 400);
    const std::size_t left = nsec_owners(env);
    CHECK(left > 0);
    CHECK(left < owners_total);
    finish(env);
    CHECK_FALSE(job(env));
    CHECK(nsec_owners(env) == 0);
    CHECK(test::check_nsec3_ring(test::signed_nodes(env, zone), zone) == owners_total);
    CHECK(census(env).unsigned_owners == 0);
}

TEST_CASE("an NSEC3 to NSEC switch of a large zone: the NSEC chain built first, the hashed "
          "owners removed after the apex switched",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    set_policy(env, chain_policy(true));
    test::import_zone_file(env, big_zone());
    finish(env);
    REQUIRE(hashed_owners(env) == owners_total);
    set_policy(env, chain_policy(false));
    REQUIRE(job(env));
    CHECK_FALSE(job(env)->nsec3);
    step(env, 700); // the hashed owners sort among the names: both kinds in a slice
    CHECK(apex_has(env, zones::RRType::NSEC3PARAM));
    CHECK(test::check_nsec3_ring(test::signed_nodes(env, zone), zone) == owners_total);
    const std::size_t built = nsec_owners(env);
    CHECK(built > 0);
    CHECK(built < owners_total);

    SECTION("run to the end: the apex switches once every owner has its NSEC") {
        bool switched = false;
        for (std::size_t slices = 0; !switched; ++slices) {
            REQUIRE(slices < 20);
            switched = step(env, 700).switched;
        }
        CHECK_FALSE(apex_has(env, zones::RRType::NSEC3PARAM));
        CHECK(apex_has(env, zones::RRType::NSEC));
        CHECK(test::check_nsec_ring(env, zone) == owners_total);
        CHECK(hashed_owners(env) == owners_total); // still there, not served
        finish(env);
        CHECK(hashed_owners(env) == 0);
        CHECK(test::check_nsec_ring(env, zone) == owners_total);
    }

    SECTION("switched back mid-build: the partial NSEC chain is removed, NSEC3 kept") {
        set_policy(env, chain_policy(true));
        REQUIRE(job(env));
        CHECK(job(env)->switched); // the zone serves NSEC3 already: only the clean-up is left
        finish(env);
        CHECK(nsec_owners(env) == 0);
        CHECK(apex_has(env, zones::RRType::NSEC3PARAM));
        CHECK(test::check_nsec3_ring(test::signed_nodes(env, zone), zone) == owners_total);
    }
}

namespace {

std::size_t step_at(store::Env& env, zones::KeyScheme keys, std::int64_t offset) {
    return test::rollover_step_at(env, keys, offset);
}

std::uint16_t tag(store::Env& env, zones::KeyRole role, zones::KeyState state) {
    return test::key_tag_of(env, zone, role, state);
}

// The signer tags of the h names' A RRsets, counted per set of tags.
std::map<test::Tags, std::size_t> a_signers(store::Env& env) {
    std::map<test::Tags, std::size_t> out;
    for (const auto& [key, o] : test::signed_nodes(env, zone)) {
        if (const auto it = o.sigs.find(zones::RRType::A); it != o.sigs.end()) {
            ++out[it->second];
        }
    }
    return out;
}

} // namespace

TEST_CASE("a ZSK rollover's re-sign runs in slices, the old ZSK published until it ends",
          "[zones][dnssec]") {
    test::TempDir dir;
    const auto scheme = zones::KeyScheme::KskZsk;
    std::uint16_t zsk = 0, zsk2 = 0, ksk = 0;
    {
        store::Env env(dir.path());
        step_at(env, scheme, 0);
        test::import_zone_file(env, big_zone());
        finish(env);
        zsk = tag(env, zones::KeyRole::Zsk, zones::KeyState::Active);
        ksk = tag(env, zones::KeyRole::Ksk, zones::KeyState::Active);
        env.write(
            [&](store::WriteTxn& txn) { zones::start_rollover(txn, zone, zones::KeyRole::Zsk); });
        CHECK_FALSE(job(env)); // pre-publication: the apex only
        zsk2 = tag(env, zones::KeyRole::Zsk, zones::KeyState::Published);
        REQUIRE(zsk2 != 0);
        CHECK(step_at(env, scheme, 3600) == 1); // the new ZSK takes over
        CHECK(tag(env, zones::KeyRole::Zsk, zones::KeyState::Active) == zsk2);
        REQUIRE(job(env));
        CHECK(job(env)->target == zones::BulkTarget::Resign);
        step(env, 1500); // about half the nodes (the hashed owners sort among the names)
        // Each RRset signed by one ZSK, both published: the old one's signatures stay valid.
        const auto signers = a_signers(env);
        CHECK(signers.size() == 2);
        CHECK(signers.count(test::Tags{zsk}) == 1);
        CHECK(signers.count(test::Tags{zsk2}) == 1);
        CHECK(test::signed_node(env, zone).dnskey == test::Tags{ksk, zsk, zsk2});
        CHECK(census(env).unsigned_owners == 0);
        // A rollover can not start, nor the old ZSK go, while the pass runs.
        CHECK_THROWS_AS(env.write([&](store::WriteTxn& txn) {
            zones::start_rollover(txn, zone, zones::KeyRole::Ksk);
        }),
                        zones::InvalidValue);
        CHECK(step_at(env, scheme, 9000) == 0);
    } // a restart mid-pass
    store::Env env(dir.path());
    REQUIRE(job(env));
    CHECK(tag(env, zones::KeyRole::Zsk, zones::KeyState::Retiring) == zsk);
    CHECK(finish(env) >= 2);
    CHECK(a_signers(env) == std::map<test::Tags, std::size_t>{{test::Tags{zsk2}, names + 1}});
    // The old ZSK's wait (its signatures' TTL, 3600) counts from the end of the pass (9000).
    CHECK(step_at(env, scheme, 12590) == 0);
    CHECK(step_at(env, scheme, 12600) == 1);
    CHECK(test::signed_node(env, zone).dnskey == test::Tags{ksk, zsk2});
}

TEST_CASE("a CSK rollover's double signature is added in slices", "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    const auto scheme = zones::KeyScheme::Csk;
    step_at(env, scheme, 0);
    test::import_zone_file(env, big_zone());
    finish(env);
    const std::uint16_t csk = tag(env, zones::KeyRole::Csk, zones::KeyState::Active);
    env.write([&](store::WriteTxn& txn) { zones::start_rollover(txn, zone, zones::KeyRole::Ksk); });
    const std::uint16_t csk2 = tag(env, zones::KeyRole::Csk, zones::KeyState::Incoming);
    REQUIRE(csk2 != 0);
    REQUIRE(job(env));
    CHECK(test::signed_node(env, zone).dnskey == test::Tags{csk, csk2});
    step(env, 1500);
    const auto signers = a_signers(env);
    CHECK(signers.count(test::Tags{csk}) == 1);
    CHECK(signers.count(test::Tags{csk, csk2}) == 1);
    CHECK(step_at(env, scheme, 7200) == 0); // the new key waits for the pass
    finish(env);
    CHECK(a_signers(env) == std::map<test::Tags, std::size_t>{{test::Tags{csk, csk2}, names + 1}});
    // Active once the DNSKEY TTL has passed since the pass ended (at 7200); then a second pass
    // drops the old key's signatures.
    CHECK(step_at(env, scheme, 10790) == 0);
    CHECK(step_at(env, scheme, 10800) == 1);
    CHECK(tag(env, zones::KeyRole::Csk, zones::KeyState::Active) == csk2);
    REQUIRE(job(env));
    finish(env);
    CHECK(a_signers(env) == std::map<test::Tags, std::size_t>{{test::Tags{csk2}, names + 1}});
}

TEST_CASE("unsigning in slices serves again an owner whose records signing kept out of the nodes",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    set_policy(env, all_zones());
    test::import_zone_file(env, big_zone() + "orphan NSEC h1.bulk.test. A\n");
    finish(env);
    const std::string key = zones::name_key("orphan." + std::string(zone));
    {
        store::ReadTxn txn(env);
        REQUIRE(!txn.get(store::Table::DnsNodes, key)); // the signed zone serves its own chain
        REQUIRE(txn.stats(store::Table::RecordsByOwner).entries == 1);
    }
    set_policy(env, std::nullopt);
    CHECK(finish(env) >= 2);
    store::ReadTxn txn(env);
    const auto node = txn.get(store::Table::DnsNodes, key);
    REQUIRE(node);
    zones::RrsetView nsec;
    CHECK(zones::NodeView(*node).find(zones::RRType::NSEC, nsec));
    CHECK(txn.stats(store::Table::RecordsByOwner).entries == 0);
}
