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
    KX = 36,
    DNAME = 39,
    OPT = 41,
    DS = 43,
    RRSIG = 46,
    NSEC = 47,
    DNSKEY = 48,
    NSEC3 = 50,
    NSEC3PARAM = 51,
    TLSA = 52,
    CDS = 59,
    CDNSKEY = 60,
    SVCB = 64,
    HTTPS = 65,
    TSIG = 250,
    IXFR = 251,
    AXFR = 252,
    ANY = 255,
    CAA = 257,
};

enum class TypeClass : std::uint8_t {
    Data, // may be stored in a zone
    Meta, // RFC 6895 §3.1 meta-TYPEs and QTYPEs (OPT, TSIG, AXFR, ANY…): never stored
};

// What the server needs to know of one RR type, from one table (zones/src/rrtypes.cpp).
struct TypeInfo {
    static constexpr std::int8_t name_field = -1;

    std::uint16_t code;
    const char* name; // the mnemonic ldns and master files use
    TypeClass kind;
    // The rdata layout when it holds names that may be compressed (RFC 3597 §4: only the
    // RFC 1035 types): name_field for a name, n > 0 for n fixed bytes, 0 ends it. All zero:
    // the rdata is written as stored.
    std::int8_t compress[3];
    // Offset in the rdata of the name whose A/AAAA go into ADDITIONAL, or -1.
    std::int8_t target;
};

// The descriptor of `t`, or null for a type not in the table (an RFC 3597 unknown type).
const TypeInfo* type_info(RRType t) noexcept;

// "A", "NAPTR"…; "TYPE<n>" (RFC 3597 §5) for types not in the table. Never null; the text of
// an unknown type lives in a per-thread buffer until the next call.
const char* to_string(RRType t) noexcept;

// "caa", "TYPE65400" → the type; nullopt for other text.
std::optional<RRType> type_from_string(std::string_view s);

// True for a type a zone may hold: not a meta-TYPE or QTYPE, not reserved (RFC 6895 §3.1).
bool zone_data_type(RRType t) noexcept;

// The record types a DnsRecord may carry: the guide's DnsRecordType (A AAAA CNAME MX NAPTR NS
// SRV TXT PTR LOC) and, as an extension, every other zone data type by mnemonic or TYPEnnn,
// but SOA (the zone's) and RRSIG/NSEC/NSEC3/NSEC3PARAM (a signer's). docs/decisions.md.
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

// The root's key ("") as the store keeps it and a cursor shows it (LMDB has no empty keys).
constexpr std::string_view root_stored_key{"\0", 1};

// Labels of a store key (one '\0' ends each).
unsigned key_labels(std::string_view key) noexcept;

// Reads the uncompressed name at `wire[0..avail)` (a question name), writes its lowercase store
// key to `key` (capacity max_key_len) and the number of labels to `labels`. Returns the wire
// length of the name, or 0 when it is malformed (compression pointer, overlong, truncated).
std::size_t wire_to_key(const std::uint8_t* wire, std::size_t avail, std::uint8_t* key,
                        std::size_t& key_len, unsigned& labels) noexcept;

// Labels a name can have: 127 fit in 255 bytes.
constexpr std::size_t max_labels = 128;

// wire_to_key's second half, for a caller that already walked the name: the well-formed wire name
// `wire` of `wire_len` bytes, whose `count` labels start at `starts` (leaf first), to its key of
// wire_len - 1 bytes. False when a label holds a NUL byte.
bool labels_to_key(const std::uint8_t* wire, std::size_t wire_len, const std::uint8_t* starts,
                   unsigned count, std::uint8_t* key) noexcept;

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

// RFC 1982 §3.2: is serial `a` less than `b`? (Undefined pairs, 2^31 apart, are not less.)
constexpr bool serial_lt(std::uint32_t a, std::uint32_t b) noexcept {
    return (a < b && b - a < 0x80000000u) || (a > b && a - b > 0x80000000u);
}

// A record's TTL as stored (store::RecordRow::ttl): 0 means "the zone's TTL", so an explicit
// TTL of 0 is stored as explicit_zero_ttl — a value RFC 2181 §8 already reads as zero ("a TTL
// value ... which has the most significant bit set" is treated "as if the entire value
// received was zero").
constexpr std::uint32_t explicit_zero_ttl = 0x80000000u;

constexpr std::uint32_t stored_ttl(std::uint32_t ttl) noexcept {
    return ttl == 0 || ttl >= explicit_zero_ttl ? explicit_zero_ttl : ttl;
}

// The TTL a stored record is served with.
constexpr std::uint32_t served_ttl(std::uint32_t stored, std::uint32_t zone_ttl) noexcept {
    return stored == 0 ? zone_ttl : stored >= explicit_zero_ttl ? 0 : stored;
}

} // namespace sb::zones
