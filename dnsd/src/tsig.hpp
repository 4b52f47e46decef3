// TSIG (RFC 8945) with hmac-sha256, hmac-sha384, hmac-sha512 and hmac-sha1 (OpenSSL): verifying a
// signed request and signing the messages of its response. Transfers and NOTIFY only — not on the
// query hot path.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sb::dnsd {

struct TsigKey {
    std::string name;      // canonical wire form, lowercase
    std::string text;      // as configured, for messages
    std::string secret;    // raw bytes
    std::string algorithm; // canonical wire form of the algorithm name, e.g. hmac-sha256.
    unsigned digest = 0;   // index into the algorithm table of tsig.cpp
};

// The algorithm names a key may name, as configured: "hmac-sha256 hmac-sha384 ...".
const char* tsig_algorithm_names() noexcept;

// "NAME:ALGORITHM:BASE64" → key, ALGORITHM one of tsig_algorithm_names(); throws
// std::runtime_error saying what is wrong.
TsigKey parse_tsig_key(const std::string& spec);

enum class TsigRcode : std::uint16_t { NoError = 0, BadSig = 16, BadKey = 17, BadTime = 18 };

// What verify() found in a request.
struct TsigState {
    bool present = false; // the request carried a TSIG RR
    TsigRcode error = TsigRcode::NoError;
    const TsigKey* key = nullptr; // the key that verified (or was named, for BADTIME)
    TsigKey named;   // the request's key name and algorithm (no secret), for an unsigned BADKEY
    std::string mac; // the request MAC, signed into the first response
    std::uint16_t original_id = 0;
    std::size_t unsigned_len = 0; // length of the request without its TSIG RR
};

// Looks for a TSIG RR at the end of `msg` (the last RR of ADDITIONAL) and verifies it. A
// response (a transfer client reading its primary's answer) passes the prior MAC — the
// request's for the first message, the previous message's after — and, after the first
// message, timers_only (RFC 8945 §5.3.1).
TsigState tsig_verify(std::span<const std::uint8_t> msg, const std::vector<TsigKey>& keys,
                      std::uint64_t now, const std::string* prior_mac = nullptr,
                      bool timers_only = false);

// Appends a TSIG RR to the complete message `msg` (ARCOUNT incremented). `prior_mac` is the
// request MAC for the first message and the previous response MAC after it; `first` selects
// the full variables (RFC 8945 §5.3) or timers only (§5.3.1). Returns the new MAC. With
// error BadKey/BadSig the RR is sent unsigned (empty MAC).
std::string tsig_sign(std::vector<std::uint8_t>& msg, const TsigKey& key,
                      const std::string& prior_mac, bool first, std::uint64_t now,
                      TsigRcode error = TsigRcode::NoError);

// Signs a request (NOTIFY): no prior MAC. Returns the MAC.
std::string tsig_sign_request(std::vector<std::uint8_t>& msg, const TsigKey& key,
                              std::uint64_t now);

} // namespace sb::dnsd
