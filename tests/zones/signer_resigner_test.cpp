// The background re-signer's work (issue 16, ResignerWork): a zone whose signing keeps failing
// (its key row corrupt) is backed off alone — its job and its refresh skipped for 30 s, then
// 60 s, up to the cap, each failure counted — while the other zone's signatures are refreshed;
// once the zone is mended its job and refresh go through and its backoff is forgotten.
#include "signed_nodes.hpp"
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/signer.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

using namespace sb;
using namespace std::chrono_literals;
using Work = zones::ResignerWork;

namespace {

const std::string good = "example.com";
const std::string broken = "big.test";

std::string big_zone() {
    std::string text = "$ORIGIN big.test.\n$TTL 3600\n@ SOA ns1.big.test. hostmaster.big.test. "
                       "1 10800 3600 604800 300\n@ NS ns1\nns1 A 192.0.2.53\n";
    for (std::size_t i = 0; i < zones::bulk_slice_nodes + 200; ++i) {
        text += "h" + std::to_string(i) + " A 192.0.2.1\n";
    }
    return text;
}

void set_clock(store::Env& env, std::int64_t offset) {
    zones::SigningPolicy p;
    p.all = true;
    p.clock_offset = offset;
    env.write([&](store::WriteTxn& txn) { zones::configure_signing(txn, p); });
}

// True when every signature of `zone` has more than 13 of its 14 days left.
bool fresh(store::Env& env, const std::string& zone) {
    const auto ends = test::signature_expirations(env, zone);
    REQUIRE(!ends.empty());
    return *std::min_element(ends.begin(), ends.end()) > std::time(nullptr) + 13 * 86400;
}

using Rows = std::vector<std::pair<std::string, std::string>>;

// Replaces the zone's key rows by bytes no key row has; returns them as they were.
Rows corrupt_keys(store::Env& env, const std::string& zone) {
    Rows saved;
    env.write([&](store::WriteTxn& txn) {
        const std::string prefix = zone + std::string(1, '\0');
        store::Cursor c = txn.cursor(store::Table::DnssecKeys);
        for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
            saved.emplace_back(c.key(), c.value());
        }
        for (const auto& [key, value] : saved) {
            txn.put(store::Table::DnssecKeys, key, std::string("\x7f", 1));
        }
    });
    REQUIRE(!saved.empty());
    return saved;
}

void restore(store::Env& env, const Rows& rows) {
    env.write([&](store::WriteTxn& txn) {
        for (const auto& [key, value] : rows) {
            txn.put(store::Table::DnssecKeys, key, value);
        }
    });
}

// Steps until a refresh pass ends (or a failure); returns the steps taken.
std::vector<Work::Step> until_pass_end(Work& work, Work::Clock::time_point now) {
    std::vector<Work::Step> steps;
    for (;;) {
        steps.push_back(work.step(now));
        REQUIRE(steps.size() < 100);
        if (!steps.back().more) {
            return steps;
        }
    }
}

bool failed_on(const std::vector<Work::Step>& steps, const std::string& zone) {
    return std::any_of(steps.begin(), steps.end(), [&](const Work::Step& s) {
        return s.did == Work::Did::Failed && s.zone == zone;
    });
}

} // namespace

TEST_CASE("a zone whose signing keeps failing is backed off alone; the others are refreshed",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    set_clock(env, -8 * 86400); // signed 8 days ago: every signature due on the real clock
    test::import_zone_file(env, test::example_zone_file);
    test::import_zone_file(env, big_zone());
    while (env.write([](store::WriteTxn& txn) { return zones::bulk_sign_step(txn).any; })) {
    }
    env.write([&](store::WriteTxn& txn) { zones::resign_zone(txn, broken); }); // a job queued
    set_clock(env, 0);
    REQUIRE_FALSE(fresh(env, good));
    const Rows keys = corrupt_keys(env, broken);

    Work::Limits limits;
    limits.backoff = 30s;
    limits.backoff_cap = 100s;
    Work work(env, limits);
    const auto t0 = Work::Clock::now();
    // The job fails first, then the refresh on the broken zone's nodes; then the pass goes on
    // without it and refreshes the good zone.
    auto steps = until_pass_end(work, t0);
    REQUIRE(steps.size() >= 3);
    CHECK(steps[0].did == Work::Did::Failed);
    CHECK(steps[0].zone == broken);
    CHECK(steps[0].retry_in == 30s);
    CHECK(steps[0].error.find("DNSSEC key row") != std::string::npos);
    CHECK(steps[1].did == Work::Did::Failed);
    CHECK(steps[1].zone == broken);
    CHECK(steps.back().did == Work::Did::Refresh);
    CHECK(work.failures() == 2);
    CHECK(fresh(env, good));
    CHECK_FALSE(fresh(env, broken));
    {
        store::ReadTxn txn(env);
        CHECK(zones::signing_job(txn, broken)); // still pending
    }

    // Within its backoff the broken zone is not tried; after it, once more, and the wait
    // doubles (to the cap).
    CHECK_FALSE(failed_on(until_pass_end(work, t0 + 29s), broken));
    CHECK(work.failures() == 2);
    steps = until_pass_end(work, t0 + 30s);
    REQUIRE(failed_on(steps, broken));
    CHECK(steps[0].retry_in == 60s);
    CHECK_FALSE(failed_on(until_pass_end(work, t0 + 89s), broken));
    steps = until_pass_end(work, t0 + 90s);
    REQUIRE(failed_on(steps, broken));
    CHECK(steps[0].retry_in == 100s); // the cap
    CHECK(work.failures() >= 4);

    // Mended: its job and its refresh go through once the wait is over.
    restore(env, keys);
    const std::uint64_t failures = work.failures();
    steps = until_pass_end(work, t0 + 200s);
    CHECK_FALSE(failed_on(steps, broken));
    CHECK(steps[0].did == Work::Did::Job);
    CHECK(work.failures() == failures);
    {
        store::ReadTxn txn(env);
        CHECK_FALSE(zones::signing_job(txn, broken));
    }
    until_pass_end(work, t0 + 300s); // a pass after its refresh backoff ran out
    CHECK(fresh(env, broken));
    CHECK(fresh(env, good));
}
