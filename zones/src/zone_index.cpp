#include "zones/zone_index.hpp"

#include "zones/node.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstring>
#include <thread>
#include <utility>

namespace sb::zones {

namespace {

constexpr std::string_view generation_key = "zone_marks";

// FNV-1a, fed one byte at a time so that the hash of every label-aligned prefix of a key
// comes out of one pass over it.
constexpr std::uint64_t fnv_basis = 14695981039346656037ull;
constexpr std::uint64_t fnv_prime = 1099511628211ull;

std::uint64_t hash_of(std::string_view s) noexcept {
    std::uint64_t h = fnv_basis;
    for (const char c : s) {
        h = (h ^ static_cast<unsigned char>(c)) * fnv_prime;
    }
    return h;
}

// The generation stored in Meta (0 before the first mark), through a read or a write txn.
template <class Txn>
std::uint64_t generation_of(const Txn& txn) {
    const auto v = txn.get(store::Table::Meta, generation_key);
    return v && v->size() == 8 ? store::get_u64(*v, 0) : 0;
}

} // namespace

void mark_node(store::WriteTxn& txn, std::string_view key, std::uint8_t flags) {
    const auto old = txn.get(store::Table::ZoneMarks, key);
    const std::uint8_t was = old && old->size() == 1 ? static_cast<std::uint8_t>((*old)[0]) : 0;
    if (was == flags) {
        return;
    }
    if (flags == 0) {
        txn.del(store::Table::ZoneMarks, key);
    } else {
        txn.put(store::Table::ZoneMarks, key, std::string_view(reinterpret_cast<char*>(&flags), 1));
    }
    txn.put(store::Table::Meta, generation_key, store::u64_key(generation_of(txn) + 1));
}

std::size_t read_marked_nodes(const store::Env& env, unsigned threads,
                              std::stop_token stop) noexcept {
    std::vector<std::string> keys;
    try {
        const store::ReadTxn txn(env);
        auto c = txn.cursor(store::Table::ZoneMarks);
        for (bool ok = c.first(); ok && !stop.stop_requested(); ok = c.next()) {
            keys.emplace_back(c.key());
        }
    } catch (...) { // store::Error or bad_alloc: the lookups fault the pages in themselves
        return 0;
    }
    threads = static_cast<unsigned>(std::clamp<std::size_t>(keys.size(), 1, std::max(threads, 1u)));
    std::atomic<std::size_t> found{0};
    const auto read_share = [&](std::size_t from, std::size_t to) noexcept {
        try {
            const store::ReadTxn txn(env);
            std::size_t n = 0;
            for (std::size_t i = from; i < to && !stop.stop_requested(); ++i) {
                const auto node = txn.get(store::Table::DnsNodes, keys[i]);
                if (!node) {
                    continue;
                }
                // A byte of each page of the value: a large node (a signed apex's DNSKEYs and
                // RRSIGs) lies on overflow pages of its own.
                for (std::size_t at = 0; at < node->size(); at += 4096) {
                    static_cast<void>(*static_cast<const volatile char*>(node->data() + at));
                }
                ++n;
            }
            found.fetch_add(n, std::memory_order_relaxed);
        } catch (...) { // store::Error (no reader slot left): as above
        }
    };
    std::vector<std::jthread> running;
    const std::size_t share = (keys.size() + threads - 1) / threads;
    std::size_t from = share;
    try {
        running.reserve(threads);
        for (; from < keys.size(); from += share) {
            running.emplace_back(read_share, from, std::min(keys.size(), from + share));
        }
    } catch (...) { // no thread to be had: this one reads the rest
    }
    read_share(0, std::min(keys.size(), share));
    if (from < keys.size()) {
        read_share(from, keys.size());
    }
    running.clear(); // joins
    return found.load(std::memory_order_relaxed);
}

bool ZoneIndex::sync(const store::ReadTxn& txn) noexcept {
    const std::uint64_t id = txn.id();
    if (id == txn_id_ && generation_ != ~std::uint64_t{0}) {
        return true;
    }
    try {
        const std::uint64_t generation = generation_of(txn);
        if (generation != generation_) {
            rebuild(txn);
            generation_ = generation;
        }
        txn_id_ = id;
        return true;
    } catch (...) { // store::Error or bad_alloc: empty, and rebuilt on the next sync
        clear();
        generation_ = ~std::uint64_t{0};
        return false;
    }
}

void ZoneIndex::clear() noexcept {
    slots_.clear();
    keys_.clear();
    count_ = 0;
    depths_[0] = depths_[1] = 0;
    root_apex_ = root_wildcards_ = root_signed_ = root_expired_ = false;
}

void ZoneIndex::rebuild(const store::ReadTxn& txn) {
    clear();
    std::vector<std::pair<std::string_view, std::uint8_t>> marks;
    std::size_t bytes = 0;
    auto c = txn.cursor(store::Table::ZoneMarks);
    for (bool ok = c.first(); ok; ok = c.next()) {
        if (c.key() == root_stored_key) {
            root_apex_ =
                c.value().size() == 1 && (static_cast<std::uint8_t>(c.value()[0]) & NodeApex);
            root_signed_ = root_apex_ && (static_cast<std::uint8_t>(c.value()[0]) & NodeSigned);
            root_expired_ = root_apex_ && (static_cast<std::uint8_t>(c.value()[0]) & NodeExpired);
            count_ += root_apex_ ? 1 : 0;
            continue;
        }
        if (c.value().size() == 1 && !c.key().empty() && c.key().size() <= max_key_len) {
            marks.emplace_back(c.key(), static_cast<std::uint8_t>(c.value()[0]));
            bytes += c.key().size();
        }
    }
    std::size_t size = 16;
    while (size < marks.size() * 2) {
        size *= 2;
    }
    slots_.assign(size, Slot{});
    keys_.reserve(bytes);
    for (const auto& [key, flags] : marks) {
        insert(key, flags);
    }
    // A wildcard makes its zone take the slow NXDOMAIN path (RFC 4592 closest encloser).
    for (const auto& [key, flags] : marks) {
        if ((flags & NodeWildcard) == 0) {
            continue;
        }
        const ZoneSpot spot = locate(key);
        if (spot.kind != ZoneSpot::Kind::None && spot.zone_len == 0) {
            root_wildcards_ = true;
        } else if (spot.kind != ZoneSpot::Kind::None) {
            if (Slot* apex = find(key.substr(0, spot.zone_len))) {
                apex->wildcards = true;
            }
        }
    }
}

void ZoneIndex::insert(std::string_view key, std::uint8_t flags) {
    const std::uint64_t h = hash_of(key);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        Slot& s = slots_[i];
        if (s.len == 0) {
            s = Slot{h, static_cast<std::uint32_t>(keys_.size()),
                     static_cast<std::uint16_t>(key.size()), flags, false};
            keys_.append(key);
            ++count_;
            const unsigned n = key_labels(key);
            depths_[n / 64] |= std::uint64_t{1} << (n % 64);
            return;
        }
    }
}

const ZoneIndex::Slot* ZoneIndex::find(std::string_view prefix, std::uint64_t hash) const noexcept {
    if (slots_.empty()) {
        return nullptr;
    }
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot& s = slots_[i];
        if (s.len == 0) {
            return nullptr;
        }
        if (s.hash == hash && s.len == prefix.size() &&
            std::memcmp(keys_.data() + s.offset, prefix.data(), prefix.size()) == 0) {
            return &s;
        }
    }
}

ZoneIndex::Slot* ZoneIndex::find(std::string_view key) noexcept {
    return const_cast<Slot*>(std::as_const(*this).find(key, hash_of(key)));
}

ZoneSpot ZoneIndex::locate(std::string_view key) const noexcept {
    // The hash and length of every label-aligned prefix, shortest first, in one pass that ends
    // at the deepest mark (an ENUM number's last labels are never hashed).
    const unsigned deepest = depths_[1] != 0   ? 127 - std::countl_zero(depths_[1])
                             : depths_[0] != 0 ? 63 - std::countl_zero(depths_[0])
                                               : 0; // the most labels of a mark
    std::uint64_t hashes[128];
    std::uint16_t ends[128];
    unsigned n = 0;
    std::uint64_t h = fnv_basis;
    for (std::size_t i = 0; i < key.size() && n < deepest; ++i) {
        h = (h ^ static_cast<unsigned char>(key[i])) * fnv_prime;
        if (key[i] != '\0') {
            continue;
        }
        hashes[n] = h;
        ends[n++] = static_cast<std::uint16_t>(i + 1);
    }
    // Longest first; the closest apex ends the walk and the topmost cut below it wins.
    ZoneSpot spot;
    std::size_t cut = 0;
    std::size_t dname = 0;
    for (unsigned i = n; i-- > 0;) {
        const unsigned labels = i + 1;
        if ((depths_[labels / 64] >> (labels % 64) & 1) == 0) {
            continue;
        }
        const Slot* s = find(key.substr(0, ends[i]), hashes[i]);
        if (s == nullptr) {
            continue;
        }
        if ((s->flags & NodeDname) && ends[i] < key.size()) {
            dname = ends[i]; // RFC 6672 §2.3: also at the apex
        }
        if (s->flags & NodeApex) {
            spot.zone_len = ends[i];
            spot.wildcards = s->wildcards;
            spot.signed_zone = (s->flags & NodeSigned) != 0;
            spot.expired = (s->flags & NodeExpired) != 0;
            if (dname != 0 && (cut == 0 || dname < cut)) {
                // Everything below a DNAME is redirected, a cut there included (RFC 6672 §2.4).
                spot.kind = ZoneSpot::Kind::InZone;
                spot.dname_len = dname;
            } else {
                spot.kind = cut != 0 ? ZoneSpot::Kind::BelowCut : ZoneSpot::Kind::InZone;
                spot.cut_len = cut;
            }
            return spot;
        }
        if (s->flags & NodeDelegation) {
            cut = ends[i];
        }
    }
    if (root_apex_) {
        spot.kind = cut != 0 ? ZoneSpot::Kind::BelowCut : ZoneSpot::Kind::InZone;
        spot.zone_len = 0;
        spot.cut_len = cut;
        spot.wildcards = root_wildcards_;
        spot.signed_zone = root_signed_;
        spot.expired = root_expired_;
    }
    return spot;
}

} // namespace sb::zones
