// Per-account call settings of SipPort: phone book, reject members, accept rules, barring
// prefixes and call diversions (reference/ngnpro-api.md §7.8, §8.1). One SipSettings row per
// account, read and replaced in the operation's transaction.
#include "sip_common.hpp"

#include <algorithm>
#include <cctype>

namespace sb::prov {

using namespace sip;

namespace {

constexpr const char* voice_mailbox = "<voice-mailbox>";

bool has_scheme(const std::string& uri) {
    return uri.rfind("sip:", 0) == 0 || uri.rfind("sips:", 0) == 0 || uri.rfind("tel:", 0) == 0;
}

bool no_space(const std::string& s) {
    return std::none_of(s.begin(), s.end(),
                        [](unsigned char c) { return std::isspace(c) || c < 0x20; });
}

void check_uri(const std::string& uri, const std::string& field) {
    if (!has_scheme(uri) || uri.size() < 5 || !no_space(uri)) {
        throw ApiError(ErrorCode::InvalidArgument,
                       field + ": '" + uri + "' is not a sip:, sips: or tel: URI");
    }
}

void check_hhmm(const std::string& t, const std::string& field) {
    const bool ok = t.size() == 5 && t[2] == ':' &&
                    std::isdigit(static_cast<unsigned char>(t[0])) &&
                    std::isdigit(static_cast<unsigned char>(t[1])) &&
                    std::isdigit(static_cast<unsigned char>(t[3])) &&
                    std::isdigit(static_cast<unsigned char>(t[4])) &&
                    std::stoi(t.substr(0, 2)) < 24 && std::stoi(t.substr(3, 2)) < 60;
    if (!ok) {
        throw ApiError(ErrorCode::InvalidArgument, field + ": '" + t + "' is not HH:MM");
    }
}

// Loads the account (tenant check) and returns its normalised id.
SipId account_id(const store::WriteTxn& txn, const Caller& caller, const SipId& given) {
    const SipId id = normal_id(given);
    load_account(txn, caller, id);
    return id;
}

// Changes the settings of the account `given` (tenant checked) in one write transaction:
// `change(settings, id)` edits them (id: the normalised account id), or throws to change nothing.
template <class Change>
void edit_settings(store::Env& env, const Caller& caller, const SipId& given, Change&& change) {
    env.write([&](store::WriteTxn& txn) {
        const SipId id = account_id(txn, caller, given);
        SipSettingsRow s = load_settings(txn, id);
        change(s, id);
        put_settings(txn, id, s);
    });
}

// The non-empty items of a list a client sets, each checked by `check` (which throws), in their
// order, a repeated one kept once.
template <class Check>
std::vector<std::string> list_of(const std::vector<std::string>& items, Check check) {
    std::vector<std::string> out;
    for (const auto& item : items) {
        if (item.empty()) {
            continue;
        }
        check(item);
        if (std::find(out.begin(), out.end(), item) == out.end()) {
            out.push_back(item);
        }
    }
    return out;
}

// The settings of the account `given` (tenant checked), from one read snapshot.
SipSettingsRow read_settings(const store::Env& env, const Caller& caller, const SipId& given) {
    const SipId id = normal_id(given);
    store::ReadTxn txn(env);
    load_account(txn, caller, id);
    return load_settings(txn, id);
}

} // namespace

void SipSettingsService::add_phonebook_entry(const Caller& caller, const SipId& given,
                                             const PhonebookEntry& e) {
    edit_settings(env_, caller, given, [&](SipSettingsRow& s, const SipId& id) {
        check_uri(e.uri, "entry.uri");
        for (const auto& old : s.phonebook) {
            if (old.uri == e.uri) {
                throw ApiError(ErrorCode::PhonebookEntryExists,
                               "phone book of " + address(id) + " already has " + e.uri);
            }
        }
        s.phonebook.push_back(e);
    });
}

void SipSettingsService::update_phonebook_entry(const Caller& caller, const SipId& given,
                                                const PhonebookEntry& e) {
    edit_settings(env_, caller, given, [&](SipSettingsRow& s, const SipId& id) {
        const auto it = std::find_if(s.phonebook.begin(), s.phonebook.end(),
                                     [&](const auto& old) { return old.uri == e.uri; });
        if (it == s.phonebook.end()) {
            throw ApiError(ErrorCode::PhonebookEntryNotFound,
                           "phone book of " + address(id) + " has no entry " + e.uri);
        }
        *it = e;
    });
}

void SipSettingsService::delete_phonebook_entry(const Caller& caller, const SipId& given,
                                                const std::string& uri) {
    edit_settings(env_, caller, given, [&](SipSettingsRow& s, const SipId& id) {
        const auto it = std::find_if(s.phonebook.begin(), s.phonebook.end(),
                                     [&](const auto& old) { return old.uri == uri; });
        if (it == s.phonebook.end()) {
            throw ApiError(ErrorCode::PhonebookEntryNotFound,
                           "phone book of " + address(id) + " has no entry " + uri);
        }
        s.phonebook.erase(it);
    });
}

PhonebookPage SipSettingsService::get_phonebook_entries(const Caller& caller, const SipId& given,
                                                        const PhonebookEntry& match, Range range) {
    std::vector<PhonebookEntry> rows;
    for (auto& e : read_settings(env_, caller, given).phonebook) {
        if (matches(match.uri, e.uri) && matches(match.name, e.name) &&
            matches(match.group, e.group)) {
            rows.push_back(std::move(e));
        }
    }
    auto page = paginate(std::move(rows), range, OrderBy{},
                         [](const PhonebookEntry& e) { return lower(e.name) + "\n" + e.uri; });
    return PhonebookPage{page.total, std::move(page.items)};
}

void SipSettingsService::set_reject_members(const Caller& caller, const SipId& given,
                                            const std::vector<std::string>& members) {
    edit_settings(env_, caller, given, [&](SipSettingsRow& s, const SipId&) {
        s.reject_members = list_of(members, [](const std::string& m) { check_uri(m, "members"); });
    });
}

std::vector<std::string> SipSettingsService::get_reject_members(const Caller& caller,
                                                                const SipId& given) {
    return read_settings(env_, caller, given).reject_members;
}

void SipSettingsService::set_accept_rules(const Caller& caller, const SipId& given,
                                          const AcceptRules& rules) {
    edit_settings(env_, caller, given, [&](SipSettingsRow& s, const SipId&) {
        s.accept_persistent.clear();
        for (std::size_t i = 0; i < rules.persistent.size(); ++i) {
            const auto& r = rules.persistent[i];
            const std::string field = "rules.persistent[" + std::to_string(i) + "]";
            check_hhmm(r.start, field + ".start");
            check_hhmm(r.stop, field + ".stop");
            if (r.days > 127) {
                throw ApiError(ErrorCode::InvalidArgument,
                               field +
                                   ".days: a bit mask of 1 (Monday) … 64 (Sunday), at most 127");
            }
            s.accept_persistent.push_back(r);
        }
        s.accept_temporary_groups.clear();
        for (const auto& g : rules.temporary_groups) {
            if (!g.empty()) {
                s.accept_temporary_groups.push_back(g);
            }
        }
        s.accept_temporary_until =
            rules.temporary_minutes > 0 ? now() + std::int64_t{rules.temporary_minutes} * 60 : 0;
    });
}

AcceptRules SipSettingsService::get_accept_rules(const Caller& caller, const SipId& given,
                                                 std::vector<std::string>& non_empty_groups) {
    const SipSettingsRow s = read_settings(env_, caller, given);
    AcceptRules out;
    out.persistent = s.accept_persistent;
    const std::int64_t left = s.accept_temporary_until - now();
    if (left > 0) {
        out.temporary_groups = s.accept_temporary_groups;
        out.temporary_minutes = static_cast<std::uint32_t>((left + 59) / 60);
    }
    non_empty_groups.clear();
    for (const auto& e : s.phonebook) {
        if (!e.group.empty() && std::find(non_empty_groups.begin(), non_empty_groups.end(),
                                          e.group) == non_empty_groups.end()) {
            non_empty_groups.push_back(e.group);
        }
    }
    std::sort(non_empty_groups.begin(), non_empty_groups.end());
    return out;
}

void SipSettingsService::set_barring_prefixes(const Caller& caller, const SipId& given,
                                              const std::vector<std::string>& prefixes) {
    edit_settings(env_, caller, given, [&](SipSettingsRow& s, const SipId&) {
        s.barring_prefixes = list_of(prefixes, [](const std::string& p) {
            const bool ok = p.size() >= 2 && p.size() <= 16 && p[0] == '+' &&
                            std::all_of(p.begin() + 1, p.end(),
                                        [](unsigned char c) { return std::isdigit(c) != 0; });
            if (!ok) {
                throw ApiError(ErrorCode::InvalidArgument,
                               "prefixes: '" + p + "' is not +<digits> (an E.164 prefix)");
            }
        });
    });
}

std::vector<std::string> SipSettingsService::get_barring_prefixes(const Caller& caller,
                                                                  const SipId& given) {
    return read_settings(env_, caller, given).barring_prefixes;
}

void SipSettingsService::set_call_diversions(const Caller& caller, const SipId& given,
                                             const std::array<std::string, 10>& diversions) {
    edit_settings(env_, caller, given, [&](SipSettingsRow& s, const SipId&) {
        for (std::size_t i = 0; i < diversions.size(); ++i) {
            std::string v = diversions[i];
            const std::string field = std::string("diversions.") + diversion_names[i];
            if (v == "voice-mailbox") {
                v = voice_mailbox; // what older servers returned; the client accepts both
            }
            // <voice-mailbox> is accepted whether or not the mailbox exists yet: CDRTool saves the
            // diversions and the voicemail account in separate requests, in either order.
            if (v != voice_mailbox && !v.empty()) {
                check_uri(v, field);
            }
            s.diversions[i] = v;
        }
    });
}

std::array<std::string, 10> SipSettingsService::get_call_diversions(const Caller& caller,
                                                                    const SipId& given) {
    return read_settings(env_, caller, given).diversions;
}

} // namespace sb::prov
