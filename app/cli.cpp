#include "cli.hpp"

#include <boost/program_options.hpp>

#include <set>
#include <stdexcept>

namespace sb::app {

namespace po = boost::program_options;

namespace {

constexpr const char* usage_text = R"(usage: switchboard COMMAND [OPTIONS]

Commands:
  serve       DNS and SOAP provisioning in one process
  dns         the DNS server alone
  provision   the SOAP provisioning server alone
  (dns and provision may run as separate processes on the same data dir)
  check       check the configuration, keys, certificates and store; exit 0 when all is well
  status      zones with their serials, store size and last commit
  zone import FILE --data DIR [--zone NAME] [--customer ID] [--force-serial yes]
              load an RFC 1035 master file into a zone
  zone export ZONE --data DIR
              print a zone as a master file (what a secondary receives by AXFR)
  import-cdrs FILE.csv --data DIR
              store the call detail records of a CSV file (docs/sip.md) as call data
  backup DIR --data DATA_DIR
              a consistent copy of the store into the empty DIR, while serving
  restore DIR --data DATA_DIR
              install a backup (checked against this schema version) as the store of an
              empty DATA_DIR; stop the servers first
  dnssec keys|ds|sign ZONE --data DIR
              a signed zone's keys, the DS RRs for its parent, or re-sign it now
  compact --data DATA_DIR
              rewrite the DNS data and ENUM numbers in key order, pages full and
              adjacent (safe while serving); with no server running, also replace the
              store by a compacting copy, giving the free pages back to the file system

Options:
  --data DIR          data directory holding the LMDB store (required)
  --config FILE       configuration file (default: DIR/switchboard.ini); never written
  --dns ADDR:PORT     DNS listen address, UDP and TCP, may be repeated; [V6ADDR]:PORT for
                      IPv6 (default 127.0.0.1:5300; [dns] listen, space separated)
  --soap ADDR:PORT    SOAP listen address (default 127.0.0.1:9200; [soap] listen)
  --debug             log at level debug, whatever [log] level says
  -q, --quiet         check: print only problems
  -V, --version       print the version and exit
  -h, --help          this text

Signals: SIGHUP reloads the configuration file (a file that fails to load is logged and the
running configuration kept), SIGTERM and SIGINT stop.

switchboard.ini keys (all optional; see switchboard.ini(5)):
  [admin]   username, password   the provisioning administrator; when absent, generated on
                                 first start into DATA_DIR/admin.ini
  [server]  user                 started as root: bind, then run as this user
  [log]     level (error, warning, notice, info, debug), target (stderr, journal)
  [metrics] listen               ADDR:PORT of the Prometheus endpoint (GET /metrics); off
  [dns]     listen, workers, cpu_affinity, max_udp_payload, nameservers (default NS for new
            zones), identity, version, allow_transfer, tsig_key, notify, tcp_max_connections,
            tcp_max_per_address, tcp_reserved, tcp_io_timeout_ms, tcp_idle_timeout_ms,
            max_transfers, transfer_timeout_ms, rrl_rate, rrl_slip, rrl_require_cookie,
            cookies, cookie_secret, cookie_rotation
  [transfer] ZONE or group:dns / group:enum = ADDR[/LEN] ... key:NAME ...: who may
            transfer that zone, or the catalog group's members, instead of [dns]
            allow_transfer and any tsig_key
  [soap]    listen, threads, call_data_days, certificate, key, allow_plain_http,
            max_request_kb, max_connections, max_connections_per_address,
            request_timeout, idle_timeout, prepaid_grace
  [store]   map_size_mb
  [dnssec]  zones (* or names), algorithm (13, 15), nsec3 (yes, no), keys (csk, ksk-zsk),
            signature_lifetime, signature_refresh, propagation_delay, parent_ds_ttl
            (seconds), clock_offset
)";

} // namespace

const char* usage() noexcept {
    return usage_text;
}

Args parse_args(int argc, char** argv) {
    po::options_description valued;
    valued.add_options()("data", po::value<std::string>())("config", po::value<std::string>())(
        "dns", po::value<std::vector<std::string>>()->composing())(
        "soap", po::value<std::string>())("customer", po::value<std::string>())(
        "zone", po::value<std::string>())("force-serial", po::value<std::string>());
    po::options_description booleans;
    booleans.add_options()("help,h", po::bool_switch())("version,V", po::bool_switch())(
        "quiet,q", po::bool_switch())("debug", po::bool_switch());
    po::options_description hidden;
    hidden.add_options()("words", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(valued).add(booleans).add(hidden);
    po::positional_options_description positional;
    positional.add("words", -1);

    po::variables_map vm;
    try {
        po::store(
            po::command_line_parser(argc, argv)
                .options(all)
                .positional(positional)
                .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
                .run(),
            vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw std::runtime_error(std::string(e.what()) + " (see --help)");
    }
    Args a;
    if (vm.count("words")) {
        a.words = vm["words"].as<std::vector<std::string>>();
        a.command = a.words.front();
        a.words.erase(a.words.begin());
    }
    for (const auto& o : valued.options()) {
        const auto& name = o->long_name();
        if (vm.count(name) == 0) {
            continue;
        }
        if (name == "dns") { // may be repeated: one space-separated list, like [dns] listen
            std::string joined;
            for (const auto& w : vm[name].as<std::vector<std::string>>()) {
                joined += (joined.empty() ? "" : " ") + w;
            }
            a.flags[name] = joined;
        } else {
            a.flags[name] = vm[name].as<std::string>();
        }
    }
    for (const auto& o : booleans.options()) {
        const auto& name = o->long_name();
        if (vm[name].as<bool>()) {
            a.flags[name] = "1";
        }
    }
    static const std::set<std::string> take_words = {"zone", "backup", "restore", "import-cdrs",
                                                     "dnssec"};
    if (!take_words.count(a.command) && !a.words.empty()) {
        throw std::runtime_error("unexpected argument '" + a.words.front() + "'");
    }
    return a;
}

} // namespace sb::app
