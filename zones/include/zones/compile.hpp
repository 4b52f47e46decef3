// Derives the DNS data (store::Table::DnsNodes) from the provisioned rows, inside the
// provisioning operation's write transaction.
#pragma once

#include "store/store.hpp"
#include "store/tables.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones {

// Recomputes the node of `owner` (canonical name) from every source that puts RRs there:
// the apex data of a zone named `owner` (SOA from the zone row, NS from its nameservers) and
// the DNS records indexed at that owner. An owner left with no RRs loses its node.
void rebuild_node(store::WriteTxn& txn, std::string_view owner);

// Records a change of `zone` at `unix_time`: the next serial, the change date, the row
// written back and its apex node rebuilt (the new SOA).
void touch_zone(store::WriteTxn& txn, store::ZoneRow& zone, std::int64_t unix_time);

// Records a change of a node of `zone` (a record's or a number's; `zone` as stored, read in
// this transaction): touch_zone, unless this transaction moved the serial already. A batch of
// operations is one commit, one version readers and secondaries see: it takes one new serial
// and one rebuild of the apex, however many of its operations change the zone; each writes the
// row's change date.
void zone_changed(store::WriteTxn& txn, store::ZoneRow& zone, std::int64_t unix_time);

// The TTL of a zone's apex NS RRset when it is not the zone's TTL (an imported file's own),
// kept in Meta under "apex_ns_ttl:<zone>"; nullopt: the zone's TTL. Removed with the zone.
void set_apex_ns_ttl(store::WriteTxn& txn, std::string_view zone, std::optional<std::uint32_t> ttl);

// touch_zone with the serial the caller set in `zone` (zone import keeps the file's).
void write_zone(store::WriteTxn& txn, store::ZoneRow& zone, std::int64_t unix_time);

// ENUM number entities are stored slim (store::EnumNumberRow): the type, mapto and priority
// of each mapping are read back from the NAPTRs of the number's node, the one place they live,
// and the row itself ends that node (docs/decisions.md "An ENUM number lives in its node").
// `key` and `value` are the row's key and bytes, `node` the DnsNodes value at the same key
// (nullopt: none). Throws store::Error::corrupted when the node does not hold the row's
// mappings.
store::EnumNumberRow read_enum_number(std::string_view key, std::string_view value,
                                      std::optional<std::string_view> node);

// The ENUM number row that ends `node`, if it holds one. Throws store::Error::corrupted for a
// malformed node.
std::optional<std::string_view> node_enum_number(std::string_view node);

// The number at `key` (name_key of its e164 name), whole; nullopt when there is none.
template <class Txn>
std::optional<store::EnumNumberRow> get_enum_number(const Txn& txn, std::string_view key) {
    const auto node = txn.get(store::Table::DnsNodes, key);
    if (node) {
        if (const auto row = node_enum_number(*node)) {
            return read_enum_number(key, *row, node);
        }
    }
    const auto v = txn.get(store::Table::EnumNumbers, key);
    if (!v) {
        return std::nullopt;
    }
    return read_enum_number(key, *v, node);
}

// Writes the slim row and rebuilds the number's node from `row.mappings`.
void write_enum_number(store::WriteTxn& txn, const store::EnumNumberRow& row);

// Deletes the number at `owner` (its e164 name), row and NAPTRs.
void delete_enum_number(store::WriteTxn& txn, std::string_view owner);

// The ENUM numbers whose keys start with `prefix`, in key order, wherever their rows are: at
// the end of their nodes, or in Table::EnumNumbers.
class NumberCursor {
public:
    template <class Txn>
    NumberCursor(const Txn& txn, std::string_view prefix)
        : nodes_(txn.cursor(store::Table::DnsNodes))
        , rows_(txn.cursor(store::Table::EnumNumbers))
        , prefix_(prefix) {
        start();
    }

    bool valid() const noexcept { return on_ != On::none; }

    // The number's key (name_key of its e164 name).
    std::string_view key() const noexcept;

    // The number, whole.
    store::EnumNumberRow row() const;

    void next();

private:
    enum class On { none, node, row };

    void start();
    void skip_nodes(bool ok); // to the next node that holds a number
    void settle();            // on the lower key of the two cursors

    store::Cursor nodes_;
    store::Cursor rows_;
    std::string prefix_;
    bool node_ok_ = false;
    bool row_ok_ = false;
    std::string_view number_; // the row ending the node the nodes_ cursor is on
    On on_ = On::none;
};

// DNS records are stored slim (store::RecordRow, docs/decisions.md "A DNS record is stored
// once"): a record in its owner's node keeps no rdata of its own, and a value that is the
// presentation of its rdata (record_value) is not kept either. These read records whole and
// write them; nothing else reads or writes Table::Records and Table::RecordsByOwner.

// The records at `owner` (every zone's), whole, in id order.
template <class Txn>
std::vector<store::RecordRow> owner_records(const Txn& txn, std::string_view owner);

// The record `id`, whole; nullopt when there is none.
template <class Txn>
std::optional<store::RecordRow> get_record(const Txn& txn, std::uint64_t id);

// The records of `zone` (those at its apex and below whose zone is `zone`), whole, in id
// order (an empty `zone`: the root zone). every_record: the records of every zone.
template <class Txn>
std::vector<store::RecordRow> zone_records(const Txn& txn, std::string_view zone);
std::vector<store::RecordRow> every_record(const store::ReadTxn& txn);

// Makes `records` (ids set, name == owner; any zone) the records at `owner`: the rows of the
// owner's records not among them are deleted, the node is rebuilt from them (rebuild_node)
// and each row is written slim as far as that node allows.
void set_owner_records(store::WriteTxn& txn, std::string_view owner,
                       std::vector<store::RecordRow> records);

// The value a record row keeps implicitly: the presentation of its rdata (ldns), without the
// leading MX preference / SRV priority when that is the row's priority field.
std::string record_value(const store::RecordRow& row);

// The SOA and apex NS of a zone row, as the zone's RRs (also used by export/tests).
std::string soa_rdata_of(const store::ZoneRow& zone);

} // namespace sb::zones
