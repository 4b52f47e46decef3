// The example zone of fixture.hpp in a temp store, with a read snapshot, its DnsNodes cursor
// and the zone index synced to it: what a DNS worker holds for one batch.
#pragma once

#include "answer.hpp"
#include "fixture.hpp"
#include "temp_dir.hpp"
#include "zones/zone_index.hpp"

#include <stdexcept>

namespace sb::test {

struct ExampleStore {
    TempDir dir;
    store::Env env{dir.path()};
    store::ReadTxn txn{(build_example_zone(env), env)};
    store::Cursor cursor = txn.cursor(store::Table::DnsNodes);
    store::Cursor chain = txn.cursor(store::Table::DnssecChain);
    zones::ZoneIndex index;

    ExampleStore() { renew(); }

    // A new snapshot, after a commit.
    void renew() {
        txn.reset();
        txn.renew();
        cursor.renew(txn);
        chain.renew(txn);
        if (!index.sync(txn)) {
            throw std::runtime_error("the zone index cannot be built");
        }
    }

    dnsd::Snapshot snapshot() { return {txn, cursor, index, &chain}; }
};

} // namespace sb::test
