// The catalog zone (RFC 9432, schema version 2): a zone listing every other zone this server
// serves, so a secondary configured with the catalog alone follows zones as they come and go.
//
// Derived at write time, in the write transaction of the change: rebuild_node() notices a
// zone apex appearing or disappearing (the one step every zone creation and deletion takes:
// SOAP, ENUM ranges, zone import) and calls catalog_member_added/removed, which rewrite the
// member's catalog nodes and bump the catalog's serial. The catalog's nodes go through
// rebuild_node like any zone's, so they are journaled (IXFR), marked and NOTIFYed alike.
//
// Store (Table::Meta): "catalog" → the catalog's name; "catalog_member:<id>" → member name.
// The catalog's Zones row has ZoneKind::Catalog; NS "invalid." (RFC 9432 §4.1).
#pragma once

#include "store/store.hpp"
#include "store/tables.hpp"
#include "zones/node.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sb::zones {

// The configured catalog zone's name (canonical), nullopt when there is none.
std::optional<std::string> catalog_name(const store::WriteTxn& txn);
std::optional<std::string> catalog_name(const store::ReadTxn& txn);

// Makes `name` the catalog zone (nullopt: no catalog): creates its zone when missing, drops a
// previous catalog of another name, and lists every zone not yet listed (and unlists zones that
// are gone), bumping its serial when anything changed. Throws InvalidValue("catalog") when a
// zone that is not a catalog already has that name.
void configure_catalog(store::WriteTxn& txn, const std::optional<std::string>& name,
                       std::int64_t unix_time);

// The catalog group (RFC 9432 §4.4.2) of a zone of this kind: "dns" or "enum"; empty for the
// catalog itself, which is no member.
std::string_view catalog_group(store::ZoneKind kind) noexcept;

// The member ID of a zone: the first 8 bytes, in hex, of the SHA-256 of the zone's lowercase
// uncompressed wire name. It depends on the name only, so it survives restarts, re-imports and
// a delete and re-add.
std::string catalog_member_id(std::string_view zone);

// Called by rebuild_node when the apex of `zone` appears or goes (not for the catalog itself).
void catalog_member_added(store::WriteTxn& txn, std::string_view catalog, std::string_view zone);
void catalog_member_removed(store::WriteTxn& txn, std::string_view catalog, std::string_view zone);

// Adds the catalog RRs that belong at `owner` (below `catalog`) to `node`: version TXT "2",
// <id>.zones PTR <member>, group.<id>.zones TXT "dns" | "enum".
void catalog_node(const store::WriteTxn& txn, std::string_view catalog, std::string_view owner,
                  NodeBuilder& node);

} // namespace sb::zones
