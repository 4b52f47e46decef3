// The slim DNS record rows (compile.hpp "DNS records are stored slim"): what rebuild_node
// shares with the readers in records.cpp.
#pragma once

#include "store/tables.hpp"
#include "zones/node.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones::detail {

// The ids of the records at the owner whose name key is `key`, ascending: from its node
// `node` (its DnsNodes value; format 2 ends with them), or from RecordsByOwner when it has
// none (nullopt). Throws store::Error::corrupted for a malformed node.
template <class Txn>
std::vector<std::uint64_t> record_ids_at(const Txn& txn, std::string_view key,
                                         std::optional<std::string_view> node);

// The rows of those records, as stored (rdata and value of slim rows left empty), in id
// order; without `node`, the owner's node is read.
template <class Txn>
std::vector<store::RecordRow> record_rows_at(const Txn& txn, std::string_view key,
                                             std::optional<std::string_view> node);
template <class Txn>
std::vector<store::RecordRow> record_rows_at(const Txn& txn, std::string_view key);

// Fills in the rdata of the rows kept in the node `node` (the owner's DnsNodes value; nullopt:
// none) and the derived values. `rows`: every row of the owner, in id order. Throws
// store::Error::corrupted when the node does not hold them.
void complete_records(std::string_view key, std::optional<std::string_view> node,
                      std::vector<store::RecordRow>& rows);

// After rebuild_node added the records `rows` (whole, id order; in_node[i]: rows[i] went into
// `node`) and everything else to `node`: decides which rows the node can hold (their type's
// RRs in the node start with exactly theirs, in order) and writes the rows: every row when
// `write_all`, else only those whose rdata_in_node changes. Their ids go into the node
// (store_owner_node).
void store_records(store::WriteTxn& txn, std::vector<store::RecordRow>& rows,
                   const std::vector<bool>& in_node, const NodeBuilder& node, bool write_all);

// The ENUM number at an owner: `row` (store::encode of its EnumNumberRow; empty: none), and
// whether Table::EnumNumbers holds the owner's row now. A number's row ends its node; only a
// number without a node keeps it in the table.
struct OwnerNumber {
    std::string row;
    bool in_table = false;
};

// The owner's number as stored: from its node `node` (its DnsNodes value; nullopt: none), or
// the table's when it has no node. Throws store::Error::corrupted for a malformed node.
OwnerNumber owner_number(const store::WriteTxn& txn, std::string_view key,
                         std::optional<std::string_view> node);

// store_node (signer_node.hpp) with the owner's record ids `ids`, ascending, and its ENUM
// number `number` (nullptr: those it had, as the signer's writes keep them): a node that is
// not empty ends with them (format 2; the journal and the chain index see it without them),
// an owner left without a node keeps the ids in RecordsByOwner and the number's row in
// EnumNumbers.
void store_owner_node(store::WriteTxn& txn, std::string_view owner, std::string_view key,
                      const std::optional<std::string>& old_node, const NodeBuilder& node,
                      std::optional<std::string_view> zone_key,
                      const std::vector<std::uint64_t>* ids, const OwnerNumber* number);

} // namespace sb::zones::detail
