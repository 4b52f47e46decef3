// Customer login passwords: salted PBKDF2-HMAC-SHA256 (OpenSSL), never stored in clear.
#pragma once

#include <string>

namespace sb::prov {

// "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>" of `password` with a fresh random salt.
std::string hash_password(const std::string& password);

// Constant-time check of `password` against a stored hash_password() value.
bool verify_password(const std::string& password, const std::string& stored);

} // namespace sb::prov
