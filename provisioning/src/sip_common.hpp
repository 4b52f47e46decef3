// Helpers the SIP and voicemail services share: identifiers, loading rows with the tenant
// check ("not found" when the caller may not see them), validation.
#pragma once

#include "common.hpp"
#include "index.hpp"
#include "policy.hpp"
#include "provisioning/rows.hpp"
#include "sip_service.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace sb::prov::sip {

using store::Table;

std::string lower(std::string s);

// "user@domain" for messages.
inline std::string address(const SipId& id) {
    return id.username + "@" + id.domain;
}

// A domain name in canonical form (lower case, no trailing dot); throws InvalidArgument.
std::string domain_name(const std::string& text, const char* field = "domain");

// The id lower-cased and checked: username 1-64 characters of [a-z0-9._+=~!$&'()*,;-] (the
// SIP user part without escapes), domain a DNS name.
SipId normal_id(const SipId& id, const char* field = "id");

// An IPv4 address in dotted form; throws InvalidArgument naming `field`.
void check_ipv4(const std::string& ip, const std::string& field);

template <class Txn>
sb::prov::SipDomainRow load_domain(const Txn& txn, const Caller& caller, const std::string& name) {
    auto row = sb::prov::get_row<sb::prov::SipDomainRow>(txn, Table::SipDomains, name);
    if (!row || !may_access(caller, row->customer, row->reseller)) {
        throw ApiError(ErrorCode::SipDomainNotFound, "SIP domain " + name + " does not exist");
    }
    return *row;
}

template <class Txn>
sb::prov::SipAccountRow load_account(const Txn& txn, const Caller& caller, const SipId& id) {
    auto row = sb::prov::get_row<sb::prov::SipAccountRow>(
        txn, Table::SipAccounts, sb::prov::sip_key(id.username, id.domain));
    if (!row || !may_access(caller, row->customer, row->reseller)) {
        throw ApiError(ErrorCode::SipAccountNotFound,
                       "SIP account " + address(id) + " does not exist");
    }
    return *row;
}

template <class Txn>
sb::prov::SipSettingsRow load_settings(const Txn& txn, const SipId& id) {
    sb::prov::SipSettingsRow row;
    if (const auto v = txn.get(Table::SipSettings, sb::prov::sip_key(id.username, id.domain))) {
        decode(*v, row);
    }
    return row;
}

inline void put_settings(store::WriteTxn& txn, const SipId& id, const sb::prov::SipSettingsRow& s) {
    txn.put(Table::SipSettings, sb::prov::sip_key(id.username, id.domain), encode(s));
}

inline void put_account(store::WriteTxn& txn, const sb::prov::SipAccountRow& row) {
    txn.put(Table::SipAccounts, sb::prov::sip_key(row.username, row.domain), encode(row));
}

// The view of a stored row that is its Input plus its change date, then `more` (the names of
// what it refers to): SIP domains, PSTN rows.
template <class View, class Row, class... More>
View view_of(const Row& row, More&&... more) {
    return View{{row}, row.change_date, std::forward<More>(more)...};
}

// A page of rows as a page of their views.
template <class Row, class F>
auto page_of(Page<Row> rows, F&& view) {
    Page<decltype(view(rows.items.front()))> out{rows.total, {}};
    out.items.reserve(rows.items.size());
    for (const auto& r : rows.items) {
        out.items.push_back(view(r));
    }
    return out;
}

inline sb::prov::SipAccountView account_view(const sb::prov::SipAccountRow& r) {
    return {{r},        {r.username, r.domain}, r.password,   r.ha1, r.ha1b, r.owner, r.customer,
            r.reseller, r.change_date,          r.create_date};
}

inline sb::prov::SipAliasView alias_view(const sb::prov::SipAliasRow& r) {
    return {{{r.username, r.domain}, {r.target_username, r.target_domain}, r.owner},
            r.customer,
            r.reseller,
            r.change_date};
}

// Every row of `table` whose key starts with `prefix`, decoded.
template <class Row, class Txn>
std::vector<Row> rows_with_prefix(const Txn& txn, Table table, std::string_view prefix) {
    std::vector<Row> out;
    walk_prefix(txn, table, prefix, [&](std::string_view, std::string_view value) {
        out.push_back(sb::prov::decoded<Row>(value));
        return true;
    });
    return out;
}

// The rows of `table` the caller may see and `keep` accepts, each converted by `to`: a list
// query's scan.
template <class Row, class Txn, class Keep, class To>
auto visible_rows(const Txn& txn, const Caller& caller, Table table, Keep&& keep, To&& to) {
    std::vector<std::decay_t<std::invoke_result_t<To&, Row&>>> out;
    for (auto& r : rows_with_prefix<Row>(txn, table, "")) {
        if (may_access(caller, r.customer, r.reseller) && keep(r)) {
            out.push_back(to(r));
        }
    }
    return out;
}

// Keys of `table` starting with `prefix`.
template <class Txn>
std::vector<std::string> keys_with_prefix(const Txn& txn, Table table, std::string_view prefix) {
    std::vector<std::string> out;
    walk_prefix(txn, table, prefix, [&](std::string_view key, std::string_view) {
        out.emplace_back(key);
        return true;
    });
    return out;
}

// Whether a reseller/customer property (e.g. store_clear_text_passwords) is on: "1", "yes",
// "true", "on"; `fallback` when the property is absent or empty.
bool property_on(const store::WriteTxn& txn, std::int64_t customer, const char* name,
                 bool fallback);

// The route of `number` ("00" + E.164 digits): the longest matching prefix, then the lowest
// priority (PstnService::route_for, the proxy's route lookup). One index seek per prefix length.
std::optional<sb::prov::RouteRow> route_row_for(const store::ReadTxn& txn, std::string_view number);

} // namespace sb::prov::sip
