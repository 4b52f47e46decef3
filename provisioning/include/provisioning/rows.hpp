// Typed rows of the SIP provisioning tables (SipDomains … CallData, rating profiles) and their
// codec: provisioning owns these schemas, the store only keeps their bytes under their keys.
// Each row lists its fields once, in `fields()`; the codec writes them in that order after a
// format byte and reads them back length-checked (store::Reader), so a short or foreign value
// is a store::Error.
#pragma once

#include "provisioning/account_types.hpp"
#include "provisioning/pstn_types.hpp"
#include "provisioning/sip_types.hpp"
#include "store/store.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::prov {

// Key of everything that belongs to one SIP address (account, alias, settings, voicemail,
// prepaid): domain '\0' username, both lower case — so one domain's rows are contiguous.
std::string sip_key(std::string_view username, std::string_view domain);
std::string sip_domain_prefix(std::string_view domain); // domain '\0'

// Table::SipDomains, key = domain: the domain's Input (sip_types.hpp) and its change date.
struct SipDomainRow : SipDomainInput {
    std::int64_t change_date = 0;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.domain), v(r.customer), v(r.reseller), v(r.certificate), v(r.private_key),
            v(r.match_ip_address), v(r.match_sip_domain), v(r.verify_cert), v(r.require_cert),
            v(r.change_date);
    }
};

// Table::SipAccounts, key = sip_key(username, domain). The value's field order is fields()'s.
struct SipAccountRow : SipAccountAttributes {
    std::string username, domain;
    std::string password; // clear text; "" when not stored (store_clear_text_passwords = no)
    std::string ha1;      // md5hex(username:domain:password)
    std::string ha1b;     // md5hex(username@domain:domain:password)
    std::int64_t owner = 0, customer = 0, reseller = 0;
    std::int64_t change_date = 0, create_date = 0;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.username), v(r.domain), v(r.password), v(r.ha1), v(r.ha1b), v(r.first_name),
            v(r.last_name), v(r.email), v(r.acl), v(r.groups), v(r.properties), v(r.timezone),
            v(r.rpid), v(r.quota), v(r.quickdial_prefix), v(r.call_limit), v(r.prepaid),
            v(r.region), v(r.timeout), v(r.owner), v(r.customer), v(r.reseller), v(r.change_date),
            v(r.create_date);
    }
};

// Table::SipAliases, key = sip_key(alias username, alias domain). Index entry
// alias_target_key(target, alias) → "" lists an account's aliases.
struct SipAliasRow {
    std::string username, domain;
    std::string target_username, target_domain; // target_domain "" for a bare number
    std::int64_t owner = 0, customer = 0, reseller = 0;
    std::int64_t change_date = 0;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.username), v(r.domain), v(r.target_username), v(r.target_domain), v(r.owner),
            v(r.customer), v(r.reseller), v(r.change_date);
    }
};

std::string alias_target_prefix(std::string_view target_username, std::string_view target_domain);
std::string alias_target_key(const SipAliasRow& alias);

// The ten CallDiversions conditions in wire order.
constexpr std::array<const char*, 10> diversion_names = {"FUNC", "FNOL", "FUNV", "FNOA", "FBUS",
                                                         "RUNC", "RNOL", "RUNV", "RNOA", "RBUS"};

// Table::SipSettings, key = sip_key: the per-account call settings of the control panel.
struct SipSettingsRow {
    std::vector<PhonebookEntry> phonebook;
    std::vector<std::string> reject_members;
    std::vector<AcceptRule> accept_persistent;
    std::vector<std::string> accept_temporary_groups;
    std::int64_t accept_temporary_until = 0; // unix time the temporary rule ends; 0 = none
    std::vector<std::string> barring_prefixes;
    std::array<std::string, 10> diversions; // by diversion_names; "" = off

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.phonebook), v(r.reject_members), v(r.accept_persistent), v(r.accept_temporary_groups),
            v(r.accept_temporary_until), v(r.barring_prefixes);
        for (auto& d : r.diversions) {
            v(d);
        }
    }
};

// Table::Voicemail, key = sip_key. Index entry "mailbox\0<mailbox>" → sip_key.
struct VoicemailRow : VoicemailView {
    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.username), v(r.domain), v(r.mailbox), v(r.password), v(r.name), v(r.email), v(r.info),
            v(r.delete_messages), v(r.announcement), v(r.change_date);
    }
};

std::string mailbox_index_key(std::string_view mailbox);

// Table::TrustedPeers, key = ip. The PSTN rows are their Input (pstn_types.hpp) and the date
// of the last change; fields() keeps the stored order.
struct TrustedPeerRow : TrustedPeerInput {
    std::int64_t change_date = 0;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.ip), v(r.protocol), v(r.tag), v(r.description), v(r.customer), v(r.reseller),
            v(r.owner), v(r.change_date), v(r.from_pattern), v(r.msteams), v(r.tenant),
            v(r.auth_token), v(r.carrier_name), v(r.originator), v(r.prefix), v(r.strip),
            v(r.call_limit), v(r.blocked), v(r.enum_lookup), v(r.transit), v(r.prepaid),
            v(r.billing_id), v(r.tags);
    }
};

// Table::Carriers, Gateways, GatewayRules, Routes: key = u64_key(id).
struct CarrierRow : CarrierInput {
    std::int64_t change_date = 0;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.id), v(r.name), v(r.reseller), v(r.change_date);
    }
};

struct GatewayRow : GatewayInput {
    std::int64_t change_date = 0;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.id), v(r.carrier_id), v(r.name), v(r.transport), v(r.ip), v(r.port), v(r.reseller),
            v(r.change_date);
    }
};

struct GatewayRuleRow : GatewayRuleInput {
    std::int64_t change_date = 0;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.id), v(r.gateway_id), v(r.prefix), v(r.prepend), v(r.strip), v(r.min_length),
            v(r.max_length), v(r.reseller), v(r.change_date);
    }
};

struct RouteRow : RouteInput {
    std::int64_t change_date = 0;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.id), v(r.carrier_id), v(r.prefix), v(r.originator), v(r.priority), v(r.reseller),
            v(r.change_date);
    }
};

// Table::Prepaid, key = "a" sip_key: an account's balance and its movements (oldest first).
struct PrepaidRow : PrepaidView {
    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.balance), v(r.history), v(r.call_in_progress), v(r.session_time), v(r.max_session_time),
            v(r.destination), v(r.last_call_price);
    }
};

// Table::Prepaid, key = "r" Call-ID: a prepaid call's reservation. While Open it is indexed by
// "x" u64 due (created + seconds) Call-ID, once closed by "y" u64 closed Call-ID (kept a day so
// a repeated settle is answered, then purged).
struct ReservationRow : Reservation {
    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.call_id), v(r.username), v(r.domain), v(r.rate), v(r.seconds), v(r.amount),
            v(r.created), v(r.state), v(r.used), v(r.price), v(r.closed);
    }
};

// Table::Prepaid, key = "v" u64 card id: a prepaid card (voucher), loaded by the operator.
struct PrepaidCardRow : PrepaidCard {
    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.id), v(r.number), v(r.value), v(r.used_at), v(r.used_by);
    }
};

// Table::Prepaid, key = rating_profiles_key(entity): the rating profiles of an entity
// (RatingPort). A SIP account's entity is subscriber_entity(username, domain); deleting the
// account deletes its profiles.
std::string rating_profiles_key(std::string_view entity); // "e" entity
std::string subscriber_entity(std::string_view username, std::string_view domain);

struct RatingProfilesRow {
    std::string entity, weekday, weekday_alt, weekend, weekend_alt, timezone;
    std::int64_t change_date = 0;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.entity), v(r.weekday), v(r.weekday_alt), v(r.weekend), v(r.weekend_alt), v(r.timezone),
            v(r.change_date);
    }
};

// Table::CallData, key = "r" sip_key '\0' contact: a registered contact reported by the proxy.
struct RegistrationRow : RegistrationView {
    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.username), v(r.domain), v(r.contact), v(r.address), v(r.port), v(r.public_address),
            v(r.public_port), v(r.expires_at), v(r.user_agent), v(r.transport), v(r.received);
    }
};

// Table::CallData, key = "c" u64 id: one call detail record. Index entries (value ""):
// "p"/"q" sip_key '\0' u64 start u64 id for the caller's placed / the callee's received calls,
// "t" u64 start u64 id for retention, "i" call-id → u64 id against duplicates.
struct CallRow : CallView {
    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.id), v(r.call_id), v(r.from_uri), v(r.to_uri), v(r.from_header), v(r.start), v(r.stop),
            v(r.duration), v(r.status), v(r.price), v(r.rate), v(r.from_tag), v(r.to_tag),
            v(r.proxy_ip), v(r.media), v(r.caller), v(r.callee);
    }
};

// Reference indexes, in Table::Index (index name '\0' key -> ""): one entry per reference a
// row holds, written, moved and deleted in the same write transaction as the row (`reindex` in
// provisioning/src/index.hpp), so "is anything still using X?" is one seek and a route is found
// by prefix without decoding a table. A row's entries are index_keys(row).
//   gateway_carrier '\0' u64 carrier u64 gateway     a gateway's carrier
//   rule_gateway    '\0' u64 gateway u64 rule        a gateway rule's gateway
//   route_carrier   '\0' u64 carrier u64 route       a route's carrier
//   route_prefix    '\0' prefix '\0' u64 priority^2^63 u64 route   routing, longest prefix first
//   held_by         '\0' what '\0' u64 tenant key    SIP domains and trusted peers by customer
//                                                     and by reseller (customer deletion)
//   alias_target    '\0' sip_key(target) '\0' sip_key(alias)   an alias's account
// Accounts and aliases need no entry for their domain: their key starts with it (sip_key).
std::string reference_prefix(std::string_view index, std::uint64_t id); // index '\0' u64 id
std::string route_prefix_prefix(std::string_view prefix);               // route_prefix '\0' p '\0'
std::uint64_t route_of_prefix_key(std::string_view key);                // the route id it ends with
std::string held_by_prefix(std::string_view what, std::int64_t tenant);
std::vector<std::string> index_keys(const SipDomainRow& row);
std::vector<std::string> index_keys(const SipAliasRow& row);
std::vector<std::string> index_keys(const TrustedPeerRow& row);
std::vector<std::string> index_keys(const GatewayRow& row);
std::vector<std::string> index_keys(const GatewayRuleRow& row);
std::vector<std::string> index_keys(const RouteRow& row);

std::string encode(const SipDomainRow& row);
std::string encode(const SipAccountRow& row);
std::string encode(const SipAliasRow& row);
std::string encode(const SipSettingsRow& row);
std::string encode(const VoicemailRow& row);
std::string encode(const TrustedPeerRow& row);
std::string encode(const CarrierRow& row);
std::string encode(const GatewayRow& row);
std::string encode(const GatewayRuleRow& row);
std::string encode(const RouteRow& row);
std::string encode(const PrepaidRow& row);
std::string encode(const PrepaidCardRow& row);
std::string encode(const ReservationRow& row);
std::string encode(const RatingProfilesRow& row);
std::string encode(const RegistrationRow& row);
std::string encode(const CallRow& row);

// Decoders: throw Error on a short, long or foreign value.
void decode(std::string_view value, SipDomainRow& out);
void decode(std::string_view value, SipAccountRow& out);
void decode(std::string_view value, SipAliasRow& out);
void decode(std::string_view value, SipSettingsRow& out);
void decode(std::string_view value, VoicemailRow& out);
void decode(std::string_view value, TrustedPeerRow& out);
void decode(std::string_view value, CarrierRow& out);
void decode(std::string_view value, GatewayRow& out);
void decode(std::string_view value, GatewayRuleRow& out);
void decode(std::string_view value, RouteRow& out);
void decode(std::string_view value, PrepaidRow& out);
void decode(std::string_view value, PrepaidCardRow& out);
void decode(std::string_view value, ReservationRow& out);
void decode(std::string_view value, RatingProfilesRow& out);
void decode(std::string_view value, RegistrationRow& out);
void decode(std::string_view value, CallRow& out);

template <class Row>
Row decoded(std::string_view value) {
    Row row;
    decode(value, row);
    return row;
}

// The row stored under `key` in `table`, if any.
template <class Row, class Txn>
std::optional<Row> get_row(const Txn& txn, store::Table table, std::string_view key) {
    const auto v = txn.get(table, key);
    return v ? std::optional<Row>(decoded<Row>(*v)) : std::nullopt;
}

} // namespace sb::prov
