// What every libFuzzer target starts from: an empty store in a fresh temp dir, removed when
// the process ends; not durable (no fsync per commit: no input is worth keeping), with a
// 1 GiB map so that no input runs it full by accident.
#pragma once

#include "store/store.hpp"
#include "temp_dir.hpp"

#include <cstddef>

namespace sb::test {

struct FuzzStore {
    TempDir dir;
    store::Env env{dir.path(), options()};

    static store::Options options() {
        store::Options o;
        o.durable = false;
        o.map_size = std::size_t{1} << 30;
        return o;
    }
};

} // namespace sb::test
