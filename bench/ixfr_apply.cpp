// One IXFR (one record changed) into a zone of N records (default 50,000), timed two ways in a
// fresh store: record by record (zones::apply_zone_diff, what a secondary does now) and as the
// whole zone re-imported with the change applied (zones::import_zone, what it did before).
//   cmake --build BUILD --target sb_bench_ixfr && BUILD/bench/sb_bench_ixfr [N] [rounds]
#include "store/store.hpp"
#include "temp_dir.hpp"
#include "zones/zonefile.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace sb;

namespace {

const std::string head = "$ORIGIN bench.example.\n$TTL 3600\n"
                         "@ IN SOA ns1 hostmaster 1 10800 3600 604800 300\n"
                         "@ IN NS ns1\nns1 IN A 192.0.2.53\n";

std::string soa(std::uint32_t serial) {
    return "bench.example. 3600 IN SOA ns1.bench.example. hostmaster.bench.example. " +
           std::to_string(serial) + " 10800 3600 604800 300\n";
}

std::string host(int i, int round) {
    return "h" + std::to_string(i) + ".bench.example. 3600 IN A 10." + std::to_string(round % 256) +
           "." + std::to_string(i / 256 % 256) + "." + std::to_string(i % 256) + "\n";
}

double ms_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

} // namespace

int main(int argc, char** argv) {
    const int n = argc > 1 ? std::atoi(argv[1]) : 50000;
    const int rounds = argc > 2 ? std::atoi(argv[2]) : 5;
    test::TempDir dir;
    store::Env env(dir.path());
    std::string body;
    for (int i = 0; i < n; ++i) {
        body += host(i, 0);
    }
    zones::ImportOptions o;
    o.zone = "bench.example";
    o.force_serial = true;
    env.write([&](store::WriteTxn& txn) { zones::import_zone(txn, head + body, o); });
    std::uint32_t serial = 1;
    double by_record = 0, whole = 0;
    for (int r = 1; r <= rounds; ++r) {
        const int i = (r * 7919) % n; // a different name each round (for n > rounds)
        auto t = std::chrono::steady_clock::now();
        env.write([&](store::WriteTxn& txn) {
            zones::apply_zone_diff(txn, "bench.example",
                                   {{host(i, 0), soa(serial + 1), host(i, r)}}, r);
        });
        by_record += ms_since(t);
        ++serial;
        // The previous way: the zone with the change applied, re-imported whole.
        std::string text;
        {
            store::ReadTxn txn(env);
            text = zones::export_zone(txn, "bench.example");
        }
        const auto at = text.find("h" + std::to_string(i) + ".bench.example.");
        text.replace(text.find("\tA\t", at) + 3, text.find('\n', at) - text.find("\tA\t", at) - 3,
                     "10.200.0.1");
        text.replace(text.find(" " + std::to_string(serial) + " "),
                     std::to_string(serial).size() + 2, " " + std::to_string(serial + 1) + " ");
        t = std::chrono::steady_clock::now();
        env.write([&](store::WriteTxn& txn) { zones::import_zone(txn, text, o); });
        whole += ms_since(t);
        ++serial;
    }
    std::printf("zone of %d records, %d IXFRs of one record: by record %.2f ms, whole zone "
                "re-imported %.2f ms (mean per IXFR, one Env::write each)\n",
                n, rounds, by_record / rounds, whole / rounds);
    return 0;
}
