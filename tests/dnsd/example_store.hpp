// The example zone of fixture.hpp as a DNS worker holds it for one batch: the store, snapshot,
// cursor and zone index of tests/support/example_zone.hpp, and the dnsd::Snapshot over them.
#pragma once

#include "answer.hpp"
#include "example_zone.hpp"

namespace sb::test {

struct ExampleStore : ExampleZone {
    dnsd::Snapshot snapshot() { return {txn, cursor, index, &chain}; }
};

} // namespace sb::test
