// The stored node format: built RRsets are found by type in stored order, and every
// malformed value is reported instead of read past.
#include "zones/node.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

using namespace sb::zones;

TEST_CASE("a built node is read back by type", "[zones]") {
    NodeBuilder b;
    b.set_flags(NodeApex);
    b.add(RRType::NS, 3600, "ns1");
    b.add(RRType::A, 300, "aaaa");
    b.add(RRType::NS, 3600, "ns2");
    const std::string value = b.build();
    NodeView v(value);
    REQUIRE(v.valid());
    CHECK(v.flags() == NodeApex);
    CHECK(v.rrset_count() == 2);
    RrsetView ns;
    REQUIRE(v.find(RRType::NS, ns));
    CHECK(ns.count() == 2);
    std::size_t pos = 0;
    RrView rr{};
    REQUIRE(ns.next_rr(pos, rr));
    CHECK(rr.rdata == "ns1");
    CHECK(rr.ttl == 3600);
    REQUIRE(ns.next_rr(pos, rr));
    CHECK(rr.rdata == "ns2");
    CHECK_FALSE(ns.next_rr(pos, rr));
    RrsetView a;
    REQUIRE(v.at(0, a));
    CHECK(a.type() == RRType::A);
    CHECK_FALSE(v.find(RRType::MX, a));
}

TEST_CASE("every truncation of a node is detected", "[zones]") {
    NodeBuilder b;
    b.add(RRType::A, 1, "abcd");
    b.add(RRType::TXT, 1, "\x03xyz");
    const std::string value = b.build();
    for (std::size_t n = 0; n < value.size(); ++n) {
        CHECK_FALSE(NodeView(value.substr(0, n)).valid());
    }
    std::string wrong = value;
    wrong[0] = 9; // unknown format
    CHECK_FALSE(NodeView(wrong).valid());
}

TEST_CASE("a format 2 node reads as its RRsets, no parent side, its record ids past them",
          "[zones]") {
    NodeBuilder b;
    b.set_flags(NodeWildcard);
    b.add(RRType::A, 300, "abcd");
    b.add(RRType::TXT, 60, "\x03xyz");
    const std::string plain = b.build();
    std::string value = plain;
    value[0] = static_cast<char>(node_format_extended);
    value += std::string(1, '\0'); // no parent side
    value += "\x01\x05";           // one id, 5
    const NodeView v(value);
    REQUIRE(v.valid());
    CHECK(v.flags() == NodeWildcard);
    CHECK(v.rrset_count() == 2);
    CHECK(v.tail() == "\x01\x05");
    CHECK(v.parent_side().empty());
    CHECK(v.without_ids() == plain);
    CHECK(NodeView(plain).tail().empty());
    // The RRsets read as those of the same node in format 1.
    const NodeView same(plain);
    for (std::uint16_t i = 0; i < 2; ++i) {
        RrsetView x, y;
        REQUIRE(v.at(i, x));
        REQUIRE(same.at(i, y));
        CHECK(x.type() == y.type());
        CHECK(x.count() == y.count());
        CHECK(x.block() == y.block());
    }
    // Format 2 without its parent side's length, format 1 with bytes past its RRsets, every
    // truncation: malformed.
    CHECK_FALSE(NodeView(value.substr(0, plain.size())).valid());
    CHECK(NodeView(value.substr(0, plain.size() + 1)).tail().empty()); // no ids: valid
    CHECK_FALSE(NodeView(plain + "\x01\x05").valid());
    for (std::size_t n = 0; n < plain.size(); ++n) {
        CHECK_FALSE(NodeView(value.substr(0, n)).valid());
        CHECK(NodeView(value.substr(0, n)).tail().empty());
    }
}

TEST_CASE("node integers are varints: small ones take a byte, the largest still read back",
          "[zones]") {
    NodeBuilder b;
    b.add(RRType::A, 3600, "abcd");
    const std::string small = b.build();
    // format, flags, 1 RRset; type 1, 1 RR, block 7; TTL 3600 in two bytes, rdlength 4, rdata.
    CHECK(small == std::string("\x01\x00\x01\x01\x01\x07\x90\x1c\x04", 9) + "abcd");

    NodeBuilder big;
    const std::string rdata(300, 'x');
    big.add(RRType::TXT, 0xffffffff, rdata); // the largest TTL: five bytes
    big.add(RRType::TXT, 0, "y");
    big.add(static_cast<RRType>(65535), 1u << 28, "z");
    const std::string value = big.build();
    // Each RR of an RRset as (TTL, rdata), all of its block read.
    const auto rrs_of = [](const RrsetView& set) {
        std::vector<std::pair<std::uint32_t, std::string>> out;
        std::size_t at = 0;
        for (RrView one{}; set.next_rr(at, one);) {
            out.emplace_back(one.ttl, std::string(one.rdata));
        }
        CHECK(at == set.block().size());
        return out;
    };
    const NodeView v(value);
    REQUIRE(v.valid());
    RrsetView txt, last;
    REQUIRE(v.find(RRType::TXT, txt));
    CHECK(txt.count() == 2);
    CHECK(rrs_of(txt) ==
          std::vector<std::pair<std::uint32_t, std::string>>{{0xffffffff, rdata}, {0, "y"}});
    REQUIRE(v.at(1, last));
    CHECK(last.type() == static_cast<RRType>(65535));
    CHECK(rrs_of(last) ==
          std::vector<std::pair<std::uint32_t, std::string>>{{1u << 28, std::string("z")}});
    for (std::size_t n = 0; n < value.size(); ++n) {
        CHECK_FALSE(NodeView(value.substr(0, n)).valid());
    }

    // A type above 65535, a varint longer than five bytes: malformed.
    CHECK_FALSE(NodeView(std::string("\x01\x00\x01\x80\x80\x04\x00\x00", 8)).valid());
    CHECK_FALSE(NodeView(std::string("\x01\x00\x80\x80\x80\x80\x80\x00", 8)).valid());
    // A TTL above 2^32 - 1 in an RR: the RR does not read.
    const RrsetView bad(RRType::A, 1, std::string_view("\xff\xff\xff\xff\x7f\x00", 6));
    std::size_t pos = 0;
    RrView rr{};
    CHECK_FALSE(bad.next_rr(pos, rr));
    // An RRset past 64 KiB is refused when built, as before.
    NodeBuilder huge;
    huge.add(RRType::TXT, 1, std::string(40000, 'a'));
    huge.add(RRType::TXT, 1, std::string(40000, 'b'));
    CHECK_THROWS(huge.build());
}
