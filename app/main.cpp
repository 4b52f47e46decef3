// switchboard — the one executable: subcommands, config, process wiring. The only code that
// links both dnsd and provisioning.
#include "backup_command.hpp"
#include "cli.hpp"
#include "config.hpp"
#include "dnsd/dnsd.hpp"
#include "dnsd/secondary.hpp"
#include "dnssec_command.hpp"
#include "import_cdrs.hpp"
#include "inspect.hpp"
#include "log/log.hpp"
#include "metrics.hpp"
#include "process.hpp"
#include "provisioning/provisioning.hpp"
#include "store/store.hpp"
#include "zone_command.hpp"
#include "zones/catalog.hpp"
#include "zones/journal.hpp"
#include "zones/zones.hpp"

#include <pthread.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <ctime>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

namespace {

using namespace sb;

dnsd::Options dns_options(const app::Config& config) {
    dnsd::Options o;
    o.listen = config.dns_listen;
    o.workers = config.dns_workers;
    o.cpu_affinity = config.dns_cpu_affinity;
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
    for (const auto& [zone, allow] : config.transfer_rules) {
        o.transfer_rules.push_back(dnsd::TransferRule{zone, allow});
    }
    o.max_transfers = config.dns_max_transfers;
    o.transfer_timeout_ms = config.dns_transfer_timeout_ms;
    o.rrl_require_cookie = config.dns_rrl_require_cookie;
    o.cookies = config.dns_cookies;
    o.cookie_secret = config.dns_cookie_secret;
    o.cookie_rotation = config.dns_cookie_rotation;
    return o;
}

prov::Options soap_options(const app::Config& config) {
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
    o.prepaid_grace = config.soap_prepaid_grace;
    o.admin_username = config.admin_username;
    o.admin_password = config.admin_password;
    o.default_nameservers = config.default_nameservers;
    return o;
}

void configure_log(const app::Config& config, bool debug) {
    log::configure(debug ? log::Level::Debug : config.log_level, config.log_target);
}

// SIGHUP: re-read and check the configuration; one that fails to load is logged and the running
// one kept. The log level applies at once; listen addresses, the store map and the admin
// account need a restart.
void reload(const app::Args& args, app::Config& running, dnsd::Server* dns, prov::Server* soap) {
    app::notify("RELOADING=1");
    try {
        app::Config fresh = app::load_config(args.flags);
        app::validate(fresh);
        if (dns != nullptr) {
            dns->reload(dns_options(fresh));
        }
        if (soap != nullptr) {
            soap->reload_certificate();
        }
        configure_log(fresh, args.flags.count("debug") != 0);
        if (fresh.dns_listen != running.dns_listen || fresh.soap.address != running.soap.address ||
            fresh.soap.port != running.soap.port ||
            fresh.metrics.address != running.metrics.address ||
            fresh.metrics.port != running.metrics.port) {
            log::write(log::Level::Warning, "server",
                       "listen addresses changed: they apply at the next restart");
        }
        fresh.admin_username = running.admin_username;
        fresh.admin_password = running.admin_password;
        fresh.dns_listen = running.dns_listen;
        fresh.soap = running.soap;
        fresh.metrics = running.metrics;
        running = std::move(fresh);
        log::write(
            log::Level::Notice, "server", "configuration reloaded",
            {{"file", running.file.string()}, {"log_level", log::level_name(running.log_level)}});
    } catch (const std::exception& e) {
        log::write(log::Level::Error, "server",
                   "reload failed, the running configuration is kept: fix the file and send "
                   "SIGHUP again",
                   {{"error", e.what()}});
    }
    app::notify("READY=1");
}

int serve(const app::Args& args, bool want_dns, bool want_soap) {
    const auto data = app::data_dir(args.flags);
    std::filesystem::create_directories(data);
    app::Config config = app::load_config(args.flags);
    configure_log(config, args.flags.count("debug") != 0);

    std::optional<app::DataDirLock> dns_lock, soap_lock;
    if (want_dns) {
        dns_lock.emplace(data, "dns");
    }
    if (want_soap) {
        soap_lock.emplace(data, "soap");
        if (app::ensure_admin(config, data)) {
            log::write(log::Level::Notice, "server",
                       "generated the administrator account; its password is in the file",
                       {{"username", config.admin_username},
                        {"file", app::credentials_file(data).string()}});
        }
    }
    sigset_t signals;
    sigemptyset(&signals);
    for (const int s : {SIGINT, SIGTERM, SIGHUP}) {
        sigaddset(&signals, s);
    }
    // Blocked in every thread started from here on; the loop below takes them with sigwait.
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    store::Options store_options;
    store_options.map_size = config.map_size_mb << 20;
    store::Env env(data, store_options);
    // The DNS server's first reads of the store start now, beside the rest of the start.
    std::optional<dnsd::Resident> resident;
    if (want_dns) {
        resident.emplace(env);
    }
    try {
        // The catalog follows the ini: created, renamed, or dropped, and brought up to date.
        env.write([&](store::WriteTxn& txn) {
            zones::configure_catalog(txn, config.catalog_zone,
                                     static_cast<std::int64_t>(std::time(nullptr)));
            zones::set_journal_max_bytes(txn, config.dns_journal_max_bytes);
        });
    } catch (const zones::InvalidValue& e) {
        throw std::runtime_error(std::string("[catalog] zone: ") + e.what());
    }
    // Signing follows the ini too: zones it newly names are signed, zones it drops unsigned.
    env.write([&](store::WriteTxn& txn) { zones::configure_signing(txn, config.dnssec); });

    std::optional<dnsd::Secondary> secondary;
    if (want_dns && !config.secondary_primaries.empty()) {
        dnsd::SecondaryOptions so;
        so.primaries = config.secondary_primaries;
        so.zones = config.secondary_zones;
        so.catalog = config.secondary_catalog;
        so.tsig_keys = config.dns_tsig_keys;
        secondary.emplace(env, so);
    }
    std::optional<dnsd::Server> dns;
    std::optional<prov::Server> soap;
    if (want_dns) {
        dnsd::Options o = dns_options(config);
        o.secondary = secondary ? &*secondary : nullptr;
        dns.emplace(env, o);
    }
    if (want_soap) {
        soap.emplace(env, soap_options(config));
    }
    // The re-signer (started below, once serving) runs while anything is or may be signed.
    const bool resigning = config.dnssec || app::signing_pending(env);
    std::atomic<std::uint64_t> signer_failures{0}; // counted by it
    std::optional<app::MetricsServer> metrics;
    if (config.metrics.port != 0) {
        std::vector<app::Collector> collectors;
        if (dns) {
            collectors.emplace_back([&dns](std::string& out) { dns->write_metrics(out); });
        }
        if (secondary) {
            collectors.emplace_back(
                [&secondary](std::string& out) { secondary->write_metrics(out); });
        }
        if (soap) {
            collectors.emplace_back([&soap](std::string& out) { soap->write_metrics(out); });
        }
        if (resigning) {
            collectors.emplace_back([&signer_failures](std::string& out) {
                app::write_signer_metrics(signer_failures, out);
            });
        }
        collectors.emplace_back([&env](std::string& out) { app::write_store_metrics(env, out); });
        collectors.emplace_back(app::write_process_metrics);
        metrics.emplace(config.metrics, std::move(collectors));
        log::write(log::Level::Info, "server", "metrics",
                   {{"listen", config.metrics.address + ":" + std::to_string(metrics->port())},
                    {"path", "/metrics"}});
    }
    // Every socket is bound and every file of the data dir exists: root is no longer needed.
    app::hand_over_data_dir(data, config.server_user);
    app::drop_privileges(config.server_user);

    std::thread dns_thread, soap_thread;
    if (secondary) {
        secondary->start();
    }
    if (dns) {
        dns_thread = std::thread([&] { dns->run(); });
        std::string listen;
        for (const auto& l : config.dns_listen) {
            listen += (listen.empty() ? "" : " ") + l;
        }
        log::write(log::Level::Info, "server", "DNS listening",
                   {{"listen", listen}, {"transport", "udp tcp"}});
    }
    if (soap) {
        soap_thread = std::thread([&] { soap->run(); });
        log::write(log::Level::Info, "server", "SOAP listening",
                   {{"url", (config.soap_certificate.empty() ? "http://" : "https://") +
                                config.soap.address + ":" + std::to_string(config.soap.port) +
                                "/ngnpro/"}});
    }
    log::write(log::Level::Notice, "server", "started",
               {{"data", data.string()}, {"pid", std::to_string(::getpid())}});
    app::notify("READY=1\nSTATUS=serving");
    std::optional<app::Resigner> resigner;
    if (resigning) {
        resigner.emplace(env, signer_failures);
    }

    int sig = 0;
    for (;;) {
        if (sigwait(&signals, &sig) != 0) {
            continue;
        }
        if (sig != SIGHUP) {
            break;
        }
        reload(args, config, dns ? &*dns : nullptr, soap ? &*soap : nullptr);
    }
    app::notify("STOPPING=1");
    resigner.reset();
    log::write(log::Level::Notice, "server", "stopping", {{"signal", strsignal(sig)}});
    if (dns) {
        dns->stop();
        dns_thread.join();
    }
    if (soap) {
        soap->stop();
        soap_thread.join();
    }
    metrics.reset();
    log::write(log::Level::Notice, "server", "stopped");
    return 0;
}

int run(const app::Args& args) {
    if (args.flags.count("version")) {
        std::cout << "switchboard " << SB_VERSION << "\n";
        return 0;
    }
    if (args.flags.count("help") || args.command.empty()) {
        std::cout << app::usage();
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
    if (args.command == "dnssec") {
        return app::dnssec_command(args.words, args.flags);
    }
    if (args.command == "check") {
        return app::check_command(args.flags);
    }
    if (args.command == "status") {
        return app::status_command(args.flags);
    }
    const bool want_dns = args.command == "serve" || args.command == "dns";
    const bool want_soap = args.command == "serve" || args.command == "provision";
    if (!want_dns && !want_soap) {
        throw std::runtime_error("unknown command '" + args.command + "' (see --help)");
    }
    return serve(args, want_dns, want_soap);
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(app::parse_args(argc, argv));
    } catch (const std::exception& e) {
        std::cerr << "switchboard: " << e.what() << "\n";
        return 1;
    }
}
