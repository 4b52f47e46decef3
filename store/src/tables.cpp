#include "store/tables.hpp"

#include <algorithm>

namespace sb::store {

namespace {

constexpr std::uint8_t zone_format = 1;
// 1: fixed-width integers, u32 lengths; 2: varints; 3: slim (the rdata in the node); 4: the
// owner name's leading digit labels packed
constexpr std::uint8_t record_format = 4;
// Bits of a record row's flags byte: which of value and rdata the row holds; its six high
// bits count the owner name's leading single-digit labels (at most 63).
constexpr std::uint8_t record_has_value = 1;
constexpr std::uint8_t record_has_rdata = 2;
constexpr std::size_t record_digit_shift = 2;
constexpr std::size_t max_digit_labels = 63;
constexpr std::uint8_t record_ids_format = 1;
constexpr std::uint8_t enum_range_format = 1;
// 1: the NAPTRs repeated as text; 2: the NAPTRs in the node; 3: the number and tld in the key.
constexpr std::uint8_t enum_number_format = 3;
constexpr std::uint8_t customer_format = 1;

void expect_format(Reader& r, std::uint8_t format, const char* what) {
    if (r.u8() != format) {
        throw Error::corrupted(std::string("unknown ") + what + " row format");
    }
}

void expect_done(const Reader& r, const char* what) {
    if (!r.done()) {
        throw Error::corrupted(std::string("trailing bytes in ") + what + " row");
    }
}

// owner, customer, reseller and change date, as varints, of a record or an ENUM number row.
template <class Row>
void put_tenancy(Writer& w, const Row& row) {
    for (const std::int64_t v : {row.owner, row.customer, row.reseller, row.change_date}) {
        w.varint(static_cast<std::uint64_t>(v));
    }
}

template <class Row>
void get_tenancy(Reader& r, Row& row) {
    for (std::int64_t* v : {&row.owner, &row.customer, &row.reseller, &row.change_date}) {
        *v = static_cast<std::int64_t>(r.varint());
    }
}

// How many labels of `name` from its start are one digit each ("4.3.2.1.e164.arpa": 4), at
// most max_digit_labels: an ENUM owner is mostly such labels.
std::size_t digit_labels(std::string_view name) {
    std::size_t n = 0;
    for (std::size_t pos = 0; n < max_digit_labels && pos < name.size(); pos += 2, ++n) {
        if (name[pos] < '0' || name[pos] > '9' || (pos + 1 < name.size() && name[pos + 1] != '.')) {
            break;
        }
    }
    return n;
}

// The first `digits` labels of `name` (digit_labels), two to a byte, high nibble first, then
// the rest of the name ("e164.arpa", without the dot before it) as a vstr.
void put_packed_name(Writer& w, std::string_view name, std::size_t digits) {
    for (std::size_t i = 0; i < digits; i += 2) {
        const auto hi = static_cast<std::uint8_t>(name[2 * i] - '0');
        const auto lo = static_cast<std::uint8_t>(i + 1 < digits ? name[2 * i + 2] - '0' : 0);
        w.u8(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    w.vstr(name.substr(std::min(name.size(), 2 * digits)));
}

std::string get_packed_name(Reader& r, std::size_t digits) {
    std::string name;
    std::uint8_t pair = 0;
    for (std::size_t i = 0; i < digits; ++i) {
        if (i % 2 == 0) {
            pair = r.u8();
        }
        const auto d = static_cast<std::uint8_t>(i % 2 == 0 ? pair >> 4 : pair & 15);
        if (d > 9) {
            throw Error::corrupted("record row with a packed owner label that is no digit");
        }
        if (i > 0) {
            name.push_back('.');
        }
        name.push_back(static_cast<char>('0' + d));
    }
    const std::string_view rest = r.vstr();
    if (!rest.empty()) {
        name += name.empty() ? "" : ".";
        name += rest;
    }
    return name;
}

} // namespace

std::string encode(const ZoneRow& row) {
    Writer w;
    w.u8(zone_format);
    w.str(row.name);
    w.u8(static_cast<std::uint8_t>(row.kind));
    w.u32(row.ttl);
    w.u32(static_cast<std::uint32_t>(row.nameservers.size()));
    for (const auto& ns : row.nameservers) {
        w.str(ns);
    }
    w.str(row.email);
    w.u32(row.serial);
    w.u32(row.refresh);
    w.u32(row.retry);
    w.u32(row.expire);
    w.u32(row.minimum);
    w.i64(row.customer);
    w.i64(row.reseller);
    w.i64(row.change_date);
    w.str(row.info);
    return std::move(w.bytes());
}

ZoneRow decode_zone(std::string_view value) {
    Reader r(value);
    expect_format(r, zone_format, "zone");
    ZoneRow row;
    row.name = r.str();
    row.kind = static_cast<ZoneKind>(r.u8());
    row.ttl = r.u32();
    const std::uint32_t n = r.u32();
    for (std::uint32_t i = 0; i < n; ++i) {
        row.nameservers.emplace_back(r.str());
    }
    row.email = r.str();
    row.serial = r.u32();
    row.refresh = r.u32();
    row.retry = r.u32();
    row.expire = r.u32();
    row.minimum = r.u32();
    row.customer = r.i64();
    row.reseller = r.i64();
    row.change_date = r.i64();
    row.info = r.str();
    expect_done(r, "zone");
    return row;
}

std::string encode(const RecordRow& row) {
    Writer w;
    w.u8(record_format);
    std::size_t digits = digit_labels(row.name);
    if (digits > 0 && row.name.size() != 2 * digits - 1 && row.name.size() < 2 * digits + 1) {
        digits = 0; // "5.": not a canonical name, kept as it is
    }
    const auto flags = static_cast<std::uint8_t>((row.value_derived ? 0 : record_has_value) |
                                                 (row.rdata_in_node ? 0 : record_has_rdata) |
                                                 digits << record_digit_shift);
    w.u8(flags);
    put_packed_name(w, row.name, digits);
    // The zone ends the owner name (always, but for a corrupted caller): its length, plus 1;
    // 0 and the zone's name otherwise.
    if (row.name.ends_with(row.zone) && (row.zone.size() == row.name.size() || row.zone.empty() ||
                                         row.name[row.name.size() - row.zone.size() - 1] == '.')) {
        w.varint(row.zone.size() + 1);
    } else {
        w.varint(0);
        w.vstr(row.zone);
    }
    w.varint(row.type);
    w.varint(row.ttl);
    w.varint(row.priority);
    if (flags & record_has_value) {
        w.vstr(row.value);
    }
    put_tenancy(w, row);
    if (flags & record_has_rdata) {
        w.vstr(row.rdata);
    }
    return std::move(w.bytes());
}

RecordRow decode_record(std::string_view value, std::uint64_t id) {
    Reader r(value);
    expect_format(r, record_format, "record");
    RecordRow row;
    row.id = id;
    const std::uint8_t flags = r.u8();
    row.name = get_packed_name(r, flags >> record_digit_shift);
    if (const std::uint64_t zone_len = r.varint(); zone_len == 0) {
        row.zone = r.vstr();
    } else if (zone_len - 1 <= row.name.size()) {
        row.zone = row.name.substr(row.name.size() - (zone_len - 1));
    } else {
        throw Error::corrupted("record row with a zone longer than its owner");
    }
    row.type = static_cast<std::uint16_t>(r.varint());
    row.ttl = static_cast<std::uint32_t>(r.varint());
    row.priority = static_cast<std::uint32_t>(r.varint());
    row.value_derived = !(flags & record_has_value);
    row.rdata_in_node = !(flags & record_has_rdata);
    if (flags & record_has_value) {
        row.value = r.vstr();
    }
    get_tenancy(r, row);
    if (flags & record_has_rdata) {
        row.rdata = r.vstr();
    }
    expect_done(r, "record");
    return row;
}

std::string encode(const EnumRangeRow& row) {
    Writer w;
    w.u8(enum_range_format);
    w.str(row.prefix);
    w.str(row.tld);
    w.str(row.zone);
    w.u32(row.min_digits);
    w.u32(row.max_digits);
    w.u32(row.size);
    w.u32(row.used);
    w.i64(row.customer);
    w.i64(row.reseller);
    w.i64(row.change_date);
    w.str(row.info);
    return std::move(w.bytes());
}

EnumRangeRow decode_enum_range(std::string_view value) {
    Reader r(value);
    expect_format(r, enum_range_format, "ENUM range");
    EnumRangeRow row;
    row.prefix = r.str();
    row.tld = r.str();
    row.zone = r.str();
    row.min_digits = r.u32();
    row.max_digits = r.u32();
    row.size = r.u32();
    row.used = r.u32();
    row.customer = r.i64();
    row.reseller = r.i64();
    row.change_date = r.i64();
    row.info = r.str();
    expect_done(r, "ENUM range");
    return row;
}

std::string encode(const EnumNumberRow& row) {
    Writer w;
    w.u8(enum_number_format);
    // The key (the name key of the number's e164 name) holds the tld's labels, then the
    // number's digits: the row keeps how many labels are the tld's, and the range prefix as
    // the length of the number's it is (twice it; odd: a prefix that is not the number's,
    // written out).
    w.varint(static_cast<std::uint64_t>(std::count(row.tld.begin(), row.tld.end(), '.')) +
             (row.tld.empty() ? 0 : 1));
    if (row.number.starts_with(row.range_prefix)) {
        w.varint(2 * row.range_prefix.size());
    } else {
        w.varint(1);
        w.vstr(row.range_prefix);
    }
    // The mapping ids: the first as it is, each next one as its difference from the one
    // before, zigzag (a number's mappings are given ids in a row: one byte each).
    w.varint(row.mappings.size());
    std::int64_t before = 0;
    for (const auto& m : row.mappings) {
        const std::int64_t step = std::int64_t{m.id} - before;
        w.varint(&m == row.mappings.data() ? m.id
                                           : (static_cast<std::uint64_t>(step) << 1) ^
                                                 static_cast<std::uint64_t>(step >> 63));
        w.varint(m.ttl);
        before = m.id;
    }
    w.vstr(row.info);
    put_tenancy(w, row);
    return std::move(w.bytes());
}

EnumNumberRow decode_enum_number(std::string_view key, std::string_view value) {
    Reader r(value);
    expect_format(r, enum_number_format, "ENUM number");
    EnumNumberRow row;
    const auto corrupted = [] { return Error::corrupted("ENUM number row under a bad key"); };
    std::size_t pos = 0;
    for (std::uint64_t labels = r.varint(); labels > 0; --labels) {
        const std::size_t end = key.find('\0', pos);
        if (end == std::string_view::npos || end == pos) {
            throw corrupted();
        }
        row.tld.insert(0, key.substr(pos, end - pos));
        if (labels > 1) {
            row.tld.insert(0, 1, '.');
        }
        pos = end + 1;
    }
    for (; pos < key.size(); pos += 2) {
        if (pos + 1 >= key.size() || key[pos + 1] != '\0' || key[pos] < '0' || key[pos] > '9') {
            throw corrupted();
        }
        row.number.push_back(key[pos]);
    }
    if (const std::uint64_t prefix = r.varint(); prefix % 2 == 1) {
        row.range_prefix = r.vstr();
    } else if (prefix / 2 <= row.number.size()) {
        row.range_prefix = row.number.substr(0, prefix / 2);
    } else {
        throw corrupted();
    }
    const std::uint64_t n = r.varint();
    if (n > 255) {
        throw Error::corrupted("ENUM number row with " + std::to_string(n) + " mappings");
    }
    std::int64_t before = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t v = r.varint();
        const std::int64_t id =
            i == 0
                ? static_cast<std::int64_t>(v)
                : before + (static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1));
        if (id < 0 || id > std::int64_t{0xffffffff}) {
            throw Error::corrupted("ENUM number row with a mapping id out of range");
        }
        EnumMappingRow m;
        m.id = static_cast<std::uint32_t>(id);
        m.ttl = static_cast<std::uint32_t>(r.varint());
        row.mappings.push_back(std::move(m));
        before = id;
    }
    row.info = r.vstr();
    get_tenancy(r, row);
    expect_done(r, "ENUM number");
    return row;
}

std::string encode(const CustomerRow& row) {
    Writer w;
    w.u8(customer_format);
    w.i64(row.id);
    w.i64(row.reseller);
    w.i64(row.impersonate);
    w.str(row.username);
    w.str(row.password_hash);
    w.u32(static_cast<std::uint32_t>(row.text.size()));
    for (const auto& [k, v] : row.text) {
        w.str(k);
        w.str(v);
    }
    w.f64(row.balance);
    w.f64(row.credit);
    w.u8(row.reseller_active ? 1 : 0);
    w.i64(row.change_date);
    w.u32(static_cast<std::uint32_t>(row.properties.size()));
    for (const auto& p : row.properties) {
        w.str(p.name);
        w.str(p.value);
        w.str(p.category);
        w.str(p.permission);
    }
    return std::move(w.bytes());
}

CustomerRow decode_customer(std::string_view value) {
    Reader r(value);
    expect_format(r, customer_format, "customer");
    CustomerRow row;
    row.id = r.i64();
    row.reseller = r.i64();
    row.impersonate = r.i64();
    row.username = r.str();
    row.password_hash = r.str();
    const std::uint32_t n = r.u32();
    for (std::uint32_t i = 0; i < n; ++i) {
        std::string k(r.str());
        std::string v(r.str());
        row.text.emplace_back(std::move(k), std::move(v));
    }
    row.balance = r.f64();
    row.credit = r.f64();
    row.reseller_active = r.u8() != 0;
    row.change_date = r.i64();
    const std::uint32_t np = r.u32();
    for (std::uint32_t i = 0; i < np; ++i) {
        PropertyRow p;
        p.name = r.str();
        p.value = r.str();
        p.category = r.str();
        p.permission = r.str();
        row.properties.push_back(std::move(p));
    }
    expect_done(r, "customer");
    return row;
}

std::string counter_key(char scope, std::int64_t id, std::string_view kind) {
    std::string key(1, scope);
    put_u64(key, static_cast<std::uint64_t>(id));
    key.append(kind);
    return key;
}

void add_counter(WriteTxn& txn, char scope, std::int64_t id, std::string_view kind,
                 std::int64_t delta) {
    const std::string key = counter_key(scope, id, kind);
    const std::int64_t now = static_cast<std::int64_t>(get_counter(txn, scope, id, kind)) + delta;
    if (now <= 0) {
        txn.del(Table::Counters, key);
    } else {
        txn.put(Table::Counters, key, u64_key(static_cast<std::uint64_t>(now)));
    }
}

std::string enum_range_key(std::string_view tld, std::string_view prefix) {
    std::string key(tld);
    key.push_back('\0');
    key.append(prefix);
    return key;
}

namespace {

void put_record_ids(Writer& w, const std::vector<std::uint64_t>& ids) {
    w.varint(ids.size());
    std::uint64_t last = 0;
    for (const auto id : ids) {
        if (id <= last) {
            throw Error::corrupted("record ids out of order");
        }
        w.varint(id - last);
        last = id;
    }
}

std::vector<std::uint64_t> get_record_ids(Reader& r, std::size_t size) {
    const std::uint64_t n = r.varint();
    if (n > size) {
        throw Error::corrupted("record ids row with " + std::to_string(n) + " ids");
    }
    std::vector<std::uint64_t> ids;
    ids.reserve(n);
    std::uint64_t last = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t step = r.varint();
        if (step == 0 || last + step < last) {
            throw Error::corrupted("record ids out of order");
        }
        last += step;
        ids.push_back(last);
    }
    expect_done(r, "record ids");
    return ids;
}

} // namespace

std::string encode_record_ids(const std::vector<std::uint64_t>& ids) {
    Writer w;
    put_record_ids(w, ids);
    return std::move(w.bytes());
}

std::vector<std::uint64_t> decode_record_ids(std::string_view bytes) {
    Reader r(bytes);
    return get_record_ids(r, bytes.size());
}

NodeTail split_node_tail(std::string_view tail) {
    if (tail.empty()) {
        return {};
    }
    Reader r(tail);
    for (std::uint64_t n = r.varint(); n > 0; --n) {
        r.varint(); // each takes a byte at least: the loop ends at the tail's end, or throws
    }
    return {tail.substr(0, r.pos()), tail.substr(r.pos())};
}

std::string encode_record_ids_row(const std::vector<std::uint64_t>& ids) {
    Writer w;
    w.u8(record_ids_format);
    put_record_ids(w, ids);
    return std::move(w.bytes());
}

std::vector<std::uint64_t> decode_record_ids_row(std::string_view value) {
    Reader r(value);
    expect_format(r, record_ids_format, "record ids");
    return get_record_ids(r, value.size());
}

} // namespace sb::store
