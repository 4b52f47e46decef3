// DNSSEC signing at write time (signer.hpp), its keys and policy: the key rows
// (Table::DnssecKeys), the signing policy, the signer's clock, the signing context of a zone,
// the DS and DNSKEY listings and the CSK rollover steps.
#include "signer_internal.hpp"
#include "zones/compile.hpp"
#include "zones/signer.hpp"
#include "zones/zones.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <map>

namespace sb::zones {

namespace {

constexpr std::uint8_t policy_format = 2;
constexpr std::uint8_t key_format = 1;
constexpr std::uint16_t csk_flags = 257;       // ZONE and SEP (RFC 4034 §2.1.1): a CSK
constexpr std::uint32_t inception_skew = 3600; // signatures valid from an hour ago (clock skew)

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
    const auto v = txn.get(store::Table::Meta, detail::policy_key);
    return v ? std::optional<SigningPolicy>(decode_policy(*v)) : std::nullopt;
}

struct ParsedKeys {
    std::string fingerprint; // the key rows they were parsed from
    std::unique_ptr<ldns_key_list, detail::KeyListFree> list;
};

} // namespace

namespace detail {

void delete_keys(store::WriteTxn& txn, std::string_view zone) {
    for (const auto& k : load_keys(txn, zone)) {
        txn.del(store::Table::DnssecKeys, key_key(zone, k.id));
    }
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

} // namespace detail

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
        txn.put(store::Table::Meta, detail::policy_key, encode_policy(*policy));
    } else {
        txn.del(store::Table::Meta, detail::policy_key);
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
        const bool have = txn.get(store::Table::Meta, detail::signed_marker(zone)).has_value();
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

void start_rollover(store::WriteTxn& txn, std::string_view zone) {
    const auto policy = read_policy(txn);
    if (!policy || !txn.get(store::Table::Meta, detail::signed_marker(zone))) {
        throw InvalidValue("zone", std::string(zone) + " is not signed: [dnssec] zones in the "
                                                       "configuration does not name it");
    }
    const auto keys = load_keys(txn, zone);
    if (keys.size() != 1) {
        throw InvalidValue("zone", "a rollover of " + std::string(zone) +
                                       " is under way; it ends by itself (dnssec keys shows "
                                       "its keys)");
    }
    KeyRow k = generate_key(txn, zone, policy->algorithm, csk_flags, detail::clock_now(*policy));
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
    const std::int64_t now = detail::clock_now(*policy);
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
        if (!row || keys.size() < 2 || !txn.get(store::Table::Meta, detail::signed_marker(zone))) {
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
               rdata_to_text(RRType::DS, detail::ds_rdata(zone, key)) + "\n";
    }
    return out;
}

} // namespace sb::zones
