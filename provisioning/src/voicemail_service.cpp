// VoicemailPort: one mailbox per SIP account (reference/ngnpro-api.md §6.2, §7.10, §8.2).
#include "sip_common.hpp"

#include <algorithm>
#include <cctype>

namespace sb::prov {

using namespace sip;

namespace {

constexpr std::uint64_t first_mailbox = 1000000; // guide: assigned from 1000000 upwards

void check_mailbox(const std::string& m) {
    const bool ok = !m.empty() && m.size() <= 16 && std::all_of(m.begin(), m.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
    });
    if (!ok) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "mailbox: '" + m + "' is not a mailbox number (1-16 digits)");
    }
}

void check_text(const VoicemailInput& in) {
    if (in.password.size() > 64 || std::any_of(in.password.begin(), in.password.end(), [](char c) {
            return static_cast<unsigned char>(c) < 0x20;
        })) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "password: at most 64 characters, no control characters");
    }
}

void claim_mailbox(store::WriteTxn& txn, const std::string& mailbox, const std::string& key) {
    if (txn.get(Table::Index, mailbox_index_key(mailbox))) {
        throw ApiError(ErrorCode::MailboxInUse, "mailbox: " + mailbox + " is already in use");
    }
    txn.put(Table::Index, mailbox_index_key(mailbox), key);
}

template <class Txn>
VoicemailRow load_voicemail(const Txn& txn, const Caller& caller, const SipId& id) {
    load_account(txn, caller, id); // 1010 when the SIP account is missing (api §6.2)
    auto row = get_row<VoicemailRow>(txn, Table::Voicemail, sip_key(id.username, id.domain));
    if (!row) {
        throw ApiError(ErrorCode::VoicemailNotFound,
                       "SIP account " + address(id) + " has no voicemail account");
    }
    return *row;
}

} // namespace

namespace {

// Sets the mailbox's attributes from `in` and stores it.
void put_voicemail(store::WriteTxn& txn, const std::string& key, VoicemailRow& row,
                   const VoicemailInput& in) {
    row.password = in.password;
    row.name = in.name;
    row.email = in.email;
    row.info = in.info;
    row.delete_messages = in.delete_messages;
    row.change_date = now();
    txn.put(Table::Voicemail, key, encode(row));
}

} // namespace

VoicemailView VoicemailService::add(const Caller& caller, const VoicemailInput& in) {
    const SipId id = normal_id(in.id, "sipId");
    check_text(in);
    return env_.write([&](store::WriteTxn& txn) {
        load_account(txn, caller, id);
        const std::string key = sip_key(id.username, id.domain);
        if (txn.get(Table::Voicemail, key)) {
            throw ApiError(ErrorCode::VoicemailExists,
                           "SIP account " + address(id) + " already has a voicemail account");
        }
        VoicemailRow row;
        row.username = id.username;
        row.domain = id.domain;
        if (!in.mailbox.empty()) {
            check_mailbox(in.mailbox);
            row.mailbox = in.mailbox;
        } else {
            do {
                row.mailbox = std::to_string(first_mailbox - 1 + txn.next_id("mailbox"));
            } while (txn.get(Table::Index, mailbox_index_key(row.mailbox)));
        }
        claim_mailbox(txn, row.mailbox, key);
        put_voicemail(txn, key, row, in);
        return row;
    });
}

void VoicemailService::update(const Caller& caller, const VoicemailInput& in) {
    const SipId id = normal_id(in.id, "sipId");
    check_text(in);
    env_.write([&](store::WriteTxn& txn) {
        VoicemailRow row = load_voicemail(txn, caller, id);
        const std::string key = sip_key(id.username, id.domain);
        if (!in.mailbox.empty() && in.mailbox != row.mailbox) {
            check_mailbox(in.mailbox);
            claim_mailbox(txn, in.mailbox, key);
            txn.del(Table::Index, mailbox_index_key(row.mailbox));
            row.mailbox = in.mailbox;
        }
        put_voicemail(txn, key, row, in);
    });
}

void VoicemailService::remove(const Caller& caller, const SipId& given) {
    const SipId id = normal_id(given, "sipId");
    env_.write([&](store::WriteTxn& txn) {
        const VoicemailRow row = load_voicemail(txn, caller, id);
        const std::string key = sip_key(id.username, id.domain);
        txn.del(Table::Index, mailbox_index_key(row.mailbox));
        txn.del(Table::Voicemail, key);
        // Diversions to the mailbox that no longer exists are switched off with it.
        if (auto s = get_row<SipSettingsRow>(txn, Table::SipSettings, key)) {
            for (auto& d : s->diversions) {
                if (d == "<voice-mailbox>") {
                    d.clear();
                }
            }
            txn.put(Table::SipSettings, key, encode(*s));
        }
    });
}

VoicemailView VoicemailService::get(const Caller& caller, const SipId& given) {
    const SipId id = normal_id(given, "sipId");
    store::ReadTxn txn(env_);
    return load_voicemail(txn, caller, id);
}

void VoicemailService::set_announcement(const Caller& caller, const SipId& given,
                                        const std::string& audio) {
    const SipId id = normal_id(given, "sipId");
    if (audio.size() > options_.max_announcement) {
        throw ApiError(ErrorCode::AnnouncementTooLarge,
                       "message: " + std::to_string(audio.size()) + " bytes; an announcement " +
                           "may have at most " + std::to_string(options_.max_announcement));
    }
    env_.write([&](store::WriteTxn& txn) {
        VoicemailRow row = load_voicemail(txn, caller, id);
        row.announcement = audio;
        row.change_date = now();
        txn.put(Table::Voicemail, sip_key(id.username, id.domain), encode(row));
    });
}

} // namespace sb::prov
