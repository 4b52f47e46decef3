#include "zones/catalog.hpp"

#include "store/tables.hpp"
#include "zones/compile.hpp"
#include "zones/zones.hpp"

#include <openssl/evp.h>

#include <set>
#include <vector>

namespace sb::zones {

namespace {

constexpr std::string_view catalog_key = "catalog";
constexpr std::string_view member_prefix = "catalog_member:";

std::string member_key(std::string_view id) {
    return std::string(member_prefix) + std::string(id);
}

std::string txt_rdata(std::string_view text) {
    std::string r;
    r.push_back(static_cast<char>(text.size()));
    r.append(text);
    return r;
}

std::string members_label(std::string_view catalog) {
    return "zones." + std::string(catalog);
}

// Rebuilds the member's two owners: <id>.zones.<catalog> and group.<id>.zones.<catalog>.
void rebuild_member(store::WriteTxn& txn, std::string_view catalog, std::string_view id) {
    const std::string owner = std::string(id) + "." + members_label(catalog);
    rebuild_node(txn, owner);
    rebuild_node(txn, "group." + owner);
}

void bump(store::WriteTxn& txn, std::string_view catalog, std::int64_t unix_time) {
    if (auto row = store::get_zone(txn, catalog)) {
        touch_zone(txn, *row, unix_time);
    }
}

std::int64_t now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

template <class Txn>
std::optional<std::string> read_catalog_name(const Txn& txn) {
    if (const auto v = txn.get(store::Table::Meta, catalog_key)) {
        return std::string(*v);
    }
    return std::nullopt;
}

// Every catalog_member:<id> entry: id → member name.
std::vector<std::pair<std::string, std::string>> listed(const store::WriteTxn& txn) {
    std::vector<std::pair<std::string, std::string>> out;
    store::Cursor c = txn.cursor(store::Table::Meta);
    for (bool ok = c.seek(member_prefix); ok && c.key().starts_with(member_prefix); ok = c.next()) {
        out.emplace_back(std::string(c.key().substr(member_prefix.size())), std::string(c.value()));
    }
    return out;
}

void drop_catalog(store::WriteTxn& txn, const std::string& catalog) {
    for (const auto& [id, member] : listed(txn)) {
        txn.del(store::Table::Meta, member_key(id));
        rebuild_member(txn, catalog, id);
    }
    txn.del(store::Table::Meta, catalog_key);
    if (const auto row = store::get_zone(txn, catalog);
        row && row->kind == store::ZoneKind::Catalog) {
        txn.del(store::Table::Zones, catalog);
        rebuild_node(txn, catalog);
        rebuild_node(txn, "version." + catalog);
    }
}

} // namespace

std::optional<std::string> catalog_name(const store::WriteTxn& txn) {
    return read_catalog_name(txn);
}

std::optional<std::string> catalog_name(const store::ReadTxn& txn) {
    return read_catalog_name(txn);
}

std::string catalog_member_id(std::string_view zone) {
    const std::string wire = name_to_wire(zone);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(wire.data(), wire.size(), digest, &len, EVP_sha256(), nullptr) != 1 || len < 8) {
        throw std::runtime_error("SHA-256 failed");
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string id;
    for (unsigned i = 0; i < 8; ++i) {
        id.push_back(hex[digest[i] >> 4]);
        id.push_back(hex[digest[i] & 15]);
    }
    return id;
}

void catalog_member_added(store::WriteTxn& txn, std::string_view catalog, std::string_view zone) {
    const std::string id = catalog_member_id(zone);
    txn.put(store::Table::Meta, member_key(id), zone);
    rebuild_member(txn, catalog, id);
    bump(txn, catalog, now());
}

void catalog_member_removed(store::WriteTxn& txn, std::string_view catalog, std::string_view zone) {
    const std::string id = catalog_member_id(zone);
    const auto v = txn.get(store::Table::Meta, member_key(id));
    if (!v || *v != zone) {
        return;
    }
    txn.del(store::Table::Meta, member_key(id));
    rebuild_member(txn, catalog, id);
    bump(txn, catalog, now());
}

void catalog_node(const store::WriteTxn& txn, std::string_view catalog, std::string_view owner,
                  NodeBuilder& node) {
    const auto row = store::get_zone(txn, catalog);
    if (!row || row->kind != store::ZoneKind::Catalog || owner.size() <= catalog.size()) {
        return;
    }
    // RFC 9432 §4.2.1: "The catalog zone schema version is indicated by a TXT RRset at the
    // owner name version.$CATZ"; this is version 2.
    const std::string_view below = owner.substr(0, owner.size() - catalog.size() - 1);
    if (below == "version") {
        node.add(RRType::TXT, row->ttl, txt_rdata("2"));
        return;
    }
    constexpr std::string_view zones_suffix = ".zones";
    if (!below.ends_with(zones_suffix)) {
        return;
    }
    std::string_view id = below.substr(0, below.size() - zones_suffix.size());
    const bool group = id.starts_with("group.");
    if (group) {
        id.remove_prefix(6);
    }
    if (id.find('.') != std::string_view::npos) {
        return;
    }
    const auto member = txn.get(store::Table::Meta, member_key(id));
    if (!member) {
        return;
    }
    const auto zone = store::get_zone(txn, *member);
    if (!zone) {
        return;
    }
    if (group) {
        // RFC 9432 §4.4.2: "The group property ... TXT RRset" names a set of members a consumer
        // treats alike; ours is the member's kind (docs/decisions.md).
        node.add(RRType::TXT, row->ttl, txt_rdata(catalog_group(zone->kind)));
    } else {
        // RFC 9432 §4.1: "The list of member zones is specified in the collection of member
        // zone properties ... PTR RR".
        node.add(RRType::PTR, row->ttl, name_to_wire(*member));
    }
}

std::string_view catalog_group(store::ZoneKind kind) noexcept {
    switch (kind) {
    case store::ZoneKind::Dns:
        return "dns";
    case store::ZoneKind::Enum:
        return "enum";
    case store::ZoneKind::Catalog:
        break;
    }
    return {};
}

void configure_catalog(store::WriteTxn& txn, const std::optional<std::string>& name,
                       std::int64_t unix_time) {
    const auto old = catalog_name(txn);
    if (old && (!name || *old != *name)) {
        drop_catalog(txn, *old);
    }
    if (!name) {
        return;
    }
    const std::string catalog = canonical_name(*name, "catalog");
    if (catalog.empty()) {
        throw InvalidValue("catalog", "the root cannot be the catalog zone");
    }
    auto row = store::get_zone(txn, catalog);
    if (row && row->kind != store::ZoneKind::Catalog) {
        throw InvalidValue("catalog", "a served zone is already named " + catalog +
                                          "; choose another name for the catalog zone");
    }
    txn.put(store::Table::Meta, catalog_key, catalog);
    const bool created = !row;
    if (created) {
        row.emplace();
        row->name = catalog;
        row->kind = store::ZoneKind::Catalog;
        // RFC 9432 §4.1: "the NS RRset ... MUST contain exactly one NS RR ... invalid."
        row->nameservers = {"invalid"};
        row->email = "hostmaster@invalid";
        touch_zone(txn, *row, unix_time);
        rebuild_node(txn, "version." + catalog);
    }
    bool changed = false;
    // The members: every zone but the catalog, listed when not yet; gone ones unlisted.
    std::set<std::string> present;
    {
        store::Cursor c = txn.cursor(store::Table::Zones);
        for (bool ok = c.first(); ok; ok = c.next()) {
            if (c.key() != catalog) {
                present.emplace(c.key());
            }
        }
    }
    std::set<std::string> listed_members;
    for (const auto& [id, member] : listed(txn)) {
        if (present.count(member) == 0) {
            txn.del(store::Table::Meta, member_key(id));
            rebuild_member(txn, catalog, id);
            changed = true;
        } else {
            listed_members.insert(member);
        }
    }
    for (const auto& member : present) {
        if (listed_members.count(member) == 0) {
            const std::string id = catalog_member_id(member);
            txn.put(store::Table::Meta, member_key(id), member);
            rebuild_member(txn, catalog, id);
            changed = true;
        }
    }
    if (changed && !created) {
        touch_zone(txn, *row, unix_time);
    }
}

} // namespace sb::zones
