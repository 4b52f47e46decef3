// Store rows: big-endian keys sort numerically, the row codecs round-trip, record ids and a
// node's tail split, and truncated rows are refused rather than read past.
#include "store/store.hpp"
#include "store/tables.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace sb::store;

TEST_CASE("big-endian keys sort numerically", "[store]") {
    CHECK(u64_key(2) < u64_key(256));
    CHECK(get_u64(u64_key(0x0102030405060708ULL), 0) == 0x0102030405060708ULL);
}

TEST_CASE("zone and record rows round-trip", "[store]") {
    ZoneRow z;
    z.name = "example.com";
    z.nameservers = {"ns1.example.net", "ns2.example.net"};
    z.email = "hostmaster@example.com";
    z.serial = 2026112801;
    z.customer = 7;
    z.info = "x";
    const ZoneRow z2 = decode_zone(encode(z));
    CHECK(z2.name == z.name);
    CHECK(z2.nameservers == z.nameservers);
    CHECK(z2.serial == z.serial);
    CHECK(z2.customer == 7);
    CHECK(z2.info == "x");

    RecordRow r;
    r.id = 42;
    r.zone = "example.com";
    r.name = "www.example.com";
    r.type = 1;
    r.value = "192.0.2.1";
    r.rdata = std::string("\xc0\x00\x02\x01", 4);
    // Format 3, varints and varint lengths: 1 format + 16 name + 1 zone (the length of the
    // owner's suffix it is) + 1 type + 1 ttl + 1 priority + 1 flags + 10 value + 4 tenancy
    // and date + 5 rdata; the id is the key.
    CHECK(encode(r).size() == 41);
    const RecordRow r2 = decode_record(encode(r), 42);
    CHECK(r2.id == 42);
    CHECK(r2.rdata == r.rdata);
    CHECK(r2.name == r.name);
    CHECK(r2.zone == r.zone);
    CHECK(r2.value == r.value);
    CHECK(!r2.rdata_in_node);
    CHECK(!r2.value_derived);

    // Slim: the rdata in the node, the value its presentation; neither is stored.
    r.rdata_in_node = true;
    r.value_derived = true;
    CHECK(encode(r).size() == 41 - 10 - 5);
    const RecordRow r3 = decode_record(encode(r), 42);
    CHECK(r3.rdata_in_node);
    CHECK(r3.value_derived);
    CHECK(r3.rdata.empty());
    CHECK(r3.value.empty());
    CHECK(r3.zone == "example.com");

    // A zone that is not a suffix of the owner (label-wise) is stored whole.
    for (const char* zone : {"ample.com", "other.org", ""}) {
        r.zone = zone;
        CHECK(decode_record(encode(r), 1).zone == zone);
    }
}

TEST_CASE("varints and slim ENUM number rows round-trip", "[store]") {
    Writer w;
    const std::uint64_t values[] = {0, 1, 127, 128, 16383, 16384, 1700000000, ~std::uint64_t{0}};
    for (const auto v : values) {
        w.varint(v);
    }
    w.vstr("abc");
    CHECK(w.bytes().size() == 1 + 1 + 1 + 2 + 2 + 3 + 5 + 10 + 4);
    Reader r(w.bytes());
    for (const auto v : values) {
        CHECK(r.varint() == v);
    }
    CHECK(r.vstr() == "abc");
    CHECK(r.done());
    CHECK_THROWS_AS(Reader(std::string(11, '\xff')).varint(), Error); // longer than 10 bytes
    CHECK_THROWS_AS(Reader("\x05"
                           "ab")
                        .vstr(),
                    Error); // length past the end

    EnumNumberRow n;
    n.number = "31208005100";
    n.tld = "e164.arpa";
    n.range_prefix = "31208005";
    n.mappings = {{7, "sip", "sip:alice@example.com", 10, 300}, {8, "tel", "tel:+1", 20, 0}};
    n.owner = 3;
    n.change_date = 1700000000;
    const std::string bytes = encode(n);
    CHECK(bytes.size() < 20); // the number and the tld are the key's
    // The name key of 0.0.1.5.0.0.8.0.2.1.3.e164.arpa.
    std::string key = std::string("arpa") + '\0' + "e164" + '\0';
    for (const char d : n.number) {
        key += std::string(1, d) + '\0';
    }
    const EnumNumberRow n2 = decode_enum_number(key, bytes);
    CHECK(n2.number == n.number);
    CHECK(n2.tld == n.tld);
    CHECK(n2.range_prefix == n.range_prefix);
    REQUIRE(n2.mappings.size() == 2);
    CHECK(n2.mappings[0].id == 7);
    CHECK(n2.mappings[0].ttl == 300);
    CHECK(n2.mappings[0].mapto.empty()); // the NAPTR fields live in the DNS node
    CHECK(n2.mappings[1].id == 8);
    CHECK(n2.owner == 3);
    CHECK(n2.change_date == 1700000000);
    CHECK_THROWS_AS(decode_enum_number(key, bytes.substr(0, bytes.size() - 1)), Error);
    CHECK_THROWS_AS(decode_enum_number(key + "12", bytes), Error); // not a digit label
    CHECK_THROWS_AS(decode_enum_number("arpa", bytes), Error);     // no room for the tld
    // A range prefix that is not the number's is written out; a tld of one label.
    n.range_prefix = "4930";
    n.tld = "enum";
    key = std::string("enum") + '\0' + key.substr(10);
    const EnumNumberRow n3 = decode_enum_number(key, encode(n));
    CHECK(n3.range_prefix == "4930");
    CHECK(n3.tld == "enum");
    CHECK(n3.number == n.number);
    // Mapping ids after the first are differences: one byte for ids given in a row, any order
    // and the largest id round-trip.
    n.mappings = {{1500000, "sip", "", 10, 0}, {1500001, "sip", "", 20, 0}};
    const std::size_t in_a_row = encode(n).size();
    n.mappings[1].id = 1;
    CHECK(encode(n).size() == in_a_row + 3); // -1,499,999: four bytes, not one
    n.mappings = {{0xffffffff, "sip", "", 10, 0}, {3, "x", "", 1, 0}, {0xffffffff, "y", "", 1, 0}};
    const EnumNumberRow n4 = decode_enum_number(key, encode(n));
    REQUIRE(n4.mappings.size() == 3);
    CHECK(n4.mappings[0].id == 0xffffffff);
    CHECK(n4.mappings[1].id == 3);
    CHECK(n4.mappings[2].id == 0xffffffff);
    // A difference below id 0: a corrupted row.
    n.mappings = {{2, "sip", "", 10, 0}, {1, "sip", "", 10, 0}};
    std::string below = encode(n);
    const std::size_t at = below.find(std::string("\x02\x00\x01\x00", 4)); // ids 2, -1
    REQUIRE(at != std::string::npos);
    below[at + 2] = '\x05'; // -3
    CHECK_THROWS_AS(decode_enum_number(key, below), Error);
}

TEST_CASE("record rows pack the owner name's leading digit labels", "[store]") {
    std::string long_digits; // 70 single-digit labels: more than the 63 a row packs
    for (int i = 0; i < 70; ++i) {
        long_digits += std::to_string(i % 10) + ".";
    }
    long_digits += "e164.arpa";
    for (const std::string& name : std::vector<std::string>{
             "0.0.0.0.0.0.0.9.4.e164.arpa", "1.2.3.e164.arpa", "4.3.2.1.e164.arpa", "7", "1.2",
             "www.example.com", "12.34.example.com", "5.x", "5.", "5..a", "0.a1.b", long_digits}) {
        INFO(name);
        RecordRow r;
        r.id = 9;
        r.name = name;
        r.zone = name.ends_with("e164.arpa") ? "e164.arpa" : "";
        r.type = 35;
        r.ttl = 3600;
        r.rdata_in_node = true;
        r.value_derived = true;
        const std::string bytes = encode(r);
        const RecordRow back = decode_record(bytes, 9);
        CHECK(back.name == name);
        CHECK(back.zone == r.zone);
        CHECK(back.ttl == 3600);
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            CHECK_THROWS_AS(decode_record(bytes.substr(0, n), 9), Error);
        }
    }
    RecordRow e164;
    e164.name = "0.0.0.0.0.0.0.9.4.e164.arpa";
    e164.zone = "9.4.e164.arpa";
    e164.rdata_in_node = e164.value_derived = true;
    RecordRow plain = e164;
    plain.name = "a.a.a.a.a.a.a.9.4.e164.arpa"; // the same length, no digits to pack
    CHECK(encode(e164).size() + 8 < encode(plain).size());
    std::string bad = encode(e164); // format, flags, packed digits: a nibble above 9
    bad[2] = static_cast<char>(0xa0);
    CHECK_THROWS_AS(decode_record(bad, 1), Error);
}

TEST_CASE("record ids round-trip as node tails and index rows", "[store]") {
    const std::vector<std::uint64_t> ids = {1, 2, 300, 1000000, 1ULL << 40};
    const std::string tail = encode_record_ids(ids);
    CHECK(decode_record_ids(tail) == ids);
    CHECK(encode_record_ids({999999}).size() == 4); // count, and one id in three bytes
    const std::string row = encode_record_ids_row(ids);
    CHECK(row == "\x01" + tail); // the row: its format byte, then the same bytes
    CHECK(decode_record_ids_row(row) == ids);
    CHECK(decode_record_ids(encode_record_ids({})).empty());
    CHECK_THROWS_AS(encode_record_ids({3, 3}), Error); // ascending only
    for (std::size_t n = 0; n < tail.size(); ++n) {
        CHECK_THROWS_AS(decode_record_ids(tail.substr(0, n)), Error);
    }
    CHECK_THROWS_AS(decode_record_ids(tail + "x"), Error);
    CHECK_THROWS_AS(decode_record_ids(std::string("\x01\x00", 2)), Error); // a zero step
    CHECK_THROWS_AS(decode_record_ids_row(tail), Error);                   // no format byte
}

TEST_CASE("a node's tail splits into its record ids and its ENUM number's row", "[store]") {
    EnumNumberRow number;
    number.number = "31201234567";
    number.tld = "e164.arpa";
    number.range_prefix = "312012";
    number.mappings = {{7, "sip", "", 10, 0}};
    const std::string row = encode(number);
    const std::string ids = encode_record_ids({5, 9});
    CHECK(split_node_tail(ids).record_ids == ids);
    CHECK(split_node_tail(ids).enum_number.empty());
    const std::string ids_row = ids + row;
    const NodeTail both = split_node_tail(ids_row);
    CHECK(both.record_ids == ids);
    CHECK(both.enum_number == row);
    const std::string none_row = encode_record_ids({}) + row; // a count of 0 first
    const NodeTail only = split_node_tail(none_row);
    CHECK(only.record_ids == std::string(1, '\0'));
    CHECK(only.enum_number == row);
    CHECK(split_node_tail("").record_ids.empty());
    for (std::size_t n = 1; n < ids.size(); ++n) {
        CHECK_THROWS_AS(split_node_tail(ids.substr(0, n)), Error); // ids cut short
    }
}

TEST_CASE("truncated rows are refused, not read past", "[store]") {
    ZoneRow z;
    z.name = "example.com";
    const std::string bytes = encode(z);
    CHECK_THROWS_AS(decode_zone(bytes.substr(0, bytes.size() - 1)), Error);
    CHECK_THROWS_AS(decode_zone(bytes + "x"), Error);
    CHECK_THROWS_AS(decode_record("", 1), Error);
    RecordRow r;
    r.name = "www.example.com";
    r.zone = "example.com";
    const std::string rec = encode(r);
    CHECK_THROWS_AS(decode_record(rec.substr(0, rec.size() - 1), 1), Error);
    CHECK_THROWS_AS(decode_record(rec + "x", 1), Error);
}
