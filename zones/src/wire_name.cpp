// zones::wire_to_key: the question name in wire form → its store key (zones.hpp).
#include "zones/zones.hpp"

namespace sb::zones {

std::size_t wire_to_key(const std::uint8_t* wire, std::size_t avail, std::uint8_t* key,
                        std::size_t& key_len, unsigned& labels) noexcept {
    // Labels arrive leaf-first and the key wants them root-first: first find where each label
    // starts (at most 127 labels fit in 255 bytes), then copy them in reverse.
    constexpr std::size_t max_wire = 255;
    constexpr std::size_t max_labels = 128;
    std::uint8_t starts[max_labels];
    unsigned count = 0;
    std::size_t pos = 0;
    for (;;) {
        if (pos >= avail) {
            return 0; // truncated
        }
        const std::uint8_t len = wire[pos];
        if (len == 0) {
            break;
        }
        if (len > 63) {
            return 0; // compression pointer (0xC0) or the reserved label types
        }
        if (pos + 1 + len + 1 > max_wire || count == max_labels) {
            return 0; // the name with its root byte would exceed 255 bytes
        }
        starts[count++] = static_cast<std::uint8_t>(pos);
        pos += 1 + std::size_t{len};
    }
    const std::size_t wire_len = pos + 1;

    std::size_t out = 0;
    for (unsigned i = count; i-- > 0;) {
        const std::size_t start = starts[i];
        const std::uint8_t len = wire[start];
        for (std::size_t j = 1; j <= len; ++j) {
            std::uint8_t c = wire[start + j];
            if (c == 0) {
                // A NUL inside a label cannot be told apart from the key's label separator, and
                // no stored name holds one (canonical_name refuses it): report it as unusable.
                return 0;
            }
            if (c >= 'A' && c <= 'Z') {
                c = static_cast<std::uint8_t>(c + ('a' - 'A'));
            }
            key[out++] = c;
        }
        key[out++] = 0;
    }
    // out == wire_len - 1 ≤ 254 < max_key_len.
    key_len = out;
    labels = count;
    return wire_len;
}

} // namespace sb::zones
