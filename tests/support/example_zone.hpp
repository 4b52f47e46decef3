// The example zone of fixture.hpp in a temp store, with a read snapshot, its DnsNodes and
// DnssecChain cursors and the zone index synced to it: what zones::lookup needs (tests/zones) and
// what a DNS worker holds for one batch (tests/dnsd/example_store.hpp adds the dnsd::Snapshot).
// fixture.hpp is still in tests/dnsd: targets using this header put that folder on their
// include path.
#pragma once

#include "fixture.hpp"
#include "temp_dir.hpp"
#include "zones/zone_index.hpp"

#include <stdexcept>

namespace sb::test {

struct ExampleZone {
    TempDir dir;
    store::Env env{dir.path()};
    store::ReadTxn txn{(build_example_zone(env), env)};
    store::Cursor cursor = txn.cursor(store::Table::DnsNodes);
    store::Cursor chain = txn.cursor(store::Table::DnssecChain);
    zones::ZoneIndex index;

    ExampleZone() { renew(); }

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
};

} // namespace sb::test
