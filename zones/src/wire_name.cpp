// zones::wire_to_key and labels_to_key: the question name in wire form → its store key
// (zones.hpp).
#include "zones/zones.hpp"

#include <cstring>

namespace sb::zones {

namespace {

constexpr std::uint64_t ones = 0x0101010101010101ULL;
constexpr std::uint64_t highs = 0x8080808080808080ULL;

// Eight bytes at once: 'A'..'Z' lowercased, and in `nul` a high bit for each zero byte. A label
// length byte (1..63) is below 'A' and never zero, so a whole wire name goes through as it is.
std::uint64_t lower8(std::uint64_t w, std::uint64_t& nul) noexcept {
    const std::uint64_t low7 = w & ~highs;
    const std::uint64_t from_a = low7 + (0x80 - 'A') * ones;     // high bit: low7 ≥ 'A'
    const std::uint64_t past_z = low7 + (0x80 - 'Z' - 1) * ones; // high bit: low7 > 'Z'
    const std::uint64_t upper = (from_a ^ past_z) & ~w & highs;  // 'A'..'Z', not 0x80 and up
    nul |= ~((low7 + ~highs) | w) & highs;                       // exactly the zero bytes
    return w | (upper >> 2);                                     // 0x80 >> 2 == 'a' - 'A'
}

} // namespace

bool labels_to_key(const std::uint8_t* wire, std::size_t wire_len, const std::uint8_t* starts,
                   unsigned count, std::uint8_t* key) noexcept {
    // The name lowercased first, eight bytes at a time (its root byte left out: the only zero
    // byte a name may hold). A NUL inside a label cannot be told apart from the key's label
    // separator, and no stored name holds one (canonical_name refuses it): such a name is
    // reported unusable.
    std::uint8_t lowered[256 + 8]; // the last word may run past the name
    std::uint64_t nul = 0;
    const std::size_t n = wire_len - 1;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, wire + i, 8);
        w = lower8(w, nul);
        std::memcpy(lowered + i, &w, 8);
    }
    if (i < n) {
        std::uint64_t w = ~std::uint64_t{0}; // bytes past the name: 0xFF, neither zero nor upper
        std::memcpy(&w, wire + i, n - i);
        w = lower8(w, nul);
        std::memcpy(lowered + i, &w, 8);
    }
    if (nul != 0) {
        return false;
    }
    // Then the labels root first, each followed by the '\0' that ends it in the key, eight bytes
    // a copy: what a copy writes past its label the next one overwrites, and `built` has room
    // for what the last one writes past the name.
    std::uint8_t built[256 + 8];
    std::size_t out = 0;
    for (unsigned l = count; l-- > 0;) {
        const std::uint8_t* label = lowered + starts[l] + 1;
        const std::size_t len = label[-1];
        std::memcpy(built + out, label, 8); // most labels (every ENUM digit) take one
        for (std::size_t j = 8; j < len; j += 8) {
            std::memcpy(built + out + j, label + j, 8);
        }
        out += len;
        built[out++] = 0;
    }
    std::memcpy(key, built, out); // out == wire_len - 1
    return true;
}

std::size_t wire_to_key(const std::uint8_t* wire, std::size_t avail, std::uint8_t* key,
                        std::size_t& key_len, unsigned& labels) noexcept {
    // Labels arrive leaf-first and the key wants them root-first: first find where each label
    // starts (at most 127 labels fit in 255 bytes), then copy them in reverse.
    constexpr std::size_t max_wire = 255;
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
        if (pos + 1 + len + 1 > max_wire) {
            return 0; // the name with its root byte would exceed 255 bytes
        }
        starts[count++] = static_cast<std::uint8_t>(pos);
        pos += 1 + std::size_t{len};
    }
    const std::size_t wire_len = pos + 1;
    if (!labels_to_key(wire, wire_len, starts, count, key)) {
        return 0;
    }
    // wire_len - 1 ≤ 254 < max_key_len.
    key_len = wire_len - 1;
    labels = count;
    return wire_len;
}

} // namespace sb::zones
