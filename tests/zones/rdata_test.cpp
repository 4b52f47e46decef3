// Record values through ldns: what a server must refuse is refused with ldns's reason;
// relative and absolute targets follow the documented rule; round-trips to text.
#include "zones/zones.hpp"

#include <catch2/catch.hpp>
#include <ldns/ldns.h>

#include <string>
#include <utility>

using namespace sb::zones;

namespace {

std::string text(RRType t, const std::string& value, std::uint32_t prio = 0) {
    return rdata_to_text(t, record_rdata(t, value, prio, "example.com"));
}

} // namespace

TEST_CASE("A and AAAA values", "[zones]") {
    CHECK(record_rdata(RRType::A, "192.0.2.1", 0, "example.com") ==
          std::string("\xc0\x00\x02\x01", 4));
    CHECK_THROWS_AS(record_rdata(RRType::A, "300.1.1.1", 0, "example.com"), InvalidValue);
    CHECK_THROWS_WITH(record_rdata(RRType::A, "300.1.1.1", 0, "example.com"),
                      Catch::StartsWith("value: "));
    CHECK(text(RRType::AAAA, "2001:db8::1") == "2001:db8::1");
    CHECK_THROWS_AS(record_rdata(RRType::AAAA, "192.0.2.1", 0, "example.com"), InvalidValue);
}

TEST_CASE("targets: no dot or a leading underscore is relative to the zone", "[zones]") {
    CHECK(text(RRType::CNAME, "www") == "www.example.com.");
    CHECK(text(RRType::CNAME, "sip.example.net") == "sip.example.net.");
    CHECK(text(RRType::CNAME, "host.") == "host.");
    CHECK(text(RRType::MX, "mail", 10) == "10 mail.example.com.");
    CHECK(text(RRType::MX, "mx.example.net", 5) == "5 mx.example.net.");
    CHECK(text(RRType::SRV, "0 5060 sip.example.com", 10) == "10 0 5060 sip.example.com.");
    CHECK(text(RRType::NAPTR, "10 20 \"S\" \"SIP+D2U\" \"\" _sip._udp") ==
          "10 20 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.");
    // A target already ending in the zone name is absolute, underscore or not.
    CHECK(text(RRType::NAPTR, "10 20 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com") ==
          "10 20 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.");
    CHECK(text(RRType::SRV, "0 5060 _x.Example.COM", 1) == "1 0 5060 _x.Example.COM.");
}

TEST_CASE("NAPTR preference comes from priority when given", "[zones]") {
    CHECK(text(RRType::NAPTR, "10 20 \"u\" \"E2U+sip\" \"!^.*$!sip:a@b!\" .", 50) ==
          "10 50 \"u\" \"E2U+sip\" \"!^.*$!sip:a@b!\" .");
    CHECK_THROWS_AS(record_rdata(RRType::NAPTR, "10 20 \"u\"", 0, "example.com"), InvalidValue);
}

TEST_CASE("TXT values are quoted and split at 255 bytes", "[zones]") {
    CHECK(text(RRType::TXT, "v=spf1 -all") == "\"v=spf1 -all\"");
    const std::string rdata = record_rdata(RRType::TXT, std::string(300, 'x'), 0, "example.com");
    CHECK(rdata.size() == 302); // two character-strings: 1+255 and 1+45
    CHECK(static_cast<unsigned char>(rdata[0]) == 255);
}

TEST_CASE("SOA rdata and contact names", "[zones]") {
    CHECK(email_to_rname("hostmaster@example.com") == "hostmaster.example.com");
    CHECK(email_to_rname("john.doe@example.com") == "john\\.doe.example.com");
    CHECK_THROWS_AS(email_to_rname("@example.com"), InvalidValue);
    Soa soa{"ns1.example.net", "hostmaster.example.com", 1, 2, 3, 4, 5};
    CHECK(rdata_to_text(RRType::SOA, soa_rdata(soa)) ==
          "ns1.example.net. hostmaster.example.com. 1 2 3 4 5");
    // Built as ldns parses the whole SOA's text: escapes, case and the numbers' order.
    for (const auto& [mname, rname] : {std::pair{"ns1.Example.net", "john\\.doe.example.com"},
                                       std::pair{"a\\032b.example.net", "x\\\\y.example.com"},
                                       std::pair{"ns.example", "hostmaster.example"}}) {
        const Soa s{mname, rname, 2026120601, 7200, 900, 1209600, 4294967295U};
        ldns_rr* rr = nullptr;
        const std::string line = std::string(". 0 IN SOA ") + mname + ". " + rname +
                                 ". 2026120601 7200 900 1209600 4294967295";
        REQUIRE(ldns_rr_new_frm_str(&rr, line.c_str(), 0, nullptr, nullptr) == LDNS_STATUS_OK);
        std::string parsed;
        for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
            const ldns_rdf* f = ldns_rr_rdf(rr, i);
            parsed.append(reinterpret_cast<const char*>(ldns_rdf_data(f)), ldns_rdf_size(f));
        }
        ldns_rr_free(rr);
        CHECK(soa_rdata(s) == parsed);
    }
    CHECK_THROWS_AS(soa_rdata(Soa{"ns1.example.net", "john doe.example.com", 1, 2, 3, 4, 5}),
                    InvalidValue);
    CHECK_THROWS_AS(
        soa_rdata(Soa{std::string(64, 'a') + ".example.net", "h.example", 1, 2, 3, 4, 5}),
        InvalidValue);
}

TEST_CASE("record types: DnsRecordType and every other data type but SOA and a signer's",
          "[zones]") {
    CHECK(record_type_from_string("naptr") == RRType::NAPTR);
    CHECK(record_type_from_string("A") == RRType::A);
    CHECK(record_type_from_string("HINFO") == static_cast<RRType>(13));
    CHECK(record_type_from_string("caa") == RRType::CAA);
    CHECK(record_type_from_string("TYPE65400") == static_cast<RRType>(65400));
    CHECK_FALSE(record_type_from_string("SOA"));
    CHECK_FALSE(record_type_from_string("RRSIG"));
    CHECK_FALSE(record_type_from_string("NSEC3"));
    CHECK_FALSE(record_type_from_string("OPT"));
    CHECK_FALSE(record_type_from_string("AXFR"));
    CHECK_FALSE(record_type_from_string("BOGUS"));
}

TEST_CASE("issue_12 values of the newer types go through ldns, errors name the type", "[zones]") {
    CHECK(text(RRType::CAA, "0 issue \"letsencrypt.org\"") == "0 issue \"letsencrypt.org\"");
    CHECK(text(RRType::DNAME, "other") == "other.example.com.");
    CHECK(text(RRType::HTTPS, "1 svc alpn=h2") == "1 svc.example.com. alpn=h2");
    CHECK(text(RRType::SVCB, "0 svc.example.net.") == "0 svc.example.net.");
    CHECK_THROWS_WITH(record_rdata(RRType::DS, "60485 5 1 zz", 0, "example.com"),
                      Catch::StartsWith("value: DS "));
    CHECK_THROWS_WITH(record_rdata(RRType::TLSA, "3 1", 0, "example.com"),
                      Catch::StartsWith("value: TLSA "));
    CHECK_THROWS_WITH(record_rdata(RRType::CAA, "", 0, "example.com"),
                      Catch::StartsWith("value: CAA value is empty"));
}
