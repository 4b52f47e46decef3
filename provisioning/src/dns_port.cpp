// DnsPort (urn:AGProjects:NGNPro:Dns): SOAP types ⇄ DnsService. The codec's from_soap/to_soap
// are file-local (static) in the global namespace, where fill_page finds them.
#include "context.hpp"
#include "soap_util.hpp"
#include "zones/zones.hpp"

using namespace sb::prov;

static ZoneInput from_soap(const ngnpro__DnsZone& z) {
    ZoneInput in;
    in.name = z.name;
    auto u32 = [](const auto* p) -> std::optional<std::uint32_t> {
        if (p == nullptr) {
            return std::nullopt;
        }
        return static_cast<std::uint32_t>(*p);
    };
    in.ttl = u32(z.ttl);
    in.refresh = u32(z.refresh);
    in.retry = u32(z.retry);
    in.expire = u32(z.expire);
    in.minimum = u32(z.minimum);
    if (z.nameservers.__size > 0) {
        in.nameservers = strings(z.nameservers);
    }
    in.email = z.email;
    in.info = z.info;
    tenancy_from_soap(z, in);
    return in;
}

static void to_soap(struct soap* soap, const sb::store::ZoneRow& row, ngnpro__DnsZone& z) {
    z.name = row.name;
    z.ttl = soap_value<ULONG64>(soap, row.ttl);
    z.nameservers = string_array(soap, row.nameservers);
    z.email = row.email;
    z.serial = soap_value<int>(soap, static_cast<int>(row.serial));
    z.refresh = soap_value<int>(soap, static_cast<int>(row.refresh));
    z.retry = soap_value<int>(soap, static_cast<int>(row.retry));
    z.expire = soap_value<int>(soap, static_cast<int>(row.expire));
    z.minimum = soap_value<int>(soap, static_cast<int>(row.minimum));
    tenancy_to_soap(soap, row, z);
    z.info = row.info;
}

static RecordInput from_soap(const ngnpro__DnsRecord& r) {
    RecordInput in;
    in.id = static_cast<std::uint64_t>(value_or<LONG64>(r.id, 0));
    in.zone = r.zone;
    in.name = r.name;
    in.type = r.type;
    in.value = r.value;
    in.ttl = value_or<unsigned int>(r.ttl, 0);
    in.priority = value_or<unsigned short>(r.priority, 0);
    in.owner = value_or<LONG64>(r.owner, 0);
    return in;
}

static void to_soap(struct soap* soap, const sb::store::RecordRow& row, ngnpro__DnsRecord& r) {
    r.id = soap_value<LONG64>(soap, static_cast<LONG64>(row.id));
    r.zone = row.zone;
    r.name = row.name;
    r.type = sb::zones::to_string(static_cast<sb::zones::RRType>(row.type));
    r.ttl = soap_value<unsigned int>(soap, row.ttl);
    r.value = row.value;
    r.priority = soap_value<unsigned short>(soap, static_cast<unsigned short>(row.priority));
    tenancy_to_soap(soap, row, r);
}

static ZoneFilter from_soap(const ngnpro__DnsZoneQuery* query) {
    const auto& q = filter_in(query);
    ZoneFilter f{q.name, q.info};
    tenancy_from_soap(q, f);
    return f;
}

static RecordFilter from_soap(const ngnpro__DnsRecordQuery* query) {
    const auto& q = filter_in(query);
    RecordFilter f;
    f.id = static_cast<std::uint64_t>(std::max<LONG64>(0, value_or<LONG64>(q.id, 0)));
    f.zone = q.zone;
    f.name = q.name;
    f.type = q.type;
    f.value = q.value;
    tenancy_from_soap(q, f);
    return f;
}

namespace {

std::uint64_t record_id(int id) {
    if (id <= 0) {
        throw ApiError(ErrorCode::DnsRecordNotFound,
                       "DNS record " + std::to_string(id) + " does not exist");
    }
    return static_cast<std::uint64_t>(id);
}

} // namespace

int dns__addZone(struct soap* soap, ngnpro__DnsZone* zone, dns__addZoneResponse&) {
    return serve(soap, "DnsPort.addZone", [&](const Caller& caller) {
        audit_note(soap, "zone " + required(zone, "zone").name);
        context(soap).dns.add_zone(caller, from_soap(*zone));
    });
}

int dns__updateZone(struct soap* soap, ngnpro__DnsZone* zone, dns__updateZoneResponse&) {
    return serve(soap, "DnsPort.updateZone", [&](const Caller& caller) {
        audit_note(soap, "zone " + required(zone, "zone").name);
        context(soap).dns.update_zone(caller, from_soap(*zone));
    });
}

int dns__deleteZone(struct soap* soap, std::string zone, dns__deleteZoneResponse&) {
    return serve(soap, "DnsPort.deleteZone", [&](const Caller& caller) {
        audit_note(soap, "zone " + zone);
        context(soap).dns.delete_zone(caller, zone);
    });
}

int dns__getZone(struct soap* soap, std::string zone, dns__getZoneResponse& out) {
    return serve(soap, "DnsPort.getZone", [&](const Caller& caller) {
        to_soap(soap, context(soap).dns.get_zone(caller, zone), out.return_);
    });
}

int dns__getZones(struct soap* soap, ngnpro__DnsZoneQuery* query, dns__getZonesResponse& out) {
    return serve_page(soap, "DnsPort.getZones", query, out.return_.total, out.return_.zones,
                      soap_new_ngnpro__DnsZone,
                      [&](auto&&... a) { return context(soap).dns.get_zones(a...); });
}

int dns__addRecord(struct soap* soap, ngnpro__DnsRecord* record, dns__addRecordResponse&) {
    return serve(soap, "DnsPort.addRecord", [&](const Caller& caller) {
        const auto& r = required(record, "record");
        const auto id = context(soap).dns.add_record(caller, from_soap(r));
        audit_note(soap, "record " + std::to_string(id) + " " + r.name + " " + r.type + " " +
                             r.value + " in " + r.zone);
    });
}

int dns__updateRecord(struct soap* soap, ngnpro__DnsRecord* record, dns__updateRecordResponse&) {
    return serve(soap, "DnsPort.updateRecord", [&](const Caller& caller) {
        const auto& r = required(record, "record");
        audit_note(soap, "record " + std::to_string(value_or<LONG64>(r.id, 0)) + " -> " + r.name +
                             " " + r.type + " " + r.value);
        context(soap).dns.update_record(caller, from_soap(r));
    });
}

int dns__deleteRecord(struct soap* soap, int recordId, dns__deleteRecordResponse&) {
    return serve(soap, "DnsPort.deleteRecord", [&](const Caller& caller) {
        audit_note(soap, "record " + std::to_string(recordId));
        context(soap).dns.delete_record(caller, record_id(recordId));
    });
}

int dns__getRecord(struct soap* soap, int recordId, dns__getRecordResponse& out) {
    return serve(soap, "DnsPort.getRecord", [&](const Caller& caller) {
        to_soap(soap, context(soap).dns.get_record(caller, record_id(recordId)), out.return_);
    });
}

int dns__getRecords(struct soap* soap, ngnpro__DnsRecordQuery* query,
                    dns__getRecordsResponse& out) {
    return serve_page(soap, "DnsPort.getRecords", query, out.return_.total, out.return_.records,
                      soap_new_ngnpro__DnsRecord,
                      [&](auto&&... a) { return context(soap).dns.get_records(a...); });
}

// Fancy records (MBOXFW e-mail forwarding, URL redirects) need a mail and web service this
// platform does not run; they are refused rather than stored and silently not served.
int dns__addFancyRecord(struct soap* soap, ngnpro__DnsFancyRecord*, dns__addFancyRecordResponse&) {
    return not_implemented(soap, "DnsPort.addFancyRecord");
}

int dns__updateFancyRecord(struct soap* soap, ngnpro__DnsFancyRecord*,
                           dns__updateFancyRecordResponse&) {
    return not_implemented(soap, "DnsPort.updateFancyRecord");
}

int dns__deleteFancyRecord(struct soap* soap, int, dns__deleteFancyRecordResponse&) {
    return not_implemented(soap, "DnsPort.deleteFancyRecord");
}

int dns__getFancyRecord(struct soap* soap, int, dns__getFancyRecordResponse&) {
    return not_implemented(soap, "DnsPort.getFancyRecord");
}

int dns__getFancyRecords(struct soap* soap, ngnpro__DnsFancyRecordQuery*,
                         dns__getFancyRecordsResponse&) {
    return not_implemented(soap, "DnsPort.getFancyRecords");
}
