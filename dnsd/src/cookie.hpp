// DNS Cookies (RFC 7873) with interoperable server cookies (RFC 9018): SipHash-2-4 over the
// client cookie, version, timestamp and client address, keyed by a secret that rotates every
// `rotation` seconds. Allocation free and noexcept: it runs on the UDP answer path.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace sb::dnsd {

using SipKey = std::array<std::uint8_t, 16>;

// SipHash-2-4 (Aumasson, Bernstein) of `data` under `key`.
std::uint64_t siphash24(const SipKey& key, std::span<const std::uint8_t> data) noexcept;

// RFC 9018 §4.4: SipHash-2-4(Client Cookie | Version | Reserved | Timestamp | Client-IP)
// under `secret`; `head` is the server cookie's first 8 bytes (version, reserved, timestamp).
std::uint64_t server_cookie_hash(const SipKey& secret, const std::uint8_t* client,
                                 const std::uint8_t* head, const sockaddr_storage& peer) noexcept;

// The COOKIE option (code 10) of a query, as answer() classifies it.
enum class CookieVerdict : std::uint8_t {
    None,       // no COOKIE option (or cookies are off)
    Malformed,  // OPTION-LENGTH not 8 or 16..40: FORMERR (RFC 7873 §5.2.2)
    ClientOnly, // a client cookie alone (§5.2.3): answered, with a new server cookie
    Bad,        // a server cookie we did not make, or too old (§5.2.4): BADCOOKIE over UDP
    Valid,      // our server cookie for this client, fresh (§5.2.5)
};

constexpr std::size_t cookie_client_len = 8;
constexpr std::size_t server_cookie_len = 16; // RFC 9018 §4: version, reserved, time, hash
constexpr std::uint16_t option_cookie = 10;

// The secrets of one server (or of every server sharing `master`): the key of the epoch
// `now / rotation` is SipHash of the master and the epoch, so each worker derives it alone,
// the rotation needs no shared state, and servers configured with one master agree.
class CookieSecrets {
public:
    // master: 32 hex digits, or empty for a random one. Throws std::runtime_error when
    // `master` is not 32 hex digits or rotation is 0.
    CookieSecrets(const std::string& master, std::uint32_t rotation);

    // Checks the server cookie `server` (8..32 bytes) sent with `client` (8 bytes) from
    // `peer` at time `now` (seconds since the epoch): Valid or Bad. RFC 9018 §4.3: valid when
    // its hash is ours and its timestamp at most an hour old and 5 minutes ahead.
    CookieVerdict check(const std::uint8_t* client, std::span<const std::uint8_t> server,
                        const sockaddr_storage& peer, std::uint32_t now) const noexcept;

    // Writes our 16-byte server cookie for `client` from `peer` made at `now` into `out`.
    void make(const std::uint8_t* client, const sockaddr_storage& peer, std::uint32_t now,
              std::uint8_t* out) const noexcept;

private:
    SipKey key_for(std::uint32_t timestamp) const noexcept;
    SipKey master_{};
    std::uint32_t rotation_;
    std::uint64_t id_; // tells this object's keys apart in each thread's key cache
};

// What answer() needs to handle cookies for one query, and what it reports back.
struct CookieContext {
    const CookieSecrets* secrets = nullptr; // null: cookies off, the option is ignored
    const sockaddr_storage* peer = nullptr;
    std::uint32_t now = 0;
    bool require = false; // BADCOOKIE unless Valid (RRL's cookie_required, over the rate)
    bool udp = true;
    CookieVerdict verdict = CookieVerdict::None; // out
};

// Classifies the COOKIE option data `option` (OPTION-LENGTH bytes) into ctx.verdict.
void read_cookie(std::span<const std::uint8_t> option, CookieContext& ctx) noexcept;

// True when the answer must be BADCOOKIE: a Bad cookie over UDP, or `require` without Valid.
bool bad_cookie_answer(const CookieContext& ctx) noexcept;

// The COOKIE option we answer with (RFC 7873 §5.2.3–5.2.5: client cookie + a server cookie,
// ours echoed when it is valid and less than half an hour old, RFC 9018 §4.3): writes
// 4 + 8 + 16 bytes into out and returns that length; 0 when no cookie is due.
std::size_t write_cookie(std::span<const std::uint8_t> option, const CookieContext& ctx,
                         std::uint8_t* out) noexcept;
constexpr std::size_t cookie_answer_len = 4 + cookie_client_len + server_cookie_len;

} // namespace sb::dnsd
