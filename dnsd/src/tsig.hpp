// TSIG (RFC 8945) with hmac-sha256 (OpenSSL): verifying a signed request and signing the
// messages of its response. Transfers and NOTIFY only — not on the query hot path.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace sb::dnsd {

struct TsigKey {
    std::string name;   // canonical wire form, lowercase
    std::string text;   // as configured, for messages
    std::string secret; // raw bytes
};

// "NAME:hmac-sha256:BASE64" → key; throws std::runtime_error saying what is wrong.
TsigKey parse_tsig_key(const std::string& spec);

enum class TsigRcode : std::uint16_t { NoError = 0, BadSig = 16, BadKey = 17, BadTime = 18 };

// What verify() found in a request.
struct TsigState {
    bool present = false; // the request carried a TSIG RR
    TsigRcode error = TsigRcode::NoError;
    const TsigKey* key = nullptr; // the key that verified (or was named, for BADTIME)
    std::string mac;              // the request MAC, signed into the first response
    std::uint16_t original_id = 0;
    std::size_t unsigned_len = 0; // length of the request without its TSIG RR
};

// Looks for a TSIG RR at the end of `msg` (the last RR of ADDITIONAL) and verifies it.
TsigState tsig_verify(std::span<const std::uint8_t> msg, const std::vector<TsigKey>& keys,
                      std::uint64_t now);

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
