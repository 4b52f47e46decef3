// TSIG and transfers (issue 4) without sockets: TSIG signatures verify and tampering or an
// unknown key is caught; an AXFR stream starts and ends with the SOA; the answer function puts
// OPT into error answers and answers class CH from its options. (Zone files and the journal
// are tested in tests/zones/journal_test.cpp.)
#include "answer.hpp"
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "tsig.hpp"
#include "xfr.hpp"
#include "zone_file.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>
#include <ldns/ldns.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

using namespace sb;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes query(std::string_view wire_name, std::uint16_t qtype, std::uint16_t qclass = 1,
            bool edns = false, std::uint8_t opcode = 0) {
    std::string text("\x12\x34", 2);
    text.push_back(static_cast<char>(opcode << 3));
    text.append(std::string("\0\0\1\0\0\0\0\0", 8));
    text.push_back(edns ? '\1' : '\0');
    text.append(wire_name);
    Bytes q(text.begin(), text.end());
    for (const std::uint16_t v : {qtype, qclass}) {
        q.push_back(static_cast<std::uint8_t>(v >> 8));
        q.push_back(static_cast<std::uint8_t>(v));
    }
    if (edns) {
        for (const int b : {0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0}) {
            q.push_back(static_cast<std::uint8_t>(b));
        }
    }
    return q;
}

// Transfers allowed to `acl`, an AXFR query for example.com, and a loopback peer.
struct AxfrSetup {
    explicit AxfrSetup(const std::string& acl)
        : transfers(options(acl))
        , q(query(std::string("\7example\3com\0", 13), 252)) {
        REQUIRE(dnsd::query_info(q, info));
    }

    static dnsd::Options options(const std::string& acl) {
        dnsd::Options o;
        o.allow_transfer = {acl};
        return o;
    }

    dnsd::Transfers transfers;
    Bytes q;
    dnsd::QueryInfo info;
    std::uint8_t local[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
};

// Every message of the transfer answering `q` from `peer`.
std::vector<Bytes> all_messages(const dnsd::Transfers& transfers, const store::Env& env,
                                const Bytes& q, const dnsd::QueryInfo& info,
                                const std::uint8_t* peer) {
    dnsd::Transfer t(transfers, env, q, info, peer);
    std::vector<Bytes> out;
    for (Bytes msg; t.next(msg);) {
        out.push_back(msg);
    }
    return out;
}

// An RR ldns parsed from a message, as zones::zone_rrs gives it (owner canonical, rdata
// wire with names uncompressed).
zones::ZoneRr zone_rr(const ldns_rr* rr) {
    zones::ZoneRr out;
    char* owner = ldns_rdf2str(ldns_rr_owner(rr));
    out.owner = owner;
    free(owner);
    if (out.owner.size() > 1 && out.owner.back() == '.') {
        out.owner.pop_back();
    }
    out.type = static_cast<zones::RRType>(ldns_rr_get_type(rr));
    out.ttl = ldns_rr_ttl(rr);
    ldns_buffer* b = ldns_buffer_new(512);
    ldns_rr_rdata2buffer_wire(b, rr);
    out.rdata.assign(reinterpret_cast<const char*>(ldns_buffer_begin(b)), ldns_buffer_position(b));
    ldns_buffer_free(b);
    return out;
}

} // namespace

TEST_CASE("TSIG signatures verify, and tampering or unknown keys are caught", "[dnsd]") {
    const std::vector<dnsd::TsigKey> keys = {
        dnsd::parse_tsig_key("xfr.key:hmac-sha256:c3dpdGNoYm9hcmQtZG5zNC10ZXN0LWtleS0zMmJ5dGU=")};
    using namespace std::string_literals;
    Bytes q = query("\7example\3com\0"s, 252);
    dnsd::tsig_sign_request(q, keys[0], 1700000000);
    auto st = dnsd::tsig_verify(q, keys, 1700000010);
    CHECK(st.present);
    CHECK(st.error == dnsd::TsigRcode::NoError);
    CHECK(dnsd::tsig_verify(q, keys, 1700001000).error == dnsd::TsigRcode::BadTime);
    Bytes bad = q;
    bad[13] ^= 1;
    CHECK(dnsd::tsig_verify(bad, keys, 1700000010).error == dnsd::TsigRcode::BadSig);
    const std::vector<dnsd::TsigKey> other = {
        dnsd::parse_tsig_key("other:hmac-sha256:c3dpdGNoYm9hcmQtZG5zNC10ZXN0LWtleS0zMmJ5dGU=")};
    CHECK(dnsd::tsig_verify(q, other, 1700000010).error == dnsd::TsigRcode::BadKey);
    CHECK_THROWS(dnsd::parse_tsig_key("k:hmac-md5:c2VjcmV0"));
    CHECK_THROWS(dnsd::parse_tsig_key("k:hmac-sha256:not base64"));
}

TEST_CASE("TSIG with hmac-sha1/256/384/512, and BADKEY under another algorithm", "[dnsd]") {
    using namespace std::string_literals;
    const std::string secret = "c3dpdGNoYm9hcmQtZG5zNC10ZXN0LWtleS0zMmJ5dGU=";
    const std::pair<const char*, std::size_t> algs[] = {
        {"hmac-sha1", 20}, {"hmac-sha256", 32}, {"hmac-sha384", 48}, {"hmac-sha512", 64}};
    for (const auto& [alg, mac_len] : algs) {
        INFO(alg);
        const std::vector<dnsd::TsigKey> keys = {
            dnsd::parse_tsig_key(std::string("xfr.key:") + alg + ":" + secret)};
        Bytes q = query("\7example\3com\0"s, 252);
        const std::string mac = dnsd::tsig_sign_request(q, keys[0], 1700000000);
        CHECK(mac.size() == mac_len);
        const auto st = dnsd::tsig_verify(q, keys, 1700000010);
        CHECK(st.present);
        CHECK(st.error == dnsd::TsigRcode::NoError);
        // The same name and secret configured with any other algorithm does not verify it.
        for (const auto& [other, unused] : algs) {
            if (std::string(other) != alg) {
                const std::vector<dnsd::TsigKey> wrong = {
                    dnsd::parse_tsig_key(std::string("xfr.key:") + other + ":" + secret)};
                CHECK(dnsd::tsig_verify(q, wrong, 1700000010).error == dnsd::TsigRcode::BadKey);
            }
        }
    }
    CHECK_THROWS_WITH(dnsd::parse_tsig_key("k:hmac-sha224:" + secret),
                      Catch::Contains("use one of hmac-sha256 hmac-sha384"));
}

TEST_CASE("an AXFR stream is the zone between two SOAs; ACLs refuse others", "[dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::import_zone_file(env, test::example_zone_file);
    AxfrSetup x("127.0.0.0/8");
    auto& [transfers, q, info, local] = x;
    const auto messages = all_messages(transfers, env, q, info, local);
    REQUIRE(messages.size() == 1);
    const Bytes& stream = messages[0];
    REQUIRE(stream.size() > 14);
    const std::size_t len = std::size_t{stream[0]} << 8 | stream[1];
    CHECK(len + 2 == stream.size());                  // framed
    CHECK((stream[2 + 3] & 0x0F) == 0);               // NOERROR
    CHECK((stream[2 + 6] << 8 | stream[2 + 7]) == 8); // 7 RRs + the closing SOA
    std::uint8_t remote[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
    const auto refused = all_messages(transfers, env, q, info, remote);
    REQUIRE(refused.size() == 1);
    REQUIRE(refused[0].size() > 6);
    CHECK((refused[0][2 + 3] & 0x0F) == 5);
    using namespace std::string_literals;
    const Bytes other = query("\7example\3org\0"s, 252);
    REQUIRE(dnsd::query_info(other, info));
    const auto notauth = all_messages(transfers, env, other, info, local);
    REQUIRE(notauth.size() == 1);
    CHECK((notauth[0][2 + 3] & 0x0F) == 9);
}

TEST_CASE("a large AXFR streams in full messages that hold the zone's RRs in order", "[dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    // 6,000 TXT owners: about 300 KB of RRs, many 16 KiB messages.
    std::string text = test::example_zone_file;
    for (int i = 0; i < 6000; ++i) {
        text += "host" + std::to_string(i) + " IN TXT \"record number " + std::to_string(i) +
                " of a zone that needs several transfer messages\"\n";
    }
    test::import_zone_file(env, text);
    std::vector<zones::ZoneRr> expected;
    {
        store::ReadTxn txn(env);
        expected = zones::zone_rrs(txn, "example.com");
    }
    REQUIRE(expected.size() == 6007);
    expected.push_back(expected.front()); // the closing SOA
    AxfrSetup x("127.0.0.1");
    auto& [transfers, q, info, local] = x;
    dnsd::Transfer t(transfers, env, q, info, local);
    REQUIRE(t.streams());
    // A write after the transfer started is not in it: one snapshot.
    env.write([](store::WriteTxn& txn) {
        zones::ImportOptions io;
        io.now = 1700000100;
        zones::import_zone(txn, test::example_zone_file, io);
    });
    std::vector<zones::ZoneRr> got;
    Bytes msg;
    std::size_t messages = 0;
    while (t.next(msg)) {
        ++messages;
        const std::size_t len = std::size_t{msg[0]} << 8 | msg[1];
        REQUIRE(len + 2 == msg.size());
        REQUIRE(len <= 16384); // pointers reach 16 KiB: larger messages would not compress
        ldns_pkt* pkt = nullptr;
        REQUIRE(ldns_wire2pkt(&pkt, msg.data() + 2, len) == LDNS_STATUS_OK);
        CHECK(ldns_pkt_get_rcode(pkt) == LDNS_RCODE_NOERROR);
        CHECK(ldns_pkt_aa(pkt));
        const ldns_rr_list* answer = ldns_pkt_answer(pkt);
        REQUIRE(ldns_rr_list_rr_count(answer) > 0);
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
            got.push_back(zone_rr(ldns_rr_list_rr(answer, i)));
        }
        ldns_pkt_free(pkt);
        if (got.size() < expected.size()) {
            // As many RRs as fit: the next one would not (a TXT RR here is under 100 bytes).
            CHECK(len > 16384 - 100);
        }
    }
    CHECK(messages >= 16);
    CHECK(t.messages() == messages);
    CHECK_FALSE(t.failed());
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        INFO(i << " " << expected[i].owner);
        CHECK(got[i] == expected[i]);
    }
}

TEST_CASE("an IXFR streams the journal's differences; busy and abandoned transfers", "[dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::import_zone_file(env, test::example_zone_file);
    std::string changed = test::example_zone_file;
    changed.replace(changed.find("2030010100"), 10, "2030010101");
    changed += "new IN A 192.0.2.99\n";
    test::import_zone_file(env, changed);
    dnsd::Options o;
    o.allow_transfer = {"::ffff:127.0.0.0/104"};
    const dnsd::Transfers transfers(o);
    using namespace std::string_literals;
    // IXFR from serial 2030010100: SOA(new), SOA(old), SOA(new), new A, SOA(new).
    Bytes q = query("\7example\3com\0"s, 251);
    q[9] = 1; // NSCOUNT: the client's SOA
    // rdata: root MNAME, RNAME (1+1 bytes), then serial 2030010100 = 0x78FF7EF4.
    Bytes rdata = {0, 0,    0x78, 0xFF, 0x7E, 0xF4, 0,    0, 0x2A, 0x30, 0,
                   0, 0x0E, 0x10, 0,    0x09, 0x3A, 0x80, 0, 0,    0x01, 0x2C};
    for (const int b : {0xC0, 0x0C, 0, 6, 0, 1, 0, 0, 0x0E, 0x10, 0, 22}) {
        q.push_back(static_cast<std::uint8_t>(b));
    }
    q.insert(q.end(), rdata.begin(), rdata.end());
    dnsd::QueryInfo info;
    REQUIRE(dnsd::query_info(q, info));
    std::uint8_t local[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    {
        const auto messages = all_messages(transfers, env, q, info, local);
        REQUIRE(messages.size() == 1);
        ldns_pkt* pkt = nullptr;
        REQUIRE(ldns_wire2pkt(&pkt, messages[0].data() + 2, messages[0].size() - 2) ==
                LDNS_STATUS_OK);
        const ldns_rr_list* answer = ldns_pkt_answer(pkt);
        REQUIRE(ldns_rr_list_rr_count(answer) == 5);
        std::vector<std::uint16_t> types;
        for (std::size_t i = 0; i < 5; ++i) {
            types.push_back(
                static_cast<std::uint16_t>(ldns_rr_get_type(ldns_rr_list_rr(answer, i))));
        }
        CHECK(types == std::vector<std::uint16_t>{6, 6, 6, 1, 6});
        ldns_pkt_free(pkt);
    }
    SECTION("over the limit: SERVFAIL, and no snapshot held") {
        dnsd::Transfer t(transfers, env, q, info, local);
        REQUIRE(t.streams());
        t.busy();
        CHECK_FALSE(t.streams());
        Bytes msg;
        REQUIRE(t.next(msg));
        CHECK((msg[2 + 3] & 0x0F) == 2);
        CHECK_FALSE(t.next(msg));
    }
    SECTION("abandoned after its first message: no more messages") {
        dnsd::Transfer t(transfers, env, q, info, local);
        Bytes msg;
        REQUIRE(t.next(msg));
        t.abandon();
        CHECK_FALSE(t.next(msg));
    }
}

TEST_CASE("per-zone and per-group transfer rules: the zone's key or address, else REFUSED",
          "[dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::import_zone_file(env, test::example_zone_file);
    std::string net = test::example_zone_file;
    for (std::size_t at; (at = net.find("example.com")) != std::string::npos;) {
        net.replace(at, 11, "example.net");
    }
    test::import_zone_file(env, net);
    std::string org = net;
    for (std::size_t at; (at = org.find("example.net")) != std::string::npos;) {
        org.replace(at, 11, "example.org");
    }
    test::import_zone_file(env, org);
    // example.net is an ENUM range's zone (catalog group "enum").
    env.write([](store::WriteTxn& txn) {
        auto row = *store::get_zone(txn, "example.net");
        row.kind = store::ZoneKind::Enum;
        txn.put(store::Table::Zones, "example.net", store::encode(row));
    });
    const std::string secret = "c3dpdGNoYm9hcmQtZG5zNC10ZXN0LWtleS0zMmJ5dGU=";
    dnsd::Options o;
    o.tsig_keys = {"com.key:hmac-sha256:" + secret, "enum.key:hmac-sha256:" + secret,
                   "other.key:hmac-sha256:" + secret};
    o.transfer_rules = {{"Example.COM.", {"192.0.2.0/24", "key:com.key"}},
                        {"group:enum", {"key:enum.key"}}};
    const dnsd::Transfers transfers(o);
    std::uint8_t local[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    std::uint8_t listed[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 9};
    CHECK(transfers.allowed(listed)); // a transfer peer for the TCP table
    CHECK_FALSE(transfers.allowed(local));
    // The first message's rcode and ARCOUNT (1: a TSIG RR) for `zone` asked with `key`.
    const auto ask = [&](const char* wire_zone, std::size_t len, const std::uint8_t* peer,
                         int key) {
        Bytes q = query(std::string(wire_zone, len), 252);
        if (key >= 0) {
            dnsd::tsig_sign_request(q, transfers.keys()[static_cast<std::size_t>(key)],
                                    static_cast<std::uint64_t>(std::time(nullptr)));
        }
        dnsd::QueryInfo info;
        REQUIRE(dnsd::query_info(q, info));
        const auto messages = all_messages(transfers, env, q, info, peer);
        REQUIRE(!messages.empty());
        return std::pair<int, int>(messages[0][2 + 3] & 0x0F, messages[0][2 + 11]);
    };
    const char com[] = "\7example\3com";
    const char enm[] = "\7example\3net";
    const char orgz[] = "\7example\3org";
    using P = std::pair<int, int>;
    CHECK(ask(com, sizeof com, listed, -1) == P{0, 0});   // its address
    CHECK(ask(com, sizeof com, local, 0) == P{0, 1});     // its key, from anywhere
    CHECK(ask(com, sizeof com, local, -1) == P{5, 0});    // another address
    CHECK(ask(com, sizeof com, listed, 2) == P{5, 1});    // another key: REFUSED, signed
    CHECK(ask(com, sizeof com, local, 1) == P{5, 1});     // the enum group's key
    CHECK(ask(enm, sizeof enm, local, 1) == P{0, 1});     // the group's key
    CHECK(ask(enm, sizeof enm, local, 0) == P{5, 1});     // example.com's key
    CHECK(ask(enm, sizeof enm, listed, -1) == P{5, 0});   // example.com's address
    CHECK(ask(orgz, sizeof orgz, local, 2) == P{0, 1});   // no rule: any key (as before)
    CHECK(ask(orgz, sizeof orgz, listed, -1) == P{5, 0}); // no rule: allow_transfer (empty)
    // A zone we do not serve: judged by the global rule, then NOTAUTH.
    CHECK(ask("\7example\4test", 14, local, 2) == P{9, 1});
    CHECK(ask("\7example\4test", 14, listed, -1) == P{5, 0});

    dnsd::Options bad = o;
    bad.transfer_rules = {{"example.com", {"key:nobody.key"}}};
    CHECK_THROWS_WITH(dnsd::Transfers(bad), Catch::Contains("no tsig_key defines"));
    bad.transfer_rules = {{"group:customer", {"192.0.2.1"}}};
    CHECK_THROWS_WITH(dnsd::Transfers(bad), Catch::Contains("group:dns and group:enum"));
    bad.transfer_rules = {{"example.com", {"192.0.2.1/33"}}};
    CHECK_THROWS_WITH(dnsd::Transfers(bad), Catch::Contains("bad prefix length"));
    bad.transfer_rules = {{"example.com", {"ns2"}}};
    CHECK_THROWS_WITH(dnsd::Transfers(bad), Catch::Contains("is not an address"));
}

TEST_CASE("transfer threads: at most the limit at once, then a queue, then Full", "[dnsd]") {
    using Start = dnsd::TransferThreads::Start;
    // Each job notes that it started, then waits until the test releases it: which job a freed
    // slot takes is then decided by the queue alone, not by which thread wins a race.
    std::array<std::atomic<bool>, 7> release{};
    std::vector<int> started; // the jobs in the order they started (each appends under `m`)
    std::mutex m;
    std::atomic<int> nice{-100};
    const int outer = ::getpriority(PRIO_PROCESS, 0);
    const auto job = [&](int n) {
        return [&, n](const std::atomic<bool>& stop) {
            nice = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
            {
                const std::lock_guard<std::mutex> lock(m);
                started.push_back(n);
            }
            while (!release[static_cast<std::size_t>(n)] && !stop) {
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
        };
    };
    const auto seen = [&] {
        const std::lock_guard<std::mutex> lock(m);
        return started;
    };
    const auto wait_for = [&](std::size_t count) {
        for (int i = 0; i < 5000 && seen().size() < count; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        return seen();
    };
    {
        dnsd::TransferThreads threads;
        CHECK(threads.submit(job(1), 2, 2) == Start::Now);
        CHECK(threads.submit(job(2), 2, 2) == Start::Now);
        CHECK(threads.submit(job(3), 2, 2) == Start::Queued);
        CHECK(threads.submit(job(4), 2, 2) == Start::Queued);
        CHECK(threads.submit(job(5), 2, 2) == Start::Full); // dropped, never runs
        CHECK(threads.active() == 2);
        REQUIRE(wait_for(2).size() == 2); // 1 and 2 run, in either order
        // The waiting ones start first come, first served, each in the slot that freed.
        release[1] = true;
        auto order = wait_for(3);
        REQUIRE(order.size() == 3);
        CHECK(order[2] == 3);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        CHECK(seen().size() == 3); // job 4 waits: job 2 and job 3 hold both slots
        CHECK(threads.active() == 2);
        release[2] = true;
        order = wait_for(4);
        REQUIRE(order.size() == 4);
        CHECK(order[3] == 4);
        release[3] = true;
        release[4] = true;
        for (int i = 0; i < 5000 && threads.active() != 0; ++i) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        CHECK(threads.active() == 0); // each slot freed when its queue ran dry
        release[6] = true;
        CHECK(threads.submit(job(6), 2, 2) == Start::Now);
        CHECK(wait_for(5).size() == 5);
    }
    const auto order = seen();
    REQUIRE(order.size() == 5);
    CHECK((order[0] + order[1] == 3)); // 1 and 2, in either order
    CHECK(order.back() == 6);
    CHECK(nice == std::min(19, outer + 10)); // below the DNS workers
}

namespace {

// Spends `cpu` of this thread's CPU time.
void burn(std::chrono::nanoseconds cpu) {
    const auto now = [] {
        timespec ts{};
        ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
    };
    const auto end = now() + cpu;
    volatile std::uint64_t x = 0;
    while (now() < end) {
        x = x + 1;
    }
}

} // namespace

TEST_CASE("transfer pacer: yields 19 times its CPU while UDP is busy, never when idle", "[dnsd]") {
    using namespace std::chrono_literals;
    using Pacer = dnsd::TransferPacer;
    std::uint64_t answered = 0;
    const dnsd::UdpAnswered udp = [&] { return answered; };
    const std::atomic<bool> go{false};
    const auto between = [&](Pacer& pace, const std::atomic<bool>& stop) {
        const auto t0 = std::chrono::steady_clock::now();
        pace.between(stop);
        return std::chrono::steady_clock::now() - t0;
    };

    SECTION("idle workers: no pause") {
        Pacer pace(udp);
        for (int i = 0; i < 5; ++i) {
            burn(2ms);
            answered += 1; // far below busy_rate
            between(pace, go);
        }
        CHECK(pace.pauses() == 0);
        CHECK(pace.paused() == 0ns);
    }
    SECTION("busy workers: a pause of yield_factor times the work, at most max_pause") {
        Pacer pace(udp);
        burn(500us);
        answered += 1000000;
        const auto took = between(pace, go);
        CHECK(pace.pauses() == 1);
        CHECK(pace.paused() >= Pacer::yield_factor * 500us);
        CHECK(pace.paused() <= Pacer::max_pause);
        CHECK(took >= pace.paused());
        const auto before = pace.paused();
        burn(5ms); // 19 x 5 ms would be 95 ms: capped
        answered += 1000000;
        between(pace, go);
        CHECK(pace.paused() - before == Pacer::max_pause);
        // The load fell: once a whole window has seen too few queries, messages go at once.
        std::this_thread::sleep_for(Pacer::window);
        between(pace, go); // closes the window that saw the load
        std::this_thread::sleep_for(Pacer::window);
        const unsigned calm = pace.pauses();
        for (int i = 0; i < 3; ++i) {
            burn(2ms);
            answered += 1;
            between(pace, go);
        }
        CHECK(pace.pauses() == calm);
    }
    SECTION("stopping: no pause") {
        Pacer pace(udp);
        const std::atomic<bool> stop{true};
        burn(1ms);
        answered += 1000000;
        between(pace, stop);
        CHECK(pace.pauses() == 0);
    }
    SECTION("nothing watched: no pause") {
        const dnsd::UdpAnswered none;
        Pacer pace(none);
        burn(1ms);
        between(pace, go);
        CHECK(pace.pauses() == 0);
    }
}

TEST_CASE("send_all gives up on a peer that stops reading, and on a closed one", "[dnsd]") {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    const std::atomic<bool> stop{false};
    const Bytes big(8 << 20, 0x55); // more than the socket buffers hold
    const auto t0 = std::chrono::steady_clock::now();
    CHECK_FALSE(dnsd::send_all(fds[0], big, std::chrono::milliseconds(200), stop));
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took >= std::chrono::milliseconds(200));
    CHECK(took < std::chrono::seconds(5));
    ::close(fds[1]);
    CHECK_FALSE(dnsd::send_all(fds[0], Bytes(100, 1), std::chrono::milliseconds(200), stop));
    ::close(fds[0]);
}

TEST_CASE("answer: OPT in error answers, class CH from the options", "[dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    test::import_zone_file(env, test::example_zone_file);
    store::ReadTxn txn(env);
    store::Cursor cursor = txn.cursor(store::Table::DnsNodes);
    zones::ZoneIndex index;
    REQUIRE(index.sync(txn));
    const dnsd::Snapshot snapshot{txn, cursor, index};
    Bytes out(4096);
    using namespace std::string_literals;
    dnsd::AnswerOptions options;

    SECTION("NOTIMP for UPDATE keeps the OPT (RFC 6891 §7)") {
        const Bytes q = query("\7example\3com\0"s, 6, 1, true, 5);
        const std::size_t n = dnsd::answer(q, &snapshot, dnsd::Transport::Udp, options, out);
        REQUIRE(n > 12);
        CHECK((out[3] & 0x0F) == 4);
        CHECK(out[11] == 1); // ARCOUNT: the OPT
    }
    SECTION("version.bind: REFUSED unless configured") {
        const Bytes q = query("\7version\4bind\0"s, 16, 3);
        REQUIRE(dnsd::answer(q, &snapshot, dnsd::Transport::Udp, options, out) > 12);
        CHECK((out[3] & 0x0F) == 5);
        options.version = "sb-1";
        const std::size_t n = dnsd::answer(q, &snapshot, dnsd::Transport::Udp, options, out);
        REQUIRE(n > 12);
        CHECK((out[3] & 0x0F) == 0);
        CHECK(out[7] == 1); // one TXT
        CHECK(std::string(out.begin() + static_cast<long>(n) - 4,
                          out.begin() + static_cast<long>(n)) == "sb-1");
    }
    SECTION("a wildcard answer owns the query name, in the client's case") {
        const Bytes q = query("\1X\4WiLd\7example\3com\0"s, 16);
        const std::size_t n = dnsd::answer(q, &snapshot, dnsd::Transport::Udp, options, out);
        REQUIRE(n > 12);
        CHECK((out[2] & 0x04) != 0); // AA
        CHECK(out[7] == 1);
        const std::size_t rr = 12 + (q.size() - 12);
        CHECK(out[rr] == 0xC0); // owner compressed to the question
        CHECK(out[rr + 1] == 12);
    }
    SECTION("a referral carries glue and is not authoritative") {
        const Bytes q = query("\1x\3sub\7example\3com\0"s, 1);
        REQUIRE(dnsd::answer(q, &snapshot, dnsd::Transport::Udp, options, out) > 12);
        CHECK((out[2] & 0x04) == 0);
        CHECK(out[9] == 1);  // NS
        CHECK(out[11] == 1); // glue A
    }
}
