// The reference indexes of rows.hpp kept with their rows, and the cursor walks every service
// uses: each step is counted (cursor_steps(), services.hpp), so a test can show that a
// reference check or a route lookup reads O(1) entries whatever the size of the tables.
#pragma once

#include "provisioning/rows.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sb::prov {

void count_cursor_step() noexcept;

// Moves a row's index entries from `before` (nullptr: a new row) to `after` (nullptr: a deleted
// row) in the row's own write transaction; entries that did not change are left alone.
template <class Row>
void reindex(store::WriteTxn& txn, const Row* before, const Row* after) {
    const auto old_keys = before ? index_keys(*before) : std::vector<std::string>{};
    const auto new_keys = after ? index_keys(*after) : std::vector<std::string>{};
    for (const auto& k : old_keys) {
        if (std::find(new_keys.begin(), new_keys.end(), k) == new_keys.end()) {
            txn.del(store::Table::Index, k);
        }
    }
    for (const auto& k : new_keys) {
        if (std::find(old_keys.begin(), old_keys.end(), k) == old_keys.end()) {
            txn.put(store::Table::Index, k, "");
        }
    }
}

// Writes `row` under `key` of `table` and moves its index entries from `before` (nullptr: new).
template <class Row>
void put_indexed(store::WriteTxn& txn, store::Table table, std::string_view key, const Row* before,
                 const Row& row) {
    txn.put(table, key, encode(row));
    reindex(txn, before, &row);
}

// Deletes `row`, stored under `key` of `table`, with its index entries.
template <class Row>
void del_indexed(store::WriteTxn& txn, store::Table table, std::string_view key, const Row& row) {
    txn.del(table, key);
    reindex<Row>(txn, &row, nullptr);
}

// Calls `f(key, value)` for every entry of `table` whose key starts with `prefix`, in key
// order, until `f` returns false.
template <class Txn, class F>
void walk_prefix(const Txn& txn, store::Table table, std::string_view prefix, F&& f) {
    store::Cursor c = txn.cursor(table);
    count_cursor_step(); // the seek, whether or not it lands in the prefix
    for (bool ok = prefix.empty() ? c.first() : c.seek(prefix); ok && c.key().starts_with(prefix);
         ok = c.next()) {
        if (!f(c.key(), c.value())) {
            return;
        }
        count_cursor_step();
    }
}

// The first key of `table` starting with `prefix`: one seek.
template <class Txn>
std::optional<std::string> first_key_with_prefix(const Txn& txn, store::Table table,
                                                 std::string_view prefix) {
    std::optional<std::string> out;
    walk_prefix(txn, table, prefix, [&](std::string_view key, std::string_view) {
        out.emplace(key);
        return false;
    });
    return out;
}

// How many keys of `table` start with `prefix` (walks only those).
template <class Txn>
std::size_t count_with_prefix(const Txn& txn, store::Table table, std::string_view prefix) {
    std::size_t n = 0;
    walk_prefix(txn, table, prefix, [&](std::string_view, std::string_view) {
        ++n;
        return true;
    });
    return n;
}

} // namespace sb::prov
