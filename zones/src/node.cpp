#include "zones/node.hpp"

#include <algorithm>

namespace sb::zones {

namespace {

std::uint16_t rd16(std::string_view s, std::size_t pos) noexcept {
    return static_cast<std::uint16_t>((static_cast<unsigned char>(s[pos]) << 8) |
                                      static_cast<unsigned char>(s[pos + 1]));
}

std::uint32_t rd32(std::string_view s, std::size_t pos) noexcept {
    return (std::uint32_t{rd16(s, pos)} << 16) | rd16(s, pos + 2);
}

void wr16(std::string& out, std::uint16_t v) {
    out.push_back(static_cast<char>(v >> 8));
    out.push_back(static_cast<char>(v));
}

constexpr std::size_t header_len = 4;       // format, flags, rrset_count
constexpr std::size_t rrset_header_len = 6; // type, rr_count, block_len

} // namespace

bool RrsetView::next_rr(std::size_t& pos, RrView& out) const noexcept {
    if (block_.size() - pos < 6 || pos > block_.size()) {
        return false;
    }
    const std::uint32_t ttl = rd32(block_, pos);
    const std::uint16_t len = rd16(block_, pos + 4);
    if (block_.size() - pos - 6 < len) {
        return false;
    }
    out.ttl = ttl;
    out.rdata = block_.substr(pos + 6, len);
    pos += 6 + std::size_t{len};
    return true;
}

NodeView::NodeView(std::string_view value) noexcept
    : value_(value) {
    const auto format = value.empty() ? 0 : static_cast<std::uint8_t>(value[0]);
    if (value.size() < header_len || (format != node_format && format != node_format_extended)) {
        return;
    }
    flags_ = static_cast<std::uint8_t>(value[1]);
    count_ = rd16(value, 2);
    std::size_t pos = header_len;
    for (std::uint16_t i = 0; i < count_; ++i) {
        if (value.size() - pos < rrset_header_len) {
            return;
        }
        const std::size_t block = rd16(value, pos + 4);
        pos += rrset_header_len;
        if (value.size() - pos < block) {
            return;
        }
        pos += block;
    }
    own_end_ = pos;
    ids_at_ = pos;
    if (format == node_format_extended) {
        if (value.size() - pos < 2) {
            return;
        }
        const std::size_t len = rd16(value, pos);
        pos += 2;
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

bool NodeView::at(std::uint16_t index, RrsetView& out) const noexcept {
    if (!valid_ || index >= count_) {
        return false;
    }
    std::size_t pos = header_len;
    for (std::uint16_t i = 0;; ++i) {
        const std::uint16_t type = rd16(value_, pos);
        const std::uint16_t rrs = rd16(value_, pos + 2);
        const std::size_t block = rd16(value_, pos + 4);
        if (i == index) {
            out = RrsetView(static_cast<RRType>(type), rrs,
                            value_.substr(pos + rrset_header_len, block));
            return true;
        }
        pos += rrset_header_len + block;
    }
}

bool NodeView::find(RRType type, RrsetView& out) const noexcept {
    if (!valid_) {
        return false;
    }
    std::size_t pos = header_len;
    for (std::uint16_t i = 0; i < count_; ++i) {
        const std::uint16_t t = rd16(value_, pos);
        const std::size_t block = rd16(value_, pos + 4);
        if (t == static_cast<std::uint16_t>(type)) {
            out = RrsetView(type, rd16(value_, pos + 2),
                            value_.substr(pos + rrset_header_len, block));
            return true;
        }
        pos += rrset_header_len + block;
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

    std::string out;
    out.push_back(static_cast<char>(node_format));
    out.push_back(static_cast<char>(flags_));
    wr16(out, 0);
    std::uint16_t rrsets = 0;
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i;
        std::string block;
        for (; j < sorted.size() && sorted[j]->type == sorted[i]->type; ++j) {
            const Rr& rr = *sorted[j];
            wr16(block, static_cast<std::uint16_t>(rr.ttl >> 16));
            wr16(block, static_cast<std::uint16_t>(rr.ttl));
            wr16(block, static_cast<std::uint16_t>(rr.rdata.size()));
            block += rr.rdata;
        }
        if (block.size() > 0xffff || j - i > 0xffff) {
            throw InvalidValue("records", std::string("RRset ") + to_string(sorted[i]->type) +
                                              " is larger than 64 KiB");
        }
        wr16(out, static_cast<std::uint16_t>(sorted[i]->type));
        wr16(out, static_cast<std::uint16_t>(j - i));
        wr16(out, static_cast<std::uint16_t>(block.size()));
        out += block;
        ++rrsets;
        i = j;
    }
    out[2] = static_cast<char>(rrsets >> 8);
    out[3] = static_cast<char>(rrsets);
    if (!parent_side_.empty()) {
        if (parent_side_.size() > 0xffff) {
            throw InvalidValue("records", "the parent side of a zone apex is larger than 64 KiB");
        }
        out[0] = static_cast<char>(node_format_extended);
        wr16(out, static_cast<std::uint16_t>(parent_side_.size()));
        out += parent_side_;
    }
    return out;
}

} // namespace sb::zones
