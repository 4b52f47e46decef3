// SipPort prepaid: balances and their movements per account (Table::Prepaid, key "a" sip_key),
// prepaid cards (key "v" u64 id). Every change is one write transaction.
#include "sip_common.hpp"

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
                           std::size_t max_history) {
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
    row.history.push_back(std::move(e));
    if (row.history.size() > max_history) {
        row.history.erase(row.history.begin(),
                          row.history.begin() +
                              static_cast<std::ptrdiff_t>(row.history.size() - max_history));
    }
    txn.put(Table::Prepaid, prepaid_key(id), encode(row));
    return change;
}

} // namespace

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

} // namespace sb::prov
