// Master files into the store (read by zonefile_read.cpp, stored by the provisioning write
// path), incoming IXFR diffs, dropped zones and the secondary marks.
#include "zones/zonefile.hpp"

#include "ldns_rr.hpp"
#include "store/tables.hpp"
#include "zonefile_read.hpp"
#include "zones/catalog.hpp"
#include "zones/compile.hpp"
#include "zones/node.hpp"
#include "zones/zone_index.hpp"

#include <ldns/ldns.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <tuple>

namespace sb::zones {

namespace {

using detail::check_rr;
using detail::Checked;
using detail::name_of;
using detail::parse_rrs;
using detail::Parsed;
using detail::ParsedRr;
using detail::rdf_text;
using detail::RdfFree;
using detail::record_of;
using detail::RrPtr;
using detail::soa_into_row;

constexpr std::string_view secondary_prefix = "secondary:";

std::string secondary_key(std::string_view zone) {
    return std::string(secondary_prefix) + std::string(zone);
}

template <class Txn>
std::optional<std::string> read_secondary(const Txn& txn, std::string_view zone) {
    if (const auto v = txn.get(store::Table::Meta, secondary_key(zone))) {
        return std::string(*v);
    }
    return std::nullopt;
}

} // namespace

void drop_zone(store::WriteTxn& txn, std::string_view zone) {
    const std::string name(zone);
    txn.del(store::Table::Meta, secondary_key(zone));
    if (!store::get_zone(txn, name)) {
        return;
    }
    std::set<std::string> owners = {name};
    for (const auto& rec : zone_records(txn, name)) {
        owners.insert(rec.name);
    }
    txn.del(store::Table::Zones, name);
    for (const auto& owner : owners) {
        // The records left at the owner are other zones' (a child's apex, a parent's glue).
        auto kept = owner_records(txn, owner);
        std::erase_if(kept, [&](const store::RecordRow& r) { return r.zone == name; });
        set_owner_records(txn, owner, std::move(kept));
    }
}

void mark_secondary(store::WriteTxn& txn, std::string_view zone, std::string_view primary) {
    txn.put(store::Table::Meta, secondary_key(zone), primary);
}

std::optional<std::string> secondary_primary(const store::ReadTxn& txn, std::string_view zone) {
    return read_secondary(txn, zone);
}

std::optional<std::string> secondary_primary(const store::WriteTxn& txn, std::string_view zone) {
    return read_secondary(txn, zone);
}

void mark_expired(store::WriteTxn& txn, std::string_view zone, bool expired) {
    const std::string key = name_key(zone);
    const auto v = txn.get(store::Table::ZoneMarks, key);
    if (v && v->size() == 1 && (static_cast<std::uint8_t>((*v)[0]) & NodeApex)) {
        const auto flags = static_cast<std::uint8_t>((*v)[0]);
        mark_node(txn, key,
                  static_cast<std::uint8_t>(expired ? flags | NodeExpired : flags & ~NodeExpired));
    }
}

std::vector<std::string> secondary_zones(const store::ReadTxn& txn) {
    std::vector<std::string> out;
    store::Cursor c = txn.cursor(store::Table::Meta);
    for (bool ok = c.seek(secondary_prefix); ok && c.key().starts_with(secondary_prefix);
         ok = c.next()) {
        out.emplace_back(c.key().substr(secondary_prefix.size()));
    }
    return out;
}

ImportResult import_zone(store::WriteTxn& txn, const std::string& text, const ImportOptions& o) {
    std::unique_ptr<ldns_rdf, RdfFree> origin;
    if (!o.zone.empty()) {
        origin.reset(ldns_dname_new_frm_str((canonical_name(o.zone, "zone") + ".").c_str()));
    }
    Parsed file = parse_rrs(text, origin.get());
    RrPtr soa_rr = std::move(file.soa);
    std::vector<ParsedRr> parsed = std::move(file.rrs);
    const ldns_rr* soa = soa_rr.get();
    if (soa == nullptr || ldns_rr_rd_count(soa) != 7) {
        throw InvalidValue("file", "no SOA record: a zone file starts with its SOA");
    }
    ImportResult result;
    result.zone = name_of(ldns_rr_owner(soa), "SOA owner");
    if (!o.zone.empty() && result.zone != canonical_name(o.zone, "zone")) {
        throw InvalidValue("file", "the SOA is for " + result.zone + ", not " + o.zone);
    }
    const std::string& zname = result.zone;

    // The zone row: new, or the existing one with its records replaced.
    if (const auto catalog = catalog_name(txn); catalog && *catalog == zname) {
        throw InvalidValue("zone", zname + " is the catalog zone, derived from the zones served; "
                                           "it cannot be imported");
    }
    auto existing = store::get_zone(txn, zname);
    if (existing && existing->kind != store::ZoneKind::Dns) {
        throw InvalidValue("zone", zname + " is an ENUM range's zone");
    }
    std::vector<ZoneRr> before;
    if (existing) {
        before = zone_rrs(txn, zname);
    }
    std::set<std::string> owners = {zname};
    std::map<std::string, std::vector<store::RecordRow>> fresh; // owner → the file's records
    store::ZoneRow row;
    if (existing) {
        row = *existing;
        for (const auto& rec : zone_records(txn, zname)) {
            owners.insert(rec.name); // replaced by the file's (set_owner_records below)
        }
    } else {
        row.name = zname;
        row.customer = o.customer;
        row.reseller = o.reseller;
        if (row.reseller == 0 && o.customer != 0) {
            if (const auto c = store::get_customer(txn, o.customer)) {
                row.reseller = c->reseller;
            }
        }
        if (row.customer != 0) {
            store::add_counter(txn, 'c', row.customer, "dns_zones", 1);
        }
        if (row.reseller != 0) {
            store::add_counter(txn, 'r', row.reseller, "dns_zones", 1);
        }
    }
    if (existing && o.customer != 0) {
        row.customer = o.customer;
    }
    const std::string mname = name_of(ldns_rr_rdf(soa, 0), "SOA MNAME");
    const std::uint32_t file_serial = soa_into_row(row, soa);
    row.nameservers.clear();

    std::set<std::tuple<std::string, std::uint16_t, std::string>> seen; // RFC 2181 §5
    std::optional<std::uint32_t> apex_ns_ttl;
    for (const ParsedRr& p : parsed) {
        const ldns_rr* rr = p.rr.get();
        const Checked c = check_rr(p, zname);
        const std::string& owner = c.owner;
        const RRType type = c.type;
        const std::string& at = c.at;
        const std::string& rdata = c.rdata;
        if (!seen.emplace(owner, static_cast<std::uint16_t>(type), rdata).second) {
            // RFC 2181 §5: "the server should suppress duplicate RRs" in an RRset.
            ++result.duplicates;
            continue;
        }
        if (owner == zname && type == RRType::NS) {
            const std::string ns = name_of(ldns_rr_rdf(rr, 0), "NS");
            if (ns == mname) {
                row.nameservers.insert(row.nameservers.begin(), ns); // the SOA MNAME comes first
            } else {
                row.nameservers.push_back(ns);
            }
            if (!apex_ns_ttl) {
                apex_ns_ttl = ldns_rr_ttl(rr);
            } else if (*apex_ns_ttl != ldns_rr_ttl(rr)) {
                // RFC 2181 §5.2: the TTLs of an RRset must be equal.
                result.warnings.push_back(at + ": apex NS TTL " + std::to_string(ldns_rr_ttl(rr)) +
                                          " is served as " + std::to_string(*apex_ns_ttl) +
                                          " (RFC 2181 §5.2)");
            }
            continue;
        }
        fresh[owner].push_back(record_of(c, rr, zname, row, o.now));
        owners.insert(owner);
        ++result.records;
    }
    if (row.nameservers.empty()) {
        throw InvalidValue("NS", "the zone has no NS records at its apex");
    }
    if (row.nameservers.front() != mname) {
        result.warnings.push_back("SOA MNAME " + mname + " is not an apex NS; served as " +
                                  row.nameservers.front());
    }
    // The file's serial, never one that moves the zone backward (RFC 1982 arithmetic) unless
    // the operator forces it (docs/decisions.md).
    if (existing && serial_lt(file_serial, existing->serial) && !o.force_serial) {
        throw InvalidValue("serial", "the file's serial " + std::to_string(file_serial) +
                                         " is lower than the zone's " +
                                         std::to_string(existing->serial) +
                                         " (RFC 1982): secondaries would not follow; raise it, "
                                         "or force it");
    }
    row.serial = file_serial;
    set_apex_ns_ttl(txn, zname,
                    apex_ns_ttl && *apex_ns_ttl != row.ttl ? apex_ns_ttl : std::nullopt);
    // The nodes, the owner index and the record rows are written in key order (the records
    // take their ids in that order): LMDB packs pages written in order (a page split at the end
    // of a page leaves the old page full), where the file's order fills them about two thirds,
    // a third more pages for every lookup to touch (docs/decisions.md "Fast layout at write
    // time").
    std::vector<std::pair<std::string, const std::string*>> by_key;
    by_key.reserve(owners.size());
    for (const auto& owner : owners) {
        by_key.emplace_back(name_key(owner), &owner);
    }
    std::sort(by_key.begin(), by_key.end());
    for (const auto& [key, owner] : by_key) {
        auto records = owner_records(txn, *owner);
        std::erase_if(records, [&](const store::RecordRow& r) { return r.zone == zname; });
        if (const auto it = fresh.find(*owner); it != fresh.end()) {
            for (auto& rec : it->second) {
                rec.id = txn.next_id("record");
                records.push_back(std::move(rec));
            }
        }
        set_owner_records(txn, *owner, std::move(records));
    }
    result.owners = owners.size();
    write_zone(txn, row, o.now);
    if (existing && file_serial == existing->serial && !o.force_serial) {
        // Same serial: unchanged content keeps it; changed content takes the next one, so
        // secondaries see the change.
        auto same = [](std::vector<ZoneRr> v) {
            v.erase(v.begin());
            std::sort(v.begin(), v.end());
            return v;
        };
        if (same(before) != same(zone_rrs(txn, zname))) {
            row.serial = file_serial + 1;
            write_zone(txn, row, o.now);
            result.warnings.push_back("the content changed but not the serial " +
                                      std::to_string(file_serial) + "; served as " +
                                      std::to_string(row.serial));
        }
    }
    result.serial = row.serial;
    return result;
}

ImportResult apply_zone_diff(store::WriteTxn& txn, std::string_view zone,
                             const std::vector<ZoneDiffText>& steps, std::int64_t now) {
    const std::string zname(zone);
    auto existing = store::get_zone(txn, zname);
    if (!existing || existing->kind != store::ZoneKind::Dns) {
        throw DiffNotApplicable(zname + " is not a DNS zone we hold");
    }
    store::ZoneRow row = *existing;
    const std::unique_ptr<ldns_rdf, RdfFree> origin(ldns_dname_new_frm_str((zname + ".").c_str()));
    ImportResult result;
    result.zone = zname;
    std::set<std::string> owners;
    std::map<std::string, std::vector<store::RecordRow>> at; // owner → its records, changed
    // Drops the record of `c` stored in this zone, if any: same owner, type and rdata (any
    // TTL); false when there is none.
    auto drop_held = [&](const Checked& c) {
        auto it = at.find(c.owner);
        if (it == at.end()) {
            it = at.emplace(c.owner, owner_records(txn, c.owner)).first;
        }
        return std::erase_if(it->second, [&](const store::RecordRow& r) {
                   return r.zone == zname && r.type == static_cast<std::uint16_t>(c.type) &&
                          r.rdata == c.rdata;
               }) > 0;
    };
    auto records = [&](const std::string& text, auto&& each) {
        Parsed part = parse_rrs(text, origin.get());
        if (part.soa) {
            throw DiffNotApplicable("an SOA among the changed RRs");
        }
        for (const ParsedRr& p : part.rrs) {
            const Checked c = check_rr(p, zname);
            if (c.owner == zname && c.type == RRType::NS) {
                // The apex NS live in the zone row, with their TTL: the whole zone is re-read.
                throw DiffNotApplicable("the apex NS RRset changes");
            }
            each(c, p.rr.get());
            owners.insert(c.owner);
            ++result.records;
        }
    };
    std::uint32_t serial = row.serial;
    for (const ZoneDiffText& step : steps) {
        // RFC 1995 §4: "the deleted RRs ... then the added RRs".
        records(step.removed, [&](const Checked& c, const ldns_rr*) {
            if (!drop_held(c)) {
                throw DiffNotApplicable("the IXFR deletes an RR we do not hold: " + c.at);
            }
        });
        const Parsed soa = parse_rrs(step.new_soa, origin.get());
        if (!soa.soa || ldns_rr_rd_count(soa.soa.get()) != 7 || !soa.rrs.empty() ||
            name_of(ldns_rr_owner(soa.soa.get()), "SOA owner") != zname) {
            throw DiffNotApplicable("a sequence without the zone's new SOA");
        }
        serial = soa_into_row(row, soa.soa.get());
        records(step.added, [&](const Checked& c, const ldns_rr* rr) {
            drop_held(c); // the same RR again: its new TTL (RFC 2181 §5)
            store::RecordRow rec = record_of(c, rr, zname, row, now);
            rec.id = txn.next_id("record");
            at[c.owner].push_back(std::move(rec));
        });
    }
    row.serial = serial;
    for (auto& [owner, held] : at) {
        set_owner_records(txn, owner, std::move(held));
    }
    result.owners = owners.size();
    write_zone(txn, row, now);
    result.serial = row.serial;
    return result;
}

} // namespace sb::zones
