// The test zone shared by the lookup and server tests, built with NodeBuilder in a TempDir.
//
//   example.com            SOA (TTL 3600, MINIMUM 300) + NS ns1.example.com
//   ns1                    A 192.0.2.53
//   www                    A 192.0.2.1, A 192.0.2.2 (TTL 600)
//   _sip._udp              SRV 10 20 5060 sip.example.com
//   sip                    NAPTR 10 100 "s" "SIP+D2U" "" _sip._udp.example.com
//   a.b                    A 192.0.2.7          (b.example.com is an empty non-terminal)
//   alias                  CNAME www.example.com
//   alias2                 CNAME alias.example.com
//   dangling               CNAME nothere.example.com
//   ext                    CNAME www.example.net
//   loop1 / loop2          CNAME each other
//   big                    40 TXT RRs of 60 bytes (more than 512 bytes)
//   sub                    NS ns.sub.example.com (a zone cut)
//   *.wild                 A 192.0.2.99         (wildcard; wild.example.com is an ENT)
//   *.cw                   CNAME www.example.com (wildcard CNAME)
//   broken                 a value that is not a node
#pragma once

#include "store/store.hpp"
#include "zones/node.hpp"
#include "zones/zone_index.hpp"
#include "zones/zones.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::test {

inline std::string u16be(std::uint16_t v) {
    return {static_cast<char>(v >> 8), static_cast<char>(v)};
}

inline std::string u32be(std::uint32_t v) {
    return u16be(static_cast<std::uint16_t>(v >> 16)) + u16be(static_cast<std::uint16_t>(v));
}

inline std::string a_rdata(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
    return {static_cast<char>(a), static_cast<char>(b), static_cast<char>(c), static_cast<char>(d)};
}

inline std::string char_string(std::string_view s) {
    return static_cast<char>(s.size()) + std::string(s);
}

inline std::string soa_rdata(std::uint32_t serial) {
    return zones::name_to_wire("ns1.example.com") + zones::name_to_wire("hostmaster.example.com") +
           u32be(serial) + u32be(3600) + u32be(600) + u32be(86400) + u32be(300);
}

// As zones::rebuild_node stores a node: the value and its zone mark.
inline void put_node(store::WriteTxn& txn, std::string_view owner, const zones::NodeBuilder& b) {
    txn.put(store::Table::DnsNodes, zones::name_key(owner), b.build());
    zones::mark_node(txn, zones::name_key(owner), b.flags());
}

inline void put_rrs(store::WriteTxn& txn, std::string_view owner, zones::RRType type,
                    std::uint32_t ttl, std::initializer_list<std::string> rdatas,
                    std::uint8_t flags = 0) {
    zones::NodeBuilder b;
    b.set_flags(flags);
    for (const auto& r : rdatas) {
        b.add(type, ttl, r);
    }
    put_node(txn, owner, b);
}

inline void build_example_zone(store::Env& env) {
    using zones::name_to_wire;
    using zones::RRType;
    env.write([&](store::WriteTxn& txn) {
        {
            zones::NodeBuilder apex;
            apex.set_flags(zones::NodeApex);
            apex.add(RRType::SOA, 3600, soa_rdata(2024010101));
            apex.add(RRType::NS, 3600, name_to_wire("ns1.example.com"));
            put_node(txn, "example.com", apex);
        }
        put_rrs(txn, "ns1.example.com", RRType::A, 3600, {a_rdata(192, 0, 2, 53)});
        put_rrs(txn, "www.example.com", RRType::A, 600,
                {a_rdata(192, 0, 2, 1), a_rdata(192, 0, 2, 2)});
        put_rrs(txn, "_sip._udp.example.com", RRType::SRV, 3600,
                {u16be(10) + u16be(20) + u16be(5060) + name_to_wire("sip.example.com")});
        put_rrs(txn, "sip.example.com", RRType::NAPTR, 3600,
                {u16be(10) + u16be(100) + char_string("s") + char_string("SIP+D2U") +
                 char_string("") + name_to_wire("_sip._udp.example.com")});
        put_rrs(txn, "a.b.example.com", RRType::A, 3600, {a_rdata(192, 0, 2, 7)});
        put_rrs(txn, "alias.example.com", RRType::CNAME, 300, {name_to_wire("www.example.com")});
        put_rrs(txn, "alias2.example.com", RRType::CNAME, 300, {name_to_wire("alias.example.com")});
        put_rrs(txn, "dangling.example.com", RRType::CNAME, 300,
                {name_to_wire("nothere.example.com")});
        put_rrs(txn, "ext.example.com", RRType::CNAME, 300, {name_to_wire("www.example.net")});
        put_rrs(txn, "loop1.example.com", RRType::CNAME, 300, {name_to_wire("loop2.example.com")});
        put_rrs(txn, "loop2.example.com", RRType::CNAME, 300, {name_to_wire("loop1.example.com")});
        {
            zones::NodeBuilder big;
            for (int i = 0; i < 40; ++i) {
                std::string text = "record-" + std::to_string(i) + "-";
                text.resize(59, 'x');
                big.add(RRType::TXT, 300, char_string(text));
            }
            put_node(txn, "big.example.com", big);
        }
        put_rrs(txn, "sub.example.com", RRType::NS, 86400, {name_to_wire("ns.sub.example.com")},
                zones::NodeDelegation);
        put_rrs(txn, "*.wild.example.com", RRType::A, 3600, {a_rdata(192, 0, 2, 99)},
                zones::NodeWildcard);
        put_rrs(txn, "*.cw.example.com", RRType::CNAME, 300, {name_to_wire("www.example.com")},
                zones::NodeWildcard);
        txn.put(store::Table::DnsNodes, zones::name_key("broken.example.com"),
                std::string_view("\x01\x00\x00\x05", 4));
    });
}

} // namespace sb::test
