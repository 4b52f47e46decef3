// Zone files (RFC 1035 §5 master files) in and out of the store, and the zone's RRs in
// transfer order (AXFR, export). Write side and transfers: these allocate and may throw.
#pragma once

#include "store/store.hpp"
#include "zones/zones.hpp"

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones {

struct ImportOptions {
    std::string zone;          // the origin; empty: the owner of the file's SOA
    std::int64_t customer = 0; // owner of the zone and its records
    std::int64_t reseller = 0; // 0: the customer's reseller when the customer is known
    std::int64_t now = 0;      // unix time of the change (change dates, serial)
    bool force_serial = false; // take the file's serial even when it is lower (RFC 1982)
};

struct ImportResult {
    std::string zone;
    std::size_t records = 0;
    std::uint32_t serial = 0;
    std::size_t duplicates = 0;        // identical RRs merged (RFC 2181 §5)
    std::size_t owners = 0;            // nodes rebuilt (the names the write touched)
    std::vector<std::string> warnings; // what the store cannot represent exactly
};

// Parses `text` (a master file, via ldns) and makes it the content of one DnsPort zone in
// `txn`: the SOA values and apex NS go into the ZoneRow, every other RR (any type but the
// meta-types, RFC 3597 unknown ones included) becomes a record row (indexes, nodes) exactly as
// DnsService writes them, with its TTL (0 included) and the rdata ldns read. Identical RRs are
// merged; a repeated identical SOA (`dig axfr` output) ends the zone. An existing zone of that
// name has its records replaced. The serial is the file's; a lower one than the zone's (RFC
// 1982) is refused unless o.force_serial; the same one with changed content becomes the next.
// Throws InvalidValue naming the line, owner and type that cannot be stored.
ImportResult import_zone(store::WriteTxn& txn, const std::string& text, const ImportOptions& o);

// One RFC 1995 difference sequence as master-file text (absolute names, one RR a line).
struct ZoneDiffText {
    std::string removed; // the RRs deleted, the old SOA left out
    std::string new_soa; // the SOA after the step
    std::string added;   // the RRs added
};

// Why apply_zone_diff cannot apply a diff record by record (the caller re-reads the zone).
class DiffNotApplicable : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// An incoming IXFR (RFC 1995 §4) applied to the stored `zone` at record level, in `txn`:
// per step, the removed RRs are deleted (matched by owner, type and wire rdata, whatever the
// TTL), the zone row takes the new SOA (its serial as it is), the added RRs are stored as
// import_zone stores them (an RR already held takes the new TTL); then only the owners named
// are rebuilt (journal, zone marks, catalog as for any write). Cost: O(changes), not O(zone).
// Throws DiffNotApplicable, having written part of it (abort the transaction), when a step
// deletes an RR not held, changes the apex NS RRset (kept in the zone row) or has no SOA;
// InvalidValue when an RR cannot be stored.
ImportResult apply_zone_diff(store::WriteTxn& txn, std::string_view zone,
                             const std::vector<ZoneDiffText>& steps, std::int64_t now);

// Deletes `zone` in `txn`: its records, its Zones row, its nodes (rebuilt, so the journal,
// zone marks and catalog see it go) and its secondary mark. Nothing when there is no such zone.
void drop_zone(store::WriteTxn& txn, std::string_view zone);

// Zones this server holds as a secondary (dnsd's Secondary transfers them): Meta
// "secondary:<zone>" → the primary it came from ("ADDR:PORT"), written in the transaction of
// each transfer. Provisioning refuses writes to such a zone (they would be overwritten by the
// next transfer and never reach the primary).
void mark_secondary(store::WriteTxn& txn, std::string_view zone, std::string_view primary);
std::optional<std::string> secondary_primary(const store::ReadTxn& txn, std::string_view zone);
std::optional<std::string> secondary_primary(const store::WriteTxn& txn, std::string_view zone);
// Marks the secondary `zone` expired (or no longer) in ZoneMarks (NodeExpired at its apex):
// answered SERVFAIL until the mark goes; a transfer, which rebuilds the apex, also clears it.
// Nothing when the zone is not served.
void mark_expired(store::WriteTxn& txn, std::string_view zone, bool expired);
// Every zone marked secondary, in key order.
std::vector<std::string> secondary_zones(const store::ReadTxn& txn);

// One RR of a zone as a secondary receives it: owner canonical (no trailing dot).
struct ZoneRr {
    std::string owner;
    RRType type{};
    std::uint32_t ttl = 0;
    std::string rdata;

    friend bool operator==(const ZoneRr&, const ZoneRr&) = default;
    friend auto operator<=>(const ZoneRr&, const ZoneRr&) = default;
};

// The RRs of `zone` (canonical) from Table::DnsNodes in canonical order, the SOA first (not
// repeated at the end), names of child zones we also serve left out, glue below cuts kept,
// one node at a time: a transfer streams a zone without holding it. `txn` must outlive it.
template <class Txn>
class ZoneReader {
public:
    ZoneReader(const Txn& txn, std::string_view zone);
    ZoneReader(const ZoneReader&) = delete;
    ZoneReader& operator=(const ZoneReader&) = delete;

    // Whether we serve the zone (its apex node exists).
    bool served() const noexcept { return stage_ != Stage::Done || !batch_.empty(); }

    // The next RR into `rr`; false at the end. Throws store::Error on a malformed node.
    bool next(ZoneRr& rr);

private:
    enum class Stage : std::uint8_t { Nodes, Done };
    void fill(); // the next node's RRs into batch_

    const Txn& txn_;
    std::string zone_;
    std::string zkey_;
    store::Cursor cursor_;
    Stage stage_ = Stage::Done;
    bool ok_ = false; // cursor_ at the next node to read
    std::vector<ZoneRr> batch_;
    std::size_t pos_ = 0;
};

// The whole of ZoneReader: every RR of the zone; empty when we do not serve the zone.
std::vector<ZoneRr> zone_rrs(const store::ReadTxn& txn, std::string_view zone);
std::vector<ZoneRr> zone_rrs(const store::WriteTxn& txn, std::string_view zone);

// The zone as a master file: $ORIGIN, then one absolute RR per line (zone_rrs order).
std::string export_zone(const store::ReadTxn& txn, std::string_view zone);

// "com\0example\0www\0" → "www.example.com".
std::string key_to_name(std::string_view key);

} // namespace sb::zones
