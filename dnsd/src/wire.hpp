// Names on the wire for every message we compose (answers, transfers, NOTIFY): validation
// of stored names, compression (RFC 1035 §4.1.4) and rdata with compressible names.
#pragma once

#include "buffer.hpp"
#include "zones/zones.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sb::dnsd {

// Length of the uncompressed, well-formed wire name at p[0..avail), or 0.
inline std::size_t wire_name_length(const std::uint8_t* p, std::size_t avail) noexcept {
    std::size_t pos = 0;
    for (;;) {
        if (pos >= avail) {
            return 0;
        }
        const std::uint8_t len = p[pos];
        if (len == 0) {
            return pos + 1;
        }
        if (len > 63 || pos + 1 + len + 1 > 255) {
            return 0;
        }
        pos += 1 + std::size_t{len};
    }
}

inline std::uint8_t lower(std::uint8_t c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<std::uint8_t>(c + ('a' - 'A')) : c;
}

// Name compression (RFC 1035 §4.1.4): the offsets of every label written so far; a name is
// written as its labels up to the longest suffix already in the packet, then a pointer.
class Compressor {
public:
    // Records each label of the uncompressed name at `offset` of the packet.
    void add_name(const std::uint8_t* packet, std::size_t offset) noexcept {
        while (packet[offset] != 0 && (packet[offset] & 0xC0) == 0) {
            add(offset);
            offset += 1 + std::size_t{packet[offset]};
        }
    }

    void forget_from(std::size_t mark) noexcept {
        while (n_ > 0 && offs_[n_ - 1] >= mark) {
            --n_;
        }
    }

    // Writes the uncompressed, valid wire name `name` (length `len`) compressed.
    void write(Writer& w, const std::uint8_t* name, std::size_t len) noexcept {
        std::size_t pos = 0;
        while (pos < len && name[pos] != 0) {
            for (std::size_t i = 0; i < n_; ++i) {
                if (same(w.data(), w.position(), name + pos, offs_[i])) {
                    write_labels(w, name, pos);
                    w.u16(static_cast<std::uint16_t>(0xC000 | offs_[i]));
                    return;
                }
            }
            pos += 1 + std::size_t{name[pos]};
        }
        write_labels(w, name, pos);
        w.u8(0);
    }

private:
    static constexpr std::size_t capacity = 256;

    void add(std::size_t offset) noexcept {
        if (n_ < capacity && offset < 0x4000) {
            offs_[n_++] = static_cast<std::uint16_t>(offset);
        }
    }

    void write_labels(Writer& w, const std::uint8_t* name, std::size_t end) noexcept {
        for (std::size_t pos = 0; pos < end; pos += 1 + std::size_t{name[pos]}) {
            if (w.ok()) {
                add(w.position());
            }
            w.bytes(name + pos, 1 + std::size_t{name[pos]});
        }
    }

    // Does the packet name at `off` (labels, maybe ending in a pointer) equal `name`?
    static bool same(const std::uint8_t* packet, std::size_t written, const std::uint8_t* name,
                     std::size_t off) noexcept {
        std::size_t pos = 0;
        for (int hops = 0; hops < 128; ++hops) {
            if (off >= written) {
                return false;
            }
            std::uint8_t len = packet[off];
            if ((len & 0xC0) == 0xC0) {
                if (off + 1 >= written) {
                    return false;
                }
                const std::size_t to = (std::size_t{len & 0x3Fu} << 8) | packet[off + 1];
                if (to >= off) {
                    return false;
                }
                off = to;
                continue;
            }
            if (len != name[pos]) {
                return false;
            }
            if (len == 0) {
                return true;
            }
            if (off + 1 + len > written) {
                return false;
            }
            for (std::size_t i = 1; i <= len; ++i) {
                if (lower(packet[off + i]) != lower(name[pos + i])) {
                    return false;
                }
            }
            off += 1 + std::size_t{len};
            pos += 1 + std::size_t{len};
        }
        return false;
    }

    std::uint16_t offs_[capacity] = {};
    std::size_t n_ = 0;
};

inline const std::uint8_t* bytes_of(std::string_view s) noexcept {
    return reinterpret_cast<const std::uint8_t*>(s.data());
}

// The rdata of one RR, names compressed where RFC 3597 §4 allows it (the RFC 1035 types, as
// zones::TypeInfo::compress lays them out); any other rdata is written as stored. False when
// the stored rdata does not match its type's layout.
inline bool write_rdata(Writer& w, Compressor& c, const zones::TypeInfo* info,
                        std::string_view rdata) noexcept {
    const std::uint8_t* p = bytes_of(rdata);
    const std::size_t n = rdata.size();
    if (info == nullptr || info->compress[0] == 0) {
        w.bytes(p, n);
        return true;
    }
    std::size_t pos = 0;
    for (const std::int8_t field : info->compress) {
        if (field == 0) {
            break;
        }
        if (field == zones::TypeInfo::name_field) {
            const std::size_t len = wire_name_length(p + pos, n - pos);
            if (len == 0) {
                return false;
            }
            c.write(w, p + pos, len);
            pos += len;
        } else {
            const auto fixed = static_cast<std::size_t>(field);
            if (n - pos < fixed) {
                return false;
            }
            w.bytes(p + pos, fixed);
            pos += fixed;
        }
    }
    return pos == n;
}

} // namespace sb::dnsd
