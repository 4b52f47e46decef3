// Record values (presentation text) to wire rdata and back, through ldns.
#include "ldns_rr.hpp"
#include "store/store.hpp"
#include "zones/zones.hpp"

#include <ldns/ldns.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace sb::zones {

namespace {

using detail::RrPtr;
using detail::wire_rdata;

// Splits presentation text into fields, keeping "quoted strings" (with escapes) as one field.
std::vector<std::string> fields(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) {
            ++i;
        }
        if (i == text.size()) {
            break;
        }
        std::size_t j = i;
        if (text[i] == '"') {
            for (++j; j < text.size() && text[j] != '"'; ++j) {
                if (text[j] == '\\') {
                    ++j;
                }
            }
            j = std::min(j + 1, text.size());
        } else {
            while (j < text.size() && text[j] != ' ' && text[j] != '\t') {
                ++j;
            }
        }
        out.emplace_back(text.substr(i, j - i));
        i = j;
    }
    return out;
}

bool ends_with_zone(std::string_view target, std::string_view zone) {
    if (zone.empty() || target.size() < zone.size()) {
        return false;
    }
    const auto tail = target.substr(target.size() - zone.size());
    const bool same = std::equal(tail.begin(), tail.end(), zone.begin(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == b;
    });
    return same && (target.size() == zone.size() || target[target.size() - zone.size() - 1] == '.');
}

// A target ending in the zone name, with a trailing dot, or with a dot and not starting with
// '_' is absolute; any other (no dot, or a leading '_') is relative to the zone; "@" and ""
// are the apex (reference/ngnpro-api.md §10.8, docs/decisions.md).
std::string qualify(std::string_view target, std::string_view zone) {
    if (target == ".") {
        return ".";
    }
    if (target.empty() || target == "@") {
        return std::string(zone) + ".";
    }
    if (target.back() == '.') {
        return std::string(target);
    }
    if (ends_with_zone(target, zone)) {
        return std::string(target) + ".";
    }
    if (target.find('.') == std::string_view::npos || target.front() == '_') {
        return zone.empty() ? std::string(target) + "."
                            : std::string(target) + "." + std::string(zone) + ".";
    }
    return std::string(target) + ".";
}

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) {
            out.push_back(' ');
        }
        out += p;
    }
    return out;
}

std::string quote_txt(std::string_view value) {
    if (!value.empty() && value.front() == '"') {
        return std::string(value); // already presentation form: "a" "b"
    }
    // One character-string per 255 bytes (RFC 1035 §3.3.14).
    std::string out;
    std::size_t n = 0;
    out.push_back('"');
    for (const char c : value) {
        if (n == 255) {
            out += "\" \"";
            n = 0;
        }
        if (c == '"' || c == '\\') {
            out.push_back('\\');
        }
        out.push_back(c);
        ++n;
    }
    out.push_back('"');
    return out;
}

bool is_number(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// The presentation rdata ldns parses, built from a DnsRecord value and priority.
std::string presentation(RRType type, std::string_view value, std::uint32_t priority,
                         std::string_view zone) {
    auto f = fields(value);
    switch (type) {
    case RRType::CNAME:
    case RRType::NS:
    case RRType::PTR:
    case RRType::DNAME:
        if (f.size() != 1) {
            throw InvalidValue("value", std::string(to_string(type)) + " takes one target name");
        }
        return qualify(f[0], zone);
    case RRType::MX:
        if (f.size() == 2 && is_number(f[0])) {
            return f[0] + " " + qualify(f[1], zone);
        }
        if (f.size() != 1) {
            throw InvalidValue("value", "MX takes the mail server name (preference in priority)");
        }
        return std::to_string(priority) + " " + qualify(f[0], zone);
    case RRType::SRV:
        if (f.size() == 4) {
            f[3] = qualify(f[3], zone);
            return join(f);
        }
        if (f.size() != 3) {
            throw InvalidValue("value", "SRV takes 'weight port target' (priority in priority)");
        }
        return std::to_string(priority) + " " + f[0] + " " + f[1] + " " + qualify(f[2], zone);
    case RRType::NAPTR:
        if (f.size() != 6) {
            throw InvalidValue("value", "NAPTR takes 'order preference \"flags\" \"service\" "
                                        "\"regexp\" replacement'");
        }
        if (priority > 0) {
            f[1] = std::to_string(priority); // priority is the preference (docs/decisions.md)
        }
        f[5] = qualify(f[5], zone);
        return join(f);
    case RRType::TXT:
        return quote_txt(value);
    case RRType::SVCB:
    case RRType::HTTPS:
        // RFC 9460 §2.1: SvcPriority TargetName SvcParams; the target follows the rule above.
        if (f.size() >= 2) {
            f[1] = qualify(f[1], zone);
            return join(f);
        }
        return std::string(value);
    default:
        return std::string(value);
    }
}

RrPtr parse_rr(RRType type, const std::string& rdata_text, const std::string& field) {
    const std::string line =
        ". 0 IN " + std::string(to_string(detail::ldns_format_of(type))) + " " + rdata_text;
    ldns_rr* rr = nullptr;
    const ldns_status st = ldns_rr_new_frm_str(&rr, line.c_str(), 0, nullptr, nullptr);
    if (st != LDNS_STATUS_OK) {
        throw InvalidValue(field, std::string(to_string(type)) + " " + ldns_get_errorstr_by_id(st) +
                                      " in '" + rdata_text + "'");
    }
    return RrPtr(rr);
}

} // namespace

std::string record_rdata(RRType type, std::string_view value, std::uint32_t priority,
                         std::string_view zone) {
    if (priority > 0xffff) {
        throw InvalidValue("priority", "must be 0..65535");
    }
    const std::string text = presentation(type, value, priority, zone);
    if (text.empty()) {
        throw InvalidValue("value", std::string(to_string(type)) + " value is empty");
    }
    const RrPtr rr = parse_rr(type, text, "value");
    if (ldns_rr_rd_count(rr.get()) == 0) {
        throw InvalidValue("value", std::string(to_string(type)) + " value is empty");
    }
    return wire_rdata(rr.get());
}

std::string rdata_to_text(RRType type, std::string_view rdata) {
    if (type_info(type) == nullptr) {
        // RFC 3597 §5: "\# <length> <hex>" for a type without a presentation format of its own.
        static constexpr char hex[] = "0123456789abcdef";
        std::string out = "\\# " + std::to_string(rdata.size());
        if (!rdata.empty()) {
            out.push_back(' ');
        }
        for (const char c : rdata) {
            out.push_back(hex[(static_cast<unsigned char>(c) >> 4) & 0xf]);
            out.push_back(hex[static_cast<unsigned char>(c) & 0xf]);
        }
        return out;
    }
    std::string wire;
    wire.push_back('\0'); // owner: root
    for (const std::uint16_t v :
         {static_cast<std::uint16_t>(detail::ldns_format_of(type)), std::uint16_t{1}}) {
        wire.push_back(static_cast<char>(v >> 8));
        wire.push_back(static_cast<char>(v));
    }
    wire.append(4, '\0'); // ttl
    wire.push_back(static_cast<char>(rdata.size() >> 8));
    wire.push_back(static_cast<char>(rdata.size()));
    wire.append(rdata);
    ldns_rr* raw = nullptr;
    std::size_t pos = 0;
    if (ldns_wire2rr(&raw, reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size(), &pos,
                     LDNS_SECTION_ANSWER) != LDNS_STATUS_OK) {
        return "<malformed rdata>";
    }
    const RrPtr rr(raw);
    std::string out;
    for (std::size_t i = 0; i < ldns_rr_rd_count(rr.get()); ++i) {
        if (!out.empty()) {
            out.push_back(' ');
        }
        out += detail::rdf_text(ldns_rr_rdf(rr.get(), i));
    }
    return out;
}

std::string email_to_rname(std::string_view email) {
    const auto at = email.find('@');
    if (at == std::string_view::npos) {
        return canonical_name(email, "email");
    }
    std::string local;
    for (const char c : email.substr(0, at)) {
        if (c == '.') {
            local += "\\."; // RFC 1035 §8: a dot in the local part is escaped
        } else {
            local.push_back(c);
        }
    }
    if (local.empty()) {
        throw InvalidValue("email", "has no local part");
    }
    const std::string domain = canonical_name(email.substr(at + 1), "email");
    if (domain.empty()) {
        throw InvalidValue("email", "has no domain");
    }
    return local + "." + domain;
}

namespace {

// A name of an SOA in wire form, through ldns's own name parser (escapes, label and name
// lengths). Whitespace and the master-file specials stay refused, as in a whole SOA's text.
void append_soa_name(std::string& out, const std::string& name) {
    if (name.find_first_of(" \t\r\n;()\"") != std::string::npos) {
        throw InvalidValue("zone", "SOA name '" + name + "' holds a space or one of ;()\"");
    }
    ldns_rdf* rdf = nullptr;
    const ldns_status st = ldns_str2rdf_dname(&rdf, (name + ".").c_str());
    if (st != LDNS_STATUS_OK) {
        throw InvalidValue("zone", std::string("SOA ") + ldns_get_errorstr_by_id(st) + " in '" +
                                       name + "'");
    }
    out.append(reinterpret_cast<const char*>(ldns_rdf_data(rdf)), ldns_rdf_size(rdf));
    ldns_rdf_deep_free(rdf);
}

} // namespace

// Built, not parsed: every change of a zone writes its SOA again (a new serial), so a bulk
// load builds one per operation. RFC 1035 §3.3.13: MNAME, RNAME, then SERIAL, REFRESH,
// RETRY, EXPIRE and MINIMUM, 32 bits each.
std::string soa_rdata(const Soa& soa) {
    std::string out;
    out.reserve(soa.mname.size() + soa.rname.size() + 4 + 20);
    append_soa_name(out, soa.mname);
    append_soa_name(out, soa.rname);
    for (const std::uint32_t v : {soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum}) {
        store::put_u32(out, v);
    }
    return out;
}

} // namespace sb::zones
