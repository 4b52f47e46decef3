// switchboard.ini: every key has a default; command-line flags override the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace sb::app {

struct Endpoint {
    std::string address;
    std::uint16_t port = 0;
};

// "127.0.0.1:5300", "[::1]:53" → Endpoint; throws std::runtime_error naming the flag/key.
Endpoint parse_endpoint(const std::string& text, const std::string& what);

struct Config {
    std::filesystem::path file;
    std::string admin_username;
    std::string admin_password;
    std::vector<std::string> dns_listen{"127.0.0.1:5300"}; // [dns] listen: ADDR:PORT ...
    unsigned dns_workers = 0;                              // 0: one per core
    std::uint16_t dns_max_udp_payload = 1232;
    Endpoint soap{"127.0.0.1", 9200};
    unsigned soap_threads = 32;
    unsigned call_data_days = 90; // [soap] call_data_days: retention of the proxy's call data
    std::string soap_certificate; // [soap] certificate (PEM, with its chain)
    std::string soap_key;         // [soap] key (PEM)
    bool soap_allow_plain_http = false;
    unsigned soap_max_request_kb = 8192;
    unsigned soap_max_connections = 256;
    unsigned soap_max_connections_per_address = 32;
    unsigned soap_request_timeout = 30;
    unsigned soap_idle_timeout = 15;
    std::vector<std::string> default_nameservers;
    std::string dns_identity;                    // [dns] identity: CH TXT id.server
    std::string dns_version;                     // [dns] version: CH TXT version.bind
    std::vector<std::string> dns_allow_transfer; // [dns] allow_transfer: ADDR[/LEN] ...
    std::vector<std::string> dns_tsig_keys;      // [dns] tsig_key: NAME:hmac-sha256:BASE64 ...
    std::vector<std::string> dns_notify;         // [dns] notify: ADDR:PORT ...
    unsigned dns_tcp_max_connections = 512;      // [dns] tcp_max_connections
    unsigned dns_rrl_rate = 0;                   // [dns] rrl_rate
    unsigned dns_rrl_slip = 2;                   // [dns] rrl_slip
    // [dns] tcp_max_per_address, tcp_reserved, tcp_io_timeout_ms, tcp_idle_timeout_ms,
    // rrl_require_cookie, cookies, cookie_secret, cookie_rotation (dnsd::Options has the
    // defaults and the meaning).
    unsigned dns_tcp_max_per_address = 32;
    unsigned dns_tcp_reserved = 32;
    unsigned dns_tcp_io_timeout_ms = 500;
    unsigned dns_tcp_idle_timeout_ms = 10000;
    bool dns_rrl_require_cookie = false;
    bool dns_cookies = true;
    std::string dns_cookie_secret;
    unsigned dns_cookie_rotation = 3600;
    std::size_t map_size_mb = 65536;
};

// Reads `file` if it exists (unknown keys are an error, to catch typos).
Config load_config(const std::filesystem::path& file);

// When no admin is configured: generate a random password, store both keys in `file`
// (mode 0600, other keys kept) and return true so the caller prints it once.
bool ensure_admin(Config& config);

} // namespace sb::app
