// DNSSEC signing at write time (signer.hpp), the denial chain and the re-signer: NSEC3
// hashing and chain upkeep (RFC 5155 §7.1), NSEC neighbours (RFC 4034 §4), type bitmaps,
// and the slices and whole-zone passes that sign again what is due.
#include "parent_side.hpp"
#include "proofs.hpp"
#include "signer_internal.hpp"
#include "zones/compile.hpp"
#include "zones/dnssec.hpp"
#include "zones/signer.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <set>

namespace sb::zones {

namespace {

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
            const detail::RrList rrs{{ctx_.nsec3_ttl, rdata}};
            for (const auto& sig :
                 detail::sign_rrset(ctx_, name_to_wire(name), RRType::NSEC3, rrs)) {
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

// ---- NSEC (RFC 4034 §4) ----

// True when the node of `key` is in the zone's NSEC chain: an owner of authoritative data or a
// delegation point of this zone, neither occluded (below a cut or a DNAME) nor in a child zone
// we also serve.
bool in_nsec_chain(const store::WriteTxn& txn, std::string_view zone_key, std::string_view key,
                   std::string_view value) {
    if (!key.starts_with(zone_key)) {
        return false;
    }
    if (key.size() > zone_key.size()) {
        const NodeView node(value);
        if (node.flags() & NodeNsec3Only) {
            // A hashed owner: NSEC3 names are not names of the zone, and both chains exist
            // while the zone switches from one to the other.
            return false;
        }
        if (node.flags() & NodeApex) {
            // A child zone's apex: in this zone's chain as its delegation point, by its
            // parent side (parent_side.hpp), which holds this zone's NSEC there.
            return !node.parent_side().empty();
        }
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

} // namespace

namespace detail {

namespace {

// The empty non-terminals between `key` and the apex of `ctx`'s zone made to match.
void chain_ancestors(store::WriteTxn& txn, const SignContext& ctx, Chain& chain,
                     std::string_view key);

} // namespace

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

void chain_owner(store::WriteTxn& txn, const SignContext& ctx, std::string_view owner,
                 std::string_view key, bool occluded, bool existed) {
    std::optional<std::string> node;
    if (const auto v = txn.get(store::Table::DnsNodes, key)) {
        node = std::string(*v);
    }
    if (ctx.keeps_nsec()) {
        // An owner that came or went changes its predecessor's next owner name: rebuilt (and
        // its NSEC signed anew); its own existence does not change, so this stops there.
        if (!occluded && existed != node.has_value() && key != ctx.zone_key) {
            const std::string pred = nsec_neighbour(txn, ctx.zone_key, key, false);
            if (pred != key) {
                rebuild_node(txn, key_to_name(pred));
            }
        }
    }
    if (!ctx.keeps_nsec3()) {
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
    if (!occluded) {
        chain_ancestors(txn, ctx, chain, key);
    }
}

void chain_parent_nsec(store::WriteTxn& txn, std::string_view zone_key, std::string_view key,
                       std::string_view side) {
    char buf[max_chain_key];
    const std::size_t n = chain_key(zone_key, chain_nsec, key.substr(zone_key.size()), buf);
    RrsetView nsec;
    if (n != 0 && !side.empty() && NodeView(side).find(RRType::NSEC, nsec)) {
        txn.put(store::Table::DnssecChain, std::string_view(buf, n), "");
    } else if (n != 0) {
        txn.del(store::Table::DnssecChain, std::string_view(buf, n));
    }
}

void chain_parent_side(store::WriteTxn& txn, const SignContext& ctx, std::string_view owner,
                       std::string_view key, std::string_view side, bool existed) {
    if (!ctx.policy.nsec3) {
        // The parent's NSEC at the cut is in the side (its chain index entry is
        // chain_parent_nsec's): the predecessor's next owner changes when the cut comes or goes.
        if (existed != !side.empty()) {
            const std::string pred = nsec_neighbour(txn, ctx.zone_key, key, false);
            if (pred != key) {
                rebuild_node(txn, key_to_name(pred));
            }
        }
        return;
    }
    // RFC 5155 §7.1: the delegation point has an NSEC3 in the parent, its bitmap the parent's
    // types there (NS; DS and RRSIG when signed: "NS set, DS clear" proves an insecure child).
    Chain chain(txn, ctx);
    const std::string label = hash_label(owner);
    if (side.empty()) {
        chain.remove(label);
    } else {
        chain.put(label, type_bitmap(node_types(side)));
    }
    chain_ancestors(txn, ctx, chain, key);
}

namespace {

void chain_ancestors(store::WriteTxn& txn, const SignContext& ctx, Chain& chain,
                     std::string_view key) {
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

} // namespace

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
    rebuild_bare_owners(txn, zkey);
    rebuild_node(txn, zone);
}

void rebuild_bare_owners(store::WriteTxn& txn, std::string_view zkey) {
    std::vector<std::string> bare;
    {
        store::Cursor c = txn.cursor(store::Table::RecordsByOwner);
        for (bool ok = c.seek(zkey); ok && c.key().starts_with(zkey); ok = c.next()) {
            bare.push_back(key_to_name(c.key()));
        }
    }
    for (const auto& owner : bare) {
        rebuild_node(txn, owner);
    }
}

} // namespace detail

ResignSlice resign_slice(store::WriteTxn& txn, std::string_view from, std::size_t max_scan,
                         std::size_t max_resign, const ZoneSet& skip) {
    ResignSlice out;
    const auto policy = signing_policy(txn);
    if (!policy) {
        return out;
    }
    if (from.empty()) {
        out.rollover_steps = rollover_step(txn, skip); // once a pass
    }
    const std::int64_t now = detail::clock_now(*policy);
    std::vector<std::string> due; // keys
    {
        store::Cursor c = txn.cursor(store::Table::DnsNodes);
        bool ok = from.empty() ? c.first() : c.seek(from);
        for (; ok && out.scanned < max_scan && due.size() < max_resign; ok = c.next()) {
            ++out.scanned;
            // The node's own signatures and those of its parent side (a child zone's apex:
            // the parent's RRSIG(DS) and NSEC there, re-signed by the rebuild of the apex).
            const NodeView own(c.value());
            const NodeView parent(own.parent_side());
            for (const NodeView* view : {&own, &parent}) {
                RrsetView sigs;
                if (!view->valid() || !(view->flags() & NodeSigned) ||
                    !view->find(RRType::RRSIG, sigs)) {
                    continue;
                }
                std::size_t pos = 0;
                RrView rr{};
                bool expiring = false;
                while (!expiring && sigs.next_rr(pos, rr)) {
                    expiring = rr.rdata.size() >= 18 &&
                               static_cast<std::int64_t>(detail::sig_expiration(rr.rdata)) - now <=
                                   static_cast<std::int64_t>(policy->refresh);
                }
                if (expiring) {
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
        const auto zone = detail::zone_of(txn, owner);
        const auto node = txn.get(store::Table::DnsNodes, key);
        const bool parent_side = node && !NodeView(*node).parent_side().empty();
        if (!zone ||
            (!txn.get(store::Table::Meta, detail::signed_marker(zone->name)) && !parent_side)) {
            continue; // a pre-signed zone: its signatures are its owner's business
        }
        if (skip.contains(zone->name)) {
            continue; // backing off (ResignerWork)
        }
        // A parent side changed touches its zone itself.
        detail::for_zone(zone->name, [&] { rebuild_node(txn, owner); });
        zones.insert(zone->name);
        ++out.resigned;
    }
    for (const auto& name : zones) {
        if (auto row = store::get_zone(txn, name)) {
            detail::for_zone(name, [&] {
                touch_zone(txn, *row, static_cast<std::int64_t>(std::time(nullptr)));
            });
        }
    }
    return out;
}

} // namespace sb::zones
