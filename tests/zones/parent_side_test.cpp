// DS at the apex of a child zone we also serve (RFC 4035 §3.1.4.1): the parent's side of the
// cut is derived into the child apex's node (node.hpp format 2) whichever zone comes first,
// answered for DS queries with the parent's signature, SOA and proofs, carried by the parent's
// transfers only, and gone with either zone.
#include "signed_nodes.hpp"
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/compile.hpp"
#include "zones/dnssec.hpp"
#include "zones/journal.hpp"
#include "zones/lookup.hpp"
#include "zones/node.hpp"
#include "zones/signer.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>

#include <set>
#include <string>

using namespace sb;
using zones::LookupState;
using zones::RRType;

namespace {

const std::string child_file = R"($ORIGIN sub.example.com.
@ 3600 IN SOA ns.sub.example.com. hostmaster.sub.example.com. 1 10800 3600 604800 300
@ 3600 IN NS ns.sub.example.com.
@ 3600 IN A 192.0.2.7
ns 3600 IN A 192.0.2.200
)";

// The example zone with a DS for sub.example.com written by the operator.
const std::string parent_ds = "sub IN DS 12345 13 2 "
                              "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n";

// Signing for every zone, or the parent (example.com) only.
void set_policy(store::Env& env, bool nsec3, bool parent_only = false) {
    zones::SigningPolicy p;
    p.all = !parent_only;
    if (parent_only) {
        p.zones = {"example.com"};
    }
    p.nsec3 = nsec3;
    env.write([&](store::WriteTxn& txn) { zones::configure_signing(txn, p); });
}

// A DS query for `name` with DO=1, as dnsd asks it.
struct DsAnswer {
    LookupState state = LookupState::Refused;
    std::vector<std::string> ds;      // rdata of the answer's DS RRs
    bool signed_answer = false;       // the DS came with RRSIGs
    std::string authority_owner;      // the SOA's owner (NoData), as a name key
    std::vector<RRType> proofs;       // the proofs' types
    std::vector<std::string> bitmaps; // NSEC/NSEC3 proofs: the rdata's text
};

DsAnswer ask_ds(store::Env& env, const std::string& name) {
    const test::SignedLookup q(env, name, RRType::DS);
    const zones::LookupResult& res = q.res;
    const zones::DnssecAnswer& dnssec = q.dnssec;
    DsAnswer out;
    out.state = q.state;
    if (out.state == LookupState::Hit) {
        REQUIRE(res.answer_count == 1);
        REQUIRE(res.answer[0].rrset.type() == RRType::DS);
        std::size_t pos = 0;
        zones::RrView rr{};
        while (res.answer[0].rrset.next_rr(pos, rr)) {
            out.ds.emplace_back(rr.rdata);
        }
        out.signed_answer = dnssec.answer_sigs[0].count() > 0;
    }
    if (out.state == LookupState::NoData) {
        out.authority_owner = test::wire_key(res.authority_owner.view());
    }
    for (std::size_t i = 0; i < dnssec.proof_count; ++i) {
        const auto& p = dnssec.proofs[i];
        out.proofs.push_back(p.rrset.type());
        std::size_t pos = 0;
        zones::RrView rr{};
        REQUIRE(p.rrset.next_rr(pos, rr));
        out.bitmaps.push_back(zones::rdata_to_text(p.rrset.type(), rr.rdata));
        CHECK(p.sigs.count() > 0);
    }
    return out;
}

std::string parent_side(store::Env& env, const std::string& name) {
    store::ReadTxn txn(env);
    const auto v = txn.get(store::Table::DnsNodes, zones::name_key(name));
    REQUIRE(v);
    const zones::NodeView node(*v);
    REQUIRE(node.valid());
    return std::string(node.parent_side());
}

bool has_type(std::string_view node, RRType type) {
    zones::RrsetView r;
    return zones::NodeView(node).find(type, r);
}

std::string exported(store::Env& env, const std::string& zone) {
    return zones::export_zone(store::ReadTxn(env), zone);
}

// The DS the parent serves for a child we sign: what `switchboard dnssec ds` prints for it.
std::string ds_text(const std::string& rdata) {
    return zones::rdata_to_text(RRType::DS, rdata);
}

} // namespace

TEST_CASE("parent first, then the child: DS is answered from the parent, signed",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    set_policy(env, true);
    test::import_zone_file(env, test::example_zone_file + parent_ds);
    test::import_zone_file(env, child_file);

    const DsAnswer a = ask_ds(env, "sub.example.com");
    CHECK(a.state == LookupState::Hit);
    REQUIRE(a.ds.size() == 1);
    CHECK(ds_text(a.ds[0]).starts_with("12345 13 2 0123456789"));
    CHECK(a.signed_answer);
    // The child's own data at its apex stays the child's.
    const std::string side = parent_side(env, "sub.example.com");
    CHECK(has_type(side, RRType::NS));
    CHECK(has_type(side, RRType::DS));
    CHECK(has_type(side, RRType::RRSIG));
    CHECK_FALSE(has_type(side, RRType::SOA));
    // The parent's transfer carries the DS and its signature; the child's does not.
    const std::string parent = exported(env, "example.com");
    CHECK(parent.find("sub.example.com.\t3600\tIN\tDS\t12345") != std::string::npos);
    CHECK(parent.find("sub.example.com.\t3600\tIN\tRRSIG\tDS") != std::string::npos);
    const std::string child = exported(env, "sub.example.com");
    CHECK(child.find("\tDS\t") == std::string::npos);
    CHECK(child.find("RRSIG\tDS") == std::string::npos);
    CHECK(child.find("sub.example.com.\t3600\tIN\tA\t192.0.2.7") != std::string::npos);

    SECTION("the child deleted: the parent's delegation answers DS at its cut") {
        env.write([&](store::WriteTxn& txn) { zones::drop_zone(txn, "sub.example.com"); });
        const DsAnswer b = ask_ds(env, "sub.example.com");
        CHECK(b.state == LookupState::Hit);
        CHECK(b.ds == a.ds);
        CHECK(b.signed_answer);
    }
    SECTION("the parent deleted: the child answers alone (no parent zone)") {
        env.write([&](store::WriteTxn& txn) { zones::drop_zone(txn, "example.com"); });
        CHECK(parent_side(env, "sub.example.com").empty());
        const DsAnswer b = ask_ds(env, "sub.example.com");
        CHECK(b.state == LookupState::NoData);
        CHECK(b.authority_owner == zones::name_key("sub.example.com"));
        // The child's chain survived the parent's going.
        CHECK(b.proofs == std::vector<RRType>{RRType::NSEC3});
    }
}

TEST_CASE("child first, then the parent: the DS of a child we sign is derived in the parent",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    set_policy(env, true);
    test::import_zone_file(env, child_file);
    CHECK(ask_ds(env, "sub.example.com").authority_owner == zones::name_key("sub.example.com"));
    test::import_zone_file(env, test::example_zone_file);

    const DsAnswer a = ask_ds(env, "sub.example.com");
    CHECK(a.state == LookupState::Hit);
    CHECK(a.signed_answer);
    REQUIRE(a.ds.size() == 1);
    const std::string expected = zones::ds_records(store::ReadTxn(env), "sub.example.com");
    CHECK(expected == "sub.example.com. IN DS " + ds_text(a.ds[0]) + "\n");
    CHECK(exported(env, "example.com").find("sub.example.com.\t3600\tIN\tDS\t") !=
          std::string::npos);

    SECTION("a DS written in the parent wins over the derived one") {
        test::import_zone_file(env, test::example_zone_file + parent_ds);
        const DsAnswer b = ask_ds(env, "sub.example.com");
        REQUIRE(b.ds.size() == 1);
        CHECK(ds_text(b.ds[0]).starts_with("12345 13 2"));
    }
    SECTION("the child deleted: the parent's delegation has no DS, proved by its NSEC3") {
        const std::uint32_t before = store::get_zone(store::ReadTxn(env), "example.com")->serial;
        env.write([&](store::WriteTxn& txn) { zones::drop_zone(txn, "sub.example.com"); });
        {
            // The parent's secondaries follow by IXFR: a new serial, the derived DS removed.
            store::ReadTxn txn(env);
            CHECK(store::get_zone(txn, "example.com")->serial > before);
            const auto diffs = zones::journal_diffs(txn, "example.com", before);
            REQUIRE(diffs);
            REQUIRE(diffs->size() == 1);
            std::set<RRType> removed;
            for (const auto& rr : diffs->front().removed) {
                if (rr.owner == "sub.example.com") {
                    removed.insert(rr.type);
                }
            }
            CHECK(removed == std::set<RRType>{RRType::DS, RRType::RRSIG});
        }
        const DsAnswer b = ask_ds(env, "sub.example.com");
        CHECK(b.state == LookupState::NoData);
        CHECK(b.authority_owner == zones::name_key("example.com"));
        REQUIRE(b.proofs == std::vector<RRType>{RRType::NSEC3});
        CHECK(b.bitmaps[0].ends_with(" NS "));
    }
}

TEST_CASE("an unsigned child under a signed parent: the parent's NSEC3 says NS, no DS",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    set_policy(env, true, true);
    // No delegation written in the parent: the child we serve is a cut of it all the same.
    std::string parent = test::example_zone_file;
    parent.erase(parent.find("sub IN NS"));
    test::import_zone_file(env, parent);
    test::import_zone_file(env, child_file);

    const DsAnswer a = ask_ds(env, "sub.example.com");
    CHECK(a.state == LookupState::NoData);
    CHECK(a.authority_owner == zones::name_key("example.com")); // the parent's SOA
    REQUIRE(a.proofs == std::vector<RRType>{RRType::NSEC3});
    CHECK(a.bitmaps[0].ends_with(" NS ")); // NS set, DS and SOA clear (RFC 5155 §8.6)
    CHECK(
        exported(env, "example.com").find("sub.example.com.\t3600\tIN\tNS\tns.sub.example.com.") !=
        std::string::npos);
}

TEST_CASE("an NSEC parent: its NSEC at the cut is in the parent side and proves no DS",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    set_policy(env, false, true);
    test::import_zone_file(env, test::example_zone_file);
    test::import_zone_file(env, child_file);

    const DsAnswer a = ask_ds(env, "sub.example.com");
    CHECK(a.state == LookupState::NoData);
    CHECK(a.authority_owner == zones::name_key("example.com"));
    REQUIRE(a.proofs == std::vector<RRType>{RRType::NSEC});
    CHECK(a.bitmaps[0] == "*.wild.example.com. NS RRSIG NSEC ");
    // The name before the cut names it as next; the chain skips the child's names.
    const std::string zone = exported(env, "example.com");
    CHECK(zone.find("ns1.example.com.\t300\tIN\tNSEC\tsub.example.com.") != std::string::npos);
    CHECK(zone.find("ns.sub.example.com.\t300\tIN\tNSEC") == std::string::npos);
}

TEST_CASE("unsigned zones: DS at the child's apex is the parent's NODATA", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::import_zone_file(env, test::example_zone_file);
    test::import_zone_file(env, child_file);
    const DsAnswer a = ask_ds(env, "sub.example.com");
    CHECK(a.state == LookupState::NoData);
    CHECK(a.authority_owner == zones::name_key("example.com"));
    CHECK(a.proofs.empty());
    // The parent's delegation is in its transfer (its rows), no NS invented in an unsigned one.
    CHECK(
        exported(env, "example.com").find("sub.example.com.\t3600\tIN\tNS\tns.sub.example.com.") !=
        std::string::npos);
}

TEST_CASE("the DS derived in the parent follows the child's KSK rollover", "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    const auto at = [&](std::int64_t offset) { // the policy on a moved clock, its steps taken
        zones::SigningPolicy p;
        p.all = true;
        p.clock_offset = offset;
        p.propagation_delay = 0;
        p.parent_ds_ttl = 60;
        return env.write([&](store::WriteTxn& txn) {
            zones::configure_signing(txn, p);
            return zones::rollover_step(txn);
        });
    };
    at(0);
    test::import_zone_file(env, test::example_zone_file);
    test::import_zone_file(env, child_file);
    // The parent's DS RRset is what `switchboard dnssec ds` prints for the child, at each step.
    const auto follows = [&](std::size_t count) {
        const DsAnswer a = ask_ds(env, "sub.example.com");
        CHECK(a.signed_answer);
        REQUIRE(a.ds.size() == count);
        std::string listed;
        for (const auto& ds : a.ds) {
            listed += "sub.example.com. IN DS " + ds_text(ds) + "\n";
        }
        CHECK(listed == zones::ds_records(store::ReadTxn(env), "sub.example.com"));
    };
    follows(1);
    env.write([&](store::WriteTxn& txn) {
        zones::start_rollover(txn, "sub.example.com", zones::KeyRole::Ksk);
    });
    follows(2);             // double signature: the new key's DS beside the old one
    CHECK(at(100000) == 1); // the new key active, the old one retiring: its DS goes
    follows(1);
    CHECK(at(1000000) == 1); // the old key removed
    follows(1);
}
