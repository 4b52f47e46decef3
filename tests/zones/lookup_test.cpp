// zones::lookup and zones::wire_to_key over a real store (tests/support/example_zone.hpp).
// Checks: wire_to_key lowercases, reverses labels and refuses pointers, overlong names and NUL
// bytes; the lookup states for hits, NODATA, NXDOMAIN, empty non-terminals, other zones, CNAME
// chains (in zone, dangling, out of zone, loops), zone cuts and malformed nodes; the negative
// SOA TTL is min(TTL, MINIMUM) and its owner is the apex.
#include "example_zone.hpp"
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/lookup.hpp"
#include "zones/zonefile.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace sb;
using zones::LookupState;
using zones::RRType;

namespace {

std::string key_of(std::string_view wire) {
    std::uint8_t key[zones::max_key_len];
    std::size_t len = 0;
    unsigned labels = 0;
    const auto n = zones::wire_to_key(reinterpret_cast<const std::uint8_t*>(wire.data()),
                                      wire.size(), key, len, labels);
    if (n == 0) {
        return "<malformed>";
    }
    return std::string(reinterpret_cast<const char*>(key), len) + "/" + std::to_string(labels) +
           "/" + std::to_string(n);
}

} // namespace

TEST_CASE("wire_to_key encodes question names as store keys", "[zones][dnsd]") {
    using namespace std::string_literals;
    CHECK(key_of("\3WWW\7Example\3com\0"s) == "com\0example\0www\0/3/17"s);
    CHECK(key_of("\0"s) == "/0/1");
    CHECK(key_of("\3www\7example\3com\0trailing"s) == "com\0example\0www\0/3/17"s);
    CHECK(key_of("\3www\xC0\x0C"s) == "<malformed>"); // compression pointer
    CHECK(key_of("\3www\7exam"s) == "<malformed>");   // truncated
    CHECK(key_of("\3www"s) == "<malformed>");         // no root label
    CHECK(key_of("\2a\0b\0"s) == "<malformed>");      // NUL inside a label
    std::string label63 = "\x3f" + std::string(63, 'a');
    std::string name255 = label63 + label63 + label63 + "\x3d" + std::string(61, 'b') + "\0"s;
    REQUIRE(name255.size() == 255);
    CHECK(key_of(name255) != "<malformed>");
    std::string name256 = label63 + label63 + label63 + "\x3e" + std::string(62, 'b') + "\0"s;
    CHECK(key_of(name256) == "<malformed>");
    CHECK(key_of("\x40" + std::string(64, 'a') + "\0"s) == "<malformed>");
}

TEST_CASE("wire_to_key lowercases A to Z only, and finds a NUL at every position",
          "[zones][dnsd]") {
    using namespace std::string_literals;
    // Every byte value at every offset of a word (the key is lowercased eight bytes at once),
    // against the one-byte-at-a-time rule; labels of 1 to 20 bytes so that names end at every
    // offset too.
    for (unsigned b = 0; b < 256; ++b) {
        for (std::size_t len = 1; len <= 20; ++len) {
            for (std::size_t at = 0; at < len; ++at) {
                std::string label(len, 'Q');
                label[at] = static_cast<char>(b);
                const std::string wire =
                    "\1x" + std::string(1, static_cast<char>(len)) + label + "\4ARPA\0"s;
                std::string expected = "arpa"s + '\0';
                for (const char c : label) {
                    expected += c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
                }
                expected += "\0x\0"s + "/3/" + std::to_string(wire.size());
                CHECK(key_of(wire) == (b == 0 ? "<malformed>"s : expected));
            }
        }
    }
}

TEST_CASE("lookup answers RFC 1034 4.3.2 states", "[zones][dnsd]") {
    test::ExampleZone s;

    struct Case {
        const char* name;
        RRType qtype;
        LookupState state;
        std::size_t answers;
    };

    const std::vector<Case> cases = {
        {"www.example.com", RRType::A, LookupState::Hit, 1},
        {"example.com", RRType::SOA, LookupState::Hit, 1},
        {"example.com", RRType::NS, LookupState::Hit, 1},
        {"_sip._udp.example.com", RRType::SRV, LookupState::Hit, 1},
        {"sip.example.com", RRType::NAPTR, LookupState::Hit, 1},
        {"www.example.com", RRType::ANY, LookupState::Hit, 1},
        {"www.example.com", RRType::AAAA, LookupState::NoData, 0},
        {"b.example.com", RRType::A, LookupState::NoData, 0}, // empty non-terminal
        {"nope.example.com", RRType::A, LookupState::NxDomain, 0},
        {"a.nope.example.com", RRType::A, LookupState::NxDomain, 0},
        {"c.b.example.com", RRType::A, LookupState::NxDomain, 0},
        {"www.example.org", RRType::A, LookupState::Refused, 0},
        {"com", RRType::A, LookupState::Refused, 0},
        {"alias.example.com", RRType::A, LookupState::Hit, 2},
        {"alias2.example.com", RRType::A, LookupState::Hit, 3},
        {"alias.example.com", RRType::CNAME, LookupState::Hit, 1},
        {"alias.example.com", RRType::AAAA, LookupState::NoData, 1},
        {"dangling.example.com", RRType::A, LookupState::NxDomain, 1},
        {"ext.example.com", RRType::A, LookupState::CName, 1},
        {"loop1.example.com", RRType::A, LookupState::CName, 2},
        {"sub.example.com", RRType::A, LookupState::Delegation, 0},
        {"host.sub.example.com", RRType::A, LookupState::Delegation, 0},
        // RFC 4035 §3.1.4.1: DS at the cut is the parent's data (here: none, NODATA).
        {"sub.example.com", RRType::DS, LookupState::NoData, 0},
        {"host.sub.example.com", RRType::DS, LookupState::Delegation, 0},
        {"x.wild.example.com", RRType::A, LookupState::Hit, 1},       // RFC 4592 synthesis
        {"a.b.wild.example.com", RRType::A, LookupState::Hit, 1},     // several labels deep
        {"x.wild.example.com", RRType::AAAA, LookupState::NoData, 0}, // wildcard NODATA
        {"wild.example.com", RRType::A, LookupState::NoData, 0},      // the ENT above "*"
        {"*.wild.example.com", RRType::A, LookupState::Hit, 1},       // the wildcard itself
        {"x.cw.example.com", RRType::A, LookupState::Hit, 2},         // wildcard CNAME, followed
        {"x.sub.wild.example.com", RRType::A, LookupState::Hit, 1},
        {"broken.example.com", RRType::A, LookupState::Malformed, 0},
        // The zone is found in the ZoneIndex, not by reading ancestors: a corrupt node fails
        // only the queries that read it.
        {"x.broken.example.com", RRType::A, LookupState::NxDomain, 0},
    };
    for (const Case& c : cases) {
        INFO(c.name << " " << zones::to_string(c.qtype));
        zones::LookupResult res;
        const std::string key = zones::name_key(c.name);
        CHECK(zones::to_string(zones::lookup(s.txn, s.cursor, s.index, key, c.qtype, res)) ==
              std::string(zones::to_string(c.state)));
        CHECK(res.answer_count == c.answers);
        const bool negative = c.state == LookupState::NoData || c.state == LookupState::NxDomain;
        if (negative) {
            CHECK(res.authority.type() == RRType::SOA);
            CHECK(res.authority_ttl == 300);  // min(3600, MINIMUM 300)
            CHECK(res.authority_labels == 2); // example.com
        }
        if (c.state == LookupState::Delegation) {
            CHECK(res.authority.type() == RRType::NS);
            CHECK(res.authority_labels == 3); // sub.example.com
        }
    }
}

TEST_CASE("lookup returns CNAME chains with their owners", "[zones][dnsd]") {
    test::ExampleZone s;

    zones::LookupResult res;
    REQUIRE(zones::lookup(s.txn, s.cursor, s.index, zones::name_key("alias2.example.com"),
                          RRType::A, res) == LookupState::Hit);
    REQUIRE(res.answer_count == 3);
    CHECK(res.answer[0].owner.empty());
    CHECK(res.answer[0].rrset.type() == RRType::CNAME);
    CHECK(res.answer[1].owner == zones::name_to_wire("alias.example.com"));
    CHECK(res.answer[1].rrset.type() == RRType::CNAME);
    CHECK(res.answer[2].owner == zones::name_to_wire("www.example.com"));
    CHECK(res.answer[2].rrset.type() == RRType::A);
    CHECK(res.answer[2].rrset.count() == 2);
}

TEST_CASE("lookup synthesises wildcard answers with the query name as owner", "[zones][dnsd]") {
    test::ExampleZone s;
    zones::LookupResult res;
    REQUIRE(zones::lookup(s.txn, s.cursor, s.index, zones::name_key("x.cw.example.com"), RRType::A,
                          res) == LookupState::Hit);
    CHECK(res.wildcard);
    CHECK(res.answer[0].owner.empty()); // the qname
    CHECK(res.answer[0].rrset.type() == RRType::CNAME);
    CHECK(res.answer[1].owner == zones::name_to_wire("www.example.com"));
    // A name that exists stops the wildcard (RFC 4592 §2.2.1): NXDOMAIN below www.
    CHECK(zones::lookup(s.txn, s.cursor, s.index, zones::name_key("x.www.example.com"), RRType::A,
                        res) == LookupState::NxDomain);
    CHECK(!res.wildcard);
}

TEST_CASE("lookup sees a commit after reset and renew", "[zones][dnsd]") {
    test::ExampleZone s;
    zones::LookupResult res;
    const std::string key = zones::name_key("new.example.com");
    CHECK(zones::lookup(s.txn, s.cursor, s.index, key, RRType::A, res) == LookupState::NxDomain);
    {
        s.env.write([&](store::WriteTxn& w) {
            test::put_rrs(w, "new.example.com", RRType::A, 60, {test::a_rdata(192, 0, 2, 9)});
        });
    }
    s.renew();
    CHECK(zones::lookup(s.txn, s.cursor, s.index, key, RRType::A, res) == LookupState::Hit);
}

TEST_CASE("the zone index follows zones, cuts and wildcards as they are committed",
          "[zones][dnsd]") {
    test::ExampleZone s;
    CHECK(s.index.size() == 4); // the apex, one cut, two wildcards
    zones::LookupResult res;
    const auto lookup = [&](std::string_view name) {
        return zones::lookup(s.txn, s.cursor, s.index, zones::name_key(name), RRType::A, res);
    };
    const auto commit = [&](auto&& change) {
        s.env.write([&](store::WriteTxn& w) { change(w); });
        s.renew();
    };
    CHECK(lookup("www.example.net") == LookupState::Refused);
    CHECK(lookup("host.sub.example.com") == LookupState::Delegation);

    // A new zone is served from the next snapshot on.
    commit([](store::WriteTxn& w) {
        zones::NodeBuilder apex;
        apex.set_flags(zones::NodeApex);
        apex.add(RRType::SOA, 3600, test::soa_rdata(1));
        apex.add(RRType::NS, 3600, zones::name_to_wire("ns1.example.com"));
        test::put_node(w, "example.net", apex);
        test::put_rrs(w, "www.example.net", RRType::A, 60, {test::a_rdata(192, 0, 2, 80)});
    });
    CHECK(s.index.size() == 5);
    CHECK(lookup("www.example.net") == LookupState::Hit);
    CHECK(lookup("nope.example.net") == LookupState::NxDomain);

    // A wildcard added to it synthesises at once (the zone leaves the no-wildcard fast path).
    commit([](store::WriteTxn& w) {
        test::put_rrs(w, "*.example.net", RRType::A, 60, {test::a_rdata(192, 0, 2, 81)},
                      zones::NodeWildcard);
    });
    CHECK(lookup("nope.example.net") == LookupState::Hit);
    CHECK(res.wildcard);

    // A cut removed: the names below it are answered by the parent zone.
    commit([](store::WriteTxn& w) {
        const std::string key = zones::name_key("sub.example.com");
        w.del(store::Table::DnsNodes, key);
        zones::mark_node(w, key, 0);
    });
    CHECK(s.index.size() == 5);
    CHECK(lookup("host.sub.example.com") == LookupState::NxDomain);

    // A change to a plain record leaves the marks, and the index, as they were.
    commit([](store::WriteTxn& w) {
        test::put_rrs(w, "www.example.net", RRType::A, 60, {test::a_rdata(192, 0, 2, 82)});
    });
    CHECK(s.index.size() == 5);
    CHECK(lookup("www.example.net") == LookupState::Hit);

    // A secondary zone past its SOA expire: every name in it, and a CNAME into it, is
    // SERVFAIL (Malformed) while the mark stands; the other zones answer as before.
    commit([](store::WriteTxn& w) { zones::mark_expired(w, "example.net", true); });
    CHECK(lookup("www.example.net") == LookupState::Malformed);
    CHECK(lookup("example.net") == LookupState::Malformed);
    CHECK(lookup("ext.example.com") == LookupState::Malformed); // CNAME www.example.net
    CHECK(lookup("www.example.com") == LookupState::Hit);
    CHECK(lookup("www.example.org") == LookupState::Refused);
    commit([](store::WriteTxn& w) { zones::mark_expired(w, "example.net", false); });
    CHECK(lookup("www.example.net") == LookupState::Hit);
}

TEST_CASE("issue_12 DNAME: substitution, the CNAME itself, YXDOMAIN, occlusion", "[zones][dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    const std::string long_target(60, 'l');
    test::import_zone_file(env, "$ORIGIN example.com.\n"
                                "@ 3600 IN SOA ns1 h 1 2 3 4 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n"
                                "d 600 IN DNAME t.example.com.\nx.t IN A 192.0.2.2\n"
                                "hidden.d IN A 192.0.2.3\n"
                                "long IN DNAME " +
                                    long_target + "." + long_target + "." + long_target + "." +
                                    long_target.substr(0, 50) + ".\n");
    store::ReadTxn txn(env);
    store::Cursor cursor = txn.cursor(store::Table::DnsNodes);
    zones::ZoneIndex index;
    REQUIRE(index.sync(txn));
    zones::LookupResult res;
    auto run = [&](const char* name, RRType qtype) {
        return zones::lookup(txn, cursor, index, zones::name_key(name), qtype, res);
    };
    // Below the DNAME: the DNAME, a CNAME synthesized with its TTL, then the target's answer.
    CHECK(run("x.d.example.com", RRType::A) == LookupState::Hit);
    REQUIRE(res.answer_count == 3);
    CHECK(res.answer[0].rrset.type() == RRType::DNAME);
    CHECK(res.answer[1].rrset.type() == RRType::CNAME);
    zones::RrView rr{};
    std::size_t pos = 0;
    REQUIRE(res.answer[1].rrset.next_rr(pos, rr));
    CHECK(rr.ttl == 600);
    CHECK(rr.rdata == std::string_view("\1x\1t\7example\3com\0", 17));
    // Names below a DNAME are occluded, its own data is not.
    CHECK(run("hidden.d.example.com", RRType::A) == LookupState::NxDomain);
    CHECK(res.answer_count == 2); // DNAME, CNAME → hidden.t: NXDOMAIN
    CHECK(run("d.example.com", RRType::DNAME) == LookupState::Hit);
    CHECK(run("d.example.com", RRType::A) == LookupState::NoData);
    // Asked for the CNAME: the synthesized one, not followed.
    CHECK(run("x.d.example.com", RRType::CNAME) == LookupState::Hit);
    CHECK(res.answer_count == 2);
    // RFC 6672 §2.2: a substitution longer than 255 bytes.
    CHECK(
        run(("a123456789a123456789a123456789a123456789." + std::string("long.example.com")).c_str(),
            RRType::A) == LookupState::YxDomain);
    CHECK(res.answer_count == 1);
}
