// The answer path without the kernel: dnsd::answer() over a query file against a data dir, in
// this process, one snapshot per batch of queries as a UDP worker takes them. What bench/run.sh
// measures through loopback is mostly system time; this is the user part alone, steady enough
// to compare two builds of the answer path (or to run under callgrind).
//
//   sb_bench_replay DATA_DIR QUERY_FILE [--passes N] [--batch B] [--limit Q]
//
// QUERY_FILE is dnsperf's format ("name TYPE" a line). Prints ns per query of every timed pass
// (one untimed pass first) and their median, and the answers' rcodes.
#include "answer.hpp"
#include "store/store.hpp"
#include "zones/zone_index.hpp"
#include "zones/zones.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace {

using namespace sb;
using Bytes = std::vector<std::uint8_t>;

// A query as dnsperf sends it by default: RD clear, no EDNS. False for a name or type the
// zones codecs refuse.
bool make_query(const std::string& name, const std::string& type, std::uint16_t id, Bytes& out) {
    const std::optional<zones::RRType> t = zones::type_from_string(type);
    if (!t) {
        return false;
    }
    std::string wire;
    try {
        wire = zones::name_to_wire(zones::canonical_name(name, "query name"));
    } catch (const zones::InvalidValue&) {
        return false;
    }
    const auto qtype = static_cast<unsigned>(*t);
    out.assign({static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 0, 0, 0, 1, 0, 0,
                0, 0, 0, 0});
    out.insert(out.end(), wire.begin(), wire.end());
    out.insert(out.end(),
               {static_cast<std::uint8_t>(qtype >> 8), static_cast<std::uint8_t>(qtype), 0, 1});
    return true;
}

unsigned long arg(int argc, char** argv, const std::string& flag, unsigned long fallback) {
    for (int i = 3; i + 1 < argc; ++i) {
        if (argv[i] == flag) {
            return std::strtoul(argv[i + 1], nullptr, 10);
        }
    }
    return fallback;
}

int replay(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: sb_bench_replay DATA_DIR QUERY_FILE [--passes N] [--batch B] "
                     "[--limit Q]\n";
        return 2;
    }
    const unsigned long passes = arg(argc, argv, "--passes", 5);
    const unsigned long batch = std::max(1ul, arg(argc, argv, "--batch", 12));
    const unsigned long limit = arg(argc, argv, "--limit", 0);

    std::vector<Bytes> queries;
    std::ifstream in(argv[2]);
    std::string line;
    while (std::getline(in, line) && (limit == 0 || queries.size() < limit)) {
        std::istringstream fields(line);
        std::string name;
        std::string type;
        if (!(fields >> name >> type) || name.starts_with(";")) {
            continue;
        }
        Bytes q;
        if (!make_query(name, type, static_cast<std::uint16_t>(queries.size()), q)) {
            std::cerr << "sb_bench_replay: not a query: " << line << "\n";
            return 2;
        }
        queries.push_back(std::move(q));
    }
    if (queries.empty()) {
        std::cerr << "sb_bench_replay: no queries in " << argv[2] << "\n";
        return 2;
    }

    store::Options options;
    options.read_only = true;
    // The file's size, not the 64 GiB of virtual map a server reserves for growth: valgrind
    // cannot map that much, and a read-only snapshot never grows.
    std::error_code ec;
    const auto file_size =
        std::filesystem::file_size(std::filesystem::path(argv[1]) / "data.mdb", ec);
    if (!ec) {
        options.map_size = static_cast<std::size_t>(file_size);
    }
    const store::Env env(argv[1], options);
    store::ReadTxn txn(env);
    store::Cursor cursor = txn.cursor(store::Table::DnsNodes);
    store::Cursor chain = txn.cursor(store::Table::DnssecChain);
    zones::ZoneIndex index;
    const dnsd::Snapshot snapshot{txn, cursor, index, &chain};
    txn.reset();

    const dnsd::AnswerOptions answer_options;
    Bytes out(answer_options.max_udp_payload);
    std::array<std::uint64_t, 16> rcodes{};
    std::vector<double> ns;
    for (unsigned long pass = 0; pass <= passes; ++pass) {
        const auto t0 = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < queries.size(); i += batch) {
            txn.renew();
            cursor.renew(txn);
            chain.renew(txn);
            const dnsd::Snapshot* s = index.sync(txn) ? &snapshot : nullptr;
            const std::size_t end = std::min(queries.size(), i + batch);
            for (std::size_t j = i; j < end; ++j) {
                const std::size_t len =
                    dnsd::answer(queries[j], s, dnsd::Transport::Udp, answer_options, out);
                if (pass == 0 && len >= 4) {
                    ++rcodes[out[3] & 0x0f];
                }
            }
            txn.reset();
        }
        const double elapsed =
            std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
        if (pass > 0) {
            ns.push_back(elapsed / static_cast<double>(queries.size()));
        }
    }
    std::printf("%zu queries, batches of %lu; ns a query:", queries.size(), batch);
    for (const double v : ns) {
        std::printf(" %.0f", v);
    }
    std::sort(ns.begin(), ns.end());
    std::printf("; median %.0f\nrcodes:", ns.empty() ? 0.0 : ns[ns.size() / 2]);
    for (std::size_t r = 0; r < rcodes.size(); ++r) {
        if (rcodes[r] != 0) {
            std::printf(" %zu=%llu", r, static_cast<unsigned long long>(rcodes[r]));
        }
    }
    std::printf("\n");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return replay(argc, argv);
    } catch (const std::exception& e) { // the store refused (absent, another schema, …)
        std::cerr << "sb_bench_replay: " << e.what() << "\n";
        return 1;
    }
}
