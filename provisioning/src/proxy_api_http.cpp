// The SIP proxy's read API over HTTP (docs/kamailio.md): GET <base>proxy/v1/<lookup>?<query>
// answers one lookup of ProxyService as a JSON object; POST <base>proxy/v1/debit (JSON) debits a
// prepaid call. Served by the provisioning front (keep-alive, TLS, limits), authenticated like
// the events endpoint: HTTP Basic with the administrator's credentials (docs/decisions.md).
#include "context.hpp"
#include "json_http.hpp"
#include "log/log.hpp"
#include "provisioning/proxy_api.hpp"
#include "provisioning/rows.hpp"
#include "soapH.h"

#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

namespace sb::prov {

namespace {

using Query = std::map<std::string, std::string>;

// %XX decoded; "+" stays "+" (E.164 numbers are sent unescaped).
std::string url_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned byte = 0;
        if (s[i] == '%' && i + 2 < s.size() &&
            std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
            std::isxdigit(static_cast<unsigned char>(s[i + 2])) &&
            std::from_chars(s.data() + i + 1, s.data() + i + 3, byte, 16).ec == std::errc()) {
            out += static_cast<char>(byte);
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

Query query_of(std::string_view q) {
    Query out;
    while (!q.empty()) {
        const auto amp = q.find('&');
        const std::string_view item = q.substr(0, amp);
        const auto eq = item.find('=');
        out[url_decode(item.substr(0, eq))] =
            eq == std::string_view::npos ? "" : url_decode(item.substr(eq + 1));
        q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    }
    return out;
}

const std::string& arg(const Query& q, const char* name) {
    const auto it = q.find(name);
    if (it == q.end() || it->second.empty()) {
        throw ApiError(ErrorCode::InvalidArgument, std::string(name) + ": missing");
    }
    return it->second;
}

// user=alice&domain=example.com, or user=alice@example.com.
SipId id_of(const Query& q) {
    const std::string& user = arg(q, "user");
    if (const auto at = user.find('@'); at != std::string::npos) {
        return {user.substr(0, at), user.substr(at + 1)};
    }
    return {user, arg(q, "domain")};
}

double number_of(const std::string& text, const char* name) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || !std::isfinite(v)) {
        throw ApiError(ErrorCode::InvalidArgument,
                       std::string(name) + ": '" + text + "' is not a number");
    }
    return v;
}

std::string json_bool(bool b) {
    return b ? "true" : "false";
}

std::string json_number(double v) {
    std::ostringstream s;
    s.precision(12);
    s << v;
    return s.str();
}

std::string json_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (const auto& i : items) {
        out += (out.size() > 1 ? ", " : "") + json_string(i);
    }
    return out + "]";
}

std::string id_members(const SipId& id) {
    return "\"username\": " + json_string(id.username) + ", \"domain\": " + json_string(id.domain);
}

std::string subscriber_json(ProxyService& p, const Query& q) {
    const SubscriberAnswer a = p.subscriber(id_of(q));
    return "{\"exists\": " + json_bool(a.exists) + ", \"ha1\": " + json_string(a.ha1) +
           ", \"ha1b\": " + json_string(a.ha1b) + ", \"blocked\": " + json_bool(a.blocked) +
           ", \"prepaid\": " + json_bool(a.prepaid) + ", \"groups\": " + json_list(a.groups) + "}";
}

std::string call_json(ProxyService& p, const Query& q) {
    const auto from = q.find("from");
    const CallDecision d = p.call(id_of(q), from == q.end() ? "" : from->second, now());
    std::string diversions;
    for (std::size_t i = 0; i < d.diversions.size(); ++i) {
        diversions += (i ? ", \"" : "\"") + std::string(diversion_names[i]) +
                      "\": " + json_string(d.diversions[i]);
    }
    return "{\"action\": " + json_string(to_string(d.action)) + ", " + id_members(d.callee) +
           ", \"reason\": " + json_string(d.reason) + ", \"target\": " + json_string(d.target) +
           ", \"mailbox\": " + json_string(d.mailbox) + ", \"diversions\": {" + diversions + "}}";
}

std::string peer_json(ProxyService& p, const Query& q) {
    const auto peer = p.trusted_peer(arg(q, "ip"));
    if (!peer) {
        return "{\"trusted\": false}";
    }
    return "{\"trusted\": true, \"protocol\": " + json_string(peer->protocol) +
           ", \"tag\": " + json_string(peer->tag) + ", \"prefix\": " + json_string(peer->prefix) +
           ", \"strip\": " + std::to_string(peer->strip) +
           ", \"blocked\": " + std::to_string(peer->blocked) +
           ", \"call_limit\": " + std::to_string(peer->call_limit) +
           ", \"enum_lookup\": " + json_bool(peer->enum_lookup) +
           ", \"prepaid\": " + json_bool(peer->prepaid) +
           ", \"carrier\": " + json_string(peer->carrier_name) + "}";
}

std::string route_json(ProxyService& p, const Query& q) {
    const RouteAnswer r = p.route(arg(q, "number"));
    if (!r.found) {
        return "{\"found\": false}";
    }
    const std::string uri =
        "sip:" + r.number + "@" + r.ip + ":" + std::to_string(r.port) + ";transport=" + r.transport;
    return "{\"found\": true, \"route\": " + std::to_string(r.route_id) +
           ", \"prefix\": " + json_string(r.prefix) + ", \"carrier\": " + json_string(r.carrier) +
           ", \"gateway\": " + json_string(r.gateway) + ", \"ip\": " + json_string(r.ip) +
           ", \"port\": " + std::to_string(r.port) +
           ", \"transport\": " + json_string(r.transport) +
           ", \"number\": " + json_string(r.number) + ", \"uri\": " + json_string(uri) + "}";
}

std::string prepaid_json(ProxyService& p, const Query& q) {
    const PrepaidAnswer a = p.prepaid(id_of(q), number_of(arg(q, "rate"), "rate"));
    return "{\"prepaid\": " + json_bool(a.prepaid) + ", \"balance\": " + json_number(a.balance) +
           ", \"max_seconds\": " + std::to_string(a.max_seconds) + "}";
}

// The lookup named by the last path segment, or "" when there is none by that name.
std::string lookup(ProxyService& p, std::string_view name, const Query& q) {
    if (name == "subscriber") {
        return subscriber_json(p, q);
    }
    if (name == "domain") {
        return "{\"ours\": " + json_bool(p.domain_is_ours(arg(q, "domain"))) + "}";
    }
    if (name == "alias") {
        const auto target = p.alias(id_of(q));
        return "{\"alias\": " + json_bool(target.has_value()) + ", " +
               id_members(target.value_or(SipId{})) + "}";
    }
    if (name == "call") {
        return call_json(p, q);
    }
    if (name == "peer") {
        return peer_json(p, q);
    }
    if (name == "route") {
        return route_json(p, q);
    }
    if (name == "prepaid") {
        return prepaid_json(p, q);
    }
    if (name == "voicemail") {
        return "{\"mailbox\": " + json_string(p.mailbox(id_of(q))) + "}";
    }
    return "";
}

// The members `keys` of a JSON object body, as text ("" when absent or not a plain value).
Query json_fields(std::string_view body, std::initializer_list<const char*> keys) {
    namespace pt = boost::property_tree;
    pt::ptree doc;
    std::istringstream in{std::string(body)};
    try {
        pt::read_json(in, doc);
    } catch (const pt::json_parser_error& e) {
        throw ApiError(ErrorCode::InvalidArgument, "JSON: " + e.message());
    }
    Query q;
    for (const char* k : keys) {
        q[k] = doc.get<std::string>(k, "");
    }
    if (q.count("username") && q["user"].empty()) {
        q["user"] = q["username"];
    }
    return q;
}

// A whole number of seconds, 0 to max_call_seconds (range-checked before the cast: a double
// beyond int64 does not convert).
std::int64_t seconds_of(const std::string& text, const char* name) {
    const double given = number_of(text, name);
    if (!(given >= 0 && given <= max_call_seconds)) {
        throw ApiError(ErrorCode::InvalidArgument,
                       std::string(name) + ": 0 to " + std::to_string(max_call_seconds));
    }
    return static_cast<std::int64_t>(given);
}

// A reservation's members, without braces.
std::string reservation_members(const Reservation& v) {
    return "\"call_id\": " + json_string(v.call_id) +
           ", \"state\": " + json_string(to_string(v.state)) +
           ", \"seconds\": " + std::to_string(v.seconds) +
           ", \"amount\": " + json_number(v.amount) + ", \"used\": " + std::to_string(v.used) +
           ", \"price\": " + json_number(v.price) + ", \"returned\": " +
           json_number(v.state == ReservationState::Open ? 0 : v.amount - v.price);
}

// What reserve and settle answer.
std::string reservation_json(const ReservationResult& r) {
    return "{\"prepaid\": " + json_bool(r.prepaid) + ", " + reservation_members(r.reservation) +
           ", \"balance\": " + json_number(r.balance) + ", \"repeated\": " + json_bool(r.repeated) +
           "}";
}

// POST <base>proxy/v1/debit {"username", "domain" (or "user": "alice@example.com"),
// "seconds", "rate", "call_id"}: the call's price leaves the balance (a credit history entry
// "Call <call_id>"). Kept for proxies that post the seconds at the call's end only.
std::string debit(struct soap* soap, Context& ctx, const Caller& admin, std::string_view body) {
    Query q = json_fields(body, {"user", "username", "domain", "seconds", "rate", "call_id"});
    const SipId id = id_of(q);
    const std::int64_t seconds = seconds_of(arg(q, "seconds"), "seconds");
    const double price = call_price(seconds, number_of(arg(q, "rate"), "rate"));
    audit_note(soap, "prepaid " + id.username + "@" + id.domain + " call " + q["call_id"] + " " +
                         std::to_string(seconds) + " s");
    const BalanceChange c = ctx.prepaid.add_balance(admin, id, -price, "Call " + q["call_id"]);
    return "{\"price\": " + json_number(price) +
           ", \"old_balance\": " + json_number(c.old_balance) +
           ", \"new_balance\": " + json_number(c.new_balance) + "}";
}

// POST <base>proxy/v1/reserve {"user" (or "username" + "domain"), "call_id", "rate",
// "max_seconds" (optional)}: the seconds the balance pays leave it for the call.
std::string reserve(struct soap* soap, Context& ctx, const Caller& admin, std::string_view body) {
    Query q = json_fields(body, {"user", "username", "domain", "call_id", "rate", "max_seconds"});
    const SipId id = id_of(q);
    const double rate = number_of(arg(q, "rate"), "rate");
    const std::int64_t max =
        q["max_seconds"].empty() ? 0 : seconds_of(q["max_seconds"], "max_seconds");
    const std::string& call_id = arg(q, "call_id");
    audit_note(soap, "prepaid " + id.username + "@" + id.domain + " reserve call " + call_id);
    return reservation_json(ctx.prepaid.reserve(admin, id, call_id, rate, max, now()));
}

// POST <base>proxy/v1/settle {"call_id", "seconds"}: the seconds used are charged, the rest of
// the reservation returns to the balance; a repeated settle changes nothing.
std::string settle(struct soap* soap, Context& ctx, std::string_view body) {
    Query q = json_fields(body, {"call_id", "seconds"});
    const std::string& call_id = arg(q, "call_id");
    const std::int64_t seconds = seconds_of(arg(q, "seconds"), "seconds");
    audit_note(soap, "prepaid settle call " + call_id + " " + std::to_string(seconds) + " s");
    return reservation_json(ctx.prepaid.settle(call_id, seconds, now()));
}

// GET <base>proxy/v1/reservation?call_id=: a reservation as it stands.
std::string reservation_lookup(Context& ctx, const std::string& call_id) {
    const auto r = ctx.prepaid.reservation(call_id);
    if (!r) {
        return "{\"found\": false}";
    }
    return "{\"found\": true, \"prepaid\": true, " + reservation_members(*r) +
           ", \"created\": " + std::to_string(r->created) +
           ", \"closed\": " + std::to_string(r->closed) + "}";
}

// The HTTP status of a refusal: 404 for an account or a reservation that does not exist, 409 for
// a Call-ID that cannot be reserved again, 400 for the rest (docs/kamailio.md).
int http_status(ErrorCode code) {
    switch (code) {
    case ErrorCode::SipAccountNotFound:
    case ErrorCode::SipDomainNotFound:
    case ErrorCode::PrepaidReservationNotFound:
        return 404;
    case ErrorCode::PrepaidReservationClosed:
        return 409;
    default:
        return 400;
    }
}

// Runs `answer` (returning the JSON object) behind the credentials check, with the faults as
// JSON: 4xx (http_status) with the error code for a refusal, 500 for anything else.
template <class F>
int answer_json(struct soap* soap, const std::string& operation, F&& answer) {
    if (!admin_basic_auth(soap)) {
        // One name for every refused login: a client without credentials adds no metric.
        audit(soap, "Proxy.login", nullptr, static_cast<int>(ErrorCode::AuthenticationFailed));
        return json_reply(soap, 401, json_error(admin_auth_required));
    }
    Context& ctx = context(soap);
    Caller admin;
    admin.admin = true;
    admin.username = ctx.admin_username;
    try {
        std::string body = answer(ctx, admin);
        if (body.empty()) {
            return json_reply(soap, 404, json_error("no such lookup under <base>proxy/v1/"));
        }
        audit(soap, operation.c_str(), &admin, 0);
        return json_reply(soap, 200, body + "\n");
    } catch (const ApiError& e) {
        audit(soap, operation.c_str(), &admin, static_cast<int>(e.code()));
        return json_reply(soap, http_status(e.code()),
                          json_error(e.what(), static_cast<int>(e.code())));
    } catch (const std::exception& e) {
        log::write(log::Level::Error, "provisioning", "proxy lookup failed",
                   {{"op", operation}, {"error", e.what()}});
        return json_reply(soap, 500, json_error("the lookup failed on the server; see its log"));
    }
}

} // namespace

int proxy_get(struct soap* soap) {
    const std::string path = soap->path;
    const auto at = path.find(proxy_api_path) + proxy_api_path.size();
    const auto q = path.find('?', at);
    const std::string name = path.substr(at, q == std::string::npos ? q : q - at);
    const Query query =
        query_of(q == std::string::npos ? "" : std::string_view(path).substr(q + 1));
    return answer_json(soap, "Proxy." + name, [&](Context& ctx, const Caller&) {
        if (name == "reservation") {
            return reservation_lookup(ctx, arg(query, "call_id"));
        }
        ProxyService proxy(ctx.sip_accounts.env(), SipOptions{});
        return lookup(proxy, name, query);
    });
}

int proxy_post(struct soap* soap, std::string_view body) {
    const std::string path = soap->path;
    const auto at = path.find(proxy_api_path) + proxy_api_path.size();
    const std::string name = path.substr(at, path.find('?', at) - at);
    const char* operation = name == "debit"     ? "Proxy.updateBalance"
                            : name == "reserve" ? "Proxy.reserve"
                            : name == "settle"  ? "Proxy.settle"
                                                : nullptr;
    if (operation == nullptr) {
        return json_reply(soap, 404,
                          json_error("JSON is posted only to <base>proxy/v1/reserve, settle or "
                                     "debit"));
    }
    return answer_json(soap, operation, [&](Context& ctx, const Caller& admin) {
        return name == "debit"     ? debit(soap, ctx, admin, body)
               : name == "reserve" ? reserve(soap, ctx, admin, body)
                                   : settle(soap, ctx, body);
    });
}

} // namespace sb::prov
