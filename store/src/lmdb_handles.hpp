// What store.cpp and compact.cpp share of LMDB: the handle conversions and the error check.
#pragma once

#include "store/store.hpp"

#include <lmdb.h>

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

} // namespace sb::store
