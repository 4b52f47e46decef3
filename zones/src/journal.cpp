#include "zones/journal.hpp"

#include "zones/node.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace sb::zones {

namespace {

// The zone an owner belongs to: its longest ancestor (or itself) with a Zones row.
template <class Txn>
std::optional<std::string> zone_of(const Txn& txn, std::string_view owner) {
    for (std::string_view name = owner;;) {
        if (txn.get(store::Table::Zones, name)) {
            return std::string(name);
        }
        if (name.empty()) {
            return std::nullopt;
        }
        const auto dot = name.find('.');
        name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
    }
}

std::string group_prefix(std::string_view zone, std::uint64_t txn_id) {
    std::string key(zone);
    key.push_back('\0');
    store::put_u64(key, txn_id);
    return key;
}

// Per zone, under the key zone '\0' (shorter than any group key): u64 number of groups,
// u64 txn id of the newest group, u64 bytes of its entries (keys and values) — so adding and
// trimming cost O(1), not a walk — then u64 the zone's node bytes when last counted (0: not
// yet) and u64 the entry bytes added since (a store written before these two has 24 bytes).
struct Meta {
    std::uint64_t groups = 0;
    std::uint64_t last_txn = 0;
    std::uint64_t bytes = 0;
    std::uint64_t zone_bytes = 0;
    std::uint64_t added = 0;
};

constexpr std::string_view max_bytes_key = "journal_max_bytes";

std::string meta_key(std::string_view zone) {
    std::string key(zone);
    key.push_back('\0');
    return key;
}

Meta read_meta(const store::WriteTxn& txn, std::string_view zone) {
    Meta m;
    if (const auto v = txn.get(store::Table::Journal, meta_key(zone));
        v && (v->size() == 24 || v->size() == 40)) {
        m.groups = store::get_u64(*v, 0);
        m.last_txn = store::get_u64(*v, 8);
        m.bytes = store::get_u64(*v, 16);
        if (v->size() == 40) {
            m.zone_bytes = store::get_u64(*v, 24);
            m.added = store::get_u64(*v, 32);
        }
    }
    return m;
}

void write_meta(store::WriteTxn& txn, std::string_view zone, const Meta& m) {
    std::string v;
    store::put_u64(v, m.groups);
    store::put_u64(v, m.last_txn);
    store::put_u64(v, m.bytes);
    store::put_u64(v, m.zone_bytes);
    store::put_u64(v, m.added);
    txn.put(store::Table::Journal, meta_key(zone), v);
}

struct Entry {
    bool has_old = false, has_new = false;
    std::string_view old_node, new_node;
};

bool decode(std::string_view v, Entry& e) {
    if (v.size() < 5) {
        return false;
    }
    const auto flags = static_cast<std::uint8_t>(v[0]);
    const std::uint32_t old_len = store::get_u32(v, 1);
    if (v.size() - 5 < old_len) {
        return false;
    }
    e.has_old = flags & 1;
    e.has_new = flags & 2;
    e.old_node = v.substr(5, old_len);
    e.new_node = v.substr(5 + old_len);
    return true;
}

void journal_entry(store::WriteTxn& txn, std::string_view zone, std::string_view owner,
                   const std::string* old_node, const std::string* new_node);

using RrKey = std::tuple<std::uint16_t, std::uint32_t, std::string>; // type, ttl, rdata

std::vector<RrKey> rrs_of(std::string_view node_value, bool present, ZoneRr* soa) {
    std::vector<RrKey> out;
    if (!present) {
        return out;
    }
    const NodeView node(node_value);
    for (std::uint16_t i = 0; i < node.rrset_count(); ++i) {
        RrsetView rrset;
        node.at(i, rrset);
        std::size_t pos = 0;
        RrView rr{};
        while (rrset.next_rr(pos, rr)) {
            if (rrset.type() == RRType::SOA) {
                if (soa != nullptr) {
                    soa->type = RRType::SOA;
                    soa->ttl = rr.ttl;
                    soa->rdata = std::string(rr.rdata);
                }
                continue;
            }
            out.emplace_back(static_cast<std::uint16_t>(rrset.type()), rr.ttl,
                             std::string(rr.rdata));
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

std::uint32_t soa_serial(std::string_view rdata) noexcept {
    return rdata.size() >= 22 ? store::get_u32(rdata, rdata.size() - 20) : 0;
}

void journal_node(store::WriteTxn& txn, std::string_view owner, const std::string* old_node,
                  const std::string* new_node) {
    if (old_node == nullptr && new_node == nullptr) {
        return;
    }
    // Only the owner's own RRsets are its zone's: a change of the parent side alone (a zone
    // apex's, node.hpp) is the parent's, journaled by journal_parent_side.
    if (old_node != nullptr && new_node != nullptr &&
        NodeView(*old_node).rrsets() == NodeView(*new_node).rrsets()) {
        return;
    }
    const auto zone = zone_of(txn, owner);
    if (!zone) {
        return; // a name in no zone (a deleted zone's leftovers): nothing to transfer
    }
    journal_entry(txn, *zone, owner, old_node, new_node);
}

void journal_parent_side(store::WriteTxn& txn, std::string_view parent, std::string_view owner,
                         const std::string* old_side, const std::string* new_side) {
    if ((old_side == nullptr && new_side == nullptr) ||
        (old_side != nullptr && new_side != nullptr && *old_side == *new_side)) {
        return;
    }
    journal_entry(txn, parent, owner, old_side, new_side);
}

bool journal_holds(const store::WriteTxn& txn, std::string_view zone, std::string_view owner) {
    return txn.get(store::Table::Journal, group_prefix(zone, txn.id()) + name_key(owner))
        .has_value();
}

bool journal_serial_moved(const store::WriteTxn& txn, std::string_view zone, std::uint32_t serial) {
    const auto v = txn.get(store::Table::Journal, group_prefix(zone, txn.id()) + name_key(zone));
    Entry e;
    if (!v || !decode(*v, e)) {
        return false;
    }
    if (!e.has_old) {
        return true; // the zone is new in this transaction: no reader saw a serial of it
    }
    // The old apex's SOA alone: rrs_of would copy and sort every RR of it (a signed apex's
    // keys and signatures) to read one serial.
    const NodeView old(e.old_node);
    RrsetView soa;
    RrView rr{};
    std::size_t pos = 0;
    return old.valid() && old.find(RRType::SOA, soa) && soa.next_rr(pos, rr) &&
           soa_serial(rr.rdata) != serial;
}

namespace {

void journal_entry(store::WriteTxn& txn, std::string_view zone_name, std::string_view owner,
                   const std::string* old_node, const std::string* new_node) {
    const std::uint64_t txn_id = txn.id();
    Meta meta = read_meta(txn, zone_name);
    if (meta.last_txn != txn_id) {
        ++meta.groups;
        meta.last_txn = txn_id;
    }
    const std::string key = group_prefix(zone_name, txn_id) + name_key(owner);
    std::string old_bytes = old_node != nullptr ? *old_node : std::string();
    bool has_old = old_node != nullptr;
    if (const auto v = txn.get(store::Table::Journal, key)) {
        meta.bytes -= std::min<std::uint64_t>(meta.bytes, key.size() + v->size());
        Entry e; // rebuilt twice in one operation: keep the first "before"
        if (decode(*v, e)) {
            has_old = e.has_old;
            old_bytes = std::string(e.old_node);
        }
    }
    std::string value;
    value.push_back(static_cast<char>((has_old ? 1 : 0) | (new_node != nullptr ? 2 : 0)));
    store::put_u32(value, static_cast<std::uint32_t>(old_bytes.size()));
    value += old_bytes;
    if (new_node != nullptr) {
        value += *new_node;
    }
    txn.put(store::Table::Journal, key, value);
    meta.bytes += key.size() + value.size();
    meta.added += key.size() + value.size();
    write_meta(txn, zone_name, meta);
}

} // namespace

void set_journal_max_bytes(store::WriteTxn& txn, std::uint64_t bytes) {
    if (bytes == default_journal_max_bytes) {
        txn.del(store::Table::Meta, max_bytes_key);
    } else {
        txn.put(store::Table::Meta, max_bytes_key, store::u64_key(bytes));
    }
}

std::uint64_t journal_max_bytes(const store::WriteTxn& txn) {
    const auto v = txn.get(store::Table::Meta, max_bytes_key);
    return v && v->size() == 8 ? store::get_u64(*v, 0) : default_journal_max_bytes;
}

namespace {

// The zone's nodes, keys and values (its subzones' too: they share its key prefix), counted
// until `cap`.
std::uint64_t zone_node_bytes(const store::WriteTxn& txn, std::string_view zone,
                              std::uint64_t cap) {
    const std::string prefix = name_key(zone);
    std::uint64_t bytes = 0;
    store::Cursor c = txn.cursor(store::Table::DnsNodes);
    for (bool ok = c.seek(prefix); ok && bytes < cap && c.key().starts_with(prefix);
         ok = c.next()) {
        bytes += c.key().size() + c.value().size();
    }
    return bytes;
}

} // namespace

void journal_trim(store::WriteTxn& txn, std::string_view zone) {
    Meta meta = read_meta(txn, zone);
    const std::uint64_t max_bytes = journal_max_bytes(txn);
    // Twice the zone is the other bound: an entry holds a node before and after, so beyond it
    // an IXFR from the oldest serial would carry more than the AXFR of the whole zone, which
    // is what BIND bounds its journals by ("There is little benefit in storing larger
    // journals"). The zone is counted again once the entries added since the last count
    // reach a quarter of it (no change grows or shrinks it by more than its entries hold).
    const auto zone_bound = [&] { return std::max(min_journal_bytes, 2 * meta.zone_bytes); };
    const auto over = [&] {
        return meta.groups > max_journal_groups || meta.bytes > max_bytes ||
               (meta.groups > 1 && meta.bytes > zone_bound());
    };
    const bool count =
        meta.bytes > zone_bound() && (meta.zone_bytes == 0 || meta.added * 4 > meta.zone_bytes);
    if (count) {
        meta.zone_bytes = zone_node_bytes(txn, zone, max_bytes / 2 + 1);
        meta.added = 0;
    }
    if (!over()) {
        if (count) {
            write_meta(txn, zone, meta);
        }
        return;
    }
    const std::string prefix = meta_key(zone);
    // Oldest groups first, until the bounds hold; a group larger than max_bytes goes too (its
    // change then reaches secondaries by AXFR), the newest stays however large the zone's
    // bound finds it (a secondary one change behind takes an IXFR).
    while (meta.groups > 0 && over()) {
        std::vector<std::string> keys;
        {
            store::Cursor c = txn.cursor(store::Table::Journal);
            std::string oldest;
            for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
                if (c.key().size() <= prefix.size() + 8) {
                    continue; // the meta entry
                }
                if (oldest.empty()) {
                    oldest = std::string(c.key().substr(0, prefix.size() + 8));
                } else if (!c.key().starts_with(oldest)) {
                    break;
                }
                keys.emplace_back(c.key());
                meta.bytes -=
                    std::min<std::uint64_t>(meta.bytes, c.key().size() + c.value().size());
            }
        }
        if (keys.empty()) {
            meta.groups = 0;
            meta.bytes = 0;
        } else {
            --meta.groups;
        }
        for (const auto& k : keys) {
            txn.del(store::Table::Journal, k);
        }
    }
    write_meta(txn, zone, meta);
}

std::optional<std::vector<ZoneDiff>> journal_diffs(const store::ReadTxn& txn, std::string_view zone,
                                                   std::uint32_t serial) {
    const std::string zkey = name_key(zone);
    const auto apex = txn.get(store::Table::DnsNodes, zkey);
    if (!apex) {
        return std::nullopt;
    }
    ZoneRr current;
    rrs_of(*apex, true, &current);
    const std::uint32_t now_serial = soa_serial(current.rdata);
    if (serial == now_serial) {
        return std::vector<ZoneDiff>{};
    }
    std::string prefix(zone);
    prefix.push_back('\0');
    // Every group, in commit order; a group without an apex change has no serials (nullopt).
    std::vector<std::optional<ZoneDiff>> steps;
    store::Cursor c = txn.cursor(store::Table::Journal);
    std::uint64_t group = 0;
    bool in_group = false;
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        const std::string_view key = c.key();
        if (key.size() <= prefix.size() + 8) {
            continue;
        }
        const std::uint64_t id = store::get_u64(key, prefix.size());
        if (!in_group || id != group) {
            steps.emplace_back(ZoneDiff{});
            group = id;
            in_group = true;
            steps.back()->old_soa.type = RRType{}; // set when the apex shows
        }
        Entry e;
        if (!decode(c.value(), e)) {
            return std::nullopt;
        }
        const std::string_view owner_key = key.substr(prefix.size() + 8);
        const bool is_apex = owner_key == zkey;
        ZoneDiff& d = *steps.back();
        ZoneRr old_soa, new_soa;
        const auto before = rrs_of(e.old_node, e.has_old, is_apex ? &old_soa : nullptr);
        const auto after = rrs_of(e.new_node, e.has_new, is_apex ? &new_soa : nullptr);
        const std::string owner = key_to_name(owner_key);
        if (is_apex) {
            old_soa.owner = owner;
            new_soa.owner = owner;
            d.old_soa = old_soa;
            d.new_soa = new_soa;
        }
        std::vector<RrKey> gone, came;
        std::set_difference(before.begin(), before.end(), after.begin(), after.end(),
                            std::back_inserter(gone));
        std::set_difference(after.begin(), after.end(), before.begin(), before.end(),
                            std::back_inserter(came));
        for (auto& [type, ttl, rdata] : gone) {
            d.removed.push_back(ZoneRr{owner, static_cast<RRType>(type), ttl, rdata});
        }
        for (auto& [type, ttl, rdata] : came) {
            d.added.push_back(ZoneRr{owner, static_cast<RRType>(type), ttl, rdata});
        }
    }
    // Find the step that starts at `serial` and check the chain reaches the current serial.
    std::vector<ZoneDiff> out;
    bool started = false;
    for (auto& step : steps) {
        const bool has_serials =
            step->old_soa.type == RRType::SOA && step->new_soa.type == RRType::SOA;
        if (!started) {
            if (has_serials && soa_serial(step->old_soa.rdata) == serial) {
                started = true;
            } else {
                continue;
            }
        }
        if (!has_serials || (!out.empty() && soa_serial(out.back().new_soa.rdata) !=
                                                 soa_serial(step->old_soa.rdata))) {
            return std::nullopt; // a change we cannot place between serials
        }
        out.push_back(std::move(*step));
    }
    if (!started || soa_serial(out.back().new_soa.rdata) != now_serial) {
        return std::nullopt;
    }
    return out;
}

} // namespace sb::zones
