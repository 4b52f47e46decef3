// SipPort trusted peers and PSTN routing: carriers, gateways, gateway rules, routes
// (reference/ngnpro-api.md §7.5, §7.6, §8.6). A carrier must exist before its gateways and
// routes, a gateway before its rules, and neither is deleted while something uses it.
#include "sip_common.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

namespace sb::prov {

using namespace sip;

namespace {

bool is_ip(const std::string& ip) {
    in_addr a4{};
    in6_addr a6{};
    return inet_pton(AF_INET, ip.c_str(), &a4) == 1 || inet_pton(AF_INET6, ip.c_str(), &a6) == 1;
}

bool digits(const std::string& s, bool plus = false) {
    return std::all_of(s.begin(), s.end(), [&](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || (plus && c == '+');
    });
}

// The reseller a PSTN record gets: the administrator's choice, or the calling reseller's own.
// Customers that are not resellers do not manage PSTN routing.
std::int64_t pstn_reseller(const store::WriteTxn& txn, const Caller& caller,
                           std::int64_t requested) {
    if (caller.admin) {
        return requested;
    }
    if (caller.customer != caller.reseller) {
        throw ApiError(ErrorCode::PermissionDenied,
                       "only resellers and the administrator manage PSTN carriers, gateways, "
                       "rules and routes");
    }
    require_may_create(txn, caller);
    return caller.reseller;
}

bool may_see(const Caller& caller, std::int64_t reseller) {
    return caller.admin || (caller.customer == caller.reseller && reseller == caller.reseller);
}

template <class Row, class Txn>
Row load_pstn(const Txn& txn, const Caller& caller, Table table, std::uint64_t id,
              ErrorCode not_found, const char* what) {
    auto row = get_row<Row>(txn, table, store::u64_key(id));
    if (!row || !may_see(caller, row->reseller)) {
        throw ApiError(not_found, std::string(what) + " " + std::to_string(id) + " does not exist");
    }
    return *row;
}

// Where each PSTN row lives and how a missing one is refused.
struct PstnTable {
    Table table;
    ErrorCode not_found;
    const char* what;
};

template <class Row>
constexpr PstnTable pstn{};
template <>
constexpr PstnTable pstn<CarrierRow>{Table::Carriers, ErrorCode::CarrierNotFound, "carrier"};
template <>
constexpr PstnTable pstn<GatewayRow>{Table::Gateways, ErrorCode::GatewayNotFound, "gateway"};
template <>
constexpr PstnTable pstn<GatewayRuleRow>{Table::GatewayRules, ErrorCode::GatewayRuleNotFound,
                                         "gateway rule"};
template <>
constexpr PstnTable pstn<RouteRow>{Table::Routes, ErrorCode::RouteNotFound, "route"};

template <class Row, class Txn>
Row load(const Txn& txn, const Caller& caller, std::uint64_t id) {
    return load_pstn<Row>(txn, caller, pstn<Row>.table, id, pstn<Row>.not_found, pstn<Row>.what);
}

// Stores a gateway, rule or route under its id with the reseller of what it hangs off
// (carrier, gateway) and moves its references from `before` (nullptr: new); returns the id.
template <class Row>
std::uint64_t put_pstn(store::WriteTxn& txn, Table table, const Row* before, Row& row,
                       std::int64_t reseller) {
    row.reseller = reseller;
    row.change_date = now();
    put_indexed(txn, table, store::u64_key(row.id), before, row);
    return row.id;
}

// Deletes the row `id` of `table` that `load` (the tenant check) found, with its references.
template <class Row>
void delete_pstn(store::WriteTxn& txn, Table table, const Row& row) {
    del_indexed(txn, table, store::u64_key(row.id), row);
}

// How many rows refer to `id` through the reference index `index` (rows.hpp); walks only those.
template <class Txn>
std::size_t referrers(const Txn& txn, std::string_view index, std::uint64_t id) {
    return count_with_prefix(txn, Table::Index, reference_prefix(index, id));
}

void check_name(const std::string& name, const char* field) {
    if (name.empty() || name.size() > 128) {
        throw ApiError(ErrorCode::InvalidArgument,
                       std::string(field) + ": a name of 1-128 characters is required");
    }
}

void apply(GatewayRow& row, const GatewayInput& in) {
    check_name(in.name, "name");
    if (!is_ip(in.ip)) {
        try {
            domain_name(in.ip, "ip");
        } catch (const ApiError&) {
            throw ApiError(ErrorCode::InvalidArgument,
                           "ip: '" + in.ip + "' is neither an IP address nor a host name");
        }
    }
    const std::string transport = in.transport.empty() ? "udp" : lower(in.transport);
    if (transport != "udp" && transport != "tcp" && transport != "tls") {
        throw ApiError(ErrorCode::InvalidArgument, "transport: one of udp, tcp, tls");
    }
    if (in.port == 0 || in.port > 65535) {
        throw ApiError(ErrorCode::InvalidArgument, "port: 1-65535");
    }
    row.name = in.name;
    row.ip = in.ip;
    row.transport = transport;
    row.port = in.port;
}

void apply(GatewayRuleRow& row, const GatewayRuleInput& in) {
    if (!digits(in.prefix) || !digits(in.prepend, true) || in.prefix.size() > 32 ||
        in.prepend.size() > 32) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "prefix, prepend: digits (prepend may contain '+'), at most 32");
    }
    if (in.strip > 32 || (in.max_length != 0 && in.min_length > in.max_length)) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "strip: at most 32; minLength must not exceed maxLength");
    }
    row.prefix = in.prefix;
    row.prepend = in.prepend;
    row.strip = in.strip;
    row.min_length = in.min_length;
    row.max_length = in.max_length;
}

constexpr std::size_t max_route_prefix = 18;

void check_route_prefix(const std::string& p) {
    // "00" + E.164 digits, or "" for the default route (api §8.6).
    if (!p.empty() &&
        (p.size() < 3 || p.size() > max_route_prefix || p.rfind("00", 0) != 0 || !digits(p))) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "prefix: '" + p +
                           "' must be 00 followed by an E.164 prefix, or empty "
                           "for every destination");
    }
}

void apply(RouteRow& row, const RouteInput& in) {
    check_route_prefix(in.prefix);
    row.prefix = in.prefix;
    row.originator = in.originator;
    row.priority = in.priority;
}

// Adds (`add`: the server picks the id) or updates the gateway, rule or route `in`: checked,
// its parent (a Parent, named by the field `parent_id`) loaded — the caller must see it, and the
// row takes its reseller — and stored with its references in the operation's transaction.
// Returns the id.
template <class Row, class Parent, auto parent_id, class Input>
std::uint64_t save(store::WriteTxn& txn, const Caller& caller, const Input& in, bool add) {
    if (add) {
        pstn_reseller(txn, caller, in.reseller);
    }
    const std::optional<Row> before =
        add ? std::nullopt : std::optional<Row>(load<Row>(txn, caller, in.id));
    const auto parent = load<Parent>(txn, caller, in.*parent_id);
    Row row = before.value_or(Row{});
    apply(row, in);
    if (add) {
        row.id = txn.next_id("pstn");
    }
    row.*parent_id = parent.id;
    return put_pstn(txn, pstn<Row>.table, before ? &*before : nullptr, row, parent.reseller);
}

template <class Row, class Txn>
std::vector<Row> all_rows(const Txn& txn, Table table) {
    return rows_with_prefix<Row>(txn, table, "");
}

// The carriers, gateways, rules or routes the caller may see that match the filter's id and
// reseller and `keep`, as views (`view(txn, row)`, in one read snapshot); `view` returns nothing
// to drop a row.
template <class Row, class Keep, class ToView>
auto pstn_views(const store::Env& env, const Caller& caller, const IdFilter& f, Keep keep,
                ToView view) {
    store::ReadTxn txn(env);
    std::vector<typename decltype(view(txn, std::declval<const Row&>()))::value_type> out;
    for (const auto& r : all_rows<Row>(txn, pstn<Row>.table)) {
        if (may_see(caller, r.reseller) && (f.id == 0 || r.id == f.id) &&
            (f.reseller == 0 || r.reseller == f.reseller) && keep(r)) {
            if (auto v = view(txn, r)) {
                out.push_back(std::move(*v));
            }
        }
    }
    return out;
}

template <class Txn>
std::string carrier_name(const Txn& txn, std::uint64_t id) {
    const auto c = get_row<CarrierRow>(txn, Table::Carriers, store::u64_key(id));
    return c ? c->name : "";
}

template <class View, class Key>
Page<View> order_page(std::vector<View> rows, Range range, const OrderBy& order, Key key) {
    return paginate(std::move(rows), range, order, key);
}

} // namespace

// ---- trusted peers

namespace {

void apply_peer(TrustedPeerRow& row, const TrustedPeerInput& in) {
    const std::string protocol = in.protocol.empty() ? "any" : lower(in.protocol);
    if (protocol != "any" && protocol != "udp" && protocol != "tcp" && protocol != "tls" &&
        protocol != "sctp") {
        throw ApiError(ErrorCode::InvalidArgument,
                       "protocol: '" + in.protocol + "' is not one of any, udp, tcp, tls, sctp");
    }
    const auto keep = row;
    static_cast<TrustedPeerInput&>(row) = in;
    row.ip = keep.ip;
    row.protocol = protocol;
    row.customer = keep.customer;
    row.reseller = keep.reseller;
    row.change_date = now();
}

} // namespace

void PstnService::add_trusted_peer(const Caller& caller, const TrustedPeerInput& in) {
    if (!is_ip(in.ip)) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "ip: '" + in.ip + "' is not an IPv4 or IPv6 address");
    }
    env_.write([&](store::WriteTxn& txn) {
        if (txn.get(Table::TrustedPeers, in.ip)) {
            throw ApiError(ErrorCode::TrustedPeerExists,
                           "trusted peer " + in.ip + " already exists");
        }
        const Tenant t = tenant_for_new(txn, caller, in.customer, in.reseller);
        TrustedPeerRow row;
        row.ip = in.ip;
        row.customer = t.customer;
        row.reseller = t.reseller;
        apply_peer(row, in);
        put_indexed<TrustedPeerRow>(txn, Table::TrustedPeers, row.ip, nullptr, row);
    });
}

void PstnService::update_trusted_peer(const Caller& caller, const TrustedPeerInput& in) {
    env_.write([&](store::WriteTxn& txn) {
        auto row = get_row<TrustedPeerRow>(txn, Table::TrustedPeers, in.ip);
        if (!row || !may_access(caller, row->customer, row->reseller)) {
            throw ApiError(ErrorCode::TrustedPeerNotFound,
                           "trusted peer " + in.ip + " does not exist");
        }
        const TrustedPeerRow before = *row;
        if (caller.admin && (in.customer != row->customer || in.reseller != row->reseller)) {
            const Tenant t = tenant_for_new(txn, caller, in.customer, in.reseller);
            row->customer = t.customer;
            row->reseller = t.reseller;
        }
        apply_peer(*row, in);
        put_indexed(txn, Table::TrustedPeers, row->ip, &before, *row);
    });
}

void PstnService::delete_trusted_peer(const Caller& caller, const std::string& ip) {
    env_.write([&](store::WriteTxn& txn) {
        const auto row = get_row<TrustedPeerRow>(txn, Table::TrustedPeers, ip);
        if (!row || !may_access(caller, row->customer, row->reseller)) {
            throw ApiError(ErrorCode::TrustedPeerNotFound,
                           "trusted peer " + ip + " does not exist");
        }
        del_indexed(txn, Table::TrustedPeers, ip, *row);
    });
}

Page<TrustedPeerView> PstnService::get_trusted_peers(const Caller& caller,
                                                     const TrustedPeerFilter& f, Range range,
                                                     const OrderBy& order) {
    store::ReadTxn txn(env_);
    std::vector<TrustedPeerView> rows;
    for (auto& p : all_rows<TrustedPeerRow>(txn, Table::TrustedPeers)) {
        if (!may_access(caller, p.customer, p.reseller) || !matches(f.ip, p.ip) ||
            !matches(f.description, p.description) || !matches(f.tenant, p.tenant) ||
            !matches(f.tags, p.tags) || !matches(f.billing_id, p.billing_id) ||
            (f.msteams && *f.msteams != p.msteams) || (f.blocked && *f.blocked != p.blocked) ||
            (f.customer != 0 && p.customer != f.customer) ||
            (f.reseller != 0 && p.reseller != f.reseller)) {
            continue;
        }
        rows.push_back(view_of<TrustedPeerView>(p));
    }
    if (order.attribute == "changeDate") {
        return paginate(std::move(rows), range, order, [](const TrustedPeerView& p) {
            return std::make_pair(p.change_date, p.ip);
        });
    }
    if (order.attribute == "description") {
        return paginate(std::move(rows), range, order, [](const TrustedPeerView& p) {
            return std::make_pair(p.description, p.ip);
        });
    }
    return paginate(std::move(rows), range, order, [](const TrustedPeerView& p) { return p.ip; });
}

// ---- carriers

std::uint64_t PstnService::add_carrier(const Caller& caller, const CarrierInput& in) {
    check_name(in.name, "name");
    return env_.write([&](store::WriteTxn& txn) {
        CarrierRow row;
        row.reseller = pstn_reseller(txn, caller, in.reseller);
        row.id = txn.next_id("pstn");
        row.name = in.name;
        row.change_date = now();
        txn.put(Table::Carriers, store::u64_key(row.id), encode(row));
        return row.id;
    });
}

void PstnService::update_carrier(const Caller& caller, const CarrierInput& in) {
    check_name(in.name, "name");
    env_.write([&](store::WriteTxn& txn) {
        CarrierRow row = load<CarrierRow>(txn, caller, in.id);
        row.name = in.name;
        if (caller.admin) {
            row.reseller = in.reseller;
        }
        row.change_date = now();
        txn.put(Table::Carriers, store::u64_key(row.id), encode(row));
    });
}

void PstnService::delete_carrier(const Caller& caller, std::uint64_t id) {
    env_.write([&](store::WriteTxn& txn) {
        load<CarrierRow>(txn, caller, id);
        const std::size_t gateways = referrers(txn, "gateway_carrier", id);
        const std::size_t routes = referrers(txn, "route_carrier", id);
        if (gateways + routes != 0) {
            throw ApiError(ErrorCode::CarrierInUse,
                           "carrier " + std::to_string(id) + " is used by " +
                               std::to_string(gateways) + " gateway(s) and " +
                               std::to_string(routes) + " route(s); delete them first");
        }
        txn.del(Table::Carriers, store::u64_key(id));
    });
}

Page<CarrierView> PstnService::get_carriers(const Caller& caller, const IdFilter& f, Range range,
                                            const OrderBy& order) {
    auto rows = pstn_views<CarrierRow>(
        env_, caller, f, [&](const CarrierRow& c) { return matches(f.name, c.name); },
        [](const store::ReadTxn&, const CarrierRow& c) {
            return std::optional(view_of<CarrierView>(c));
        });
    if (order.attribute == "changeDate") {
        return paginate(std::move(rows), range, order,
                        [](const CarrierView& c) { return std::make_pair(c.change_date, c.id); });
    }
    if (order.attribute == "name") {
        return paginate(std::move(rows), range, order,
                        [](const CarrierView& c) { return std::make_pair(c.name, c.id); });
    }
    return paginate(std::move(rows), range, order, [](const CarrierView& c) { return c.id; });
}

// ---- gateways

std::uint64_t PstnService::add_gateway(const Caller& caller, const GatewayInput& in) {
    return env_.write([&](store::WriteTxn& txn) {
        return save<GatewayRow, CarrierRow, &GatewayInput::carrier_id>(txn, caller, in, true);
    });
}

void PstnService::update_gateway(const Caller& caller, const GatewayInput& in) {
    env_.write([&](store::WriteTxn& txn) {
        save<GatewayRow, CarrierRow, &GatewayInput::carrier_id>(txn, caller, in, false);
    });
}

void PstnService::delete_gateway(const Caller& caller, std::uint64_t id) {
    env_.write([&](store::WriteTxn& txn) {
        const GatewayRow row = load<GatewayRow>(txn, caller, id);
        const std::size_t rules = referrers(txn, "rule_gateway", id);
        if (rules != 0) {
            throw ApiError(ErrorCode::GatewayInUse, "gateway " + std::to_string(id) + " has " +
                                                        std::to_string(rules) +
                                                        " rule(s); delete them first");
        }
        delete_pstn(txn, Table::Gateways, row);
    });
}

Page<GatewayView> PstnService::get_gateways(const Caller& caller, const IdFilter& f, Range range,
                                            const OrderBy& order) {
    auto rows = pstn_views<GatewayRow>(
        env_, caller, f,
        [&](const GatewayRow& g) {
            return matches(f.name, g.name) && (f.carrier_id == 0 || g.carrier_id == f.carrier_id) &&
                   (f.customer == 0 || g.reseller == f.customer);
        },
        [](const store::ReadTxn& txn, const GatewayRow& g) {
            return std::optional(view_of<GatewayView>(g, carrier_name(txn, g.carrier_id)));
        });
    const std::string& by = order.attribute;
    if (by == "changeDate") {
        return order_page(std::move(rows), range, order,
                          [](const GatewayView& v) { return std::make_pair(v.change_date, v.id); });
    }
    if (by == "name" || by == "ip") {
        const bool name = by == "name";
        return order_page(std::move(rows), range, order, [name](const GatewayView& v) {
            return std::make_pair(name ? v.name : v.ip, v.id);
        });
    }
    if (by == "carrier_id") {
        return order_page(std::move(rows), range, order,
                          [](const GatewayView& v) { return std::make_pair(v.carrier_id, v.id); });
    }
    return order_page(std::move(rows), range, order, [](const GatewayView& v) { return v.id; });
}

// ---- gateway rules

std::uint64_t PstnService::add_gateway_rule(const Caller& caller, const GatewayRuleInput& in) {
    return env_.write([&](store::WriteTxn& txn) {
        return save<GatewayRuleRow, GatewayRow, &GatewayRuleInput::gateway_id>(txn, caller, in,
                                                                               true);
    });
}

void PstnService::update_gateway_rule(const Caller& caller, const GatewayRuleInput& in) {
    env_.write([&](store::WriteTxn& txn) {
        save<GatewayRuleRow, GatewayRow, &GatewayRuleInput::gateway_id>(txn, caller, in, false);
    });
}

void PstnService::delete_gateway_rule(const Caller& caller, std::uint64_t id) {
    env_.write([&](store::WriteTxn& txn) {
        delete_pstn(txn, Table::GatewayRules, load<GatewayRuleRow>(txn, caller, id));
    });
}

Page<GatewayRuleView> PstnService::get_gateway_rules(const Caller& caller, const IdFilter& f,
                                                     Range range, const OrderBy& order) {
    auto rows = pstn_views<GatewayRuleRow>(
        env_, caller, f,
        [&](const GatewayRuleRow& r) {
            return (f.gateway_id == 0 || r.gateway_id == f.gateway_id) &&
                   matches(f.prefix, r.prefix) && (f.customer == 0 || r.reseller == f.customer);
        },
        [&](const store::ReadTxn& txn, const GatewayRuleRow& r) -> std::optional<GatewayRuleView> {
            const auto g = get_row<GatewayRow>(txn, Table::Gateways, store::u64_key(r.gateway_id));
            const std::uint64_t carrier_id = g ? g->carrier_id : 0;
            if (f.carrier_id != 0 && carrier_id != f.carrier_id) {
                return std::nullopt;
            }
            return view_of<GatewayRuleView>(r, g ? g->name : "", carrier_id,
                                            carrier_name(txn, carrier_id));
        });
    const std::string& by = order.attribute;
    if (by == "changeDate") {
        return order_page(std::move(rows), range, order, [](const GatewayRuleView& v) {
            return std::make_pair(v.change_date, v.id);
        });
    }
    if (by == "gateway" || by == "carrier" || by == "prefix") {
        return order_page(std::move(rows), range, order, [by](const GatewayRuleView& v) {
            return std::make_pair(by == "gateway"   ? v.gateway
                                  : by == "carrier" ? v.carrier
                                                    : v.prefix,
                                  v.id);
        });
    }
    return order_page(std::move(rows), range, order, [](const GatewayRuleView& v) { return v.id; });
}

// ---- routes

std::vector<std::uint64_t> PstnService::add_routes(const Caller& caller,
                                                   const std::vector<RouteInput>& in) {
    return env_.write([&](store::WriteTxn& txn) {
        std::vector<std::uint64_t> ids;
        for (const auto& r : in) {
            ids.push_back(
                save<RouteRow, CarrierRow, &RouteInput::carrier_id>(txn, caller, r, true));
        }
        return ids;
    });
}

void PstnService::update_routes(const Caller& caller, const std::vector<RouteInput>& in) {
    env_.write([&](store::WriteTxn& txn) {
        for (const auto& r : in) {
            save<RouteRow, CarrierRow, &RouteInput::carrier_id>(txn, caller, r, false);
        }
    });
}

void PstnService::delete_routes(const Caller& caller, const std::vector<std::uint64_t>& ids) {
    env_.write([&](store::WriteTxn& txn) {
        for (const auto id : ids) {
            delete_pstn(txn, Table::Routes, load<RouteRow>(txn, caller, id));
        }
    });
}

Page<RouteView> PstnService::get_routes(const Caller& caller, const IdFilter& f, Range range,
                                        const OrderBy& order) {
    auto rows = pstn_views<RouteRow>(
        env_, caller, f,
        [&](const RouteRow& r) {
            return matches(f.prefix, r.prefix) &&
                   (f.carrier_id == 0 || r.carrier_id == f.carrier_id);
        },
        [](const store::ReadTxn& txn, const RouteRow& r) {
            return std::optional(view_of<RouteView>(r, carrier_name(txn, r.carrier_id)));
        });
    if (order.attribute == "priority") {
        return order_page(std::move(rows), range, order, [](const RouteView& v) {
            return std::make_tuple(v.priority, v.prefix, v.id);
        });
    }
    return order_page(std::move(rows), range, order, [](const RouteView& v) {
        return std::make_tuple(v.prefix, v.priority, v.id);
    });
}

std::optional<RouteRow> sip::route_row_for(const store::ReadTxn& txn, std::string_view number) {
    // The route_prefix index sorts one prefix's routes by priority: the first entry under the
    // longest prefix of `number` that has any is the route. One seek per prefix length.
    for (std::size_t n = std::min(number.size(), max_route_prefix);; --n) {
        const auto key =
            first_key_with_prefix(txn, Table::Index, route_prefix_prefix(number.substr(0, n)));
        if (key) {
            return get_row<RouteRow>(txn, Table::Routes, store::u64_key(route_of_prefix_key(*key)));
        }
        if (n == 0) {
            return std::nullopt;
        }
    }
}

std::optional<RouteView> PstnService::route_for(const std::string& number) {
    store::ReadTxn txn(env_);
    const auto r = route_row_for(txn, number);
    return r ? std::optional(view_of<RouteView>(*r, carrier_name(txn, r->carrier_id)))
             : std::nullopt;
}

} // namespace sb::prov
