#include "http_framing.hpp"

#include <strings.h>

#include <charconv>

namespace sb::prov {

namespace {

constexpr std::string_view crlf = "\r\n";

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

bool contains_token(std::string_view value, std::string_view token) noexcept {
    for (std::size_t i = 0; i + token.size() <= value.size(); ++i) {
        if (iequals(value.substr(i, token.size()), token)) {
            return true;
        }
    }
    return false;
}

struct Headers {
    bool chunked = false;
    bool has_length = false;
    std::uint64_t content_length = 0;
    bool expect_continue = false;
    bool malformed = false;
};

Headers parse_headers(std::string_view block) noexcept {
    Headers h;
    block.remove_prefix(std::min(block.size(), block.find(crlf) + crlf.size())); // request line
    while (!block.empty()) {
        const auto end = block.find(crlf);
        const auto line = block.substr(0, end);
        block.remove_prefix(end == std::string_view::npos ? block.size() : end + crlf.size());
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            continue;
        }
        const auto name = trim(line.substr(0, colon));
        const auto value = trim(line.substr(colon + 1));
        if (iequals(name, "Content-Length")) {
            std::uint64_t n = 0;
            const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
            if (ec != std::errc{} || ptr != value.data() + value.size() ||
                (h.has_length && n != h.content_length)) {
                h.malformed = true;
            }
            h.has_length = true;
            h.content_length = n;
        } else if (iequals(name, "Transfer-Encoding")) {
            h.chunked = contains_token(value, "chunked");
        } else if (iequals(name, "Expect")) {
            h.expect_continue = iequals(value, "100-continue");
        }
    }
    return h;
}

// The end of a chunked body starting at `body` (RFC 9112 §7.1), or Incomplete/limits.
Framing chunked_end(std::string_view received, std::size_t body,
                    const FramingLimits& limits) noexcept {
    Framing f;
    std::size_t at = body;
    std::uint64_t total = 0;
    for (;;) {
        const auto line_end = received.find(crlf, at);
        if (line_end == std::string_view::npos) {
            if (received.size() - at > 1024) {
                f.state = Framing::State::Malformed; // a chunk-size line this long is not one
            }
            return f;
        }
        auto size_text = received.substr(at, line_end - at);
        size_text = size_text.substr(0, size_text.find(';')); // chunk extensions
        std::uint64_t size = 0;
        const auto [ptr, ec] =
            std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
        if (ec != std::errc{} || size_text.empty()) {
            f.state = Framing::State::Malformed;
            return f;
        }
        (void)ptr;
        total += size;
        if (total > limits.max_body_bytes) {
            f.state = Framing::State::BodyTooLarge;
            return f;
        }
        at = line_end + crlf.size();
        if (size == 0) {
            // Trailer fields, then an empty line.
            for (;;) {
                const auto end = received.find(crlf, at);
                if (end == std::string_view::npos) {
                    return f;
                }
                const bool empty = end == at;
                at = end + crlf.size();
                if (empty) {
                    f.state = Framing::State::Complete;
                    f.length = at;
                    return f;
                }
            }
        }
        if (received.size() < at + size + crlf.size()) {
            return f;
        }
        at += size + crlf.size();
    }
}

} // namespace

Framing frame_request(std::string_view received, const FramingLimits& limits) noexcept {
    Framing f;
    // Empty lines before a request line are ignored (RFC 9112 §2.2).
    std::size_t start = 0;
    while (received.substr(start, 2) == crlf) {
        start += 2;
    }
    const auto header_end = received.find("\r\n\r\n", start);
    if (header_end == std::string_view::npos) {
        if (received.size() > limits.max_header_bytes) {
            f.state = Framing::State::HeaderTooLarge;
        }
        return f;
    }
    if (header_end > limits.max_header_bytes) {
        f.state = Framing::State::HeaderTooLarge;
        return f;
    }
    const std::size_t body = header_end + 4;
    const Headers h = parse_headers(received.substr(start, header_end - start));
    if (h.malformed || (h.chunked && h.has_length)) {
        f.state = Framing::State::Malformed;
        return f;
    }
    if (h.chunked) {
        f = chunked_end(received, body, limits);
    } else if (h.content_length > limits.max_body_bytes) {
        f.state = Framing::State::BodyTooLarge;
    } else if (received.size() - body >= h.content_length) {
        f.state = Framing::State::Complete;
        f.length = body + h.content_length;
    }
    f.expect_continue = f.state == Framing::State::Incomplete && h.expect_continue;
    return f;
}

} // namespace sb::prov
