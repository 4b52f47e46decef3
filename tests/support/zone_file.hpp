// A small zone (example.com: apex, a host, a wildcard, a delegation with glue) as a zone file,
// and a zone file import committed at a fixed time: for tests of zone files, the IXFR journal
// and transfers.
#pragma once

#include "store/store.hpp"
#include "store/tables.hpp"
#include "zones/zonefile.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace sb::test {

inline const std::string example_zone_file = R"($ORIGIN example.com.
$TTL 3600
@ IN SOA ns1.example.com. hostmaster.example.com. 2030010100 10800 3600 604800 300
@ IN NS ns1.example.com.
ns1 IN A 192.0.2.53
www IN A 192.0.2.80
*.wild IN TXT "wildcard"
sub IN NS ns.sub.example.com.
ns.sub IN A 192.0.2.200
)";

// text imported in one committed write transaction, as of 2023-11-14 (1700000000: a dated
// serial would be 2023111400), so that the serials an import gives are known.
inline zones::ImportResult import_zone_file(store::Env& env, const std::string& text,
                                            bool force_serial = false) {
    return env.write([&](store::WriteTxn& txn) {
        zones::ImportOptions o;
        o.now = 1700000000;
        o.force_serial = force_serial;
        return zones::import_zone(txn, text, o);
    });
}

// The serial of `zone` as its Zones row holds it.
inline std::uint32_t zone_serial(store::Env& env, std::string_view zone) {
    store::ReadTxn txn(env);
    return static_cast<std::uint32_t>(store::get_zone(txn, zone)->serial);
}

} // namespace sb::test
