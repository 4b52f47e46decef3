// The SIP and voicemail services, free of gSOAP (SipPort, VoicemailPort, the proxy's events).
// Same rules as service.hpp: plain inputs in, store rows out, ApiError on refusal, one
// store::WriteTxn per write operation committed at its end. docs/sip.md explains the choices.
#pragma once

#include "provisioning/account_types.hpp"
#include "provisioning/call_data.hpp"
#include "provisioning/pstn_types.hpp"
#include "provisioning/services.hpp"
#include "provisioning/sip_types.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sb::prov {

struct SipDomainFilter {
    std::string domain;
    std::int64_t customer = 0, reseller = 0;
};

struct SipAccountFilter {
    std::string username, domain, first_name, last_name, email;
    std::int64_t owner = 0, customer = 0, reseller = 0;
    std::vector<std::string> groups; // every one given must be a membership
};

struct SipAliasFilter {
    std::string alias_username, alias_domain, target_username, target_domain;
    std::int64_t owner = 0, customer = 0, reseller = 0;
};

struct AcceptRules {
    std::vector<AcceptRule> persistent;
    std::vector<std::string> temporary_groups;
    std::uint32_t temporary_minutes = 0; // set: duration; read: minutes left
};

struct PhonebookPage {
    std::int64_t total = 0;
    std::vector<PhonebookEntry> entries;
};

struct TrustedPeerFilter {
    std::string ip, description, tenant, tags, billing_id;
    std::optional<bool> msteams;
    std::optional<std::int64_t> blocked;
    std::int64_t customer = 0, reseller = 0;
};

struct IdFilter {
    std::uint64_t id = 0;
    std::string name;   // carriers, gateways
    std::string prefix; // rules, routes
    std::uint64_t carrier_id = 0, gateway_id = 0;
    std::int64_t reseller = 0;
    // Gateways and rules: the owner CDRTool selects (its "customer" filter names the reseller
    // that owns the PSTN routing, the Owner column it shows).
    std::int64_t customer = 0;
};

struct BalanceChange {
    double old_balance = 0, new_balance = 0;
};

// What PrepaidService::reserve and settle answer: the reservation as it now stands, the
// account's balance after the operation, and whether the call had been answered before (a
// repeated request, which changed nothing).
struct ReservationResult {
    bool prepaid = false; // false: a postpaid account, nothing reserved
    Reservation reservation;
    double balance = 0;
    bool repeated = false;
};

struct CallQuery {
    std::int64_t from = 0, to = 0; // unix time; 0 = open
    std::int64_t limit = 0;        // 0 = no limit
    bool given = false;            // false: this direction was not asked for
};

struct Calls {
    std::vector<CallView> placed, received;
};

struct CallStatistics {
    std::int64_t placed_calls = 0, received_calls = 0;
    double placed_price = 0, received_price = 0;
};

struct DeviceLocations {
    SipId id;
    std::vector<RegistrationView> locations;
};

// What the proxy reports (POST /ngnpro/events, docs/sip.md).
struct RegistrationEvent {
    std::string username, domain, contact, address, public_address, user_agent, transport;
    std::uint32_t port = 0, public_port = 0;
    std::int64_t expires = 0; // seconds from now; 0 = the contact is gone
};

struct SipOptions {
    unsigned call_data_days = 90;           // call records older than this are dropped
    std::size_t max_history = 1000;         // prepaid movements kept per account
    std::size_t max_announcement = 1 << 20; // bytes of a voicemail greeting
};

// What every SIP service holds: the store and the options. One service per aggregate below,
// each writing its rows, their indexes and what they own in one store::WriteTxn.
class SipServiceBase {
public:
    SipServiceBase(store::Env& env, SipOptions options)
        : env_(env)
        , options_(options) {}

    store::Env& env() const noexcept { return env_; }

protected:
    store::Env& env_;
    SipOptions options_;
};

// SIP domains (SipDomains). A domain is deleted only without accounts and aliases.
class SipDomainService : public SipServiceBase {
public:
    using SipServiceBase::SipServiceBase;

    void add_domain(const Caller& caller, const SipDomainInput& in);
    // The administrator may move a domain to another customer: its accounts and aliases follow.
    void update_domain(const Caller& caller, const SipDomainInput& in);
    void delete_domain(const Caller& caller, const std::string& domain);
    Page<SipDomainView> get_domains(const Caller& caller, const SipDomainFilter& f, Range range,
                                    const OrderBy& order);
};

// SIP accounts and their groups (SipAccounts). Deleting an account deletes everything that
// belongs to it: aliases, settings, voicemail, prepaid, rating profiles, registrations.
class SipAccountService : public SipServiceBase {
public:
    using SipServiceBase::SipServiceBase;

    SipAccountView add_account(const Caller& caller, const SipAccountInput& in);
    void update_account(const Caller& caller, const SipAccountInput& in);
    void delete_account(const Caller& caller, const SipId& id);
    SipAccountView get_account(const Caller& caller, const SipId& id);
    Page<SipAccountView> get_accounts(const Caller& caller, const SipAccountFilter& f, Range range,
                                      const OrderBy& order);

    void add_to_group(const Caller& caller, const SipId& id, const std::string& group);
    void remove_from_group(const Caller& caller, const SipId& id, const std::string& group);
    std::vector<std::string> get_groups(const Caller& caller, const SipId& id);
};

// SIP aliases (SipAliases, Index alias_target).
class SipAliasService : public SipServiceBase {
public:
    using SipServiceBase::SipServiceBase;

    void add_alias(const Caller& caller, const SipAliasInput& in);
    void update_alias(const Caller& caller, const SipAliasInput& in);
    void delete_alias(const Caller& caller, const SipId& id);
    SipAliasView get_alias(const Caller& caller, const SipId& id);
    std::vector<SipAliasView> aliases_for_account(const Caller& caller, const SipId& target);
    Page<SipAliasView> get_aliases(const Caller& caller, const SipAliasFilter& f, Range range,
                                   const OrderBy& order);
};

// The per-account call settings (SipSettings): phone book, reject and accept rules, barring
// prefixes, diversions.
class SipSettingsService : public SipServiceBase {
public:
    using SipServiceBase::SipServiceBase;

    void add_phonebook_entry(const Caller& caller, const SipId& id, const PhonebookEntry& e);
    void update_phonebook_entry(const Caller& caller, const SipId& id, const PhonebookEntry& e);
    void delete_phonebook_entry(const Caller& caller, const SipId& id, const std::string& uri);
    PhonebookPage get_phonebook_entries(const Caller& caller, const SipId& id,
                                        const PhonebookEntry& match, Range range);
    void set_reject_members(const Caller& caller, const SipId& id,
                            const std::vector<std::string>& members);
    std::vector<std::string> get_reject_members(const Caller& caller, const SipId& id);
    void set_accept_rules(const Caller& caller, const SipId& id, const AcceptRules& rules);
    AcceptRules get_accept_rules(const Caller& caller, const SipId& id,
                                 std::vector<std::string>& non_empty_groups);
    void set_barring_prefixes(const Caller& caller, const SipId& id,
                              const std::vector<std::string>& prefixes);
    std::vector<std::string> get_barring_prefixes(const Caller& caller, const SipId& id);
    // diversions by diversion_names; "" = off.
    void set_call_diversions(const Caller& caller, const SipId& id,
                             const std::array<std::string, 10>& diversions);
    std::array<std::string, 10> get_call_diversions(const Caller& caller, const SipId& id);
};

// Trusted peers and PSTN routing: carriers, gateways, gateway rules, routes (ids assigned by
// the server). A carrier or gateway is deleted only when nothing refers to it (Index).
class PstnService : public SipServiceBase {
public:
    using SipServiceBase::SipServiceBase;

    void add_trusted_peer(const Caller& caller, const TrustedPeerInput& in);
    void update_trusted_peer(const Caller& caller, const TrustedPeerInput& in);
    void delete_trusted_peer(const Caller& caller, const std::string& ip);
    Page<TrustedPeerView> get_trusted_peers(const Caller& caller, const TrustedPeerFilter& f,
                                            Range range, const OrderBy& order);

    std::uint64_t add_carrier(const Caller& caller, const CarrierInput& in);
    void update_carrier(const Caller& caller, const CarrierInput& in);
    void delete_carrier(const Caller& caller, std::uint64_t id);
    Page<CarrierView> get_carriers(const Caller& caller, const IdFilter& f, Range range,
                                   const OrderBy& order);
    std::uint64_t add_gateway(const Caller& caller, const GatewayInput& in);
    void update_gateway(const Caller& caller, const GatewayInput& in);
    void delete_gateway(const Caller& caller, std::uint64_t id);
    Page<GatewayView> get_gateways(const Caller& caller, const IdFilter& f, Range range,
                                   const OrderBy& order);
    std::uint64_t add_gateway_rule(const Caller& caller, const GatewayRuleInput& in);
    void update_gateway_rule(const Caller& caller, const GatewayRuleInput& in);
    void delete_gateway_rule(const Caller& caller, std::uint64_t id);
    Page<GatewayRuleView> get_gateway_rules(const Caller& caller, const IdFilter& f, Range range,
                                            const OrderBy& order);
    std::vector<std::uint64_t> add_routes(const Caller& caller, const std::vector<RouteInput>& in);
    void update_routes(const Caller& caller, const std::vector<RouteInput>& in);
    void delete_routes(const Caller& caller, const std::vector<std::uint64_t>& ids);
    Page<RouteView> get_routes(const Caller& caller, const IdFilter& f, Range range,
                               const OrderBy& order);
    // The route a number (00 + E.164 digits) takes: the longest matching prefix, then the
    // lowest priority; none when no route matches. One index seek per prefix length.
    std::optional<RouteView> route_for(const std::string& number);
};

// Prepaid balances and their history, prepaid cards (Prepaid "a" and "v" keys).
class PrepaidService : public SipServiceBase {
public:
    using SipServiceBase::SipServiceBase;

    BalanceChange add_balance(const Caller& caller, const SipId& id, double value,
                              const std::string& description);
    BalanceChange add_balance_from_voucher(const Caller& caller, const SipId& id,
                                           std::uint64_t card_id, const std::string& number);
    std::vector<PrepaidView> get_prepaid_status(const Caller& caller,
                                                const std::vector<SipId>& ids);
    std::vector<CreditEntry> get_credit_history(const Caller& caller, const SipId& id,
                                                std::int64_t count);
    // Loads a prepaid card (administrator, through the events endpoint).
    void add_prepaid_card(const PrepaidCard& card);

    // Reserves for the call `call_id` of `id` the seconds its balance pays at `rate` per minute
    // (at most `max_seconds` when > 0) and takes their price off the balance, in one write
    // (docs/kamailio.md "Prepaid"). The same call_id answers its reservation again (repeated);
    // a balance that pays no second reserves nothing (seconds 0). PrepaidReservationClosed
    // when the call_id was settled or belongs to another account.
    ReservationResult reserve(const Caller& caller, const SipId& id, const std::string& call_id,
                              double rate, std::int64_t max_seconds, std::int64_t at);
    // Charges `seconds` of the call (at most the reserved) and returns the rest to the
    // balance. A closed reservation is answered as it is (repeated); an unknown call_id is
    // PrepaidReservationNotFound.
    ReservationResult settle(const std::string& call_id, std::int64_t seconds, std::int64_t at);
    // Settles the open reservations whose time (created + seconds) and `grace` have passed by
    // `at`, charging the reserved seconds, and purges the ones closed a day before `at`; at
    // most `max` of each per call (one write; none when nothing is due). Returns the expired.
    std::size_t expire_reservations(std::int64_t at, std::int64_t grace, std::size_t max = 256);
    // The reservation of `call_id`, open or closed (nullopt: none).
    std::optional<Reservation> reservation(const std::string& call_id);
};

// Call data (CallData): device locations, call records and statistics, what the proxy reports.
class CallDataService : public SipServiceBase {
public:
    using SipServiceBase::SipServiceBase;

    std::vector<DeviceLocations> get_device_locations(const Caller& caller,
                                                      const std::vector<SipId>& ids);
    Calls get_calls(const Caller& caller, const SipId& id, const CallQuery& placed,
                    const CallQuery& received);
    // Both directions, each within its query's dates (this calendar month when it has none).
    CallStatistics get_call_statistics(const Caller& caller, const SipId& id, CallQuery placed,
                                       CallQuery received);
    // Stores (expires > 0) or removes a contact; false when the account does not exist.
    bool record_registration(const RegistrationEvent& event);
    // Stores a call record (a repeated call_id replaces the earlier record); returns false
    // when the record is older than the retention.
    bool record_call(const CallView& call);
    // Drops call records older than the retention and expired registrations.
    void purge_call_data();
};

struct VoicemailInput {
    SipId id;
    std::string mailbox, password, name, email, info;
    bool delete_messages = false;
};

// Voicemail accounts (Voicemail, Index mailbox).
class VoicemailService : public SipServiceBase {
public:
    using SipServiceBase::SipServiceBase;

    VoicemailView add(const Caller& caller, const VoicemailInput& in);
    void update(const Caller& caller, const VoicemailInput& in);
    void remove(const Caller& caller, const SipId& id);
    VoicemailView get(const Caller& caller, const SipId& id);
    void set_announcement(const Caller& caller, const SipId& id, const std::string& audio);
};

// Every SIP service over one store, as the server holds them (the Context derives from it).
struct SipServices {
    SipServices(store::Env& env, SipOptions options)
        : sip_domains(env, options)
        , sip_accounts(env, options)
        , sip_aliases(env, options)
        , sip_settings(env, options)
        , pstn(env, options)
        , prepaid(env, options)
        , call_data(env, options)
        , voicemail(env, options) {}

    SipDomainService sip_domains;
    SipAccountService sip_accounts;
    SipAliasService sip_aliases;
    SipSettingsService sip_settings;
    PstnService pstn;
    PrepaidService prepaid;
    CallDataService call_data;
    VoicemailService voicemail;
};

// A call record from named fields (JSON event members or CSV columns, docs/sip.md).
CallView call_of(const std::map<std::string, std::string>& fields);

// Applies the events of a JSON body (one event object, an array, or {"events": [...]}).
// Throws ApiError(InvalidArgument) naming the first bad event; events before it are stored.
EventsResult apply_events_json(CallDataService& calls, PrepaidService& prepaid,
                               std::string_view body);

// HA1 digests of a SIP password (OpenSIPS ha1, ha1b): md5hex("user:domain:password") and
// md5hex("user@domain:domain:password").
std::string sip_ha1(const std::string& username, const std::string& domain,
                    const std::string& password);
std::string sip_ha1b(const std::string& username, const std::string& domain,
                     const std::string& password);

} // namespace sb::prov
