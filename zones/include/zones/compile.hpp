// Derives the DNS data (store::Table::DnsNodes) from the provisioned rows, inside the
// provisioning operation's write transaction.
#pragma once

#include "store/store.hpp"
#include "store/tables.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace sb::zones {

// Recomputes the node of `owner` (canonical name) from every source that puts RRs there:
// the apex data of a zone named `owner` (SOA from the zone row, NS from its nameservers) and
// the DNS records indexed at that owner. An owner left with no RRs loses its node.
void rebuild_node(store::WriteTxn& txn, std::string_view owner);

// Records a change of `zone` at `unix_time`: the next serial, the change date, the row
// written back and its apex node rebuilt (the new SOA).
void touch_zone(store::WriteTxn& txn, store::ZoneRow& zone, std::int64_t unix_time);

// The TTL of a zone's apex NS RRset when it is not the zone's TTL (an imported file's own),
// kept in Meta under "apex_ns_ttl:<zone>"; nullopt: the zone's TTL. Removed with the zone.
void set_apex_ns_ttl(store::WriteTxn& txn, std::string_view zone, std::optional<std::uint32_t> ttl);

// touch_zone with the serial the caller set in `zone` (zone import keeps the file's).
void write_zone(store::WriteTxn& txn, store::ZoneRow& zone, std::int64_t unix_time);

// The SOA and apex NS of a zone row, as the zone's RRs (also used by export/tests).
std::string soa_rdata_of(const store::ZoneRow& zone);

} // namespace sb::zones
