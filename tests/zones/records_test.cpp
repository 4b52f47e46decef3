// DNS records stored once (issue 18, zones/compile.hpp): the Records row of a record in its
// owner's node keeps neither its rdata nor a value that is the rdata's presentation; read back
// whole they are what was written. Checks: rows are slim after an import; removing a record
// in the middle of an RRset leaves the others' rdata right; the parent's delegation at a child
// zone's apex (not in the node) keeps its rdata and goes slim again when the child goes; a
// value that is not the presentation of its rdata is kept as given; an owner's record ids end
// its node (schema 7), the owner index holding only those of an owner without a node.
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/compile.hpp"
#include "zones/node.hpp"
#include "zones/signer.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace sb;

namespace {

// The row of record `id` as stored.
store::RecordRow raw_row(const store::ReadTxn& txn, std::uint64_t id) {
    const auto v = txn.get(store::Table::Records, store::u64_key(id));
    REQUIRE(v);
    return store::decode_record(*v, id);
}

std::vector<std::string> values_at(const store::ReadTxn& txn, std::string_view owner) {
    std::vector<std::string> out;
    for (const auto& r : zones::owner_records(txn, owner)) {
        out.push_back(r.value + " = " + zones::rdata_to_text(zones::RRType(r.type), r.rdata));
    }
    return out;
}

store::RecordRow record(store::WriteTxn& txn, std::string owner, std::string zone,
                        zones::RRType type, std::string value, std::uint32_t priority = 0) {
    store::RecordRow r;
    r.id = txn.next_id("record");
    r.name = std::move(owner);
    r.zone = zone;
    r.type = static_cast<std::uint16_t>(type);
    r.priority = priority;
    r.rdata = zones::record_rdata(type, value, priority, zone);
    r.value = std::move(value);
    return r;
}

} // namespace

TEST_CASE("imported DNS records are stored once, in the node", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::import_zone_file(env, test::example_zone_file + "www IN A 192.0.2.81\n" +
                                    "@ IN MX 10 mail.example.com.\n");
    store::ReadTxn txn(env);
    const auto records = zones::zone_records(txn, "example.com");
    REQUIRE(records.size() == 7);
    for (const auto& r : records) {
        const store::RecordRow row = raw_row(txn, r.id);
        INFO(r.name << " " << r.value);
        CHECK(row.rdata_in_node);
        CHECK(row.value_derived);
        CHECK(row.rdata.empty());
        CHECK(row.value.empty());
        const auto whole = zones::get_record(txn, r.id);
        REQUIRE(whole);
        CHECK(whole->rdata == r.rdata);
        CHECK(whole->value == r.value);
        CHECK(whole->zone == "example.com");
    }
    CHECK(values_at(txn, "www.example.com") ==
          std::vector<std::string>{"192.0.2.80 = 192.0.2.80", "192.0.2.81 = 192.0.2.81"});
    const auto mx = zones::owner_records(txn, "example.com");
    REQUIRE(mx.size() == 1);
    CHECK(mx[0].value == "mail.example.com."); // the preference is the priority field
    CHECK(mx[0].priority == 10);
}

TEST_CASE("removing a record in the middle of an RRset leaves the others' rdata right", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::import_zone_file(env, test::example_zone_file);
    std::vector<std::uint64_t> ids;
    env.write([&](store::WriteTxn& txn) {
        auto recs = zones::owner_records(txn, "www.example.com");
        for (const char* a : {"192.0.2.1", "192.0.2.2", "192.0.2.3"}) {
            recs.push_back(record(txn, "www.example.com", "example.com", zones::RRType::A, a));
        }
        // A value given otherwise than ldns prints it: kept as given.
        recs.push_back(
            record(txn, "www.example.com", "example.com", zones::RRType::MX, "mail", 20));
        for (const auto& r : recs) {
            ids.push_back(r.id);
        }
        zones::set_owner_records(txn, "www.example.com", std::move(recs));
    });
    {
        store::ReadTxn txn(env);
        CHECK(values_at(txn, "www.example.com") ==
              std::vector<std::string>{"192.0.2.80 = 192.0.2.80", "192.0.2.1 = 192.0.2.1",
                                       "192.0.2.2 = 192.0.2.2", "192.0.2.3 = 192.0.2.3",
                                       "mail = 20 mail.example.com."});
        const store::RecordRow mx = raw_row(txn, ids.back());
        CHECK(mx.rdata_in_node);
        CHECK(!mx.value_derived);
        CHECK(mx.value == "mail");
    }
    env.write([&](store::WriteTxn& txn) {
        auto recs = zones::owner_records(txn, "www.example.com");
        std::erase_if(recs, [&](const store::RecordRow& r) { return r.id == ids[2]; });
        zones::set_owner_records(txn, "www.example.com", std::move(recs));
    });
    store::ReadTxn txn(env);
    CHECK(values_at(txn, "www.example.com") ==
          std::vector<std::string>{"192.0.2.80 = 192.0.2.80", "192.0.2.1 = 192.0.2.1",
                                   "192.0.2.3 = 192.0.2.3", "mail = 20 mail.example.com."});
    CHECK(!txn.get(store::Table::Records, store::u64_key(ids[2])));
    CHECK(!zones::get_record(txn, ids[2]));
    CHECK(zones::get_record(txn, ids[3])->value == "192.0.2.3");
}

TEST_CASE("the parent's delegation at a child zone's apex keeps its rdata in its row", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::import_zone_file(env, test::example_zone_file);
    const auto delegation = [&] {
        store::ReadTxn txn(env);
        const auto recs = zones::owner_records(txn, "sub.example.com");
        REQUIRE(recs.size() == 1);
        return recs[0];
    }();
    CHECK(store::ReadTxn(env).get(store::Table::Records, store::u64_key(delegation.id)));
    CHECK(raw_row(store::ReadTxn(env), delegation.id).rdata_in_node);

    test::import_zone_file(env, R"($ORIGIN sub.example.com.
@ 3600 IN SOA ns.sub.example.com. hostmaster.sub.example.com. 1 10800 3600 604800 300
@ 3600 IN NS ns2.sub.example.com.
@ 3600 IN A 192.0.2.7
)");
    {
        store::ReadTxn txn(env);
        const store::RecordRow row = raw_row(txn, delegation.id);
        CHECK(!row.rdata_in_node); // the child's apex node holds the child's NS
        CHECK(row.rdata == delegation.rdata);
        CHECK(zones::get_record(txn, delegation.id)->value == "ns.sub.example.com.");
        const auto exported = zones::export_zone(txn, "example.com");
        CHECK(exported.find("sub.example.com.\t3600\tIN\tNS\tns.sub.example.com.") !=
              std::string::npos);
        const auto child = zones::zone_records(txn, "sub.example.com");
        REQUIRE(child.size() == 1);
        CHECK(raw_row(txn, child[0].id).rdata_in_node);
        CHECK(child[0].value == "192.0.2.7");
    }
    env.write([&](store::WriteTxn& txn) { zones::drop_zone(txn, "sub.example.com"); });
    store::ReadTxn txn(env);
    const store::RecordRow row = raw_row(txn, delegation.id);
    CHECK(row.rdata_in_node);
    CHECK(zones::get_record(txn, delegation.id)->rdata == delegation.rdata);
    CHECK(zones::zone_records(txn, "sub.example.com").empty());
    CHECK(zones::zone_records(txn, "example.com").size() == 5);
}

namespace {

// The ids of the records at `owner`, ascending, as owner_records reads them.
std::vector<std::uint64_t> ids_at(const store::ReadTxn& txn, std::string_view owner) {
    std::vector<std::uint64_t> ids;
    for (const auto& r : zones::owner_records(txn, owner)) {
        ids.push_back(r.id);
    }
    return ids;
}

} // namespace

TEST_CASE("an owner's record ids end its node: no owner index row", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::import_zone_file(env, test::example_zone_file + "www IN A 192.0.2.81\n");
    {
        store::ReadTxn txn(env);
        CHECK(txn.stats(store::Table::RecordsByOwner).entries == 0);
        std::size_t owners = 0;
        std::size_t records = 0;
        store::Cursor c = txn.cursor(store::Table::DnsNodes);
        for (bool ok = c.seek(""); ok; ok = c.next()) {
            const zones::NodeView node(c.value());
            REQUIRE(node.valid());
            const std::string owner = zones::key_to_name(c.key());
            INFO(owner);
            const auto ids = ids_at(txn, owner);
            if (ids.empty()) {
                CHECK(static_cast<std::uint8_t>(c.value()[0]) == zones::node_format);
                CHECK(node.tail().empty());
                continue;
            }
            ++owners;
            records += ids.size();
            CHECK(static_cast<std::uint8_t>(c.value()[0]) == zones::node_format_extended);
            CHECK(store::decode_record_ids(node.tail()) == ids);
        }
        CHECK(owners == 5); // ns1, www, *.wild, sub, ns.sub (the apex NS are the zone row's)
        CHECK(records == 6);
        CHECK(ids_at(txn, "www.example.com").size() == 2);
        // The journal keeps the RRsets only: every node in it is format 1.
        store::Cursor j = txn.cursor(store::Table::Journal);
        std::size_t entries = 0;
        for (bool ok = j.seek(""); ok; ok = j.next()) {
            const std::string_view v = j.value();
            if (v.size() > 5 && (static_cast<std::uint8_t>(v[0]) & 2)) { // has a new node
                const std::size_t old_len = store::get_u32(v, 1);
                REQUIRE(v.size() > 5 + old_len);
                CHECK(static_cast<std::uint8_t>(v[5 + old_len]) == zones::node_format);
                ++entries;
            }
        }
        CHECK(entries > 0);
    }
    // An owner's records changed: the ids in its node follow; all gone: a format 1 node or none.
    std::uint64_t added = 0;
    env.write([&](store::WriteTxn& txn) {
        auto recs = zones::owner_records(txn, "www.example.com");
        recs.erase(recs.begin());
        recs.push_back(
            record(txn, "www.example.com", "example.com", zones::RRType::A, "192.0.2.9"));
        added = recs.back().id;
        zones::set_owner_records(txn, "www.example.com", std::move(recs));
        zones::set_owner_records(txn, "ns1.example.com", {});
    });
    store::ReadTxn txn(env);
    const auto www = ids_at(txn, "www.example.com");
    REQUIRE(www.size() == 2);
    CHECK(www.back() == added);
    const auto node = txn.get(store::Table::DnsNodes, zones::name_key("www.example.com"));
    REQUIRE(node);
    CHECK(store::decode_record_ids(zones::NodeView(*node).tail()) == www);
    CHECK(values_at(txn, "www.example.com") ==
          std::vector<std::string>{"192.0.2.81 = 192.0.2.81", "192.0.2.9 = 192.0.2.9"});
    CHECK(!txn.get(store::Table::DnsNodes, zones::name_key("ns1.example.com")));
    CHECK(zones::owner_records(txn, "ns1.example.com").empty());
    CHECK(zones::zone_records(txn, "example.com").size() == 5);
    CHECK(txn.stats(store::Table::RecordsByOwner).entries == 0);
}

TEST_CASE("every record is every DNS zone's, in id order", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::import_zone_file(env, test::example_zone_file);
    // A zone inside the first (its apex under example.com's key) and one beside it.
    test::import_zone_file(env, R"($ORIGIN sub.example.com.
@ 3600 IN SOA ns.sub.example.com. hostmaster.sub.example.com. 1 10800 3600 604800 300
@ 3600 IN NS ns2.sub.example.com.
x 3600 IN A 192.0.2.9
)");
    test::import_zone_file(env, R"($ORIGIN example.net.
@ 3600 IN SOA ns1.example.net. hostmaster.example.net. 1 10800 3600 604800 300
@ 3600 IN NS ns1.example.net.
ns1 3600 IN A 192.0.2.10
)");
    store::ReadTxn txn(env);
    std::vector<std::uint64_t> expected;
    for (const char* zone : {"example.com", "sub.example.com", "example.net"}) {
        for (const auto& r : zones::zone_records(txn, zone)) {
            CHECK(r.zone == zone);
            expected.push_back(r.id);
        }
    }
    std::sort(expected.begin(), expected.end());
    CHECK(expected.size() == 5 + 1 + 1);
    std::vector<std::uint64_t> every;
    for (const auto& r : zones::every_record(txn)) {
        every.push_back(r.id);
    }
    CHECK(every == expected);
}

namespace {

// Every zone signed, then example.com imported with an NSEC at orphan.example.com: a zone we
// sign serves our NSEC3 chain only, so the file's NSEC is kept as a record but is in no node,
// and its owner has no other RR.
void import_signed_with_orphan_nsec(store::Env& env) {
    env.write([&](store::WriteTxn& txn) {
        zones::SigningPolicy p;
        p.all = true;
        zones::configure_signing(txn, p);
    });
    test::import_zone_file(env, test::example_zone_file + "orphan IN NSEC www.example.com. A\n");
}

} // namespace

TEST_CASE("an owner whose records leave it no node keeps their ids in the owner index", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    import_signed_with_orphan_nsec(env);
    {
        store::ReadTxn txn(env);
        CHECK(!txn.get(store::Table::DnsNodes, zones::name_key("orphan.example.com")));
        CHECK(txn.stats(store::Table::RecordsByOwner).entries == 1);
        const auto recs = zones::owner_records(txn, "orphan.example.com");
        REQUIRE(recs.size() == 1);
        CHECK(recs[0].type == static_cast<std::uint16_t>(zones::RRType::NSEC));
        CHECK(recs[0].value.starts_with("www.example.com. A"));
        CHECK(!raw_row(txn, recs[0].id).rdata_in_node);
        CHECK(zones::get_record(txn, recs[0].id)->rdata == recs[0].rdata);
        const auto all = zones::zone_records(txn, "example.com");
        CHECK(std::count_if(all.begin(), all.end(),
                            [&](const store::RecordRow& r) { return r.id == recs[0].id; }) == 1);
        CHECK(all.size() == 6);
        const auto every = zones::every_record(txn);
        REQUIRE(every.size() == 6);
        for (std::size_t i = 0; i < every.size(); ++i) {
            CHECK(every[i].id == all[i].id);
        }
    }
    test::import_zone_file(env, test::example_zone_file, true); // the NSEC gone
    store::ReadTxn txn(env);
    CHECK(zones::owner_records(txn, "orphan.example.com").empty());
    CHECK(txn.stats(store::Table::RecordsByOwner).entries == 0);
    CHECK(zones::zone_records(txn, "example.com").size() == 5);
}

TEST_CASE("an owner kept out of the nodes by signing is served again once the zone is unsigned",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    import_signed_with_orphan_nsec(env);
    {
        store::ReadTxn txn(env);
        REQUIRE(!txn.get(store::Table::DnsNodes, zones::name_key("orphan.example.com")));
    }
    // The policy dropped: a zone this small is unsigned in the same transaction.
    env.write([&](store::WriteTxn& txn) { zones::configure_signing(txn, std::nullopt); });
    store::ReadTxn txn(env);
    const auto node = txn.get(store::Table::DnsNodes, zones::name_key("orphan.example.com"));
    REQUIRE(node);
    zones::RrsetView nsec;
    CHECK(zones::NodeView(*node).find(zones::RRType::NSEC, nsec));
    CHECK(txn.stats(store::Table::RecordsByOwner).entries == 0);
    const auto recs = zones::owner_records(txn, "orphan.example.com");
    REQUIRE(recs.size() == 1);
    CHECK(recs[0].type == static_cast<std::uint16_t>(zones::RRType::NSEC));
}
