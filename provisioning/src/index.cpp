// The cursor step counter of index.hpp (a test hook: services.hpp cursor_steps()).
#include "index.hpp"

#include "provisioning/services.hpp"

namespace sb::prov {

namespace {

thread_local std::uint64_t steps = 0;

} // namespace

void count_cursor_step() noexcept {
    ++steps;
}

std::uint64_t cursor_steps() noexcept {
    return steps;
}

} // namespace sb::prov
