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
    Dns = 0,     // a DnsPort zone
    Enum = 1,    // the zone of an ENUM range (EnumPort owns it)
    Catalog = 2, // the RFC 9432 catalog zone, derived (zones/catalog.hpp); no port writes it
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

// Table::Records, key = u64_key(id). Stored slim (format 3): when rdata_in_node, the rdata is
// the owner's node's (its RRset of `type`, at the rank of this row among the owner's rows of
// that type that are in the node, in id order) and encode() drops it; when value_derived,
// `value` is the presentation of the rdata (zones::record_value) and encode() drops it too.
// zones/compile.hpp reads records whole (zones::get_record, owner_records) and writes them
// (set_owner_records), deciding both flags; decode_record leaves the dropped fields empty.
struct RecordRow {
    std::uint64_t id = 0;
    std::string zone; // canonical zone name
    std::string name; // canonical owner name (fully qualified, no trailing dot)
    std::uint16_t type = 0;
    std::uint32_t ttl = 0; // 0: the zone's ttl
    std::string value;     // as provisioned
    std::uint32_t priority = 0;
    std::int64_t owner = 0;
    std::int64_t customer = 0;
    std::int64_t reseller = 0;
    std::int64_t change_date = 0;
    std::string rdata; // wire form compiled from value (zones::record_rdata)
    bool rdata_in_node = false;
    bool value_derived = false;
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

// An ENUM number, key = name_key of the number's e164 name. Its row ends the number's DNS
// node (split_node_tail); a number without a node (no mappings, no records at its name) keeps
// it in Table::EnumNumbers. Stored slim: the row keeps what the DNS node and the key lack
// (mapping ids, explicit TTLs, owner, customer, info); the number and the tld are the key's
// labels (the row says how many are the tld's), the range prefix a length of the number's;
// the type, mapto and priority of each mapping are the NAPTRs of the number's node, the last
// mappings.size() RRs of its NAPTR RRset. encode() drops them; zones::read_enum_number puts
// them back, zones::write_enum_number writes both.
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

struct PropertyRow {
    std::string name, value, category, permission;
};

// Table::Customers, key = u64_key(id). A customer with id == reseller is a reseller.
struct CustomerRow {
    std::int64_t id = 0;
    std::int64_t reseller = 0;
    std::int64_t impersonate = 0;
    std::string username;
    std::string password_hash; // "pbkdf2-sha256$iterations$salt$hash", never clear text
    // The CustomerAccount string fields (firstName, city, …) by their wire names.
    std::vector<std::pair<std::string, std::string>> text;
    double balance = 0;
    double credit = 0;
    bool reseller_active = false;
    std::int64_t change_date = 0;
    std::vector<PropertyRow> properties;

    bool is_reseller() const noexcept { return id == reseller; }

    const PropertyRow* property(std::string_view name) const noexcept {
        for (const auto& p : properties) {
            if (p.name == name) {
                return &p;
            }
        }
        return nullptr;
    }
};

std::string encode(const ZoneRow& row);
[[nodiscard]] ZoneRow decode_zone(std::string_view value);
std::string encode(const RecordRow& row);
// `id` is the row's key (the value does not repeat it).
[[nodiscard]] RecordRow decode_record(std::string_view value, std::uint64_t id);
std::string encode(const EnumRangeRow& row);
[[nodiscard]] EnumRangeRow decode_enum_range(std::string_view value);
std::string encode(const EnumNumberRow& row);
// `key` is the row's key (the number and the tld are its labels).
[[nodiscard]] EnumNumberRow decode_enum_number(std::string_view key, std::string_view value);

std::string encode(const CustomerRow& row);
[[nodiscard]] CustomerRow decode_customer(std::string_view value);

template <class Txn>
[[nodiscard]] std::optional<CustomerRow> get_customer(const Txn& txn, std::int64_t id) {
    const auto v = txn.get(Table::Customers, u64_key(static_cast<std::uint64_t>(id)));
    return v ? std::optional<CustomerRow>(decode_customer(*v)) : std::nullopt;
}

// Table::Counters: how many records of `kind` a customer ('c') or a reseller ('r') holds.
std::string counter_key(char scope, std::int64_t id, std::string_view kind);

template <class Txn>
[[nodiscard]] std::uint64_t get_counter(const Txn& txn, char scope, std::int64_t id,
                                        std::string_view kind) {
    const auto v = txn.get(Table::Counters, counter_key(scope, id, kind));
    return v && v->size() == 8 ? get_u64(*v, 0) : 0;
}

void add_counter(WriteTxn& txn, char scope, std::int64_t id, std::string_view kind,
                 std::int64_t delta);

std::string enum_range_key(std::string_view tld, std::string_view prefix);

// The ids of the records at an owner, ascending: varint count, then each id as a varint
// difference from the one before. They end the owner's DNS node (zones/node.hpp, format 2);
// an owner with records but no node keeps them in Table::RecordsByOwner, key = its name key,
// as a row: format 1, then these bytes (encode_record_ids_row).
std::string encode_record_ids(const std::vector<std::uint64_t>& ids);
[[nodiscard]] std::vector<std::uint64_t> decode_record_ids(std::string_view bytes);
std::string encode_record_ids_row(const std::vector<std::uint64_t>& ids);
[[nodiscard]] std::vector<std::uint64_t> decode_record_ids_row(std::string_view value);

// What ends an owner's DNS node (zones/node.hpp, format 2), past its parent side: the record
// ids (encode_record_ids), then, when the owner is an ENUM number, the number's row
// (encode(EnumNumberRow)); each empty when absent. Throws Error::corrupted when the ids run
// past the end.
struct NodeTail {
    std::string_view record_ids;
    std::string_view enum_number;
};

[[nodiscard]] NodeTail split_node_tail(std::string_view tail);

template <class Txn>
[[nodiscard]] std::optional<ZoneRow> get_zone(const Txn& txn, std::string_view name) {
    const auto v = txn.get(Table::Zones, name);
    return v ? std::optional<ZoneRow>(decode_zone(*v)) : std::nullopt;
}

} // namespace sb::store
