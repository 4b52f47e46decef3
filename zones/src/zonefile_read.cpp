// Master files read: ldns parses the text RR by RR, each RR is checked against its zone and
// turned into a record row (zonefile_read.hpp).
#include "zonefile_read.hpp"

#include "zones/compile.hpp"
#include "zones/zonefile.hpp"

#include <cctype>
#include <cstdio>
#include <memory>

namespace sb::zones::detail {

namespace {

struct FileClose {
    void operator()(FILE* f) const { std::fclose(f); }
};

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

} // namespace

std::string name_of(const ldns_rdf* rdf, const std::string& field) {
    return canonical_name(rdf_text(rdf), field);
}

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

} // namespace sb::zones::detail
