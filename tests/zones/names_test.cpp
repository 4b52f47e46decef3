// Names: canonical form, the nasty inputs, reversed-label keys that sort in canonical order.
#include "zones/zones.hpp"

#include <catch2/catch.hpp>

using namespace sb::zones;

TEST_CASE("canonical names are lower case without the trailing dot", "[zones]") {
    CHECK(canonical_name("WWW.Example.COM.", "n") == "www.example.com");
    CHECK(canonical_name("_sip._udp.example.com", "n") == "_sip._udp.example.com");
    CHECK(canonical_name("*.example.com", "n") == "*.example.com");
    CHECK(canonical_name(".", "n").empty());
}

TEST_CASE("bad names are refused with the field named", "[zones]") {
    CHECK_THROWS_AS(canonical_name("a..b", "name"), InvalidValue);
    CHECK_THROWS_WITH(canonical_name(std::string(64, 'a') + ".com", "name"),
                      Catch::Contains("name: label longer than 63"));
    CHECK_NOTHROW(canonical_name(std::string(63, 'a') + ".com", "name"));
    std::string long_name;
    for (int i = 0; i < 64; ++i) {
        long_name += "abc.";
    }
    CHECK_THROWS_WITH(canonical_name(long_name, "name"), Catch::Contains("longer than 255"));
    CHECK_THROWS_AS(canonical_name(std::string("a\0b.com", 7), "name"), InvalidValue);
    CHECK_THROWS_AS(canonical_name("a b.com", "name"), InvalidValue);
    CHECK_THROWS_AS(canonical_name("a\\.b.com", "name"), InvalidValue);
}

TEST_CASE("name keys reverse the labels and sort a zone's names together", "[zones]") {
    CHECK(name_key("www.example.com") == std::string("com\0example\0www\0", 16));
    CHECK(name_key("").empty());
    CHECK(name_key("example.com") < name_key("a.example.com"));
    CHECK(name_key("a.example.com") < name_key("b.example.com"));
    CHECK(name_key("z.a.example.com") < name_key("b.example.com"));
    CHECK(name_key("b.example.com") < name_key("example.net"));
}

TEST_CASE("in_zone is label-aligned", "[zones]") {
    CHECK(in_zone("www.example.com", "example.com"));
    CHECK(in_zone("example.com", "example.com"));
    CHECK_FALSE(in_zone("wwwexample.com", "example.com"));
    CHECK_FALSE(in_zone("example.org", "example.com"));
    CHECK(in_zone("anything", ""));
}

TEST_CASE("wire form of names", "[zones]") {
    CHECK(name_to_wire("www.example.com") == std::string("\3www\7example\3com\0", 17));
    CHECK(name_to_wire("") == std::string(1, '\0'));
}

TEST_CASE("serials are dated and always grow", "[zones]") {
    const std::int64_t nov28 = 1795824000; // 2026-11-28 00:00:00 UTC
    CHECK(next_serial(0, nov28) == 2026112800u);
    CHECK(next_serial(2026112800u, nov28) == 2026112801u);
    CHECK(next_serial(2030010100u, nov28) == 2030010101u);
}
