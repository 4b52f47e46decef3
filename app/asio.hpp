// Asio and Beast for app/, through one include: with GCC 12 in C++20 mode Asio 1.74's
// awaitable.hpp uses std::exchange without including <utility> (STYLE.md, toolchain facts).
#pragma once

// clang-format off
#include <utility>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on
