// Master files in (ldns parses, then the provisioning write path stores) and out.
#include "zones/zonefile.hpp"

#include "ldns_rr.hpp"
#include "store/tables.hpp"
#include "zones/catalog.hpp"
#include "zones/compile.hpp"
#include "zones/node.hpp"
#include "zones/zone_index.hpp"

#include <ldns/ldns.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <tuple>

namespace sb::zones {

namespace {

using detail::rdf_text;
using detail::RrPtr;
using detail::wire_rdata;

struct RdfFree {
    void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};

struct FileClose {
    void operator()(FILE* f) const { std::fclose(f); }
};

// An owner or target name as canonical text ("www.example.com"), refusing what provisioning
// refuses (docs/decisions.md).
std::string name_of(const ldns_rdf* rdf, const std::string& field) {
    return canonical_name(rdf_text(rdf), field);
}

// RNAME → the ZoneRow's email: "john\.doe.example.com." → "john.doe@example.com".
std::string email_of(const std::string& rname) {
    std::string local;
    std::size_t i = 0;
    for (; i < rname.size() && rname[i] != '.'; ++i) {
        if (rname[i] == '\\' && i + 1 < rname.size()) {
            ++i;
        }
        local.push_back(rname[i]);
    }
    std::string domain = i < rname.size() ? rname.substr(i + 1) : "";
    while (!domain.empty() && domain.back() == '.') {
        domain.pop_back();
    }
    return domain.empty() ? local : local + "@" + domain;
}

std::uint32_t rdf_u32(const ldns_rdf* rdf) {
    return static_cast<std::uint32_t>(std::stoul(rdf_text(rdf)));
}

// Line `n` (from 1) of `text`, blanks at its ends trimmed.
std::string line_text(std::string_view text, int n) {
    std::size_t start = 0;
    for (int i = 1; i < n && start != std::string_view::npos; ++i) {
        start = text.find('\n', start);
        start = start == std::string_view::npos ? start : start + 1;
    }
    if (start == std::string_view::npos) {
        return {};
    }
    std::string_view line = text.substr(start, text.find('\n', start) - start);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) {
        line.remove_prefix(1);
    }
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) {
        line.remove_suffix(1);
    }
    return std::string(line);
}

struct ParsedRr {
    RrPtr rr;
    int line = 0;
};

struct Parsed {
    RrPtr soa; // the first SOA
    std::vector<ParsedRr> rrs;
};

// The RRs of master-file `text` (relative names under `origin`, may be null), one SOA kept
// apart. Throws InvalidValue naming the line.
Parsed parse_rrs(const std::string& text, const ldns_rdf* origin) {
    std::unique_ptr<FILE, FileClose> in(fmemopen(const_cast<char*>(text.data()), text.size(), "r"));
    if (!in) {
        throw InvalidValue("file", "cannot read the zone text");
    }
    // RR by RR (ldns_zone_new_frm_fp_l leaks parsed RRs on some error paths, which the
    // zone-file fuzzer found): every RR is owned here from the moment ldns returns it.
    Parsed out;
    RrPtr& soa_rr = out.soa;
    std::vector<ParsedRr>& parsed = out.rrs;
    {
        ldns_rdf* cur_origin = origin != nullptr ? ldns_rdf_clone(origin) : nullptr;
        ldns_rdf* prev = nullptr;
        const std::unique_ptr<ldns_rdf*, void (*)(ldns_rdf**)> free_names(
            &cur_origin, [](ldns_rdf** p) { ldns_rdf_deep_free(*p); });
        const std::unique_ptr<ldns_rdf*, void (*)(ldns_rdf**)> free_prev(
            &prev, [](ldns_rdf** p) { ldns_rdf_deep_free(*p); });
        std::uint32_t default_ttl = 3600;
        int line = 0;
        while (!std::feof(in.get())) {
            ldns_rr* raw = nullptr;
            const ldns_status st =
                ldns_rr_new_frm_fp_l(&raw, in.get(), &default_ttl, &cur_origin, &prev, &line);
            RrPtr rr(raw);
            if (st == LDNS_STATUS_SYNTAX_EMPTY || st == LDNS_STATUS_SYNTAX_TTL ||
                st == LDNS_STATUS_SYNTAX_ORIGIN) {
                continue;
            }
            if (st == LDNS_STATUS_SYNTAX_INCLUDE) {
                throw InvalidValue("file", "line " + std::to_string(line) +
                                               ": $INCLUDE is not supported; give one file");
            }
            if (st != LDNS_STATUS_OK || !rr) {
                const std::string what = line_text(text, line);
                if (what.starts_with("$GENERATE")) {
                    throw InvalidValue("file", "line " + std::to_string(line) +
                                                   ": $GENERATE is not supported (ldns reads "
                                                   "none); write the RRs out");
                }
                // ldns gives no RR to name: the line itself shows its owner and type.
                throw InvalidValue("file", "line " + std::to_string(line) + " '" + what +
                                               "': " + ldns_get_errorstr_by_id(st));
            }
            if (ldns_rr_get_type(rr.get()) == LDNS_RR_TYPE_SOA) {
                if (!soa_rr) {
                    soa_rr = std::move(rr);
                    continue;
                }
                // `dig axfr` output ends with the SOA repeated (RFC 5936 §2.2): the same SOA
                // again is the end of the transfer, any other a second SOA.
                if (ldns_rr_compare(soa_rr.get(), rr.get()) != 0 ||
                    ldns_rr_ttl(soa_rr.get()) != ldns_rr_ttl(rr.get())) {
                    throw InvalidValue("file", "line " + std::to_string(line) + ": " +
                                                   rdf_text(ldns_rr_owner(rr.get())) +
                                                   " SOA: a second, different SOA record");
                }
                continue;
            }
            parsed.push_back(ParsedRr{std::move(rr), line});
        }
    }
    return out;
}

// One parsed RR checked for a zone: canonical owner in the zone, class IN, zone data, its
// wire rdata; `at` names it in errors ("line 7: www.example.com. A").
struct Checked {
    std::string owner;
    RRType type{};
    std::string rdata;
    std::string at;
};

Checked check_rr(const ParsedRr& p, const std::string& zname) {
    const ldns_rr* rr = p.rr.get();
    Checked c;
    c.type = static_cast<RRType>(ldns_rr_get_type(rr));
    const RRType type = c.type;
    const std::string& at = c.at = "line " + std::to_string(p.line) + ": " +
                                   rdf_text(ldns_rr_owner(rr)) + " " + to_string(type);
    try {
        c.owner = name_of(ldns_rr_owner(rr), "owner");
    } catch (const InvalidValue& e) {
        throw InvalidValue("owner", at + ": " + e.what());
    }
    if (!in_zone(c.owner, zname)) {
        throw InvalidValue("owner", at + ": outside zone " + zname);
    }
    if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
        throw InvalidValue("class", at + ": only class IN is served");
    }
    if (!zone_data_type(type)) {
        throw InvalidValue("type", at + ": a meta-type, not zone data (RFC 6895 §3.1)");
    }
    c.rdata = wire_rdata(rr);
    if (detail::ldns_format_of(type) != type && ldns_rr_rd_count(rr) == 1) {
        // ldns read the rdata in the wrong format (ldns_rr.hpp): read its text again.
        std::string target = rdf_text(ldns_rr_rdf(rr, 0));
        if (target.size() >= 2 && target.front() == '"' && target.back() == '"') {
            target = target.substr(1, target.size() - 2);
        }
        if (!target.empty() && target.back() != '.') {
            target += zname.empty() ? "." : "." + zname + "."; // relative, as in the file
        }
        try {
            c.rdata = record_rdata(type, target, 0, zname);
        } catch (const InvalidValue& e) {
            throw InvalidValue("value", at + ": " + e.what());
        }
    }
    return c;
}

// The record row of a checked RR of zone `row` (not the apex NS, which the row keeps).
store::RecordRow record_of(const Checked& c, const ldns_rr* rr, const std::string& zname,
                           const store::ZoneRow& row, std::int64_t now) {
    const RRType type = c.type;
    if (type == RRType::CNAME && c.owner == zname) {
        throw InvalidValue("type", c.at + ": a CNAME cannot be at the zone apex");
    }
    store::RecordRow rec;
    rec.zone = zname;
    rec.name = c.owner;
    rec.type = static_cast<std::uint16_t>(type);
    rec.ttl = stored_ttl(ldns_rr_ttl(rr));
    const std::size_t n = ldns_rr_rd_count(rr);
    std::vector<std::string> fields;
    for (std::size_t f = 0; f < n; ++f) {
        fields.push_back(rdf_text(ldns_rr_rdf(rr, f)));
    }
    if (type_info(type) == nullptr) {
        char* s = ldns_rr2str(rr); // unknown: "\# <length> <hex>" (RFC 3597 §5)
        const std::string line = s != nullptr ? s : "";
        free(s);
        const auto generic = line.find("\\#");
        fields = {generic == std::string::npos ? line : line.substr(generic)};
        while (!fields[0].empty() && fields[0].back() == '\n') {
            fields[0].pop_back();
        }
    }
    std::size_t first = 0;
    if ((type == RRType::MX || type == RRType::SRV) && n > 1) {
        rec.priority = static_cast<std::uint32_t>(std::stoul(fields[0]));
        first = 1;
    }
    for (std::size_t f = first; f < fields.size(); ++f) {
        rec.value += (f > first ? " " : "") + fields[f];
    }
    // The wire form ldns read, as read: names absolute, nothing re-derived from text.
    rec.rdata = c.rdata;
    rec.customer = row.customer;
    rec.reseller = row.reseller;
    rec.owner = row.customer;
    rec.change_date = now;
    return rec;
}

// The SOA's values into the zone row (the nameservers left alone); returns its serial.
std::uint32_t soa_into_row(store::ZoneRow& row, const ldns_rr* soa) {
    row.kind = store::ZoneKind::Dns;
    row.ttl = ldns_rr_ttl(soa);
    row.email = email_of(rdf_text(ldns_rr_rdf(soa, 1)));
    row.refresh = rdf_u32(ldns_rr_rdf(soa, 3));
    row.retry = rdf_u32(ldns_rr_rdf(soa, 4));
    row.expire = rdf_u32(ldns_rr_rdf(soa, 5));
    row.minimum = rdf_u32(ldns_rr_rdf(soa, 6));
    return rdf_u32(ldns_rr_rdf(soa, 2));
}

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

std::string key_to_name(std::string_view key) {
    std::string out;
    std::size_t end = key.size();
    while (end > 0) {
        std::size_t start = end - 1;
        while (start > 0 && key[start - 1] != '\0') {
            --start;
        }
        if (!out.empty()) {
            out.push_back('.');
        }
        out.append(key.substr(start, end - 1 - start));
        end = start;
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

namespace {

// Appends the RRs of the stored node `value` (owner `key`) to `out`: the SOA alone, or
// every RRset but the SOA.
void node_rrs(std::string_view key, std::string_view value, bool soa_only,
              std::vector<ZoneRr>& out) {
    const NodeView node(value);
    if (!node.valid()) {
        throw store::Error::corrupted("malformed node " + key_to_name(key));
    }
    const std::string owner = key_to_name(key);
    for (std::uint16_t i = 0; i < node.rrset_count(); ++i) {
        RrsetView rrset;
        node.at(i, rrset);
        if ((rrset.type() == RRType::SOA) != soa_only) {
            continue;
        }
        std::size_t pos = 0;
        RrView rr{};
        while (rrset.next_rr(pos, rr)) {
            out.push_back(ZoneRr{owner, rrset.type(), rr.ttl, std::string(rr.rdata)});
        }
    }
}

} // namespace

template <class Txn>
ZoneReader<Txn>::ZoneReader(const Txn& txn, std::string_view zone)
    : txn_(txn)
    , zone_(zone)
    , zkey_(name_key(zone))
    , cursor_(txn.cursor(store::Table::DnsNodes)) {
    const auto apex = txn_.get(store::Table::DnsNodes, zkey_);
    if (!apex || !(NodeView(*apex).flags() & NodeApex)) {
        return;
    }
    node_rrs(zkey_, *apex, true, batch_); // the SOA first
    stage_ = Stage::Nodes;
    ok_ = cursor_.seek(zkey_);
}

template <class Txn>
bool ZoneReader<Txn>::next(ZoneRr& rr) {
    while (pos_ == batch_.size()) {
        batch_.clear();
        pos_ = 0;
        if (stage_ == Stage::Done) {
            return false;
        }
        fill();
    }
    rr = std::move(batch_[pos_++]);
    return true;
}

template <class Txn>
void ZoneReader<Txn>::fill() {
    if (!ok_ || !cursor_.key().starts_with(zkey_)) {
        stage_ = Stage::Done;
        return;
    }
    const std::string_view key = cursor_.key();
    if (zkey_.empty() && key == root_stored_key) {
        node_rrs(zkey_, cursor_.value(), false, batch_); // the root apex (its SOA went first)
        ok_ = cursor_.next();
        return;
    }
    if (key.size() > zkey_.size() && (NodeView(cursor_.value()).flags() & NodeApex)) {
        // A child zone we also serve: its names are not in this zone, but this zone's
        // delegation records at the cut are, in the apex node's parent side (node.hpp).
        const std::string_view side = NodeView(cursor_.value()).parent_side();
        if (!side.empty()) {
            node_rrs(key, side, false, batch_);
        }
        std::string after(key);
        after.back() = '\1';
        ok_ = cursor_.seek(after);
        return;
    }
    node_rrs(key, cursor_.value(), false, batch_);
    ok_ = cursor_.next();
}

template class ZoneReader<store::ReadTxn>;
template class ZoneReader<store::WriteTxn>;

namespace {

template <class Txn>
std::vector<ZoneRr> rrs_of(const Txn& txn, std::string_view zone) {
    std::vector<ZoneRr> out;
    ZoneReader<Txn> reader(txn, zone);
    for (ZoneRr rr; reader.next(rr);) {
        out.push_back(std::move(rr));
    }
    return out;
}

} // namespace

std::vector<ZoneRr> zone_rrs(const store::ReadTxn& txn, std::string_view zone) {
    return rrs_of(txn, zone);
}

std::vector<ZoneRr> zone_rrs(const store::WriteTxn& txn, std::string_view zone) {
    return rrs_of(txn, zone);
}

std::string export_zone(const store::ReadTxn& txn, std::string_view zone) {
    const auto rrs = zone_rrs(txn, zone);
    if (rrs.empty()) {
        throw InvalidValue("zone", std::string(zone) + " is not a zone we serve");
    }
    std::ostringstream out;
    out << "$ORIGIN " << zone << ".\n";
    for (const auto& rr : rrs) {
        out << rr.owner << ".\t" << rr.ttl << "\tIN\t" << to_string(rr.type) << "\t"
            << rdata_to_text(rr.type, rr.rdata) << "\n";
    }
    return out.str();
}

} // namespace sb::zones
