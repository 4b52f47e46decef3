#include "config.hpp"

#include "zones/zones.hpp"

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>

namespace sb::app {

namespace {

namespace pt = boost::property_tree;

const std::set<std::string> known_keys = {"admin.username",
                                          "admin.password",
                                          "dns.listen",
                                          "dns.workers",
                                          "dns.cpu_affinity",
                                          "dns.max_udp_payload",
                                          "dns.nameservers",
                                          "soap.listen",
                                          "soap.threads",
                                          "soap.call_data_days",
                                          "soap.prepaid_grace",
                                          "dns.identity",
                                          "dns.version",
                                          "dns.allow_transfer",
                                          "dns.tsig_key",
                                          "dns.notify",
                                          "dns.tcp_max_connections",
                                          "dns.journal_max_bytes",
                                          "dns.rrl_rate",
                                          "dns.rrl_slip",
                                          "dns.tcp_max_per_address",
                                          "dns.tcp_reserved",
                                          "dns.tcp_io_timeout_ms",
                                          "dns.tcp_idle_timeout_ms",
                                          "dns.max_transfers",
                                          "dns.transfer_timeout_ms",
                                          "dns.rrl_require_cookie",
                                          "dns.cookies",
                                          "dns.cookie_secret",
                                          "dns.cookie_rotation",
                                          "soap.certificate",
                                          "soap.key",
                                          "soap.allow_plain_http",
                                          "soap.max_request_kb",
                                          "soap.max_connections",
                                          "soap.max_connections_per_address",
                                          "soap.request_timeout",
                                          "soap.idle_timeout",
                                          "store.map_size_mb",
                                          "server.user",
                                          "log.level",
                                          "log.target",
                                          "metrics.listen",
                                          "catalog.zone",
                                          "secondary.primaries",
                                          "secondary.zones",
                                          "secondary.catalog",
                                          "dnssec.zones",
                                          "dnssec.algorithm",
                                          "dnssec.nsec3",
                                          "dnssec.signature_lifetime",
                                          "dnssec.signature_refresh",
                                          "dnssec.clock_offset",
                                          "dnssec.propagation_delay",
                                          "dnssec.parent_ds_ttl",
                                          "dnssec.keys"};

unsigned to_unsigned(const std::string& text, const std::string& key);

// [dnssec]: which zones Switchboard signs, and how (zones/signer.hpp, docs/decisions.md).
template <class Tree>
zones::SigningPolicy dnssec_policy(const Tree& tree, const std::string& zones_value) {
    zones::SigningPolicy p;
    std::istringstream words(zones_value);
    for (std::string w; words >> w;) {
        if (w == "*") {
            p.all = true;
            continue;
        }
        try {
            p.zones.push_back(zones::canonical_name(w, "[dnssec] zones"));
        } catch (const zones::InvalidValue& e) {
            throw std::runtime_error(e.what());
        }
    }
    if (auto v = tree.template get_optional<std::string>("dnssec.algorithm")) {
        const unsigned a = to_unsigned(*v, "[dnssec] algorithm");
        if (a != 13 && a != 15) {
            throw std::runtime_error("[dnssec] algorithm: '" + *v +
                                     "' is not 13 (ECDSAP256SHA256) or 15 (Ed25519)");
        }
        p.algorithm = static_cast<std::uint8_t>(a);
    }
    if (auto v = tree.template get_optional<std::string>("dnssec.nsec3")) {
        if (*v != "yes" && *v != "no") {
            throw std::runtime_error("[dnssec] nsec3: '" + *v +
                                     "' is not yes (NSEC3, no salt, 0 iterations) or no (NSEC)");
        }
        p.nsec3 = *v == "yes";
    }
    if (auto v = tree.template get_optional<std::string>("dnssec.keys")) {
        if (*v != "csk" && *v != "ksk-zsk") {
            throw std::runtime_error(
                "[dnssec] keys: '" + *v +
                "' is not csk (one combined key) or ksk-zsk (a KSK and a ZSK)");
        }
        p.keys = *v == "csk" ? zones::KeyScheme::Csk : zones::KeyScheme::KskZsk;
    }
    if (auto v = tree.template get_optional<std::string>("dnssec.signature_lifetime")) {
        p.lifetime = to_unsigned(*v, "[dnssec] signature_lifetime");
    }
    if (auto v = tree.template get_optional<std::string>("dnssec.signature_refresh")) {
        p.refresh = to_unsigned(*v, "[dnssec] signature_refresh");
    }
    if (p.refresh >= p.lifetime || p.lifetime < 3 * 3600) {
        throw std::runtime_error("[dnssec] signature_refresh must be shorter than "
                                 "signature_lifetime, and the lifetime at least 3 hours (10800)");
    }
    if (auto v = tree.template get_optional<std::string>("dnssec.propagation_delay")) {
        p.propagation_delay = to_unsigned(*v, "[dnssec] propagation_delay");
    }
    if (auto v = tree.template get_optional<std::string>("dnssec.parent_ds_ttl")) {
        p.parent_ds_ttl = to_unsigned(*v, "[dnssec] parent_ds_ttl");
    }
    if (auto v = tree.template get_optional<std::string>("dnssec.clock_offset")) {
        try {
            p.clock_offset = std::stoll(*v);
        } catch (const std::exception&) {
            throw std::runtime_error("[dnssec] clock_offset: '" + *v + "' is not a number");
        }
    }
    return p;
}

unsigned to_unsigned(const std::string& text, const std::string& key) {
    try {
        std::size_t used = 0;
        // stoul takes "-1" and wraps it: a sign is refused, and a value beyond unsigned.
        const unsigned long v = std::stoul(text, &used);
        if (used != text.size() || text.find('-') != std::string::npos ||
            v > std::numeric_limits<unsigned>::max()) {
            throw std::invalid_argument(text);
        }
        return static_cast<unsigned>(v);
    } catch (const std::exception&) {
        throw std::runtime_error(key + ": '" + text + "' is not a non-negative number");
    }
}

} // namespace

Endpoint parse_endpoint(const std::string& text, const std::string& what) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
        throw std::runtime_error(what + ": expected ADDRESS:PORT, got '" + text + "'");
    }
    Endpoint e;
    e.address = text.substr(0, colon);
    if (e.address.size() > 2 && e.address.front() == '[' && e.address.back() == ']') {
        e.address = e.address.substr(1, e.address.size() - 2);
    }
    const unsigned port = to_unsigned(text.substr(colon + 1), what);
    if (port > 65535) {
        throw std::runtime_error(what + ": port " + std::to_string(port) + " is out of range");
    }
    e.port = static_cast<std::uint16_t>(port);
    return e;
}

Config load_config(const std::filesystem::path& file) {
    Config c;
    c.file = file;
    if (!std::filesystem::exists(file)) {
        return c;
    }
    pt::ptree tree;
    try {
        pt::read_ini(file.string(), tree);
    } catch (const pt::ini_parser_error& e) {
        throw std::runtime_error(file.string() + ": " + e.message() + " at line " +
                                 std::to_string(e.line()));
    }
    for (const auto& [section, keys] : tree) {
        if (section == "transfer") {
            // Its keys are zone names and catalog groups: dnsd checks them when it starts.
            for (const auto& [zone, value] : keys) {
                std::istringstream in(value.data());
                auto& rule = c.transfer_rules.emplace_back(zone, std::vector<std::string>{});
                for (std::string w; in >> w;) {
                    rule.second.push_back(w);
                }
            }
            continue;
        }
        for (const auto& [key, value] : keys) {
            const std::string full = section + "." + key;
            if (!known_keys.count(full)) {
                throw std::runtime_error(file.string() + ": unknown key [" + section + "] " + key);
            }
        }
    }
    c.admin_username = tree.get<std::string>("admin.username", "");
    c.admin_password = tree.get<std::string>("admin.password", "");
    if (auto v = tree.get_optional<std::string>("dns.workers")) {
        c.dns_workers = to_unsigned(*v, "[dns] workers");
    }
    if (auto v = tree.get_optional<std::string>("dns.max_udp_payload")) {
        c.dns_max_udp_payload =
            static_cast<std::uint16_t>(to_unsigned(*v, "[dns] max_udp_payload"));
    }
    if (auto v = tree.get_optional<std::string>("dns.nameservers")) {
        std::istringstream words(*v);
        for (std::string ns; words >> ns;) {
            c.default_nameservers.push_back(ns);
        }
    }
    auto words = [&](const char* key, std::vector<std::string>& out) {
        if (auto v = tree.get_optional<std::string>(key)) {
            std::istringstream in(*v);
            for (std::string w; in >> w;) {
                out.push_back(w);
            }
        }
    };
    c.dns_identity = tree.get<std::string>("dns.identity", "");
    c.dns_version = tree.get<std::string>("dns.version", "");
    words("dns.allow_transfer", c.dns_allow_transfer);
    words("dns.tsig_key", c.dns_tsig_keys);
    words("dns.notify", c.dns_notify);
    if (tree.get_optional<std::string>("dns.listen")) {
        c.dns_listen.clear();
        words("dns.listen", c.dns_listen);
    }
    const auto flag = [&](const char* key, bool& out) {
        if (auto v = tree.get_optional<std::string>(key)) {
            if (*v != "true" && *v != "false" && *v != "yes" && *v != "no" && *v != "1" &&
                *v != "0") {
                throw std::runtime_error(std::string("[dns] ") + (key + 4) + ": '" + *v +
                                         "' is not true or false");
            }
            out = *v == "true" || *v == "yes" || *v == "1";
        }
    };
    const auto number = [&](const char* key, unsigned& out) {
        if (auto v = tree.get_optional<std::string>(key)) {
            out = to_unsigned(*v, std::string("[dns] ") + (key + 4));
        }
    };
    number("dns.tcp_max_per_address", c.dns_tcp_max_per_address);
    number("dns.tcp_reserved", c.dns_tcp_reserved);
    number("dns.tcp_io_timeout_ms", c.dns_tcp_io_timeout_ms);
    number("dns.tcp_idle_timeout_ms", c.dns_tcp_idle_timeout_ms);
    number("dns.max_transfers", c.dns_max_transfers);
    number("dns.transfer_timeout_ms", c.dns_transfer_timeout_ms);
    number("dns.cookie_rotation", c.dns_cookie_rotation);
    flag("dns.rrl_require_cookie", c.dns_rrl_require_cookie);
    flag("dns.cpu_affinity", c.dns_cpu_affinity);
    flag("dns.cookies", c.dns_cookies);
    c.dns_cookie_secret = tree.get<std::string>("dns.cookie_secret", "");
    if (auto v = tree.get_optional<std::string>("dns.rrl_rate")) {
        c.dns_rrl_rate = to_unsigned(*v, "[dns] rrl_rate");
    }
    if (auto v = tree.get_optional<std::string>("dns.rrl_slip")) {
        c.dns_rrl_slip = to_unsigned(*v, "[dns] rrl_slip");
    }
    if (auto v = tree.get_optional<std::string>("dns.journal_max_bytes")) {
        c.dns_journal_max_bytes = to_unsigned(*v, "[dns] journal_max_bytes");
    }
    if (auto v = tree.get_optional<std::string>("dns.tcp_max_connections")) {
        c.dns_tcp_max_connections = to_unsigned(*v, "[dns] tcp_max_connections");
    }
    if (auto v = tree.get_optional<std::string>("catalog.zone"); v && !v->empty()) {
        try {
            c.catalog_zone = zones::canonical_name(*v, "[catalog] zone");
        } catch (const zones::InvalidValue& e) {
            throw std::runtime_error(e.what());
        }
        if (c.catalog_zone->empty()) {
            throw std::runtime_error("[catalog] zone: the root cannot be the catalog zone");
        }
    }
    words("secondary.primaries", c.secondary_primaries);
    words("secondary.zones", c.secondary_zones);
    c.secondary_catalog = tree.get<std::string>("secondary.catalog", "");
    if (!c.secondary_catalog.empty() && c.catalog_zone &&
        zones::canonical_name(c.secondary_catalog, "[secondary] catalog") == *c.catalog_zone) {
        throw std::runtime_error("[secondary] catalog: " + *c.catalog_zone +
                                 " is this server's own [catalog] zone; consume another one");
    }
    if ((!c.secondary_zones.empty() || !c.secondary_catalog.empty()) &&
        c.secondary_primaries.empty()) {
        throw std::runtime_error("[secondary] primaries: the zones to keep need at least one "
                                 "primary (ADDR:PORT or ADDR:PORT@KEY)");
    }
    if (auto v = tree.get_optional<std::string>("dnssec.zones"); v && !v->empty()) {
        c.dnssec = dnssec_policy(tree, *v);
    }
    if (auto v = tree.get_optional<std::string>("soap.listen")) {
        c.soap = parse_endpoint(*v, "[soap] listen");
    }
    if (auto v = tree.get_optional<std::string>("soap.threads")) {
        c.soap_threads = to_unsigned(*v, "[soap] threads");
    }
    c.soap_certificate = tree.get<std::string>("soap.certificate", "");
    c.soap_key = tree.get<std::string>("soap.key", "");
    if (auto v = tree.get_optional<std::string>("soap.allow_plain_http")) {
        if (*v != "yes" && *v != "no") {
            throw std::runtime_error("[soap] allow_plain_http: yes or no, not '" + *v + "'");
        }
        c.soap_allow_plain_http = *v == "yes";
    }
    const std::pair<const char*, unsigned*> numbers[] = {
        {"soap.max_request_kb", &c.soap_max_request_kb},
        {"soap.max_connections", &c.soap_max_connections},
        {"soap.max_connections_per_address", &c.soap_max_connections_per_address},
        {"soap.request_timeout", &c.soap_request_timeout},
        {"soap.idle_timeout", &c.soap_idle_timeout},
        {"soap.prepaid_grace", &c.soap_prepaid_grace}};
    for (const auto& [key, target] : numbers) {
        if (auto v = tree.get_optional<std::string>(key)) {
            std::string name = key;
            name.replace(0, 5, "[soap] ");
            *target = to_unsigned(*v, name);
        }
    }
    if (auto v = tree.get_optional<std::string>("soap.call_data_days")) {
        c.call_data_days = to_unsigned(*v, "[soap] call_data_days");
    }
    if (auto v = tree.get_optional<std::string>("store.map_size_mb")) {
        c.map_size_mb = to_unsigned(*v, "[store] map_size_mb");
    }
    c.server_user = tree.get<std::string>("server.user", "");
    if (auto v = tree.get_optional<std::string>("log.level")) {
        if (!log::parse_level(*v, c.log_level)) {
            throw std::runtime_error(file.string() +
                                     ": [log] level: one of error, warning, "
                                     "notice, info, debug, not '" +
                                     *v + "'");
        }
    }
    if (auto v = tree.get_optional<std::string>("log.target")) {
        if (*v != "stderr" && *v != "journal") {
            throw std::runtime_error(file.string() + ": [log] target: stderr or journal, not '" +
                                     *v + "'");
        }
        c.log_target = *v == "journal" ? log::Target::Journal : log::Target::Stderr;
    }
    if (auto v = tree.get_optional<std::string>("metrics.listen")) {
        c.metrics = parse_endpoint(*v, "[metrics] listen");
    }
    return c;
}

std::string tsig_key_problem(const std::string& spec) {
    const auto a = spec.find(':');
    const auto b = a == std::string::npos ? a : spec.find(':', a + 1);
    if (b == std::string::npos) {
        return "[dns] tsig_key '" + spec + "': write it as NAME:ALGORITHM:BASE64SECRET";
    }
    const std::string name = spec.substr(0, a);
    const std::string alg = spec.substr(a + 1, b - a - 1);
    const std::string secret = spec.substr(b + 1);
    // RFC 8945 §6: hmac-sha256 is mandatory, hmac-sha512 recommended, hmac-sha384 and
    // hmac-sha1 optional (kept for older peers).
    if (alg != "hmac-sha256" && alg != "hmac-sha384" && alg != "hmac-sha512" &&
        alg != "hmac-sha1") {
        return "[dns] tsig_key " + name + ": algorithm " + alg +
               " is not supported; use hmac-sha256, hmac-sha384, hmac-sha512 or hmac-sha1";
    }
    std::string raw(secret.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                                  reinterpret_cast<const unsigned char*>(secret.data()),
                                  static_cast<int>(secret.size()));
    if (secret.empty() || secret.size() % 4 != 0 || n < 0) {
        return "[dns] tsig_key " + name +
               ": the secret is not base64 (make one with: openssl rand -base64 32)";
    }
    return "";
}

void validate(const Config& c) {
    for (const auto& k : c.dns_tsig_keys) {
        if (auto problem = tsig_key_problem(k); !problem.empty()) {
            throw std::runtime_error(c.file.string() + ": " + problem);
        }
    }
}

std::filesystem::path data_dir(const std::map<std::string, std::string>& flags) {
    const auto it = flags.find("data");
    if (it == flags.end() || it->second.empty()) {
        throw std::runtime_error("--data DIR is required");
    }
    return it->second;
}

Config load_config(const std::map<std::string, std::string>& flags) {
    const auto data = data_dir(flags);
    const auto config = flags.find("config");
    Config c = load_config(config != flags.end() ? std::filesystem::path(config->second)
                                                 : data / "switchboard.ini");
    if (flags.count("dns")) { // --dns may be given several times: the words joined by spaces
        c.dns_listen.clear();
        std::istringstream words(flags.at("dns"));
        for (std::string w; words >> w;) {
            c.dns_listen.push_back(w);
        }
    }
    if (flags.count("soap")) {
        c.soap = parse_endpoint(flags.at("soap"), "--soap");
    }
    return c;
}

std::filesystem::path credentials_file(const std::filesystem::path& data) {
    return data / "admin.ini";
}

bool ensure_admin(Config& c, const std::filesystem::path& data) {
    if (!c.admin_username.empty() && !c.admin_password.empty()) {
        return false;
    }
    const auto file = credentials_file(data);
    if (std::filesystem::exists(file)) {
        pt::ptree tree;
        try {
            pt::read_ini(file.string(), tree);
        } catch (const pt::ini_parser_error& e) {
            throw std::runtime_error(file.string() + ": " + e.message() +
                                     " (delete it to generate new credentials)");
        }
        c.admin_username = tree.get<std::string>("admin.username", "");
        c.admin_password = tree.get<std::string>("admin.password", "");
        if (c.admin_username.empty() || c.admin_password.empty()) {
            throw std::runtime_error(file.string() + ": needs [admin] username and password "
                                                     "(delete it to generate new ones)");
        }
        return false;
    }
    unsigned char bytes[12];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        throw std::runtime_error("cannot generate an admin password: no randomness");
    }
    static const char hex[] = "0123456789abcdef";
    std::string password;
    for (const unsigned char b : bytes) {
        password.push_back(hex[b >> 4]);
        password.push_back(hex[b & 15]);
    }
    if (c.admin_username.empty()) {
        c.admin_username = "admin";
    }
    c.admin_password = password;
    const std::string text = "# Generated by switchboard on first start; [admin] in the "
                             "configuration file overrides it.\n[admin]\nusername = " +
                             c.admin_username + "\npassword = " + c.admin_password + "\n";
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
    }
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const bool closed = ::close(fd) == 0;
    if (!written || !closed) {
        std::filesystem::remove(file);
        throw std::runtime_error("cannot write " + file.string());
    }
    return true;
}

} // namespace sb::app
