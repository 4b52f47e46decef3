// Bulk signing in slices (issue 16): a zone larger than one slice entering the policy is
// signed by a job in Meta, one bounded transaction at a time, its apex publishing no keys until
// the last slice; the job survives a reopen of the store (a restart) and resumes where it
// stopped; `resign_zone` and unsigning run the same way; a small zone is still signed at once.
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/compile.hpp"
#include "zones/node.hpp"
#include "zones/signer.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>

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

std::uint32_t serial(store::Env& env) {
    store::ReadTxn txn(env);
    return store::get_zone(txn, zone)->serial;
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
        const std::uint32_t before = serial(env);
        const auto first = step(env, 400);
        CHECK(first.any);
        CHECK(first.nodes == 400);
        CHECK_FALSE(first.finished);
        CHECK(serial(env) != before); // each slice a new serial
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
