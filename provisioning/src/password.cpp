#include "provisioning/services.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace sb::prov {

namespace {

constexpr int iterations = 60000; // about 20 ms on this machine's kind of core
constexpr std::size_t salt_len = 16;
constexpr std::size_t hash_len = 32;

std::string hex(const unsigned char* p, std::size_t n) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back(digits[p[i] >> 4]);
        out.push_back(digits[p[i] & 15]);
    }
    return out;
}

bool unhex(const std::string& s, std::vector<unsigned char>& out) {
    if (s.size() % 2 != 0) {
        return false;
    }
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return -1;
    };
    out.clear();
    for (std::size_t i = 0; i < s.size(); i += 2) {
        const int hi = nibble(s[i]), lo = nibble(s[i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        out.push_back(static_cast<unsigned char>(hi * 16 + lo));
    }
    return true;
}

void derive(const std::string& password, const unsigned char* salt, std::size_t salt_size,
            int rounds, unsigned char* out) {
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt,
                          static_cast<int>(salt_size), rounds, EVP_sha256(),
                          static_cast<int>(hash_len), out) != 1) {
        throw std::runtime_error("PBKDF2 failed");
    }
}

} // namespace

std::string hash_password(const std::string& password) {
    unsigned char salt[salt_len];
    if (RAND_bytes(salt, sizeof salt) != 1) {
        throw std::runtime_error("no randomness for a password salt");
    }
    unsigned char hash[hash_len];
    derive(password, salt, sizeof salt, iterations, hash);
    return "pbkdf2-sha256$" + std::to_string(iterations) + "$" + hex(salt, sizeof salt) + "$" +
           hex(hash, sizeof hash);
}

bool verify_password(const std::string& password, const std::string& stored) {
    const std::string scheme = "pbkdf2-sha256$";
    if (stored.compare(0, scheme.size(), scheme) != 0) {
        return false;
    }
    const auto a = scheme.size();
    const auto b = stored.find('$', a);
    const auto c = b == std::string::npos ? b : stored.find('$', b + 1);
    if (c == std::string::npos) {
        return false;
    }
    const int rounds = std::atoi(stored.substr(a, b - a).c_str());
    std::vector<unsigned char> salt, expected;
    if (rounds <= 0 || !unhex(stored.substr(b + 1, c - b - 1), salt) ||
        !unhex(stored.substr(c + 1), expected) || expected.size() != hash_len) {
        return false;
    }
    unsigned char hash[hash_len];
    derive(password, salt.data(), salt.size(), rounds, hash);
    return CRYPTO_memcmp(hash, expected.data(), hash_len) == 0;
}

std::string password_token(const std::string& stored) {
    if (stored.empty()) {
        return "";
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    if (EVP_Digest(stored.data(), stored.size(), digest, &n, EVP_sha256(), nullptr) != 1) {
        throw std::runtime_error("SHA-256 failed");
    }
    return "hashed:" + hex(digest, 6);
}

bool keeps_password(const std::string& given, const std::string& stored) {
    return given.empty() || given == password_token(stored);
}

} // namespace sb::prov
