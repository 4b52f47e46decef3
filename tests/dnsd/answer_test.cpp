// dnsd::answer (the function every transport calls) without sockets. Checks: it never reads
// or writes out of bounds on truncated, mutated and random input (run it under
// -DSB_SANITIZE=address,undefined); responses are never answered; a query whose store cannot
// be read (no snapshot) gets SERVFAIL; a NUL byte inside a qname label is REFUSED.
#include "answer.hpp"
#include "example_store.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <vector>

using namespace sb;
using Bytes = std::vector<std::uint8_t>;

namespace {

void append(Bytes& b, std::string_view bytes) {
    for (const char c : bytes) {
        b.push_back(static_cast<std::uint8_t>(c));
    }
}

// OPT RR: root owner, type 41, payload 4096, version 0, DO set, no options.
const std::string opt_rr("\0\0\x29\x10\0\0\0\x80\0\0\0", 11);

Bytes query_for(std::string_view wire_name, std::uint16_t qtype, bool edns) {
    Bytes q;
    append(q, std::string_view("\x12\x34\x01\0\0\x01\0\0\0\0\0", 11));
    q.push_back(edns ? 1 : 0);
    append(q, wire_name);
    q.push_back(0);
    q.push_back(static_cast<std::uint8_t>(qtype));
    q.push_back(0);
    q.push_back(1);
    if (edns) {
        append(q, opt_rr);
    }
    return q;
}

} // namespace

TEST_CASE("answer survives truncated, mutated and random queries", "[dnsd]") {
    test::ExampleStore s;
    const dnsd::Snapshot snapshot = s.snapshot();
    Bytes out(65535);

    using namespace std::string_literals;
    const std::vector<Bytes> seeds = {
        query_for("\3www\7example\3com\0"s, 1, false),
        query_for("\3big\7example\3com\0"s, 16, true),
        query_for("\6alias2\7example\3com\0"s, 1, true),
        query_for("\4nope\7example\3com\0"s, 1, false),
        query_for("\4host\3sub\7example\3com\0"s, 1, true),
        query_for("\3www\7example\3org\0"s, 255, true),
    };
    std::mt19937 rng(42);
    for (const Bytes& seed : seeds) {
        for (std::size_t len = 0; len <= seed.size(); ++len) {
            const Bytes q(seed.begin(), seed.begin() + static_cast<long>(len));
            for (auto transport : {dnsd::Transport::Udp, dnsd::Transport::Tcp}) {
                const std::size_t n = dnsd::answer(q, &snapshot, transport, 1232, out);
                CHECK(n <= (transport == dnsd::Transport::Udp ? 1232u : out.size()));
            }
        }
        for (int i = 0; i < 2000; ++i) {
            Bytes q = seed;
            const int flips = 1 + static_cast<int>(rng() % 4);
            for (int f = 0; f < flips; ++f) {
                q[rng() % q.size()] = static_cast<std::uint8_t>(rng());
            }
            const std::size_t n = dnsd::answer(q, &snapshot, dnsd::Transport::Udp, 1232, out);
            CHECK(n <= 1232);
        }
    }
    for (int i = 0; i < 2000; ++i) {
        Bytes q(rng() % 600);
        for (auto& b : q) {
            b = static_cast<std::uint8_t>(rng());
        }
        CHECK(dnsd::answer(q, &snapshot, dnsd::Transport::Tcp, 1232, out) <= out.size());
    }
}

TEST_CASE("answer decides the edge rcodes", "[dnsd]") {
    test::ExampleStore s;
    const dnsd::Snapshot snapshot = s.snapshot();
    Bytes out(512);
    using namespace std::string_literals;

    SECTION("a response is not answered") {
        Bytes q = query_for("\3www\7example\3com\0"s, 1, false);
        q[2] |= 0x80;
        CHECK(dnsd::answer(q, &snapshot, dnsd::Transport::Udp, 1232, out) == 0);
    }
    SECTION("no snapshot: SERVFAIL") {
        const Bytes q = query_for("\3www\7example\3com\0"s, 1, false);
        REQUIRE(dnsd::answer(q, nullptr, dnsd::Transport::Udp, 1232, out) > 12);
        CHECK((out[3] & 0x0F) == 2);
    }
    SECTION("NUL inside a label: REFUSED") {
        const Bytes q = query_for("\3w\0w\7example\3com\0"s, 1, false);
        REQUIRE(dnsd::answer(q, &snapshot, dnsd::Transport::Udp, 1232, out) > 12);
        CHECK((out[3] & 0x0F) == 5);
    }
    SECTION("a compression pointer in the question: FORMERR") {
        const Bytes q = query_for("\3www\xC0\x0C"s, 1, false);
        REQUIRE(dnsd::answer(q, &snapshot, dnsd::Transport::Udp, 1232, out) == 12);
        CHECK((out[3] & 0x0F) == 1);
    }
    SECTION("two OPT RRs: FORMERR") {
        Bytes q = query_for("\3www\7example\3com\0"s, 1, true);
        q[11] = 2;
        append(q, opt_rr);
        REQUIRE(dnsd::answer(q, &snapshot, dnsd::Transport::Udp, 1232, out) == 12);
        CHECK((out[3] & 0x0F) == 1);
    }
    SECTION("class CH: REFUSED") {
        Bytes q = query_for("\3www\7example\3com\0"s, 1, false);
        q[q.size() - 1] = 3;
        REQUIRE(dnsd::answer(q, &snapshot, dnsd::Transport::Udp, 1232, out) > 12);
        CHECK((out[3] & 0x0F) == 5);
    }
}

TEST_CASE("issue_12 wire edge cases: EDNS option overrun, TSIG with an unknown key", "[dnsd]") {
    test::ExampleStore s;
    const dnsd::Snapshot snapshot = s.snapshot();
    Bytes out(512);
    using namespace std::string_literals;
    const std::string www = "\3www\7example\3com\0"s;
    // The request's TSIG RR: key "k.", hmac-sha256, time signed, fudge 300, a 32-byte MAC.
    const std::string alg = "\13hmac-sha256\0"s;
    std::string tsig = "\1k\0\0\xfa\0\xff\0\0\0\0"s;
    std::string rdata =
        alg + "\0\0\x65\x00\x00\x01\x01\x2c\0\x20"s + std::string(32, 'm') + "\x12\x34\0\0\0\0"s;
    tsig += static_cast<char>(rdata.size() >> 8);
    tsig += static_cast<char>(rdata.size());
    tsig += rdata;

    SECTION("an EDNS option running past the OPT RDATA: FORMERR, with OPT") {
        Bytes q = query_for(www, 1, false);
        q[11] = 1;
        // OPT with RDLENGTH 6: option 10 (cookie) claiming 8 bytes, 2 present.
        append(q, "\0\0\x29\x10\0\0\0\0\0\0\x06\0\x0a\0\x08"
                  "ab"s);
        const std::size_t n = dnsd::answer(q, &snapshot, dnsd::Transport::Udp, 1232, out);
        REQUIRE(n > 12);
        CHECK((out[3] & 0x0F) == 1);
        CHECK(out[11] == 1); // our OPT
        CHECK(out[7] == 0);  // no answer
        // The same option, whole, is answered.
        Bytes ok = query_for(www, 1, false);
        ok[11] = 1;
        append(ok, "\0\0\x29\x10\0\0\0\0\0\0\x06\0\x0a\0\x02"
                   "ab"s);
        REQUIRE(dnsd::answer(ok, &snapshot, dnsd::Transport::Udp, 1232, out) > 12);
        CHECK((out[3] & 0x0F) == 0);
        CHECK(out[7] > 0);
    }
    SECTION("a TSIG-signed query with a key we do not know: NOTAUTH, TSIG BADKEY unsigned") {
        Bytes q = query_for(www, 1, false);
        q[11] = 1;
        append(q, tsig);
        const std::size_t n = dnsd::answer(q, &snapshot, dnsd::Transport::Udp, 1232, out);
        REQUIRE(n > 12);
        CHECK((out[3] & 0x0F) == 9);
        CHECK(out[7] == 0);  // no answer
        CHECK(out[11] == 1); // the TSIG RR
        // It ends the message: key name, type 250, class ANY, TTL 0, then the rdata with
        // MAC size 0, original id 0x1234, error 17 (BADKEY), other len 0.
        const std::string tail(reinterpret_cast<const char*>(out.data()) + n - 8, 8);
        CHECK(tail == "\0\0\x12\x34\0\x11\0\0"s);
        const std::string head(reinterpret_cast<const char*>(out.data()) + 12 + www.size() + 4, 13);
        CHECK(head == "\1k\0\0\xfa\0\xff\0\0\0\0\0\x1d"s);
    }
    SECTION("a known key is not refused here (transfers verify it)") {
        std::vector<dnsd::TsigKey> keys{dnsd::parse_tsig_key("k:hmac-sha256:c2VjcmV0")};
        dnsd::AnswerOptions o;
        o.tsig_keys = &keys;
        Bytes q = query_for(www, 1, false);
        q[11] = 1;
        append(q, tsig);
        REQUIRE(dnsd::answer(q, &snapshot, dnsd::Transport::Udp, o, out) > 12);
        CHECK((out[3] & 0x0F) == 0);
    }
    SECTION("a TSIG RR that is not the last record: FORMERR") {
        Bytes q = query_for(www, 1, false);
        q[11] = 2;
        append(q, tsig);
        append(q, opt_rr);
        REQUIRE(dnsd::answer(q, &snapshot, dnsd::Transport::Udp, 1232, out) == 12);
        CHECK((out[3] & 0x0F) == 1);
    }
}
