// Zone files (RFC 1035 §5 master files) in and out of the store, and the zone's RRs in
// transfer order (AXFR, export). Write side and transfers: these allocate and may throw.
#pragma once

#include "store/store.hpp"
#include "zones/zones.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones {

struct ImportOptions {
    std::string zone;          // the origin; empty: the owner of the file's SOA
    std::int64_t customer = 0; // owner of the zone and its records
    std::int64_t reseller = 0; // 0: the customer's reseller when the customer is known
    std::int64_t now = 0;      // unix time of the change (change dates, serial)
};

struct ImportResult {
    std::string zone;
    std::size_t records = 0;
    std::uint32_t serial = 0;
    std::vector<std::string> warnings; // what the store cannot represent exactly
};

// Parses `text` (a master file, via ldns) and makes it the content of one DnsPort zone in
// `txn`: the SOA values and apex NS go into the ZoneRow, every other RR becomes a record
// row (indexes, nodes, serial) exactly as DnsService writes them. An existing zone of that
// name has its records replaced. The serial is the file's when that is larger than the
// zone's, else the next one. Throws InvalidValue naming the line that cannot be stored.
ImportResult import_zone(store::WriteTxn& txn, const std::string& text, const ImportOptions& o);

// One RR of a zone as a secondary receives it: owner canonical (no trailing dot).
struct ZoneRr {
    std::string owner;
    RRType type{};
    std::uint32_t ttl = 0;
    std::string rdata;
};

// The RRs of `zone` (canonical) from Table::DnsNodes in canonical order, the SOA first (not
// repeated at the end), names of child zones we also serve left out, glue below cuts kept.
// Empty when we do not serve the zone.
std::vector<ZoneRr> zone_rrs(const store::ReadTxn& txn, std::string_view zone);

// The zone as a master file: $ORIGIN, then one absolute RR per line (zone_rrs order).
std::string export_zone(const store::ReadTxn& txn, std::string_view zone);

// "com\0example\0www\0" → "www.example.com".
std::string key_to_name(std::string_view key);

} // namespace sb::zones
