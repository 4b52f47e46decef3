// Master files read (ldns parses, RR by RR) and checked against their zone: the reading half
// that zone import and an incoming IXFR share (zonefile.cpp stores what this reads).
#pragma once

#include "ldns_rr.hpp"
#include "store/tables.hpp"

#include <ldns/ldns.h>

#include <cstdint>
#include <string>
#include <vector>

namespace sb::zones::detail {

struct RdfFree {
    void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};

// An owner or target name as canonical text ("www.example.com"), refusing what provisioning
// refuses (docs/decisions.md).
std::string name_of(const ldns_rdf* rdf, const std::string& field);

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
Parsed parse_rrs(const std::string& text, const ldns_rdf* origin);

// One parsed RR checked for a zone: canonical owner in the zone, class IN, zone data, its
// wire rdata; `at` names it in errors ("line 7: www.example.com. A").
struct Checked {
    std::string owner;
    RRType type{};
    std::string rdata;
    std::string at;
};

Checked check_rr(const ParsedRr& p, const std::string& zname);

// The record row of a checked RR of zone `row` (not the apex NS, which the row keeps).
store::RecordRow record_of(const Checked& c, const ldns_rr* rr, const std::string& zname,
                           const store::ZoneRow& row, std::int64_t now);

// The SOA's values into the zone row (the nameservers left alone); returns its serial.
std::uint32_t soa_into_row(store::ZoneRow& row, const ldns_rr* soa);

} // namespace sb::zones::detail
