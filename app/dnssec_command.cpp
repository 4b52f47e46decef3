#include "dnssec_command.hpp"

#include "config.hpp"
#include "store/store.hpp"
#include "store/tables.hpp"
#include "zones/signer.hpp"
#include "zones/zones.hpp"

#include <iostream>
#include <stdexcept>

namespace sb::app {

namespace {

constexpr const char* usage_text =
    "usage: switchboard dnssec keys ZONE --data DIR\n"
    "       switchboard dnssec ds ZONE --data DIR\n"
    "       switchboard dnssec sign ZONE --data DIR [--config FILE]\n";

std::string zone_arg(const std::string& text) {
    try {
        return zones::canonical_name(text, "zone");
    } catch (const zones::InvalidValue& e) {
        throw std::runtime_error(e.what());
    }
}

store::Options read_only() {
    store::Options o;
    o.read_only = true;
    return o;
}

} // namespace

int dnssec_command(const std::vector<std::string>& args,
                   const std::map<std::string, std::string>& flags) {
    if (args.size() != 2 || (args[0] != "keys" && args[0] != "ds" && args[0] != "sign")) {
        std::cerr << usage_text;
        return 2;
    }
    const auto data = data_dir(flags);
    const std::string zone = zone_arg(args[1]);
    const std::string shown = zone.empty() ? "." : zone;
    if (args[0] == "sign") {
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
            zones::resign_zone(txn, zone);
        });
        std::cerr << "switchboard: signed zone " << shown << "\n";
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
        std::cout << zones::ds_records(txn, zone);
        return 0;
    }
    for (const auto& k : keys) {
        std::cout << "key " << k.id << " tag " << k.tag << " algorithm "
                  << static_cast<unsigned>(k.algorithm) << " flags " << k.flags
                  << (k.flags & 1 ? " (CSK)" : " (ZSK)") << " created " << k.created << "\n  "
                  << k.dnskey << "\n";
    }
    return 0;
}

} // namespace sb::app
