// switchboard.ini: every key has a default; command-line flags override the file.
#pragma once

#include "log/log.hpp"
#include "zones/signer.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
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
    unsigned soap_prepaid_grace = 300; // [soap] prepaid_grace: seconds before an unsettled
                                       // prepaid reservation is charged in full
    std::vector<std::string> default_nameservers;
    std::string dns_identity;                      // [dns] identity: CH TXT id.server
    std::string dns_version;                       // [dns] version: CH TXT version.bind
    std::vector<std::string> dns_allow_transfer;   // [dns] allow_transfer: ADDR[/LEN] ...
    std::vector<std::string> dns_tsig_keys;        // [dns] tsig_key: NAME:ALGORITHM:BASE64 ...
    std::vector<std::string> dns_notify;           // [dns] notify: ADDR:PORT ...
    unsigned dns_tcp_max_connections = 512;        // [dns] tcp_max_connections
    std::uint64_t dns_journal_max_bytes = 1 << 20; // [dns] journal_max_bytes (per zone)
    unsigned dns_rrl_rate = 0;                     // [dns] rrl_rate
    unsigned dns_rrl_slip = 2;                     // [dns] rrl_slip
    // [dns] tcp_max_per_address, tcp_reserved, tcp_io_timeout_ms, tcp_idle_timeout_ms,
    // rrl_require_cookie, cookies, cookie_secret, cookie_rotation (dnsd::Options has the
    // defaults and the meaning).
    unsigned dns_tcp_max_per_address = 32;
    unsigned dns_tcp_reserved = 32;
    unsigned dns_tcp_io_timeout_ms = 500;
    unsigned dns_tcp_idle_timeout_ms = 10000;
    // [transfer] ZONE or group:dns / group:enum = ADDR[/LEN] ... key:NAME ...
    std::vector<std::pair<std::string, std::vector<std::string>>> transfer_rules;
    unsigned dns_max_transfers = 4;           // [dns] max_transfers
    unsigned dns_transfer_timeout_ms = 10000; // [dns] transfer_timeout_ms
    bool dns_rrl_require_cookie = false;
    bool dns_cpu_affinity = true; // [dns] cpu_affinity (dnsd::Options)
    bool dns_cookies = true;
    std::string dns_cookie_secret;
    unsigned dns_cookie_rotation = 3600;
    std::size_t map_size_mb = 65536;
    // [catalog] zone: the RFC 9432 catalog zone's name; none: no catalog (zones/catalog.hpp).
    std::optional<std::string> catalog_zone;
    // [secondary] primaries (ADDR:PORT[@KEY] ...), zones (names ...), catalog (a catalog zone
    // to consume): zones kept from primaries (dnsd/secondary.hpp).
    std::vector<std::string> secondary_primaries;
    std::vector<std::string> secondary_zones;
    std::string secondary_catalog;
    // [dnssec] zones (* or names), algorithm, nsec3, signature_lifetime, signature_refresh,
    // propagation_delay, parent_ds_ttl, clock_offset (tests only); none: nothing signed
    // (zones/signer.hpp).
    std::optional<zones::SigningPolicy> dnssec;
    std::string server_user;                      // [server] user: run as, once bound
    log::Level log_level = log::Level::Info;      // [log] level
    log::Target log_target = log::Target::Stderr; // [log] target: stderr | journal
    Endpoint metrics{};                           // [metrics] listen; port 0: off
};

// Reads `file` if it exists (unknown keys are an error, to catch typos).
Config load_config(const std::filesystem::path& file);

// What is wrong with a `[dns] tsig_key` entry (NAME:ALGORITHM:BASE64), in words an operator
// can act on; empty when nothing is.
std::string tsig_key_problem(const std::string& spec);

// Throws std::runtime_error with the first problem that the file's syntax does not catch but
// a server would refuse at start (TSIG keys), so a reload can refuse it up front.
void validate(const Config& config);

// The configuration a command runs with: --data (required), --config (default
// DATA/switchboard.ini), then --dns and --soap over the file's [dns]/[soap] listen.
Config load_config(const std::map<std::string, std::string>& flags);

// --data, or a std::runtime_error saying it is required.
std::filesystem::path data_dir(const std::map<std::string, std::string>& flags);

// The file in the data dir holding generated administrator credentials (the ini is never
// rewritten: docs/decisions.md).
std::filesystem::path credentials_file(const std::filesystem::path& data);

// When the config names no admin: read `data`/admin.ini, or, when there is none, generate a
// random password, write it there (mode 0600, created exclusively) and return true so the
// caller prints it once. The configuration file is never written.
bool ensure_admin(Config& config, const std::filesystem::path& data);

} // namespace sb::app
