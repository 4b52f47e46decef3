// The fault code a service call refuses with, for the provisioning service tests.
#pragma once

#include "provisioning/errors.hpp"

#include <catch2/catch.hpp>

#include <functional>

namespace sb::test {

// The ApiError code `f` throws; fails the test when it throws none.
inline prov::ErrorCode code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const prov::ApiError& e) {
        return e.code();
    }
    FAIL("no ApiError thrown");
    return prov::ErrorCode::Internal;
}

} // namespace sb::test
