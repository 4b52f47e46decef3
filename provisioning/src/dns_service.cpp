#include "common.hpp"
#include "policy.hpp"
#include "service.hpp"
#include "zones/compile.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <set>
#include <type_traits>

namespace sb::prov {

namespace {

using store::RecordRow;
using store::Table;
using store::ZoneRow;

std::string zone_name(const std::string& text) {
    try {
        auto name = zones::canonical_name(text, "zone");
        if (name.empty()) {
            throw ApiError(ErrorCode::InvalidArgument, "zone: a zone name is required");
        }
        return name;
    } catch (const zones::InvalidValue& e) {
        throw invalid(e);
    }
}

// The catalog zone (zones/catalog.hpp) is derived from the zones served: no port writes it.
void refuse_catalog(const std::optional<ZoneRow>& zone) {
    if (zone && zone->kind == store::ZoneKind::Catalog) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "zone: " + zone->name +
                           " is the catalog zone (RFC 9432); it lists the zones served and "
                           "changes with them, so it is not managed over SOAP");
    }
}

template <class Txn>
ZoneRow load_zone(const Txn& txn, const Caller& caller, const std::string& name) {
    auto zone = store::get_zone(txn, name);
    refuse_catalog(zone);
    if (!zone || zone->kind != store::ZoneKind::Dns ||
        !may_access(caller, zone->customer, zone->reseller)) {
        throw ApiError(ErrorCode::DnsZoneNotFound, "DNS zone " + name + " does not exist");
    }
    if constexpr (std::is_same_v<Txn, store::WriteTxn>) {
        // A zone transferred from a primary: a change here would be lost at the next transfer.
        if (const auto primary = zones::secondary_primary(txn, name)) {
            throw ApiError(ErrorCode::DnsZoneSecondary,
                           "DNS zone " + name + " is held as a secondary of " + *primary +
                               "; make the change on that primary");
        }
    }
    return *zone;
}

template <class Txn>
RecordRow load_record(const Txn& txn, const Caller& caller, std::uint64_t id) {
    auto rec = zones::get_record(txn, id);
    if (!rec || !may_access(caller, rec->customer, rec->reseller)) {
        throw ApiError(ErrorCode::DnsRecordNotFound,
                       "DNS record " + std::to_string(id) + " does not exist");
    }
    return *rec;
}

// A record name ending in the zone name (or with a trailing dot) is absolute, any other is
// relative to the zone; "" and "@" are the apex (reference/ngnpro-api.md §10.8).
std::string owner_name(const std::string& name, const std::string& zone) {
    if (name.empty() || name == "@") {
        return zone;
    }
    std::string canonical;
    try {
        canonical = zones::canonical_name(name, "name");
    } catch (const zones::InvalidValue& e) {
        throw invalid(e);
    }
    if (name.back() == '.' || zones::in_zone(canonical, zone)) {
        if (!zones::in_zone(canonical, zone)) {
            throw ApiError(ErrorCode::InvalidArgument,
                           "name: " + name + " is outside zone " + zone);
        }
        return canonical;
    }
    std::string owner = canonical + "." + zone;
    try {
        return zones::canonical_name(owner, "name");
    } catch (const zones::InvalidValue& e) {
        throw invalid(e);
    }
}

void apply_zone(ZoneRow& row, const ZoneInput& in, const DnsDefaults& d) {
    row.ttl = in.ttl.value_or(0) != 0 ? *in.ttl : d.ttl;
    row.refresh = in.refresh.value_or(0) != 0 ? *in.refresh : d.refresh;
    row.retry = in.retry.value_or(0) != 0 ? *in.retry : d.retry;
    row.expire = in.expire.value_or(0) != 0 ? *in.expire : d.expire;
    row.minimum = in.minimum.value_or(0) != 0 ? *in.minimum : d.minimum;
    set_nameservers(row, in.nameservers, d);
    row.email = in.email;
    row.info = in.info;
    try {
        if (!row.email.empty()) {
            zones::email_to_rname(row.email);
        }
        zones::soa_rdata_of(row); // validates the whole SOA the zone will serve
    } catch (const zones::InvalidValue& e) {
        throw invalid(e);
    }
}

// Builds the row of a record from its input, validating everything a DNS server would
// refuse to serve: the type, the value (through ldns), CNAME exclusivity (RFC 2181 §10.1)
// and duplicates (7003).
RecordRow compile_record(const store::WriteTxn& txn, const ZoneRow& zone, const RecordInput& in,
                         std::uint64_t id) {
    const auto type = zones::record_type_from_string(in.type);
    if (!type) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "type: '" + in.type +
                           "' is not a record type: A, AAAA, CNAME, MX, NAPTR, NS, SRV, TXT, "
                           "PTR, LOC, or another data type by name (CAA, DS, TLSA...) or as "
                           "TYPEnnn; not SOA, RRSIG, NSEC, NSEC3, NSEC3PARAM");
    }
    RecordRow row;
    row.id = id;
    row.zone = zone.name;
    row.name = owner_name(in.name, zone.name);
    row.type = static_cast<std::uint16_t>(*type);
    row.ttl = in.ttl;
    row.value = in.value;
    row.priority = in.priority;
    row.owner = in.owner;
    row.customer = zone.customer;
    row.reseller = zone.reseller;
    try {
        row.rdata = zones::record_rdata(*type, in.value, in.priority, zone.name);
    } catch (const zones::InvalidValue& e) {
        throw invalid(e);
    }
    if (*type == zones::RRType::CNAME && row.name == zone.name) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "type: a CNAME cannot be at the zone apex " + zone.name);
    }
    if (*type == zones::RRType::DS && row.name == zone.name) {
        // RFC 4035 §2.4: the DS RRset of a zone lives in its parent, at the delegation.
        throw ApiError(ErrorCode::InvalidArgument,
                       "type: a DS record belongs to the parent zone's delegation, not to the "
                       "apex of " +
                           zone.name);
    }
    if (*type == zones::RRType::NS && row.name == zone.name) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "type: the apex NS records of " + zone.name +
                           " come from the zone's nameservers; change them with updateZone");
    }
    for (const auto& other : zones::owner_records(txn, row.name)) {
        if (other.id == id) {
            continue;
        }
        if (other.type == row.type && other.rdata == row.rdata) {
            throw ApiError(ErrorCode::DnsRecordExists, "DNS record " + row.name + " " + in.type +
                                                           " " + in.value + " already exists (id " +
                                                           std::to_string(other.id) + ")");
        }
        if (*type == zones::RRType::DNAME && other.type == row.type) {
            // RFC 6672 §2.4: a DNAME RRset holds one RR (one redirection per owner).
            throw ApiError(ErrorCode::InvalidArgument,
                           "type: " + row.name + " already has a DNAME (RFC 6672 §2.4)");
        }
        const bool cname_here = *type == zones::RRType::CNAME;
        const bool cname_there = other.type == static_cast<std::uint16_t>(zones::RRType::CNAME);
        if (cname_here || cname_there) {
            throw ApiError(ErrorCode::InvalidArgument,
                           "type: " + row.name +
                               " cannot have a CNAME and other records (RFC 2181 §10.1)");
        }
    }
    return row;
}

// The records at `owner` after `change`: one record removed (erase_id), one put (put).
void change_owner(store::WriteTxn& txn, const std::string& owner, std::uint64_t erase_id,
                  const RecordRow* put) {
    auto records = zones::owner_records(txn, owner);
    std::erase_if(records, [&](const RecordRow& r) { return r.id == erase_id; });
    if (put != nullptr) {
        records.push_back(*put);
    }
    zones::set_owner_records(txn, owner, std::move(records));
}

} // namespace

bool like(std::string_view p, std::string_view t) {
    // Iterative wildcard match with backtracking to the last '%'.
    std::size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
    auto eq = [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) ==
               std::tolower(static_cast<unsigned char>(b));
    };
    while (ti < t.size()) {
        if (pi < p.size() && (p[pi] == '_' || eq(p[pi], t[ti]))) {
            ++pi;
            ++ti;
        } else if (pi < p.size() && p[pi] == '%') {
            star = pi++;
            mark = ti;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            ti = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '%') {
        ++pi;
    }
    return pi == p.size();
}

std::string format_date(std::int64_t unix_time) {
    if (unix_time == 0) {
        return "";
    }
    const std::time_t t = static_cast<std::time_t>(unix_time);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

std::int64_t now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

DnsService::DnsService(store::Env& env, DnsDefaults defaults)
    : env_(env)
    , defaults_(std::move(defaults)) {}

void DnsService::add_zone(const Caller& caller, const ZoneInput& in) {
    const std::string name = zone_name(in.name);
    env_.write([&](store::WriteTxn& txn) {
        const auto existing = store::get_zone(txn, name);
        refuse_catalog(existing);
        if (const auto primary = zones::secondary_primary(txn, name)) {
            throw ApiError(ErrorCode::DnsZoneSecondary,
                           "DNS zone " + name + " is held as a secondary of " + *primary +
                               "; add it on that primary, or remove it from this server's "
                               "[secondary] zones or consumed catalog first");
        }
        if (existing) {
            throw ApiError(ErrorCode::DnsZoneExists, "DNS zone " + name + " already exists");
        }
        ZoneRow row;
        row.name = name;
        const Tenant tenant = tenant_for_new(txn, caller, in.customer, in.reseller);
        row.customer = tenant.customer;
        row.reseller = tenant.reseller;
        apply_zone(row, in, defaults_);
        charge(txn, Kind::DnsZone, tenant);
        zones::touch_zone(txn, row, now());
    });
}

void DnsService::update_zone(const Caller& caller, const ZoneInput& in) {
    const std::string name = zone_name(in.name);
    env_.write([&](store::WriteTxn& txn) {
        ZoneRow row = load_zone(txn, caller, name);
        const std::uint32_t old_ttl = row.ttl;
        apply_zone(row, in, defaults_);
        if (caller.admin && (in.customer != row.customer || in.reseller != row.reseller)) {
            // The administrator moves the zone, and with it its records, to another tenant.
            release(txn, Kind::DnsZone, Tenant{row.customer, row.reseller});
            const Tenant tenant = tenant_for_new(txn, caller, in.customer, in.reseller);
            charge(txn, Kind::DnsZone, tenant);
            row.customer = tenant.customer;
            row.reseller = tenant.reseller;
            for (auto rec : zones::zone_records(txn, name)) {
                // The rows only: the nodes do not change (set_owner_records would write them
                // whole; encode keeps each row as slim as it is).
                rec.customer = tenant.customer;
                rec.reseller = tenant.reseller;
                txn.put(Table::Records, store::u64_key(rec.id), encode(rec));
            }
        }
        zones::touch_zone(txn, row, now());
        if (row.ttl != old_ttl) {
            // Records without a TTL of their own follow the zone's.
            std::set<std::string> owners;
            for (const auto& rec : zones::zone_records(txn, name)) {
                if (rec.ttl == 0) {
                    owners.insert(rec.name);
                }
            }
            for (const auto& owner : owners) {
                zones::rebuild_node(txn, owner);
            }
        }
    });
}

void DnsService::delete_zone(const Caller& caller, const std::string& text) {
    const std::string name = zone_name(text);
    env_.write([&](store::WriteTxn& txn) {
        const ZoneRow zone = load_zone(txn, caller, name);
        release(txn, Kind::DnsZone, Tenant{zone.customer, zone.reseller});
        zones::drop_zone(txn, name);
    });
}

store::ZoneRow DnsService::get_zone(const Caller& caller, const std::string& text) {
    return load_zone(store::ReadTxn(env_), caller, zone_name(text));
}

Page<ZoneRow> DnsService::get_zones(const Caller& caller, const ZoneFilter& f, Range range,
                                    const OrderBy& order) {
    store::ReadTxn txn(env_);
    std::vector<ZoneRow> rows;
    store::Cursor c = txn.cursor(Table::Zones);
    for (bool ok = c.first(); ok; ok = c.next()) {
        ZoneRow z = store::decode_zone(c.value());
        if (z.kind != store::ZoneKind::Dns || !may_access(caller, z.customer, z.reseller) ||
            !matches(f.name, z.name) || !matches(f.info, z.info) ||
            (f.customer != 0 && z.customer != f.customer) ||
            (f.reseller != 0 && z.reseller != f.reseller)) {
            continue;
        }
        rows.push_back(std::move(z));
    }
    if (order.attribute == "changeDate") {
        return paginate(std::move(rows), range, order,
                        [](const ZoneRow& z) { return std::make_pair(z.change_date, z.name); });
    }
    return paginate(std::move(rows), range, order, [](const ZoneRow& z) { return z.name; });
}

std::uint64_t DnsService::add_record(const Caller& caller, const RecordInput& in) {
    const std::string zname = zone_name(in.zone);
    return env_.write([&](store::WriteTxn& txn) {
        ZoneRow zone = load_zone(txn, caller, zname);
        require_may_create(txn, caller);
        const std::uint64_t id = txn.next_id("record");
        RecordRow row = compile_record(txn, zone, in, id);
        const std::int64_t when = now();
        row.change_date = when;
        change_owner(txn, row.name, 0, &row);
        zones::zone_changed(txn, zone, when);
        return id;
    });
}

void DnsService::update_record(const Caller& caller, const RecordInput& in) {
    env_.write([&](store::WriteTxn& txn) {
        const RecordRow old = load_record(txn, caller, in.id);
        if (!in.zone.empty() && zone_name(in.zone) != old.zone) {
            throw ApiError(ErrorCode::InvalidArgument,
                           "zone: record " + std::to_string(in.id) + " belongs to zone " +
                               old.zone + "; a record cannot move to another zone");
        }
        ZoneRow zone = load_zone(txn, caller, old.zone);
        RecordRow row = compile_record(txn, zone, in, old.id);
        const std::int64_t when = now();
        row.change_date = when;
        if (row.name != old.name) {
            change_owner(txn, old.name, old.id, nullptr);
        }
        change_owner(txn, row.name, old.id, &row);
        zones::zone_changed(txn, zone, when);
    });
}

void DnsService::delete_record(const Caller& caller, std::uint64_t id) {
    env_.write([&](store::WriteTxn& txn) {
        const RecordRow old = load_record(txn, caller, id);
        ZoneRow zone = load_zone(txn, caller, old.zone);
        change_owner(txn, old.name, old.id, nullptr);
        zones::zone_changed(txn, zone, now());
    });
}

store::RecordRow DnsService::get_record(const Caller& caller, std::uint64_t id) {
    return load_record(store::ReadTxn(env_), caller, id);
}

Page<RecordRow> DnsService::get_records(const Caller& caller, const RecordFilter& f, Range range,
                                        const OrderBy& order) {
    store::ReadTxn txn(env_);
    std::vector<RecordRow> candidates;
    if (f.id != 0) {
        if (auto rec = zones::get_record(txn, f.id)) {
            candidates.push_back(std::move(*rec));
        }
    } else if (!f.zone.empty() && f.zone.find_first_of("%_") == std::string::npos) {
        candidates = zones::zone_records(txn, zone_name(f.zone));
    } else {
        candidates = zones::every_record(txn);
    }
    std::vector<RecordRow> rows;
    for (auto& r : candidates) {
        const char* type = zones::to_string(static_cast<zones::RRType>(r.type));
        if (!may_access(caller, r.customer, r.reseller) || !matches(f.zone, r.zone) ||
            !matches(f.name, r.name) || !matches(f.type, type) || !matches(f.value, r.value) ||
            (f.owner != 0 && r.owner != f.owner) || (f.customer != 0 && r.customer != f.customer) ||
            (f.reseller != 0 && r.reseller != f.reseller)) {
            continue;
        }
        rows.push_back(std::move(r));
    }
    if (order.attribute == "changeDate") {
        return paginate(std::move(rows), range, order,
                        [](const RecordRow& r) { return std::make_pair(r.change_date, r.id); });
    }
    if (order.attribute == "type") {
        return paginate(std::move(rows), range, order, [](const RecordRow& r) {
            return std::make_tuple(
                std::string(zones::to_string(static_cast<zones::RRType>(r.type))), r.name, r.id);
        });
    }
    if (order.attribute == "name") {
        return paginate(std::move(rows), range, order,
                        [](const RecordRow& r) { return std::make_pair(r.name, r.id); });
    }
    return paginate(std::move(rows), range, order, [](const RecordRow& r) { return r.id; });
}

} // namespace sb::prov
