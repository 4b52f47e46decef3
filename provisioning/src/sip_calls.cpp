// Call data the SIP proxy reports (registrations, call detail records) and the SipPort
// operations that read it: getSipDeviceLocations, getCalls, getCallStatistics. Everything
// lives in Table::CallData (key layout in provisioning/rows.hpp) with its own retention.
#include "sip_common.hpp"

#include <ctime>

namespace sb::prov {

using namespace sip;

namespace {

std::string reg_prefix(const SipId& id) {
    return "r" + sip_key(id.username, id.domain) + std::string(1, '\0');
}

std::string direction_prefix(char dir, const std::string& account_key) {
    std::string k(1, dir);
    k += account_key;
    k.push_back('\0');
    return k;
}

std::string when_id(std::int64_t start, std::uint64_t id) {
    std::string k;
    store::put_u64(k, static_cast<std::uint64_t>(start));
    store::put_u64(k, id);
    return k;
}

// "sip:alice@example.com;transport=tcp", "<sips:bob@x:5061>" → {alice, example.com}.
std::optional<SipId> uri_id(std::string uri) {
    if (const auto lt = uri.find('<'); lt != std::string::npos) {
        uri = uri.substr(lt + 1);
    }
    for (const char* scheme : {"sip:", "sips:"}) {
        if (lower(uri.substr(0, std::string_view(scheme).size())) == scheme) {
            uri = uri.substr(std::string_view(scheme).size());
            break;
        }
    }
    uri = uri.substr(0, uri.find_first_of(";?>"));
    const auto at = uri.find('@');
    if (at == std::string::npos || at == 0) {
        return std::nullopt;
    }
    std::string host = uri.substr(at + 1);
    host = host.substr(0, host.find(':'));
    try {
        return normal_id(SipId{uri.substr(0, at), host});
    } catch (const ApiError&) {
        return std::nullopt;
    }
}

// The sip_key of the local account a URI names (directly or through an alias), or "".
template <class Txn>
std::string local_account(const Txn& txn, const std::string& uri) {
    const auto id = uri_id(uri);
    if (!id) {
        return "";
    }
    std::string key = sip_key(id->username, id->domain);
    if (txn.get(Table::SipAccounts, key)) {
        return key;
    }
    if (const auto a = get_row<SipAliasRow>(txn, Table::SipAliases, key)) {
        key = sip_key(a->target_username, a->target_domain);
        return txn.get(Table::SipAccounts, key) ? key : "";
    }
    return "";
}

void unindex_call(store::WriteTxn& txn, const CallRow& c) {
    txn.del(Table::CallData, "c" + store::u64_key(c.id));
    txn.del(Table::CallData, "t" + when_id(c.start, c.id));
    txn.del(Table::CallData, "i" + c.call_id);
    if (!c.caller.empty()) {
        txn.del(Table::CallData, direction_prefix('p', c.caller) + when_id(c.start, c.id));
    }
    if (!c.callee.empty()) {
        txn.del(Table::CallData, direction_prefix('q', c.callee) + when_id(c.start, c.id));
    }
}

// Calls of one account in one direction within [q.from, q.to], newest first, at most q.limit.
template <class Txn>
std::vector<CallView> calls_of(const Txn& txn, char dir, const std::string& account_key,
                               const CallQuery& q) {
    const std::string prefix = direction_prefix(dir, account_key);
    const std::int64_t to = q.to > 0 ? q.to : std::numeric_limits<std::int64_t>::max();
    std::vector<CallView> out;
    store::Cursor c = txn.cursor(Table::CallData);
    for (bool ok = c.seek(prefix + when_id(std::max<std::int64_t>(0, q.from), 0));
         ok && c.key().starts_with(prefix) && c.key().size() == prefix.size() + 16; ok = c.next()) {
        const auto start = static_cast<std::int64_t>(store::get_u64(c.key(), prefix.size()));
        if (start > to) {
            break;
        }
        const std::uint64_t id = store::get_u64(c.key(), prefix.size() + 8);
        if (auto row = get_row<CallRow>(txn, Table::CallData, "c" + store::u64_key(id))) {
            out.push_back(std::move(*row));
        }
    }
    std::reverse(out.begin(), out.end());
    if (q.limit > 0 && static_cast<std::int64_t>(out.size()) > q.limit) {
        out.resize(static_cast<std::size_t>(q.limit));
    }
    return out;
}

// Without dates, statistics cover the current calendar month (api §8.1, "Calls").
CallQuery month_by_default(CallQuery q) {
    if (q.from == 0 && q.to == 0) {
        const std::time_t t = static_cast<std::time_t>(now());
        std::tm tm{};
        gmtime_r(&t, &tm);
        tm.tm_mday = 1;
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        q.from = static_cast<std::int64_t>(timegm(&tm));
    }
    q.limit = 0;
    return q;
}

} // namespace

std::vector<DeviceLocations> CallDataService::get_device_locations(const Caller& caller,
                                                                   const std::vector<SipId>& ids) {
    store::ReadTxn txn(env_);
    const std::int64_t t = now();
    std::vector<DeviceLocations> out;
    for (const auto& given : ids) {
        DeviceLocations d{given, {}};
        try {
            const SipId id = normal_id(given, "sipIds");
            load_account(txn, caller, id);
            d.id = id;
            for (auto& r :
                 rows_with_prefix<RegistrationRow>(txn, Table::CallData, reg_prefix(id))) {
                if (r.expires_at > t) { // expired registrations are not returned
                    d.locations.push_back(std::move(r));
                }
            }
        } catch (const ApiError&) {
            // One entry per requested id, in order: an unknown id has no locations.
        }
        out.push_back(std::move(d));
    }
    return out;
}

Calls CallDataService::get_calls(const Caller& caller, const SipId& given, const CallQuery& placed,
                                 const CallQuery& received) {
    const SipId id = normal_id(given, "sipId");
    store::ReadTxn txn(env_);
    load_account(txn, caller, id);
    const std::string key = sip_key(id.username, id.domain);
    Calls out;
    if (placed.given) {
        out.placed = calls_of(txn, 'p', key, placed);
    }
    if (received.given) {
        out.received = calls_of(txn, 'q', key, received);
    }
    return out;
}

CallStatistics CallDataService::get_call_statistics(const Caller& caller, const SipId& given,
                                                    CallQuery placed, CallQuery received) {
    placed = month_by_default(placed);
    received = month_by_default(received);
    placed.given = received.given = true;
    CallStatistics s;
    const Calls calls = get_calls(caller, given, placed, received);
    for (const auto& c : calls.placed) {
        ++s.placed_calls;
        s.placed_price += c.price;
    }
    for (const auto& c : calls.received) {
        ++s.received_calls;
        s.received_price += c.price;
    }
    return s;
}

bool CallDataService::record_registration(const RegistrationEvent& e) {
    const SipId id = normal_id(SipId{e.username, e.domain});
    if (e.contact.empty()) {
        throw ApiError(ErrorCode::InvalidArgument, "contact: is required");
    }
    return env_.write([&](store::WriteTxn& txn) {
        if (!txn.get(Table::SipAccounts, sip_key(id.username, id.domain))) {
            return false;
        }
        const std::string key = reg_prefix(id) + e.contact;
        const std::int64_t t = now();
        if (e.expires <= 0) {
            txn.del(Table::CallData, key);
        } else {
            RegistrationRow r;
            r.username = id.username;
            r.domain = id.domain;
            r.contact = e.contact;
            r.address = e.address;
            r.port = e.port;
            r.public_address = e.public_address;
            r.public_port = e.public_port;
            r.expires_at = t + e.expires;
            r.user_agent = e.user_agent;
            r.transport = e.transport;
            r.received = t;
            txn.put(Table::CallData, key, encode(r));
        }
        return true;
    });
}

bool CallDataService::record_call(const CallView& given) {
    CallRow call;
    static_cast<CallView&>(call) = given;
    if (call.call_id.empty() || call.start <= 0) {
        throw ApiError(ErrorCode::InvalidArgument, "call: call_id and start are required");
    }
    const std::int64_t cutoff = now() - std::int64_t{options_.call_data_days} * 86400;
    if (call.start < cutoff) {
        return false;
    }
    return env_.write([&](store::WriteTxn& txn) {
        call.caller = local_account(txn, call.from_uri);
        call.callee = local_account(txn, call.to_uri);
        if (call.caller.empty() && call.callee.empty()) {
            return false; // neither side is one of our accounts
        }
        if (const auto old = txn.get(Table::CallData, "i" + call.call_id);
            old && old->size() == 8) {
            if (auto prev = get_row<CallRow>(txn, Table::CallData, "c" + std::string(*old))) {
                unindex_call(txn, *prev);
            }
        }
        if (call.duration == 0 && call.stop > call.start) {
            call.duration = call.stop - call.start;
        }
        call.id = txn.next_id("call");
        txn.put(Table::CallData, "c" + store::u64_key(call.id), encode(call));
        txn.put(Table::CallData, "t" + when_id(call.start, call.id), "");
        txn.put(Table::CallData, "i" + call.call_id, store::u64_key(call.id));
        if (!call.caller.empty()) {
            txn.put(Table::CallData,
                    direction_prefix('p', call.caller) + when_id(call.start, call.id), "");
        }
        if (!call.callee.empty()) {
            txn.put(Table::CallData,
                    direction_prefix('q', call.callee) + when_id(call.start, call.id), "");
        }
        return true;
    });
}

void CallDataService::purge_call_data() {
    const std::int64_t t = now();
    const std::int64_t cutoff = t - std::int64_t{options_.call_data_days} * 86400;
    env_.write([&](store::WriteTxn& txn) {
        std::vector<CallRow> old;
        {
            store::Cursor c = txn.cursor(Table::CallData);
            for (bool ok = c.seek("t"); ok && c.key().starts_with("t") && c.key().size() == 17;
                 ok = c.next()) {
                if (static_cast<std::int64_t>(store::get_u64(c.key(), 1)) >= cutoff) {
                    break;
                }
                if (auto row = get_row<CallRow>(txn, Table::CallData,
                                                "c" + store::u64_key(store::get_u64(c.key(), 9)))) {
                    old.push_back(std::move(*row));
                }
            }
        }
        for (const auto& c : old) {
            unindex_call(txn, c);
        }
        std::vector<std::string> expired;
        {
            store::Cursor c = txn.cursor(Table::CallData);
            for (bool ok = c.seek("r"); ok && c.key().starts_with("r"); ok = c.next()) {
                if (decoded<RegistrationRow>(c.value()).expires_at <= t) {
                    expired.emplace_back(c.key());
                }
            }
        }
        for (const auto& k : expired) {
            txn.del(Table::CallData, k);
        }
    });
}

} // namespace sb::prov
