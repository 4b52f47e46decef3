#include "config.hpp"

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <openssl/rand.h>
#include <sys/stat.h>

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
                                          "dns.max_udp_payload",
                                          "dns.nameservers",
                                          "soap.listen",
                                          "soap.threads",
                                          "soap.call_data_days",
                                          "dns.identity",
                                          "dns.version",
                                          "dns.allow_transfer",
                                          "dns.tsig_key",
                                          "dns.notify",
                                          "dns.tcp_max_connections",
                                          "dns.rrl_rate",
                                          "dns.rrl_slip",
                                          "dns.tcp_max_per_address",
                                          "dns.tcp_reserved",
                                          "dns.tcp_io_timeout_ms",
                                          "dns.tcp_idle_timeout_ms",
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
                                          "store.map_size_mb"};

unsigned to_unsigned(const std::string& text, const std::string& key) {
    try {
        std::size_t used = 0;
        const unsigned long v = std::stoul(text, &used);
        if (used != text.size()) {
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
    number("dns.cookie_rotation", c.dns_cookie_rotation);
    flag("dns.rrl_require_cookie", c.dns_rrl_require_cookie);
    flag("dns.cookies", c.dns_cookies);
    c.dns_cookie_secret = tree.get<std::string>("dns.cookie_secret", "");
    if (auto v = tree.get_optional<std::string>("dns.rrl_rate")) {
        c.dns_rrl_rate = to_unsigned(*v, "[dns] rrl_rate");
    }
    if (auto v = tree.get_optional<std::string>("dns.rrl_slip")) {
        c.dns_rrl_slip = to_unsigned(*v, "[dns] rrl_slip");
    }
    if (auto v = tree.get_optional<std::string>("dns.tcp_max_connections")) {
        c.dns_tcp_max_connections = to_unsigned(*v, "[dns] tcp_max_connections");
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
        {"soap.idle_timeout", &c.soap_idle_timeout}};
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
    return c;
}

bool ensure_admin(Config& c) {
    if (!c.admin_username.empty() && !c.admin_password.empty()) {
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
    pt::ptree tree;
    if (std::filesystem::exists(c.file)) {
        pt::read_ini(c.file.string(), tree);
    }
    if (c.admin_username.empty()) {
        c.admin_username = "admin";
    }
    c.admin_password = password;
    tree.put("admin.username", c.admin_username);
    tree.put("admin.password", c.admin_password);
    const mode_t old = umask(077);
    try {
        pt::write_ini(c.file.string(), tree);
    } catch (...) {
        umask(old);
        throw;
    }
    umask(old);
    chmod(c.file.c_str(), 0600);
    return true;
}

} // namespace sb::app
