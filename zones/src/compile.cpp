#include "zones/compile.hpp"

#include "parent_side.hpp"
#include "records.hpp"
#include "signer_internal.hpp"
#include "signer_node.hpp"
#include "zones/catalog.hpp"
#include "zones/dnssec.hpp"
#include "zones/enum.hpp"
#include "zones/journal.hpp"
#include "zones/node.hpp"
#include "zones/zone_index.hpp"
#include "zones/zones.hpp"

#include <algorithm>

namespace sb::zones {

std::string soa_rdata_of(const store::ZoneRow& zone) {
    Soa soa;
    soa.mname = zone.nameservers.empty() ? "ns1." + zone.name : zone.nameservers.front();
    soa.rname = zone.email.empty() ? "hostmaster." + zone.name : email_to_rname(zone.email);
    soa.serial = zone.serial;
    soa.refresh = zone.refresh;
    soa.retry = zone.retry;
    soa.expire = zone.expire;
    soa.minimum = zone.minimum;
    return soa_rdata(soa);
}

void touch_zone(store::WriteTxn& txn, store::ZoneRow& zone, std::int64_t unix_time) {
    zone.serial = next_serial(zone.serial, unix_time);
    write_zone(txn, zone, unix_time);
}

void zone_changed(store::WriteTxn& txn, store::ZoneRow& zone, std::int64_t unix_time) {
    if (journal_serial_moved(txn, zone.name, zone.serial)) {
        // The apex already holds this row's SOA and NS: only the change date moves, unless
        // the caller changed more of the row than that.
        const auto stored = store::get_zone(txn, zone.name);
        zone.change_date = unix_time;
        std::string row = store::encode(zone);
        if (stored) {
            store::ZoneRow same = *stored;
            same.change_date = unix_time;
            if (store::encode(same) == row) {
                txn.put(store::Table::Zones, zone.name, row);
                return;
            }
        }
    }
    touch_zone(txn, zone, unix_time);
}

void write_zone(store::WriteTxn& txn, store::ZoneRow& zone, std::int64_t unix_time) {
    zone.change_date = unix_time;
    txn.put(store::Table::Zones, zone.name, store::encode(zone));
    rebuild_node(txn, zone.name);
    journal_trim(txn, zone.name);
}

namespace {

std::string apex_ns_ttl_key(std::string_view zone) {
    return "apex_ns_ttl:" + std::string(zone);
}

} // namespace

void set_apex_ns_ttl(store::WriteTxn& txn, std::string_view zone,
                     std::optional<std::uint32_t> ttl) {
    if (ttl) {
        txn.put(store::Table::Meta, apex_ns_ttl_key(zone), store::u64_key(*ttl));
    } else {
        txn.del(store::Table::Meta, apex_ns_ttl_key(zone));
    }
}

namespace {

// The mapping a NAPTR of enum_naptr_rdata() carries, or false for any other NAPTR.
bool parse_enum_naptr(std::string_view rdata, store::EnumMappingRow& out) {
    std::size_t pos = 4; // order, preference
    std::string_view fields[3];
    for (auto& f : fields) {
        if (rdata.size() <= pos ||
            rdata.size() - pos - 1 < static_cast<unsigned char>(rdata[pos])) {
            return false;
        }
        const std::size_t len = static_cast<unsigned char>(rdata[pos]);
        f = rdata.substr(pos + 1, len);
        pos += 1 + len;
    }
    constexpr std::string_view head = "!^.*$!";
    if (pos + 1 != rdata.size() || rdata[pos] != '\0' || fields[0] != "u" ||
        !fields[2].starts_with(head) || !fields[2].ends_with('!') ||
        fields[2].size() < head.size() + 1) {
        return false;
    }
    const EnumService* service = nullptr;
    for (const auto& s : enum_services()) {
        if (s.service == fields[1]) {
            service = &s;
        }
    }
    if (service == nullptr) {
        return false;
    }
    out.type = std::string(service->type);
    out.mapto = std::string(fields[2].substr(head.size(), fields[2].size() - head.size() - 1));
    out.priority = store::get_u16(rdata, 2);
    return true;
}

// What a rebuild does with the ENUM number at its owner.
enum class NumberChange {
    keep,  // the number stored, if any
    write, // the number given, new or changed
    drop,  // none: the number is deleted
};

void rebuild(store::WriteTxn& txn, std::string_view owner, NumberChange change,
             const store::EnumNumberRow* written, std::vector<store::RecordRow>* records);

std::optional<std::string_view> view_of(const std::optional<std::string>& node) {
    return node ? std::optional<std::string_view>(*node) : std::nullopt;
}

} // namespace

std::optional<std::string_view> node_enum_number(std::string_view node) {
    const NodeView view(node);
    if (!view.valid()) {
        throw store::Error::corrupted("malformed DNS node");
    }
    const std::string_view row = store::split_node_tail(view.tail()).enum_number;
    return row.empty() ? std::nullopt : std::optional<std::string_view>(row);
}

store::EnumNumberRow read_enum_number(std::string_view key, std::string_view value,
                                      std::optional<std::string_view> node) {
    store::EnumNumberRow row = store::decode_enum_number(key, value);
    if (row.mappings.empty()) {
        return row;
    }
    const auto corrupted = [&](const char* what) {
        return store::Error::corrupted("ENUM number " + row.number + " in " + row.tld + ": " +
                                       what);
    };
    if (!node) {
        throw corrupted("its mappings' DNS node is missing");
    }
    RrsetView naptrs;
    if (!NodeView(*node).find(RRType::NAPTR, naptrs) || naptrs.count() < row.mappings.size()) {
        throw corrupted("its DNS node holds fewer NAPTRs than it has mappings");
    }
    // The number's NAPTRs come last in the RRset (rebuild adds them after the records).
    std::size_t pos = 0;
    RrView rr{};
    const std::size_t skip = naptrs.count() - row.mappings.size();
    for (std::size_t i = 0; i < naptrs.count() && naptrs.next_rr(pos, rr); ++i) {
        if (i >= skip && !parse_enum_naptr(rr.rdata, row.mappings[i - skip])) {
            throw corrupted("a NAPTR of its DNS node is not one of its mappings");
        }
    }
    return row;
}

void write_enum_number(store::WriteTxn& txn, const store::EnumNumberRow& row) {
    rebuild(txn, e164_name(row.number, row.tld), NumberChange::write, &row, nullptr);
}

void delete_enum_number(store::WriteTxn& txn, std::string_view owner) {
    rebuild(txn, owner, NumberChange::drop, nullptr, nullptr);
}

std::string_view NumberCursor::key() const noexcept {
    return on_ == On::node ? nodes_.key() : rows_.key();
}

store::EnumNumberRow NumberCursor::row() const {
    // A number in Table::EnumNumbers has no node (detail::OwnerNumber).
    return on_ == On::node ? read_enum_number(nodes_.key(), number_, nodes_.value())
                           : read_enum_number(rows_.key(), rows_.value(), std::nullopt);
}

void NumberCursor::next() {
    if (on_ == On::node) {
        skip_nodes(nodes_.next());
    } else if (on_ == On::row) {
        row_ok_ = rows_.next() && rows_.key().starts_with(prefix_);
    }
    settle();
}

void NumberCursor::start() {
    skip_nodes(nodes_.seek(prefix_));
    row_ok_ = rows_.seek(prefix_) && rows_.key().starts_with(prefix_);
    settle();
}

void NumberCursor::skip_nodes(bool ok) {
    for (; ok && nodes_.key().starts_with(prefix_); ok = nodes_.next()) {
        if (const auto row = node_enum_number(nodes_.value())) {
            number_ = *row;
            node_ok_ = true;
            return;
        }
    }
    node_ok_ = false;
}

void NumberCursor::settle() {
    if (node_ok_ && (!row_ok_ || nodes_.key() < rows_.key())) {
        on_ = On::node;
    } else {
        on_ = row_ok_ ? On::row : On::none;
    }
}

void rebuild_node(store::WriteTxn& txn, std::string_view owner) {
    rebuild(txn, owner, NumberChange::keep, nullptr, nullptr);
}

void set_owner_records(store::WriteTxn& txn, std::string_view owner,
                       std::vector<store::RecordRow> records) {
    const std::string key = name_key(owner);
    for (const auto& old : detail::record_rows_at(txn, key)) {
        if (std::none_of(records.begin(), records.end(),
                         [&](const store::RecordRow& r) { return r.id == old.id; })) {
            txn.del(store::Table::Records, store::u64_key(old.id));
        }
    }
    std::sort(records.begin(), records.end(),
              [](const store::RecordRow& a, const store::RecordRow& b) { return a.id < b.id; });
    rebuild(txn, owner, NumberChange::keep, nullptr, &records);
}

namespace {

// rebuild_node; `change` and `written`: the ENUM number at `owner` (NumberChange); `records`:
// the records at `owner` being written, whole, in id order (else those stored, read back with
// the node before), whose rows it writes.
void rebuild(store::WriteTxn& txn, std::string_view owner, NumberChange change,
             const store::EnumNumberRow* written, std::vector<store::RecordRow>* records) {
    const std::string key = name_key(owner);
    std::optional<std::string> old_node; // for the IXFR journal
    if (const auto v = txn.get(store::Table::DnsNodes, key)) {
        old_node = std::string(*v);
    }
    NodeBuilder node;
    std::uint8_t flags = 0;

    const auto apex = store::get_zone(txn, owner);
    const bool was_apex = old_node && (NodeView(*old_node).flags() & NodeApex);
    const auto catalog = catalog_name(txn);
    if (catalog && owner != *catalog) {
        // A zone apex appearing or going is a zone created or deleted, whichever port did it:
        // the catalog follows in the same transaction.
        if (apex && !was_apex) {
            catalog_member_added(txn, *catalog, owner);
        } else if (!apex && was_apex) {
            catalog_member_removed(txn, *catalog, owner);
        }
    }
    if (apex) {
        flags |= NodeApex;
        node.add(RRType::SOA, apex->ttl, soa_rdata_of(*apex));
        std::uint32_t ns_ttl = apex->ttl;
        if (const auto v = txn.get(store::Table::Meta, apex_ns_ttl_key(owner));
            v && v->size() == 8) {
            ns_ttl = static_cast<std::uint32_t>(store::get_u64(*v, 0));
        }
        for (const auto& ns : apex->nameservers) {
            node.add(RRType::NS, ns_ttl, name_to_wire(ns));
        }
    } else if (was_apex) {
        set_apex_ns_ttl(txn, owner, std::nullopt); // the zone was deleted
    }

    bool has_ns = false;
    bool has_dname = false;
    std::optional<store::ZoneRow> zone;  // the records' zone, for default TTLs
    std::optional<std::string> rec_zone; // its name (an import writes the row after the nodes)
    std::vector<store::RecordRow> stored;
    if (records == nullptr) {
        stored = detail::record_rows_at(txn, key, view_of(old_node));
        if (!stored.empty()) {
            detail::complete_records(key, view_of(old_node), stored);
        }
    }
    std::vector<store::RecordRow>& recs = records != nullptr ? *records : stored;
    std::vector<bool> in_node(recs.size(), false);
    for (std::size_t i = 0; i < recs.size(); ++i) {
        const store::RecordRow* rec = &recs[i];
        if (apex && rec->zone != apex->name) {
            // The parent zone's delegation (NS, glue) at the apex of a child zone we also
            // serve: the child's own data answers here; the parent's shows in its transfers
            // (zones::zone_rrs). Its row keeps its rdata (store_records).
            continue;
        }
        rec_zone = rec->zone;
        if (!zone || zone->name != rec->zone) {
            zone = store::get_zone(txn, rec->zone);
        }
        const std::uint32_t ttl = served_ttl(rec->ttl, zone ? zone->ttl : 3600);
        const auto type = static_cast<RRType>(rec->type);
        has_ns = has_ns || type == RRType::NS;
        has_dname = has_dname || type == RRType::DNAME;
        node.add(type, ttl, rec->rdata);
        in_node[i] = true;
    }
    if (catalog && owner.size() > catalog->size() && in_zone(owner, *catalog)) {
        catalog_node(txn, *catalog, owner, node);
    }
    // The ENUM number at the owner: its mappings are NAPTRs here, its row ends the node.
    detail::OwnerNumber number_row = detail::owner_number(txn, key, view_of(old_node));
    std::optional<store::EnumNumberRow> number;
    switch (change) {
    case NumberChange::keep: // the row as stored; its mappings from the node before
        if (!number_row.row.empty()) {
            number = read_enum_number(key, number_row.row, view_of(old_node));
        }
        break;
    case NumberChange::write:
        number = *written;
        number_row.row = store::encode(*written);
        break;
    case NumberChange::drop:
        number_row.row.clear();
        break;
    }
    if (number) {
        const auto range = txn.get(store::Table::EnumRanges,
                                   store::enum_range_key(number->tld, number->range_prefix));
        const auto range_zone =
            range ? store::get_zone(txn, store::decode_enum_range(*range).zone) : std::nullopt;
        const std::uint32_t range_ttl = range_zone ? range_zone->ttl : 3600;
        for (const auto& m : number->mappings) {
            const EnumService* service = enum_service(m.type);
            if (service == nullptr) {
                continue; // refused at provisioning; never stored
            }
            node.add(RRType::NAPTR, m.ttl != 0 ? m.ttl : range_ttl,
                     enum_naptr_rdata(*service, m.mapto, m.priority));
        }
    }
    // Signing (zones/signer.hpp): the zone's state at its apex, our DNSSEC RRsets and RRSIGs
    // in the node, then the NSEC3 chain once the node is stored.
    detail::SignPlan plan = detail::plan_signing(txn, owner, key, apex.has_value(), was_apex);
    if (plan.sign && !plan.occluded) {
        detail::sign_node(txn, *plan.sign, owner, key, node,
                          old_node ? std::string_view(*old_node) : std::string_view(),
                          apex.has_value(), has_ns && !apex);
    }
    // The parent's side of the cut at a child zone's apex (parent_side.hpp), read only where
    // there is an apex now or before. Its "before" is the old parent side, or the old node
    // itself, without its record ids, when it was the parent's (the child is new).
    std::optional<std::string> old_side;
    if (old_node && (apex || was_apex)) {
        const NodeView old_view(*old_node);
        std::string before =
            was_apex ? std::string(old_view.parent_side()) : old_view.without_ids();
        if (!before.empty()) {
            old_side = std::move(before);
        }
    }
    const std::string_view old_parent = old_side ? std::string_view(*old_side) : std::string_view();
    std::optional<detail::ParentSide> side;
    std::optional<std::string> new_side;
    if (apex) {
        side = detail::parent_side(txn, owner, key, *apex, plan.sign ? &*plan.sign : nullptr, recs,
                                   old_parent);
        if (!side->node.empty()) {
            new_side = side->node.build();
            node.set_parent_side(*new_side);
        }
    } else if (was_apex && old_side) {
        detail::parent_side_dropped(txn, owner, *old_side, node);
    }
    if (has_ns && !apex) {
        flags |= NodeDelegation;
    }
    if (owner == "*" || owner.starts_with("*.")) {
        flags |= NodeWildcard;
    }
    if (has_dname) {
        flags |= NodeDname;
    }
    if (node.nsec3_only()) {
        flags |= NodeNsec3Only;
    }
    if (node.has(RRType::RRSIG)) {
        flags |= NodeSigned;
    }
    std::optional<std::string> zone_key;
    if (apex || rec_zone) {
        zone_key = name_key(apex ? apex->name : *rec_zone);
    } else if (plan.sign) {
        zone_key = plan.sign->zone_key;
    }
    node.set_flags(flags);
    detail::store_records(txn, recs, in_node, node, records != nullptr);
    std::vector<std::uint64_t> ids;
    ids.reserve(recs.size());
    for (const auto& rec : recs) {
        ids.push_back(rec.id);
    }
    detail::store_owner_node(txn, owner, key, old_node, node, zone_key, &ids, &number_row);
    if (plan.sign) {
        detail::chain_owner(txn, *plan.sign, owner, key, plan.occluded, old_node.has_value());
    }
    if (side) {
        detail::parent_side_stored(txn, *side, owner, key, old_side ? &*old_side : nullptr,
                                   new_side ? &*new_side : nullptr);
    }
    if (apex.has_value() != was_apex) {
        detail::rebuild_child_apexes(txn, key); // a zone came or went: its children's parent
    }
    if (plan.full_pass && detail::zone_pass(txn, plan.pass_zone, plan.pass_target) &&
        plan.pass_target == BulkTarget::Sign) {
        rebuild_node(txn, owner); // the apex again: no keys published until the job ends
    }
}

} // namespace

namespace detail {

void store_node(store::WriteTxn& txn, std::string_view owner, std::string_view key,
                const std::optional<std::string>& old_node, const NodeBuilder& node,
                std::optional<std::string_view> zone_key) {
    store_owner_node(txn, owner, key, old_node, node, zone_key, nullptr, nullptr);
}

OwnerNumber owner_number(const store::WriteTxn& txn, std::string_view key,
                         std::optional<std::string_view> node) {
    if (node) {
        const auto row = node_enum_number(*node);
        return {row ? std::string(*row) : std::string(), false};
    }
    const auto row = txn.get(store::Table::EnumNumbers, key);
    return {row ? std::string(*row) : std::string(), row.has_value()};
}

void store_owner_node(store::WriteTxn& txn, std::string_view owner, std::string_view key,
                      const std::optional<std::string>& old_node, const NodeBuilder& node,
                      std::optional<std::string_view> zone_key,
                      const std::vector<std::uint64_t>* ids, const OwnerNumber* number) {
    std::vector<std::uint64_t> kept;
    if (ids == nullptr) {
        kept = record_ids_at(txn, key, view_of(old_node));
        ids = &kept;
    }
    OwnerNumber kept_number;
    if (number == nullptr) {
        kept_number = owner_number(txn, key, view_of(old_node));
        number = &kept_number;
    }
    // The journal and the chain index see the node without its record ids.
    std::optional<std::string> old_rrsets;
    if (old_node) {
        old_rrsets = NodeView(*old_node).without_ids();
    }
    const std::string_view old_value =
        old_rrsets ? std::string_view(*old_rrsets) : std::string_view();
    if (node.empty()) {
        txn.del(store::Table::DnsNodes, key);
        // Records whose RRs are all elsewhere (a signed zone's own types): the index keeps them.
        if (!ids->empty()) {
            txn.put(store::Table::RecordsByOwner, key, store::encode_record_ids_row(*ids));
        } else if (!old_node) {
            txn.del(store::Table::RecordsByOwner, key);
        }
        // An ENUM number without a node keeps its row in the table.
        if (!number->row.empty()) {
            txn.put(store::Table::EnumNumbers, key, number->row);
        } else if (number->in_table) {
            txn.del(store::Table::EnumNumbers, key);
        }
        mark_node(txn, key, 0);
        chain_node(txn, key, std::nullopt, old_value, {});
        journal_node(txn, owner, old_rrsets ? &*old_rrsets : nullptr, nullptr);
        return;
    }
    const std::string built = node.build();
    if (ids->empty() && number->row.empty()) {
        txn.put(store::Table::DnsNodes, key, built);
    } else {
        std::string value = built;
        if (static_cast<std::uint8_t>(value[0]) == node_format) {
            value[0] = static_cast<char>(node_format_extended);
            value.push_back('\0'); // no parent side
        }
        value += store::encode_record_ids(*ids);
        value += number->row;
        txn.put(store::Table::DnsNodes, key, value);
    }
    if (!old_node) {
        txn.del(store::Table::RecordsByOwner, key); // the ids, if it had any, are in the node
    }
    if (number->in_table) {
        txn.del(store::Table::EnumNumbers, key); // the number's row is in the node now
    }
    mark_node(txn, key, mark_flags(node.flags()));
    chain_node(txn, key, zone_key, old_value, built);
    journal_node(txn, owner, old_rrsets ? &*old_rrsets : nullptr, &built);
}

} // namespace detail

} // namespace sb::zones
