// DNS records stored once (issue 18, zones/compile.hpp): the Records row of a record in its
// owner's node keeps neither its rdata nor a value that is the rdata's presentation; read back
// whole they are what was written. Checks: rows are slim after an import; removing a record
// in the middle of an RRset leaves the others' rdata right; the parent's delegation at a child
// zone's apex (not in the node) keeps its rdata and goes slim again when the child goes; a
// value that is not the presentation of its rdata is kept as given.
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/compile.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>

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
