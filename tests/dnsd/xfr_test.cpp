// TSIG and transfers (issue 4) without sockets: TSIG signatures verify and tampering or an
// unknown key is caught; an AXFR stream starts and ends with the SOA; the answer function puts
// OPT into error answers and answers class CH from its options. (Zone files and the journal
// are tested in tests/zones/journal_test.cpp.)
#include "answer.hpp"
#include "temp_dir.hpp"
#include "tsig.hpp"
#include "xfr.hpp"
#include "zone_file.hpp"

#include <catch2/catch.hpp>

#include <string>
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
    dnsd::Options o;
    o.allow_transfer = {"127.0.0.0/8"};
    const dnsd::Transfers transfers(o);
    using namespace std::string_literals;
    const Bytes q = query("\7example\3com\0"s, 252);
    dnsd::QueryInfo info;
    REQUIRE(dnsd::query_info(q, info));
    store::ReadTxn txn(env);
    std::uint8_t local[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    const Bytes stream = transfers.respond(q, info, local, &txn);
    REQUIRE(stream.size() > 14);
    const std::size_t len = std::size_t{stream[0]} << 8 | stream[1];
    CHECK(len + 2 == stream.size());                  // one message
    CHECK((stream[2 + 3] & 0x0F) == 0);               // NOERROR
    CHECK((stream[2 + 6] << 8 | stream[2 + 7]) == 8); // 7 RRs + the closing SOA
    std::uint8_t remote[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
    const Bytes refused = transfers.respond(q, info, remote, &txn);
    REQUIRE(refused.size() > 6);
    CHECK((refused[2 + 3] & 0x0F) == 5);
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
