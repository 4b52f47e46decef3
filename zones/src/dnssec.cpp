// The DNSSEC chain index (write side), the NSEC3 hash, and proof selection (query side).
#include "zones/dnssec.hpp"

#include "proofs.hpp"
#include "zones/node.hpp"

// The low-level SHA-1 calls are deprecated in OpenSSL 3.0, and allocation free (see sha1()).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>

namespace sb::zones {

std::size_t parent_key_len(std::string_view key, std::size_t len) noexcept {
    if (len == 0) {
        return 0;
    }
    --len;
    while (len > 0 && key[len - 1] != '\0') {
        --len;
    }
    return len;
}

namespace {

bool has_type(std::string_view node, RRType type) noexcept {
    RrsetView r;
    return !node.empty() && NodeView(node).find(type, r);
}

std::optional<std::string_view> get(const store::ReadTxn& txn, store::Table t, std::string_view key,
                                    bool& failed) noexcept {
    try {
        return txn.get(t, key);
    } catch (...) { // store::Error: answered as SERVFAIL
        failed = true;
        return std::nullopt;
    }
}

constexpr char base32hex[] = "0123456789abcdefghijklmnopqrstuv";

// SHA-1 of in[0..len) on a stack context. OpenSSL 3's one-shot SHA1() fetches the algorithm
// and allocates a context on every call (about 600 ns and a malloc each, measured on Debian 12's
// 3.0); SHA1_Init/Update/Final, deprecated in 3.0 but kept, do neither and use the CPU's SHA
// instructions (about 100 ns for a name).
constexpr std::size_t sha1_len = SHA_DIGEST_LENGTH;

void sha1(const unsigned char* in, std::size_t len, unsigned char* out) noexcept {
    SHA_CTX ctx;
    SHA1_Init(&ctx);
    SHA1_Update(&ctx, in, len);
    SHA1_Final(out, &ctx);
}

} // namespace

void sha1_digest(std::string_view in, unsigned char* out) noexcept {
    sha1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), out);
}

std::size_t chain_key(std::string_view zone_key, char kind, std::string_view rest,
                      char* out) noexcept {
    const std::size_t len = zone_key.size() + 2 + rest.size();
    if (len > max_chain_key) {
        return 0;
    }
    // std::copy: an empty view may have a null data() (memcpy's arguments may not be null).
    std::copy(zone_key.begin(), zone_key.end(), out);
    out[zone_key.size()] = '\0';
    out[zone_key.size() + 1] = kind;
    std::copy(rest.begin(), rest.end(), out + zone_key.size() + 2);
    return len;
}

void chain_node(store::WriteTxn& txn, std::string_view key,
                std::optional<std::string_view> zone_key, std::string_view old_node,
                std::string_view new_node) {
    char buf[max_chain_key];
    const std::size_t parent = parent_key_len(key, key.size());
    // The old entries: the old node's zone is not known, so every enclosing name is tried (a
    // node that owned no NSEC/NSEC3 has none).
    if (has_type(old_node, RRType::NSEC)) {
        for (std::size_t len = key.size();; len = parent_key_len(key, len)) {
            if (const std::size_t n =
                    chain_key(key.substr(0, len), chain_nsec, key.substr(len), buf)) {
                txn.del(store::Table::DnssecChain, std::string_view(buf, n));
            }
            if (len == 0) {
                break;
            }
        }
    }
    if (has_type(old_node, RRType::NSEC3) && !key.empty()) {
        if (const std::size_t n =
                chain_key(key.substr(0, parent), chain_nsec3, key.substr(parent), buf)) {
            txn.del(store::Table::DnssecChain, std::string_view(buf, n));
        }
    }
    if (!zone_key || !key.starts_with(*zone_key)) {
        return;
    }
    if (has_type(new_node, RRType::NSEC)) {
        if (const std::size_t n =
                chain_key(*zone_key, chain_nsec, key.substr(zone_key->size()), buf)) {
            txn.put(store::Table::DnssecChain, std::string_view(buf, n), "");
        }
    }
    // An NSEC3 owner is one label below its zone (RFC 5155 §7.1); one elsewhere is in no chain.
    // Its entry holds a copy of its node (the NSEC3 RRset and its RRSIGs): the seek that finds
    // a proof's NSEC3 also yields the record, without a second search in DnsNodes.
    if (has_type(new_node, RRType::NSEC3) && !key.empty() && parent == zone_key->size()) {
        if (const std::size_t n = chain_key(*zone_key, chain_nsec3, key.substr(parent), buf)) {
            txn.put(store::Table::DnssecChain, std::string_view(buf, n), new_node);
        }
    }
}

bool nsec3_params(std::string_view rdata, Nsec3Params& out) noexcept {
    // Hash Algorithm (1), Flags (1), Iterations (2), Salt Length (1), Salt (RFC 5155 §4.2).
    if (rdata.size() < 5 || static_cast<std::uint8_t>(rdata[0]) != 1) {
        return false;
    }
    const std::size_t salt_len = static_cast<std::uint8_t>(rdata[4]);
    if (rdata.size() < 5 + salt_len) {
        return false;
    }
    out.iterations = static_cast<std::uint16_t>(static_cast<std::uint8_t>(rdata[2]) << 8 |
                                                static_cast<std::uint8_t>(rdata[3]));
    out.salt = rdata.substr(5, salt_len);
    return true;
}

bool nsec3_label(std::string_view name_wire, const Nsec3Params& params, char* out) noexcept {
    // IH(salt, x, 0) = H(x || salt); IH(salt, x, k) = H(IH(salt, x, k-1) || salt).
    unsigned char buf[255 + 255];
    unsigned char digest[sha1_len];
    if (name_wire.size() > 255) {
        return false;
    }
    std::memcpy(buf, name_wire.data(), name_wire.size());
    std::copy(params.salt.begin(), params.salt.end(), buf + name_wire.size());
    sha1(buf, name_wire.size() + params.salt.size(), digest);
    for (unsigned i = 0; i < params.iterations; ++i) {
        std::memcpy(buf, digest, sizeof digest);
        std::copy(params.salt.begin(), params.salt.end(), buf + sizeof digest);
        sha1(buf, sizeof digest + params.salt.size(), digest);
    }
    // 160 bits, 5 bits a character: 32 characters, no padding.
    for (std::size_t i = 0; i < nsec3_label_len; ++i) {
        const std::size_t bit = i * 5;
        const unsigned hi = digest[bit / 8];
        const unsigned lo = bit / 8 + 1 < sizeof digest ? digest[bit / 8 + 1] : 0;
        const unsigned v = ((hi << 8 | lo) >> (11 - bit % 8)) & 31;
        out[i] = base32hex[v];
    }
    return true;
}

// ---- proof selection ----

namespace {

// Appends the `type` RRset of the node at `owner_key` (and the node's RRSIGs) to the proofs,
// unless already there. `node_value`: the node when the caller has it (a DnssecChain entry's
// copy), else empty and it is read from DnsNodes. False when the node or the RRset is missing.
bool add_rrset(const ProofZone& z, std::string_view owner_key, RRType type, LookupResult& out,
               bool& failed, std::string_view node_value = {}) noexcept {
    NameBuf owner;
    if (!key_to_wire(owner_key, owner)) {
        failed = true;
        return false;
    }
    DnssecAnswer& d = *out.dnssec; // set whenever a ProofZone is open
    for (std::size_t i = 0; i < d.proof_count; ++i) {
        if (d.proofs[i].rrset.type() == type && d.proofs[i].owner() == owner.view()) {
            return true; // one NSEC3 proving two things (RFC 5155 §7.2.1) is sent once
        }
    }
    if (node_value.empty()) {
        const auto value = get(*z.txn, store::Table::DnsNodes, owner_key, failed);
        if (!value) {
            return false;
        }
        node_value = *value;
    }
    NodeView node(node_value);
    if (owner_key.size() > z.zone_key.size() && (node.flags() & NodeApex) &&
        !node.parent_side().empty()) {
        node = NodeView(node.parent_side()); // a child zone's apex: this zone's side of the cut
    }
    RrsetView rrset;
    if (!node.valid() || !node.find(type, rrset)) {
        return false;
    }
    if (d.proof_count == d.proofs.size()) {
        return true; // a CNAME chain through many wildcards: the first proofs only
    }
    ProofRrset& p = d.proofs[d.proof_count++];
    std::memcpy(p.owner_bytes.data(), owner.bytes.data(), owner.len);
    p.owner_len = owner.len;
    p.rrset = rrset;
    p.sigs = RrsetView{};
    node.find(RRType::RRSIG, p.sigs);
    return true;
}

// The owner key of the chain entry at the cursor: zone key + the entry's rest.
bool owner_of_entry(const ProofZone& z, char kind, char* buf, std::size_t& len) noexcept {
    const std::string_view k = z.chain->key();
    const std::size_t prefix = z.zone_key.size() + 2;
    if (k.size() < prefix || !k.starts_with(z.zone_key) || k[z.zone_key.size()] != '\0' ||
        k[z.zone_key.size() + 1] != kind || k.size() - 2 > max_key_len) {
        return false;
    }
    std::memcpy(buf, z.zone_key.data(), z.zone_key.size());
    std::memcpy(buf + z.zone_key.size(), k.data() + prefix, k.size() - prefix);
    len = k.size() - 2;
    return true;
}

// The chain entry of `kind` at or before `rest` in the zone; with `wrap`, the zone's last one
// when none is before (the NSEC3 chain is circular, RFC 5155 §7.1). Writes its owner key.
bool entry_at_or_before(const ProofZone& z, char kind, std::string_view rest, bool wrap,
                        char* owner, std::size_t& owner_len, bool& failed) noexcept {
    char key[max_chain_key];
    const std::size_t n = chain_key(z.zone_key, kind, rest, key);
    if (n == 0) {
        return false;
    }
    const std::string_view k(key, n);
    try {
        bool ok = z.chain->seek(k);
        if (ok && z.chain->key() == k) {
            return owner_of_entry(z, kind, owner, owner_len);
        }
        ok = ok ? z.chain->prev() : z.chain->last();
        if (ok && owner_of_entry(z, kind, owner, owner_len)) {
            return true;
        }
        if (!wrap) {
            return false;
        }
        // Before the zone's first entry: the last one, found from the next kind's start.
        key[z.zone_key.size() + 1] = static_cast<char>(kind + 1);
        const std::string_view end(key, z.zone_key.size() + 2);
        ok = z.chain->seek(end) ? z.chain->prev() : z.chain->last();
        return ok && owner_of_entry(z, kind, owner, owner_len);
    } catch (...) {
        failed = true;
        return false;
    }
}

// NSEC: the NSEC at or before `key` in canonical order: the name's own, else the one covering
// it (RFC 4035 §3.1.3).
bool add_nsec_at_or_before(const ProofZone& z, std::string_view key, LookupResult& out,
                           bool& failed) noexcept {
    char owner[max_key_len];
    std::size_t owner_len = 0;
    return entry_at_or_before(z, chain_nsec, key.substr(z.zone_key.size()), false, owner, owner_len,
                              failed) &&
           add_rrset(z, std::string_view(owner, owner_len), RRType::NSEC, out, failed);
}

// The NSEC3 owner label of `key`.
bool hash_of(const ProofZone& z, std::string_view key, char* label, bool& failed) noexcept {
    NameBuf wire;
    if (!key_to_wire(key, wire) || !nsec3_label(wire.view(), z.params, label)) {
        failed = true;
        return false;
    }
    return true;
}

// Whether an NSEC3 matches `key` (RFC 5155 §7.2: "matches"); `rest` gets its owner's label
// and '\0' (the owner key below the zone), `node` its chain entry's copy of the NSEC3 node
// (empty in a store written before entries carried it: read from DnsNodes then).
bool nsec3_entry(const ProofZone& z, std::string_view key, char* rest, std::string_view& node,
                 bool& failed) noexcept {
    if (!hash_of(z, key, rest, failed)) {
        return false;
    }
    rest[nsec3_label_len] = '\0';
    char k[max_chain_key];
    const std::size_t n =
        chain_key(z.zone_key, chain_nsec3, std::string_view(rest, nsec3_label_len + 1), k);
    if (n == 0) {
        return false;
    }
    const auto entry = get(*z.txn, store::Table::DnssecChain, std::string_view(k, n), failed);
    if (!entry) {
        return false;
    }
    node = *entry;
    return true;
}

// The NSEC3 at the owner whose label (and '\0') is `rest`, its node `node` (empty: read it).
bool add_nsec3_owner(const ProofZone& z, const char* rest, std::string_view node, LookupResult& out,
                     bool& failed) noexcept {
    char owner[max_key_len + nsec3_label_len + 1];
    std::memcpy(owner, z.zone_key.data(), z.zone_key.size());
    std::memcpy(owner + z.zone_key.size(), rest, nsec3_label_len + 1);
    return add_rrset(z, std::string_view(owner, z.zone_key.size() + nsec3_label_len + 1),
                     RRType::NSEC3, out, failed, node);
}

// The NSEC3 matching `key`: added when it exists.
bool add_nsec3_match(const ProofZone& z, std::string_view key, LookupResult& out,
                     bool& failed) noexcept {
    char rest[nsec3_label_len + 1];
    std::string_view node;
    return nsec3_entry(z, key, rest, node, failed) && add_nsec3_owner(z, rest, node, out, failed);
}

// The NSEC3 covering the hash whose label (and '\0') is `rest`: one seek in the chain, whose
// entry carries the NSEC3 node.
bool add_nsec3_cover_label(const ProofZone& z, const char* rest, LookupResult& out,
                           bool& failed) noexcept {
    char owner[max_key_len];
    std::size_t owner_len = 0;
    return entry_at_or_before(z, chain_nsec3, std::string_view(rest, nsec3_label_len + 1), true,
                              owner, owner_len, failed) &&
           add_rrset(z, std::string_view(owner, owner_len), RRType::NSEC3, out, failed,
                     z.chain->value());
}

// NSEC3 covering `key` (its hash lies between owner and next, circularly).
bool add_nsec3_cover(const ProofZone& z, std::string_view key, LookupResult& out,
                     bool& failed) noexcept {
    char rest[nsec3_label_len + 1];
    if (!hash_of(z, key, rest, failed)) {
        return false;
    }
    rest[nsec3_label_len] = '\0';
    return add_nsec3_cover_label(z, rest, out, failed);
}

// Key length of the ancestor of key[0..len) one label below key[0..ancestor) (key.size()
// when ancestor is the name's parent).
std::size_t child_toward(std::string_view key, std::size_t ancestor) noexcept {
    std::size_t next = key.size();
    while (parent_key_len(key, next) > ancestor) {
        next = parent_key_len(key, next);
    }
    return next;
}

// RFC 5155 §7.2.1 closest (provable) encloser proof for `key`: the NSEC3 matching the closest
// encloser and the one covering the next closer name. Returns the encloser's key length.
// `from`: the longest ancestor (or the name itself) that may exist; the walk up starts there.
std::size_t add_closest_encloser_proof(const ProofZone& z, std::string_view key, std::size_t from,
                                       LookupResult& out, bool& failed) noexcept {
    // Each name is hashed once: the next closer's hash is the one the step before made.
    char rest[nsec3_label_len + 1];
    char next_closer[nsec3_label_len + 1];
    bool have_next_closer = false;
    for (std::size_t len = from; len >= z.zone_key.size();) {
        std::string_view node;
        if (nsec3_entry(z, key.substr(0, len), rest, node, failed)) {
            add_nsec3_owner(z, rest, node, out, failed);
            if (len != key.size()) {
                if (!have_next_closer &&
                    hash_of(z, key.substr(0, child_toward(key, len)), next_closer, failed)) {
                    next_closer[nsec3_label_len] = '\0';
                    have_next_closer = true;
                }
                if (have_next_closer) {
                    add_nsec3_cover_label(z, next_closer, out, failed);
                }
            }
            return len;
        }
        if (failed || len == z.zone_key.size()) {
            break;
        }
        std::memcpy(next_closer, rest, sizeof rest);
        have_next_closer = true;
        len = parent_key_len(key, len);
    }
    return z.zone_key.size();
}

// Key length of the longest whole-label prefix `a` and `b` share.
std::size_t common_ancestor(std::string_view a, std::string_view b) noexcept {
    const std::size_t n = std::min(a.size(), b.size());
    std::size_t len = 0;
    for (std::size_t i = 0; i < n && a[i] == b[i]; ++i) {
        if (a[i] == '\0') {
            len = i + 1;
        }
    }
    return len;
}

// The closest encloser of the missing name `key` as the node tree shows it: the longest
// ancestor with a node at or below it (RFC 4592 §3.3.1), which is the longest one `key`
// shares with its neighbours in key order (keys sort in canonical order, so every name below
// an ancestor lies between them). The lookup that found the name missing left the DnsNodes
// cursor on its successor: one step back gives the predecessor (a seek when the cursor is
// elsewhere), instead of a hash and a chain search per ancestor. At least the zone's apex.
std::size_t tree_closest_encloser(const ProofZone& z, std::string_view key, bool& failed) noexcept {
    std::size_t ce = z.zone_key.size();
    store::Cursor& c = *z.nodes;
    try {
        std::string_view after; // the successor (a view into the map, valid with the txn)
        bool ok = c.valid() && c.key() > key;
        if (ok) {
            after = c.key();
            ok = c.prev();
        }
        if (!ok || c.key() >= key) {
            // Not on the successor: seek it (none: the predecessor is the table's last key).
            after = {};
            ok = c.seek(key);
            if (ok) {
                after = c.key();
            }
            ok = ok ? c.prev() : c.last();
        }
        ce = std::max(ce, common_ancestor(key, after));
        if (ok) {
            ce = std::max(ce, common_ancestor(key, c.key()));
        }
    } catch (...) {
        failed = true;
    }
    // The name itself would be a match, not an encloser: a caller's stale view, walk from it.
    return std::min(ce, key.size());
}

// True when the label of `key` one below the apex is an NSEC3 hashed owner (a node holding
// only NSEC3 and its RRSIG): 32 base32hex characters, checked against the node.
bool hashed_owner_below(const ProofZone& z, std::string_view key, bool& failed) noexcept {
    constexpr std::size_t hash_label = 32; // SHA-1, the only NSEC3 hash (RFC 5155 §11)
    const std::size_t first = child_toward(key, z.zone_key.size());
    if (first - z.zone_key.size() != hash_label + 1) {
        return false;
    }
    const auto value = get(*z.txn, store::Table::DnsNodes, key.substr(0, first), failed);
    return value && (NodeView(*value).flags() & NodeNsec3Only);
}

// The key of "*" below key[0..len) in `buf`.
std::string_view wildcard_key(std::string_view key, std::size_t len, char* buf) noexcept {
    std::memcpy(buf, key.data(), len);
    buf[len] = '*';
    buf[len + 1] = '\0';
    return {buf, len + 2};
}

Proved result(bool failed) noexcept {
    return failed ? Proved::Malformed : Proved::Ok;
}

} // namespace

Proved open_proof_zone(const store::ReadTxn& txn, store::Cursor& nodes, store::Cursor& chain,
                       std::string_view zone_key, ProofZone& z, std::string_view apex) noexcept {
    if (apex.empty()) {
        bool failed = false;
        const auto value = get(txn, store::Table::DnsNodes, zone_key, failed);
        if (!value) {
            return Proved::Malformed;
        }
        apex = *value;
    }
    z.txn = &txn;
    z.nodes = &nodes;
    z.chain = &chain;
    z.zone_key = zone_key;
    const NodeView node(apex);
    RrsetView param;
    RrView rr{};
    std::size_t pos = 0;
    if (node.find(RRType::NSEC3PARAM, param) && param.next_rr(pos, rr) &&
        nsec3_params(rr.rdata, z.params)) {
        z.nsec3 = true;
        return Proved::Ok;
    }
    return node.find(RRType::NSEC, param) ? Proved::Ok : Proved::Unsigned;
}

Proved prove_nxdomain(const ProofZone& z, std::string_view key, LookupResult& out) noexcept {
    bool failed = false;
    char wild[max_key_len + 2];
    if (z.nsec3) {
        // The tree gives the closest encloser; its NSEC3 proves it (else, in a pre-signed zone
        // whose chain lacks it, the walk goes on up to the closest provable encloser).
        const std::size_t ce =
            add_closest_encloser_proof(z, key, tree_closest_encloser(z, key, failed), out, failed);
        if (ce + 2 <= max_key_len) {
            add_nsec3_cover(z, wildcard_key(key, ce, wild), out, failed);
        }
        return result(failed);
    }
    add_nsec_at_or_before(z, key, out, failed);
    // The closest encloser: the longest ancestor that exists (it or a name below it is
    // stored); "*" below it is covered too (RFC 4035 §3.1.3.2).
    std::size_t ce = tree_closest_encloser(z, key, failed);
    if (ce == key.size()) {
        ce = parent_key_len(key, ce); // the name is no encloser of itself
    }
    if (ce > z.zone_key.size() && hashed_owner_below(z, key, failed)) {
        // While the zone switches between NSEC and NSEC3 it also holds the other chain's
        // hashed owners, one label below the apex. For a name at or under one, "the response
        // MUST be constructed as if the NSEC3 RR did not exist" (RFC 5155 §7.2.8): its
        // closest encloser is the apex.
        ce = z.zone_key.size();
    }
    if (ce + 2 <= max_key_len) {
        add_nsec_at_or_before(z, wildcard_key(key, ce, wild), out, failed);
    }
    return result(failed);
}

Proved prove_nodata(const ProofZone& z, std::string_view key, LookupResult& out) noexcept {
    bool failed = false;
    if (!z.nsec3) {
        add_nsec_at_or_before(z, key, out, failed);
        return result(failed);
    }
    const std::size_t parent = parent_key_len(key, key.size());
    if (key.size() == parent + 2 && key[parent] == '*' && parent >= z.zone_key.size()) {
        // The wildcard itself asked for a type it lacks: proved as a wildcard NODATA (RFC 5155
        // §7.2.5), the closest encloser being its parent (as NSD does).
        return prove_wildcard(z, key, parent, true, out);
    }
    if (!add_nsec3_match(z, key, out, failed) && !failed) {
        // No NSEC3 for the name (an opt-out span, RFC 5155 §7.2.4): the closest provable
        // encloser proof.
        add_closest_encloser_proof(z, key, key.size(), out, failed);
    }
    return result(failed);
}

Proved prove_wildcard(const ProofZone& z, std::string_view key, std::size_t ce_len, bool nodata,
                      LookupResult& out) noexcept {
    bool failed = false;
    char wild[max_key_len + 2];
    if (!z.nsec3) {
        add_nsec_at_or_before(z, key, out, failed);
        if (nodata && ce_len + 2 <= max_key_len) {
            add_nsec_at_or_before(z, wildcard_key(key, ce_len, wild), out, failed);
        }
        return result(failed);
    }
    // The next closer name: one label more than the closest encloser.
    const std::size_t next = child_toward(key, ce_len);
    if (nodata) {
        add_nsec3_match(z, key.substr(0, ce_len), out, failed);
    }
    add_nsec3_cover(z, key.substr(0, next), out, failed);
    if (nodata && ce_len + 2 <= max_key_len) {
        add_nsec3_match(z, wildcard_key(key, ce_len, wild), out, failed);
    }
    return result(failed);
}

Proved prove_referral(const ProofZone& z, std::string_view cut_key, std::string_view cut,
                      LookupResult& out) noexcept {
    bool failed = false;
    if (has_type(cut, RRType::DS)) {
        add_rrset(z, cut_key, RRType::DS, out, failed);
        return result(failed);
    }
    if (!z.nsec3) {
        add_rrset(z, cut_key, RRType::NSEC, out, failed);
        return result(failed);
    }
    return prove_nodata(z, cut_key, out);
}

} // namespace sb::zones
