// switchboard — the one executable: subcommands, config, process wiring. The only code that
// links both dnsd and provisioning.
#include "backup_command.hpp"
#include "config.hpp"
#include "dnsd/dnsd.hpp"
#include "import_cdrs.hpp"
#include "provisioning/provisioning.hpp"
#include "store/store.hpp"
#include "zone_command.hpp"

#include <pthread.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

namespace {

using namespace sb;

constexpr const char* usage = R"(usage: switchboard COMMAND [OPTIONS]

Commands:
  serve       DNS and SOAP provisioning in one process
  dns         the DNS server alone
  provision   the SOAP provisioning server alone
  (dns and provision may run as separate processes on the same data dir)
  zone import FILE --data DIR [--zone NAME] [--customer ID] [--force-serial yes]
              load an RFC 1035 master file into a zone (its serial kept; a lower
              serial than the zone's is refused unless forced)
  zone export ZONE --data DIR
              print a zone as a master file (what a secondary receives by AXFR)
  import-cdrs FILE.csv --data DIR
              store the call detail records of a CSV file (docs/sip.md) as call data
  backup DIR --data DATA_DIR
              a consistent copy of the store into the empty DIR, while serving
  restore DIR --data DATA_DIR
              install a backup (checked against this schema version) as the store of an
              empty DATA_DIR; stop the servers first
  compact --data DATA_DIR
              rewrite the DNS data in key order, pages full and adjacent: fewer pages
              for the DNS server to touch; run after a bulk import (safe while serving)

Options:
  --data DIR          data directory holding the LMDB store (required)
  --config FILE       configuration file (default: DIR/switchboard.ini)
  --dns ADDR:PORT     DNS listen address, UDP and TCP, may be repeated; [V6ADDR]:PORT for
                      IPv6 (default 127.0.0.1:5300; [dns] listen, space separated)
  --soap ADDR:PORT    SOAP listen address (default 127.0.0.1:9200; [soap] listen)
  -h, --help          this text

switchboard.ini keys (all optional):
  [admin]  username, password      the provisioning administrator; generated on first start
  [dns]    listen, workers, max_udp_payload, nameservers (default NS for new zones),
           identity, version, allow_transfer, tsig_key, notify, tcp_max_connections,
           tcp_max_per_address, tcp_reserved, tcp_io_timeout_ms, tcp_idle_timeout_ms,
           rrl_rate, rrl_slip, rrl_require_cookie, cookies, cookie_secret, cookie_rotation
  [soap]   listen, threads, call_data_days, certificate, key, allow_plain_http,
           max_request_kb, max_connections, max_connections_per_address,
           request_timeout, idle_timeout
  [store]  map_size_mb
)";

struct Args {
    std::string command;
    std::vector<std::string> words; // positional words after the command
    std::map<std::string, std::string> flags;
};

Args parse_args(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "-h" || arg == "--help") {
            a.flags["help"] = "1";
        } else if (arg.rfind("--", 0) == 0) {
            const auto eq = arg.find('=');
            std::string name, value;
            if (eq != std::string::npos) {
                name = arg.substr(2, eq - 2);
                value = arg.substr(eq + 1);
            } else if (i + 1 < argc) {
                name = arg.substr(2);
                value = argv[++i];
            } else {
                throw std::runtime_error(arg + " needs a value");
            }
            std::string& flag = a.flags[name];
            if (name != "dns") {
                flag.clear(); // the last one counts
            } else if (!flag.empty()) {
                flag.push_back(' '); // --dns may be given several times
            }
            flag.append(value);
        } else if (a.command.empty()) {
            a.command = arg;
        } else {
            a.words.push_back(arg);
        }
    }
    static const std::set<std::string> known = {"help", "data",     "config", "dns",
                                                "soap", "customer", "zone",   "force-serial"};
    for (const auto& [k, v] : a.flags) {
        if (!known.count(k)) {
            throw std::runtime_error("unknown option --" + k);
        }
    }
    if (a.command != "zone" && a.command != "backup" && a.command != "restore" &&
        a.command != "import-cdrs" && !a.words.empty()) {
        throw std::runtime_error("unexpected argument '" + a.words.front() + "'");
    }
    return a;
}

// Blocks SIGINT/SIGTERM in every thread started after it; wait_for_signal() takes them.
sigset_t block_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    return set;
}

int run(const Args& args) {
    if (args.flags.count("help") || args.command.empty()) {
        std::cout << usage;
        return args.command.empty() && !args.flags.count("help") ? 2 : 0;
    }
    if (args.command == "zone") {
        return app::zone_command(args.words, args.flags);
    }
    if (args.command == "import-cdrs") {
        return app::import_cdrs_command(args.words, args.flags);
    }
    if (args.command == "backup" || args.command == "restore" || args.command == "compact") {
        return app::backup_command(args.command, args.words, args.flags);
    }
    const bool want_dns = args.command == "serve" || args.command == "dns";
    const bool want_soap = args.command == "serve" || args.command == "provision";
    if (!want_dns && !want_soap) {
        throw std::runtime_error("unknown command '" + args.command + "' (see --help)");
    }
    if (!args.flags.count("data")) {
        throw std::runtime_error("--data DIR is required");
    }
    const std::filesystem::path data = args.flags.at("data");
    std::filesystem::create_directories(data);
    const std::filesystem::path config_file = args.flags.count("config")
                                                  ? std::filesystem::path(args.flags.at("config"))
                                                  : data / "switchboard.ini";
    app::Config config = app::load_config(config_file);
    if (args.flags.count("dns")) {
        config.dns_listen.clear();
        std::istringstream words(args.flags.at("dns"));
        for (std::string w; words >> w;) {
            config.dns_listen.push_back(w);
        }
    }
    if (args.flags.count("soap")) {
        config.soap = app::parse_endpoint(args.flags.at("soap"), "--soap");
    }
    if (want_soap && app::ensure_admin(config)) {
        std::cerr << "switchboard: generated the administrator account (stored in "
                  << config.file.string() << "):\n  username: " << config.admin_username
                  << "\n  password: " << config.admin_password << "\n";
    }

    const sigset_t signals = block_signals();
    store::Options store_options;
    store_options.map_size = config.map_size_mb << 20;
    store::Env env(data, store_options);

    std::optional<dnsd::Server> dns;
    std::optional<prov::Server> soap;
    if (want_dns) {
        dnsd::Options o;
        o.listen = config.dns_listen;
        o.workers = config.dns_workers;
        o.max_udp_payload = config.dns_max_udp_payload;
        o.identity = config.dns_identity;
        o.version = config.dns_version;
        o.allow_transfer = config.dns_allow_transfer;
        o.tsig_keys = config.dns_tsig_keys;
        o.notify = config.dns_notify;
        o.tcp_max_connections = config.dns_tcp_max_connections;
        o.rrl_rate = config.dns_rrl_rate;
        o.rrl_slip = config.dns_rrl_slip;
        o.tcp_max_per_address = config.dns_tcp_max_per_address;
        o.tcp_reserved = config.dns_tcp_reserved;
        o.tcp_io_timeout_ms = config.dns_tcp_io_timeout_ms;
        o.tcp_idle_timeout_ms = config.dns_tcp_idle_timeout_ms;
        o.rrl_require_cookie = config.dns_rrl_require_cookie;
        o.cookies = config.dns_cookies;
        o.cookie_secret = config.dns_cookie_secret;
        o.cookie_rotation = config.dns_cookie_rotation;
        dns.emplace(env, o);
    }
    if (want_soap) {
        prov::Options o;
        o.address = config.soap.address;
        o.port = config.soap.port;
        o.threads = config.soap_threads;
        o.tls_certificate = config.soap_certificate;
        o.tls_key = config.soap_key;
        o.allow_plain_http = config.soap_allow_plain_http;
        o.max_request_bytes = std::size_t{config.soap_max_request_kb} << 10;
        o.max_connections = config.soap_max_connections;
        o.max_connections_per_address = config.soap_max_connections_per_address;
        o.request_timeout = config.soap_request_timeout;
        o.idle_timeout = config.soap_idle_timeout;
        o.call_data_days = config.call_data_days;
        o.admin_username = config.admin_username;
        o.admin_password = config.admin_password;
        o.default_nameservers = config.default_nameservers;
        soap.emplace(env, o);
    }
    std::thread dns_thread, soap_thread;
    if (dns) {
        dns_thread = std::thread([&] { dns->run(); });
        std::string listen;
        for (const auto& l : config.dns_listen) {
            if (!listen.empty()) {
                listen.push_back(' ');
            }
            listen.append(l);
        }
        std::cerr << "switchboard: DNS on " << listen << " (UDP and TCP)\n";
    }
    if (soap) {
        soap_thread = std::thread([&] { soap->run(); });
        std::cerr << "switchboard: SOAP on "
                  << (config.soap_certificate.empty() ? "http://" : "https://")
                  << config.soap.address << ":" << config.soap.port
                  << "/ngnpro/ (WSDL at /ngnpro/wsdl)\n";
    }
    std::cerr << "switchboard: ready" << std::endl;

    int sig = 0;
    sigwait(&signals, &sig);
    std::cerr << "switchboard: " << strsignal(sig) << ", stopping\n";
    if (dns) {
        dns->stop();
        dns_thread.join();
    }
    if (soap) {
        soap->stop();
        soap_thread.join();
    }
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(parse_args(argc, argv));
    } catch (const std::exception& e) {
        std::cerr << "switchboard: " << e.what() << "\n";
        return 1;
    }
}
