// DNS Cookies (RFC 7873, RFC 9018): SipHash-2-4 against the reference vector; server cookies
// against RFC 9018 Appendix A.1/A.2; through answer(): a client cookie alone gets a server
// cookie that validates on the next query, a malformed COOKIE option FORMERR, a server cookie
// we did not make (another secret, another client address, too old) BADCOOKIE over UDP and an
// answer with a fresh cookie over TCP, and `require` turns a client cookie alone into
// BADCOOKIE; the secret rotates with the epoch and a bad cookie_secret is refused.
#include "answer.hpp"
#include "cookie.hpp"
#include "example_store.hpp"

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>

#include <cstring>
#include <string>
#include <vector>

using namespace sb;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes unhex(const std::string& hex) {
    Bytes b;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        b.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
    }
    return b;
}

sockaddr_storage v4(const char* text) {
    sockaddr_storage ss{};
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    REQUIRE(inet_pton(AF_INET, text, &a->sin_addr) == 1);
    return ss;
}

// A query for www.example.com A with an OPT holding a COOKIE option of `cookie` bytes.
Bytes cookie_query(const Bytes& cookie) {
    Bytes q = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
    for (const char* label : {"www", "example", "com"}) {
        q.push_back(static_cast<std::uint8_t>(std::strlen(label)));
        q.insert(q.end(), label, label + std::strlen(label));
    }
    q.insert(q.end(), {0, 0, 1, 0, 1});                 // root, A, IN
    q.insert(q.end(), {0, 0, 41, 0x10, 0, 0, 0, 0, 0}); // OPT, 4096, ttl 0
    const std::size_t rdlength = 4 + cookie.size();
    q.push_back(static_cast<std::uint8_t>(rdlength >> 8));
    q.push_back(static_cast<std::uint8_t>(rdlength));
    q.insert(q.end(), {0, 10, 0, static_cast<std::uint8_t>(cookie.size())});
    q.insert(q.end(), cookie.begin(), cookie.end());
    return q;
}

struct Reply {
    unsigned rcode = 0; // extended
    unsigned ancount = 0;
    Bytes cookie; // the COOKIE option's data in our OPT
};

Reply parse(const Bytes& r) {
    Reply out;
    REQUIRE(r.size() >= 12);
    out.ancount = unsigned{r[6]} << 8 | r[7];
    unsigned rcode = r[3] & 0x0F;
    // The OPT is the last RR: find it from the end (our answers put it last).
    for (std::size_t pos = 12; pos + 11 <= r.size(); ++pos) {
        if (r[pos] == 0 && r[pos + 1] == 0 && r[pos + 2] == 41) {
            rcode |= unsigned{r[pos + 5]} << 4;
            const std::size_t rdlen = std::size_t{r[pos + 9]} << 8 | r[pos + 10];
            if (pos + 11 + rdlen == r.size()) {
                if (rdlen >= 4 && r[pos + 12] == 10) {
                    out.cookie.assign(r.begin() + static_cast<long>(pos) + 15, r.end());
                }
                break;
            }
        }
    }
    out.rcode = rcode;
    return out;
}

} // namespace

TEST_CASE("SipHash-2-4 gives the reference output", "[dnsd]") {
    dnsd::SipKey key{};
    for (std::uint8_t i = 0; i < 16; ++i) {
        key[i] = i;
    }
    Bytes msg;
    for (std::uint8_t i = 0; i < 15; ++i) {
        msg.push_back(i);
    }
    // Aumasson & Bernstein, "SipHash: a fast short-input PRF", Appendix A.
    CHECK(dnsd::siphash24(key, msg) == 0xa129ca6149be45e5ULL);
}

TEST_CASE("server cookies are those of RFC 9018 Appendix A", "[dnsd]") {
    dnsd::SipKey secret{};
    const Bytes s = unhex("e5e973e5a6b2a43f48e7dc849e37bfcf");
    std::memcpy(secret.data(), s.data(), 16);
    const Bytes client = unhex("2464c4abcf10c957");
    const sockaddr_storage peer = v4("198.51.100.100");
    for (const auto& [head, hash] :
         {std::pair{"010000005cf79f11", "1f8130c3eee29480"},    // A.1, 1559731985
          std::pair{"010000005cf7a871", "d4a564a1442aca77"}}) { // A.2, 1559734385
        const std::uint64_t h =
            dnsd::server_cookie_hash(secret, client.data(), unhex(head).data(), peer);
        Bytes got(8);
        std::memcpy(got.data(), &h, 8);
        CHECK(got == unhex(hash));
    }
}

TEST_CASE("answer() handles DNS Cookies as RFC 7873 §5.2 says", "[dnsd]") {
    test::ExampleStore store;
    const dnsd::Snapshot snapshot = store.snapshot();
    const dnsd::CookieSecrets secrets("00112233445566778899aabbccddeeff", 3600);
    const dnsd::CookieSecrets other("ffeeddccbbaa99887766554433221100", 3600);
    const sockaddr_storage peer = v4("192.0.2.7");
    const std::uint32_t now = 1700000000;
    Bytes out(4096);
    const Bytes client = unhex("0102030405060708");

    auto ask = [&](const Bytes& cookie, const dnsd::CookieSecrets& s, const sockaddr_storage& p,
                   std::uint32_t at, dnsd::Transport transport = dnsd::Transport::Udp,
                   bool require = false) {
        dnsd::Client c;
        c.cookie.secrets = &s;
        c.cookie.peer = &p;
        c.cookie.now = at;
        c.cookie.require = require;
        const Bytes q = cookie_query(cookie);
        const std::size_t n = dnsd::answer(q, &snapshot, transport, {}, c, out);
        REQUIRE(n > 0);
        Reply r = parse(Bytes(out.begin(), out.begin() + static_cast<long>(n)));
        CHECK(r.rcode == static_cast<unsigned>(c.rcode));
        return std::pair{r, c.cookie.verdict};
    };

    // §5.2.3: a client cookie alone is answered, with a server cookie.
    auto [first, v1] = ask(client, secrets, peer, now);
    CHECK(v1 == dnsd::CookieVerdict::ClientOnly);
    CHECK(first.rcode == 0);
    CHECK(first.ancount > 0);
    REQUIRE(first.cookie.size() == 24);
    CHECK(Bytes(first.cookie.begin(), first.cookie.begin() + 8) == client);
    CHECK(first.cookie[8] == 1); // RFC 9018 version

    // §5.2.5: sent back, it is valid, and echoed while younger than half an hour.
    auto [second, v2] = ask(first.cookie, secrets, peer, now + 60);
    CHECK(v2 == dnsd::CookieVerdict::Valid);
    CHECK(second.rcode == 0);
    CHECK(second.cookie == first.cookie);
    // Forty minutes on it is still valid but renewed; after an hour it is not ours any more.
    auto [renewed, v3] = ask(first.cookie, secrets, peer, now + 2400);
    CHECK(v3 == dnsd::CookieVerdict::Valid);
    CHECK(renewed.cookie != first.cookie);
    CHECK(ask(renewed.cookie, secrets, peer, now + 2401).second == dnsd::CookieVerdict::Valid);

    // §5.2.2: malformed lengths are FORMERR.
    for (const std::size_t len : {0, 5, 7, 9, 12, 15, 41}) {
        auto [r, v] = ask(Bytes(len, 0xAB), secrets, peer, now);
        INFO("cookie length " << len);
        CHECK(v == dnsd::CookieVerdict::Malformed);
        CHECK(r.rcode == 1);
        CHECK(r.ancount == 0);
    }

    // §5.2.4: a server cookie we did not make is BADCOOKIE (23) over UDP, with a new cookie.
    const sockaddr_storage elsewhere = v4("192.0.2.8");
    for (const auto& [why, r] :
         {std::pair{"another secret", ask(first.cookie, other, peer, now + 1)},
          std::pair{"another address", ask(first.cookie, secrets, elsewhere, now + 1)},
          std::pair{"more than an hour old", ask(first.cookie, secrets, peer, now + 3601)},
          std::pair{"garbage",
                    ask(unhex("0102030405060708aaaaaaaaaaaaaaaa"), secrets, peer, now + 5)}}) {
        INFO(why);
        CHECK(r.second == dnsd::CookieVerdict::Bad);
        CHECK(r.first.rcode == 23);
        CHECK(r.first.ancount == 0);
        REQUIRE(r.first.cookie.size() == 24);
        CHECK(r.first.cookie != first.cookie);
    }
    // Over TCP the address is proven: the answer comes, with a fresh cookie.
    auto [tcp, vt] = ask(first.cookie, other, peer, now, dnsd::Transport::Tcp);
    CHECK(vt == dnsd::CookieVerdict::Bad);
    CHECK(tcp.rcode == 0);
    CHECK(tcp.ancount > 0);
    CHECK(tcp.cookie.size() == 24);

    // require (RRL over the rate): a client cookie alone is BADCOOKIE, a valid one answered.
    CHECK(ask(client, secrets, peer, now, dnsd::Transport::Udp, true).first.rcode == 23);
    CHECK(ask(first.cookie, secrets, peer, now + 1, dnsd::Transport::Udp, true).first.rcode == 0);

    // Without secrets (cookies off) the option is ignored: no cookie back, even malformed.
    dnsd::Client off;
    const Bytes q = cookie_query(Bytes(5, 0));
    const std::size_t n = dnsd::answer(q, &snapshot, dnsd::Transport::Udp, {}, off, out);
    const Reply r = parse(Bytes(out.begin(), out.begin() + static_cast<long>(n)));
    CHECK(r.rcode == 0);
    CHECK(r.cookie.empty());
}

TEST_CASE("cookie secrets rotate and are checked", "[dnsd]") {
    const dnsd::CookieSecrets s("00112233445566778899aabbccddeeff", 600);
    const sockaddr_storage peer = v4("192.0.2.7");
    const Bytes client = unhex("0102030405060708");
    std::uint8_t a[16], b[16];
    s.make(client.data(), peer, 6000, a);
    s.make(client.data(), peer, 6000 + 600, b); // the next epoch: another key
    CHECK(std::memcmp(a + 8, b + 8, 8) != 0);
    // Each cookie is checked with the key of its own timestamp's epoch.
    CHECK(s.check(client.data(), {a, 16}, peer, 6000 + 700) == dnsd::CookieVerdict::Valid);
    CHECK(s.check(client.data(), {b, 16}, peer, 6000 + 700) == dnsd::CookieVerdict::Valid);
    CHECK_THROWS_WITH(dnsd::CookieSecrets("abc", 600), Catch::Contains("32 hex digits"));
    CHECK_THROWS_WITH(dnsd::CookieSecrets(std::string(32, 'g'), 600),
                      Catch::Contains("32 hex digits"));
    CHECK_THROWS_WITH(dnsd::CookieSecrets("", 0), Catch::Contains("cookie_rotation"));
    // Random secrets differ between servers.
    const dnsd::CookieSecrets r1("", 600), r2("", 600);
    r1.make(client.data(), peer, 6000, a);
    r2.make(client.data(), peer, 6000, b);
    CHECK(std::memcmp(a + 8, b + 8, 8) != 0);
}
