// Names on the wire for every message we compose (answers, transfers, NOTIFY): validation
// of stored names, compression (RFC 1035 §4.1.4) and rdata with compressible names.
#pragma once

#include "buffer.hpp"
#include "zones/zones.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
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

// Name compression (RFC 1035 §4.1.4): the offsets of every label written so far, each with its
// depth (the labels from it to the root, itself included); a name is written as its labels up
// to the longest suffix already in the packet, then a pointer. A suffix of d labels can only
// equal a packet name of depth d, so each recorded offset is compared once, with the suffix of
// its depth, not with every suffix of the name.
class Compressor {
public:
    // Forgets every name: the compressor of a new message.
    void clear() noexcept {
        n_ = 0;
        first_labels_ = 0;
        pending_ = nullptr;
    }

    // Records each label of the name at `offset` of the packet. The first name recorded, when
    // it has no pointer (the question), is also kept whole: see write(). Its labels join the
    // table only when a later name could point into them (materialize): one that ends in the
    // same top-level label. The owners of an ENUM number's NAPTRs (the question itself) and the
    // SOA names of a negative answer from e164.arpa (ns1.example.net.) never walk them.
    void add_name(const std::uint8_t* packet, std::size_t offset) noexcept {
        const bool first = n_ == 0 && pending_ == nullptr;
        if (first && keep_whole(packet, offset)) {
            return;
        }
        materialize();
        const std::size_t labels = depth_at(packet, offset);
        for (std::size_t depth = labels;
             packet[offset] != 0 && (packet[offset] & 0xC0) == 0 && depth > 0; --depth) {
            add(offset, depth);
            offset += 1 + std::size_t{packet[offset]};
        }
    }

    // add_name for the question at `offset`, whose `len` bytes and `labels` labels (the last at
    // `top`) the parser counted (plain labels to the root): no walk of its labels at all.
    void add_question(const std::uint8_t* packet, std::size_t offset, std::size_t len,
                      std::size_t labels, std::size_t top) noexcept {
        if (!keep_whole(packet, offset, len, labels, top)) {
            add_name(packet, offset);
        }
    }

    void forget_from(std::size_t mark) noexcept {
        if (first_labels_ > 0 && std::size_t{first_at_} + first_len_ > mark) {
            materialize(); // its labels before the mark stay in the table
            first_labels_ = 0;
        }
        while (n_ > 0 && offs_[n_ - 1] >= mark) {
            --n_;
        }
    }

    // Writes the uncompressed, valid wire name `name` (length `len`) compressed.
    void write(Writer& w, const std::uint8_t* name, std::size_t len) noexcept {
        // The question's name or a suffix of it (the answer's owner, the zone apex of a SOA in
        // AUTHORITY), byte for byte: a pointer to the question's label where a suffix of `len`
        // bytes would start, found from the lengths, without counting or comparing labels. The
        // root is no label: a name of one byte is written as it is.
        if (first_labels_ > 0 && len > 1 && len <= first_len_) {
            const std::size_t at = std::size_t{first_at_} + first_len_ - len;
            std::size_t pos = first_at_;
            while (pos < at) {
                pos += 1 + std::size_t{w.data()[pos]};
            }
            if (pos == at && std::memcmp(w.data() + at, name, len) == 0) {
                w.u16(static_cast<std::uint16_t>(0xC000 | at));
                return;
            }
        }
        std::uint8_t starts[max_labels];
        std::size_t labels = 0;
        std::size_t pos = 0;
        while (pos < len && name[pos] != 0 && labels < max_labels) {
            starts[labels++] = static_cast<std::uint8_t>(pos);
            pos += 1 + std::size_t{name[pos]};
        }
        // Only a name that ends in the question's top-level label can point into the question.
        // Every name recorded before the question's labels join the table ends in another one,
        // so none of them ties with a question label they are then recorded after.
        if (pending_ != nullptr && labels > 0 &&
            same_label(pending_ + first_top_, name + starts[labels - 1])) {
            materialize();
        }
        // The longest suffix wins; among equals, the name recorded first.
        std::size_t best = labels;
        std::size_t best_at = 0;
        for (std::size_t i = 0; i < n_ && best > 0; ++i) {
            const std::size_t depth = depth_[i];
            if (depth > labels || labels - depth >= best) {
                continue;
            }
            const std::size_t k = labels - depth;
            if (same(w.data(), w.position(), name + starts[k], offs_[i])) {
                best = k;
                best_at = i;
            }
        }
        if (best < labels) {
            write_labels(w, name, best, depth_[best_at]);
            w.u16(static_cast<std::uint16_t>(0xC000 | offs_[best_at]));
        } else {
            write_labels(w, name, labels, 0);
            w.u8(0);
        }
    }

private:
    static constexpr std::size_t capacity = 256;
    static constexpr std::size_t max_labels = 128; // 127 labels fit in 255 bytes

    // The first name, when it is plain labels to the root that fit 255 bytes and a pointer:
    // kept whole, its labels pending. False (nothing kept) otherwise.
    bool keep_whole(const std::uint8_t* packet, std::size_t offset) noexcept {
        std::size_t pos = offset;
        std::size_t labels = 0;
        std::size_t top = offset;
        while (packet[pos] != 0) {
            if (packet[pos] > 63 || pos - offset > 255) {
                return false; // a pointer, a reserved label type, or too long
            }
            ++labels;
            top = pos;
            pos += 1 + std::size_t{packet[pos]};
        }
        return keep_whole(packet, offset, pos - offset + 1, labels, top);
    }

    bool keep_whole(const std::uint8_t* packet, std::size_t offset, std::size_t len,
                    std::size_t labels, std::size_t top) noexcept {
        if (n_ != 0 || pending_ != nullptr || labels == 0 || labels >= max_labels || len > 255 ||
            offset + 255 >= 0x4000) {
            return false;
        }
        pending_ = packet;
        first_at_ = static_cast<std::uint16_t>(offset);
        first_len_ = static_cast<std::uint16_t>(len);
        first_labels_ = static_cast<std::uint8_t>(labels);
        first_top_ = static_cast<std::uint16_t>(top);
        return true;
    }

    // Two labels (length byte first), compared as DNS compares them.
    static bool same_label(const std::uint8_t* a, const std::uint8_t* b) noexcept {
        if (a[0] != b[0]) {
            return false;
        }
        for (std::size_t i = 1; i <= a[0]; ++i) {
            if (lower(a[i]) != lower(b[i])) {
                return false;
            }
        }
        return true;
    }

    // Adds the kept question's labels to the table, ahead of any other (the order write()
    // breaks ties by).
    void materialize() noexcept {
        if (pending_ == nullptr) {
            return;
        }
        std::size_t offset = first_at_;
        for (std::size_t depth = first_labels_; depth > 0; --depth) {
            add(offset, depth);
            offset += 1 + std::size_t{pending_[offset]};
        }
        pending_ = nullptr;
    }

    void add(std::size_t offset, std::size_t depth) noexcept {
        if (n_ < capacity && offset < 0x4000) {
            offs_[n_] = static_cast<std::uint16_t>(offset);
            depth_[n_++] = static_cast<std::uint8_t>(depth);
        }
    }

    // Writes the first `count` labels of `name`, which the `tail` labels of a pointer or
    // none (the root) follow.
    void write_labels(Writer& w, const std::uint8_t* name, std::size_t count,
                      std::size_t tail) noexcept {
        std::size_t pos = 0;
        for (std::size_t j = 0; j < count; ++j) {
            if (w.ok()) {
                add(w.position(), count - j + tail);
            }
            w.bytes(name + pos, 1 + std::size_t{name[pos]});
            pos += 1 + std::size_t{name[pos]};
        }
    }

    // The labels of the packet name at `off` to the root, following its pointer; 0 when the
    // name is not well formed (its labels are then never offered for compression).
    static std::size_t depth_at(const std::uint8_t* packet, std::size_t off) noexcept {
        std::size_t depth = 0;
        for (int steps = 0; steps < 256; ++steps) { // labels and pointers
            const std::uint8_t len = packet[off];
            if ((len & 0xC0) == 0xC0) {
                const std::size_t to = (std::size_t{len & 0x3Fu} << 8) | packet[off + 1];
                if (to >= off) {
                    return 0;
                }
                off = to;
                continue;
            }
            if (len == 0) {
                return depth < max_labels ? depth : 0;
            }
            if (len > 63) {
                return 0;
            }
            ++depth;
            off += 1 + std::size_t{len};
        }
        return 0;
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

    // Only the first n_ entries are ever read: a message's compressor starts without
    // clearing the arrays.
    std::uint16_t offs_[capacity];
    std::uint8_t depth_[capacity];
    std::size_t n_ = 0;
    // The first name recorded, when whole (the question): its labels are offs_[0, first_labels_)
    // once materialized, pending until then.
    const std::uint8_t* pending_ = nullptr; // the packet of its pending labels
    std::uint16_t first_at_ = 0;            // its offset
    std::uint16_t first_len_ = 0;           // its length
    std::uint16_t first_top_ = 0;           // the offset of its last (top-level) label
    std::uint8_t first_labels_ = 0;         // its labels; 0 when there is none
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
