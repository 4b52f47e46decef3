#include "zones/zones.hpp"

#include <cctype>
#include <ctime>

namespace sb::zones {

namespace {

char lower(char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

} // namespace

std::string canonical_name(std::string_view text, const std::string& field) {
    // Presentation escapes (\. or \DDD) are not accepted: provisioned names are host names,
    // SRV/ENUM labels and wildcards. Refusing them keeps NUL out of labels (docs/decisions.md).
    while (!text.empty() && text.back() == '.') {
        text.remove_suffix(1);
    }
    std::string out;
    out.reserve(text.size());
    std::size_t label = 0;
    for (const char c : text) {
        if (c == '.') {
            if (label == 0) {
                throw InvalidValue(field, "empty label in '" + std::string(text) + "'");
            }
            label = 0;
            out.push_back('.');
            continue;
        }
        const auto u = static_cast<unsigned char>(c);
        if (u <= ' ' || u == 0x7f || c == '\\' || c == '"' || c == '(' || c == ')' || c == ';' ||
            c == '@' || c == '$') {
            throw InvalidValue(field,
                               "character not allowed in a name: '" + std::string(text) + "'");
        }
        if (++label > 63) {
            throw InvalidValue(field, "label longer than 63 bytes in '" + std::string(text) + "'");
        }
        out.push_back(lower(c));
    }
    // Wire length: one length byte per label plus the bytes plus the root.
    if (!out.empty() && out.size() + 2 > 255) {
        throw InvalidValue(field, "name longer than 255 bytes");
    }
    return out;
}

bool in_zone(std::string_view name, std::string_view zone) noexcept {
    if (zone.empty()) {
        return true;
    }
    if (name.size() == zone.size()) {
        return name == zone;
    }
    return name.size() > zone.size() && name.ends_with(zone) &&
           name[name.size() - zone.size() - 1] == '.';
}

unsigned key_labels(std::string_view key) noexcept {
    unsigned n = 0;
    for (const char c : key) {
        n += c == '\0' ? 1 : 0;
    }
    return n;
}

std::string name_key(std::string_view canonical) {
    std::string key;
    key.reserve(canonical.size() + 1);
    while (!canonical.empty()) {
        const auto dot = canonical.rfind('.');
        const auto label = dot == std::string_view::npos ? canonical : canonical.substr(dot + 1);
        key.append(label);
        key.push_back('\0');
        canonical = dot == std::string_view::npos ? std::string_view{} : canonical.substr(0, dot);
    }
    return key;
}

std::string name_to_wire(std::string_view canonical) {
    std::string wire;
    while (!canonical.empty()) {
        const auto dot = canonical.find('.');
        const auto label = canonical.substr(0, dot);
        wire.push_back(static_cast<char>(label.size()));
        wire.append(label);
        canonical = dot == std::string_view::npos ? std::string_view{} : canonical.substr(dot + 1);
    }
    wire.push_back('\0');
    return wire;
}

std::uint32_t next_serial(std::uint32_t current, std::int64_t unix_time) noexcept {
    const std::time_t t = static_cast<std::time_t>(unix_time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    const std::uint32_t dated = static_cast<std::uint32_t>(
        ((tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday) * 100);
    return dated > current ? dated : current + 1;
}

} // namespace sb::zones
