// sb::zones — the DNS data model: names and their store keys, RR types, record values in
// wire form (via ldns), SOA rules. The query-side functions are noexcept and allocation free;
// the write-side ones throw InvalidValue naming the field and the reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones {

enum class RRType : std::uint16_t {
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    LOC = 29,
    SRV = 33,
    NAPTR = 35,
    OPT = 41,
    IXFR = 251,
    AXFR = 252,
    ANY = 255,
};

// "A", "NAPTR"…; "TYPE<n>" for others. Never null.
const char* to_string(RRType t) noexcept;
// The record types a DnsRecord may carry (DnsRecordType): A AAAA CNAME MX NAPTR NS SRV TXT PTR LOC.
std::optional<RRType> record_type_from_string(std::string_view s);

// A provisioning value that cannot be stored: which field, and why (ldns's words when ldns said).
class InvalidValue : public std::runtime_error {
public:
    InvalidValue(std::string field, const std::string& reason)
        : std::runtime_error(field + ": " + reason)
        , field_(std::move(field)) {}

    const std::string& field() const noexcept { return field_; }

private:
    std::string field_;
};

// ---- names, write side ----

// "WWW.Example.com." → "www.example.com"; the root is "". Checks label (63) and name (255)
// lengths, refuses empty labels and bytes that cannot be stored (NUL). Throws InvalidValue.
std::string canonical_name(std::string_view text, const std::string& field);

// True when `name` equals `zone` or lies below it (both canonical).
bool in_zone(std::string_view name, std::string_view zone) noexcept;

// Store key of a canonical name: labels from the root down, each followed by '\0'
// ("www.example.com" → "com\0example\0www\0"), so cursor order is canonical DNS order and a
// zone's names are contiguous. The root's key is "".
std::string name_key(std::string_view canonical);

// Uncompressed wire form of a canonical name.
std::string name_to_wire(std::string_view canonical);

// ---- names, query side (noexcept, no allocation) ----

constexpr std::size_t max_key_len = 256;

// Labels of a store key (one '\0' ends each).
unsigned key_labels(std::string_view key) noexcept;

// Reads the uncompressed name at `wire[0..avail)` (a question name), writes its lowercase store
// key to `key` (capacity max_key_len) and the number of labels to `labels`. Returns the wire
// length of the name, or 0 when it is malformed (compression pointer, overlong, truncated).
std::size_t wire_to_key(const std::uint8_t* wire, std::size_t avail, std::uint8_t* key,
                        std::size_t& key_len, unsigned& labels) noexcept;

// ---- record values, write side (ldns) ----

// Wire rdata of a DnsRecord value. `zone` qualifies relative targets: a target with no dot or
// starting with '_' is relative to the zone, any other is absolute (docs/decisions.md).
// `priority` is the MX preference / SRV priority / NAPTR preference. Throws InvalidValue
// ("value") with ldns's reason when ldns rejects the text.
std::string record_rdata(RRType type, std::string_view value, std::uint32_t priority,
                         std::string_view zone);

// Presentation form of wire rdata (for logs, export and tests).
std::string rdata_to_text(RRType type, std::string_view rdata);

struct Soa {
    std::string mname; // primary name server (canonical)
    std::string rname; // contact, as a name: "hostmaster.example.com"
    std::uint32_t serial = 0;
    std::uint32_t refresh = 0;
    std::uint32_t retry = 0;
    std::uint32_t expire = 0;
    std::uint32_t minimum = 0;
};

std::string soa_rdata(const Soa& soa);

// "hostmaster@example.com" or "hostmaster.example.com" → "hostmaster.example.com"
// (a '.' in the local part is escaped as RFC 1035 requires). Throws InvalidValue("email").
std::string email_to_rname(std::string_view email);

// The serial that follows `current` after a change at `unix_time`: YYYYMMDDnn while that is
// larger, else current + 1 (docs/decisions.md).
std::uint32_t next_serial(std::uint32_t current, std::int64_t unix_time) noexcept;

} // namespace sb::zones
