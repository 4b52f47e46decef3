// Typed rows of the provisioning tables and their codecs. Each row has an explicit,
// length-checked codec (store::Writer/Reader) with a leading format byte.
#pragma once

#include "store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::store {

enum class ZoneKind : std::uint8_t {
    Dns = 0,  // a DnsPort zone
    Enum = 1, // the zone of an ENUM range (EnumPort owns it)
};

// Table::Zones, key = name (canonical text, no trailing dot).
struct ZoneRow {
    std::string name;
    ZoneKind kind = ZoneKind::Dns;
    std::uint32_t ttl = 3600;
    std::vector<std::string> nameservers; // canonical
    std::string email;                    // as given: "hostmaster@example.com"
    std::uint32_t serial = 0;
    std::uint32_t refresh = 10800;
    std::uint32_t retry = 3600;
    std::uint32_t expire = 604800;
    std::uint32_t minimum = 3600;
    std::int64_t customer = 0;
    std::int64_t reseller = 0;
    std::int64_t change_date = 0; // unix seconds
    std::string info;
};

// Table::Records, key = u64_key(id).
struct RecordRow {
    std::uint64_t id = 0;
    std::string zone;  // canonical zone name
    std::string name;  // canonical owner name (fully qualified, no trailing dot)
    std::uint16_t type = 0;
    std::uint32_t ttl = 0; // 0: the zone's ttl
    std::string value;     // as provisioned
    std::uint32_t priority = 0;
    std::int64_t owner = 0;
    std::int64_t customer = 0;
    std::int64_t reseller = 0;
    std::int64_t change_date = 0;
    std::string rdata; // wire form compiled from value (zones::record_rdata)
};

// Table::EnumRanges, key = enum_range_key(tld, prefix). Its DNS zone is the ZoneRow named
// zone (kind Enum), which holds ttl, nameservers and serial.
struct EnumRangeRow {
    std::string prefix; // digits
    std::string tld;    // canonical, e.g. "e164.arpa"
    std::string zone;   // reversed prefix digits under tld
    std::uint32_t min_digits = 0;
    std::uint32_t max_digits = 0;
    std::uint32_t size = 0; // 0: unlimited
    std::uint32_t used = 0;
    std::int64_t customer = 0;
    std::int64_t reseller = 0;
    std::int64_t change_date = 0;
    std::string info;
};

struct EnumMappingRow {
    std::uint32_t id = 0;
    std::string type;
    std::string mapto;
    std::uint32_t priority = 0;
    std::uint32_t ttl = 0; // 0: the range's ttl
};

// Table::EnumNumbers, key = name_key of the number's e164 name.
struct EnumNumberRow {
    std::string number; // digits
    std::string tld;
    std::string range_prefix;
    std::vector<EnumMappingRow> mappings;
    std::string info;
    std::int64_t owner = 0;
    std::int64_t customer = 0;
    std::int64_t reseller = 0;
    std::int64_t change_date = 0;
};

std::string encode(const ZoneRow& row);
ZoneRow decode_zone(std::string_view value);
std::string encode(const RecordRow& row);
RecordRow decode_record(std::string_view value);
std::string encode(const EnumRangeRow& row);
EnumRangeRow decode_enum_range(std::string_view value);
std::string encode(const EnumNumberRow& row);
EnumNumberRow decode_enum_number(std::string_view value);

std::string enum_range_key(std::string_view tld, std::string_view prefix);

// Index keys. RecordsByOwner: owner key + '\0' + id — the extra NUL (an empty label never
// occurs in a name key) keeps one owner's entries apart from its descendants'.
std::string records_by_zone_key(std::string_view zone, std::uint64_t id);
std::string records_by_zone_prefix(std::string_view zone);
std::string records_by_owner_prefix(std::string_view owner_name_key);
std::string records_by_owner_key(std::string_view owner_name_key, std::uint64_t id);

template <class Txn>
std::optional<ZoneRow> get_zone(const Txn& txn, std::string_view name) {
    const auto v = txn.get(Table::Zones, name);
    return v ? std::optional<ZoneRow>(decode_zone(*v)) : std::nullopt;
}

template <class Txn>
std::optional<RecordRow> get_record(const Txn& txn, std::uint64_t id) {
    const auto v = txn.get(Table::Records, u64_key(id));
    return v ? std::optional<RecordRow>(decode_record(*v)) : std::nullopt;
}

// Ids of the entries of an index whose keys start with `prefix` (the id is the last 8 bytes).
template <class Txn>
std::vector<std::uint64_t> ids_with_prefix(const Txn& txn, Table index, std::string_view prefix) {
    std::vector<std::uint64_t> ids;
    Cursor c = txn.cursor(index);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        if (c.key().size() == prefix.size() + 8) {
            ids.push_back(get_u64(c.key(), prefix.size()));
        }
    }
    return ids;
}

} // namespace sb::store
