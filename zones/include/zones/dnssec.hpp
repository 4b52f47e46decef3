// DNSSEC data of signed zones (pre-signed ones today; zones the server signs at write time
// later): what proof selection needs beyond the nodes, derived at write time.
//
// store::Table::DnssecChain indexes the owners of NSEC and NSEC3 RRs per zone, so that the
// record covering a name is one cursor seek and one step back (RFC 4035 §3.1.3, RFC 5155
// §7.2), without walking names that own none (glue, a child zone, other names at the NSEC3
// owners' depth):
//   zone key '\0' 'n' <owner key below the zone>  → ""   (NSEC: canonical order, RFC 4034 §6.1)
//   zone key '\0' '3' <first label of the owner>   → the owner's node (NSEC3: base32hex keeps
//                                                     hash order)
// An NSEC3 entry carries a copy of its owner's node (the NSEC3 RRset and its RRSIGs), so the
// seek that finds a proof's NSEC3 yields the record too. An empty one (a store written before
// entries carried it) means "read the node from DnsNodes": no schema change either way.
// A zone key ends with '\0' (the root's is empty), so "zone key '\0'" is an empty label no name
// has: one zone's entries are contiguous and no other zone's lie between them.
//
// rebuild_node (compile.hpp) keeps the chain in step with every node it writes: a signer that
// changes one RRset calls it as provisioning does. The zone's hash parameters are its apex's
// NSEC3PARAM RRset (RFC 5155 §4), which a signer writes there too; an apex NSEC3PARAM makes
// the zone an NSEC3 zone, an apex NSEC an NSEC one, and an apex with RRSIGs (NodeSigned) a
// signed one.
#pragma once

#include "store/store.hpp"
#include "zones/zones.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace sb::zones {

constexpr char chain_nsec = 'n';
constexpr char chain_nsec3 = '3';
constexpr std::size_t max_chain_key = 2 * max_key_len + 2;

// Writes zone key '\0' kind rest to out (capacity max_chain_key). Returns the length, 0 when
// it does not fit.
std::size_t chain_key(std::string_view zone_key, char kind, std::string_view rest,
                      char* out) noexcept;

// Updates DnssecChain for the node of `key` whose stored value changes from `old_node` to
// `new_node` (empty: none). `zone_key`: the key of the zone the new node's records belong to.
void chain_node(store::WriteTxn& txn, std::string_view key,
                std::optional<std::string_view> zone_key, std::string_view old_node,
                std::string_view new_node);

// The hash parameters of an NSEC3PARAM (or NSEC3) rdata; false when malformed or when the
// hash algorithm is not SHA-1 (1, the only one RFC 5155 defines).
struct Nsec3Params {
    std::uint16_t iterations = 0;
    std::string_view salt;
};

bool nsec3_params(std::string_view rdata, Nsec3Params& out) noexcept;

constexpr std::size_t nsec3_label_len = 32; // base32hex of a SHA-1 digest

// RFC 5155 §5: IH(salt, owner, iterations) of `name_wire` (uncompressed, lowercase), written
// as the lowercase base32hex label of its NSEC3 owner. No allocation (SHA-1 on stack buffers).
bool nsec3_label(std::string_view name_wire, const Nsec3Params& params, char* out) noexcept;

// The SHA-1 digest (20 bytes) of `in`: the hash NSEC3 uses, allocation free (OpenSSL's
// SHA1_Init/Update/Final on a stack context).
void sha1_digest(std::string_view in, unsigned char* out) noexcept;

} // namespace sb::zones
