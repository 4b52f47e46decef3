// Helpers every service shares: refusals, filters, paging, zone attributes.
#pragma once

#include "service.hpp"
#include "zones/zones.hpp"

#include <algorithm>

namespace sb::prov {

inline ApiError invalid(const zones::InvalidValue& e) {
    return ApiError(ErrorCode::InvalidArgument, e.what());
}

// An empty filter value matches everything (reference/ngnpro-api.md §4.2).
inline bool matches(const std::string& pattern, std::string_view text) {
    return pattern.empty() || like(pattern, text);
}

// Sorts by `key` (ascending or descending) and cuts the requested page; total counts all rows.
template <class T, class Key>
Page<T> paginate(std::vector<T> rows, Range range, const OrderBy& order, Key key) {
    std::stable_sort(rows.begin(), rows.end(), [&](const T& a, const T& b) {
        return order.descending ? key(b) < key(a) : key(a) < key(b);
    });
    Page<T> page;
    page.total = static_cast<std::int64_t>(rows.size());
    const auto start = std::clamp<std::int64_t>(range.start, 0, page.total);
    const auto end = range.count < 0 ? page.total : std::min(page.total, start + range.count);
    for (auto i = start; i < end; ++i) {
        page.items.push_back(std::move(rows[static_cast<std::size_t>(i)]));
    }
    return page;
}

// Replaces the zone's name servers when `given`, falls back to the configured defaults, and
// refuses a zone that would have none.
inline void set_nameservers(store::ZoneRow& row,
                            const std::optional<std::vector<std::string>>& given,
                            const DnsDefaults& defaults) {
    if (given) {
        row.nameservers.clear();
        for (const auto& ns : *given) {
            if (ns.empty()) {
                continue;
            }
            try {
                row.nameservers.push_back(zones::canonical_name(ns, "nameservers"));
            } catch (const zones::InvalidValue& e) {
                throw invalid(e);
            }
        }
    }
    if (row.nameservers.empty()) {
        row.nameservers = defaults.nameservers;
    }
    if (row.nameservers.empty()) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "nameservers: give at least one name server for zone " + row.name +
                           " (or set [dns] nameservers in switchboard.ini)");
    }
}

} // namespace sb::prov
