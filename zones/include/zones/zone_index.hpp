// Where the zones and zone cuts are, in memory, so that the answer path finds the zone of a
// name without walking its ancestors through the DnsNodes B-tree (one LMDB search per label,
// the cost that dominated the profile in bench/RESULTS.md).
//
// The provisioning side keeps store::Table::ZoneMarks (owner key → NodeFlag bits of every
// apex, cut and wildcard node) and bumps Meta "zone_marks" in the same write transaction
// (mark_node). Each DNS worker owns a ZoneIndex and calls sync() after renewing its read txn:
// nothing to do while the txn id is unchanged; one Meta read when it changed; a rebuild from
// ZoneMarks only when the marks changed (zones added or removed, cuts, wildcards) — never for
// the records inside zones.
#pragma once

#include "store/store.hpp"

#include <cstdint>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones {

// Writes the NodeFlag bits `flags` of the node at `key` (0: no node or a plain one) to
// ZoneMarks, bumping the generation when they change. Called by rebuild_node.
void mark_node(store::WriteTxn& txn, std::string_view key, std::uint8_t flags);

// Reads the DnsNodes node of every mark (each apex, cut and wildcard: the nodes the answers of a
// zone start from) on `threads` threads at once, each a contiguous share of the marks on a
// snapshot of its own, until done or `stop` is requested; returns the nodes found. A server
// that starts on a store no process has mapped calls it first: each first lookup would
// otherwise wait on the disk for its branch and leaf pages one after another, on the one worker
// that happens to receive the query (docs/decisions.md "The store mapped at start").
std::size_t read_marked_nodes(const store::Env& env, unsigned threads,
                              std::stop_token stop) noexcept;

// Where a name sits among the zones we serve.
struct ZoneSpot {
    enum class Kind : std::uint8_t { None, InZone, BelowCut } kind = Kind::None;
    std::size_t zone_len = 0;  // key length of the closest enclosing apex
    std::size_t cut_len = 0;   // BelowCut: key length of the topmost cut at or above the name
    bool wildcards = false;    // the zone holds a wildcard node somewhere
    std::size_t dname_len = 0; // InZone: key length of the topmost DNAME strictly above the name
    bool signed_zone = false;  // the apex holds RRSIGs (NodeSigned): DO=1 gets DNSSEC data
    bool expired = false;      // a secondary zone past its SOA expire (NodeExpired): SERVFAIL
};

class ZoneIndex {
public:
    // Brings the index to the snapshot of `txn`. False when the store cannot be read or the
    // index cannot be built (the caller answers SERVFAIL); the index is then empty.
    bool sync(const store::ReadTxn& txn) noexcept;

    // The zone and cut of `key` (a name key, labels root first, each ended by '\0').
    ZoneSpot locate(std::string_view key) const noexcept;

    std::size_t size() const noexcept { return count_; }

private:
    struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t offset = 0; // of the key in keys_
        std::uint16_t len = 0;    // 0: empty slot
        std::uint8_t flags = 0;   // NodeFlag bits
        bool wildcards = false;   // apex: a wildcard lies in this zone
    };

    void clear() noexcept;
    void rebuild(const store::ReadTxn& txn);
    void insert(std::string_view key, std::uint8_t flags);
    const Slot* find(std::string_view prefix, std::uint64_t hash) const noexcept;
    Slot* find(std::string_view key) noexcept;

    std::vector<Slot> slots_; // open addressing, linear probing, power-of-two size
    std::string keys_;
    std::size_t count_ = 0;
    std::uint64_t depths_[2] = {0, 0}; // bit n: some mark has n labels (n < 128)
    bool root_apex_ = false;           // we serve the root zone (its key is empty: no slot)
    bool root_wildcards_ = false;
    bool root_signed_ = false;
    bool root_expired_ = false;
    std::uint64_t txn_id_ = 0;
    std::uint64_t generation_ = ~std::uint64_t{0};
};

} // namespace sb::zones
