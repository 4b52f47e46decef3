// The SIP proxy's lookups (proxy_api.hpp): one read transaction each, no write. The HTTP side is
// proxy_api_http.cpp; the choices are in docs/kamailio.md and docs/decisions.md.
#include "provisioning/proxy_api.hpp"

#include "sip_common.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>

namespace sb::prov {

using namespace sip;

namespace {

constexpr std::size_t func = 0, funv = 2; // diversion_names: "FUNC", "FUNV"
constexpr std::string_view voice_mailbox = "<voice-mailbox>";

bool member(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

// "sip:Bob@Example.com;user=phone" and "<sips:bob@example.com>" compare as "bob@example.com".
std::string uri_key(std::string uri) {
    uri = lower(std::move(uri));
    uri.erase(0, uri.find_first_not_of("< "));
    for (const char* scheme : {"sip:", "sips:", "tel:"}) {
        if (uri.rfind(scheme, 0) == 0) {
            uri.erase(0, std::string_view(scheme).size());
            break;
        }
    }
    return uri.substr(0, uri.find_first_of(";?>"));
}

// Minutes since midnight of "HH:MM" (checked when stored).
int minutes_of(const std::string& hhmm) {
    return hhmm.size() == 5 ? std::stoi(hhmm.substr(0, 2)) * 60 + std::stoi(hhmm.substr(3, 2)) : 0;
}

// The groups the accept rules let in at `at`, or nullopt when no rule applies (everyone in).
// The temporary rule wins while it lasts; then the first persistent rule whose days and hours
// contain `at` (UTC; docs/decisions.md).
std::optional<std::vector<std::string>> accepted_groups(const SipSettingsRow& s, std::int64_t at) {
    if (s.accept_temporary_until > at && !s.accept_temporary_groups.empty()) {
        return s.accept_temporary_groups;
    }
    const auto t = static_cast<std::time_t>(at);
    std::tm tm{};
    gmtime_r(&t, &tm);
    const std::uint32_t day = 1u << ((tm.tm_wday + 6) % 7); // 1 = Monday … 64 = Sunday
    const int minute = tm.tm_hour * 60 + tm.tm_min;
    for (const AcceptRule& r : s.accept_persistent) {
        const int start = minutes_of(r.start), stop = minutes_of(r.stop);
        const bool in_hours =
            start <= stop ? minute >= start && minute < stop : minute >= start || minute < stop;
        if ((r.days & day) != 0 && in_hours && !r.groups.empty()) {
            return r.groups;
        }
    }
    return std::nullopt;
}

// Whether the accept rules let `caller` in: "everybody", "nobody" or the caller's phone-book
// group (api §7 AcceptRules).
bool accepted(const SipSettingsRow& s, const std::string& caller, std::int64_t at) {
    const auto groups = accepted_groups(s, at);
    if (!groups || member(*groups, "everybody")) {
        return true;
    }
    const std::string who = uri_key(caller);
    return std::any_of(s.phonebook.begin(), s.phonebook.end(), [&](const PhonebookEntry& e) {
        return uri_key(e.uri) == who && !e.group.empty() && member(*groups, e.group);
    });
}

// "+4930…", "004930…", "4930…" → "004930…".
std::string route_number(const std::string& number) {
    std::string digits = number;
    if (!digits.empty() && digits[0] == '+') {
        digits = "00" + digits.substr(1);
    } else if (digits.rfind("00", 0) != 0) {
        digits = "00" + digits;
    }
    if (digits.size() < 3 || digits.size() > 34 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "number: '" + number + "' is not an E.164 number (+ or 00 and digits)");
    }
    return digits;
}

// The number as `rule` sends it, or nullopt when the rule does not take it. Rule prefixes are
// matched against the E.164 digits without "00".
std::optional<std::string> rewritten(const GatewayRuleRow& rule, const std::string& e164) {
    if (e164.rfind(rule.prefix, 0) != 0 || e164.size() < rule.min_length ||
        (rule.max_length != 0 && e164.size() > rule.max_length)) {
        return std::nullopt;
    }
    return rule.prepend + e164.substr(std::min<std::size_t>(rule.strip, e164.size()));
}

template <class F>
void each_reference(const store::ReadTxn& txn, std::string_view index, std::uint64_t id, F&& f) {
    walk_prefix(txn, Table::Index, reference_prefix(index, id),
                [&](std::string_view key, std::string_view) {
                    return f(route_of_prefix_key(key)); // the holder's id ends the key
                });
}

} // namespace

const char* to_string(CallAction a) noexcept {
    constexpr std::array<const char*, 5> names = {"deliver", "divert", "reject", "number",
                                                  "notfound"};
    const auto i = static_cast<std::size_t>(a);
    return i < names.size() ? names[i] : "notfound";
}

SubscriberAnswer ProxyService::subscriber(const SipId& given) {
    const SipId id = normal_id(given);
    const store::ReadTxn txn(env_);
    SubscriberAnswer a;
    const auto row =
        get_row<SipAccountRow>(txn, Table::SipAccounts, sip_key(id.username, id.domain));
    if (row) {
        a.exists = true;
        a.ha1 = row->ha1;
        a.ha1b = row->ha1b;
        a.blocked = member(row->groups, "blocked");
        a.prepaid = row->prepaid;
        a.groups = row->groups;
    }
    return a;
}

bool ProxyService::domain_is_ours(const std::string& domain) {
    const std::string name = domain_name(domain);
    const store::ReadTxn txn(env_);
    return txn.get(Table::SipDomains, name).has_value();
}

std::optional<SipId> ProxyService::alias(const SipId& given) {
    const SipId id = normal_id(given);
    const store::ReadTxn txn(env_);
    const auto a = get_row<SipAliasRow>(txn, Table::SipAliases, sip_key(id.username, id.domain));
    return a ? std::optional(SipId{a->target_username, a->target_domain}) : std::nullopt;
}

CallDecision ProxyService::call(const SipId& given, const std::string& caller, std::int64_t at) {
    SipId id = normal_id(given);
    const store::ReadTxn txn(env_);
    CallDecision d;
    if (const auto a =
            get_row<SipAliasRow>(txn, Table::SipAliases, sip_key(id.username, id.domain))) {
        id = {a->target_username, a->target_domain};
        if (id.domain.empty()) {
            d.action = CallAction::Number;
            d.callee = id;
            return d;
        }
    }
    const auto account =
        get_row<SipAccountRow>(txn, Table::SipAccounts, sip_key(id.username, id.domain));
    if (!account) {
        return d;
    }
    d.callee = id;
    const SipSettingsRow s = load_settings(txn, id);
    d.diversions = s.diversions;
    const auto divert = [&](std::size_t condition) {
        d.action = CallAction::Divert;
        d.reason = diversion_names[condition];
        d.target = s.diversions[condition];
        if (d.target == voice_mailbox) {
            d.target.clear();
        }
    };
    // Where <voice-mailbox> leads, in FUNC/FUNV here and in the proxy's FNOL/FNOA/FBUS.
    if (const auto vm =
            get_row<VoicemailRow>(txn, Table::Voicemail, sip_key(id.username, id.domain))) {
        d.mailbox = vm->mailbox;
    }
    const std::string who = uri_key(caller);
    if (member(account->groups, "blocked")) {
        d.action = CallAction::Reject;
        d.reason = "blocked";
    } else if (std::any_of(s.reject_members.begin(), s.reject_members.end(),
                           [&](const std::string& m) { return uri_key(m) == who; })) {
        d.action = CallAction::Reject;
        d.reason = "reject";
    } else if (!s.diversions[func].empty()) {
        divert(func);
    } else if (!accepted(s, caller, at)) {
        if (s.diversions[funv].empty()) {
            d.action = CallAction::Reject;
            d.reason = "accept";
        } else {
            divert(funv);
        }
    } else {
        d.action = CallAction::Deliver;
    }
    return d;
}

std::optional<TrustedPeerView> ProxyService::trusted_peer(const std::string& ip) {
    const store::ReadTxn txn(env_);
    const auto p = get_row<TrustedPeerRow>(txn, Table::TrustedPeers, ip);
    return p ? std::optional(TrustedPeerView{{*p}, p->change_date}) : std::nullopt;
}

RouteAnswer ProxyService::route(const std::string& given) {
    const std::string number = route_number(given);
    const std::string e164 = number.substr(2);
    const store::ReadTxn txn(env_);
    RouteAnswer a;
    const auto route = route_row_for(txn, number);
    if (!route) {
        return a;
    }
    a.route_id = route->id;
    a.prefix = route->prefix;
    if (const auto c =
            get_row<CarrierRow>(txn, Table::Carriers, store::u64_key(route->carrier_id))) {
        a.carrier = c->name;
    }
    // The carrier's gateways in id order; the first whose rules take the number (a gateway
    // without rules takes every number unchanged).
    each_reference(txn, "gateway_carrier", route->carrier_id, [&](std::uint64_t gateway_id) {
        const auto g = get_row<GatewayRow>(txn, Table::Gateways, store::u64_key(gateway_id));
        if (!g) {
            return true;
        }
        std::optional<std::string> out;
        bool has_rules = false;
        each_reference(txn, "rule_gateway", gateway_id, [&](std::uint64_t rule_id) {
            has_rules = true;
            if (const auto r =
                    get_row<GatewayRuleRow>(txn, Table::GatewayRules, store::u64_key(rule_id))) {
                out = rewritten(*r, e164);
            }
            return !out;
        });
        if (!has_rules) {
            out = e164;
        }
        if (out) {
            a.found = true;
            a.gateway_id = g->id;
            a.gateway = g->name;
            a.ip = g->ip;
            a.port = g->port;
            a.transport = g->transport;
            a.number = *out;
        }
        return !a.found;
    });
    return a;
}

PrepaidAnswer ProxyService::prepaid(const SipId& given, double rate) {
    const SipId id = normal_id(given);
    call_price(60, rate); // checks the rate
    const store::ReadTxn txn(env_);
    PrepaidAnswer a;
    const auto account =
        get_row<SipAccountRow>(txn, Table::SipAccounts, sip_key(id.username, id.domain));
    if (!account || !account->prepaid) {
        return a;
    }
    a.prepaid = true;
    if (const auto p =
            get_row<PrepaidRow>(txn, Table::Prepaid, "a" + sip_key(id.username, id.domain))) {
        a.balance = p->balance;
    }
    a.max_seconds = seconds_paid(a.balance, rate);
    return a;
}

std::string ProxyService::mailbox(const SipId& given) {
    const SipId id = normal_id(given);
    const store::ReadTxn txn(env_);
    const auto vm = get_row<VoicemailRow>(txn, Table::Voicemail, sip_key(id.username, id.domain));
    return vm ? vm->mailbox : "";
}

double call_price(std::int64_t seconds, double rate) {
    if (!std::isfinite(rate) || rate <= 0 || rate > 1e6) {
        throw ApiError(ErrorCode::InvalidArgument, "rate: a price per minute above 0");
    }
    if (seconds < 0 || seconds > max_call_seconds) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "seconds: 0 to " + std::to_string(max_call_seconds));
    }
    return static_cast<double>(seconds) * rate / 60.0;
}

std::int64_t seconds_paid(double balance, double rate) {
    // Balances are decimal amounts held in a double: 0.35 / 0.1 * 60 is 209.99999999999997, so
    // a millionth of a second is forgiven before rounding down.
    // At most max_call_seconds, which also keeps a tiny rate's quotient inside int64.
    const double seconds = balance > 0 ? std::floor(balance / rate * 60.0 + 1e-6) : 0;
    return seconds >= static_cast<double>(max_call_seconds) ? max_call_seconds
                                                            : static_cast<std::int64_t>(seconds);
}

} // namespace sb::prov
