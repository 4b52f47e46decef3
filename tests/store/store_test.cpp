// Store: transactions commit or abort as a whole, cursors order keys bytewise, codecs
// round-trip and refuse truncated values, the schema version is checked at open.
#include "store/store.hpp"
#include "store/tables.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

using namespace sb::store;

TEST_CASE("a write transaction lands only when committed", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    {
        WriteTxn txn(env);
        txn.put(Table::Meta, "a", "1");
    } // destroyed without commit: aborted
    {
        WriteTxn txn(env);
        txn.put(Table::Meta, "b", "2");
        txn.commit();
    }
    ReadTxn r(env);
    CHECK_FALSE(r.get(Table::Meta, "a"));
    REQUIRE(r.get(Table::Meta, "b"));
    CHECK(*r.get(Table::Meta, "b") == "2");
}

TEST_CASE("Env::write commits what the operation wrote, or nothing when it throws", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    const auto id = env.write([](WriteTxn& txn) {
        txn.put(Table::Meta, "kept", "1");
        return txn.next_id("thing");
    });
    CHECK(id == 1);
    CHECK_THROWS_AS(env.write([](WriteTxn& txn) {
        txn.put(Table::Meta, "lost", "1");
        throw std::runtime_error("refused");
    }),
                    std::runtime_error);
    ReadTxn r(env);
    CHECK(r.get(Table::Meta, "kept"));
    CHECK_FALSE(r.get(Table::Meta, "lost"));
}

TEST_CASE("a reset and renewed read txn sees later commits", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    ReadTxn r(env);
    CHECK_FALSE(r.get(Table::Meta, "k"));
    {
        WriteTxn w(env);
        w.put(Table::Meta, "k", "v");
        w.commit();
    }
    CHECK_FALSE(r.get(Table::Meta, "k")); // snapshot
    r.reset();
    r.renew();
    CHECK(r.get(Table::Meta, "k").value_or("") == "v");
}

TEST_CASE("cursor seek finds the first key not below the target", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    WriteTxn w(env);
    for (const char* k : {"b", "d", "f"}) {
        w.put(Table::DnsNodes, k, k);
    }
    {
        Cursor c = w.cursor(Table::DnsNodes);
        REQUIRE(c.seek("c"));
        CHECK(c.key() == "d");
        REQUIRE(c.next());
        CHECK(c.key() == "f");
        CHECK_FALSE(c.next());
        CHECK_FALSE(c.seek("g"));
        REQUIRE(c.seek(""));
        CHECK(c.key() == "b");
    }
    w.commit();
}

TEST_CASE("id counters start at 1 and grow", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    WriteTxn w(env);
    CHECK(w.next_id("record") == 1);
    CHECK(w.next_id("record") == 2);
    CHECK(w.next_id("zone") == 1);
}

TEST_CASE("big-endian keys sort numerically", "[store]") {
    CHECK(u64_key(2) < u64_key(256));
    CHECK(get_u64(u64_key(0x0102030405060708ULL), 0) == 0x0102030405060708ULL);
}

TEST_CASE("zone and record rows round-trip", "[store]") {
    ZoneRow z;
    z.name = "example.com";
    z.nameservers = {"ns1.example.net", "ns2.example.net"};
    z.email = "hostmaster@example.com";
    z.serial = 2026112801;
    z.customer = 7;
    z.info = "x";
    const ZoneRow z2 = decode_zone(encode(z));
    CHECK(z2.name == z.name);
    CHECK(z2.nameservers == z.nameservers);
    CHECK(z2.serial == z.serial);
    CHECK(z2.customer == 7);
    CHECK(z2.info == "x");

    RecordRow r;
    r.id = 42;
    r.zone = "example.com";
    r.name = "www.example.com";
    r.type = 1;
    r.value = "192.0.2.1";
    r.rdata = std::string("\xc0\x00\x02\x01", 4);
    const RecordRow r2 = decode_record(encode(r));
    CHECK(r2.id == 42);
    CHECK(r2.rdata == r.rdata);
    CHECK(r2.name == r.name);
}

TEST_CASE("truncated rows are refused, not read past", "[store]") {
    ZoneRow z;
    z.name = "example.com";
    const std::string bytes = encode(z);
    CHECK_THROWS_AS(decode_zone(bytes.substr(0, bytes.size() - 1)), Error);
    CHECK_THROWS_AS(decode_zone(bytes + "x"), Error);
    CHECK_THROWS_AS(decode_record(""), Error);
}

TEST_CASE("a store with another schema version is refused", "[store]") {
    sb::test::TempDir dir;
    {
        Env env(dir.path());
        WriteTxn w(env);
        std::string v;
        put_u32(v, schema_version + 1);
        w.put(Table::Meta, "schema_version", v);
        w.commit();
    }
    CHECK_THROWS_WITH(Env(dir.path()), Catch::Contains("schema version"));
}

TEST_CASE("repack keeps every entry and packs the pages", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    // Keys inserted in a scattered order leave the B-tree pages partly empty.
    std::map<std::string, std::string> rows;
    {
        WriteTxn w(env);
        for (std::uint32_t i = 0; i < 20000; ++i) {
            std::string key;
            put_u32(key, (i * 2654435761u) % 1000003u);
            rows[key] = std::string(40 + i % 50, static_cast<char>('a' + i % 26));
            w.put(Table::DnsNodes, key, rows[key]);
        }
        w.commit();
    }
    const auto leaf_pages = [&] {
        ReadTxn r(env);
        MDB_stat st{};
        REQUIRE(mdb_stat(r.handle(), env.dbi(Table::DnsNodes), &st) == MDB_SUCCESS);
        return st.ms_leaf_pages;
    };
    const auto before = leaf_pages();
    env.repack(Table::DnsNodes);
    const auto after = leaf_pages();
    CHECK(after * 10 < before * 8); // at least a fifth fewer pages

    ReadTxn r(env);
    Cursor c = r.cursor(Table::DnsNodes);
    std::size_t seen = 0;
    for (bool ok = c.first(); ok; ok = c.next(), ++seen) {
        const auto it = rows.find(std::string(c.key()));
        REQUIRE(it != rows.end());
        CHECK(it->second == c.value());
    }
    CHECK(seen == rows.size());
}

TEST_CASE("concurrent writers commit in groups, each acknowledged only with its group", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path()); // durable: every group is flushed
    const auto last_txn = [&] {
        MDB_envinfo info{};
        mdb_env_info(env.handle(), &info);
        return info.me_last_txnid;
    };
    const auto first = last_txn();
    constexpr int threads = 8, per_thread = 200;
    std::vector<std::thread> pool;
    std::atomic<int> acknowledged{0}, unseen{0}; // Catch2 assertions are for the main thread
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                const std::string key = "k" + std::to_string(t) + "." + std::to_string(i);
                WriteTxn w(env);
                w.put(Table::Meta, key, "v");
                if (i % 10 == 9) {
                    continue; // abandoned: aborted by the destructor, the others unaffected
                }
                w.commit();
                // Acknowledged: visible to a new reader, so already committed by its group.
                ReadTxn r(env);
                unseen += r.get(Table::Meta, key) ? 0 : 1;
                ++acknowledged;
            }
        });
    }
    for (auto& t : pool) {
        t.join();
    }
    CHECK(unseen == 0);
    CHECK(acknowledged == threads * per_thread * 9 / 10);
    ReadTxn r(env);
    int stored = 0, abandoned = 0;
    for (int t = 0; t < threads; ++t) {
        for (int i = 0; i < per_thread; ++i) {
            const bool found =
                r.get(Table::Meta, "k" + std::to_string(t) + "." + std::to_string(i)).has_value();
            (i % 10 == 9 ? abandoned : stored) += found ? 1 : 0;
        }
    }
    CHECK(stored == acknowledged);
    CHECK(abandoned == 0);
    // Fewer LMDB transactions than commits: writers that waited shared one.
    CHECK(last_txn() - first < static_cast<std::size_t>(acknowledged.load()));
}
