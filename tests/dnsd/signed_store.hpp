// The pre-signed zones of tests/dnsd/zones (ldns-signzone output: nsec.test with NSEC,
// nsec3.test with NSEC3, optout.test with NSEC3 opt-out; the zone of tests/dns4/test_dnssec.py)
// imported into a temp store, with what a DNS worker holds for one batch: a read snapshot, its
// DnsNodes and DnssecChain cursors and the zone index.
#pragma once

#include "answer.hpp"
#include "temp_dir.hpp"
#include "zones/zone_index.hpp"
#include "zones/zonefile.hpp"

#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sb::test {

inline std::string signed_zone_text(const std::string& zone) {
    std::ifstream in(std::string(SB_SIGNED_ZONES) + "/" + zone + ".signed");
    if (!in) {
        throw std::runtime_error("no signed zone " + zone);
    }
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// Changes a zone's text before it is imported (zone name, text → text).
using ZoneEdit = std::function<std::string(const std::string&, std::string)>;

// Zones of ours at the cuts of the pre-signed parents (secure.nsec3.test has a DS there,
// insecure.nsec3.test none, secure.nsec.test one in an NSEC parent): RFC 4035 §3.1.4.1.
inline std::vector<std::string> child_zones() {
    std::vector<std::string> out;
    for (const std::string child :
         {"secure.nsec3.test", "insecure.nsec3.test", "secure.nsec.test"}) {
        out.push_back("$ORIGIN " + child +
                      ".\n@ 3600 IN SOA ns h 1 2 3 4 300\n@ IN NS ns\nns IN A 192.0.2.1\n");
    }
    return out;
}

// The signed zones (each through `edit`), then the zone texts `extra`.
inline void import_signed_zones(store::Env& env, const ZoneEdit& edit = {},
                                const std::vector<std::string>& extra = {}) {
    env.write([&](store::WriteTxn& txn) {
        for (const char* zone : {"nsec.test", "nsec3.test", "optout.test"}) {
            std::string text = signed_zone_text(zone);
            if (edit) {
                text = edit(zone, std::move(text));
            }
            zones::import_zone(txn, text, zones::ImportOptions{});
        }
        for (const auto& text : extra) {
            zones::import_zone(txn, text, zones::ImportOptions{});
        }
    });
}

struct SignedStore {
    TempDir dir;
    store::Env env{dir.path()};
    store::ReadTxn txn;
    store::Cursor cursor = txn.cursor(store::Table::DnsNodes);
    store::Cursor chain = txn.cursor(store::Table::DnssecChain);
    zones::ZoneIndex index;

    explicit SignedStore(const ZoneEdit& edit = {}, const std::vector<std::string>& extra = {})
        : txn((import_signed_zones(env, edit, extra), env)) {
        if (!index.sync(txn)) {
            throw std::runtime_error("the zone index cannot be built");
        }
    }

    dnsd::Snapshot snapshot() { return {txn, cursor, index, &chain}; }
};

} // namespace sb::test
