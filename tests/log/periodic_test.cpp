// log::Periodic: a step that says more work is left runs again at once, one that does not waits
// for the pause or a wake(); an exception out of a step is logged and the thread goes on; the
// destructor stops and joins.
#include "log/periodic.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using namespace sb;
using namespace std::chrono_literals;

namespace {

template <class F>
bool eventually(F done) {
    for (int i = 0; i < 500; ++i) {
        if (done()) {
            return true;
        }
        std::this_thread::sleep_for(10ms);
    }
    return done();
}

} // namespace

TEST_CASE("periodic: more work runs at once, else after the pause or a wake", "[log]") {
    std::atomic<int> steps{0};
    std::atomic<int> busy{5}; // steps that report more work
    {
        log::Periodic p("test", 1h, [&] {
            ++steps;
            return --busy > 0;
        });
        CHECK(eventually([&] { return steps == 5; }));
        std::this_thread::sleep_for(50ms);
        CHECK(steps == 5); // waiting for the pause (an hour)
        p.wake();
        CHECK(eventually([&] { return steps == 6; }));
    } // stops without waiting for the hour
    CHECK(steps == 6);
}

TEST_CASE("periodic: a step that throws is logged and the thread goes on", "[log]") {
    std::atomic<int> steps{0};
    log::Periodic p("test", 10ms, [&]() -> bool {
        if (++steps == 1) {
            throw std::runtime_error("first step fails");
        }
        return false;
    });
    CHECK(eventually([&] { return steps >= 3; }));
}
