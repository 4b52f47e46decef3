// The values of the per-account settings, prepaid, call data and voicemail services
// (provisioning/sip.hpp): what they take and give. The stored rows (rows.hpp) are these views
// plus their codec (fields()), so rows never leave the services; the nested values list their
// fields() for that codec.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sb::prov {

struct PhonebookEntry {
    std::string uri, name, group;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.uri), v(r.name), v(r.group);
    }
};

struct AcceptRule {
    std::string start, stop; // HH:MM
    std::vector<std::string> groups;
    std::uint32_t days = 0; // bit mask, 1 = Monday … 64 = Sunday

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.start), v(r.stop), v(r.groups), v(r.days);
    }
};

struct CreditEntry {
    std::int64_t date = 0;
    std::string action, description;
    double value = 0, balance = 0;
    std::string session;

    template <class Self, class V>
    static void fields(Self& r, V& v) {
        v(r.date), v(r.action), v(r.description), v(r.value), v(r.balance), v(r.session);
    }
};

// A voicemail account as stored and read.
struct VoicemailView {
    std::string username, domain, mailbox, password, name, email, info;
    bool delete_messages = false; // e-mail and delete (true) or keep on the server + MWI
    std::string announcement;     // the greeting as uploaded (audio bytes)
    std::int64_t change_date = 0;
};

// An account's prepaid balance and its movements (oldest first).
struct PrepaidView {
    double balance = 0;
    std::vector<CreditEntry> history;
    bool call_in_progress = false;
    std::int64_t session_time = 0, max_session_time = 0;
    std::string destination;
    double last_call_price = 0;
};

// A prepaid call's reservation (reserve at call setup, settle at its end, as RFC 4006 credit
// control does): the seconds the balance paid, taken from it at once; the seconds used are
// charged when the call is settled and the rest returned. One the proxy never settles is
// charged in full by the server once its time and the grace period have passed (Expired).
enum class ReservationState : std::uint8_t { Open = 0, Settled = 1, Expired = 2 };

const char* to_string(ReservationState s) noexcept;

struct Reservation {
    std::string call_id, username, domain;
    double rate = 0;          // price per minute
    std::int64_t seconds = 0; // reserved
    double amount = 0;        // taken from the balance: seconds × rate / 60
    std::int64_t created = 0; // unix time of the reservation
    ReservationState state = ReservationState::Open;
    std::int64_t used = 0;   // seconds charged (Settled, Expired)
    double price = 0;        // used × rate / 60
    std::int64_t closed = 0; // unix time of the settle or the expiry
};

// A prepaid card (voucher), as the operator loads it.
struct PrepaidCard {
    std::uint64_t id = 0;
    std::string number;
    double value = 0;
    std::int64_t used_at = 0;
    std::string used_by; // user@domain
};

// A registered contact reported by the proxy.
struct RegistrationView {
    std::string username, domain, contact;
    std::string address;
    std::uint32_t port = 0;
    std::string public_address;
    std::uint32_t public_port = 0;
    std::int64_t expires_at = 0; // unix time
    std::string user_agent, transport;
    std::int64_t received = 0; // when it was reported
};

// One call detail record.
struct CallView {
    std::uint64_t id = 0;
    std::string call_id, from_uri, to_uri, from_header;
    std::int64_t start = 0, stop = 0, duration = 0, status = 0;
    double price = 0;
    std::string rate, from_tag, to_tag, proxy_ip;
    std::vector<std::string> media; // "audio", "chat", …
    std::string caller, callee;     // sip_key of the local accounts, "" when not local
};

} // namespace sb::prov
