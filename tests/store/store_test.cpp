// Store: transactions commit or abort as a whole, cursors order keys bytewise, codecs
// round-trip and refuse truncated values (rows_test.cpp), the schema version is checked at open.
#include "store/store.hpp"
#include "store/tables.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

using namespace sb::store;

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
        env.write([&](WriteTxn& w) { w.put(Table::Meta, "k", "v"); });
    }
    CHECK_FALSE(r.get(Table::Meta, "k")); // snapshot
    r.reset();
    r.renew();
    CHECK(r.get(Table::Meta, "k").value_or("") == "v");
}

TEST_CASE("cursor seek finds the first key not below the target", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    env.write([](WriteTxn& w) {
        for (const char* k : {"b", "d", "f"}) {
            w.put(Table::DnsNodes, k, k);
        }
    });
    ReadTxn r(env);
    Cursor c = r.cursor(Table::DnsNodes);
    REQUIRE(c.seek("c"));
    CHECK(c.key() == "d");
    REQUIRE(c.next());
    CHECK(c.key() == "f");
    CHECK_FALSE(c.next());
    CHECK_FALSE(c.seek("g"));
    REQUIRE(c.seek(""));
    CHECK(c.key() == "b");
}

TEST_CASE("cursor jump finds what seek finds from anywhere in a tree of many pages", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    const auto key = [](unsigned i) {
        std::string k = std::to_string(i * 2 + 1000000); // odd gaps: every even one is absent
        return k;
    };
    const std::string value(200, 'v'); // about 18 entries a page: hundreds of leaf pages
    env.write([&](WriteTxn& w) {
        for (unsigned i = 0; i < 5000; ++i) {
            w.put(Table::DnsNodes, key(i), value);
        }
    });
    const auto check_same = [&](Cursor& jumping, Cursor& seeking) {
        // Targets far apart and close together, present and absent, before and after all.
        for (unsigned t : {4000u, 17u, 4999u, 2500u, 2501u, 0u, 3333u, 1u, 4998u, 10u}) {
            for (const std::string& target : {key(t), std::to_string(t * 2 + 1000001)}) {
                const bool found = seeking.seek(target);
                REQUIRE(jumping.jump(target) == found);
                if (found) {
                    CHECK(jumping.key() == seeking.key());
                    CHECK(jumping.value() == value);
                    // Positioned as seek leaves it: next and prev move from there.
                    const bool more = seeking.next();
                    REQUIRE(jumping.next() == more);
                    if (more) {
                        CHECK(jumping.key() == seeking.key());
                    }
                }
            }
        }
        CHECK_FALSE(jumping.jump("2")); // after the last key
        REQUIRE(jumping.jump("0"));
        CHECK(jumping.key() == key(0));
    };
    {
        ReadTxn r(env);
        Cursor jumping = r.cursor(Table::DnsNodes);
        Cursor seeking = r.cursor(Table::DnsNodes);
        check_same(jumping, seeking);
        r.reset();
        CHECK_FALSE(jumping.jump(key(1))); // stale until renewed
        r.renew();
        jumping.renew(r);
        REQUIRE(jumping.jump(key(1)));
        CHECK(jumping.key() == key(1));
    }
    env.write([&](WriteTxn& w) { // a write txn's cursor seeks as seek()
        Cursor jumping = w.cursor(Table::DnsNodes);
        Cursor seeking = w.cursor(Table::DnsNodes);
        check_same(jumping, seeking);
    });
}

TEST_CASE("id counters start at 1 and grow", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    const auto ids = env.write([](WriteTxn& w) {
        return std::array{w.next_id("record"), w.next_id("record"), w.next_id("zone")};
    });
    CHECK(ids == std::array<std::uint64_t, 3>{1, 2, 1});
    CHECK(env.write([](WriteTxn& w) { return w.next_id("record"); }) == 3);
}

TEST_CASE("a store with another schema version is refused", "[store]") {
    sb::test::TempDir dir;
    {
        Env env(dir.path());
        env.write([&](WriteTxn& w) {
            std::string v;
            put_u32(v, schema_version + 1);
            w.put(Table::Meta, "schema_version", v);
        });
    }
    CHECK_THROWS_WITH(Env(dir.path()), Catch::Contains("schema version"));
    CHECK_THROWS_WITH(Env(dir.path()), Catch::Contains("newer switchboard"));
}

TEST_CASE("a store of an older schema version is refused as not migrated", "[store]") {
    sb::test::TempDir dir;
    {
        Env env(dir.path());
        env.write([&](WriteTxn& w) {
            std::string v;
            put_u32(v, schema_version - 1);
            w.put(Table::Meta, "schema_version", v);
        });
    }
    CHECK_THROWS_WITH(Env(dir.path()),
                      Catch::Contains("schema version " + std::to_string(schema_version - 1) +
                                      ", this build reads version " +
                                      std::to_string(schema_version)) &&
                          Catch::Contains("older switchboard and is not migrated"));
}

TEST_CASE("release_free_pages gives free blocks back, never a page a reader sees", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    const std::string big(2000, 'x');
    env.write([&](WriteTxn& w) {
        for (std::uint32_t i = 0; i < 5000; ++i) {
            w.put(Table::DnsNodes, u64_key(i), big);
        }
    });
    // A reader holds the snapshot with every row while they are deleted: their pages are
    // free in the newest state but not for it.
    std::optional<ReadTxn> old;
    old.emplace(env);
    env.write([&](WriteTxn& w) {
        for (std::uint32_t i = 0; i < 5000; i += 2) {
            w.del(Table::DnsNodes, u64_key(i));
        }
    });
    env.write([&](WriteTxn& w) { w.put(Table::Meta, "tick", "1"); });
    CHECK(env.release_free_pages() == 0); // the old snapshot may still read them all
    for (std::uint32_t i = 0; i < 5000; i += 97) {
        REQUIRE(old->get(Table::DnsNodes, u64_key(i)) == std::optional<std::string_view>(big));
    }
    old.reset();
    const std::uint64_t released = env.release_free_pages();
    CHECK(released >= 2500 * 2000);
    // Every row kept reads back, and writes reuse the punched pages.
    ReadTxn r(env);
    for (std::uint32_t i = 0; i < 5000; ++i) {
        CHECK(r.get(Table::DnsNodes, u64_key(i)).has_value() == (i % 2 == 1));
    }
    r.reset();
    env.write([&](WriteTxn& w) {
        for (std::uint32_t i = 0; i < 5000; i += 2) {
            w.put(Table::DnsNodes, u64_key(i), big);
        }
    });
    r.renew();
    for (std::uint32_t i = 0; i < 5000; i += 7) {
        CHECK(r.get(Table::DnsNodes, u64_key(i)) == std::optional<std::string_view>(big));
    }
}

namespace {

// kB of the store file this process has in its page tables (the mapping's Rss in smaps).
std::uint64_t mapped_kb(const std::filesystem::path& file) {
    std::ifstream smaps("/proc/self/smaps");
    bool in = false;
    for (std::string line; std::getline(smaps, line);) {
        const bool header = line.find('-') < line.find(' ') && line.find(':') > line.find(' ');
        if (header) {
            in = line.size() >= file.native().size() &&
                 line.compare(line.size() - file.native().size(), std::string::npos,
                              file.native()) == 0;
        } else if (in && line.rfind("Rss:", 0) == 0) {
            return std::stoull(line.substr(4));
        }
    }
    return 0;
}

} // namespace

TEST_CASE("populate maps every page of data, none of the holes, and stops when asked", "[store]") {
    sb::test::TempDir dir;
    const std::string big(2000, 'x');
    {
        Env env(dir.path());
        env.write([&](WriteTxn& w) {
            for (std::uint32_t i = 0; i < 5000; ++i) {
                w.put(Table::DnsNodes, u64_key(i), big);
            }
        });
        env.write([&](WriteTxn& w) {
            for (std::uint32_t i = 0; i < 5000; i += 2) {
                w.del(Table::DnsNodes, u64_key(i));
            }
        });
        env.write([&](WriteTxn& w) { w.put(Table::Meta, "tick", "1"); });
        REQUIRE(env.release_free_pages() >= 2500 * 2000);
    }
    const auto file = std::filesystem::canonical(dir.path() / "data.mdb");
    Options ro;
    ro.read_only = true;
    Env env(dir.path(), ro);
    const std::uint64_t used = env.stats().used_bytes;
    REQUIRE(mapped_kb(file) * 1024 < used / 4); // opening touches a few pages

    std::stop_source stopped;
    stopped.request_stop();
    CHECK(env.populate(stopped.get_token()) == 0);
    CHECK(mapped_kb(file) * 1024 < used / 4);

    const std::uint64_t mapped = env.populate({});

    struct stat st {};

    REQUIRE(::stat(file.c_str(), &st) == 0);
    const auto allocated = static_cast<std::uint64_t>(st.st_blocks) * 512;
    CHECK(mapped >= 2500 * 2000);            // the rows kept
    CHECK(mapped <= allocated);              // the punched pages are not read
    CHECK(mapped < used * 3 / 4);            // about half the pages in use are holes
    CHECK(mapped_kb(file) * 1024 >= mapped); // and all of it is in the page tables
    ReadTxn r(env);
    CHECK(r.get(Table::DnsNodes, u64_key(4999)) == std::optional<std::string_view>(big));
}

TEST_CASE("repack keeps every entry and packs the pages", "[store]") {
    sb::test::TempDir dir;
    Options no_auto;
    no_auto.auto_repack = false; // the writer must not repack it first, when idle
    Env env(dir.path(), no_auto);
    // Keys inserted in a scattered order leave the B-tree pages partly empty.
    std::map<std::string, std::string> rows;
    {
        env.write([&](WriteTxn& w) {
            for (std::uint32_t i = 0; i < 20000; ++i) {
                std::string key;
                put_u32(key, (i * 2654435761u) % 1000003u);
                rows[key] = std::string(40 + i % 50, static_cast<char>('a' + i % 26));
                w.put(Table::DnsNodes, key, rows[key]);
            }
        });
    }
    const auto leaf_pages = [&] { return ReadTxn(env).stats(Table::DnsNodes).leaf_pages; };
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

namespace {

// What the services' bulk load does (bench/load_dataset.cpp): ENUM numbers (name keys
// "arpa\0e164\0...") added in key order in front of the SIP zones' nodes
// ("net\0..."), which were there first. Every insert lands inside a page, not at its end, so
// LMDB splits it in the middle and the pages stay half full (docs/decisions.md "A bulk load
// leaves the store packed").
constexpr std::uint32_t tail_rows = 2000, load_rows = 30000;

std::string load_key(char first, std::uint32_t i) {
    std::string key(1, first);
    put_u32(key, i);
    return key;
}

void load_in_front(Env& env) {
    const std::string value(90, 'v');
    for (std::uint32_t i = 0; i < tail_rows; i += 20) {
        env.write([&](WriteTxn& w) {
            for (std::uint32_t j = i; j < i + 20; ++j) {
                w.put(Table::DnsNodes, load_key('n', j), value);
            }
        });
    }
    // 50 numbers an op, as the writer batches them: LMDB splits the same way in one
    // transaction as across many.
    for (std::uint32_t i = 0; i < load_rows; i += 50) {
        env.write([&](WriteTxn& w) {
            for (std::uint32_t j = i; j < i + 50; ++j) {
                w.put(Table::DnsNodes, load_key('a', j), value);
            }
        });
    }
}

std::uint64_t leaf_pages(const Env& env) {
    return ReadTxn(env).stats(Table::DnsNodes).leaf_pages;
}

} // namespace

TEST_CASE("a load in key order in front of other keys is left packed, with no repack asked",
          "[store]") {
    Options quick;
    quick.durable = false; // a bulk load's setting (sb_bench_load)
    Options manual = quick;
    manual.auto_repack = false;

    // The cause, without the writer's repack: pages about half full.
    sb::test::TempDir plain;
    std::uint64_t sparse = 0, packed = 0;
    {
        Env env(plain.path(), manual);
        load_in_front(env);
        sparse = leaf_pages(env);
        env.repack(Table::DnsNodes);
        packed = leaf_pages(env);
        CHECK(env.auto_repacks() == 0);
    }
    CHECK(sparse * 10 > packed * 16);

    SECTION("the writer repacks the table once it has been idle for a second") {
        sb::test::TempDir dir;
        Env env(dir.path(), quick);
        load_in_front(env);
        for (int i = 0; i < 200 && env.auto_repacks() == 0; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        REQUIRE(env.auto_repacks() == 1);
        CHECK(leaf_pages(env) * 10 <= packed * 12);
        ReadTxn r(env);
        CHECK(r.stats(Table::DnsNodes).entries == tail_rows + load_rows);
        CHECK(r.get(Table::Meta, "repacked").has_value());
        CHECK(r.get(Table::DnsNodes, load_key('a', load_rows - 1)) ==
              std::optional<std::string_view>(std::string(90, 'v')));
        // Another idle second after no new commit looks at nothing again.
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        CHECK(env.auto_repacks() == 1);
    }

    SECTION("closing the store after the load repacks it") {
        sb::test::TempDir dir;
        {
            Env env(dir.path(), quick);
            load_in_front(env);
        }
        Env env(dir.path(), manual);
        CHECK(leaf_pages(env) * 10 <= packed * 12);
        ReadTxn r(env);
        CHECK(r.stats(Table::DnsNodes).entries == tail_rows + load_rows);
        CHECK(r.get(Table::Meta, "repacked").has_value());
    }
}

TEST_CASE("loads by one process after another, each too small to look at alone, are repacked",
          "[store]") {
    // One `switchboard zone import` a zone file: each process adds a share of the table in
    // key order in front of what the ones before wrote, and no one process grows the table by
    // the quarter tidy() waits for, but the writers together do.
    Options quick;
    quick.durable = false;
    Options manual = quick;
    manual.auto_repack = false;
    constexpr int processes = 12;
    constexpr std::uint32_t share = 2500;
    const auto load = [&](const std::filesystem::path& dir, const Options& options) {
        {
            Env env(dir, options);
            env.write([&](WriteTxn& w) {
                for (std::uint32_t j = 0; j < tail_rows; ++j) {
                    w.put(Table::DnsNodes, load_key('z', j), std::string(200, 'v'));
                }
            });
        }
        for (int k = 0; k < processes; ++k) {
            Env env(dir, options);
            for (std::uint32_t i = 0; i < share; i += 50) {
                env.write([&](WriteTxn& w) {
                    for (std::uint32_t j = i; j < i + 50; ++j) {
                        w.put(Table::DnsNodes, load_key(static_cast<char>('y' - k), j),
                              std::string(200, 'v'));
                    }
                });
            }
        }
    };
    sb::test::TempDir plain;
    load(plain.path(), manual);
    std::uint64_t sparse = 0, packed = 0;
    {
        Env env(plain.path(), manual);
        sparse = leaf_pages(env);
        env.repack(Table::DnsNodes);
        packed = leaf_pages(env);
    }
    CHECK(sparse * 10 > packed * 13); // the cause, without the writers' repacks

    sb::test::TempDir dir;
    load(dir.path(), quick);
    Env env(dir.path(), manual);
    CHECK(leaf_pages(env) * 10 <= packed * 12);
    ReadTxn r(env);
    CHECK(r.stats(Table::DnsNodes).entries == tail_rows + processes * share);
    CHECK(r.get(Table::Meta, "repacked").has_value());
}

TEST_CASE("ops of many threads are batched, each acknowledged only after its batch's commit",
          "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path()); // durable: every batch is flushed
    const auto first_txn = env.stats().last_txn_id;
    constexpr int threads = 8, per_thread = 200;
    std::vector<std::thread> pool;
    // Catch2 assertions are for the main thread: the others count.
    std::atomic<int> acknowledged{0}, early{0}, unseen{0}, wrong_result{0}, wrong_error{0};
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                const std::string key = "k" + std::to_string(t) + "." + std::to_string(i);
                std::uint64_t batches_before = 0;
                try {
                    const int result = env.write([&](WriteTxn& w) {
                        batches_before = env.batches_committed();
                        w.put(Table::Meta, key, "v");
                        if (i % 10 == 9) {
                            throw std::runtime_error(key); // its batch goes on without it
                        }
                        return t * per_thread + i;
                    });
                    wrong_result += result == t * per_thread + i ? 0 : 1;
                } catch (const std::runtime_error& e) {
                    wrong_error += i % 10 == 9 && e.what() == key ? 0 : 1;
                    continue;
                }
                // Acknowledged: the batch holding the op has committed, and a new reader sees it.
                early += env.batches_committed() > batches_before ? 0 : 1;
                unseen += ReadTxn(env).get(Table::Meta, key) ? 0 : 1;
                ++acknowledged;
            }
        });
    }
    for (auto& t : pool) {
        t.join();
    }
    CHECK(early == 0);
    CHECK(unseen == 0);
    CHECK(wrong_result == 0);
    CHECK(wrong_error == 0);
    CHECK(acknowledged == threads * per_thread * 9 / 10);
    ReadTxn r(env);
    int stored = 0, thrown = 0;
    for (int t = 0; t < threads; ++t) {
        for (int i = 0; i < per_thread; ++i) {
            const bool found =
                r.get(Table::Meta, "k" + std::to_string(t) + "." + std::to_string(i)).has_value();
            (i % 10 == 9 ? thrown : stored) += found ? 1 : 0;
        }
    }
    CHECK(stored == acknowledged);
    CHECK(thrown == 0);
    // Fewer LMDB transactions (and flushes) than ops: ops queued during a flush share the next.
    const auto batches = env.batches_committed();
    CHECK(env.stats().last_txn_id - first_txn == batches);
    CHECK(batches < static_cast<std::uint64_t>(acknowledged.load()));
}

TEST_CASE("an op that throws leaves the other ops of its batch committed", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    // The first op holds the writer until the others are queued: they then join its batch.
    std::atomic<bool> holding{false}, release{false};
    std::thread holder([&] {
        env.write([&](WriteTxn& w) {
            w.put(Table::Meta, "holder", "1");
            holding = true;
            while (!release) {
                std::this_thread::yield();
            }
        });
    });
    while (!holding) {
        std::this_thread::yield();
    }
    std::vector<std::thread> ops;
    std::atomic<int> failed{0};
    for (int i = 0; i < 5; ++i) {
        ops.emplace_back([&, i] {
            try {
                env.write([&](WriteTxn& w) {
                    w.put(Table::Meta, "op" + std::to_string(i), "1");
                    if (i == 2) {
                        throw std::invalid_argument("op 2 refused");
                    }
                });
            } catch (const std::invalid_argument&) {
                ++failed;
            }
        });
    }
    while (env.queued_writes() < 5) {
        std::this_thread::yield();
    }
    const auto before = env.batches_committed();
    release = true;
    holder.join();
    for (auto& t : ops) {
        t.join();
    }
    CHECK(failed == 1);
    // The five, queued while the holder's op ran, joined its batch: one commit for six ops.
    CHECK(env.batches_committed() - before == 1);
    ReadTxn r(env);
    CHECK(r.get(Table::Meta, "holder"));
    CHECK(r.get(Table::Meta, "op0"));
    CHECK(r.get(Table::Meta, "op1"));
    CHECK_FALSE(r.get(Table::Meta, "op2"));
    CHECK(r.get(Table::Meta, "op3"));
    CHECK(r.get(Table::Meta, "op4"));
}

TEST_CASE("a write from inside an op is refused, not a deadlock", "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    const std::string refused = env.write([&](WriteTxn& w) {
        w.put(Table::Meta, "outer", "1");
        try {
            env.write([](WriteTxn& inner) { inner.put(Table::Meta, "inner", "1"); });
        } catch (const Error& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    });
    CHECK_THAT(refused, Catch::Contains("inside a write operation"));
    ReadTxn r(env);
    CHECK(r.get(Table::Meta, "outer"));
    CHECK_FALSE(r.get(Table::Meta, "inner"));
}

TEST_CASE("a read-only Env has no writer and refuses writes", "[store]") {
    sb::test::TempDir dir;
    { Env env(dir.path()); }
    Options o;
    o.read_only = true;
    Env env(dir.path(), o);
    CHECK_THROWS_AS(env.write([](WriteTxn& w) { w.put(Table::Meta, "x", "1"); }), Error);
    CHECK(env.batches_committed() == 0);
}

TEST_CASE("durable = false: writes commit without a flush, sync() makes them durable", "[store]") {
    sb::test::TempDir dir;
    {
        Options o;
        o.durable = false;
        Env env(dir.path(), o);
        for (int i = 0; i < 50; ++i) {
            env.write([&](WriteTxn& w) { w.put(Table::Meta, "n" + std::to_string(i), "1"); });
        }
        CHECK(env.batches_committed() == 50);
        env.sync();
    }
    Env env(dir.path());
    ReadTxn r(env);
    CHECK(r.get(Table::Meta, "n0"));
    CHECK(r.get(Table::Meta, "n49"));
}

TEST_CASE("the writer drains its queue before the Env closes", "[store]") {
    sb::test::TempDir dir;
    std::vector<std::thread> writers;
    {
        Env env(dir.path());
        std::atomic<int> done{0};
        for (int t = 0; t < 4; ++t) {
            writers.emplace_back([&, t] {
                for (int i = 0; i < 20; ++i) {
                    env.write([&](WriteTxn& w) {
                        w.put(Table::Meta, "d" + std::to_string(t * 20 + i), "1");
                    });
                }
                ++done;
            });
        }
        for (auto& t : writers) {
            t.join();
        }
        CHECK(done == 4);
    }
    Env env(dir.path());
    ReadTxn r(env);
    for (int i = 0; i < 80; ++i) {
        CHECK(r.get(Table::Meta, "d" + std::to_string(i)));
    }
}

// Cursor lifetimes: a cursor comes only from a transaction, is neither copied nor moved, and
// finds nothing once its transaction has ended or been reset (until renewed).
static_assert(!std::is_copy_constructible_v<Cursor> && !std::is_move_constructible_v<Cursor>);
static_assert(!std::is_constructible_v<WriteTxn, Env&>); // only the writer makes them
static_assert(!std::is_move_constructible_v<ReadTxn>);   // its cursors point to it

TEST_CASE("a cursor is stale after its txn's reset until renewed, dead after its txn ends",
          "[store]") {
    sb::test::TempDir dir;
    Env env(dir.path());
    env.write([](WriteTxn& w) {
        w.put(Table::Meta, "a", "1");
        w.put(Table::Meta, "b", "2");
    });
    std::optional<ReadTxn> r;
    r.emplace(env);
    Cursor c = r->cursor(Table::Meta);
    REQUIRE(c.seek("a"));
    CHECK_FALSE(c.stale());
    r->reset();
    CHECK(c.stale());
    CHECK_FALSE(c.next()); // finds nothing rather than reading a released snapshot
    r->renew();
    CHECK(c.stale());
    ReadTxn other(env);
    CHECK_THROWS_AS(c.renew(other), Error); // only with its own txn
    c.renew(*r);
    CHECK_FALSE(c.stale());
    REQUIRE(c.seek("b"));
    CHECK(c.value() == "2");
    r.reset(); // the txn ends first: it closes the cursor
    CHECK(c.stale());
    CHECK_FALSE(c.first());
}
