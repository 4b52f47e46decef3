// The byte codecs every row format is written with: big-endian integers, varints, the
// Reader and Writer of store.hpp.
#include "store/store.hpp"

#include <cstring>

namespace sb::store {

void put_u16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
}

void put_u32(std::string& out, std::uint32_t v) {
    put_u16(out, static_cast<std::uint16_t>(v >> 16));
    put_u16(out, static_cast<std::uint16_t>(v));
}

void put_u64(std::string& out, std::uint64_t v) {
    put_u32(out, static_cast<std::uint32_t>(v >> 32));
    put_u32(out, static_cast<std::uint32_t>(v));
}

std::uint16_t get_u16(std::string_view in, std::size_t pos) noexcept {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(in[pos]) << 8) |
                                      static_cast<unsigned char>(in[pos + 1]));
}

std::uint32_t get_u32(std::string_view in, std::size_t pos) noexcept {
    return (std::uint32_t{get_u16(in, pos)} << 16) | get_u16(in, pos + 2);
}

std::uint64_t get_u64(std::string_view in, std::size_t pos) noexcept {
    return (std::uint64_t{get_u32(in, pos)} << 32) | get_u32(in, pos + 4);
}

std::string u64_key(std::uint64_t v) {
    std::string s;
    put_u64(s, v);
    return s;
}

std::string_view Reader::take(std::size_t n) {
    if (data_.size() - pos_ < n) {
        throw Error::corrupted("truncated value in store");
    }
    auto s = data_.substr(pos_, n);
    pos_ += n;
    return s;
}

std::uint8_t Reader::u8() {
    return static_cast<std::uint8_t>(take(1)[0]);
}

std::uint16_t Reader::u16() {
    return get_u16(take(2), 0);
}

std::uint32_t Reader::u32() {
    return get_u32(take(4), 0);
}

std::uint64_t Reader::u64() {
    return get_u64(take(8), 0);
}

double Reader::f64() {
    const std::uint64_t bits = u64();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

std::string_view Reader::str() {
    return take(u32());
}

std::uint64_t Reader::varint() {
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 64; shift += 7) {
        const std::uint8_t b = u8();
        v |= std::uint64_t{b & 0x7fu} << shift;
        if ((b & 0x80u) == 0) {
            return v;
        }
    }
    throw Error::corrupted("varint longer than 10 bytes in store");
}

std::string_view Reader::vstr() {
    return take(varint());
}

void Writer::varint(std::uint64_t v) {
    while (v >= 0x80) {
        out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
}

void Writer::vstr(std::string_view s) {
    varint(s.size());
    out_.append(s);
}

void Writer::f64(double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    u64(bits);
}

void Writer::str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    out_.append(s);
}

} // namespace sb::store
