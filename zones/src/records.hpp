// The slim DNS record rows (compile.hpp "DNS records are stored slim"): what rebuild_node
// shares with the readers in records.cpp.
#pragma once

#include "store/tables.hpp"
#include "zones/node.hpp"

#include <optional>
#include <string_view>
#include <vector>

namespace sb::zones::detail {

// The rows indexed at the owner whose name key is `key`, as stored (rdata and value of slim
// rows left empty), in id order.
template <class Txn>
std::vector<store::RecordRow> record_rows_at(const Txn& txn, std::string_view key);

// Fills in the rdata of the rows kept in the node `node` (the owner's DnsNodes value; nullopt:
// none) and the derived values. `rows`: every row of the owner, in id order. Throws
// store::Error::corrupted when the node does not hold them.
void complete_records(std::string_view key, std::optional<std::string_view> node,
                      std::vector<store::RecordRow>& rows);

// After rebuild_node added the records `rows` (whole, id order; in_node[i]: rows[i] went into
// `node`) and everything else to `node`: decides which rows the node can hold (their type's
// RRs in the node start with exactly theirs, in order) and writes the rows: every row and
// its owner index entry when `write_all`, else only those whose rdata_in_node changes.
void store_records(store::WriteTxn& txn, std::string_view key, std::vector<store::RecordRow>& rows,
                   const std::vector<bool>& in_node, const NodeBuilder& node, bool write_all);

} // namespace sb::zones::detail
