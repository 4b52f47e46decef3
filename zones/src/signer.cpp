// DNSSEC signing at write time (signer.hpp): policy, keys, RRSIGs and the NSEC3 chain.
#include "zones/signer.hpp"

#include "ldns_rr.hpp"
#include "proofs.hpp"
#include "signer_node.hpp"
#include "zones/compile.hpp"
#include "zones/dnssec.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <map>
#include <set>

namespace sb::zones {

namespace {

constexpr std::string_view policy_key = "dnssec_policy";
constexpr std::uint8_t policy_format = 2;
constexpr std::uint8_t key_format = 1;
constexpr std::uint16_t csk_flags = 257;       // ZONE and SEP (RFC 4034 §2.1.1): a CSK
constexpr std::uint32_t inception_skew = 3600; // signatures valid from an hour ago (clock skew)

std::string signed_marker(std::string_view zone) {
    return "dnssec_signed:" + std::string(zone);
}

// Table::DnssecKeys: zone '\0' u64 id → the key row below.
std::string key_prefix(std::string_view zone) {
    std::string k(zone);
    k.push_back('\0');
    return k;
}

struct KeyRow {
    std::uint64_t id = 0;
    std::uint8_t algorithm = 0;
    std::uint16_t flags = 0;
    std::uint16_t tag = 0;
    std::int64_t created = 0;
    std::string dnskey;      // rdata
    std::string private_der; // OpenSSL private key (DER); readable by the store's owner only
    KeyState state = KeyState::Active;
    std::int64_t since = 0; // when it entered `state` (signer clock)
};

std::string encode_key(const KeyRow& k) {
    store::Writer w;
    w.u8(key_format);
    w.u8(k.algorithm);
    w.u16(k.flags);
    w.u16(k.tag);
    w.i64(k.created);
    w.str(k.dnskey);
    w.str(k.private_der);
    w.u8(static_cast<std::uint8_t>(k.state));
    w.i64(k.since);
    return std::move(w.bytes());
}

KeyRow decode_key(std::uint64_t id, std::string_view v) {
    store::Reader r(v);
    if (r.u8() != key_format) {
        throw store::Error::corrupted("DNSSEC key row of an unknown format");
    }
    KeyRow k;
    k.id = id;
    k.algorithm = r.u8();
    k.flags = r.u16();
    k.tag = r.u16();
    k.created = r.i64();
    k.dnskey = std::string(r.str());
    k.private_der = std::string(r.str());
    const std::uint8_t state = r.u8();
    if (state > static_cast<std::uint8_t>(KeyState::Retiring)) {
        throw store::Error::corrupted("DNSSEC key row with an unknown state");
    }
    k.state = static_cast<KeyState>(state);
    k.since = r.i64();
    return k;
}

template <class Txn>
std::vector<KeyRow> load_keys(const Txn& txn, std::string_view zone) {
    std::vector<KeyRow> out;
    const std::string prefix = key_prefix(zone);
    store::Cursor c = txn.cursor(store::Table::DnssecKeys);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        if (c.key().size() == prefix.size() + 8) {
            out.push_back(decode_key(store::get_u64(c.key(), prefix.size()), c.value()));
        }
    }
    return out;
}

std::string key_key(std::string_view zone, std::uint64_t id) {
    std::string key = key_prefix(zone);
    store::put_u64(key, id);
    return key;
}

void delete_keys(store::WriteTxn& txn, std::string_view zone) {
    for (const auto& k : load_keys(txn, zone)) {
        txn.del(store::Table::DnssecKeys, key_key(zone, k.id));
    }
}

struct PkeyFree {
    void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};

using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string der_of(EVP_PKEY* pkey) {
    unsigned char* der = nullptr;
    const int len = i2d_PrivateKey(pkey, &der);
    if (len <= 0) {
        throw std::runtime_error("OpenSSL could not encode a DNSSEC private key");
    }
    std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
    OPENSSL_free(der);
    return out;
}

PkeyPtr pkey_of(std::string_view der) {
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    PkeyPtr pkey(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
    if (!pkey) {
        throw store::Error::corrupted("a stored DNSSEC private key does not parse");
    }
    return pkey;
}

// The DNSKEY public key field (RFC 6605 §4: Q = x | y for P-256; RFC 8080 §3: the 32 bytes).
std::string public_key_field(EVP_PKEY* pkey, std::uint8_t algorithm) {
    std::array<unsigned char, 133> buf{};
    std::size_t len = 0;
    if (algorithm == 15) {
        len = buf.size();
        if (EVP_PKEY_get_raw_public_key(pkey, buf.data(), &len) != 1 || len != 32) {
            throw std::runtime_error("OpenSSL gave no Ed25519 public key");
        }
        return std::string(reinterpret_cast<const char*>(buf.data()), len);
    }
    if (EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PUB_KEY, buf.data(), buf.size(),
                                        &len) != 1 ||
        len != 65 || buf[0] != 4) {
        throw std::runtime_error("OpenSSL gave no uncompressed P-256 public key");
    }
    return std::string(reinterpret_cast<const char*>(buf.data()) + 1, 64);
}

// A new key for `zone`, generated with OpenSSL, stored in the transaction.
KeyRow generate_key(store::WriteTxn& txn, std::string_view zone, std::uint8_t algorithm,
                    std::uint16_t flags, std::int64_t now) {
    PkeyPtr pkey(algorithm == 15 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                 : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!pkey) {
        throw std::runtime_error("OpenSSL could not generate a DNSSEC key");
    }
    KeyRow k;
    k.algorithm = algorithm;
    k.flags = flags;
    k.created = now;
    std::string rdata;
    store::put_u16(rdata, flags);
    rdata.push_back(3); // protocol (RFC 4034 §2.1.2)
    rdata.push_back(static_cast<char>(algorithm));
    rdata += public_key_field(pkey.get(), algorithm);
    k.dnskey = rdata;
    k.tag = ldns_calc_keytag_raw(reinterpret_cast<const std::uint8_t*>(rdata.data()), rdata.size());
    k.private_der = der_of(pkey.get());
    k.id = txn.next_id("dnssec_key");
    k.since = now;
    txn.put(store::Table::DnssecKeys, key_key(zone, k.id), encode_key(k));
    return k;
}

std::string encode_policy(const SigningPolicy& p) {
    store::Writer w;
    w.u8(policy_format);
    w.u8(p.all ? 1 : 0);
    w.u8(p.algorithm);
    w.u32(p.lifetime);
    w.u32(p.refresh);
    w.i64(p.clock_offset);
    w.u32(p.propagation_delay);
    w.u32(p.parent_ds_ttl);
    w.u8(p.nsec3 ? 1 : 0);
    w.u32(static_cast<std::uint32_t>(p.zones.size()));
    for (const auto& z : p.zones) {
        w.str(z);
    }
    return std::move(w.bytes());
}

SigningPolicy decode_policy(std::string_view v) {
    store::Reader r(v);
    if (r.u8() != policy_format) {
        throw store::Error::corrupted("DNSSEC policy of an unknown format");
    }
    SigningPolicy p;
    p.all = r.u8() != 0;
    p.algorithm = r.u8();
    p.lifetime = r.u32();
    p.refresh = r.u32();
    p.clock_offset = r.i64();
    p.propagation_delay = r.u32();
    p.parent_ds_ttl = r.u32();
    p.nsec3 = r.u8() != 0;
    for (std::uint32_t n = r.u32(); n > 0; --n) {
        p.zones.emplace_back(r.str());
    }
    return p;
}

template <class Txn>
std::optional<SigningPolicy> read_policy(const Txn& txn) {
    const auto v = txn.get(store::Table::Meta, policy_key);
    return v ? std::optional<SigningPolicy>(decode_policy(*v)) : std::nullopt;
}

// The zone `owner` belongs to: its longest ancestor (or itself) with a Zones row.
std::optional<store::ZoneRow> zone_of(const store::WriteTxn& txn, std::string_view owner) {
    for (std::string_view name = owner;;) {
        if (auto row = store::get_zone(txn, name)) {
            return row;
        }
        if (name.empty()) {
            return std::nullopt;
        }
        const auto dot = name.find('.');
        name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    }
}

std::int64_t clock_now(const SigningPolicy& p) {
    return static_cast<std::int64_t>(std::time(nullptr)) + p.clock_offset;
}

struct ParsedKeys {
    std::string fingerprint; // the key rows they were parsed from
    std::unique_ptr<ldns_key_list, detail::KeyListFree> list;
};

detail::SignContext make_context(store::WriteTxn& txn, const store::ZoneRow& zone,
                                 const SigningPolicy& policy) {
    detail::SignContext ctx;
    ctx.zone = zone.name;
    ctx.zone_key = name_key(zone.name);
    ctx.policy = policy;
    ctx.now = clock_now(policy);
    ctx.zone_ttl = zone.ttl;
    ctx.nsec3_ttl = std::min(zone.ttl, zone.minimum);
    auto rows = load_keys(txn, zone.name);
    if (rows.empty()) {
        // RFC 9276 / docs/decisions.md: one combined signing key (CSK) per zone.
        rows.push_back(generate_key(txn, zone.name, policy.algorithm, csk_flags, ctx.now));
    }
    std::string fingerprint;
    for (const auto& row : rows) {
        fingerprint += encode_key(row);
    }
    // Per thread (the writer), per zone: the parsed keys while the rows stay the same.
    thread_local std::map<std::string, ParsedKeys, std::less<>> cache;
    ParsedKeys& parsed = cache[zone.name];
    if (parsed.fingerprint != fingerprint || !parsed.list) {
        parsed.list.reset(ldns_key_list_new());
        parsed.fingerprint = fingerprint;
        for (const auto& row : rows) {
            if (row.state == KeyState::Retiring) {
                continue; // published until removed, no longer signing
            }
            ldns_key* k = ldns_key_new();
            ldns_key_set_algorithm(k, static_cast<ldns_signing_algorithm>(row.algorithm));
            ldns_key_set_evp_key(k, pkey_of(row.private_der).release());
            ldns_key_set_flags(k, row.flags);
            ldns_key_set_pubkey_owner(k, ldns_dname_new_frm_str((zone.name + ".").c_str()));
            ldns_key_set_keytag(k, row.tag);
            ldns_key_list_push_key(parsed.list.get(), k);
        }
    }
    for (std::size_t i = 0; i < ldns_key_list_key_count(parsed.list.get()); ++i) {
        ldns_key* k = ldns_key_list_key(parsed.list.get(), i);
        ldns_key_set_inception(k, static_cast<std::uint32_t>(ctx.now - inception_skew));
        ldns_key_set_expiration(k, static_cast<std::uint32_t>(ctx.now + policy.lifetime));
    }
    for (const auto& row : rows) {
        ctx.keys.push_back({row.tag, row.flags, row.algorithm, row.dnskey, row.state});
    }
    ctx.ldns_keys = parsed.list.get();
    return ctx;
}

// ---- RRSIGs ----

struct RrListFree {
    void operator()(ldns_rr_list* l) const { ldns_rr_list_deep_free(l); }
};

using RrListPtr = std::unique_ptr<ldns_rr_list, RrListFree>;

// RRSIG rdata fields (RFC 4034 §3.1).
std::uint16_t sig_covered(std::string_view rdata) {
    return store::get_u16(rdata, 0);
}

std::uint32_t sig_expiration(std::string_view rdata) {
    return store::get_u32(rdata, 8);
}

std::uint32_t sig_inception(std::string_view rdata) {
    return store::get_u32(rdata, 12);
}

std::uint16_t sig_tag(std::string_view rdata) {
    return store::get_u16(rdata, 16);
}

using RrList = std::vector<std::pair<std::uint32_t, std::string>>; // ttl, rdata

std::vector<std::string> sign_rrset(const detail::SignContext& ctx, std::string_view owner_wire,
                                    RRType type, const RrList& rrs) {
    RrListPtr list(ldns_rr_list_new());
    for (const auto& [ttl, rdata] : rrs) {
        std::string wire(owner_wire);
        store::put_u16(wire, static_cast<std::uint16_t>(type));
        store::put_u16(wire, 1); // IN
        store::put_u32(wire, ttl);
        store::put_u16(wire, static_cast<std::uint16_t>(rdata.size()));
        wire += rdata;
        ldns_rr* rr = nullptr;
        std::size_t pos = 0;
        if (ldns_wire2rr(&rr, reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size(), &pos,
                         LDNS_SECTION_ANSWER) != LDNS_STATUS_OK) {
            throw InvalidValue("records", std::string("cannot sign the ") + to_string(type) +
                                              " RRset: ldns cannot read it");
        }
        ldns_rr_list_push_rr(list.get(), rr);
    }
    RrListPtr sigs(ldns_sign_public(list.get(), ctx.ldns_keys));
    if (!sigs || ldns_rr_list_rr_count(sigs.get()) != ldns_key_list_key_count(ctx.ldns_keys)) {
        throw std::runtime_error(std::string("signing the ") + to_string(type) + " RRset failed");
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(sigs.get()); ++i) {
        out.push_back(detail::wire_rdata(ldns_rr_list_rr(sigs.get(), i)));
    }
    return out;
}

RrList old_rrset(std::string_view old_node, RRType type) {
    RrList out;
    if (old_node.empty()) {
        return out;
    }
    const NodeView view(old_node);
    RrsetView rrset;
    if (!view.find(type, rrset)) {
        return out;
    }
    std::size_t pos = 0;
    RrView rr{};
    while (rrset.next_rr(pos, rr)) {
        out.emplace_back(rr.ttl, std::string(rr.rdata));
    }
    return out;
}

// The old node's signatures over the same RRset, when every key has one with more than the
// refresh period left (so an unchanged RRset is not signed again at every rebuild).
std::optional<RrList> reusable(const detail::SignContext& ctx, const RrList& old_sigs,
                               const RrList& old_rrs, RRType type, RrList rrs) {
    RrList sorted_old = old_rrs;
    std::sort(sorted_old.begin(), sorted_old.end());
    std::sort(rrs.begin(), rrs.end());
    if (sorted_old != rrs) {
        return std::nullopt;
    }
    RrList out;
    for (const auto& key : ctx.keys) {
        if (!key.signs()) {
            continue;
        }
        bool found = false;
        for (const auto& sig : old_sigs) {
            const std::string_view r = sig.second;
            if (r.size() < 18 || sig_covered(r) != static_cast<std::uint16_t>(type) ||
                sig_tag(r) != key.tag || static_cast<std::uint8_t>(r[2]) != key.algorithm) {
                continue;
            }
            const auto left = static_cast<std::int64_t>(sig_expiration(r)) - ctx.now;
            if (left > static_cast<std::int64_t>(ctx.policy.refresh) &&
                static_cast<std::int64_t>(sig_inception(r)) <= ctx.now) {
                out.push_back(sig);
                found = true;
                break;
            }
        }
        if (!found) {
            return std::nullopt;
        }
    }
    return out;
}

// ---- NSEC3 ----

constexpr char base32hex_digits[] = "0123456789abcdefghijklmnopqrstuv";

std::string base32hex_decode(std::string_view label) {
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (const char ch : label) {
        const char* p = std::find(base32hex_digits, base32hex_digits + 32,
                                  static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
        buffer = (buffer << 5) | static_cast<unsigned>(p - base32hex_digits);
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xff));
        }
    }
    return out;
}

// RFC 4034 §4.1.2 type bit maps.
std::string type_bitmap(const std::set<std::uint16_t>& types) {
    std::string out;
    for (auto it = types.begin(); it != types.end();) {
        const unsigned window = *it >> 8;
        std::array<unsigned char, 32> bits{};
        std::size_t len = 0;
        for (; it != types.end() && (*it >> 8) == window; ++it) {
            const unsigned low = *it & 0xff;
            bits[low / 8] |= static_cast<unsigned char>(0x80 >> (low % 8));
            len = low / 8 + 1;
        }
        out.push_back(static_cast<char>(window));
        out.push_back(static_cast<char>(len));
        out.append(reinterpret_cast<const char*>(bits.data()), len);
    }
    return out;
}

// NSEC3 rdata with 0 extra iterations and no salt (RFC 9276 §3.1), flags 0 (no opt-out).
std::string nsec3_rdata(std::string_view next_hash, std::string_view bitmap) {
    std::string r;
    r.push_back(1); // SHA-1
    r.push_back(0); // flags
    store::put_u16(r, 0);
    r.push_back(0); // salt length
    r.push_back(static_cast<char>(next_hash.size()));
    r += next_hash;
    r += bitmap;
    return r;
}

constexpr std::string_view nsec3param_rdata{"\x01\x00\x00\x00\x00", 5};
constexpr std::size_t nsec3_fixed = 6; // alg, flags, iterations, salt length (0), hash length

std::string hash_label(std::string_view owner) {
    const Nsec3Params params{};
    char label[nsec3_label_len];
    if (!nsec3_label(name_to_wire(owner), params, label)) {
        throw InvalidValue("name", "cannot hash " + std::string(owner));
    }
    return std::string(label, nsec3_label_len);
}

class Chain {
public:
    Chain(store::WriteTxn& txn, const detail::SignContext& ctx)
        : txn_(txn)
        , ctx_(ctx) {
        prefix_ = ctx.zone_key;
        prefix_.push_back('\0');
        prefix_.push_back(chain_nsec3);
    }

    // The NSEC3 rdata at `label`, if any.
    std::optional<std::string> rdata_at(const std::string& label) const {
        const auto v = txn_.get(store::Table::DnsNodes, name_key(owner(label)));
        if (!v) {
            return std::nullopt;
        }
        RrsetView rrset;
        const NodeView view(*v);
        if (!view.find(RRType::NSEC3, rrset)) {
            return std::nullopt;
        }
        std::size_t pos = 0;
        RrView rr{};
        if (!rrset.next_rr(pos, rr)) {
            return std::nullopt;
        }
        return std::string(rr.rdata);
    }

    // Makes the NSEC3 of `label` carry `bitmap`, inserting it into the chain when new.
    void put(const std::string& label, const std::string& bitmap) {
        if (const auto old = rdata_at(label)) {
            if (old->size() < nsec3_fixed + 20) {
                return;
            }
            const std::string rdata =
                nsec3_rdata(std::string_view(*old).substr(nsec3_fixed, 20), bitmap);
            if (rdata != *old) {
                write(label, rdata);
            }
            return;
        }
        const auto succ = neighbour(label, true);
        const auto pred = neighbour(label, false);
        write(label, nsec3_rdata(base32hex_decode(succ ? *succ : label), bitmap));
        if (pred) {
            relink(*pred, label);
        }
    }

    // Takes `label` out of the chain.
    void remove(const std::string& label) {
        const auto old = rdata_at(label);
        if (!old) {
            return;
        }
        const auto pred = neighbour(label, false);
        const auto succ = neighbour(label, true);
        write(label, {});
        if (pred) {
            relink(*pred, succ ? *succ : *pred);
        }
    }

    bool has(const std::string& label) const { return rdata_at(label).has_value(); }

private:
    std::string owner(const std::string& label) const {
        return ctx_.zone.empty() ? label : label + "." + ctx_.zone;
    }

    // The next (or previous) label in hash order other than `label`, wrapping around.
    std::optional<std::string> neighbour(const std::string& label, bool next) const {
        store::Cursor c = txn_.cursor(store::Table::DnssecChain);
        // The index keeps the owner's first label as its key does: followed by '\0'.
        const std::string at = prefix_ + label + std::string(1, '\0');
        auto in = [&] {
            return c.key().starts_with(prefix_) && c.key() != at &&
                   c.key().size() == prefix_.size() + nsec3_label_len + 1;
        };
        auto label_of = [&] {
            return std::string(c.key().substr(prefix_.size(), nsec3_label_len));
        };
        if (next) {
            bool ok = c.seek(at);
            if (ok && c.key() == at) {
                ok = c.next();
            }
            if (ok && in()) {
                return label_of();
            }
            if (c.seek(prefix_) && in()) {
                return label_of();
            }
            if (c.valid() && c.key() == at && c.next() && in()) {
                return label_of();
            }
            return std::nullopt;
        }
        bool ok = c.seek(at) ? c.prev() : c.last();
        if (ok && in()) {
            return label_of();
        }
        // Wrap: the last entry of the zone's chain.
        const std::string end = prefix_ + "\x7f";
        ok = c.seek(end) ? c.prev() : c.last();
        if (ok && in()) {
            return label_of();
        }
        if (ok && c.key() == at && c.prev() && in()) {
            return label_of();
        }
        return std::nullopt;
    }

    // Points the NSEC3 at `label` to `next` (its bitmap kept).
    void relink(const std::string& label, const std::string& next) {
        const auto old = rdata_at(label);
        if (!old || old->size() < nsec3_fixed + 20) {
            return;
        }
        const std::string rdata =
            nsec3_rdata(base32hex_decode(next), std::string_view(*old).substr(nsec3_fixed + 20));
        if (rdata != *old) {
            write(label, rdata);
        }
    }

    void write(const std::string& label, const std::string& rdata) {
        const std::string name = owner(label);
        const std::string key = name_key(name);
        std::optional<std::string> old_node;
        if (const auto v = txn_.get(store::Table::DnsNodes, key)) {
            old_node = std::string(*v);
        }
        NodeBuilder node;
        if (!rdata.empty()) {
            node.add(RRType::NSEC3, ctx_.nsec3_ttl, rdata);
            const RrList rrs{{ctx_.nsec3_ttl, rdata}};
            for (const auto& sig : sign_rrset(ctx_, name_to_wire(name), RRType::NSEC3, rrs)) {
                node.add(RRType::RRSIG, ctx_.nsec3_ttl, sig);
            }
            node.set_flags(NodeNsec3Only | NodeSigned);
        }
        detail::store_node(txn_, name, key, old_node, node, ctx_.zone_key);
    }

    store::WriteTxn& txn_;
    const detail::SignContext& ctx_;
    std::string prefix_;
};

// True when a node lies below `key` (a descendant).
bool has_descendants(const store::WriteTxn& txn, std::string_view key) {
    store::Cursor c = txn.cursor(store::Table::DnsNodes);
    bool ok = c.seek(key);
    if (ok && c.key() == key) {
        ok = c.next();
    }
    return ok && c.key().size() > key.size() && c.key().starts_with(key);
}

std::set<std::uint16_t> node_types(std::string_view node) {
    std::set<std::uint16_t> types;
    const NodeView view(node);
    for (std::uint16_t i = 0; i < view.rrset_count(); ++i) {
        RrsetView rrset;
        if (view.at(i, rrset) && rrset.type() != RRType::NSEC3) {
            types.insert(static_cast<std::uint16_t>(rrset.type()));
        }
    }
    return types;
}

std::string ds_rdata(std::string_view zone, const detail::SignContext::Key& key) {
    // RFC 4509 §2.1: digest = SHA-256(owner name | DNSKEY RDATA).
    const std::string data = name_to_wire(zone) + key.dnskey;
    std::array<unsigned char, 32> digest{};
    unsigned len = 0;
    EVP_Digest(data.data(), data.size(), digest.data(), &len, EVP_sha256(), nullptr);
    std::string r;
    store::put_u16(r, key.tag);
    r.push_back(static_cast<char>(key.algorithm));
    r.push_back(2); // SHA-256
    r.append(reinterpret_cast<const char*>(digest.data()), len);
    return r;
}

// ---- NSEC (RFC 4034 §4) ----

// True when the node of `key` is in the zone's NSEC chain: an owner of authoritative data or a
// delegation point of this zone, neither occluded (below a cut or a DNAME) nor in a child zone
// we also serve.
bool in_nsec_chain(const store::WriteTxn& txn, std::string_view zone_key, std::string_view key,
                   std::string_view value) {
    if (!key.starts_with(zone_key)) {
        return false;
    }
    if (key.size() > zone_key.size() && (NodeView(value).flags() & NodeApex)) {
        return false;
    }
    for (std::size_t len = parent_key_len(key, key.size()); len > zone_key.size();
         len = parent_key_len(key, len)) {
        if (const auto v = txn.get(store::Table::DnsNodes, key.substr(0, len))) {
            if (NodeView(*v).flags() & (NodeDelegation | NodeDname | NodeApex)) {
                return false;
            }
        }
    }
    return true;
}

// The owner key after (or before) `key` in canonical order in the zone's NSEC chain, wrapping
// around to the apex (or the last name); `key` itself when it is alone.
std::string nsec_neighbour(const store::WriteTxn& txn, std::string_view zone_key,
                           std::string_view key, bool next) {
    store::Cursor c = txn.cursor(store::Table::DnsNodes);
    const std::string end = std::string(zone_key) + "\xff";
    bool ok =
        next ? (c.seek(key) && (c.key() != key || c.next())) : (c.seek(key) ? c.prev() : c.last());
    for (int wraps = 0; wraps < 2;) {
        if (!ok || !c.key().starts_with(zone_key)) {
            ++wraps;
            ok = next ? c.seek(zone_key) : (c.seek(end) ? c.prev() : c.last());
            continue;
        }
        if (c.key() == key) {
            return std::string(key);
        }
        if (in_nsec_chain(txn, zone_key, c.key(), c.value())) {
            return std::string(c.key());
        }
        ok = next ? c.next() : c.prev();
    }
    return std::string(key);
}

} // namespace

bool policy_covers(const SigningPolicy& policy, std::string_view zone) {
    return policy.all ||
           std::find(policy.zones.begin(), policy.zones.end(), zone) != policy.zones.end();
}

std::optional<SigningPolicy> signing_policy(const store::WriteTxn& txn) {
    return read_policy(txn);
}

std::optional<SigningPolicy> signing_policy(const store::ReadTxn& txn) {
    return read_policy(txn);
}

void configure_signing(store::WriteTxn& txn, const std::optional<SigningPolicy>& policy) {
    const auto old = read_policy(txn);
    // NSEC and NSEC3 swapped: every signed zone's chain is rebuilt the other way.
    const bool denial_changed = old && policy && old->nsec3 != policy->nsec3;
    if (policy) {
        txn.put(store::Table::Meta, policy_key, encode_policy(*policy));
    } else {
        txn.del(store::Table::Meta, policy_key);
    }
    std::vector<std::string> zones;
    {
        store::Cursor c = txn.cursor(store::Table::Zones);
        for (bool ok = c.first(); ok; ok = c.next()) {
            zones.emplace_back(c.key());
        }
    }
    for (const auto& zone : zones) {
        const auto row = store::get_zone(txn, zone);
        const bool want =
            policy && row && row->kind != store::ZoneKind::Catalog && policy_covers(*policy, zone);
        const bool have = txn.get(store::Table::Meta, signed_marker(zone)).has_value();
        if (want && have && denial_changed) {
            detail::rebuild_zone_owners(txn, zone);
            auto changed = store::get_zone(txn, zone);
            touch_zone(txn, *changed, static_cast<std::int64_t>(std::time(nullptr)));
        } else if (want != have) {
            rebuild_node(txn, zone); // the apex starts (or ends) signing: a full pass
            // A new serial, so secondaries take the signed (or unsigned) zone.
            auto changed = store::get_zone(txn, zone);
            touch_zone(txn, *changed, static_cast<std::int64_t>(std::time(nullptr)));
        }
    }
}

void resign_zone(store::WriteTxn& txn, std::string_view zone) {
    if (!txn.get(store::Table::Meta, signed_marker(zone))) {
        throw InvalidValue("zone", std::string(zone) +
                                       " is not signed: [dnssec] zones in the configuration "
                                       "does not name it");
    }
    detail::rebuild_zone_owners(txn, zone);
    auto row = store::get_zone(txn, zone);
    touch_zone(txn, *row, static_cast<std::int64_t>(std::time(nullptr)));
}

void start_rollover(store::WriteTxn& txn, std::string_view zone) {
    const auto policy = read_policy(txn);
    if (!policy || !txn.get(store::Table::Meta, signed_marker(zone))) {
        throw InvalidValue("zone", std::string(zone) + " is not signed: [dnssec] zones in the "
                                                       "configuration does not name it");
    }
    const auto keys = load_keys(txn, zone);
    if (keys.size() != 1) {
        throw InvalidValue("zone", "a rollover of " + std::string(zone) +
                                       " is under way; it ends by itself (dnssec keys shows "
                                       "its keys)");
    }
    KeyRow k = generate_key(txn, zone, policy->algorithm, csk_flags, clock_now(*policy));
    k.state = KeyState::Incoming;
    txn.put(store::Table::DnssecKeys, key_key(zone, k.id), encode_key(k));
    detail::rebuild_zone_owners(txn, zone); // every RRset signed by both keys
    auto row = store::get_zone(txn, zone);
    touch_zone(txn, *row, static_cast<std::int64_t>(std::time(nullptr)));
}

std::size_t rollover_step(store::WriteTxn& txn) {
    const auto policy = read_policy(txn);
    if (!policy) {
        return 0;
    }
    const std::int64_t now = clock_now(*policy);
    std::map<std::string, std::vector<KeyRow>> rolling; // zone → its keys
    {
        store::Cursor c = txn.cursor(store::Table::DnssecKeys);
        for (bool ok = c.first(); ok; ok = c.next()) {
            const std::string_view key = c.key();
            const auto nul = key.find('\0');
            if (nul == std::string_view::npos || key.size() != nul + 9) {
                continue;
            }
            KeyRow row = decode_key(store::get_u64(key, nul + 1), c.value());
            rolling[std::string(key.substr(0, nul))].push_back(std::move(row));
        }
    }
    std::size_t steps = 0;
    for (auto& [zone, keys] : rolling) {
        const auto row = store::get_zone(txn, zone);
        if (!row || keys.size() < 2 || !txn.get(store::Table::Meta, signed_marker(zone))) {
            continue;
        }
        // RFC 7583 §3.3.3: the new DNSKEY must be in every cache (its TTL plus the time to
        // reach the secondaries) before the DS changes; the old key may go once the old DS has
        // left every cache (the parent's DS TTL plus the propagation delay).
        const std::int64_t dnskey_wait = std::int64_t{row->ttl} + policy->propagation_delay;
        const std::int64_t ds_wait =
            std::int64_t{policy->parent_ds_ttl} + policy->propagation_delay;
        bool changed = false;
        const bool incoming_due = std::any_of(keys.begin(), keys.end(), [&](const KeyRow& k) {
            return k.state == KeyState::Incoming && now - k.since >= dnskey_wait;
        });
        for (auto& k : keys) {
            if (incoming_due && k.state == KeyState::Incoming) {
                k.state = KeyState::Active;
            } else if (incoming_due && k.state == KeyState::Active) {
                k.state = KeyState::Retiring;
            } else if (k.state == KeyState::Retiring && now - k.since >= ds_wait) {
                txn.del(store::Table::DnssecKeys, key_key(zone, k.id));
                changed = true;
                continue;
            } else {
                continue;
            }
            k.since = now;
            txn.put(store::Table::DnssecKeys, key_key(zone, k.id), encode_key(k));
            changed = true;
        }
        if (changed) {
            detail::rebuild_zone_owners(txn, zone);
            auto current = store::get_zone(txn, zone);
            touch_zone(txn, *current, static_cast<std::int64_t>(std::time(nullptr)));
            ++steps;
        }
    }
    return steps;
}

ResignSlice resign_slice(store::WriteTxn& txn, std::string_view from, std::size_t max_scan,
                         std::size_t max_resign) {
    ResignSlice out;
    const auto policy = read_policy(txn);
    if (!policy) {
        return out;
    }
    if (from.empty()) {
        out.rollover_steps = rollover_step(txn); // once a pass
    }
    const std::int64_t now = clock_now(*policy);
    std::vector<std::string> due; // keys
    {
        store::Cursor c = txn.cursor(store::Table::DnsNodes);
        bool ok = from.empty() ? c.first() : c.seek(from);
        for (; ok && out.scanned < max_scan && due.size() < max_resign; ok = c.next()) {
            ++out.scanned;
            const NodeView view(c.value());
            RrsetView sigs;
            if (!(view.flags() & NodeSigned) || !view.find(RRType::RRSIG, sigs)) {
                continue;
            }
            std::size_t pos = 0;
            RrView rr{};
            while (sigs.next_rr(pos, rr)) {
                if (rr.rdata.size() >= 18 &&
                    static_cast<std::int64_t>(sig_expiration(rr.rdata)) - now <=
                        static_cast<std::int64_t>(policy->refresh)) {
                    due.emplace_back(c.key());
                    break;
                }
            }
        }
        if (ok) {
            out.next = std::string(c.key());
        }
    }
    std::set<std::string> zones;
    for (const auto& key : due) {
        const std::string owner = key_to_name(key == root_stored_key ? "" : key);
        const auto zone = zone_of(txn, owner);
        if (!zone || !txn.get(store::Table::Meta, signed_marker(zone->name))) {
            continue; // a pre-signed zone: its signatures are its owner's business
        }
        rebuild_node(txn, owner);
        zones.insert(zone->name);
        ++out.resigned;
    }
    for (const auto& name : zones) {
        if (auto row = store::get_zone(txn, name)) {
            touch_zone(txn, *row, static_cast<std::int64_t>(std::time(nullptr)));
        }
    }
    return out;
}

std::vector<ZoneKeyInfo> zone_keys(const store::ReadTxn& txn, std::string_view zone) {
    std::vector<ZoneKeyInfo> out;
    for (const auto& row : load_keys(txn, zone)) {
        ZoneKeyInfo k;
        k.id = row.id;
        k.tag = row.tag;
        k.flags = row.flags;
        k.algorithm = row.algorithm;
        k.created = row.created;
        k.state = row.state;
        k.dnskey = (zone.empty() ? "." : std::string(zone) + ".") + " IN DNSKEY " +
                   rdata_to_text(RRType::DNSKEY, row.dnskey);
        out.push_back(std::move(k));
    }
    return out;
}

std::string ds_records(const store::ReadTxn& txn, std::string_view zone) {
    std::string out;
    for (const auto& row : load_keys(txn, zone)) {
        if ((row.flags & 1) == 0 || row.state == KeyState::Retiring) {
            continue; // during a rollover both the Active and the Incoming key's DS
        }
        const detail::SignContext::Key key{row.tag, row.flags, row.algorithm, row.dnskey,
                                           row.state};
        out += (zone.empty() ? "." : std::string(zone) + ".") + " IN DS " +
               rdata_to_text(RRType::DS, ds_rdata(zone, key)) + "\n";
    }
    return out;
}

namespace detail {

SignPlan plan_signing(store::WriteTxn& txn, std::string_view owner, std::string_view key, bool apex,
                      bool was_apex) {
    SignPlan plan;
    if (apex) {
        const auto policy = read_policy(txn);
        const auto row = store::get_zone(txn, owner);
        // A zone kept from a primary is served as the primary signed it (or did not): its
        // RRSIGs and NSEC3 come in the transfer, and our own keys would contradict its DS.
        const bool want = policy && row->kind != store::ZoneKind::Catalog &&
                          policy_covers(*policy, owner) && !secondary_primary(txn, owner);
        const std::string marker = signed_marker(owner);
        const bool have = txn.get(store::Table::Meta, marker).has_value();
        if (want != have) {
            if (want) {
                txn.put(store::Table::Meta, marker, "");
            } else {
                txn.del(store::Table::Meta, marker);
            }
            plan.full_pass = true;
            plan.pass_zone = std::string(owner);
        }
        if (want) {
            plan.sign = make_context(txn, *row, *policy);
        }
        return plan;
    }
    if (was_apex && txn.get(store::Table::Meta, signed_marker(owner))) {
        // The zone was deleted: its keys, its mark and its NSEC3 chain go with it.
        txn.del(store::Table::Meta, signed_marker(owner));
        delete_keys(txn, owner);
        std::vector<std::pair<std::string, std::string>> hashed; // key, node
        {
            store::Cursor c = txn.cursor(store::Table::DnsNodes);
            for (bool ok = c.seek(key); ok && c.key().starts_with(key); ok = c.next()) {
                if (c.key().size() > key.size() && (NodeView(c.value()).flags() & NodeNsec3Only)) {
                    hashed.emplace_back(c.key(), c.value());
                }
            }
        }
        for (const auto& [k, v] : hashed) {
            store_node(txn, key_to_name(k), k, v, NodeBuilder{}, std::nullopt);
        }
    }
    if (!txn.get(store::Table::Meta, policy_key)) {
        return plan; // nothing is signed: the common case, one read
    }
    const auto zone = zone_of(txn, owner);
    if (!zone || !txn.get(store::Table::Meta, signed_marker(zone->name))) {
        return plan;
    }
    const auto policy = read_policy(txn);
    plan.sign = make_context(txn, *zone, *policy);
    // Occluded: below a zone cut or a DNAME between the owner and its apex (RFC 4035 §2.2:
    // glue is not signed; RFC 5155 §7.1: no NSEC3 for it).
    const std::size_t zlen = plan.sign->zone_key.size();
    for (std::size_t len = parent_key_len(key, key.size()); len > zlen;
         len = parent_key_len(key, len)) {
        if (const auto v = txn.get(store::Table::DnsNodes, key.substr(0, len))) {
            if (NodeView(*v).flags() & (NodeDelegation | NodeDname)) {
                plan.occluded = true;
                break;
            }
        }
    }
    return plan;
}

void sign_node(const store::WriteTxn& txn, const SignContext& ctx, std::string_view owner,
               std::string_view key, NodeBuilder& node, std::string_view old_node, bool apex,
               bool delegation) {
    // A zone we sign carries our DNSSEC records only (docs/decisions.md).
    for (const RRType t : {RRType::RRSIG, RRType::NSEC, RRType::NSEC3, RRType::NSEC3PARAM}) {
        node.remove(t);
    }
    if (ctx.policy.nsec3) {
        for (const auto& [ttl, rdata] : old_rrset(old_node, RRType::NSEC3)) {
            node.add(RRType::NSEC3, ttl, rdata); // a hashed owner: chain_owner keeps it
        }
    }
    if (apex) {
        for (const RRType t : {RRType::DNSKEY, RRType::CDS, RRType::CDNSKEY}) {
            node.remove(t);
        }
        for (const auto& k : ctx.keys) {
            node.add(RRType::DNSKEY, ctx.zone_ttl, k.dnskey);
        }
        // RFC 7344 §4 / RFC 8078: CDS and CDNSKEY for the key-signing key, so a parent can
        // follow the DS automatically.
        for (const auto& k : ctx.keys) {
            if ((k.flags & 1) && k.state == KeyState::Active) {
                node.add(RRType::CDNSKEY, ctx.zone_ttl, k.dnskey);
                node.add(RRType::CDS, ctx.zone_ttl, ds_rdata(ctx.zone, k));
            }
        }
        if (ctx.policy.nsec3) {
            node.add(RRType::NSEC3PARAM, ctx.zone_ttl, nsec3param_rdata);
        }
    }
    if (!ctx.policy.nsec3 && !node.empty()) {
        // RFC 4034 §4.1: the next owner in canonical order, and the types here, NSEC and RRSIG
        // included (RFC 4035 §2.3: "NSEC RRs ... MUST have the same TTL value as the SOA
        // minimum TTL field" — RFC 9077 makes it min(SOA TTL, MINIMUM)).
        std::set<std::uint16_t> present = {static_cast<std::uint16_t>(RRType::NSEC),
                                           static_cast<std::uint16_t>(RRType::RRSIG)};
        for (const auto& rr : node.rrs()) {
            present.insert(static_cast<std::uint16_t>(rr.type));
        }
        const std::string next = nsec_neighbour(txn, ctx.zone_key, key, true);
        node.add(RRType::NSEC, ctx.nsec3_ttl,
                 name_to_wire(key_to_name(next)) + type_bitmap(present));
    }
    std::vector<RRType> types;
    for (const auto& rr : node.rrs()) {
        if (std::find(types.begin(), types.end(), rr.type) == types.end()) {
            types.push_back(rr.type);
        }
    }
    const RrList old_sigs = old_rrset(old_node, RRType::RRSIG);
    const std::string owner_wire = name_to_wire(owner);
    std::vector<std::pair<std::uint32_t, std::string>> sigs;
    for (const RRType type : types) {
        // RFC 4035 §2.2: "The NS RRset that appears at the zone apex name MUST be signed, but the
        // NS RRset that appears at a delegation point ... MUST NOT be signed."
        if (delegation && type != RRType::DS && type != RRType::NSEC3 && type != RRType::NSEC) {
            continue;
        }
        RrList rrs;
        for (const auto& rr : node.rrs()) {
            if (rr.type == type) {
                rrs.emplace_back(rr.ttl, rr.rdata);
            }
        }
        const std::uint32_t ttl = rrs.front().first;
        if (auto kept = reusable(ctx, old_sigs, old_rrset(old_node, type), type, rrs)) {
            for (auto& s : *kept) {
                sigs.emplace_back(ttl, std::move(s.second));
            }
            continue;
        }
        for (auto& s : sign_rrset(ctx, owner_wire, type, rrs)) {
            sigs.emplace_back(ttl, std::move(s));
        }
    }
    for (const auto& [ttl, rdata] : sigs) {
        node.add(RRType::RRSIG, ttl, rdata);
    }
}

void chain_owner(store::WriteTxn& txn, const SignContext& ctx, std::string_view owner,
                 std::string_view key, bool occluded, bool existed) {
    std::optional<std::string> node;
    if (const auto v = txn.get(store::Table::DnsNodes, key)) {
        node = std::string(*v);
    }
    if (!ctx.policy.nsec3) {
        // An owner that came or went changes its predecessor's next owner name: rebuilt (and
        // its NSEC signed anew); its own existence does not change, so this stops there.
        if (!occluded && existed != node.has_value() && key != ctx.zone_key) {
            const std::string pred = nsec_neighbour(txn, ctx.zone_key, key, false);
            if (pred != key) {
                rebuild_node(txn, key_to_name(pred));
            }
        }
        return;
    }
    if (node && (NodeView(*node).flags() & NodeNsec3Only)) {
        return; // a hashed owner itself
    }
    Chain chain(txn, ctx);
    const std::string label = hash_label(owner);
    // RFC 5155 §7.1: "each owner name within the zone that owns authoritative RRsets, delegation
    // point NS RRsets, or is an empty non-terminal" has an NSEC3 RR; occluded names do not.
    if (!occluded && node) {
        auto types = node_types(*node);
        chain.put(label, type_bitmap(types));
    } else if (!occluded && key != ctx.zone_key && has_descendants(txn, key)) {
        chain.put(label, {}); // now an empty non-terminal
    } else {
        chain.remove(label);
    }
    if (occluded) {
        return;
    }
    // The empty non-terminals between the owner and its apex: created when a name appears below
    // them, removed when the last one goes.
    const std::size_t zlen = ctx.zone_key.size();
    for (std::size_t len = parent_key_len(key, key.size()); len > zlen;
         len = parent_key_len(key, len)) {
        const std::string_view akey = key.substr(0, len);
        if (txn.get(store::Table::DnsNodes, akey)) {
            break; // an owner with RRsets: its own rebuild keeps its NSEC3
        }
        const std::string alabel = hash_label(key_to_name(akey));
        const bool want = has_descendants(txn, akey);
        const bool have = chain.has(alabel);
        if (want && !have) {
            chain.put(alabel, {});
        } else if (!want && have) {
            chain.remove(alabel);
        } else {
            break;
        }
    }
}

void rebuild_zone_owners(store::WriteTxn& txn, std::string_view zone) {
    const std::string zkey = name_key(zone);
    std::vector<std::string> owners;
    {
        store::Cursor c = txn.cursor(store::Table::DnsNodes);
        for (bool ok = c.seek(zkey); ok && c.key().starts_with(zkey); ok = c.next()) {
            if (c.key().size() > zkey.size()) {
                owners.push_back(key_to_name(c.key()));
            }
        }
    }
    for (const auto& owner : owners) {
        rebuild_node(txn, owner);
    }
    rebuild_node(txn, zone);
}

} // namespace detail

} // namespace sb::zones
