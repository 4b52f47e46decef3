// SipPort prepaid: balances and their movements per account (Table::Prepaid, key "a" sip_key),
// prepaid cards (key "v" u64 id), the SIP proxy's call reservations (key "r" Call-ID, indexed
// by "x" due time while open and "y" closing time once closed). Every change is one write
// transaction.
#include "index.hpp"
#include "provisioning/proxy_api.hpp"
#include "sip_common.hpp"

#include <algorithm>
#include <cmath>

namespace sb::prov {

using namespace sip;

namespace {

std::string prepaid_key(const SipId& id) {
    return "a" + sip_key(id.username, id.domain);
}

std::string card_key(std::uint64_t id) {
    return "v" + store::u64_key(id);
}

BalanceChange move_balance(store::WriteTxn& txn, const SipId& id, double value,
                           const std::string& action, const std::string& description,
                           std::size_t max_history, const std::string& session = "") {
    if (!std::isfinite(value) || std::fabs(value) > 1e9) {
        throw ApiError(ErrorCode::InvalidArgument, "value: not a usable amount");
    }
    PrepaidRow row;
    if (const auto v = txn.get(Table::Prepaid, prepaid_key(id))) {
        decode(*v, row);
    }
    BalanceChange change{row.balance, row.balance + value};
    row.balance = change.new_balance;
    CreditEntry e;
    e.date = now();
    e.action = action;
    e.description = description;
    e.value = value;
    e.balance = row.balance;
    e.session = session;
    row.history.push_back(std::move(e));
    if (row.history.size() > max_history) {
        row.history.erase(row.history.begin(),
                          row.history.begin() +
                              static_cast<std::ptrdiff_t>(row.history.size() - max_history));
    }
    txn.put(Table::Prepaid, prepaid_key(id), encode(row));
    return change;
}

// A closed reservation answers a repeated settle for a day, then it is purged.
constexpr std::int64_t closed_kept = 86400;
constexpr std::size_t max_call_id = 256;

std::string reservation_key(std::string_view call_id) {
    return "r" + std::string(call_id);
}

// 'x' (open, by due time) or 'y' (closed, by closing time), then the Call-ID.
std::string time_key(char kind, std::int64_t at, std::string_view call_id) {
    std::string k(1, kind);
    store::put_u64(k, static_cast<std::uint64_t>(std::max<std::int64_t>(at, 0)));
    k.append(call_id);
    return k;
}

std::int64_t time_of(std::string_view key) {
    return static_cast<std::int64_t>(store::get_u64(key, 1));
}

void check_call_id(const std::string& call_id) {
    if (call_id.empty() || call_id.size() > max_call_id) {
        throw ApiError(ErrorCode::InvalidArgument, "call_id: the call's Call-ID, 1 to " +
                                                       std::to_string(max_call_id) + " characters");
    }
}

double balance_of(const store::WriteTxn& txn, const SipId& id) {
    const auto row = get_row<PrepaidRow>(txn, Table::Prepaid, prepaid_key(id));
    return row ? row->balance : 0;
}

// Closes the open reservation `r` charging `used` seconds: the rest of its amount returns to
// the balance (one history entry, also when nothing returns, so the call shows), and its index
// entry moves from "x" to "y". Returns the balance after it (0 when the account is gone).
double close_reservation(store::WriteTxn& txn, ReservationRow& r, ReservationState state,
                         std::int64_t used, std::int64_t at, std::size_t max_history) {
    txn.del(Table::Prepaid, time_key('x', r.created + r.seconds, r.call_id));
    r.state = state;
    r.used = used;
    r.price = std::min(call_price(used, r.rate), r.amount);
    r.closed = at;
    txn.put(Table::Prepaid, reservation_key(r.call_id), encode(r));
    txn.put(Table::Prepaid, time_key('y', at, r.call_id), "");
    const SipId id{r.username, r.domain};
    if (!txn.get(Table::SipAccounts, sip_key(id.username, id.domain))) {
        return 0; // the account was deleted with its balance: nothing to return to
    }
    const std::string call = "Call " + r.call_id + ": ";
    const std::string used_text = std::to_string(used) + " s of " + std::to_string(r.seconds);
    return state == ReservationState::Settled
               ? move_balance(txn, id, r.amount - r.price, "Call settled",
                              call + used_text + " s reserved used", max_history, r.call_id)
                     .new_balance
               : move_balance(txn, id, r.amount - r.price, "Call expired",
                              call + "not settled by the proxy, " + used_text +
                                  " s reserved charged",
                              max_history, r.call_id)
                     .new_balance;
}

} // namespace

const char* to_string(ReservationState s) noexcept {
    switch (s) {
    case ReservationState::Open:
        return "open";
    case ReservationState::Settled:
        return "settled";
    case ReservationState::Expired:
        return "expired";
    }
    return "unknown";
}

BalanceChange PrepaidService::add_balance(const Caller& caller, const SipId& given, double value,
                                          const std::string& description) {
    const SipId id = normal_id(given, "sipId");
    return env_.write([&](store::WriteTxn& txn) {
        load_account(txn, caller, id);
        const auto change = move_balance(
            txn, id, value, value < 0 ? "Debit balance" : "Add balance",
            description.empty() ? "Balance change" : description, options_.max_history);
        return change;
    });
}

BalanceChange PrepaidService::add_balance_from_voucher(const Caller& caller, const SipId& given,
                                                       std::uint64_t card_id,
                                                       const std::string& number) {
    const SipId id = normal_id(given, "sipId");
    return env_.write([&](store::WriteTxn& txn) {
        load_account(txn, caller, id);
        auto card = get_row<PrepaidCardRow>(txn, Table::Prepaid, card_key(card_id));
        if (!card || card->number != number) {
            throw ApiError(ErrorCode::PrepaidCardNotFound, "card: no prepaid card " +
                                                               std::to_string(card_id) +
                                                               " with that number");
        }
        if (card->used_at != 0) {
            throw ApiError(ErrorCode::PrepaidCardUsed,
                           "card: prepaid card " + std::to_string(card_id) + " was already used");
        }
        card->used_at = now();
        card->used_by = address(id);
        txn.put(Table::Prepaid, card_key(card_id), encode(*card));
        const auto change =
            move_balance(txn, id, card->value, "Prepaid card",
                         "Prepaid card " + std::to_string(card_id), options_.max_history);
        return change;
    });
}

std::vector<PrepaidView> PrepaidService::get_prepaid_status(const Caller& caller,
                                                            const std::vector<SipId>& ids) {
    store::ReadTxn txn(env_);
    std::vector<PrepaidView> out;
    for (const auto& given : ids) {
        // One entry per requested id, in order (the client matches by index); an id the caller
        // cannot see answers an empty status.
        PrepaidRow status;
        try {
            const SipId id = normal_id(given, "sipIds");
            load_account(txn, caller, id);
            if (const auto v = txn.get(Table::Prepaid, prepaid_key(id))) {
                decode(*v, status);
            }
        } catch (const ApiError&) {
        }
        status.history.clear();
        out.push_back(std::move(status));
    }
    return out;
}

std::vector<CreditEntry>
PrepaidService::get_credit_history(const Caller& caller, const SipId& given, std::int64_t count) {
    const SipId id = normal_id(given, "sipId");
    store::ReadTxn txn(env_);
    load_account(txn, caller, id);
    auto row = get_row<PrepaidRow>(txn, Table::Prepaid, prepaid_key(id));
    std::vector<CreditEntry> out;
    if (!row) {
        return out;
    }
    for (auto it = row->history.rbegin(); it != row->history.rend(); ++it) {
        if (count > 0 && static_cast<std::int64_t>(out.size()) >= count) {
            break;
        }
        out.push_back(*it); // newest first
    }
    return out;
}

void PrepaidService::add_prepaid_card(const PrepaidCard& card) {
    if (card.id == 0 || card.number.empty() || !std::isfinite(card.value) || card.value <= 0) {
        throw ApiError(ErrorCode::InvalidArgument,
                       "prepaid card: id, number and a positive value are required");
    }
    env_.write([&](store::WriteTxn& txn) {
        if (txn.get(Table::Prepaid, card_key(card.id))) {
            throw ApiError(ErrorCode::InvalidArgument,
                           "prepaid card " + std::to_string(card.id) + " already exists");
        }
        PrepaidCardRow row;
        static_cast<PrepaidCard&>(row) = card;
        row.used_at = 0;
        row.used_by.clear();
        txn.put(Table::Prepaid, card_key(card.id), encode(row));
    });
}

ReservationResult PrepaidService::reserve(const Caller& caller, const SipId& given,
                                          const std::string& call_id, double rate,
                                          std::int64_t max_seconds, std::int64_t at) {
    const SipId id = normal_id(given, "user");
    check_call_id(call_id);
    call_price(60, rate); // checks the rate
    if (max_seconds < 0 || max_seconds > max_call_seconds) {
        throw ApiError(ErrorCode::InvalidArgument, "max_seconds: 0 (what the balance pays) to " +
                                                       std::to_string(max_call_seconds));
    }
    return env_.write([&](store::WriteTxn& txn) {
        const SipAccountRow account = load_account(txn, caller, id);
        ReservationResult out;
        if (auto old = get_row<ReservationRow>(txn, Table::Prepaid, reservation_key(call_id))) {
            if (old->username != id.username || old->domain != id.domain) {
                throw ApiError(ErrorCode::PrepaidReservationClosed,
                               "call_id: '" + call_id + "' is reserved for another account");
            }
            if (old->state != ReservationState::Open) {
                throw ApiError(ErrorCode::PrepaidReservationClosed,
                               "call_id: the call '" + call_id +
                                   "' is already settled; a new call has a new Call-ID");
            }
            out.prepaid = true;
            out.reservation = std::move(*old);
            out.balance = balance_of(txn, id);
            out.repeated = true;
            return out;
        }
        out.balance = balance_of(txn, id);
        if (!account.prepaid) {
            return out;
        }
        out.prepaid = true;
        ReservationRow r;
        r.call_id = call_id;
        r.username = id.username;
        r.domain = id.domain;
        r.rate = rate;
        r.seconds = seconds_paid(out.balance, rate);
        if (max_seconds > 0) {
            r.seconds = std::min(r.seconds, max_seconds);
        }
        r.amount = call_price(r.seconds, rate);
        r.created = at;
        if (r.seconds > 0) {
            out.balance =
                move_balance(txn, id, -r.amount, "Call reserved",
                             "Call " + call_id + ": " + std::to_string(r.seconds) + " s reserved",
                             options_.max_history, call_id)
                    .new_balance;
            txn.put(Table::Prepaid, reservation_key(call_id), encode(r));
            txn.put(Table::Prepaid, time_key('x', at + r.seconds, call_id), "");
        }
        out.reservation = std::move(r);
        return out;
    });
}

ReservationResult PrepaidService::settle(const std::string& call_id, std::int64_t seconds,
                                         std::int64_t at) {
    check_call_id(call_id);
    if (seconds < 0 || seconds > max_call_seconds) {
        throw ApiError(ErrorCode::InvalidArgument, "seconds: the seconds the call lasted, 0 to " +
                                                       std::to_string(max_call_seconds));
    }
    return env_.write([&](store::WriteTxn& txn) {
        auto r = get_row<ReservationRow>(txn, Table::Prepaid, reservation_key(call_id));
        if (!r) {
            throw ApiError(ErrorCode::PrepaidReservationNotFound,
                           "call_id: no reservation for '" + call_id +
                               "' (reserve at the call's setup; closed ones are kept a day)");
        }
        ReservationResult out;
        out.prepaid = true;
        if (r->state != ReservationState::Open) {
            out.balance = balance_of(txn, {r->username, r->domain});
            out.repeated = true;
        } else {
            // The call cannot have lasted longer than its reservation: the proxy cut it then.
            out.balance =
                close_reservation(txn, *r, ReservationState::Settled, std::min(seconds, r->seconds),
                                  at, options_.max_history);
        }
        out.reservation = std::move(*r);
        return out;
    });
}

std::size_t PrepaidService::expire_reservations(std::int64_t at, std::int64_t grace,
                                                std::size_t max) {
    const auto first_time = [](const auto& txn, const char* kind) -> std::optional<std::int64_t> {
        const auto key = first_key_with_prefix(txn, Table::Prepaid, kind);
        return key && key->size() >= 9 ? std::optional(time_of(*key)) : std::nullopt;
    };
    {
        // Most calls find nothing due: a read, no write.
        const store::ReadTxn txn(env_);
        const auto due = first_time(txn, "x"), old = first_time(txn, "y");
        if (!(due && *due + grace <= at) && !(old && *old + closed_kept <= at)) {
            return 0;
        }
    }
    return env_.write([&](store::WriteTxn& txn) {
        const auto keys_before = [&](const char* kind, std::int64_t limit) {
            std::vector<std::string> keys;
            walk_prefix(txn, Table::Prepaid, kind, [&](std::string_view key, std::string_view) {
                if (key.size() < 9 || time_of(key) > limit || keys.size() >= max) {
                    return false;
                }
                keys.emplace_back(key);
                return true;
            });
            return keys;
        };
        std::size_t expired = 0;
        for (const std::string& key : keys_before("x", at - grace)) {
            auto r = get_row<ReservationRow>(txn, Table::Prepaid, reservation_key(key.substr(9)));
            if (!r || r->state != ReservationState::Open) {
                txn.del(Table::Prepaid, key); // a stray index entry
                continue;
            }
            close_reservation(txn, *r, ReservationState::Expired, r->seconds, at,
                              options_.max_history);
            ++expired;
        }
        for (const std::string& key : keys_before("y", at - closed_kept)) {
            txn.del(Table::Prepaid, reservation_key(key.substr(9)));
            txn.del(Table::Prepaid, key);
        }
        return expired;
    });
}

std::optional<Reservation> PrepaidService::reservation(const std::string& call_id) {
    check_call_id(call_id);
    const store::ReadTxn txn(env_);
    auto r = get_row<ReservationRow>(txn, Table::Prepaid, reservation_key(call_id));
    return r ? std::optional<Reservation>(std::move(*r)) : std::nullopt;
}

} // namespace sb::prov
