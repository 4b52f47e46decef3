// The secondary's pieces that need no network: the TSIG chain of a primary's answer (RFC 8945
// §5.3.1, verified message by message) and the answer to a NOTIFY (RFC 1996 §4.7), from a
// primary's address only, TSIG-verified when the primary has a key. Transfers themselves run
// against real primaries in tests/dns4 (test_sb_secondary.py, test_knot_primary.py); a zone
// held here as a primary is never taken over (test_catalog_conflict.py end to end).
#include "dnsd/secondary.hpp"
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "tsig.hpp"
#include "zones/zonefile.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

using namespace sb;
using Bytes = std::vector<std::uint8_t>;

namespace {

constexpr const char* key_spec = "xfr.key:hmac-sha384:c3dpdGNoYm9hcmQtZG5zNC10ZXN0LWtleS0zMmJ5dGU=";

// A message for a.example SOA: `flags` in the header (0x2400: NOTIFY with AA; 0x8400: a
// response), one question.
Bytes message(std::uint16_t flags,
              std::string_view zone_wire = std::string_view("\1a\7example\0", 11)) {
    std::string m("\x12\x34", 2);
    m.push_back(static_cast<char>(flags >> 8));
    m.push_back(static_cast<char>(flags));
    m.append(std::string("\0\1\0\0\0\0\0\0", 8));
    m.append(zone_wire);
    m.append(std::string("\0\6\0\1", 4));
    return Bytes(m.begin(), m.end());
}

sockaddr_storage address(const char* ip) {
    sockaddr_storage ss{};
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(5353);
    inet_pton(AF_INET, ip, &v4->sin_addr);
    return ss;
}

} // namespace

TEST_CASE("a primary's multi-message answer verifies message by message, each MAC chained",
          "[dnsd][secondary]") {
    const std::vector<dnsd::TsigKey> keys = {dnsd::parse_tsig_key(key_spec)};
    const std::uint64_t now = 1700000000;
    Bytes request = message(0);
    const std::string mac0 = dnsd::tsig_sign_request(request, keys[0], now);
    Bytes first = message(0x8400);
    const std::string mac1 = dnsd::tsig_sign(first, keys[0], mac0, true, now);
    Bytes second = message(0x8400);
    dnsd::tsig_sign(second, keys[0], mac1, false, now);

    const auto st1 = dnsd::tsig_verify(first, keys, now, &mac0, false);
    CHECK(st1.error == dnsd::TsigRcode::NoError);
    CHECK(st1.mac == mac1);
    CHECK(dnsd::tsig_verify(second, keys, now, &mac1, true).error == dnsd::TsigRcode::NoError);
    // Another prior MAC, the full variables where only the timers are signed, no prior: BADSIG.
    CHECK(dnsd::tsig_verify(second, keys, now, &mac0, true).error == dnsd::TsigRcode::BadSig);
    CHECK(dnsd::tsig_verify(second, keys, now, &mac1, false).error == dnsd::TsigRcode::BadSig);
    CHECK(dnsd::tsig_verify(first, keys, now).error == dnsd::TsigRcode::BadSig);
}

TEST_CASE("NOTIFY: NOERROR + AA for a kept zone from a primary, signed alike; others are not ours",
          "[dnsd][secondary]") {
    test::TempDir dir;
    store::Env env(dir.path());
    dnsd::SecondaryOptions o;
    o.primaries = {"127.0.0.1:5300"};
    o.zones = {"a.example"};
    dnsd::Secondary plain(env, o);
    Bytes out(512);
    const Bytes notify = message(0x2400);
    const std::size_t len = plain.notify(notify, address("127.0.0.1"), out);
    REQUIRE(len == notify.size());
    CHECK(out[2] == 0xA4); // QR, opcode NOTIFY, AA
    CHECK((out[3] & 0x0F) == 0);
    CHECK(std::memcmp(out.data() + 12, notify.data() + 12, notify.size() - 12) == 0);
    CHECK(plain.notify(notify, address("127.0.0.2"), out) == 0); // not a primary: REFUSED
    using namespace std::string_literals;
    CHECK(plain.notify(message(0x2400, "\1b\7example\0"s), address("127.0.0.1"), out) == 0);
    CHECK(plain.notify(message(0x0000), address("127.0.0.1"), out) == 0); // a query, not NOTIFY

    o.primaries = {"127.0.0.1:5300@xfr.key"};
    o.tsig_keys = {key_spec};
    dnsd::Secondary keyed(env, o);
    const std::size_t unsigned_len = keyed.notify(notify, address("127.0.0.1"), out);
    REQUIRE(unsigned_len == notify.size());
    CHECK((out[3] & 0x0F) == 9); // NOTAUTH
    const std::vector<dnsd::TsigKey> keys = {dnsd::parse_tsig_key(key_spec)};
    Bytes signed_notify = notify;
    const std::string mac = dnsd::tsig_sign_request(signed_notify, keys[0],
                                                    static_cast<std::uint64_t>(std::time(nullptr)));
    const std::size_t signed_len = keyed.notify(signed_notify, address("127.0.0.1"), out);
    REQUIRE(signed_len > notify.size());
    CHECK((out[3] & 0x0F) == 0);
    const Bytes answer(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(signed_len));
    CHECK(
        dnsd::tsig_verify(answer, keys, static_cast<std::uint64_t>(std::time(nullptr)), &mac, false)
            .error == dnsd::TsigRcode::NoError);
    CHECK_THROWS_WITH(dnsd::Secondary(env,
                                      [] {
                                          dnsd::SecondaryOptions bad;
                                          bad.primaries = {"127.0.0.1:53@nokey"};
                                          return bad;
                                      }()),
                      Catch::Contains("no tsig_key defines"));
}

TEST_CASE("issue_15 a zone held as a primary is not taken over: counted, NOTIFY refused, kept",
          "[dnsd][secondary]") {
    test::TempDir dir;
    store::Env env(dir.path());
    zones::ImportOptions io;
    io.now = 1'700'000'000;
    const auto imported = env.write([&](store::WriteTxn& txn) {
        return zones::import_zone(txn,
                                  "$ORIGIN a.example.\n@ 300 IN SOA ns1 h 7 60 60 600 60\n"
                                  "@ 300 IN NS ns1.example.net.\nwww 300 IN A 203.0.113.1\n",
                                  io);
    });
    dnsd::SecondaryOptions o;
    o.primaries = {"127.0.0.1:9"}; // never asked: the conflict is found before any transfer
    o.zones = {"a.example"};
    dnsd::Secondary secondary(env, o);
    secondary.start();
    std::string metrics;
    for (int i = 0; i < 200; ++i) {
        metrics.clear();
        secondary.write_metrics(metrics);
        if (metrics.find("switchboard_dns_secondary_conflicts 1\n") != std::string::npos) {
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    CHECK_THAT(metrics, Catch::Contains("switchboard_dns_secondary_conflicts 1\n"));
    CHECK_THAT(metrics, Catch::Contains("switchboard_dns_secondary_zones 0\n"));
    CHECK_THAT(metrics, Catch::Contains("switchboard_dns_xfr_in_total{type=\"failed\"} 0\n"));
    Bytes out(512);
    CHECK(secondary.notify(message(0x2400), address("127.0.0.1"), out) == 0); // REFUSED
    store::ReadTxn txn(env);
    const auto row = store::get_zone(txn, "a.example");
    REQUIRE(row);
    CHECK(row->serial == imported.serial); // untouched
    CHECK_FALSE(zones::secondary_primary(txn, "a.example"));
}
