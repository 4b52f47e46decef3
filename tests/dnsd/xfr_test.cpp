// Zone files, the IXFR journal, TSIG and transfers (issue 4) without sockets: zone import and
// export round-trip through the store; a changed zone yields a journal step between its two
// serials (and none from a serial the journal does not know); TSIG signatures verify and
// tampering or an unknown key is caught; an AXFR stream starts and ends with the SOA; the
// answer function puts OPT into error answers and answers class CH from its options.
#include "answer.hpp"
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "tsig.hpp"
#include "xfr.hpp"
#include "zones/compile.hpp"
#include "zones/journal.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace sb;
using Bytes = std::vector<std::uint8_t>;

namespace {

const std::string zone_text = R"($ORIGIN example.com.
$TTL 3600
@ IN SOA ns1.example.com. hostmaster.example.com. 2030010100 10800 3600 604800 300
@ IN NS ns1.example.com.
ns1 IN A 192.0.2.53
www IN A 192.0.2.80
*.wild IN TXT "wildcard"
sub IN NS ns.sub.example.com.
ns.sub IN A 192.0.2.200
)";

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

void import(store::Env& env, const std::string& text) {
    env.write([&](store::WriteTxn& txn) {
        zones::ImportOptions o;
        o.now = 1700000000;
        zones::import_zone(txn, text, o);
    });
}

} // namespace

TEST_CASE("zone import and export round-trip through the store", "[zones][dnsd]") {
    test::TempDir a, b;
    store::Env env_a(a.path()), env_b(b.path());
    import(env_a, zone_text);
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
    import(env_b, exported);
    store::ReadTxn txn(env_b);
    CHECK(zones::export_zone(txn, "example.com") == exported);
}

TEST_CASE("zone import refuses what it cannot store", "[zones][dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    const auto import_text = [&](const std::string& text) {
        env.write([&](store::WriteTxn& txn) {
            zones::ImportOptions o;
            zones::import_zone(txn, text, o);
        });
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
    import(env, zone_text);
    std::string changed = zone_text;
    changed.replace(changed.find("192.0.2.80"), 10, "192.0.2.81");
    import(env, changed + "new IN A 192.0.2.9\n");
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
    test::TempDir dir;
    store::Options options;
    options.durable = false;
    store::Env env(dir.path(), options);
    import(env, zone_text);
    for (std::size_t i = 0; i < zones::max_journal_groups + 5; ++i) {
        env.write([&](store::WriteTxn& txn) {
            auto zone = *store::get_zone(txn, "example.com");
            zones::touch_zone(txn, zone, 1700000000);
        });
    }
    store::ReadTxn txn(env);
    CHECK(!zones::journal_diffs(txn, "example.com", 2030010100)); // trimmed away: AXFR
    const std::uint32_t recent = 2030010100 + zones::max_journal_groups;
    const auto diffs = zones::journal_diffs(txn, "example.com", recent);
    REQUIRE(diffs);
    CHECK(diffs->size() == 5);
}

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

TEST_CASE("an AXFR stream is the zone between two SOAs; ACLs refuse others", "[dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    import(env, zone_text);
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
    import(env, zone_text);
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
