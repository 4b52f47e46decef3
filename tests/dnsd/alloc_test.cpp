// STYLE §2 rule 1: answering allocates nothing. This binary replaces the global operator new
// to count calls and answers hits, CNAME chains, NODATA, NXDOMAIN, ENT, referrals, REFUSED,
// truncation and FORMERR many times over one snapshot, then asserts the count did not move.
#include "answer.hpp"
#include "example_store.hpp"
#include "signed_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <sys/socket.h>

#include <algorithm>
#include <vector>

// Calls of the global operator new so far (alloc_counter.cpp replaces it).
std::size_t allocation_count() noexcept;

using namespace sb;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes query_for(std::string_view wire_name, std::uint8_t qtype, bool edns, bool dnssec = false) {
    Bytes q = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00};
    q.push_back(edns ? 1 : 0);
    for (const char c : wire_name) {
        q.push_back(static_cast<std::uint8_t>(c));
    }
    for (const std::uint8_t b : {std::uint8_t{0}, qtype, std::uint8_t{0}, std::uint8_t{1}}) {
        q.push_back(b);
    }
    if (edns) {
        for (const int b : {0, 0, 41, 0x10, 0, 0, 0, dnssec ? 0x80 : 0, 0, 0, 0}) {
            q.push_back(static_cast<std::uint8_t>(b));
        }
    }
    return q;
}

} // namespace

TEST_CASE("answer allocates nothing", "[dnsd]") {
    test::ExampleStore s;
    const dnsd::Snapshot snapshot = s.snapshot();
    using namespace std::string_literals;
    std::vector<Bytes> queries = {
        query_for("\3www\7example\3com\0"s, 1, false),
        query_for("\6alias2\7example\3com\0"s, 1, true),
        query_for("\3www\7example\3com\0"s, 28, true),
        query_for("\4nope\7example\3com\0"s, 1, false),
        query_for("\1b\7example\3com\0"s, 1, false),
        query_for("\4host\3sub\7example\3com\0"s, 1, true),
        query_for("\3www\7example\3org\0"s, 1, false),
        query_for("\3big\7example\3com\0"s, 16, false),
        query_for("\3sip\7example\3com\0"s, 35, true),
        Bytes{0xAB, 0xCD, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00},
        query_for("\1x\4wild\7example\3com\0"s, 1, true),
        query_for("\1x\2cw\7example\3com\0"s, 1, false),
        query_for("\1x\4wild\7example\3com\0"s, 28, false),
        query_for("\7version\4bind\0"s, 16, true),
        query_for("\3www\7example\3com\0"s, 255, true),
        query_for("\3_sip\4_udp\7example\3com\0"s, 33, true),
    };
    // class CH for the version.bind query
    queries[queries.size() - 3][queries[queries.size() - 3].size() - 12] = 3;
    Bytes out(65535);
    dnsd::AnswerOptions options;
    options.identity = "ns1.test";
    options.version = "test";
    std::size_t total = 0;
    const std::size_t before = allocation_count();
    for (int round = 0; round < 1000; ++round) {
        for (const Bytes& q : queries) {
            total += dnsd::answer(q, &snapshot, dnsd::Transport::Udp, options, out);
        }
    }
    const std::size_t after = allocation_count();
    CHECK(before > 0); // the counter is live: building the store allocated
    CHECK(total > 0);
    CHECK(after - before == 0);
}

TEST_CASE("answer with DNS Cookies allocates nothing", "[dnsd]") {
    test::ExampleStore s;
    const dnsd::Snapshot snapshot = s.snapshot();
    using namespace std::string_literals;
    const dnsd::CookieSecrets secrets("00112233445566778899aabbccddeeff", 3600);
    sockaddr_storage peer{};
    peer.ss_family = AF_INET;
    // www.example.com A with a COOKIE option of `len` bytes: 8 (client only), 24 (with a
    // server cookie, learnt below), 5 (malformed).
    auto with_cookie = [](std::size_t len) {
        Bytes q = query_for("\3www\7example\3com\0"s, 1, true);
        q[q.size() - 1] = static_cast<std::uint8_t>(4 + len);
        q.insert(q.end(), {0, 10, 0, static_cast<std::uint8_t>(len)});
        for (std::size_t i = 0; i < len; ++i) {
            q.push_back(static_cast<std::uint8_t>(i));
        }
        return q;
    };
    Bytes out(65535);
    dnsd::Client learn;
    learn.cookie.secrets = &secrets;
    learn.cookie.peer = &peer;
    learn.cookie.now = 1700000000;
    Bytes valid = with_cookie(8);
    const std::size_t n = dnsd::answer(valid, &snapshot, dnsd::Transport::Udp, {}, learn, out);
    REQUIRE(n > 24);
    valid = with_cookie(24);
    std::copy(out.begin() + static_cast<long>(n) - 24, out.begin() + static_cast<long>(n),
              valid.end() - 24);
    const std::vector<Bytes> queries = {with_cookie(8), valid, with_cookie(24), with_cookie(5)};
    std::size_t total = 0;
    const std::size_t before = allocation_count();
    for (int round = 0; round < 1000; ++round) {
        for (const Bytes& q : queries) {
            for (const bool require : {false, true}) {
                dnsd::Client c;
                c.cookie.secrets = &secrets;
                c.cookie.peer = &peer;
                c.cookie.now = 1700000000 + static_cast<std::uint32_t>(round);
                c.cookie.require = require;
                total += dnsd::answer(q, &snapshot, dnsd::Transport::Udp, {}, c, out);
            }
        }
    }
    const std::size_t after = allocation_count();
    CHECK(total > 0);
    CHECK(after - before == 0);
}

TEST_CASE("DO=1 answers from signed zones allocate nothing", "[dnsd][dnssec]") {
    // NSEC and NSEC3 (with and without opt-out): positive, NODATA, NXDOMAIN, wildcard,
    // wildcard NODATA, ENT, referrals with and without DS, DS at a cut, DNSKEY, RRSIG,
    // CNAME and DNAME, over a 4096 and a 512-byte (TC) UDP size.
    test::SignedStore s;
    const dnsd::Snapshot snapshot = s.snapshot();
    using namespace std::string_literals;
    std::vector<Bytes> queries;
    for (const std::string& zone : {"\4nsec\4test\0"s, "\5nsec3\4test\0"s, "\6optout\4test\0"s}) {
        for (const auto& [name, qtype] : std::vector<std::pair<std::string, std::uint8_t>>{
                 {"\3www", 1},
                 {"\3www", 15},
                 {"\4nope", 1},
                 {"\1a\4nope", 16},
                 {"\1x\4wild", 1},
                 {"\1y\1x\4wild", 28},
                 {"\1b\3ent", 1},
                 {"\3www\6secure", 1},
                 {"\3www\10insecure", 1},
                 {"\6secure", 43},
                 {"\10insecure", 43},
                 {"", 48},
                 {"\3www", 46},
                 {"\5chain", 1},
                 {"\1x\5dname", 16},
                 {"\6wcname", 1},
             }) {
            queries.push_back(query_for(name + zone, qtype, true, true));
        }
    }
    Bytes out(65535);
    dnsd::AnswerOptions options;
    std::size_t total = 0;
    std::size_t truncated = 0;
    const std::size_t before = allocation_count();
    for (int round = 0; round < 200; ++round) {
        for (Bytes& q : queries) {
            for (const std::uint8_t size_hi : {std::uint8_t{0x10}, std::uint8_t{0x02}}) {
                q[q.size() - 8] = size_hi; // the OPT's UDP size: 4096 or 512
                const std::size_t n =
                    dnsd::answer(q, &snapshot, dnsd::Transport::Udp, options, out);
                total += n;
                truncated += n > 2 && (out[2] & 0x02) ? 1 : 0;
            }
        }
    }
    const std::size_t after = allocation_count();
    CHECK(total > 0);
    CHECK(truncated > 0); // some answers only fit with their proofs over 512 bytes
    CHECK(after - before == 0);
}

TEST_CASE("DS at a child zone's apex, answered from the parent, allocates nothing",
          "[dnsd][dnssec]") {
    test::SignedStore s({}, test::child_zones());
    const dnsd::Snapshot snapshot = s.snapshot();
    using namespace std::string_literals;
    std::vector<Bytes> queries;
    for (const std::string& name :
         {"\6secure\5nsec3\4test\0"s, "\10insecure\5nsec3\4test\0"s, "\6secure\4nsec\4test\0"s}) {
        for (const bool dnssec : {true, false}) {
            queries.push_back(query_for(name, 43, true, dnssec));
        }
    }
    Bytes out(65535);
    dnsd::AnswerOptions options;
    const std::size_t before = allocation_count();
    for (int round = 0; round < 200; ++round) {
        for (const Bytes& q : queries) {
            REQUIRE(dnsd::answer(q, &snapshot, dnsd::Transport::Udp, options, out) > 12);
            REQUIRE((out[2] & 0x04) != 0); // AA: the parent's answer
        }
    }
    CHECK(allocation_count() - before == 0);
}
