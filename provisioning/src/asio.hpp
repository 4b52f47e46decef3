// Boost.Asio for the SOAP front, always through this header: with GCC 12 in C++20 mode Asio
// 1.74's awaitable.hpp uses std::exchange without including <utility>.
#pragma once

// clang-format off
#include <utility>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
// clang-format on
