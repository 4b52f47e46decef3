#include "zones/compile.hpp"

#include "signer_node.hpp"
#include "zones/catalog.hpp"
#include "zones/dnssec.hpp"
#include "zones/enum.hpp"
#include "zones/journal.hpp"
#include "zones/node.hpp"
#include "zones/zone_index.hpp"
#include "zones/zones.hpp"

namespace sb::zones {

std::string soa_rdata_of(const store::ZoneRow& zone) {
    Soa soa;
    soa.mname = zone.nameservers.empty() ? "ns1." + zone.name : zone.nameservers.front();
    soa.rname = zone.email.empty() ? "hostmaster." + zone.name : email_to_rname(zone.email);
    soa.serial = zone.serial;
    soa.refresh = zone.refresh;
    soa.retry = zone.retry;
    soa.expire = zone.expire;
    soa.minimum = zone.minimum;
    return soa_rdata(soa);
}

void touch_zone(store::WriteTxn& txn, store::ZoneRow& zone, std::int64_t unix_time) {
    zone.serial = next_serial(zone.serial, unix_time);
    write_zone(txn, zone, unix_time);
}

void write_zone(store::WriteTxn& txn, store::ZoneRow& zone, std::int64_t unix_time) {
    zone.change_date = unix_time;
    txn.put(store::Table::Zones, zone.name, store::encode(zone));
    rebuild_node(txn, zone.name);
    journal_trim(txn, zone.name);
}

namespace {

std::string apex_ns_ttl_key(std::string_view zone) {
    return "apex_ns_ttl:" + std::string(zone);
}

} // namespace

void set_apex_ns_ttl(store::WriteTxn& txn, std::string_view zone,
                     std::optional<std::uint32_t> ttl) {
    if (ttl) {
        txn.put(store::Table::Meta, apex_ns_ttl_key(zone), store::u64_key(*ttl));
    } else {
        txn.del(store::Table::Meta, apex_ns_ttl_key(zone));
    }
}

void rebuild_node(store::WriteTxn& txn, std::string_view owner) {
    const std::string key = name_key(owner);
    std::optional<std::string> old_node; // for the IXFR journal
    if (const auto v = txn.get(store::Table::DnsNodes, key)) {
        old_node = std::string(*v);
    }
    NodeBuilder node;
    std::uint8_t flags = 0;

    const auto apex = store::get_zone(txn, owner);
    const bool was_apex = old_node && (NodeView(*old_node).flags() & NodeApex);
    const auto catalog = catalog_name(txn);
    if (catalog && owner != *catalog) {
        // A zone apex appearing or going is a zone created or deleted, whichever port did it:
        // the catalog follows in the same transaction.
        if (apex && !was_apex) {
            catalog_member_added(txn, *catalog, owner);
        } else if (!apex && was_apex) {
            catalog_member_removed(txn, *catalog, owner);
        }
    }
    if (apex) {
        flags |= NodeApex;
        node.add(RRType::SOA, apex->ttl, soa_rdata_of(*apex));
        std::uint32_t ns_ttl = apex->ttl;
        if (const auto v = txn.get(store::Table::Meta, apex_ns_ttl_key(owner));
            v && v->size() == 8) {
            ns_ttl = static_cast<std::uint32_t>(store::get_u64(*v, 0));
        }
        for (const auto& ns : apex->nameservers) {
            node.add(RRType::NS, ns_ttl, name_to_wire(ns));
        }
    } else if (was_apex) {
        set_apex_ns_ttl(txn, owner, std::nullopt); // the zone was deleted
    }

    bool has_ns = false;
    bool has_dname = false;
    std::optional<store::ZoneRow> zone;  // the records' zone, for default TTLs
    std::optional<std::string> rec_zone; // its name (an import writes the row after the nodes)
    for (const auto id : store::ids_with_prefix(txn, store::Table::RecordsByOwner,
                                                store::records_by_owner_prefix(key))) {
        const auto rec = store::get_record(txn, id);
        if (!rec) {
            throw store::Error::corrupted("index points at missing record " + std::to_string(id));
        }
        if (apex && rec->zone != apex->name) {
            // The parent zone's delegation (NS, glue) at the apex of a child zone we also
            // serve: the child's own data answers here; the parent's shows in its transfers
            // (zones::zone_rrs).
            continue;
        }
        rec_zone = rec->zone;
        if (!zone || zone->name != rec->zone) {
            zone = store::get_zone(txn, rec->zone);
        }
        const std::uint32_t ttl = served_ttl(rec->ttl, zone ? zone->ttl : 3600);
        const auto type = static_cast<RRType>(rec->type);
        has_ns = has_ns || type == RRType::NS;
        has_dname = has_dname || type == RRType::DNAME;
        node.add(type, ttl, rec->rdata);
    }
    if (catalog && owner.size() > catalog->size() && in_zone(owner, *catalog)) {
        catalog_node(txn, *catalog, owner, node);
    }
    if (const auto v = txn.get(store::Table::EnumNumbers, key)) {
        const auto number = store::decode_enum_number(*v);
        const auto range = txn.get(store::Table::EnumRanges,
                                   store::enum_range_key(number.tld, number.range_prefix));
        const auto range_zone =
            range ? store::get_zone(txn, store::decode_enum_range(*range).zone) : std::nullopt;
        const std::uint32_t range_ttl = range_zone ? range_zone->ttl : 3600;
        for (const auto& m : number.mappings) {
            const EnumService* service = enum_service(m.type);
            if (service == nullptr) {
                continue; // refused at provisioning; never stored
            }
            node.add(RRType::NAPTR, m.ttl != 0 ? m.ttl : range_ttl,
                     enum_naptr_rdata(*service, m.mapto, m.priority));
        }
    }
    // Signing (zones/signer.hpp): the zone's state at its apex, our DNSSEC RRsets and RRSIGs
    // in the node, then the NSEC3 chain once the node is stored.
    detail::SignPlan plan = detail::plan_signing(txn, owner, key, apex.has_value(), was_apex);
    if (plan.sign && !plan.occluded) {
        detail::sign_node(txn, *plan.sign, owner, key, node,
                          old_node ? std::string_view(*old_node) : std::string_view(),
                          apex.has_value(), has_ns && !apex);
    }
    if (has_ns && !apex) {
        flags |= NodeDelegation;
    }
    if (owner == "*" || owner.starts_with("*.")) {
        flags |= NodeWildcard;
    }
    if (has_dname) {
        flags |= NodeDname;
    }
    if (node.nsec3_only()) {
        flags |= NodeNsec3Only;
    }
    if (node.has(RRType::RRSIG)) {
        flags |= NodeSigned;
    }
    std::optional<std::string> zone_key;
    if (apex || rec_zone) {
        zone_key = name_key(apex ? apex->name : *rec_zone);
    } else if (plan.sign) {
        zone_key = plan.sign->zone_key;
    }
    node.set_flags(flags);
    detail::store_node(txn, owner, key, old_node, node, zone_key);
    if (plan.sign) {
        detail::chain_owner(txn, *plan.sign, owner, key, plan.occluded, old_node.has_value());
    }
    if (plan.full_pass) {
        detail::rebuild_zone_owners(txn, plan.pass_zone);
    }
}

namespace detail {

void store_node(store::WriteTxn& txn, std::string_view owner, std::string_view key,
                const std::optional<std::string>& old_node, const NodeBuilder& node,
                std::optional<std::string_view> zone_key) {
    const std::string_view old_value = old_node ? std::string_view(*old_node) : std::string_view();
    if (node.empty()) {
        txn.del(store::Table::DnsNodes, key);
        mark_node(txn, key, 0);
        chain_node(txn, key, std::nullopt, old_value, {});
        journal_node(txn, owner, old_node ? &*old_node : nullptr, nullptr);
        return;
    }
    const std::string built = node.build();
    txn.put(store::Table::DnsNodes, key, built);
    mark_node(txn, key, mark_flags(node.flags()));
    chain_node(txn, key, zone_key, old_value, built);
    journal_node(txn, owner, old_node ? &*old_node : nullptr, &built);
}

} // namespace detail

} // namespace sb::zones
