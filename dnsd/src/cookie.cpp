// DNS Cookies: SipHash-2-4, RFC 9018 server cookies, the COOKIE option in and out.
#include "cookie.hpp"

#include <netinet/in.h>
#include <openssl/rand.h>

#include <array>
#include <atomic>
#include <cstring>
#include <stdexcept>

namespace sb::dnsd {

namespace {

constexpr std::uint8_t cookie_version = 1;
constexpr std::uint32_t max_age = 3600;       // RFC 9018 §4.3: "older than 1 hour" is invalid
constexpr std::uint32_t max_ahead = 300;      // "more than 5 minutes in the future"
constexpr std::uint32_t refresh_after = 1800; // "older than half an hour": make a new one

std::atomic<std::uint64_t> next_id{1}; // CookieSecrets ids, never reused (0: empty cache slot)

std::uint64_t rotl(std::uint64_t x, int b) noexcept {
    return (x << b) | (x >> (64 - b));
}

std::uint64_t le64(const std::uint8_t* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) {
        v = (v << 8) | p[i];
    }
    return v;
}

void put_be32(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

std::uint32_t be32(const std::uint8_t* p) noexcept {
    return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

} // namespace

std::uint64_t siphash24(const SipKey& key, std::span<const std::uint8_t> data) noexcept {
    const std::uint64_t k0 = le64(key.data());
    const std::uint64_t k1 = le64(key.data() + 8);
    std::uint64_t v0 = 0x736f6d6570736575ULL ^ k0;
    std::uint64_t v1 = 0x646f72616e646f6dULL ^ k1;
    std::uint64_t v2 = 0x6c7967656e657261ULL ^ k0;
    std::uint64_t v3 = 0x7465646279746573ULL ^ k1;
    auto round = [&]() noexcept {
        v0 += v1;
        v1 = rotl(v1, 13) ^ v0;
        v0 = rotl(v0, 32);
        v2 += v3;
        v3 = rotl(v3, 16) ^ v2;
        v0 += v3;
        v3 = rotl(v3, 21) ^ v0;
        v2 += v1;
        v1 = rotl(v1, 17) ^ v2;
        v2 = rotl(v2, 32);
    };
    const std::size_t whole = data.size() & ~std::size_t{7};
    for (std::size_t i = 0; i < whole; i += 8) {
        const std::uint64_t m = le64(data.data() + i);
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
    std::uint64_t last = std::uint64_t{data.size() & 0xff} << 56;
    for (std::size_t i = whole; i < data.size(); ++i) {
        last |= std::uint64_t{data[i]} << (8 * (i - whole));
    }
    v3 ^= last;
    round();
    round();
    v0 ^= last;
    v2 ^= 0xff;
    for (int i = 0; i < 4; ++i) {
        round();
    }
    return v0 ^ v1 ^ v2 ^ v3;
}

CookieSecrets::CookieSecrets(const std::string& master, std::uint32_t rotation)
    : rotation_(rotation)
    , id_(next_id.fetch_add(1, std::memory_order_relaxed)) {
    if (rotation == 0) {
        throw std::runtime_error("dns: cookie_rotation must be at least 1 second");
    }
    if (master.empty()) {
        if (RAND_bytes(master_.data(), static_cast<int>(master_.size())) != 1) {
            throw std::runtime_error("dns: no random bytes for the cookie secret");
        }
        return;
    }
    if (master.size() != 2 * master_.size()) {
        throw std::runtime_error("dns: cookie_secret must be 32 hex digits (128 bits), not " +
                                 std::to_string(master.size()) + " characters");
    }
    for (std::size_t i = 0; i < master_.size(); ++i) {
        const int hi = hex_digit(master[2 * i]);
        const int lo = hex_digit(master[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            throw std::runtime_error("dns: cookie_secret must be 32 hex digits (128 bits)");
        }
        master_[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
}

SipKey CookieSecrets::key_for(std::uint32_t timestamp) const noexcept {
    // The keys of the last two epochs seen by this thread (the current one, and the previous
    // one that cookies made before a rotation carry), so a query pays one SipHash, not three.
    struct Cached {
        std::uint64_t owner = 0;
        std::uint32_t epoch = 0;
        SipKey key{};
    };

    thread_local std::array<Cached, 2> cache{};
    const std::uint32_t e = timestamp / rotation_;
    Cached& slot = cache[e & 1];
    if (slot.owner == id_ && slot.epoch == e) {
        return slot.key;
    }
    std::uint8_t epoch[5] = {0};
    put_be32(epoch + 1, e);
    for (std::uint8_t half = 0; half < 2; ++half) {
        epoch[0] = half;
        const std::uint64_t h = siphash24(master_, epoch);
        std::memcpy(slot.key.data() + 8 * half, &h, 8);
    }
    slot.owner = id_;
    slot.epoch = e;
    return slot.key;
}

std::uint64_t server_cookie_hash(const SipKey& secret, const std::uint8_t* client,
                                 const std::uint8_t* head, const sockaddr_storage& peer) noexcept {
    std::uint8_t in[cookie_client_len + 8 + 16];
    std::memcpy(in, client, cookie_client_len);
    std::memcpy(in + cookie_client_len, head, 8);
    std::size_t len = cookie_client_len + 8;
    if (peer.ss_family == AF_INET) {
        sockaddr_in a;
        std::memcpy(&a, &peer, sizeof a);
        std::memcpy(in + len, &a.sin_addr, 4);
        len += 4;
    } else {
        sockaddr_in6 a;
        std::memcpy(&a, &peer, sizeof a);
        std::memcpy(in + len, &a.sin6_addr, 16);
        len += 16;
    }
    return siphash24(secret, std::span<const std::uint8_t>(in, len));
}

CookieVerdict CookieSecrets::check(const std::uint8_t* client, std::span<const std::uint8_t> server,
                                   const sockaddr_storage& peer, std::uint32_t now) const noexcept {
    if (server.size() != server_cookie_len || server[0] != cookie_version) {
        return CookieVerdict::Bad;
    }
    const std::uint32_t timestamp = be32(server.data() + 4);
    // Serial number arithmetic (RFC 1982), as RFC 9018 §4.3 asks.
    const auto age = static_cast<std::int32_t>(now - timestamp);
    if (age > static_cast<std::int32_t>(max_age) || age < -static_cast<std::int32_t>(max_ahead)) {
        return CookieVerdict::Bad;
    }
    const std::uint64_t h = server_cookie_hash(key_for(timestamp), client, server.data(), peer);
    return std::memcmp(&h, server.data() + 8, 8) == 0 ? CookieVerdict::Valid : CookieVerdict::Bad;
}

void CookieSecrets::make(const std::uint8_t* client, const sockaddr_storage& peer,
                         std::uint32_t now, std::uint8_t* out) const noexcept {
    out[0] = cookie_version;
    out[1] = out[2] = out[3] = 0;
    put_be32(out + 4, now);
    const std::uint64_t h = server_cookie_hash(key_for(now), client, out, peer);
    std::memcpy(out + 8, &h, 8);
}

void read_cookie(std::span<const std::uint8_t> option, CookieContext& ctx) noexcept {
    if (ctx.secrets == nullptr || ctx.peer == nullptr) {
        return;
    }
    // RFC 7873 §5.2.2: "If the COOKIE option is too short to contain a Client Cookie, then
    // FORMERR is generated." — likewise between 9 and 15 bytes, and beyond 40.
    const std::size_t len = option.size();
    if (ctx.verdict != CookieVerdict::None || len < cookie_client_len ||
        (len > cookie_client_len && len < cookie_client_len + 8) || len > cookie_client_len + 32) {
        ctx.verdict = CookieVerdict::Malformed; // two COOKIE options are malformed too
        return;
    }
    if (len == cookie_client_len) {
        ctx.verdict = CookieVerdict::ClientOnly;
        return;
    }
    ctx.verdict =
        ctx.secrets->check(option.data(), option.subspan(cookie_client_len), *ctx.peer, ctx.now);
}

bool bad_cookie_answer(const CookieContext& ctx) noexcept {
    switch (ctx.verdict) {
    case CookieVerdict::Bad:
        // Over TCP the handshake already proved the address: answer with a new cookie.
        return ctx.udp;
    case CookieVerdict::ClientOnly:
        return ctx.require && ctx.udp;
    case CookieVerdict::None:
    case CookieVerdict::Malformed:
    case CookieVerdict::Valid:
        return false;
    }
    return false;
}

std::size_t write_cookie(std::span<const std::uint8_t> option, const CookieContext& ctx,
                         std::uint8_t* out) noexcept {
    if (ctx.verdict != CookieVerdict::ClientOnly && ctx.verdict != CookieVerdict::Bad &&
        ctx.verdict != CookieVerdict::Valid) {
        return 0;
    }
    out[0] = 0;
    out[1] = option_cookie;
    out[2] = 0;
    out[3] = cookie_client_len + server_cookie_len;
    std::memcpy(out + 4, option.data(), cookie_client_len);
    std::uint8_t* server = out + 4 + cookie_client_len;
    if (ctx.verdict == CookieVerdict::Valid &&
        static_cast<std::int32_t>(ctx.now - be32(option.data() + cookie_client_len + 4)) <
            static_cast<std::int32_t>(refresh_after)) {
        std::memcpy(server, option.data() + cookie_client_len, server_cookie_len);
    } else {
        ctx.secrets->make(option.data(), *ctx.peer, ctx.now, server);
    }
    return cookie_answer_len;
}

} // namespace sb::dnsd
