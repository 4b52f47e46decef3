#include "dnssec_command.hpp"

#include "config.hpp"
#include "log/log.hpp"
#include "log/metrics_text.hpp"
#include "store/store.hpp"
#include "store/tables.hpp"
#include "zones/signer.hpp"
#include "zones/zones.hpp"

#include <chrono>
#include <iostream>
#include <stdexcept>

namespace sb::app {

namespace {

constexpr const char* usage_text =
    "usage: switchboard dnssec keys ZONE --data DIR\n"
    "       switchboard dnssec ds ZONE --data DIR\n"
    "       switchboard dnssec sign ZONE --data DIR [--config FILE]\n"
    "       switchboard dnssec rollover ZONE zsk|ksk --data DIR [--config FILE]\n";

std::string zone_arg(const std::string& text) {
    try {
        return zones::canonical_name(text, "zone");
    } catch (const zones::InvalidValue& e) {
        throw std::runtime_error(e.what());
    }
}

const char* state_name(zones::KeyState s) {
    switch (s) {
    case zones::KeyState::Active:
        return "active";
    case zones::KeyState::Incoming:
        return "incoming";
    case zones::KeyState::Retiring:
        return "retiring";
    case zones::KeyState::Published:
        return "published";
    case zones::KeyState::Submitted:
        return "submitted";
    case zones::KeyState::Removed:
        return "removed";
    }
    return "?";
}

const char* role_name(zones::KeyRole r) {
    switch (r) {
    case zones::KeyRole::Csk:
        return "CSK";
    case zones::KeyRole::Ksk:
        return "KSK";
    case zones::KeyRole::Zsk:
        return "ZSK";
    }
    return "?";
}

const char* target_name(zones::BulkTarget t) {
    switch (t) {
    case zones::BulkTarget::Sign:
        return "signed";
    case zones::BulkTarget::Resign:
        return "re-signed";
    case zones::BulkTarget::Unsign:
        return "unsigned";
    case zones::BulkTarget::Rechain:
        return "rechained";
    }
    return "?";
}

// What each state means for the operator, as `dnssec keys` says it.
const char* state_note(zones::KeyState s) {
    switch (s) {
    case zones::KeyState::Active:
        return "";
    case zones::KeyState::Incoming:
        return " (published, signing beside the active key)";
    case zones::KeyState::Retiring:
        return " (published, no longer signing; removed when its wait is over)";
    case zones::KeyState::Published:
        return " (published, not signing yet)";
    case zones::KeyState::Submitted:
        return " (not published yet: give the parent its DS, listed by dnssec ds)";
    case zones::KeyState::Removed:
        return " (out of the DNSKEY RRset; keep its DS at the parent until it is gone)";
    }
    return "";
}

void log_finished(const zones::BulkStep& step) {
    log::write(log::Level::Notice, "dnssec", "bulk signing finished",
               {{"zone", step.zone.empty() ? "." : step.zone}, {"now", target_name(step.target)}});
}

store::Options read_only() {
    store::Options o;
    o.read_only = true;
    return o;
}

} // namespace

int dnssec_command(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& flags) {
    const bool rollover =
        args.size() == 3 && args[0] == "rollover" && (args[2] == "zsk" || args[2] == "ksk");
    if (!rollover &&
        (args.size() != 2 || (args[0] != "keys" && args[0] != "ds" && args[0] != "sign"))) {
        std::cerr << usage_text;
        return 2;
    }
    const auto data = data_dir(flags);
    const std::string zone = zone_arg(args[1]);
    const std::string shown = zone.empty() ? "." : zone;
    if (args[0] == "sign" || rollover) {
        const Config config = load_config(flags);
        if (!config.dnssec || !zones::policy_covers(*config.dnssec, zone)) {
            throw std::runtime_error("zone " + shown +
                                     " is not to be signed: name it (or *) in [dnssec] zones");
        }
        store::Env env(data);
        env.write([&](store::WriteTxn& txn) {
            if (!store::get_zone(txn, zone)) {
                throw std::runtime_error("no zone " + shown + " in " + data.string());
            }
            zones::configure_signing(txn, config.dnssec);
            if (rollover) {
                zones::start_rollover(txn, zone,
                                      args[2] == "zsk" ? zones::KeyRole::Zsk : zones::KeyRole::Ksk);
            } else {
                zones::resign_zone(txn, zone);
            }
        });
        finish_signing(env);
        std::cerr << "switchboard: " << (rollover ? "rollover started for zone " : "signed zone ")
                  << shown << "\n";
        return 0;
    }
    store::Env env(data, read_only());
    store::ReadTxn txn(env);
    if (!store::get_zone(txn, zone)) {
        throw std::runtime_error("no zone " + shown + " in " + data.string());
    }
    const auto keys = zones::zone_keys(txn, zone);
    if (keys.empty()) {
        throw std::runtime_error("zone " + shown +
                                 " has no keys: it is not signed ([dnssec] zones)");
    }
    if (args[0] == "ds") {
        if (const auto job = zones::signing_job(txn, zone);
            job && job->target == zones::BulkTarget::Sign) {
            // Its DNSKEY is not published yet: a DS now would make the zone bogus.
            throw std::runtime_error("zone " + shown +
                                     " is being signed; its DS is shown once signing completes "
                                     "(switchboard dnssec sign " +
                                     shown + " finishes it now)");
        }
        std::cout << zones::ds_records(txn, zone);
        return 0;
    }
    for (const auto& k : keys) {
        std::cout << "key " << k.id << " tag " << k.tag << " algorithm "
                  << static_cast<unsigned>(k.algorithm) << " flags " << k.flags << " "
                  << role_name(k.role) << " " << state_name(k.state) << " since " << k.since
                  << state_note(k.state) << " created " << k.created << "\n  " << k.dnskey << "\n";
    }
    return 0;
}

std::size_t finish_signing(store::Env& env) {
    std::size_t nodes = 0;
    for (;;) {
        const auto step =
            env.write([](store::WriteTxn& txn) { return zones::bulk_sign_step(txn); });
        if (!step.any) {
            return nodes;
        }
        nodes += step.nodes;
        if (step.finished) {
            log_finished(step);
        }
    }
}

bool signing_pending(store::Env& env) {
    store::ReadTxn txn(env);
    return !zones::signing_jobs(txn).empty();
}

// A whole pass, then a pause: a signature is due `refresh` (days) before it expires, so a pass
// every half minute finds it in time without scanning the store all day.
Resigner::Resigner(store::Env& env, std::atomic<std::uint64_t>& failed_steps)
    : work_(env)
    , failed_steps_(failed_steps)
    , thread_("dnssec", std::chrono::seconds(30), [this] { return step(); }) {}

bool Resigner::step() {
    const auto s = work_.step(zones::ResignerWork::Clock::now());
    switch (s.did) {
    case zones::ResignerWork::Did::Job:
        if (s.job.finished) {
            log_finished(s.job);
        }
        break;
    case zones::ResignerWork::Did::Refresh:
        if (s.slice.resigned > 0) {
            log::write(log::Level::Info, "dnssec", "signatures refreshed",
                       {{"nodes", std::to_string(s.slice.resigned)}});
        }
        if (s.slice.rollover_steps > 0) {
            log::write(log::Level::Notice, "dnssec", "key rollover step",
                       {{"zones", std::to_string(s.slice.rollover_steps)}});
        }
        break;
    case zones::ResignerWork::Did::Failed:
        failed_steps_.fetch_add(1, std::memory_order_relaxed);
        log::write(log::Level::Error, "dnssec", "signing a zone failed; it is retried later",
                   {{"zone", s.zone.empty() ? "." : s.zone},
                    {"error", s.error},
                    {"retry_in_seconds", std::to_string(s.retry_in.count())}});
        break;
    }
    return s.more;
}

void write_signer_metrics(const std::atomic<std::uint64_t>& failed_steps, std::string& out) {
    log::metric_family(out, "switchboard_dnssec_failed_steps_total", "counter",
                       "DNSSEC signing steps (bulk job slices, refresh slices, rollover steps) "
                       "that failed for a zone; the zone is backed off and retried.");
    out += "switchboard_dnssec_failed_steps_total " +
           std::to_string(failed_steps.load(std::memory_order_relaxed)) + "\n";
}

} // namespace sb::app
