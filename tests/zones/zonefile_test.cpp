// Zone import keeps the file (issue 12): every RR type ldns knows and RFC 3597 unknown types
// are stored and exported as read; explicit TTLs (0 included) are kept; identical RRs are
// merged (RFC 2181 §5); `dig axfr` output (the SOA repeated at the end) imports; errors name
// the line, owner and type; the file's serial is kept, a lower one (RFC 1982) is refused and
// changes nothing unless forced; the type table names every type and finds it back.
#include "store/tables.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace sb;
using test::import_zone_file;

namespace {

const std::string head = R"($ORIGIN example.com.
$TTL 3600
@ IN SOA ns1.example.com. hostmaster.example.com. 2030010101 10800 3600 604800 300
@ IN NS ns1.example.com.
ns1 IN A 192.0.2.53
)";

std::string exported(store::Env& env) {
    store::ReadTxn txn(env);
    return zones::export_zone(txn, "example.com");
}

} // namespace

TEST_CASE("the type table names every type and reads the names back", "[zones]") {
    using zones::RRType;
    CHECK(std::string(zones::to_string(RRType::CAA)) == "CAA");
    CHECK(std::string(zones::to_string(static_cast<RRType>(65400))) == "TYPE65400");
    CHECK(std::string(zones::to_string(static_cast<RRType>(32769))) == "DLV");
    for (const char* name : {"a", "Caa", "svcb", "HTTPS", "NSAP-PTR", "tlsa", "ZONEMD", "dlv"}) {
        const auto t = zones::type_from_string(name);
        REQUIRE(t);
        CHECK(Catch::toLower(zones::to_string(*t)) == Catch::toLower(name));
    }
    CHECK(zones::type_from_string("TYPE65400") == static_cast<RRType>(65400));
    CHECK(zones::type_from_string("type1") == RRType::A);
    CHECK_FALSE(zones::type_from_string("TYPE65536"));
    CHECK_FALSE(zones::type_from_string("BOGUS"));
    CHECK(zones::zone_data_type(RRType::DS));
    CHECK(zones::zone_data_type(static_cast<RRType>(65400)));
    CHECK_FALSE(zones::zone_data_type(RRType::OPT));
    CHECK_FALSE(zones::zone_data_type(RRType::ANY));
    CHECK_FALSE(zones::zone_data_type(static_cast<RRType>(200))); // RFC 6895 meta range
    // Additional-section targets and compressible layouts come from the same rows.
    CHECK(zones::type_info(RRType::SRV)->target == 6);
    CHECK(zones::type_info(RRType::MX)->compress[1] == zones::TypeInfo::name_field);
    CHECK(zones::type_info(RRType::NAPTR)->compress[0] == 0); // RFC 3597 §4: not compressed
    CHECK(zones::type_info(static_cast<RRType>(65400)) == nullptr);
    CHECK(zones::serial_lt(2030010100, 2030010101));
    CHECK(zones::serial_lt(0xffffffffu, 1)); // RFC 1982: wraps
    CHECK_FALSE(zones::serial_lt(5, 5));
}

TEST_CASE("issue_12 every type, TTL 0, duplicates and dig axfr output import as read", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    const std::string body = R"(@ IN CAA 0 issue "letsencrypt.org"
ds IN DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118
svc IN SVCB 1 . alpn=h2,h3 port=8443
www IN HTTPS 1 . alpn=h2
hinfo IN HINFO "PC" "Linux"
dn IN DNAME example.net.
tlsa IN TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
zero 0 IN A 192.0.2.100
dup IN A 192.0.2.7
dup IN A 192.0.2.7
unknown IN TYPE65400 \# 4 0a000001
nsap-ptr IN NSAP-PTR host
)";
    // `dig axfr` ends with the SOA again.
    const auto r =
        import_zone_file(env, head + body +
                                  "example.com. 3600 IN SOA ns1.example.com. "
                                  "hostmaster.example.com. 2030010101 10800 3600 604800 300\n");
    CHECK(r.duplicates == 1);
    CHECK(r.serial == 2030010101); // the file's, not the date's
    const std::string text = exported(env);
    CHECK(text.find("example.com.\t3600\tIN\tCAA\t0 issue \"letsencrypt.org\"") !=
          std::string::npos);
    CHECK(text.find("zero.example.com.\t0\tIN\tA\t192.0.2.100") != std::string::npos);
    CHECK(text.find("unknown.example.com.\t3600\tIN\tTYPE65400\t\\# 4 0a000001") !=
          std::string::npos);
    CHECK(text.find("svc.example.com.\t3600\tIN\tSVCB\t1 . alpn=h2,h3 port=8443") !=
          std::string::npos);
    // RFC 1348: a domain name (ldns reads a character-string; zones reads it again).
    CHECK(text.find("nsap-ptr.example.com.\t3600\tIN\tNSAP-PTR\thost.example.com.\n") !=
          std::string::npos);
    CHECK(text.find("dup.example.com.\t3600\tIN\tA\t192.0.2.7\n") ==
          text.rfind("dup.example.com.\t3600\tIN\tA\t192.0.2.7\n"));
    // Export → import gives the same zone, RR for RR.
    test::TempDir dir2;
    store::Env env2(dir2.path());
    import_zone_file(env2, text);
    CHECK(exported(env2) == text);
}

TEST_CASE("issue_12 import errors name the line, owner and type", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    CHECK_THROWS_WITH(import_zone_file(env, head + "\n\nx IN TYPE251 \\# 0\n"),
                      Catch::Contains("line 8") && Catch::Contains("x.example.com. IXFR"));
    CHECK_THROWS_WITH(import_zone_file(env, head + "x.example.org. IN CAA 0 issue \"ca\"\n"),
                      Catch::Contains("line 6") && Catch::Contains("x.example.org. CAA") &&
                          Catch::Contains("outside zone example.com"));
    CHECK_THROWS_WITH(
        import_zone_file(env, head + "x IN TYPE65400 \\# 0\n" +
                                  "@ IN SOA ns2.example.com. h.example.com. 1 2 3 4 5\n"),
        Catch::Contains("line 7") && Catch::Contains("second, different SOA"));
    CHECK_THROWS_WITH(import_zone_file(env, head + "x IN A 300.1.1.1\n"),
                      Catch::Contains("line 6 'x IN A 300.1.1.1'"));
    CHECK_THROWS_WITH(import_zone_file(env, head + "$GENERATE 1-3 h$ A 192.0.2.$\n"),
                      Catch::Contains("line 6: $GENERATE is not supported"));
    store::ReadTxn txn(env);
    CHECK_FALSE(store::get_zone(txn, "example.com")); // nothing was written
}

TEST_CASE("issue_12 a lower serial is refused and changes nothing unless forced", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    import_zone_file(env, head + "www IN A 192.0.2.1\n");
    CHECK(test::zone_serial(env, "example.com") == 2030010101);
    const std::string before = exported(env);
    std::string lower = head + "www IN A 192.0.2.2\n";
    lower.replace(lower.find("2030010101"), 10, "2030010100");
    CHECK_THROWS_WITH(import_zone_file(env, lower),
                      Catch::Contains("2030010100 is lower than the zone's "
                                      "2030010101"));
    CHECK(exported(env) == before);
    // The same serial and the same content: nothing moves.
    import_zone_file(env, head + "www IN A 192.0.2.1\n");
    CHECK(test::zone_serial(env, "example.com") == 2030010101);
    // The same serial with changed content: the next one, so secondaries see the change.
    const auto r = import_zone_file(env, head + "www IN A 192.0.2.3\n");
    CHECK(r.serial == 2030010102);
    CHECK_FALSE(r.warnings.empty());
    // Forced, the lower serial is taken as given.
    CHECK(import_zone_file(env, lower, true).serial == 2030010100);
    CHECK(exported(env).find("192.0.2.2") != std::string::npos);
    // RFC 1982: a serial just past the wrap is higher.
    std::string wrapped = head;
    wrapped.replace(wrapped.find("2030010101"), 10, "5");
    CHECK_THROWS(import_zone_file(env, wrapped)); // 5 is "lower" than 2030010100 (distance > 2^31)
}

TEST_CASE("issue_12 apex NS keep their own TTL", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    std::string text = head;
    text.replace(text.find("@ IN NS"), 7, "@ 86400 IN NS");
    import_zone_file(env, text + "sub 7200 IN NS ns.sub.example.com.\n");
    const std::string out = exported(env);
    CHECK(out.find("example.com.\t86400\tIN\tNS\tns1.example.com.") != std::string::npos);
    CHECK(out.find("example.com.\t3600\tIN\tSOA") != std::string::npos);
    CHECK(out.find("sub.example.com.\t7200\tIN\tNS") != std::string::npos);
    // Back to the SOA's TTL when the file says so.
    std::string same = head;
    same.replace(same.find("2030010101"), 10, "2030010102");
    import_zone_file(env, same);
    CHECK(exported(env).find("example.com.\t3600\tIN\tNS\tns1.example.com.") != std::string::npos);
}

TEST_CASE("issue_12 a zone at the root imports and exports", "[zones]") {
    test::TempDir dir;
    store::Env env(dir.path());
    {
        const auto r = import_zone_file(env, R"(. 86400 IN SOA a.root. nstld. 2030010101 1 2 3 4
. 518400 IN NS a.root.
a.root. 518400 IN A 198.41.0.4
net. 172800 IN NS a.gtld.net.
net. 86400 IN DS 35886 8 2 7862B27F5F516EBE19680444D4CE5E762981931842C465F00236401D8BD973EE
)");
        CHECK(r.zone.empty());
        CHECK(r.records == 3); // the apex NS go into the zone row
    }
    store::ReadTxn txn(env);
    const std::string text = zones::export_zone(txn, "");
    CHECK(text.find(".\t518400\tIN\tNS\ta.root.\n") != std::string::npos);
    CHECK(text.find("net.\t86400\tIN\tDS\t35886 8 2 ") != std::string::npos);
    CHECK(store::get_zone(txn, "")->serial == 2030010101);
}
