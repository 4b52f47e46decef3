#include "tsig.hpp"

#include "buffer.hpp"
#include "wire.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <stdexcept>

namespace sb::dnsd {

namespace {

constexpr std::uint16_t type_tsig = 250;
constexpr std::uint16_t class_any = 255;

// The algorithms of RFC 8945 §6 that a key may use: the mandatory hmac-sha256, the
// recommended hmac-sha512 and the optional hmac-sha384 and hmac-sha1 (for older peers).
struct Algorithm {
    const char* text;
    const EVP_MD* (*digest)();
};

constexpr Algorithm algorithms[] = {{"hmac-sha256", EVP_sha256},
                                    {"hmac-sha384", EVP_sha384},
                                    {"hmac-sha512", EVP_sha512},
                                    {"hmac-sha1", EVP_sha1}};

std::string lower_wire(std::span<const std::uint8_t> name) {
    std::string out;
    for (const std::uint8_t c : name) {
        out.push_back(static_cast<char>(lower(c)));
    }
    return out;
}

void put16(std::string& s, std::uint16_t v) {
    s.push_back(static_cast<char>(v >> 8));
    s.push_back(static_cast<char>(v));
}

void put48(std::string& s, std::uint64_t v) {
    for (int shift = 40; shift >= 0; shift -= 8) {
        s.push_back(static_cast<char>(v >> shift));
    }
}

std::string hmac(const TsigKey& key, const std::string& data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    const std::string& secret = key.secret;
    HMAC(algorithms[key.digest].digest(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<const char*>(out), len);
}

// The TSIG variables of RFC 8945 §4.3.3 (or the timers only, §5.3.1).
std::string variables(const TsigKey& key, std::uint64_t time, std::uint16_t fudge, TsigRcode error,
                      bool timers_only) {
    std::string v;
    if (!timers_only) {
        v += key.name;
        put16(v, class_any);
        v.append(4, '\0'); // TTL 0
        v += key.algorithm;
    }
    put48(v, time);
    put16(v, fudge);
    if (!timers_only) {
        put16(v, static_cast<std::uint16_t>(error));
        put16(v, 0); // other len
    }
    return v;
}

std::string as_string(std::span<const std::uint8_t> b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string sign(std::vector<std::uint8_t>& msg, const TsigKey& key, const std::string& prior,
                 bool with_prior, bool timers_only, std::uint64_t now, TsigRcode error) {
    constexpr std::uint16_t fudge = 300;
    std::string mac;
    if (error != TsigRcode::BadKey && error != TsigRcode::BadSig) {
        std::string data;
        if (with_prior) {
            put16(data, static_cast<std::uint16_t>(prior.size()));
            data += prior;
        }
        data += as_string(msg);
        data += variables(key, now, fudge, error, timers_only);
        mac = hmac(key, data);
    }
    std::string rr = key.name;
    put16(rr, type_tsig);
    put16(rr, class_any);
    rr.append(4, '\0');
    std::string rdata = key.algorithm;
    put48(rdata, now);
    put16(rdata, fudge);
    put16(rdata, static_cast<std::uint16_t>(mac.size()));
    rdata += mac;
    rdata.push_back(static_cast<char>(msg[0])); // original id
    rdata.push_back(static_cast<char>(msg[1]));
    put16(rdata, static_cast<std::uint16_t>(error));
    put16(rdata, 0);
    put16(rr, static_cast<std::uint16_t>(rdata.size()));
    rr += rdata;
    msg.insert(msg.end(), rr.begin(), rr.end());
    const std::uint16_t ar = static_cast<std::uint16_t>(((msg[10] << 8) | msg[11]) + 1);
    msg[10] = static_cast<std::uint8_t>(ar >> 8);
    msg[11] = static_cast<std::uint8_t>(ar);
    return mac;
}

} // namespace

const char* tsig_algorithm_names() noexcept {
    return "hmac-sha256 hmac-sha384 hmac-sha512 hmac-sha1";
}

TsigKey parse_tsig_key(const std::string& spec) {
    const auto a = spec.find(':');
    const auto b = a == std::string::npos ? a : spec.find(':', a + 1);
    if (b == std::string::npos) {
        throw std::runtime_error("[dns] tsig_key: expected NAME:ALGORITHM:BASE64, got '" + spec +
                                 "'");
    }
    const std::string name = spec.substr(0, a);
    const std::string alg = spec.substr(a + 1, b - a - 1);
    const std::string b64 = spec.substr(b + 1);
    unsigned digest = std::size(algorithms);
    for (unsigned i = 0; i < std::size(algorithms); ++i) {
        if (alg == algorithms[i].text) {
            digest = i;
        }
    }
    if (digest == std::size(algorithms)) {
        throw std::runtime_error("[dns] tsig_key " + name + ": algorithm '" + alg +
                                 "' is not supported; use one of " + tsig_algorithm_names());
    }
    std::string secret(b64.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(secret.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()),
                                  static_cast<int>(b64.size()));
    if (n < 0 || b64.empty() || b64.size() % 4 != 0) {
        throw std::runtime_error("[dns] tsig_key " + name + ": the secret is not base64");
    }
    std::size_t len = static_cast<std::size_t>(n);
    for (std::size_t i = b64.size(); i > 0 && b64[i - 1] == '='; --i) {
        --len; // EVP_DecodeBlock counts the padding as zero bytes
    }
    secret.resize(len);
    TsigKey key;
    key.text = name;
    std::string wire = zones::name_to_wire(zones::canonical_name(name, "tsig_key"));
    key.name = lower_wire(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(wire.data()), wire.size()));
    key.secret = secret;
    key.digest = digest;
    const std::string alg_wire = zones::name_to_wire(algorithms[digest].text);
    key.algorithm = lower_wire(std::span<const std::uint8_t>(
        reinterpret_cast<const std::uint8_t*>(alg_wire.data()), alg_wire.size()));
    return key;
}

TsigState tsig_verify(std::span<const std::uint8_t> msg, const std::vector<TsigKey>& keys,
                      std::uint64_t now, const std::string* prior_mac, bool timers_only) {
    TsigState st;
    Reader r(msg);
    std::uint16_t id = 0, flags = 0, counts[4] = {};
    if (!r.u16(id) || !r.u16(flags) || !r.u16(counts[0]) || !r.u16(counts[1]) ||
        !r.u16(counts[2]) || !r.u16(counts[3]) || counts[3] == 0) {
        return st;
    }
    const unsigned total = unsigned{counts[0]} + counts[1] + counts[2] + counts[3];
    std::size_t last_start = 0;
    for (unsigned i = 0; i < total; ++i) {
        last_start = r.position();
        std::uint16_t type = 0, cls = 0, rdlen = 0;
        std::uint32_t ttl = 0;
        if (!r.skip_name() || !r.u16(type) || !r.u16(cls)) {
            return st;
        }
        if (i < counts[0]) {
            continue; // a question has no TTL or rdata
        }
        if (!r.u32(ttl) || !r.u16(rdlen) || !r.skip(rdlen)) {
            return st;
        }
    }
    // The TSIG RR, if any, is the last RR of the message (RFC 8945 §5.1).
    Reader t(msg);
    t.skip(last_start);
    const std::size_t name_start = t.position();
    if (!t.skip_name()) {
        return st;
    }
    const std::size_t name_end = t.position();
    std::uint16_t type = 0, cls = 0, rdlen = 0;
    std::uint32_t ttl = 0;
    if (!t.u16(type) || !t.u16(cls) || !t.u32(ttl) || !t.u16(rdlen) || type != type_tsig) {
        return st;
    }
    st.present = true;
    st.error = TsigRcode::BadKey;
    st.unsigned_len = last_start;
    const std::size_t rdata_start = t.position();
    const std::size_t alg_len =
        wire_name_length(msg.data() + rdata_start, msg.size() - rdata_start);
    if (alg_len == 0 || wire_name_length(msg.data() + name_start, name_end - name_start) == 0) {
        return st; // a compressed key or algorithm name: not one of ours
    }
    const std::string key_name = lower_wire(msg.subspan(name_start, name_end - name_start));
    const std::string alg = lower_wire(msg.subspan(rdata_start, alg_len));
    st.named.name = key_name;
    st.named.algorithm = alg;
    // RFC 8945 §5.2.1: "If a non-forwarding server does not recognize the key or algorithm
    // used by the client, it MUST generate an error response with RCODE 9 (NOTAUTH) and TSIG
    // ERROR 17 (BADKEY)." A key known by name but configured with another algorithm is such a
    // key: BADKEY.
    for (const auto& k : keys) {
        if (k.name == key_name && alg == k.algorithm) {
            st.key = &k;
        }
    }
    if (st.key == nullptr) {
        return st;
    }
    Reader f(msg);
    f.skip(rdata_start + alg_len);
    std::uint16_t t_hi = 0, t_mid = 0, t_lo = 0, fudge = 0, mac_size = 0, orig = 0, err = 0,
                  other = 0;
    if (!f.u16(t_hi) || !f.u16(t_mid) || !f.u16(t_lo) || !f.u16(fudge) || !f.u16(mac_size) ||
        f.remaining() < mac_size) {
        st.error = TsigRcode::BadSig;
        return st;
    }
    const std::size_t mac_at = f.position();
    f.skip(mac_size);
    if (!f.u16(orig) || !f.u16(err) || !f.u16(other) || !f.skip(other)) {
        st.error = TsigRcode::BadSig;
        return st;
    }
    const std::uint64_t signed_at =
        (std::uint64_t{t_hi} << 32) | (std::uint64_t{t_mid} << 16) | t_lo;
    // A response's digest starts with the prior MAC (RFC 8945 §4.3.1, §5.3.1).
    std::string data;
    if (prior_mac != nullptr) {
        put16(data, static_cast<std::uint16_t>(prior_mac->size()));
        data += *prior_mac;
    }
    // The message as it was before the TSIG was added: original id, ARCOUNT - 1.
    const std::size_t at = data.size();
    data += as_string(msg.subspan(0, last_start));
    data[at] = static_cast<char>(orig >> 8);
    data[at + 1] = static_cast<char>(orig);
    const std::uint16_t ar = static_cast<std::uint16_t>(counts[3] - 1);
    data[at + 10] = static_cast<char>(ar >> 8);
    data[at + 11] = static_cast<char>(ar);
    std::string vars;
    if (!timers_only) {
        vars += key_name;
        put16(vars, class_any);
        vars.append(4, '\0');
        vars += alg;
    }
    put48(vars, signed_at);
    put16(vars, fudge);
    if (!timers_only) {
        put16(vars, err);
        put16(vars, other);
        vars += as_string(msg.subspan(f.position() - other, other));
    }
    const std::string expect = hmac(*st.key, data + vars);
    const std::string got = as_string(msg.subspan(mac_at, mac_size));
    if (got.size() != expect.size() || CRYPTO_memcmp(got.data(), expect.data(), got.size()) != 0) {
        st.error = TsigRcode::BadSig;
        return st;
    }
    st.mac = got;
    st.original_id = orig;
    const std::uint64_t skew = now > signed_at ? now - signed_at : signed_at - now;
    st.error = skew > fudge ? TsigRcode::BadTime : TsigRcode::NoError;
    return st;
}

std::string tsig_sign(std::vector<std::uint8_t>& msg, const TsigKey& key,
                      const std::string& prior_mac, bool first, std::uint64_t now,
                      TsigRcode error) {
    return sign(msg, key, prior_mac, true, !first, now, error);
}

std::string tsig_sign_request(std::vector<std::uint8_t>& msg, const TsigKey& key,
                              std::uint64_t now) {
    return sign(msg, key, {}, false, false, now, TsigRcode::NoError);
}

} // namespace sb::dnsd
