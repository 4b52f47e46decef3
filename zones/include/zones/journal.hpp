// The per-zone change journal (store::Table::Journal) that IXFR (RFC 1995) answers from.
//
// rebuild_node() records, for every owner it rebuilds, the node before and after, keyed
//   zone name '\0' u64 LMDB txn id (big-endian) owner-key
// so one provisioning operation (one write transaction) is one group, in commit order. The
// value is: u8 has_old | has_new << 1, u32 old length, old node, new node. A group that
// changes the apex carries the old and new SOA, i.e. the serials the difference goes between.
// touch_zone() trims a zone's journal to its newest max_journal_groups groups, to at most
// journal_max_bytes (keys and values) and to twice the zone's own nodes (at least
// min_journal_bytes, and the newest group whatever its size), oldest groups first; IXFR from
// a serial older than what is left is answered with AXFR.
#pragma once

#include "store/store.hpp"
#include "zones/zonefile.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones {

constexpr std::size_t max_journal_groups = 1000;
// Per zone, unless the store says otherwise ([dns] journal_max_bytes): NSD's ixfr-size default.
constexpr std::uint64_t default_journal_max_bytes = std::uint64_t{1} << 20;
// A zone's journal may hold this much however small the zone (one page).
constexpr std::uint64_t min_journal_bytes = 4096;

// The byte bound of every zone's journal, kept in Meta (the servers write the ini's at start);
// the next change of a zone trims its journal to it.
void set_journal_max_bytes(store::WriteTxn& txn, std::uint64_t bytes);
[[nodiscard]] std::uint64_t journal_max_bytes(const store::WriteTxn& txn);

// Called by rebuild_node: `old_node`/`new_node` empty when the owner had/has no node.
void journal_node(store::WriteTxn& txn, std::string_view owner, const std::string* old_node,
                  const std::string* new_node);

// The parent side of the zone apex `owner` (node.hpp) changed: an entry in the journal of
// `parent`, whose transfers carry it (null: none before / after).
void journal_parent_side(store::WriteTxn& txn, std::string_view parent, std::string_view owner,
                         const std::string* old_side, const std::string* new_side);

// True when this transaction's journal group of `zone` already holds `owner` (its apex: the
// zone's SOA, so its serial, changes in this transaction).
bool journal_holds(const store::WriteTxn& txn, std::string_view zone, std::string_view owner);

// True when this transaction moved the serial of `zone` already: its journal group holds the
// apex, created in it or with an SOA before whose serial is not `serial` (the zone row's now).
bool journal_serial_moved(const store::WriteTxn& txn, std::string_view zone, std::uint32_t serial);

// Drops the oldest groups of `zone` beyond the bounds above.
void journal_trim(store::WriteTxn& txn, std::string_view zone);

// One version step of an IXFR: the SOA before, what went, the SOA after, what came.
struct ZoneDiff {
    ZoneRr old_soa;
    std::vector<ZoneRr> removed;
    ZoneRr new_soa;
    std::vector<ZoneRr> added;
};

// The steps from `serial` to the zone's current serial, oldest first; empty when `serial` is
// current; nullopt when the journal does not reach back to `serial` (answer with AXFR).
std::optional<std::vector<ZoneDiff>> journal_diffs(const store::ReadTxn& txn, std::string_view zone,
                                                   std::uint32_t serial);

// The serial in SOA rdata (wire), 0 when malformed.
std::uint32_t soa_serial(std::string_view soa_rdata) noexcept;

} // namespace sb::zones
