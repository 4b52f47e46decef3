#include "zone_command.hpp"

#include "dnssec_command.hpp"
#include "process.hpp"
#include "store/store.hpp"
#include "store/tables.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace sb::app {

namespace {

std::int64_t to_id(const std::string& text) {
    try {
        std::size_t used = 0;
        const long long v = std::stoll(text, &used);
        if (used == text.size() && v >= 0) {
            return v;
        }
    } catch (const std::exception&) {
    }
    throw std::runtime_error("--customer: '" + text + "' is not a customer id");
}

// `zone import FILE`: one write transaction through the provisioning write path (records,
// indexes, nodes, serial), so the zone is an ordinary DnsPort zone afterwards.
int import_file(const std::string& file, const std::map<std::string, std::string>& flags,
                const std::filesystem::path& data) {
    std::ifstream in(file);
    if (!in) {
        throw std::runtime_error("cannot read " + file);
    }
    std::ostringstream text;
    text << in.rdbuf();
    zones::ImportOptions o;
    o.zone = flags.count("zone") ? flags.at("zone") : "";
    o.customer = flags.count("customer") ? to_id(flags.at("customer")) : 0;
    o.now = static_cast<std::int64_t>(std::time(nullptr));
    if (flags.count("force-serial")) {
        const std::string& v = flags.at("force-serial");
        if (v != "yes" && v != "no") {
            throw std::runtime_error("--force-serial: '" + v + "' is not yes or no");
        }
        o.force_serial = v == "yes";
    }
    const DataDirLock store_lock(data, "store"); // compact does not swap the file meanwhile
    store::Env env(data);
    const zones::ImportResult r = env.write([&](store::WriteTxn& txn) {
        try {
            auto imported = zones::import_zone(txn, text.str(), o);
            // Checked after the import (the file may name the zone); throwing aborts it whole.
            if (const auto primary = zones::secondary_primary(txn, imported.zone)) {
                throw std::runtime_error(file + ": zone " +
                                         (imported.zone.empty() ? "." : imported.zone) +
                                         " is held as a secondary of " + *primary +
                                         "; import it on that primary, or remove it from "
                                         "[secondary] zones or the consumed catalog first");
            }
            return imported;
        } catch (const zones::InvalidValue& e) {
            throw std::runtime_error(file + ": " + e.what());
        }
    });
    for (const auto& w : r.warnings) {
        std::cerr << "switchboard: " << file << ": warning: " << w << "\n";
    }
    // A zone the stored [dnssec] policy covers is signed now, slice by slice (a large one is
    // queued by the import's transaction, not signed in it).
    finish_signing(env);
    std::cerr << "switchboard: imported zone " << (r.zone.empty() ? "." : r.zone) << " ("
              << r.records << " records, serial " << r.serial << ")\n";
    return 0;
}

int export_zone(const std::string& zone, const std::filesystem::path& data) {
    store::Options options;
    options.read_only = true;
    store::Env env(data, options);
    store::ReadTxn txn(env);
    std::cout << zones::export_zone(txn, zones::canonical_name(zone, "zone"));
    return 0;
}

} // namespace

int zone_command(const std::vector<std::string>& args,
                 const std::map<std::string, std::string>& flags) {
    if (args.size() != 2 || (args[0] != "import" && args[0] != "export")) {
        std::cerr << "usage: switchboard zone import FILE --data DIR [--zone NAME] "
                     "[--customer ID] [--force-serial yes]\n       switchboard zone export ZONE "
                     "--data DIR\n";
        return 2;
    }
    if (!flags.count("data")) {
        throw std::runtime_error("--data DIR is required");
    }
    const std::filesystem::path data = flags.at("data");
    if (args[0] == "import") {
        std::filesystem::create_directories(data);
        return import_file(args[1], flags, data);
    }
    return export_zone(args[1], data);
}

} // namespace sb::app
