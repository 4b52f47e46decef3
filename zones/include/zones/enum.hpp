// ENUM (RFC 6116): E.164 numbers as e164.arpa-style names, and mappings as NAPTR RRs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::zones {

// "31208005100", "e164.arpa" → "0.0.1.5.0.0.8.0.2.1.3.e164.arpa". Digits only (checked by
// the caller); an empty prefix gives the tld itself.
std::string e164_name(std::string_view digits, std::string_view tld);

// An ENUM service of the guide's NAPTR services table: the mapping `type` ("npd:tel"), the
// NAPTR service field ("E2U+npd+tel") and the URI schemes its mapto may use.
struct EnumService {
    std::string_view type;
    std::string_view service;
    std::vector<std::string_view> schemes;
};

// nullopt for a type not in the table.
const EnumService* enum_service(std::string_view type) noexcept;
const std::vector<EnumService>& enum_services();

// The NAPTR rdata of one mapping: order 100, preference = priority, flags "u", the service,
// regexp "!^.*$!<mapto>!", replacement "." (docs/decisions.md). Throws InvalidValue("mapto")
// when the mapto cannot be carried ('!' in it, or longer than a character-string).
std::string enum_naptr_rdata(const EnumService& service, std::string_view mapto,
                             std::uint32_t priority);

constexpr std::uint16_t enum_naptr_order = 100;

} // namespace sb::zones
