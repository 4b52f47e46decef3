// A streaming check of XML nesting depth over the bytes gSOAP receives (server.cpp installs it
// as gSOAP's fprepareinitrecv/fpreparerecv hooks): gSOAP skips the content of unknown elements
// without counting their depth, so the limit is enforced here, before any parsing.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sb::prov {

// Counts open elements across chunks: start tags raise the depth, end tags and empty-element
// tags lower it; comments, processing instructions, declarations and CDATA are skipped.
class XmlDepth {
public:
    void reset() noexcept { *this = XmlDepth{}; }

    // False once the depth exceeded `max`.
    bool feed(const char* data, std::size_t n, unsigned max) noexcept;

private:
    enum class State : std::uint8_t { Text, Open, Name, Tag, TagQuote, Special, EndTag };
    enum class Special : std::uint8_t { Undecided, Comment, CData, Other };
    State state_ = State::Text;
    Special special_ = Special::Other;
    unsigned special_len_ = 0; // characters of the special markup seen after '<'
    char quote_ = 0;
    char prev_ = 0;
    char prev2_ = 0;
    unsigned depth_ = 0;
};

} // namespace sb::prov
