// Customer login passwords: salted PBKDF2-HMAC-SHA256 (OpenSSL), never stored in clear.
#pragma once

#include <string>

namespace sb::prov {

// "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" of `password` with a fresh random salt.
std::string hash_password(const std::string& password);

// Constant-time check of `password` against a stored hash_password() value.
bool verify_password(const std::string& password, const std::string& stored);

// What getAccount shows in place of the password: "hashed:" and 12 hex digits of SHA-256 of
// the stored hash (the salt and hash stay unknown), "" when none is stored. An update that
// sends this token back keeps the password, as CDRTool's customer form does.
std::string password_token(const std::string& stored);

// Whether `given` asks to keep the stored password: empty, or the stored hash's token.
bool keeps_password(const std::string& given, const std::string& stored);

} // namespace sb::prov
