// The per-type descriptor table (zones.hpp TypeInfo): one row per RR type we know by name,
// used by zone import, provisioning, wire writing, additional-section processing and
// transfers instead of type lists repeated in each of them.
#include "zones/zones.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

namespace sb::zones {

namespace {

constexpr std::int8_t N = TypeInfo::name_field; // a compressible name in the layout
constexpr std::int8_t no_target = -1;

// Sorted by code. `compress`: the layout of rdata whose names may be compressed — RFC 3597
// §4: "Servers MUST NOT compress domain names embedded in the RDATA of types that are class-
// specific or not well-known", the well-known ones being those of RFC 1035 (NS, MD, MF, CNAME,
// SOA, MB, MG, MR, PTR, MINFO, MX). `target`: the offset of the name additional-section
// processing looks up A/AAAA for (RFC 1035 §3.3 for NS/MD/MF/MB/MX, RFC 2230 KX, RFC 2782 SRV).
// Every other type's rdata is written as stored, names uncompressed.
constexpr TypeInfo table[] = {
    {1, "A", TypeClass::Data, {}, no_target},
    {2, "NS", TypeClass::Data, {N}, 0},
    {3, "MD", TypeClass::Data, {N}, 0},
    {4, "MF", TypeClass::Data, {N}, 0},
    {5, "CNAME", TypeClass::Data, {N}, no_target},
    {6, "SOA", TypeClass::Data, {N, N, 20}, no_target},
    {7, "MB", TypeClass::Data, {N}, 0},
    {8, "MG", TypeClass::Data, {N}, no_target},
    {9, "MR", TypeClass::Data, {N}, no_target},
    {10, "NULL", TypeClass::Data, {}, no_target},
    {11, "WKS", TypeClass::Data, {}, no_target},
    {12, "PTR", TypeClass::Data, {N}, no_target},
    {13, "HINFO", TypeClass::Data, {}, no_target},
    {14, "MINFO", TypeClass::Data, {N, N}, no_target},
    {15, "MX", TypeClass::Data, {2, N}, 2},
    {16, "TXT", TypeClass::Data, {}, no_target},
    {17, "RP", TypeClass::Data, {}, no_target},
    {18, "AFSDB", TypeClass::Data, {}, no_target},
    {19, "X25", TypeClass::Data, {}, no_target},
    {20, "ISDN", TypeClass::Data, {}, no_target},
    {21, "RT", TypeClass::Data, {}, no_target},
    {22, "NSAP", TypeClass::Data, {}, no_target},
    {23, "NSAP-PTR", TypeClass::Data, {}, no_target},
    {24, "SIG", TypeClass::Data, {}, no_target},
    {25, "KEY", TypeClass::Data, {}, no_target},
    {26, "PX", TypeClass::Data, {}, no_target},
    {27, "GPOS", TypeClass::Data, {}, no_target},
    {28, "AAAA", TypeClass::Data, {}, no_target},
    {29, "LOC", TypeClass::Data, {}, no_target},
    {30, "NXT", TypeClass::Data, {}, no_target},
    {31, "EID", TypeClass::Data, {}, no_target},
    {32, "NIMLOC", TypeClass::Data, {}, no_target},
    {33, "SRV", TypeClass::Data, {}, 6},
    {34, "ATMA", TypeClass::Data, {}, no_target},
    {35, "NAPTR", TypeClass::Data, {}, no_target},
    {36, "KX", TypeClass::Data, {}, 2},
    {37, "CERT", TypeClass::Data, {}, no_target},
    {38, "A6", TypeClass::Data, {}, no_target},
    {39, "DNAME", TypeClass::Data, {}, no_target},
    {40, "SINK", TypeClass::Data, {}, no_target},
    {41, "OPT", TypeClass::Meta, {}, no_target},
    {42, "APL", TypeClass::Data, {}, no_target},
    {43, "DS", TypeClass::Data, {}, no_target},
    {44, "SSHFP", TypeClass::Data, {}, no_target},
    {45, "IPSECKEY", TypeClass::Data, {}, no_target},
    {46, "RRSIG", TypeClass::Data, {}, no_target},
    {47, "NSEC", TypeClass::Data, {}, no_target},
    {48, "DNSKEY", TypeClass::Data, {}, no_target},
    {49, "DHCID", TypeClass::Data, {}, no_target},
    {50, "NSEC3", TypeClass::Data, {}, no_target},
    {51, "NSEC3PARAM", TypeClass::Data, {}, no_target},
    {52, "TLSA", TypeClass::Data, {}, no_target},
    {53, "SMIMEA", TypeClass::Data, {}, no_target},
    {55, "HIP", TypeClass::Data, {}, no_target},
    {58, "TALINK", TypeClass::Data, {}, no_target},
    {59, "CDS", TypeClass::Data, {}, no_target},
    {60, "CDNSKEY", TypeClass::Data, {}, no_target},
    {61, "OPENPGPKEY", TypeClass::Data, {}, no_target},
    {62, "CSYNC", TypeClass::Data, {}, no_target},
    {63, "ZONEMD", TypeClass::Data, {}, no_target},
    {64, "SVCB", TypeClass::Data, {}, no_target},
    {65, "HTTPS", TypeClass::Data, {}, no_target},
    {99, "SPF", TypeClass::Data, {}, no_target},
    {104, "NID", TypeClass::Data, {}, no_target},
    {105, "L32", TypeClass::Data, {}, no_target},
    {106, "L64", TypeClass::Data, {}, no_target},
    {107, "LP", TypeClass::Data, {}, no_target},
    {108, "EUI48", TypeClass::Data, {}, no_target},
    {109, "EUI64", TypeClass::Data, {}, no_target},
    {249, "TKEY", TypeClass::Meta, {}, no_target},
    {250, "TSIG", TypeClass::Meta, {}, no_target},
    {251, "IXFR", TypeClass::Meta, {}, no_target},
    {252, "AXFR", TypeClass::Meta, {}, no_target},
    {253, "MAILB", TypeClass::Meta, {}, no_target},
    {254, "MAILA", TypeClass::Meta, {}, no_target},
    {255, "ANY", TypeClass::Meta, {}, no_target},
    {256, "URI", TypeClass::Data, {}, no_target},
    {257, "CAA", TypeClass::Data, {}, no_target},
    {32769, "DLV", TypeClass::Data, {}, no_target},
};

constexpr std::size_t dense = 258; // codes below this are found by index

constexpr auto make_index() {
    std::array<std::uint8_t, dense> index{};
    for (std::size_t i = 0; i < std::size(table); ++i) {
        if (table[i].code < dense) {
            index[table[i].code] = static_cast<std::uint8_t>(i + 1);
        }
    }
    return index;
}

constexpr auto index = make_index();

constexpr bool sorted() {
    for (std::size_t i = 1; i < std::size(table); ++i) {
        if (table[i - 1].code >= table[i].code) {
            return false;
        }
    }
    return true;
}

static_assert(sorted(), "the type table is sorted by code");
static_assert(std::size(table) < 255, "the dense index holds positions in a byte");

bool equals_upper(std::string_view name, std::string_view s) noexcept {
    return name.size() == s.size() &&
           std::equal(name.begin(), name.end(), s.begin(), [](char a, char b) {
               return a == std::toupper(static_cast<unsigned char>(b));
           });
}

} // namespace

const TypeInfo* type_info(RRType t) noexcept {
    const auto code = static_cast<std::uint16_t>(t);
    if (code < dense) {
        return index[code] == 0 ? nullptr : &table[index[code] - 1];
    }
    const auto* it =
        std::lower_bound(std::begin(table), std::end(table), code,
                         [](const TypeInfo& i, std::uint16_t c) { return i.code < c; });
    return it != std::end(table) && it->code == code ? it : nullptr;
}

const char* to_string(RRType t) noexcept {
    if (const TypeInfo* info = type_info(t)) {
        return info->name;
    }
    // RFC 3597 §5: an unknown type is written "TYPE" followed by its decimal number.
    thread_local char buf[sizeof "TYPE65535"];
    std::snprintf(buf, sizeof buf, "TYPE%u", static_cast<unsigned>(t));
    return buf;
}

std::optional<RRType> type_from_string(std::string_view s) {
    for (const TypeInfo& info : table) {
        if (equals_upper(info.name, s)) {
            return static_cast<RRType>(info.code);
        }
    }
    if (s.size() > 4 && s.size() <= 9 && equals_upper("TYPE", s.substr(0, 4)) &&
        s.find_first_not_of("0123456789", 4) == std::string_view::npos) {
        const unsigned long n = std::stoul(std::string(s.substr(4)));
        if (n <= 0xffff) {
            return static_cast<RRType>(n);
        }
    }
    return std::nullopt;
}

bool zone_data_type(RRType t) noexcept {
    const auto code = static_cast<std::uint16_t>(t);
    if (const TypeInfo* info = type_info(t)) {
        return info->kind == TypeClass::Data;
    }
    // RFC 6895 §3.1: 0 is reserved, 128–255 are meta-TYPEs and QTYPEs; 65535 is reserved.
    return code != 0 && (code < 128 || code > 255) && code != 65535;
}

std::optional<RRType> record_type_from_string(std::string_view s) {
    const auto t = type_from_string(s);
    if (!t || !zone_data_type(*t)) {
        return std::nullopt;
    }
    switch (*t) {
    case RRType::SOA: // the zone's own (DnsZone)
    case RRType::RRSIG:
    case RRType::NSEC:
    case RRType::NSEC3:
    case RRType::NSEC3PARAM: // made by a signer, never provisioned one by one
        return std::nullopt;
    default:
        return t;
    }
}

} // namespace sb::zones
