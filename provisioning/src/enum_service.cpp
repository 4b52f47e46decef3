#include "common.hpp"
#include "policy.hpp"
#include "service.hpp"
#include "zones/compile.hpp"
#include "zones/enum.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace sb::prov {

namespace {

using store::EnumNumberRow;
using store::EnumRangeRow;
using store::Table;
using store::ZoneRow;

constexpr const char* default_tld = "e164.arpa";
constexpr std::size_t max_e164_digits = 15; // ITU-T E.164

std::string digits(const std::string& text, const char* field) {
    std::string out;
    for (const char c : text) {
        if (c >= '0' && c <= '9') {
            out.push_back(c);
        } else if (!(out.empty() && c == '+')) {
            throw ApiError(ErrorCode::InvalidArgument,
                           std::string(field) + ": '" + text + "' must be digits only");
        }
    }
    if (out.empty()) {
        throw ApiError(ErrorCode::InvalidArgument, std::string(field) + ": a number is required");
    }
    if (out.size() > max_e164_digits) {
        throw ApiError(ErrorCode::InvalidArgument,
                       std::string(field) + ": '" + text + "' has more than 15 digits (E.164)");
    }
    return out;
}

std::string tld_of(const std::string& text) {
    try {
        const std::string tld = zones::canonical_name(text.empty() ? default_tld : text, "tld");
        if (tld.empty()) {
            throw ApiError(ErrorCode::InvalidArgument, "tld: the root is not an ENUM tld");
        }
        return tld;
    } catch (const zones::InvalidValue& e) {
        throw invalid(e);
    }
}

// A range's or a number's key as the caller wrote it: (digits, tld), each checked.
std::pair<std::string, std::string> digits_and_tld(const std::string& text, const char* field,
                                                   const std::string& tld_text) {
    return {digits(text, field), tld_of(tld_text)};
}

std::string range_label(const std::string& prefix, const std::string& tld) {
    return "ENUM range " + prefix + " in " + tld;
}

// The row when it exists and the caller may see it; else `code`, "<what> does not exist" (a row
// of another tenant is not revealed).
template <class Row>
Row visible(std::optional<Row> row, const Caller& caller, ErrorCode code, const std::string& what) {
    if (!row || !may_access(caller, row->customer, row->reseller)) {
        throw ApiError(code, what + " does not exist");
    }
    return std::move(*row);
}

template <class Txn>
std::optional<EnumRangeRow> find_range(const Txn& txn, const std::string& tld,
                                       const std::string& prefix) {
    const auto v = txn.get(Table::EnumRanges, store::enum_range_key(tld, prefix));
    return v ? std::optional<EnumRangeRow>(store::decode_enum_range(*v)) : std::nullopt;
}

template <class Txn>
EnumRangeRow load_range(const Txn& txn, const Caller& caller, const std::string& tld,
                        const std::string& prefix) {
    return visible(find_range(txn, tld, prefix), caller, ErrorCode::EnumRangeNotFound,
                   range_label(prefix, tld));
}

template <class Txn>
ZoneRow range_zone(const Txn& txn, const EnumRangeRow& range) {
    auto zone = store::get_zone(txn, range.zone);
    if (!zone) {
        throw store::Error::corrupted("ENUM range without its zone " + range.zone);
    }
    return *zone;
}

// The range holding `number`: the longest prefix of it that is a range of the tld.
template <class Txn>
std::optional<EnumRangeRow> range_for(const Txn& txn, const std::string& tld,
                                      const std::string& number) {
    for (std::size_t n = number.size(); n > 0; --n) {
        if (auto r = find_range(txn, tld, number.substr(0, n))) {
            return r;
        }
    }
    return std::nullopt;
}

template <class Txn>
std::optional<EnumNumberRow> find_number(const Txn& txn, const std::string& number,
                                         const std::string& tld) {
    return zones::get_enum_number(txn, zones::name_key(zones::e164_name(number, tld)));
}

template <class Txn>
EnumNumberRow load_number(const Txn& txn, const Caller& caller, const std::string& number,
                          const std::string& tld) {
    return visible(find_number(txn, number, tld), caller, ErrorCode::EnumNumberNotFound,
                   "ENUM number " + number + " in " + tld);
}

void check_digit_limits(const std::uint32_t min_digits, const std::uint32_t max_digits,
                        const std::string& prefix) {
    if (max_digits != 0 && min_digits > max_digits) {
        throw ApiError(ErrorCode::InvalidArgument, "minDigits: " + std::to_string(min_digits) +
                                                       " is larger than maxDigits " +
                                                       std::to_string(max_digits));
    }
    if (max_digits > max_e164_digits) {
        throw ApiError(ErrorCode::InvalidArgument, "maxDigits: at most 15 (E.164)");
    }
    if (max_digits != 0 && max_digits < prefix.size()) {
        throw ApiError(ErrorCode::InvalidArgument, "maxDigits: " + std::to_string(max_digits) +
                                                       " is shorter than the prefix " + prefix);
    }
}

// The stored mappings of a number: at most five, every type in the services table, every
// mapto with a scheme its type allows; ids kept for mappings that had one, new ones numbered.
std::vector<store::EnumMappingRow> compile_mappings(store::WriteTxn& txn,
                                                    const std::vector<EnumMappingInput>& in,
                                                    const std::vector<store::EnumMappingRow>& old) {
    if (in.size() > max_enum_mappings) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "mappings: " + std::to_string(in.size()) +
                           " given, an ENUM number has at most 5 (ETSI TS 102 172)");
    }
    std::vector<store::EnumMappingRow> out;
    for (const auto& m : in) {
        const zones::EnumService* service = zones::enum_service(m.type);
        if (service == nullptr) {
            std::string known;
            for (const auto& s : zones::enum_services()) {
                known += (known.empty() ? "" : ", ") + std::string(s.type);
            }
            throw ApiError(ErrorCode::InvalidArgument, "mappings.type: '" + m.type +
                                                           "' is not an ENUM service (" + known +
                                                           ")");
        }
        bool scheme_ok = false;
        for (const auto scheme : service->schemes) {
            scheme_ok = scheme_ok || (m.mapto.size() > scheme.size() &&
                                      m.mapto.compare(0, scheme.size(), scheme) == 0);
        }
        if (!scheme_ok) {
            std::string schemes;
            for (const auto s : service->schemes) {
                schemes += (schemes.empty() ? "" : " or ") + std::string(s);
            }
            throw ApiError(ErrorCode::InvalidArgument, "mappings.mapto: '" + m.mapto +
                                                           "' for type " + m.type +
                                                           " must start with " + schemes);
        }
        try {
            zones::enum_naptr_rdata(*service, m.mapto, m.priority); // validates length, '!'
        } catch (const zones::InvalidValue& e) {
            throw invalid(e);
        }
        store::EnumMappingRow row;
        const bool known_id =
            m.id != 0 &&
            std::any_of(old.begin(), old.end(), [&](const auto& o) { return o.id == m.id; }) &&
            std::none_of(out.begin(), out.end(), [&](const auto& o) { return o.id == m.id; });
        row.id = known_id ? m.id : static_cast<std::uint32_t>(txn.next_id("enum_mapping"));
        row.type = m.type;
        row.mapto = m.mapto;
        row.priority = m.priority;
        row.ttl = m.ttl;
        out.push_back(std::move(row));
    }
    return out;
}

void put_range(store::WriteTxn& txn, const EnumRangeRow& row) {
    txn.put(Table::EnumRanges, store::enum_range_key(row.tld, row.prefix), encode(row));
}

// "sip:alice@example.com" contains "alice@example.com": the client sends mapto filters
// without the scheme (reference/ngnpro-api.md §7.15).
bool mapto_matches(const std::string& filter, const std::string& mapto) {
    if (filter.empty()) {
        return true;
    }
    std::string f = filter;
    if (const auto colon = f.find(':'); colon != std::string::npos && f.find('@') > colon) {
        f = f.substr(colon + 1);
    }
    return like("%" + f + "%", mapto);
}

// The digits a number filter begins with, before its first wildcard: every number it matches
// starts with them. Empty when there are none, or when one of them is no digit (a stored
// number is digits only: such a filter matches nothing, and the walk finds that out).
std::string_view leading_digits(std::string_view pattern) {
    const std::string_view lead = pattern.substr(0, pattern.find_first_of("%_"));
    const bool all_digits =
        std::all_of(lead.begin(), lead.end(), [](const char c) { return c >= '0' && c <= '9'; });
    return all_digits && lead.size() <= max_e164_digits ? lead : std::string_view{};
}

// Where get_numbers walks: under `start` (every number, of the tld, of the filter's leading
// digits), or, when the caller or the filter admits some customers' numbers only, under the
// keys of those customers' ranges there. A number's tenancy is its range's (add_number copies
// it, and a range changes hands only when it holds no number) and its key lies under its
// range's zone: the walk still reads every number that can match, each once.
std::vector<std::string> walk_starts(const store::ReadTxn& txn, const Caller& caller,
                                     const EnumNumberFilter& f, const std::string& start) {
    if (caller.admin && f.customer == 0 && f.reseller == 0) {
        return {start};
    }
    std::vector<std::string> keys;
    store::Cursor c = txn.cursor(Table::EnumRanges);
    for (bool ok = c.first(); ok; ok = c.next()) {
        const EnumRangeRow r = store::decode_enum_range(c.value());
        if (!may_access(caller, r.customer, r.reseller) ||
            (f.customer != 0 && r.customer != f.customer) ||
            (f.reseller != 0 && r.reseller != f.reseller)) {
            continue;
        }
        std::string key = zones::name_key(r.zone);
        if (key.starts_with(start)) {
            keys.push_back(std::move(key));
        } else if (start.starts_with(key)) {
            keys.push_back(start); // the filter's digits reach into the range
        }
    }
    // A key below one kept already (a range nested in another, the same start twice) is
    // walked with it: the keys below a key follow it in order.
    std::sort(keys.begin(), keys.end());
    std::vector<std::string> starts;
    for (std::string& key : keys) {
        if (starts.empty() || !key.starts_with(starts.back())) {
            starts.push_back(std::move(key));
        }
    }
    return starts;
}

} // namespace

EnumService::EnumService(store::Env& env, DnsDefaults defaults)
    : env_(env)
    , defaults_(std::move(defaults)) {}

void EnumService::add_range(const Caller& caller, const EnumRangeInput& in) {
    const std::string prefix = digits(in.prefix, "prefix");
    const std::string tld = tld_of(in.tld);
    check_digit_limits(in.min_digits, in.max_digits, prefix);
    env_.write([&](store::WriteTxn& txn) {
        if (find_range(txn, tld, prefix)) {
            throw ApiError(ErrorCode::EnumRangeExists,
                           range_label(prefix, tld) + " already exists");
        }
        // No range inside another of the same tld, in either direction: a number must belong to
        // exactly one range and one zone.
        for (std::size_t n = prefix.size() - 1; n > 0; --n) {
            if (find_range(txn, tld, prefix.substr(0, n))) {
                throw ApiError(ErrorCode::InvalidArgument,
                               "prefix: " + prefix + " lies inside " +
                                   range_label(prefix.substr(0, n), tld));
            }
        }
        {
            store::Cursor c = txn.cursor(Table::EnumRanges);
            const std::string below = store::enum_range_key(tld, prefix);
            if (c.seek(below) && c.key().starts_with(below)) {
                throw ApiError(ErrorCode::InvalidArgument,
                               "prefix: " + prefix + " would contain " +
                                   range_label(std::string(c.key().substr(tld.size() + 1)), tld));
            }
        }
        EnumRangeRow range;
        range.prefix = prefix;
        range.tld = tld;
        range.zone = zones::e164_name(prefix, tld);
        if (store::get_zone(txn, range.zone)) {
            throw ApiError(ErrorCode::EnumRangeExists, "zone " + range.zone + " of " +
                                                           range_label(prefix, tld) +
                                                           " already exists as a DNS zone");
        }
        range.min_digits = in.min_digits;
        range.max_digits = in.max_digits;
        range.size = in.size;
        range.info = in.info;
        const Tenant tenant = tenant_for_new(txn, caller, in.customer, in.reseller);
        range.customer = tenant.customer;
        range.reseller = tenant.reseller;
        charge(txn, Kind::EnumRange, tenant);

        ZoneRow zone;
        zone.name = range.zone;
        zone.kind = store::ZoneKind::Enum;
        zone.ttl = in.ttl.value_or(0) != 0 ? *in.ttl : defaults_.ttl;
        zone.refresh = defaults_.refresh;
        zone.retry = defaults_.retry;
        zone.expire = defaults_.expire;
        zone.minimum = defaults_.minimum;
        zone.customer = range.customer;
        zone.reseller = range.reseller;
        set_nameservers(zone, in.nameservers, defaults_);
        const std::int64_t when = now();
        range.change_date = when;
        put_range(txn, range);
        zones::touch_zone(txn, zone, when);
    });
}

void EnumService::update_range(const Caller& caller, const EnumRangeInput& in) {
    const std::string prefix = digits(in.prefix, "prefix");
    const std::string tld = tld_of(in.tld);
    check_digit_limits(in.min_digits, in.max_digits, prefix);
    env_.write([&](store::WriteTxn& txn) {
        EnumRangeRow range = load_range(txn, caller, tld, prefix);
        ZoneRow zone = range_zone(txn, range);
        const std::uint32_t old_ttl = zone.ttl;
        range.min_digits = in.min_digits;
        range.max_digits = in.max_digits;
        range.size = in.size;
        range.info = in.info;
        if (caller.admin && (in.customer != range.customer || in.reseller != range.reseller)) {
            if (range.used > 0) {
                throw ApiError(ErrorCode::InvalidArgument,
                               "customer: " + range_label(prefix, tld) +
                                   " holds numbers; move it to another customer when it is empty");
            }
            release(txn, Kind::EnumRange, Tenant{range.customer, range.reseller});
            const Tenant tenant = tenant_for_new(txn, caller, in.customer, in.reseller);
            charge(txn, Kind::EnumRange, tenant);
            range.customer = zone.customer = tenant.customer;
            range.reseller = zone.reseller = tenant.reseller;
        }
        zone.ttl = in.ttl.value_or(0) != 0 ? *in.ttl : defaults_.ttl;
        set_nameservers(zone, in.nameservers, defaults_);
        const std::int64_t when = now();
        range.change_date = when;
        put_range(txn, range);
        zones::touch_zone(txn, zone, when);
        if (zone.ttl != old_ttl) {
            // Mappings without a TTL of their own follow the range's.
            std::vector<std::string> owners;
            for (zones::NumberCursor c(txn, zones::name_key(range.zone)); c.valid(); c.next()) {
                owners.push_back(zones::key_to_name(c.key()));
            }
            for (const auto& owner : owners) {
                zones::rebuild_node(txn, owner);
            }
        }
    });
}

void EnumService::delete_range(const Caller& caller, const std::string& prefix_text,
                               const std::string& tld_text) {
    const auto [prefix, tld] = digits_and_tld(prefix_text, "prefix", tld_text);
    // Structured bindings are captured through init-captures (clang 14 refuses them otherwise).
    env_.write([&, &prefix = prefix, &tld = tld](store::WriteTxn& txn) {
        const EnumRangeRow range = load_range(txn, caller, tld, prefix);
        if (range.used > 0) {
            throw ApiError(ErrorCode::EnumRangeNotEmpty,
                           range_label(prefix, tld) + " still holds " + std::to_string(range.used) +
                               " numbers; delete them first");
        }
        release(txn, Kind::EnumRange, Tenant{range.customer, range.reseller});
        txn.del(Table::EnumRanges, store::enum_range_key(tld, prefix));
        txn.del(Table::Zones, range.zone);
        zones::rebuild_node(txn, range.zone);
    });
}

Page<EnumRangeView> EnumService::get_ranges(const Caller& caller, const EnumRangeFilter& f,
                                            Range range, const OrderBy& order) {
    store::ReadTxn txn(env_);
    std::vector<EnumRangeView> rows;
    store::Cursor c = txn.cursor(Table::EnumRanges);
    for (bool ok = c.first(); ok; ok = c.next()) {
        EnumRangeRow r = store::decode_enum_range(c.value());
        if (!may_access(caller, r.customer, r.reseller) || !matches(f.prefix, r.prefix) ||
            !matches(f.tld, r.tld) || !matches(f.info, r.info) ||
            (f.customer != 0 && r.customer != f.customer) ||
            (f.reseller != 0 && r.reseller != f.reseller)) {
            continue;
        }
        ZoneRow zone = range_zone(txn, r);
        rows.push_back(EnumRangeView{std::move(r), std::move(zone)});
    }
    if (order.attribute == "changeDate") {
        return paginate(std::move(rows), range, order, [](const EnumRangeView& v) {
            return std::make_tuple(v.range.change_date, v.range.tld, v.range.prefix);
        });
    }
    if (order.attribute == "tld") {
        return paginate(std::move(rows), range, order, [](const EnumRangeView& v) {
            return std::make_pair(v.range.tld, v.range.prefix);
        });
    }
    return paginate(std::move(rows), range, order, [](const EnumRangeView& v) {
        return std::make_pair(v.range.prefix, v.range.tld);
    });
}

void EnumService::add_number(const Caller& caller, const EnumNumberInput& in) {
    const std::string number = digits(in.number, "number");
    const std::string tld = tld_of(in.tld);
    env_.write([&](store::WriteTxn& txn) {
        auto range = range_for(txn, tld, number);
        if (!range || !may_access(caller, range->customer, range->reseller)) {
            throw ApiError(ErrorCode::EnumRangeNotFound, "number: " + number +
                                                             " is in no ENUM range of " + tld +
                                                             "; add the range first");
        }
        require_may_create(txn, caller);
        if (find_number(txn, number, tld)) {
            throw ApiError(ErrorCode::EnumNumberExists,
                           "ENUM number " + number + " in " + tld + " already exists");
        }
        if (number.size() < range->min_digits ||
            (range->max_digits != 0 && number.size() > range->max_digits)) {
            throw ApiError(ErrorCode::InvalidArgument,
                           "number: " + number + " has " + std::to_string(number.size()) +
                               " digits; " + range_label(range->prefix, tld) + " allows " +
                               std::to_string(range->min_digits) + " to " +
                               (range->max_digits != 0 ? std::to_string(range->max_digits)
                                                       : std::string("15")));
        }
        if (range->size != 0 && range->used >= range->size) {
            throw ApiError(ErrorCode::InvalidArgument,
                           "number: " + range_label(range->prefix, tld) + " is full (size " +
                               std::to_string(range->size) + ")");
        }
        EnumNumberRow row;
        row.number = number;
        row.tld = tld;
        row.range_prefix = range->prefix;
        row.mappings = compile_mappings(txn, in.mappings, {});
        row.info = in.info;
        row.owner = in.owner;
        row.customer = range->customer;
        row.reseller = range->reseller;
        charge(txn, Kind::EnumNumber, Tenant{row.customer, row.reseller});
        const std::int64_t when = now();
        row.change_date = when;
        zones::write_enum_number(txn, row);
        range->used += 1;
        put_range(txn, *range);
        ZoneRow zone = range_zone(txn, *range);
        zones::zone_changed(txn, zone, when);
    });
}

void EnumService::update_number(const Caller& caller, const EnumNumberInput& in) {
    const std::string number = digits(in.number, "number");
    const std::string tld = tld_of(in.tld);
    env_.write([&](store::WriteTxn& txn) {
        EnumNumberRow row = load_number(txn, caller, number, tld);
        row.mappings = compile_mappings(txn, in.mappings, row.mappings);
        row.info = in.info;
        row.owner = in.owner;
        const std::int64_t when = now();
        row.change_date = when;
        zones::write_enum_number(txn, row);
        const EnumRangeRow range = load_range(txn, caller, tld, row.range_prefix);
        ZoneRow zone = range_zone(txn, range);
        zones::zone_changed(txn, zone, when);
    });
}

void EnumService::delete_number(const Caller& caller, const std::string& number_text,
                                const std::string& tld_text) {
    const auto [number, tld] = digits_and_tld(number_text, "number", tld_text);
    env_.write([&, &number = number, &tld = tld](store::WriteTxn& txn) {
        const EnumNumberRow row = load_number(txn, caller, number, tld);
        zones::delete_enum_number(txn, zones::e164_name(number, tld));
        release(txn, Kind::EnumNumber, Tenant{row.customer, row.reseller});
        EnumRangeRow range = load_range(txn, caller, tld, row.range_prefix);
        range.used = range.used > 0 ? range.used - 1 : 0;
        put_range(txn, range);
        ZoneRow zone = range_zone(txn, range);
        zones::zone_changed(txn, zone, now());
    });
}

store::EnumNumberRow EnumService::get_number(const Caller& caller, const std::string& number,
                                             const std::string& tld) {
    store::ReadTxn txn(env_);
    return load_number(txn, caller, digits(number, "number"), tld_of(tld));
}

Page<EnumNumberRow> EnumService::get_numbers(const Caller& caller, const EnumNumberFilter& f,
                                             Range range, const OrderBy& order) {
    store::ReadTxn txn(env_);
    std::vector<EnumNumberRow> rows;
    // Numbers of one tld are contiguous under its name key, in number order (the key holds
    // the digits in order, each followed by NUL); seek there when the tld is exact, and
    // further, to the digits the number filter begins with: CDRTool's search for one number
    // reads that number's key, not every number of the tld.
    std::string start;
    if (!f.tld.empty() && f.tld.find_first_of("%_") == std::string::npos) {
        const std::string tld = tld_of(f.tld);
        const std::string_view lead = leading_digits(f.number);
        start = zones::name_key(lead.empty() ? tld : zones::e164_name(lead, tld));
    }
    // The common listing — one tld, no other filter, number order, the administrator —
    // counts keys and decodes only the page.
    const bool plain = !start.empty() && f.number.empty() && f.type.empty() && f.mapto.empty() &&
                       f.owner == 0 && f.customer == 0 && f.reseller == 0 && caller.admin &&
                       !order.descending &&
                       (order.attribute.empty() || order.attribute == "number");
    if (plain) {
        Page<EnumNumberRow> page;
        for (zones::NumberCursor c(txn, start); c.valid(); c.next()) {
            const std::int64_t i = page.total++;
            if (i >= range.start && (range.count < 0 || i < range.start + range.count)) {
                page.items.push_back(c.row());
            }
        }
        return page;
    }
    for (const std::string& from : walk_starts(txn, caller, f, start)) {
        for (zones::NumberCursor c(txn, from); c.valid(); c.next()) {
            EnumNumberRow n = c.row();
            if (!may_access(caller, n.customer, n.reseller) || !matches(f.number, n.number) ||
                !matches(f.tld, n.tld) || (f.owner != 0 && n.owner != f.owner) ||
                (f.customer != 0 && n.customer != f.customer) ||
                (f.reseller != 0 && n.reseller != f.reseller)) {
                continue;
            }
            if (!f.type.empty() || !f.mapto.empty()) {
                const bool any =
                    std::any_of(n.mappings.begin(), n.mappings.end(), [&](const auto& m) {
                        return matches(f.type, m.type) && mapto_matches(f.mapto, m.mapto);
                    });
                if (!any) {
                    continue;
                }
            }
            rows.push_back(std::move(n));
        }
    }
    if (order.attribute == "changeDate") {
        return paginate(std::move(rows), range, order, [](const EnumNumberRow& n) {
            return std::make_tuple(n.change_date, n.number, n.tld);
        });
    }
    if (order.attribute == "tld") {
        return paginate(std::move(rows), range, order,
                        [](const EnumNumberRow& n) { return std::make_pair(n.tld, n.number); });
    }
    return paginate(std::move(rows), range, order,
                    [](const EnumNumberRow& n) { return std::make_pair(n.number, n.tld); });
}

} // namespace sb::prov
