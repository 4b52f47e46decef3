// What store.cpp and compact.cpp share of LMDB: the handle conversions, the error check, and
// when the writer repacks a table by itself (Options::auto_repack).
#pragma once

#include "store/store.hpp"

#include <lmdb.h>

#include <cstdint>

namespace sb::store {

// The public headers name LMDB's handles by opaque types; these are the only conversions.
inline MDB_env* raw(EnvHandle* h) noexcept {
    return reinterpret_cast<MDB_env*>(h);
}

inline MDB_txn* raw(TxnHandle* h) noexcept {
    return reinterpret_cast<MDB_txn*>(h);
}

inline MDB_cursor* raw(CursorHandle* h) noexcept {
    return reinterpret_cast<MDB_cursor*>(h);
}

inline TxnHandle* opaque(MDB_txn* t) noexcept {
    return reinterpret_cast<TxnHandle*>(t);
}

inline void check(int rc, const char* what) {
    if (rc != MDB_SUCCESS) {
        throw Error(what, rc);
    }
}

// Least share of its leaf pages' bytes a table's entries take before tidy() repacks it: LMDB
// fills pages written in key order to ~95% (88% with entries of 260 bytes), random inserts to
// ~70%, inserts in key order in front of other keys to ~50%; a repack to ~100%. Below what a
// load in key order leaves, so that zone files imported one after another, each in front of
// some before it (76% at 1M numbers in 20 zones), are repacked (docs/decisions.md "Repacked
// across processes").
constexpr double repack_below_fill = 0.85;
// tidy() looks at a table only once it has this many leaf pages (1 MiB) and has grown by a
// quarter since it last looked: the walk and the repacks cost O(final size) over any load.
constexpr std::uint64_t repack_min_pages = 256;

// The bytes of a table's entries on its leaf pages (LMDB's node header, key, value or overflow
// page number, even-aligned, and the page's index slot) over the pages' room.
double table_fill(const ReadTxn& snapshot, MDB_env* env, Table t, std::uint64_t leaf_pages);

} // namespace sb::store
