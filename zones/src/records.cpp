// DNS records stored once (docs/decisions.md "A DNS record is stored once"): the owner's node
// holds each record's RR; the Records row keeps what the node cannot give (id, zone, TTL as
// given, priority, tenancy, change date, and the value only when it is not the presentation
// of the rdata).
#include "records.hpp"

#include "zones/compile.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <algorithm>
#include <map>

namespace sb::zones {

namespace detail {

template <class Txn>
std::vector<std::uint64_t> record_ids_at(const Txn& txn, std::string_view key,
                                         std::optional<std::string_view> node) {
    if (node) {
        // An owner with a node keeps its ids there (store_owner_node), never in the index.
        const NodeView view(*node);
        if (!view.valid()) {
            throw store::Error::corrupted("malformed node " + key_to_name(key));
        }
        const std::string_view ids = store::split_node_tail(view.tail()).record_ids;
        return ids.empty() ? std::vector<std::uint64_t>() : store::decode_record_ids(ids);
    }
    const auto row = txn.get(store::Table::RecordsByOwner, key);
    return row ? store::decode_record_ids_row(*row) : std::vector<std::uint64_t>();
}

template <class Txn>
std::vector<store::RecordRow> record_rows_at(const Txn& txn, std::string_view key,
                                             std::optional<std::string_view> node) {
    std::vector<store::RecordRow> rows;
    for (const auto id : record_ids_at(txn, key, node)) {
        const auto v = txn.get(store::Table::Records, store::u64_key(id));
        if (!v) {
            throw store::Error::corrupted("index points at missing record " + std::to_string(id));
        }
        rows.push_back(store::decode_record(*v, id));
    }
    return rows;
}

template <class Txn>
std::vector<store::RecordRow> record_rows_at(const Txn& txn, std::string_view key) {
    return record_rows_at(txn, key, txn.get(store::Table::DnsNodes, key));
}

template std::vector<std::uint64_t> record_ids_at(const store::WriteTxn&, std::string_view,
                                                  std::optional<std::string_view>);
template std::vector<store::RecordRow> record_rows_at(const store::WriteTxn&, std::string_view,
                                                      std::optional<std::string_view>);
template std::vector<store::RecordRow> record_rows_at(const store::WriteTxn&, std::string_view);

void complete_records(std::string_view key, std::optional<std::string_view> node,
                      std::vector<store::RecordRow>& rows) {
    // The k-th row of a type kept in the node is the k-th RR of the node's RRset of that
    // type (store_records wrote the flag only where that holds).
    std::map<std::uint16_t, std::pair<RrsetView, std::size_t>> cursors; // type → RRset, pos
    const NodeView view(node.value_or(std::string_view()));
    for (auto& row : rows) {
        if (row.rdata_in_node) {
            auto it = cursors.find(row.type);
            if (it == cursors.end()) {
                RrsetView rrset;
                if (!node || !view.valid() || !view.find(static_cast<RRType>(row.type), rrset)) {
                    throw store::Error::corrupted("record " + std::to_string(row.id) + " at " +
                                                  key_to_name(key) +
                                                  ": its RR is missing from the node");
                }
                it = cursors.emplace(row.type, std::make_pair(rrset, std::size_t{0})).first;
            }
            RrView rr{};
            if (!it->second.first.next_rr(it->second.second, rr)) {
                throw store::Error::corrupted("record " + std::to_string(row.id) + " at " +
                                              key_to_name(key) +
                                              ": the node holds fewer RRs than its records");
            }
            row.rdata = std::string(rr.rdata);
        }
        if (row.value_derived) {
            row.value = record_value(row);
        }
    }
}

void store_records(store::WriteTxn& txn, std::vector<store::RecordRow>& rows,
                   const std::vector<bool>& in_node, const NodeBuilder& node, bool write_all) {
    // Per type: the rows in the node, in order, against the node's RRs of that type.
    std::map<std::uint16_t, std::vector<const NodeBuilder::Rr*>> rrs; // in the order added
    for (const auto& rr : node.rrs()) {
        rrs[static_cast<std::uint16_t>(rr.type)].push_back(&rr);
    }
    std::map<std::uint16_t, std::pair<std::size_t, bool>> seen; // type → rows seen, all match
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (!in_node[i]) {
            continue;
        }
        auto& [count, ok] = seen.try_emplace(rows[i].type, 0, true).first->second;
        const auto& held = rrs[rows[i].type];
        ok = ok && count < held.size() && held[count]->rdata == rows[i].rdata;
        ++count;
    }
    for (std::size_t i = 0; i < rows.size(); ++i) {
        store::RecordRow& row = rows[i];
        const bool slim = in_node[i] && seen[row.type].second;
        if (!write_all && slim == row.rdata_in_node) {
            continue;
        }
        if (write_all && !row.value_derived) {
            row.value_derived = record_value(row) == row.value;
        }
        row.rdata_in_node = slim;
        txn.put(store::Table::Records, store::u64_key(row.id), store::encode(row));
    }
}

} // namespace detail

namespace {

template <class Txn>
std::vector<store::RecordRow> whole_rows_at(const Txn& txn, std::string_view key,
                                            std::optional<std::string_view> node) {
    auto rows = detail::record_rows_at(txn, key, node);
    if (!rows.empty()) {
        detail::complete_records(key, node, rows);
    }
    return rows;
}

template <class Txn>
std::vector<store::RecordRow> whole_rows_at(const Txn& txn, std::string_view key) {
    return whole_rows_at(txn, key, txn.get(store::Table::DnsNodes, key));
}

// Whether the node `value` holds record ids: a count that is not 0 (an ENUM number's row may
// follow a count of 0).
bool has_record_ids(std::string_view value) {
    const std::string_view ids = store::split_node_tail(NodeView(value).tail()).record_ids;
    return !ids.empty() && ids.front() != '\0';
}

// The records of `zone`, whole, in id order: those at the owners under its key whose zone it
// is. The owners are those whose node holds ids, and those without a node in RecordsByOwner.
template <class Txn>
std::vector<store::RecordRow> records_under(const Txn& txn, const std::string& zone) {
    const std::string prefix = name_key(zone);
    std::vector<store::RecordRow> out;
    auto take = [&](std::string_view key, std::optional<std::string_view> node) {
        for (auto& row : whole_rows_at(txn, key, node)) {
            if (row.zone == zone) {
                out.push_back(std::move(row));
            }
        }
    };
    {
        store::Cursor c = txn.cursor(store::Table::DnsNodes);
        for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
            if (has_record_ids(c.value())) {
                take(c.key(), c.value());
            }
        }
    }
    std::vector<std::string> bare; // owners without a node: rare
    {
        store::Cursor c = txn.cursor(store::Table::RecordsByOwner);
        for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
            bare.emplace_back(c.key());
        }
    }
    for (const auto& key : bare) {
        take(key, std::nullopt);
    }
    std::sort(out.begin(), out.end(),
              [](const store::RecordRow& a, const store::RecordRow& b) { return a.id < b.id; });
    return out;
}

} // namespace

template <class Txn>
std::vector<store::RecordRow> owner_records(const Txn& txn, std::string_view owner) {
    return whole_rows_at(txn, name_key(owner));
}

template <class Txn>
std::optional<store::RecordRow> get_record(const Txn& txn, std::uint64_t id) {
    const auto v = txn.get(store::Table::Records, store::u64_key(id));
    if (!v) {
        return std::nullopt;
    }
    const store::RecordRow row = store::decode_record(*v, id);
    for (auto& rec : owner_records(txn, row.name)) {
        if (rec.id == id) {
            return std::move(rec);
        }
    }
    throw store::Error::corrupted("record " + std::to_string(id) + " is not indexed at " +
                                  row.name);
}

template <class Txn>
std::vector<store::RecordRow> zone_records(const Txn& txn, std::string_view zone) {
    return records_under(txn, std::string(zone));
}

std::vector<store::RecordRow> every_record(const store::ReadTxn& txn) {
    // Zone by zone, not the whole of DnsNodes: records are in DNS zones only (provisioning and
    // import refuse ENUM ones), and the millions of ENUM numbers' nodes hold none.
    std::vector<std::string> zones;
    {
        store::Cursor c = txn.cursor(store::Table::Zones);
        for (bool ok = c.first(); ok; ok = c.next()) {
            const store::ZoneRow row = store::decode_zone(c.value());
            if (row.kind != store::ZoneKind::Enum) {
                zones.push_back(row.name); // the key of the root zone is a NUL, its name ""
            }
        }
    }
    std::vector<store::RecordRow> out;
    for (const auto& zone : zones) {
        for (auto& row : records_under(txn, zone)) {
            out.push_back(std::move(row));
        }
    }
    std::sort(out.begin(), out.end(),
              [](const store::RecordRow& a, const store::RecordRow& b) { return a.id < b.id; });
    return out;
}

template std::vector<store::RecordRow> owner_records(const store::ReadTxn&, std::string_view);
template std::vector<store::RecordRow> owner_records(const store::WriteTxn&, std::string_view);
template std::optional<store::RecordRow> get_record(const store::ReadTxn&, std::uint64_t);
template std::optional<store::RecordRow> get_record(const store::WriteTxn&, std::uint64_t);
template std::vector<store::RecordRow> zone_records(const store::ReadTxn&, std::string_view);
template std::vector<store::RecordRow> zone_records(const store::WriteTxn&, std::string_view);

std::string record_value(const store::RecordRow& row) {
    const auto type = static_cast<RRType>(row.type);
    std::string text = rdata_to_text(type, row.rdata);
    if (type == RRType::MX || type == RRType::SRV) {
        const auto space = text.find(' ');
        if (space != std::string::npos &&
            text.compare(0, space, std::to_string(row.priority)) == 0) {
            text.erase(0, space + 1);
        }
    }
    return text;
}

} // namespace sb::zones
