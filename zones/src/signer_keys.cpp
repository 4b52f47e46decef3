// DNSSEC signing at write time (signer.hpp), its keys and policy: the key rows
// (Table::DnssecKeys), the signing policy, the signer's clock, the signing context of a zone,
// the DS and DNSKEY listings and the rollover steps (CSK double signature, ZSK
// pre-publication, KSK double-DS).
#include "signer_internal.hpp"
#include "zones/compile.hpp"
#include "zones/node.hpp"
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

constexpr std::uint8_t policy_format = 3;      // 2: before `keys`
constexpr std::uint8_t key_format = 2;         // 1: before `data_ttl`
constexpr std::uint16_t sep_flags = 257;       // ZONE and SEP (RFC 4034 §2.1.1): a CSK or a KSK
constexpr std::uint16_t zsk_flags = 256;       // ZONE only: a ZSK
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
    // A Retiring ZSK: the largest TTL of the zone's signed data when it stopped signing (its
    // signatures may stay in caches that long).
    std::uint32_t data_ttl = 0;
};

bool is_zsk(const KeyRow& k) {
    return k.flags == zsk_flags;
}

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
    w.u32(k.data_ttl);
    return std::move(w.bytes());
}

KeyRow decode_key(std::uint64_t id, std::string_view v) {
    store::Reader r(v);
    const std::uint8_t format = r.u8();
    if (format != key_format && format != 1) {
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
    if (state > static_cast<std::uint8_t>(KeyState::Removed)) {
        throw store::Error::corrupted("DNSSEC key row with an unknown state");
    }
    k.state = static_cast<KeyState>(state);
    k.since = r.i64();
    if (format == key_format) {
        k.data_ttl = r.u32();
    }
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
    w.u8(static_cast<std::uint8_t>(p.keys));
    return std::move(w.bytes());
}

SigningPolicy decode_policy(std::string_view v) {
    store::Reader r(v);
    const std::uint8_t format = r.u8();
    if (format != policy_format && format != 2) {
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
    if (format == policy_format) {
        const std::uint8_t keys = r.u8();
        if (keys > static_cast<std::uint8_t>(KeyScheme::KskZsk)) {
            throw store::Error::corrupted("DNSSEC policy with an unknown key scheme");
        }
        p.keys = static_cast<KeyScheme>(keys);
    }
    return p;
}

template <class Txn>
std::optional<SigningPolicy> read_policy(const Txn& txn) {
    const auto v = txn.get(store::Table::Meta, detail::policy_key);
    return v ? std::optional<SigningPolicy>(decode_policy(*v)) : std::nullopt;
}

struct ParsedKeys {
    std::string fingerprint;                                  // the key rows they were parsed from
    std::unique_ptr<ldns_key_list, detail::KeyListFree> data; // sign the zone's data
    std::unique_ptr<ldns_key_list, detail::KeyListFree> dnskey; // sign DNSKEY, CDS, CDNSKEY
};

// Which RRsets each key signs (docs/decisions.md "Key rollovers"): a zone with an Active ZSK
// has its data signed by it and its DNSKEY RRset by the SEP keys; a zone without one (a CSK
// zone, or one whose first ZSK is still being pre-published) by its SEP keys alone.
detail::SignContext::Key context_key(const KeyRow& row, bool active_zsk) {
    detail::SignContext::Key k;
    k.tag = row.tag;
    k.flags = row.flags;
    k.algorithm = row.algorithm;
    k.dnskey = row.dnskey;
    k.state = row.state;
    const bool signing = detail::key_signing(row.state);
    k.signs_data = signing && (is_zsk(row) || !active_zsk);
    k.signs_dnskey = signing && !is_zsk(row);
    return k;
}

void push_ldns_key(ldns_key_list* list, const KeyRow& row, const std::string& zone) {
    ldns_key* k = ldns_key_new();
    ldns_key_set_algorithm(k, static_cast<ldns_signing_algorithm>(row.algorithm));
    ldns_key_set_evp_key(k, pkey_of(row.private_der).release());
    ldns_key_set_flags(k, row.flags);
    ldns_key_set_pubkey_owner(k, ldns_dname_new_frm_str((zone + ".").c_str()));
    ldns_key_set_keytag(k, row.tag);
    ldns_key_list_push_key(list, k);
}

void set_validity(ldns_key_list* list, std::int64_t now, std::uint32_t lifetime) {
    for (std::size_t i = 0; i < ldns_key_list_key_count(list); ++i) {
        ldns_key* k = ldns_key_list_key(list, i);
        ldns_key_set_inception(k, static_cast<std::uint32_t>(now - inception_skew));
        ldns_key_set_expiration(k, static_cast<std::uint32_t>(now + lifetime));
    }
}

bool has_active_zsk(const std::vector<KeyRow>& rows) {
    return std::any_of(rows.begin(), rows.end(),
                       [](const KeyRow& k) { return is_zsk(k) && k.state == KeyState::Active; });
}

KeyRole role_of(const KeyRow& k, bool zone_has_zsk) {
    return is_zsk(k) ? KeyRole::Zsk : zone_has_zsk ? KeyRole::Ksk : KeyRole::Csk;
}

// The largest TTL of any RR of the zone's nodes (child zones we also serve included: an upper
// bound), read once when a ZSK stops signing.
std::uint32_t max_data_ttl(const store::WriteTxn& txn, std::string_view zone) {
    const std::string zkey = name_key(zone);
    std::uint32_t out = 0;
    store::Cursor c = txn.cursor(store::Table::DnsNodes);
    for (bool ok = c.seek(zkey); ok && c.key().starts_with(zkey); ok = c.next()) {
        const NodeView view(c.value());
        RrsetView rrset;
        for (std::uint16_t i = 0; i < view.rrset_count() && view.at(i, rrset); ++i) {
            std::size_t pos = 0;
            RrView rr{};
            while (rrset.next_rr(pos, rr)) {
                out = std::max(out, rr.ttl);
            }
        }
    }
    return out;
}

void put_key(store::WriteTxn& txn, std::string_view zone, const KeyRow& k) {
    txn.put(store::Table::DnssecKeys, key_key(zone, k.id), encode_key(k));
}

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
        // docs/decisions.md: one combined signing key (CSK) per zone, or a KSK and a ZSK.
        rows.push_back(generate_key(txn, zone.name, policy.algorithm, sep_flags, ctx.now));
        if (policy.keys == KeyScheme::KskZsk) {
            rows.push_back(generate_key(txn, zone.name, policy.algorithm, zsk_flags, ctx.now));
        }
    }
    std::string fingerprint;
    for (const auto& row : rows) {
        fingerprint += encode_key(row);
    }
    const bool active_zsk = has_active_zsk(rows);
    for (const auto& row : rows) {
        ctx.keys.push_back(context_key(row, active_zsk));
    }
    // Per thread (the writer), per zone: the parsed keys while the rows stay the same.
    thread_local std::map<std::string, ParsedKeys, std::less<>> cache;
    ParsedKeys& parsed = cache[zone.name];
    if (parsed.fingerprint != fingerprint || !parsed.data || !parsed.dnskey) {
        parsed.data.reset(ldns_key_list_new());
        parsed.dnskey.reset(ldns_key_list_new());
        parsed.fingerprint = fingerprint;
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (ctx.keys[i].signs_data) {
                push_ldns_key(parsed.data.get(), rows[i], zone.name);
            }
            if (ctx.keys[i].signs_dnskey) {
                push_ldns_key(parsed.dnskey.get(), rows[i], zone.name);
            }
        }
    }
    set_validity(parsed.data.get(), ctx.now, policy.lifetime);
    set_validity(parsed.dnskey.get(), ctx.now, policy.lifetime);
    ctx.ldns_keys = parsed.data.get();
    ctx.ldns_dnskey_keys = parsed.dnskey.get();
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
            // The new chain built beside the old one before the apex switches (a Rechain job).
            detail::chain_switch(txn, zone, old->nsec3, policy->nsec3);
        } else if (want != have) {
            rebuild_node(txn, zone); // the apex starts (or ends) signing: a full pass
            // A new serial, so secondaries take the signed (or unsigned) zone.
            auto changed = store::get_zone(txn, zone);
            touch_zone(txn, *changed, static_cast<std::int64_t>(std::time(nullptr)));
        }
    }
}

void start_rollover(store::WriteTxn& txn, std::string_view zone, KeyRole role) {
    const auto policy = read_policy(txn);
    if (!policy || !txn.get(store::Table::Meta, detail::signed_marker(zone))) {
        throw InvalidValue("zone", std::string(zone) + " is not signed: [dnssec] zones in the "
                                                       "configuration does not name it");
    }
    if (detail::job_pending(txn, zone)) {
        // A new signing key must find the zone's signatures settled (a job's later slices
        // would not be re-signed by a key that came after they were queued).
        throw InvalidValue("zone", std::string(zone) +
                                       " is being signed in slices; start the rollover once "
                                       "that ends (switchboard dnssec sign " +
                                       std::string(zone) + " finishes it now)");
    }
    const auto keys = load_keys(txn, zone);
    if (std::any_of(keys.begin(), keys.end(),
                    [](const KeyRow& k) { return k.state != KeyState::Active; })) {
        throw InvalidValue("zone", "a rollover of " + std::string(zone) +
                                       " is under way; it ends by itself (dnssec keys shows "
                                       "its keys)");
    }
    const bool zsk_zone = std::any_of(keys.begin(), keys.end(), is_zsk);
    const std::int64_t now = detail::clock_now(*policy);
    const bool zsk = role == KeyRole::Zsk && (zsk_zone || policy->keys == KeyScheme::KskZsk);
    KeyRow k = generate_key(txn, zone, policy->algorithm, zsk ? zsk_flags : sep_flags, now);
    if (zsk) {
        k.state = KeyState::Published; // RFC 7583 §3.2.1: in the DNSKEY RRset, not signing
    } else if (zsk_zone) {
        k.state = KeyState::Submitted; // RFC 7583 §3.3.2: its DS to the parent first
    } else {
        k.state = KeyState::Incoming; // RFC 7583 §3.3.3: a CSK, published and signing
    }
    put_key(txn, zone, k);
    if (k.state == KeyState::Incoming) {
        // Every RRset signed by both keys: here for a small zone, else by a Resign job whose
        // slices add the new key's signatures (the old key's stay valid meanwhile).
        detail::zone_pass(txn, zone, BulkTarget::Resign);
    }
    // The apex (its DNSKEY, CDS, CDNSKEY RRsets) rebuilt by touch_zone.
    auto row = store::get_zone(txn, zone);
    touch_zone(txn, *row, static_cast<std::int64_t>(std::time(nullptr)));
}

namespace {

// How one zone's keys move on at `now` (docs/decisions.md "Key rollovers"; RFC 7583 §3.2.1,
// §3.3.2, §3.3.3 with Dsgn = 0, since a new signing key re-signs the whole zone in the step's
// transaction, and Dreg folded into parent_ds_ttl). Returns what to rebuild: nothing, the apex,
// or every owner.
enum class StepRebuild : std::uint8_t { None, Apex, Zone };

StepRebuild step_zone(store::WriteTxn& txn, const store::ZoneRow& zone, std::vector<KeyRow>& keys,
                      const SigningPolicy& policy, std::int64_t now) {
    // Ipub (§3.2.1, §3.3.3): the new DNSKEY RRset in every cache. §3.3.2 (double-DS): the new
    // DS RRset at the parent in every cache.
    const std::int64_t dnskey_wait = std::int64_t{zone.ttl} + policy.propagation_delay;
    const std::int64_t ds_wait = std::int64_t{policy.parent_ds_ttl} + policy.propagation_delay;
    const auto elapsed = [&](const KeyRow& k, std::int64_t wait) { return now - k.since >= wait; };
    StepRebuild rebuild = StepRebuild::None;
    const auto need = [&](StepRebuild r) { rebuild = std::max(rebuild, r); };
    // The new key of a role takes over; the old one(s) of that role move out.
    const auto take_over = [&](KeyRow& incoming, bool zsk, KeyState old_state) {
        incoming.state = KeyState::Active;
        incoming.since = now;
        for (auto& k : keys) {
            if (&k != &incoming && is_zsk(k) == zsk && k.state == KeyState::Active) {
                k.state = old_state;
                k.since = now;
            }
        }
    };
    std::vector<KeyState> before;
    for (const auto& k : keys) {
        before.push_back(k.state);
    }
    std::vector<std::uint64_t> removed;
    for (std::size_t i = 0; i < keys.size(); ++i) {
        KeyRow& k = keys[i];
        if (k.state != before[i]) {
            continue; // moved by this step already
        }
        switch (k.state) {
        case KeyState::Active:
            break;
        case KeyState::Incoming: // a CSK: it signs already; the parent swaps the DS now
            if (elapsed(k, dnskey_wait)) {
                take_over(k, false, KeyState::Retiring);
                need(StepRebuild::Zone);
            }
            break;
        case KeyState::Published: // a ZSK: it signs the zone from now on
            if (elapsed(k, dnskey_wait)) {
                take_over(k, true, KeyState::Retiring);
                const std::uint32_t data_ttl = max_data_ttl(txn, zone.name);
                for (auto& old : keys) {
                    if (is_zsk(old) && old.state == KeyState::Retiring && old.since == now) {
                        old.data_ttl = data_ttl;
                    }
                }
                need(StepRebuild::Zone);
            }
            break;
        case KeyState::Submitted: // a KSK: published and signing DNSKEY, the old one out
            if (elapsed(k, ds_wait)) {
                take_over(k, false, KeyState::Removed);
                need(StepRebuild::Apex);
            }
            break;
        case KeyState::Retiring:
            // §3.2.1 Iret = Dprp + TTLsig for a ZSK; a CSK waits for its DS to leave caches.
            if (elapsed(k, is_zsk(k) ? std::int64_t{k.data_ttl} + policy.propagation_delay
                                     : ds_wait)) {
                removed.push_back(k.id);
                need(StepRebuild::Apex);
            }
            break;
        case KeyState::Removed: // §3.3.2: the old DNSKEY RRset gone from caches; its DS may go
            if (elapsed(k, dnskey_wait)) {
                removed.push_back(k.id);
                need(StepRebuild::Apex);
            }
            break;
        }
    }
    if (rebuild == StepRebuild::None) {
        return rebuild;
    }
    for (const auto& k : keys) {
        if (std::find(removed.begin(), removed.end(), k.id) != removed.end()) {
            txn.del(store::Table::DnssecKeys, key_key(zone.name, k.id));
        } else {
            put_key(txn, zone.name, k);
        }
    }
    return rebuild;
}

} // namespace

std::size_t rollover_step(store::WriteTxn& txn, const ZoneSet& skip) {
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
            const std::string zone(key.substr(0, nul));
            if (skip.contains(zone)) {
                continue;
            }
            KeyRow row = detail::for_zone(
                zone, [&] { return decode_key(store::get_u64(key, nul + 1), c.value()); });
            rolling[zone].push_back(std::move(row));
        }
    }
    std::size_t steps = 0;
    for (auto& entry : rolling) {
        // Named, not structured bindings: lambdas below capture them (clang 14, the fuzzers'
        // compiler, does not capture structured bindings).
        const std::string& zone = entry.first;
        std::vector<KeyRow>& keys = entry.second;
        const auto row = store::get_zone(txn, zone);
        const bool rolling_now = std::any_of(
            keys.begin(), keys.end(), [](const KeyRow& k) { return k.state != KeyState::Active; });
        // A zone with a bulk job under way waits: a step must not change its keys before every
        // RRset carries the signatures of the last step (RFC 7583 Dsgn).
        if (!row || !rolling_now || !txn.get(store::Table::Meta, detail::signed_marker(zone)) ||
            detail::job_pending(txn, zone)) {
            continue;
        }
        const bool stepped = detail::for_zone(zone, [&] {
            const StepRebuild rebuild = step_zone(txn, *row, keys, *policy, now);
            if (rebuild == StepRebuild::None) {
                return false;
            }
            if (rebuild == StepRebuild::Zone) {
                // The new signing key signs every RRset: here for a small zone, else slice by
                // slice (a Resign job); the old key stays published, so RRsets not yet re-signed
                // stay valid under its signatures.
                detail::zone_pass(txn, zone, BulkTarget::Resign);
            }
            auto current = store::get_zone(txn, zone); // touch_zone rebuilds the apex
            touch_zone(txn, *current, static_cast<std::int64_t>(std::time(nullptr)));
            return true;
        });
        steps += stepped ? 1 : 0;
    }
    return steps;
}

namespace detail {

void pass_finished(store::WriteTxn& txn, std::string_view zone) {
    const auto policy = read_policy(txn);
    if (!policy) {
        return;
    }
    const std::int64_t now = clock_now(*policy);
    for (auto& k : load_keys(txn, zone)) {
        if (k.state == KeyState::Incoming || k.state == KeyState::Retiring) {
            k.since = std::max(k.since, now);
            put_key(txn, zone, k);
        }
    }
}

} // namespace detail

std::vector<ZoneKeyInfo> zone_keys(const store::ReadTxn& txn, std::string_view zone) {
    std::vector<ZoneKeyInfo> out;
    const auto rows = load_keys(txn, zone);
    const bool zsk_zone = std::any_of(rows.begin(), rows.end(), is_zsk);
    for (const auto& row : rows) {
        ZoneKeyInfo k;
        k.id = row.id;
        k.tag = row.tag;
        k.flags = row.flags;
        k.algorithm = row.algorithm;
        k.created = row.created;
        k.role = role_of(row, zsk_zone);
        k.state = row.state;
        k.since = row.since;
        k.dnskey = (zone.empty() ? "." : std::string(zone) + ".") + " IN DNSKEY " +
                   rdata_to_text(RRType::DNSKEY, row.dnskey);
        out.push_back(std::move(k));
    }
    return out;
}

std::string ds_records(const store::ReadTxn& txn, std::string_view zone) {
    std::string out;
    for (const auto& row : load_keys(txn, zone)) {
        if ((row.flags & 1) == 0 || !detail::key_in_ds(row.state)) {
            continue; // during a rollover the old and the new key's DS
        }
        const detail::SignContext::Key key = context_key(row, false);
        out += (zone.empty() ? "." : std::string(zone) + ".") + " IN DS " +
               rdata_to_text(RRType::DS, detail::ds_rdata(zone, key)) + "\n";
    }
    return out;
}

} // namespace sb::zones
