#include "zones/node.hpp"

#include <algorithm>

namespace sb::zones {

namespace {

constexpr std::uint32_t max16 = 0xffff;
constexpr std::uint32_t max32 = 0xffffffff;

// A varint of `s` at `pos` (LEB128, as store::Reader reads them) into `out`, pos past it: false
// when it runs past the end or is above `max`.
bool get(std::string_view s, std::size_t& pos, std::uint32_t max, std::uint32_t& out) noexcept {
    std::uint64_t v = 0;
    for (unsigned shift = 0; shift < 35 && pos < s.size(); shift += 7) {
        const auto byte = static_cast<unsigned char>(s[pos++]);
        v |= std::uint64_t{byte & 0x7fu} << shift;
        if ((byte & 0x80) == 0) {
            out = static_cast<std::uint32_t>(v);
            return v <= max;
        }
    }
    return false;
}

// Writes `v` as a varint at `out` (room for five bytes); returns the end.
char* put_varint(char* out, std::uint32_t v) noexcept {
    for (; v >= 0x80; v >>= 7) {
        *out++ = static_cast<char>((v & 0x7f) | 0x80);
    }
    *out++ = static_cast<char>(v);
    return out;
}

void put(std::string& out, std::uint32_t v) {
    char buf[5];
    out.append(buf, put_varint(buf, v));
}

constexpr std::size_t header_len = 2; // format, flags; then the varint rrset_count

// One RRset's header at `pos` (pos past it): its type, RR count and block length, the block
// within `value`. False when malformed.
bool rrset_header(std::string_view value, std::size_t& pos, std::uint32_t& type,
                  std::uint32_t& count, std::uint32_t& block) noexcept {
    return get(value, pos, max16, type) && get(value, pos, max16, count) &&
           get(value, pos, max16, block) && value.size() - pos >= block;
}

} // namespace

std::size_t put_rr_header(char* out, std::uint32_t ttl, std::uint16_t rdlength) noexcept {
    return static_cast<std::size_t>(put_varint(put_varint(out, ttl), rdlength) - out);
}

bool RrsetView::next_rr(std::size_t& pos, RrView& out) const noexcept {
    std::uint32_t ttl = 0;
    std::uint32_t len = 0;
    if (pos > block_.size() || !get(block_, pos, max32, ttl) || !get(block_, pos, max16, len) ||
        block_.size() - pos < len) {
        return false;
    }
    out.ttl = ttl;
    out.rdata = block_.substr(pos, len);
    pos += len;
    return true;
}

NodeView::NodeView(std::string_view value) noexcept
    : value_(value) {
    const auto format = value.empty() ? 0 : static_cast<std::uint8_t>(value[0]);
    if (value.size() < header_len || (format != node_format && format != node_format_extended)) {
        return;
    }
    flags_ = static_cast<std::uint8_t>(value[1]);
    std::size_t pos = header_len;
    std::uint32_t count = 0;
    if (!get(value, pos, max16, count)) {
        return;
    }
    count_ = static_cast<std::uint16_t>(count);
    rrsets_at_ = pos;
    for (std::uint16_t i = 0; i < count_; ++i) {
        std::uint32_t type = 0;
        std::uint32_t rrs = 0;
        std::uint32_t block = 0;
        if (!rrset_header(value, pos, type, rrs, block)) {
            return;
        }
        pos += block;
    }
    own_end_ = pos;
    ids_at_ = pos;
    if (format == node_format_extended) {
        std::uint32_t len = 0;
        if (!get(value, pos, max16, len)) {
            return;
        }
        if (len > 0) {
            if (value.size() - pos < len || static_cast<std::uint8_t>(value[pos]) != node_format ||
                !NodeView(value.substr(pos, len)).valid()) {
                return;
            }
            parent_side_ = value.substr(pos, len);
            pos += len;
        }
        ids_at_ = pos;
        pos = value.size();
    }
    valid_ = pos == value.size();
}

std::string_view NodeView::rrsets() const noexcept {
    return valid_ ? value_.substr(2, own_end_ - 2) : value_;
}

std::string NodeView::without_ids() const {
    if (!valid_ || static_cast<std::uint8_t>(value_[0]) == node_format) {
        return std::string(value_);
    }
    if (parent_side_.empty()) {
        std::string out(value_.substr(0, own_end_));
        out[0] = static_cast<char>(node_format);
        return out;
    }
    return std::string(value_.substr(0, ids_at_));
}

// The headers were checked by the constructor: the walks below read them again unchecked but
// for the bounds rrset_header keeps.
bool NodeView::at(std::uint16_t index, RrsetView& out) const noexcept {
    if (!valid_ || index >= count_) {
        return false;
    }
    std::size_t pos = rrsets_at_;
    for (std::uint16_t i = 0; i <= index; ++i) {
        std::uint32_t type = 0;
        std::uint32_t rrs = 0;
        std::uint32_t block = 0;
        if (!rrset_header(value_, pos, type, rrs, block)) {
            return false;
        }
        if (i == index) {
            out = RrsetView(static_cast<RRType>(type), static_cast<std::uint16_t>(rrs),
                            value_.substr(pos, block));
            return true;
        }
        pos += block;
    }
    return false;
}

bool NodeView::find(RRType type, RrsetView& out) const noexcept {
    if (!valid_) {
        return false;
    }
    std::size_t pos = rrsets_at_;
    for (std::uint16_t i = 0; i < count_; ++i) {
        std::uint32_t t = 0;
        std::uint32_t rrs = 0;
        std::uint32_t block = 0;
        if (!rrset_header(value_, pos, t, rrs, block)) {
            return false;
        }
        if (t == static_cast<std::uint16_t>(type)) {
            out = RrsetView(type, static_cast<std::uint16_t>(rrs), value_.substr(pos, block));
            return true;
        }
        pos += block;
    }
    return false;
}

void NodeBuilder::add(RRType type, std::uint32_t ttl, std::string_view rdata) {
    rrs_.push_back(Rr{type, ttl, std::string(rdata)});
}

bool NodeBuilder::nsec3_only() const noexcept {
    bool nsec3 = false;
    for (const Rr& rr : rrs_) {
        if (rr.type != RRType::NSEC3 && rr.type != RRType::RRSIG) {
            return false;
        }
        nsec3 = nsec3 || rr.type == RRType::NSEC3;
    }
    return nsec3;
}

bool NodeBuilder::has(RRType type) const noexcept {
    return std::any_of(rrs_.begin(), rrs_.end(), [type](const Rr& rr) { return rr.type == type; });
}

void NodeBuilder::remove(RRType type) {
    std::erase_if(rrs_, [type](const Rr& rr) { return rr.type == type; });
}

std::string NodeBuilder::build() const {
    std::vector<const Rr*> sorted;
    sorted.reserve(rrs_.size());
    for (const Rr& rr : rrs_) {
        sorted.push_back(&rr);
    }
    // Stable: RRs of one type keep the order they were added in (the answer order).
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Rr* a, const Rr* b) { return a->type < b->type; });

    std::uint32_t rrsets = 0;
    for (std::size_t i = 0; i < sorted.size(); ++i) {
        rrsets += i == 0 || sorted[i]->type != sorted[i - 1]->type ? 1 : 0;
    }
    std::string out;
    out.push_back(static_cast<char>(node_format));
    out.push_back(static_cast<char>(flags_));
    put(out, rrsets);
    std::string block;
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i;
        block.clear();
        for (; j < sorted.size() && sorted[j]->type == sorted[i]->type; ++j) {
            const Rr& rr = *sorted[j];
            put(block, rr.ttl);
            put(block, static_cast<std::uint32_t>(rr.rdata.size()));
            block += rr.rdata;
        }
        if (block.size() > max16 || j - i > max16) {
            throw InvalidValue("records", std::string("RRset ") + to_string(sorted[i]->type) +
                                              " is larger than 64 KiB");
        }
        put(out, static_cast<std::uint16_t>(sorted[i]->type));
        put(out, static_cast<std::uint32_t>(j - i));
        put(out, static_cast<std::uint32_t>(block.size()));
        out += block;
        i = j;
    }
    if (!parent_side_.empty()) {
        if (parent_side_.size() > 0xffff) {
            throw InvalidValue("records", "the parent side of a zone apex is larger than 64 KiB");
        }
        out[0] = static_cast<char>(node_format_extended);
        put(out, static_cast<std::uint32_t>(parent_side_.size()));
        out += parent_side_;
    }
    return out;
}

} // namespace sb::zones
