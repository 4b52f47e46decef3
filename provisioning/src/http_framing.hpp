// Where one HTTP/1.x request ends in the bytes a connection received, so that the front
// hands gSOAP whole requests only: the header block, then a Content-Length body or a chunked
// one (RFC 9112 §6.3, §7.1). Checked against the size limits before anything is buffered
// further.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sb::prov {

struct FramingLimits {
    std::size_t max_header_bytes = 64u << 10;
    std::size_t max_body_bytes = 8u << 20;
};

struct Framing {
    enum class State : std::uint8_t {
        Incomplete,     // more bytes needed
        Complete,       // the request is the first `length` bytes
        HeaderTooLarge, // 431
        BodyTooLarge,   // 413
        Malformed,      // 400
    };
    State state = State::Incomplete;
    std::size_t length = 0;       // Complete: bytes of the whole request
    bool expect_continue = false; // headers seen, body awaited, client sent Expect: 100-continue
};

// Looks at the start of `received` (bytes of one connection, possibly more than a request).
Framing frame_request(std::string_view received, const FramingLimits& limits) noexcept;

} // namespace sb::prov
