// What the signer tests read back from the nodes of a signed zone: per node its flags and
// types, the key tags of its RRSIGs by type covered, its NSEC3's next hashed owner, and the key
// tags of its DNSKEY and CDS RRs. One walk of a node's RRsets for signer_test,
// signer_keys_test and signer_bulk_test.
#pragma once

#include "store/store.hpp"
#include "store/tables.hpp"
#include "zones/dnssec.hpp"
#include "zones/lookup.hpp"
#include "zones/node.hpp"
#include "zones/signer.hpp"
#include "zones/zones.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sb::test {

using Tags = std::set<std::uint16_t>;

// RFC 4034 Appendix B: the key tag of a DNSKEY rdata.
inline std::uint16_t key_tag(std::string_view rdata) {
    std::uint32_t ac = 0;
    for (std::size_t i = 0; i < rdata.size(); ++i) {
        const auto b = static_cast<std::uint8_t>(rdata[i]);
        ac += (i & 1) ? b : std::uint32_t{b} << 8;
    }
    ac += (ac >> 16) & 0xffff;
    return static_cast<std::uint16_t>(ac & 0xffff);
}

// RFC 4648 §7 base32hex, lowercase, unpadded: an NSEC3 owner's label.
inline std::string base32hex(std::string_view bytes) {
    static constexpr char digits[] = "0123456789abcdefghijklmnopqrstuv";
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char c : bytes) {
        buffer = (buffer << 8) | static_cast<unsigned char>(c);
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out.push_back(digits[(buffer >> bits) & 31]);
        }
    }
    return out;
}

struct SignedNode {
    std::uint8_t flags = 0;
    std::set<zones::RRType> types;
    std::set<zones::RRType> signed_types;
    std::map<zones::RRType, Tags> sigs; // type covered → key tags of its RRSIGs
    std::string nsec3_next;             // a hashed owner: the next label
    Tags dnskey, cds;
    std::string value; // the node
    std::string chain; // a hashed owner: the value of its DnssecChain entry (signed_nodes)
};

inline SignedNode read_signed_node(std::string_view value) {
    SignedNode out;
    const zones::NodeView view(value);
    out.value = value;
    out.flags = view.flags();
    for (std::uint16_t i = 0; i < view.rrset_count(); ++i) {
        zones::RrsetView rrset;
        REQUIRE(view.at(i, rrset));
        out.types.insert(rrset.type());
        std::size_t pos = 0;
        zones::RrView rr{};
        while (rrset.next_rr(pos, rr)) {
            if (rrset.type() == zones::RRType::RRSIG) {
                const auto covered = static_cast<zones::RRType>(store::get_u16(rr.rdata, 0));
                out.signed_types.insert(covered);
                out.sigs[covered].insert(store::get_u16(rr.rdata, 16));
            } else if (rrset.type() == zones::RRType::NSEC3) {
                out.nsec3_next = base32hex(rr.rdata.substr(6, 20));
            } else if (rrset.type() == zones::RRType::CDS) {
                out.cds.insert(store::get_u16(rr.rdata, 0));
            } else if (rrset.type() == zones::RRType::DNSKEY) {
                out.dnskey.insert(key_tag(rr.rdata));
            }
        }
    }
    return out;
}

// The node of `owner` (which must exist).
inline SignedNode signed_node(store::Env& env, const std::string& owner) {
    store::ReadTxn txn(env);
    const auto v = txn.get(store::Table::DnsNodes, zones::name_key(owner));
    REQUIRE(v);
    return read_signed_node(*v);
}

// Every node of `zone` (and of the zones below it) by owner key.
inline std::map<std::string, SignedNode> signed_nodes(store::Env& env, const std::string& zone) {
    store::ReadTxn txn(env);
    std::map<std::string, SignedNode> out;
    const std::string prefix = zones::name_key(zone);
    store::Cursor c = txn.cursor(store::Table::DnsNodes);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        SignedNode& node = out[std::string(c.key())] = read_signed_node(c.value());
        char entry[zones::max_chain_key];
        const std::size_t n =
            zones::chain_key(prefix, zones::chain_nsec3, c.key().substr(prefix.size()), entry);
        if (const auto v = txn.get(store::Table::DnssecChain, std::string_view(entry, n))) {
            node.chain = *v;
        }
    }
    return out;
}

// The expiration times of every RRSIG in `zone` (and the zones below it).
inline std::vector<std::uint32_t> signature_expirations(store::Env& env, const std::string& zone) {
    std::vector<std::uint32_t> out;
    store::ReadTxn txn(env);
    const std::string prefix = zones::name_key(zone);
    store::Cursor c = txn.cursor(store::Table::DnsNodes);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        zones::RrsetView sigs;
        if (zones::NodeView(c.value()).find(zones::RRType::RRSIG, sigs)) {
            std::size_t pos = 0;
            zones::RrView rr{};
            while (sigs.next_rr(pos, rr)) {
                out.push_back(store::get_u32(rr.rdata, 8));
            }
        }
    }
    return out;
}

// The hashed owners (NSEC3) of `zone` form one ring in hash order, each NSEC3 signed; returns
// how many there are.
inline std::size_t check_nsec3_ring(const std::map<std::string, SignedNode>& all,
                                    const std::string& zone) {
    std::vector<std::pair<std::string, std::string>> chain; // label, next
    const std::string prefix = zones::name_key(zone);
    for (const auto& [key, o] : all) {
        if (o.flags & zones::NodeNsec3Only) {
            chain.emplace_back(key.substr(prefix.size(), 32), o.nsec3_next);
            CHECK(o.signed_types == std::set<zones::RRType>{zones::RRType::NSEC3});
            CHECK(o.chain == o.value); // the proof's record, one seek away
        }
    }
    std::sort(chain.begin(), chain.end());
    for (std::size_t i = 0; i < chain.size(); ++i) {
        CHECK(chain[i].second == chain[(i + 1) % chain.size()].first);
    }
    return chain.size();
}

// The owner keys of `zone` holding an NSEC, in canonical order, each with its NSEC's next
// owner (as a key).
inline std::vector<std::pair<std::string, std::string>> nsec_chain(store::Env& env,
                                                                   const std::string& zone) {
    std::vector<std::pair<std::string, std::string>> out;
    store::ReadTxn txn(env);
    const std::string prefix = zones::name_key(zone);
    store::Cursor c = txn.cursor(store::Table::DnsNodes);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        zones::RrsetView rrset;
        const zones::NodeView view(c.value());
        if (view.find(zones::RRType::NSEC, rrset)) {
            std::size_t pos = 0;
            zones::RrView rr{};
            REQUIRE(rrset.next_rr(pos, rr));
            const std::string text = zones::rdata_to_text(zones::RRType::NSEC, rr.rdata);
            out.emplace_back(std::string(c.key()), zones::name_key(zones::canonical_name(
                                                       text.substr(0, text.find(' ')), "next")));
        }
    }
    return out;
}

// Each NSEC of `zone` names the next owner holding one, wrapping around; returns how many.
inline std::size_t check_nsec_ring(store::Env& env, const std::string& zone) {
    const auto chain = nsec_chain(env, zone);
    for (std::size_t i = 0; i < chain.size(); ++i) {
        CHECK(chain[i].second == chain[(i + 1) % chain.size()].first);
    }
    return chain.size();
}

// A policy for rollover tests: every zone, `keys`, the signer's clock moved by `offset`, no
// propagation delay, a parent DS TTL of 60 s.
inline zones::SigningPolicy rollover_policy(zones::KeyScheme keys, std::int64_t offset) {
    zones::SigningPolicy p;
    p.all = true;
    p.keys = keys;
    p.clock_offset = offset;
    p.propagation_delay = 0;
    p.parent_ds_ttl = 60;
    return p;
}

// Sets the clock (rollover_policy with another offset) and takes the rollover steps due.
inline std::size_t rollover_step_at(store::Env& env, zones::KeyScheme keys, std::int64_t offset) {
    return env.write([&](store::WriteTxn& txn) {
        zones::configure_signing(txn, rollover_policy(keys, offset));
        return zones::rollover_step(txn);
    });
}

// The tag of `zone`'s key in `role` and `state` (0: none).
inline std::uint16_t key_tag_of(store::Env& env, const std::string& zone, zones::KeyRole role,
                                zones::KeyState state) {
    store::ReadTxn txn(env);
    for (const auto& k : zones::zone_keys(txn, zone)) {
        if (k.role == role && k.state == state) {
            return k.tag;
        }
    }
    return 0;
}

// A DO=1 lookup of `name` for `type`, as dnsd asks it. Its result and DNSSEC records view the
// store through `txn`: read them while the lookup lives.
struct SignedLookup {
    SignedLookup(store::Env& env, const std::string& name, zones::RRType type)
        : txn(env)
        , nodes(txn.cursor(store::Table::DnsNodes))
        , chain(txn.cursor(store::Table::DnssecChain)) {
        REQUIRE(index.sync(txn));
        state = zones::lookup(txn, nodes, index, zones::name_key(name), type, res, chain, dnssec);
    }

    store::ReadTxn txn;
    store::Cursor nodes;
    store::Cursor chain;
    zones::ZoneIndex index;
    zones::LookupResult res;
    zones::DnssecAnswer dnssec;
    zones::LookupState state = zones::LookupState::Refused;
};

// The name key of a name in wire form (which must be well formed).
inline std::string wire_key(std::string_view wire) {
    std::uint8_t key[zones::max_key_len];
    std::size_t len = 0;
    unsigned labels = 0;
    REQUIRE(zones::wire_to_key(reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size(), key,
                               len, labels) == wire.size());
    return std::string(reinterpret_cast<const char*>(key), len);
}

} // namespace sb::test
