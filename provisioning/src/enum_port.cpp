// EnumPort (urn:AGProjects:NGNPro:Enum): SOAP types ⇄ EnumService. The codec's
// from_soap/to_soap are file-local (static) in the global namespace, where fill_page finds them.
#include "context.hpp"
#include "soap_util.hpp"

using namespace sb::prov;

static EnumRangeInput from_soap(const ngnpro__EnumRange& r) {
    EnumRangeInput in;
    in.prefix = r.id.prefix;
    in.tld = r.id.tld;
    if (r.ttl != nullptr) {
        in.ttl = static_cast<std::uint32_t>(*r.ttl);
    }
    auto non_negative = [](const int* p, const char* field) -> std::uint32_t {
        if (p != nullptr && *p < 0) {
            throw ApiError(ErrorCode::InvalidArgument, std::string(field) + ": must be >= 0");
        }
        return p != nullptr ? static_cast<std::uint32_t>(*p) : 0;
    };
    in.min_digits = non_negative(r.minDigits, "minDigits");
    in.max_digits = non_negative(r.maxDigits, "maxDigits");
    in.size = non_negative(r.size, "size");
    if (r.nameservers.__size > 0) {
        in.nameservers = strings(r.nameservers);
    }
    in.info = r.info;
    tenancy_from_soap(r, in);
    return in;
}

static void to_soap(struct soap* soap, const EnumRangeView& v, ngnpro__EnumRange& r) {
    r.id.prefix = v.range.prefix;
    r.id.tld = v.range.tld;
    r.ttl = soap_value<ULONG64>(soap, v.zone.ttl);
    r.minDigits = soap_value<int>(soap, static_cast<int>(v.range.min_digits));
    r.maxDigits = soap_value<int>(soap, static_cast<int>(v.range.max_digits));
    r.size = soap_value<int>(soap, static_cast<int>(v.range.size));
    r.nameservers = string_array(soap, v.zone.nameservers);
    r.used = soap_value<int>(soap, static_cast<int>(v.range.used));
    r.serial = soap_value<int>(soap, static_cast<int>(v.zone.serial));
    tenancy_to_soap(soap, v.range, r);
    r.info = v.range.info;
}

static EnumNumberInput from_soap(const ngnpro__EnumNumber& n) {
    EnumNumberInput in;
    in.number = n.id.number;
    in.tld = n.id.tld;
    for (int i = 0; i < n.mappings.__size && n.mappings.__ptr != nullptr; ++i) {
        const ngnpro__EnumMapping& m = n.mappings.__ptr[i];
        EnumMappingInput mi;
        mi.id = static_cast<std::uint32_t>(std::max(0, value_or<int>(m.id, 0)));
        mi.type = m.type;
        mi.mapto = m.mapto;
        const int priority = value_or<int>(m.priority, 0);
        const int ttl = value_or<int>(m.ttl, 0);
        if (priority < 0 || ttl < 0) {
            throw ApiError(ErrorCode::InvalidArgument, "mappings: priority and ttl must be >= 0");
        }
        mi.priority = static_cast<std::uint32_t>(priority);
        mi.ttl = static_cast<std::uint32_t>(ttl);
        in.mappings.push_back(std::move(mi));
    }
    in.info = n.info;
    in.owner = value_or<LONG64>(n.owner, 0);
    return in;
}

static void to_soap(struct soap* soap, const sb::store::EnumMappingRow& m,
                    ngnpro__EnumMapping& out) {
    out.id = soap_value<int>(soap, static_cast<int>(m.id));
    out.type = m.type;
    out.mapto = m.mapto;
    out.priority = soap_value<int>(soap, static_cast<int>(m.priority));
    out.ttl = soap_value<int>(soap, static_cast<int>(m.ttl));
}

static void to_soap(struct soap* soap, const sb::store::EnumNumberRow& row, ngnpro__EnumNumber& n) {
    n.id.number = row.number;
    n.id.tld = row.tld;
    fill_array(soap, n.mappings, row.mappings, soap_new_ngnpro__EnumMapping);
    n.info = row.info;
    tenancy_to_soap(soap, row, n);
}

static EnumRangeFilter from_soap(const ngnpro__EnumRangeQuery* query) {
    const auto& q = filter_in(query);
    EnumRangeFilter f{q.prefix, q.tld, q.info};
    tenancy_from_soap(q, f);
    return f;
}

static EnumNumberFilter from_soap(const ngnpro__EnumNumberQuery* query) {
    const auto& q = filter_in(query);
    EnumNumberFilter f{q.number, q.tld, q.type, q.mapto};
    tenancy_from_soap(q, f);
    return f;
}

int enm__addRange(struct soap* soap, ngnpro__EnumRange* range, enm__addRangeResponse&) {
    return serve(soap, "EnumPort.addRange", [&](const Caller& caller) {
        const auto& r = required(range, "range");
        audit_note(soap, "range " + r.id.prefix + " " + r.id.tld);
        context(soap).enums.add_range(caller, from_soap(r));
    });
}

int enm__updateRange(struct soap* soap, ngnpro__EnumRange* range, enm__updateRangeResponse&) {
    return serve(soap, "EnumPort.updateRange", [&](const Caller& caller) {
        const auto& r = required(range, "range");
        audit_note(soap, "range " + r.id.prefix + " " + r.id.tld);
        context(soap).enums.update_range(caller, from_soap(r));
    });
}

int enm__deleteRange(struct soap* soap, ngnpro__EnumRangeId* range, enm__deleteRangeResponse&) {
    return serve(soap, "EnumPort.deleteRange", [&](const Caller& caller) {
        const auto& id = required(range, "range");
        audit_note(soap, "range " + id.prefix + " " + id.tld);
        context(soap).enums.delete_range(caller, id.prefix, id.tld);
    });
}

int enm__getRanges(struct soap* soap, ngnpro__EnumRangeQuery* query, enm__getRangesResponse& out) {
    return serve_page(soap, "EnumPort.getRanges", query, out.return_.total, out.return_.ranges,
                      soap_new_ngnpro__EnumRange,
                      [&](auto&&... a) { return context(soap).enums.get_ranges(a...); });
}

// The number a change names, noted for the audit log.
static const ngnpro__EnumNumber& noted(struct soap* soap, const ngnpro__EnumNumber* number) {
    const auto& n = required(number, "number");
    audit_note(soap, "number " + n.id.number + " " + n.id.tld + " mappings " +
                         std::to_string(n.mappings.__size));
    return n;
}

int enm__addNumber(struct soap* soap, ngnpro__EnumNumber* number, enm__addNumberResponse&) {
    return serve(soap, "EnumPort.addNumber", [&](const Caller& caller) {
        context(soap).enums.add_number(caller, from_soap(noted(soap, number)));
    });
}

int enm__updateNumber(struct soap* soap, ngnpro__EnumNumber* number, enm__updateNumberResponse&) {
    return serve(soap, "EnumPort.updateNumber", [&](const Caller& caller) {
        context(soap).enums.update_number(caller, from_soap(noted(soap, number)));
    });
}

int enm__deleteNumber(struct soap* soap, ngnpro__EnumId* id, enm__deleteNumberResponse&) {
    return serve(soap, "EnumPort.deleteNumber", [&](const Caller& caller) {
        const auto& e = required(id, "enumId");
        audit_note(soap, "number " + e.number + " " + e.tld);
        context(soap).enums.delete_number(caller, e.number, e.tld);
    });
}

int enm__getNumber(struct soap* soap, ngnpro__EnumId* id, enm__getNumberResponse& out) {
    return serve(soap, "EnumPort.getNumber", [&](const Caller& caller) {
        const auto& e = required(id, "enumId");
        to_soap(soap, context(soap).enums.get_number(caller, e.number, e.tld), out.return_);
    });
}

int enm__getNumbers(struct soap* soap, ngnpro__EnumNumberQuery* query,
                    enm__getNumbersResponse& out) {
    return serve_page(soap, "EnumPort.getNumbers", query, out.return_.total, out.return_.numbers,
                      soap_new_ngnpro__EnumNumber,
                      [&](auto&&... a) { return context(soap).enums.get_numbers(a...); });
}
