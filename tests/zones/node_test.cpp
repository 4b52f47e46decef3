// The stored node format: built RRsets are found by type in stored order, and every
// malformed value is reported instead of read past.
#include "zones/node.hpp"

#include <catch2/catch.hpp>

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
