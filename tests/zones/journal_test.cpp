// Zone files and the IXFR journal through a real store (issue 4): zone import and export
// round-trip; what cannot be stored is refused; a changed zone yields a journal step between its
// two serials (and none from a serial the journal does not know); the journal keeps only the
// newest groups, by count, by bytes and by the size of its zone.
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/compile.hpp"
#include "zones/journal.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace sb;
using test::import_zone_file;

namespace {

const std::string& zone_text = test::example_zone_file;

// A store with unflushed commits, for tests making many changes.
struct ScratchStore {
    static store::Options unflushed() {
        store::Options o;
        o.durable = false;
        return o;
    }

    test::TempDir dir;
    store::Env env{dir.path(), unflushed()};
};

// The entries of the zone's journal, keys and values, not its counters.
std::uint64_t journal_bytes(store::Env& env, const std::string& zone) {
    store::ReadTxn txn(env);
    std::uint64_t bytes = 0;
    const std::string prefix = zone + '\0';
    store::Cursor c = txn.cursor(store::Table::Journal);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        if (c.key().size() > prefix.size()) {
            bytes += c.key().size() + c.value().size();
        }
    }
    return bytes;
}

// The zone's nodes, keys and values.
std::uint64_t node_bytes(store::Env& env, const std::string& zone) {
    store::ReadTxn txn(env);
    std::uint64_t bytes = 0;
    const std::string prefix = zones::name_key(zone);
    store::Cursor c = txn.cursor(store::Table::DnsNodes);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        bytes += c.key().size() + c.value().size();
    }
    return bytes;
}

void touch(store::Env& env, const std::string& zone) {
    env.write([&](store::WriteTxn& txn) {
        auto row = *store::get_zone(txn, zone);
        zones::touch_zone(txn, row, 1700000000);
    });
}

// example.com with `names` more owners, an A record each, and `serial`.
std::string zone_with_names(std::size_t names, std::uint32_t serial = 2030010100) {
    std::string text = zone_text;
    text.replace(text.find("2030010100"), 10, std::to_string(serial));
    for (std::size_t i = 0; i < names; ++i) {
        text += "h" + std::to_string(i) + " IN A 192.0.2.1\n";
    }
    return text;
}

} // namespace

TEST_CASE("zone import and export round-trip through the store", "[zones][dnsd]") {
    test::TempDir a, b;
    store::Env env_a(a.path()), env_b(b.path());
    import_zone_file(env_a, zone_text);
    std::string exported;
    {
        store::ReadTxn txn(env_a);
        exported = zones::export_zone(txn, "example.com");
        const auto rrs = zones::zone_rrs(txn, "example.com");
        REQUIRE(rrs.size() == 7);
        CHECK(rrs.front().type == zones::RRType::SOA);
        CHECK(zones::soa_serial(rrs.front().rdata) == 2030010100);
    }
    CHECK(exported.find("*.wild.example.com.\t3600\tIN\tTXT\t\"wildcard\"") != std::string::npos);
    CHECK(exported.find("sub.example.com.\t3600\tIN\tNS\tns.sub.example.com.") !=
          std::string::npos);
    import_zone_file(env_b, exported);
    store::ReadTxn txn(env_b);
    CHECK(zones::export_zone(txn, "example.com") == exported);
}

TEST_CASE("zone import refuses what it cannot store", "[zones][dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    const auto import_text = [&](const std::string& text) {
        env.write([&](store::WriteTxn& txn) { zones::import_zone(txn, text, {}); });
    };
    CHECK_THROWS_AS(import_text("www.example.com. 60 IN A 192.0.2.1\n"),
                    zones::InvalidValue); // no SOA
    CHECK_THROWS_AS(import_text(zone_text + "x IN TYPE255 \\# 0\n"),
                    zones::InvalidValue); // a meta-type (RFC 6895 §3.1)
    CHECK_THROWS_AS(import_text(zone_text + "www.example.org. IN A 192.0.2.1\n"),
                    zones::InvalidValue);                                     // outside the zone
    CHECK_FALSE(store::ReadTxn(env).get(store::Table::Zones, "example.com")); // nothing stayed
}

TEST_CASE("the journal gives the difference between two serials", "[zones][dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    import_zone_file(env, zone_text);
    std::string changed = zone_text;
    changed.replace(changed.find("192.0.2.80"), 10, "192.0.2.81");
    import_zone_file(env, changed + "new IN A 192.0.2.9\n");
    store::ReadTxn txn(env);
    const auto diffs = zones::journal_diffs(txn, "example.com", 2030010100);
    REQUIRE(diffs);
    REQUIRE(diffs->size() == 1);
    const auto& d = diffs->front();
    CHECK(zones::soa_serial(d.old_soa.rdata) == 2030010100);
    CHECK(zones::soa_serial(d.new_soa.rdata) == 2030010101);
    REQUIRE(d.removed.size() == 1);
    CHECK(d.removed[0].owner == "www.example.com");
    REQUIRE(d.added.size() == 2);
    CHECK(zones::journal_diffs(txn, "example.com", 2030010101)->empty()); // up to date
    CHECK(!zones::journal_diffs(txn, "example.com", 2020010100));         // unknown: AXFR
}

TEST_CASE("the journal keeps the newest groups only", "[zones][dnsd]") {
    ScratchStore scratch;
    store::Env& env = scratch.env;
    // A zone large enough that twice its nodes hold more than max_journal_groups changes.
    import_zone_file(env, zone_with_names(6000));
    const std::uint32_t first = test::zone_serial(env, "example.com");
    for (std::size_t i = 0; i < zones::max_journal_groups + 5; ++i) {
        touch(env, "example.com");
    }
    REQUIRE(2 * node_bytes(env, "example.com") > journal_bytes(env, "example.com"));
    store::ReadTxn txn(env);
    CHECK(!zones::journal_diffs(txn, "example.com", first)); // trimmed away: AXFR
    const auto oldest = zones::journal_diffs(txn, "example.com", first + 5);
    REQUIRE(oldest);
    CHECK(oldest->size() == zones::max_journal_groups);
}

TEST_CASE("the journal keeps at most journal_max_bytes per zone, oldest groups first",
          "[zones][dnsd]") {
    ScratchStore scratch;
    store::Env& env = scratch.env;
    import_zone_file(env, zone_with_names(1000)); // twice its nodes above the limit
    constexpr std::uint64_t limit = 6000;
    env.write([&](store::WriteTxn& txn) {
        CHECK(zones::journal_max_bytes(txn) == zones::default_journal_max_bytes);
        zones::set_journal_max_bytes(txn, limit);
        CHECK(zones::journal_max_bytes(txn) == limit);
    });
    REQUIRE(node_bytes(env, "example.com") > limit);
    constexpr std::uint32_t changes = 40;
    for (std::uint32_t i = 0; i < changes; ++i) {
        touch(env, "example.com");
        CHECK(journal_bytes(env, "example.com") <= limit);
    }
    const std::uint32_t now = test::zone_serial(env, "example.com");
    store::ReadTxn txn(env);
    const auto recent = zones::journal_diffs(txn, "example.com", now - 3);
    REQUIRE(recent); // the newest changes stay, far fewer than max_journal_groups
    CHECK(recent->size() == 3);
    CHECK(!zones::journal_diffs(txn, "example.com", now - changes + 1)); // dropped: AXFR
}

TEST_CASE("the journal keeps at most twice its zone's nodes, and always the newest change",
          "[zones][dnsd]") {
    ScratchStore scratch;
    store::Env& env = scratch.env;
    import_zone_file(env, zone_text);
    const auto bound = [&] {
        return std::max(zones::min_journal_bytes, 2 * node_bytes(env, "example.com"));
    };
    // A small zone: its journal stays within min_journal_bytes, the oldest changes go.
    REQUIRE(bound() == zones::min_journal_bytes);
    std::uint32_t before = test::zone_serial(env, "example.com");
    for (int i = 0; i < 40; ++i) {
        touch(env, "example.com");
        CHECK(journal_bytes(env, "example.com") <= bound());
    }
    {
        store::ReadTxn txn(env);
        CHECK(!zones::journal_diffs(txn, "example.com", before)); // dropped: AXFR
        const auto last = zones::journal_diffs(txn, "example.com", before + 39);
        REQUIRE(last);
        CHECK(last->size() == 1);
    }
    // The zone grows: the bound follows it, counted again as the journal passes it.
    import_zone_file(env, zone_with_names(300, test::zone_serial(env, "example.com") + 1));
    REQUIRE(bound() > 4 * zones::min_journal_bytes);
    before = test::zone_serial(env, "example.com");
    for (int i = 0; i < 40; ++i) {
        touch(env, "example.com");
        CHECK(journal_bytes(env, "example.com") <= bound());
    }
    CHECK(journal_bytes(env, "example.com") > zones::min_journal_bytes);
    {
        store::ReadTxn txn(env);
        const auto diffs = zones::journal_diffs(txn, "example.com", before);
        REQUIRE(diffs); // 40 changes of the apex fit in twice the grown zone
        CHECK(diffs->size() == 40);
    }
    // One change larger than the bound (the zone shrinks back, 300 names gone): it stays, a
    // secondary one change behind takes it by IXFR.
    before = test::zone_serial(env, "example.com");
    import_zone_file(env, zone_with_names(0, before + 1));
    CHECK(journal_bytes(env, "example.com") > bound());
    store::ReadTxn txn(env);
    const auto shrink = zones::journal_diffs(txn, "example.com", before);
    REQUIRE(shrink);
    REQUIRE(shrink->size() == 1);
    CHECK(shrink->front().removed.size() == 300);
}

TEST_CASE("zone import writes the nodes and the record rows in key order, pages packed",
          "[zones][dnsd]") {
    ScratchStore scratch;
    store::Env& env = scratch.env;
    // e164-shaped owners: the file's (text) order is by the last digit, the key order by the
    // first, so writing in file order would scatter the inserts over the table.
    std::string text = "$ORIGIN 1.3.e164.arpa.\n$TTL 3600\n"
                       "@ IN SOA ns1.example.net. hostmaster.example.net. 1 3600 600 86400 60\n"
                       "@ IN NS ns1.example.net.\n";
    for (int i = 0; i < 10000; ++i) {
        const std::string d = std::to_string(10000 + i).substr(1);
        text += std::string{d[3], '.', d[2], '.', d[1], '.', d[0]} +
                " IN NAPTR 100 10 \"u\" \"E2U+sip\" \"!^.*$!sip:user" + d +
                "@voip.example.com!\" .\n";
    }
    import_zone_file(env, text);
    const auto pages = [&](store::Table t) {
        const store::ReadTxn txn(env);
        return txn.stats(t).leaf_pages;
    };
    const auto nodes = pages(store::Table::DnsNodes);
    const auto records = pages(store::Table::Records);
    env.repack(store::Table::DnsNodes); // what `switchboard compact` does
    env.repack(store::Table::Records);
    INFO("DnsNodes " << nodes << " leaf pages as imported, " << pages(store::Table::DnsNodes)
                     << " repacked; Records " << records << ", " << pages(store::Table::Records));
    CHECK(nodes * 100 <= pages(store::Table::DnsNodes) * 110);
    CHECK(records * 100 <= pages(store::Table::Records) * 110);
    // The owner index is in the nodes (schema 7): no row for any of the 10,000 owners.
    CHECK(store::ReadTxn(env).stats(store::Table::RecordsByOwner).entries == 0);
}

TEST_CASE("the changes of one commit take one serial, which the apex holds", "[zones][dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    import_zone_file(env, zone_text);
    const std::uint32_t first = test::zone_serial(env, "example.com");
    const auto add_a = [](store::WriteTxn& txn, const std::string& owner) {
        store::RecordRow r;
        r.id = txn.next_id("record");
        r.name = owner;
        r.zone = "example.com";
        r.type = static_cast<std::uint16_t>(zones::RRType::A);
        r.value = "192.0.2.7";
        r.rdata = zones::record_rdata(zones::RRType::A, r.value, 0, r.zone);
        const auto when = 1700000000 + static_cast<std::int64_t>(r.id);
        auto recs = zones::owner_records(txn, owner);
        recs.push_back(std::move(r));
        zones::set_owner_records(txn, owner, std::move(recs));
        auto row = *store::get_zone(txn, "example.com");
        zones::zone_changed(txn, row, when);
    };
    const auto apex_soa = [&] {
        store::ReadTxn txn(env);
        const auto rrs = zones::zone_rrs(txn, "example.com");
        REQUIRE(rrs.front().type == zones::RRType::SOA);
        return rrs.front();
    };
    // Three changes in one commit (a batch of operations): one new serial, at the apex too,
    // and the row keeps the last change's date.
    env.write([&](store::WriteTxn& txn) {
        add_a(txn, "a.example.com");
        add_a(txn, "b.example.com");
        add_a(txn, "example.com"); // the apex's own records: rebuilt with the serial moved
    });
    CHECK(test::zone_serial(env, "example.com") == first + 1);
    CHECK(zones::soa_serial(apex_soa().rdata) == first + 1);
    {
        store::ReadTxn txn(env);
        CHECK(store::get_zone(txn, "example.com")->change_date > 1700000000);
        const auto diffs = zones::journal_diffs(txn, "example.com", first);
        REQUIRE(diffs);
        REQUIRE(diffs->size() == 1);
        CHECK(zones::soa_serial(diffs->front().old_soa.rdata) == first);
        CHECK(zones::soa_serial(diffs->front().new_soa.rdata) == first + 1);
        CHECK(diffs->front().added.size() == 3);
    }
    // The next commit moves it again; a row changed after the serial moved (its TTL) is
    // written whole and the apex rebuilt with it (touch_zone: one serial more).
    env.write([&](store::WriteTxn& txn) {
        add_a(txn, "c.example.com");
        auto row = *store::get_zone(txn, "example.com");
        row.ttl = 77;
        zones::zone_changed(txn, row, 1800000000);
    });
    CHECK(test::zone_serial(env, "example.com") == first + 3);
    CHECK(zones::soa_serial(apex_soa().rdata) == first + 3);
    CHECK(apex_soa().ttl == 77);
}
