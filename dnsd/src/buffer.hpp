// Bounded reader and writer over a packet (NSD buffer.h style). Every read checks the bytes
// are there; every write checks the limit and, when it does not fit, marks the writer failed
// until rollback() — so a caller writes a whole RRset, then checks ok() once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace sb::dnsd {

class Reader {
public:
    explicit Reader(std::span<const std::uint8_t> data) noexcept
        : data_(data) {}

    std::size_t position() const noexcept { return pos_; }

    std::size_t remaining() const noexcept { return data_.size() - pos_; }

    const std::uint8_t* here() const noexcept { return data_.data() + pos_; }

    bool skip(std::size_t n) noexcept {
        if (remaining() < n) {
            return false;
        }
        pos_ += n;
        return true;
    }

    bool u8(std::uint8_t& v) noexcept {
        if (remaining() < 1) {
            return false;
        }
        v = data_[pos_++];
        return true;
    }

    bool u16(std::uint16_t& v) noexcept {
        if (remaining() < 2) {
            return false;
        }
        v = static_cast<std::uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
        pos_ += 2;
        return true;
    }

    bool u32(std::uint32_t& v) noexcept {
        std::uint16_t hi = 0, lo = 0;
        if (remaining() < 4 || !u16(hi) || !u16(lo)) {
            return false;
        }
        v = (std::uint32_t{hi} << 16) | lo;
        return true;
    }

    // Skips a name that may end in a compression pointer (records other than the question).
    bool skip_name() noexcept {
        for (std::size_t total = 0;;) {
            std::uint8_t len = 0;
            if (!u8(len)) {
                return false;
            }
            if (len == 0) {
                return true;
            }
            if ((len & 0xC0) == 0xC0) {
                return skip(1); // the pointer's second byte ends the name
            }
            if (len > 63 || (total += len + 1) > 254 || !skip(len)) {
                return false;
            }
        }
    }

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

class Writer {
public:
    // Writes into `buf`, never past `limit` (≤ buf.size()).
    Writer(std::span<std::uint8_t> buf, std::size_t limit) noexcept
        : buf_(buf)
        , limit_(limit < buf.size() ? limit : buf.size()) {}

    bool ok() const noexcept { return ok_; }

    std::size_t position() const noexcept { return pos_; }

    // The bytes written so far (for compression, which reads earlier names back).
    const std::uint8_t* data() const noexcept { return buf_.data(); }

    std::size_t limit() const noexcept { return limit_; }

    void set_limit(std::size_t limit) noexcept {
        limit_ = limit < buf_.size() ? limit : buf_.size();
    }

    std::size_t mark() const noexcept { return pos_; }

    // Forgets everything written since `mark` and clears the failure.
    void rollback(std::size_t mark) noexcept {
        pos_ = mark;
        ok_ = true;
    }

    void bytes(const void* data, std::size_t n) noexcept {
        if (!ok_ || limit_ - pos_ < n) {
            ok_ = false;
            return;
        }
        std::memcpy(buf_.data() + pos_, data, n);
        pos_ += n;
    }

    void u8(std::uint8_t v) noexcept { bytes(&v, 1); }

    void u16(std::uint16_t v) noexcept {
        const std::uint8_t b[2] = {static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
        bytes(b, 2);
    }

    void u32(std::uint32_t v) noexcept {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }

    // Overwrites two bytes already written (header counts and flags).
    void put_u16_at(std::size_t at, std::uint16_t v) noexcept {
        if (at + 2 <= pos_) {
            buf_[at] = static_cast<std::uint8_t>(v >> 8);
            buf_[at + 1] = static_cast<std::uint8_t>(v);
        }
    }

private:
    std::span<std::uint8_t> buf_;
    std::size_t limit_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

} // namespace sb::dnsd
