// sb_bench_load — the hosted-SIP benchmark dataset of shared/reference/peer-baseline.md, made
// deterministically from a seed at a chosen scale, in two identical forms:
//   * RFC 1035 master files (one per zone) plus nsd.conf / knot.conf zone lists, for the peers;
//   * a Switchboard data dir loaded through DnsService/EnumService (the provisioning path,
//     non-durable commits), so every server answers from the same data;
// and a shuffled dnsperf query file with the baseline's mix.
//
//   sb_bench_load --out DIR [--domains 100] [--numbers 1000000] [--queries 1000000]
//                 [--seed 1] [--no-load] [--clients 8]
//
// The numbers are added by --clients threads at once, as that many provisioning clients would
// (each EnumService.add_number its own operation, validated and journaled as over SOAP), so the
// store's writer commits up to Env::max_batch of them per transaction; each range's numbers
// go in key order (what a bulk export gives; random order leaves the B-tree pages ~60% full).
// It prints numbers/s per range and overall.
//
// DIR/zones/*.zone, DIR/nsd-zones.conf, DIR/knot-zones.conf, DIR/zones.list ("name file"),
// DIR/queries.txt, DIR/probe.txt (one SOA query per zone), DIR/check.txt (a sample of the
// query file for answer comparison), DIR/switchboard/ (the data dir), DIR/dataset.txt.
#include "provisioning/services.hpp"
#include "store/store.hpp"
#include "zones/enum.hpp"
#include "zones/zones.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace sb;
namespace fs = std::filesystem;

constexpr std::uint32_t ttl = 3600;
constexpr std::uint32_t block = 100000;     // numbers per ENUM range (5 free digits)
constexpr std::uint32_t filled = block / 2; // half of each block is provisioned
constexpr const char* enum_ns1 = "ns1.enum-bench.net";
constexpr const char* enum_ns2 = "ns2.enum-bench.net";
constexpr std::uint64_t first_prefix = 493010; // ranges 493010, 493011, … (6 digits)
constexpr std::uint64_t max_ranges = 493999 - first_prefix + 1;

struct Args {
    fs::path out;
    unsigned domains = 100;
    std::uint64_t numbers = 1000000;
    std::uint64_t queries = 1000000;
    std::uint64_t seed = 1;
    bool load = true;
    unsigned clients = 8;
};

Args parse(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                throw std::runtime_error(arg + " needs a value");
            }
            return argv[++i];
        };
        if (arg == "--out") {
            a.out = value();
        } else if (arg == "--domains") {
            a.domains = static_cast<unsigned>(std::stoul(value()));
        } else if (arg == "--numbers") {
            a.numbers = std::stoull(value());
        } else if (arg == "--queries") {
            a.queries = std::stoull(value());
        } else if (arg == "--seed") {
            a.seed = std::stoull(value());
        } else if (arg == "--clients") {
            a.clients = static_cast<unsigned>(std::stoul(value()));
        } else if (arg == "--no-load") {
            a.load = false;
        } else {
            throw std::runtime_error("unknown argument " + arg);
        }
    }
    if (a.out.empty()) {
        throw std::runtime_error("--out DIR is required");
    }
    if (a.domains == 0 || a.domains > 65000) {
        throw std::runtime_error("--domains must be 1..65000");
    }
    if (a.numbers == 0 || a.numbers > std::uint64_t{filled} * max_ranges) {
        throw std::runtime_error("--numbers must be 1.." +
                                 std::to_string(std::uint64_t{filled} * max_ranges) + " (" +
                                 std::to_string(max_ranges) + " ranges)");
    }
    if (a.clients == 0 || a.clients > 256) {
        throw std::runtime_error("--clients must be 1..256");
    }
    return a;
}

// Only the raw engine output is used (never std::*_distribution, whose results differ
// between standard libraries), so a seed gives the same dataset everywhere.
class Rng {
public:
    explicit Rng(std::uint64_t seed)
        : engine_(seed) {}

    std::uint64_t below(std::uint64_t n) { return engine_() % n; }

private:
    std::mt19937_64 engine_;
};

std::string domain_name(unsigned i) {
    return "tenant" + std::to_string(i) + ".example.net";
}

std::string ip(unsigned domain, unsigned host) {
    return "10." + std::to_string(domain / 256) + "." + std::to_string(domain % 256) + "." +
           std::to_string(host);
}

// One record of a SIP domain zone: what DnsService.add_record gets and the master-file line.
struct DomainRecord {
    std::string name; // relative to the zone; "" = apex
    std::string type;
    std::string value; // as provisioned (MX two fields, SRV four fields, NAPTR full rdata)
    std::string rdata; // as written in the master file
};

std::vector<DomainRecord> domain_records(unsigned i) {
    const std::string z = domain_name(i) + ".";
    std::vector<DomainRecord> r;
    auto add = [&](std::string name, std::string type, std::string value) {
        std::string rdata = value;
        if (type == "TXT") {
            rdata = "\"" + value + "\"";
        }
        r.push_back({std::move(name), std::move(type), std::move(value), std::move(rdata)});
    };
    add("ns1", "A", ip(i, 1)); // glue of the in-zone name servers
    add("ns2", "A", ip(i, 2));
    add("", "A", ip(i, 10));
    add("", "NAPTR", "10 50 \"s\" \"SIP+D2U\" \"\" _sip._udp." + z);
    add("", "NAPTR", "20 50 \"s\" \"SIP+D2T\" \"\" _sip._tcp." + z);
    add("", "NAPTR", "30 50 \"s\" \"SIPS+D2T\" \"\" _sips._tcp." + z);
    add("_sip._udp", "SRV", "10 50 5060 sip1." + z);
    add("_sip._udp", "SRV", "20 50 5060 sip2." + z);
    add("_sip._tcp", "SRV", "10 50 5060 sip1." + z);
    add("_sip._tcp", "SRV", "20 50 5060 sip2." + z);
    add("_sips._tcp", "SRV", "10 50 5061 sip1." + z);
    add("_sips._tcp", "SRV", "20 50 5061 sip2." + z);
    add("_stun._udp", "SRV", "0 0 3478 stun." + z);
    add("sip1", "A", ip(i, 20));
    add("sip2", "A", ip(i, 21));
    add("stun", "A", ip(i, 30));
    add("mail1", "A", ip(i, 40));
    add("mail2", "A", ip(i, 41));
    add("", "MX", "10 mail1." + z);
    add("", "MX", "20 mail2." + z);
    add("", "TXT", "v=spf1 mx a:sip1." + domain_name(i) + " -all");
    add("_dmarc", "TXT", "v=DMARC1; p=reject; rua=mailto:dmarc@" + domain_name(i));
    add("www", "CNAME", z);
    add("sip", "CNAME", "sip1." + z);
    add("proxy", "CNAME", "sip1." + z);
    add("voicemail", "CNAME", "sip2." + z);
    return r;
}

// One provisioned ENUM number, compactly: the mappings follow from kind and domain.
struct Number {
    std::uint64_t digits;
    std::uint16_t domain;
    std::uint8_t kind; // 0: one E2U+sip; 1: E2U+sip and E2U+mailto; 2: two E2U+sip
};

struct Mapping {
    const char* type;
    std::string mapto;
    std::uint32_t priority;
};

std::vector<Mapping> mappings_of(const Number& n) {
    const std::string num = std::to_string(n.digits);
    const std::string dom = domain_name(n.domain);
    std::vector<Mapping> m{{"sip", "sip:" + num + "@" + dom, 10}};
    if (n.kind == 1) {
        m.push_back({"mailto", "mailto:" + num + "@" + dom, 20});
    } else if (n.kind == 2) {
        m.push_back({"sip", "sip:" + num + "@backup." + dom, 20});
    }
    return m;
}

struct Range {
    std::string prefix; // 6 digits; the numbers are prefix + 5 digits
    std::string zone;
    std::vector<Number> numbers;
    std::vector<std::uint64_t> absent; // unprovisioned numbers of the block
};

std::string reversed_digits(std::string_view digits) {
    std::string out;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (!out.empty()) {
            out.push_back('.');
        }
        out.push_back(*it);
    }
    return out;
}

std::ofstream open(const fs::path& path) {
    std::ofstream f(path);
    if (!f) {
        throw std::runtime_error("cannot write " + path.string());
    }
    return f;
}

void write_soa(std::ostream& f, const std::string& zone, const std::string& ns1,
               const std::string& ns2, std::uint32_t serial) {
    // The SOA Switchboard derives from the zone row (zones::soa_rdata_of): MNAME the first
    // name server, RNAME hostmaster.<zone>, the DnsDefaults timers.
    f << "$ORIGIN " << zone << ".\n$TTL " << ttl << "\n"
      << zone << ". " << ttl << " IN SOA " << ns1 << ". hostmaster." << zone << ". " << serial
      << " 10800 3600 604800 3600\n"
      << zone << ". " << ttl << " IN NS " << ns1 << ".\n"
      << zone << ". " << ttl << " IN NS " << ns2 << ".\n";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Adds a range's numbers through EnumService.add_number from `clients` threads, each taking
// the next number of the range in key order (an e164 name's key is its digits in order, so
// numeric order for numbers of one length); returns the mappings added. The first failure
// stops every thread and is rethrown.
std::uint64_t add_numbers(prov::EnumService& enums, const prov::Caller& admin,
                          const std::vector<Number>& numbers, unsigned clients) {
    std::vector<const Number*> order;
    order.reserve(numbers.size());
    for (const auto& n : numbers) {
        order.push_back(&n);
    }
    std::sort(order.begin(), order.end(),
              [](const Number* x, const Number* y) { return x->digits < y->digits; });
    std::atomic<std::size_t> next{0};
    std::atomic<std::uint64_t> records{0};
    std::exception_ptr failure;
    std::atomic<bool> failed{false};
    auto client = [&] {
        try {
            for (std::size_t k = next++; k < order.size() && !failed; k = next++) {
                prov::EnumNumberInput num;
                num.number = std::to_string(order[k]->digits);
                num.tld = "e164.arpa";
                for (auto& m : mappings_of(*order[k])) {
                    num.mappings.push_back({0, m.type, std::move(m.mapto), m.priority, 0});
                }
                records += num.mappings.size();
                enums.add_number(admin, num);
            }
        } catch (...) {
            if (!failed.exchange(true)) {
                failure = std::current_exception();
            }
        }
    };
    std::vector<std::thread> threads;
    for (unsigned c = 0; c < clients; ++c) {
        threads.emplace_back(client);
    }
    for (auto& t : threads) {
        t.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    return records;
}

int run(const Args& a) {
    const auto t0 = std::chrono::steady_clock::now();
    Rng rng(a.seed);

    // The ENUM ranges: blocks of 100,000 numbers, half filled, 55/35/10 mapping kinds.
    std::vector<Range> ranges;
    const std::uint64_t range_count = (a.numbers + filled - 1) / filled;
    for (std::uint64_t r = 0; r < range_count; ++r) {
        Range range;
        range.prefix = std::to_string(first_prefix + r);
        range.zone = zones::e164_name(range.prefix, "e164.arpa");
        std::vector<std::uint32_t> suffixes(block);
        for (std::uint32_t s = 0; s < block; ++s) {
            suffixes[s] = s;
        }
        for (std::uint32_t s = block - 1; s > 0; --s) {
            std::swap(suffixes[s], suffixes[rng.below(s + 1)]);
        }
        const std::uint64_t here = std::min<std::uint64_t>(filled, a.numbers - r * filled);
        const std::uint64_t base = std::stoull(range.prefix) * block;
        for (std::uint32_t s = 0; s < block; ++s) {
            if (s < here) {
                const std::uint64_t roll = rng.below(100);
                const auto kind = static_cast<std::uint8_t>(roll < 55 ? 0 : roll < 90 ? 1 : 2);
                range.numbers.push_back(
                    {base + suffixes[s], static_cast<std::uint16_t>(rng.below(a.domains)), kind});
            } else {
                range.absent.push_back(base + suffixes[s]);
            }
        }
        ranges.push_back(std::move(range));
    }

    fs::create_directories(a.out / "zones");
    std::vector<std::uint32_t> domain_serial(a.domains, 2026010100);
    std::vector<std::uint32_t> range_serial(ranges.size(), 2026010100);
    std::uint64_t loaded_records = 0;

    if (a.load) {
        const fs::path data = a.out / "switchboard";
        fs::remove_all(data);
        fs::create_directories(data);
        store::Options opts;
        opts.durable = false; // a bulk load: the benchmark's data, not acknowledged writes
        store::Env env(data, opts);
        const prov::Caller admin{true, 0, 0, "admin"};
        prov::DnsService dns(env, prov::DnsDefaults{});
        prov::EnumService enums(env, prov::DnsDefaults{});
        double numbers_seconds = 0;
        std::uint64_t numbers_loaded = 0;
        for (unsigned i = 0; i < a.domains; ++i) {
            const std::string z = domain_name(i);
            prov::ZoneInput zone;
            zone.name = z;
            zone.nameservers = std::vector<std::string>{"ns1." + z, "ns2." + z};
            dns.add_zone(admin, zone);
            for (const auto& rec : domain_records(i)) {
                prov::RecordInput in;
                in.zone = z;
                in.name = rec.name;
                in.type = rec.type;
                in.value = rec.value;
                dns.add_record(admin, in);
                ++loaded_records;
            }
            domain_serial[i] = dns.get_zone(admin, z).serial;
        }
        std::cerr << "sb_bench_load: " << a.domains << " SIP domain zones loaded ("
                  << seconds_since(t0) << " s)\n";
        for (std::size_t r = 0; r < ranges.size(); ++r) {
            prov::EnumRangeInput in;
            in.prefix = ranges[r].prefix;
            in.tld = "e164.arpa";
            in.min_digits = 11;
            in.max_digits = 11;
            in.nameservers = std::vector<std::string>{enum_ns1, enum_ns2};
            enums.add_range(admin, in);
            const auto tr = std::chrono::steady_clock::now();
            loaded_records += add_numbers(enums, admin, ranges[r].numbers, a.clients);
            const double took = seconds_since(tr);
            numbers_seconds += took;
            numbers_loaded += ranges[r].numbers.size();
            std::cerr << "sb_bench_load: range " << ranges[r].prefix << " loaded ("
                      << seconds_since(t0) << " s; "
                      << static_cast<std::uint64_t>(ranges[r].numbers.size() / took)
                      << " numbers/s)\n";
        }
        std::cerr << "sb_bench_load: " << numbers_loaded << " numbers in " << numbers_seconds
                  << " s: " << static_cast<std::uint64_t>(numbers_loaded / numbers_seconds)
                  << " numbers/s with " << a.clients << " clients\n";
        for (const auto& view : enums.get_ranges(admin, {}, {}, {}).items) {
            for (std::size_t r = 0; r < ranges.size(); ++r) {
                if (ranges[r].zone == view.zone.name) {
                    range_serial[r] = view.zone.serial;
                }
            }
        }
        env.sync(); // the files are complete before anyone else opens them
    }

    // Master files, identical data: TTLs explicit, names fully qualified where Switchboard
    // renders them so (pdnsutil load-zone does not apply $ORIGIN to NAPTR replacements).
    std::ofstream nsd = open(a.out / "nsd-zones.conf");
    std::ofstream knot = open(a.out / "knot-zones.conf");
    std::ofstream list = open(a.out / "zones.list");
    std::ofstream probe = open(a.out / "probe.txt");
    knot << "zone:\n";
    std::uint64_t file_records = 0;
    auto declare = [&](const std::string& zone) {
        const fs::path file = fs::absolute(a.out / "zones" / (zone + ".zone"));
        nsd << "zone:\n    name: \"" << zone << "\"\n    zonefile: \"" << file.string() << "\"\n";
        knot << "  - domain: " << zone << "\n    file: \"" << file.string() << "\"\n";
        list << zone << " " << file.string() << "\n";
        probe << zone << " SOA\n";
        return file;
    };
    for (unsigned i = 0; i < a.domains; ++i) {
        const std::string z = domain_name(i);
        std::ofstream f = open(declare(z));
        write_soa(f, z, "ns1." + z, "ns2." + z, domain_serial[i]);
        for (const auto& rec : domain_records(i)) {
            f << (rec.name.empty() ? z : rec.name + "." + z) << ". " << ttl << " IN " << rec.type
              << " " << rec.rdata << "\n";
            ++file_records;
        }
    }
    for (std::size_t r = 0; r < ranges.size(); ++r) {
        std::ofstream f = open(declare(ranges[r].zone));
        write_soa(f, ranges[r].zone, enum_ns1, enum_ns2, range_serial[r]);
        for (const auto& n : ranges[r].numbers) {
            // Owner relative to $ORIGIN (the range's zone): the 5 digits after the prefix.
            const std::string owner = reversed_digits(std::to_string(n.digits).substr(6));
            for (const auto& m : mappings_of(n)) {
                f << owner << " " << ttl << " IN NAPTR " << zones::enum_naptr_order << " "
                  << m.priority << " \"u\" \"E2U+" << m.type << "\" \"!^.*$!" << m.mapto
                  << "!\" .\n";
                ++file_records;
            }
        }
    }

    // The query mix (peer-baseline.md): 60% NAPTR of provisioned numbers, 10% NAPTR of
    // unprovisioned numbers inside a range (NXDOMAIN), 15% NAPTR/SRV of SIP domains, 10% A
    // (4 of 9 names through a CNAME), 5% MX/SOA/NS/TXT/AAAA (NODATA)/nonexistent host.
    // Each line draws its category, so the file is shuffled as written.
    std::ofstream q = open(a.out / "queries.txt");
    std::ofstream check = open(a.out / "check.txt");
    static const char* const a_names[] = {"",    "sip1", "sip2",  "stun",     "ns1",
                                          "www", "sip",  "proxy", "voicemail"};
    static const char* const srv_names[] = {"_sip._udp", "_sip._tcp", "_sips._tcp", "_stun._udp"};
    std::uint64_t mix[5] = {};
    for (std::uint64_t k = 0; k < a.queries; ++k) {
        const std::uint64_t roll = rng.below(100);
        std::string line;
        if (roll < 70) {
            const Range& range = ranges[rng.below(ranges.size())];
            const bool present = roll < 60 || range.absent.empty();
            const std::uint64_t digits = present
                                             ? range.numbers[rng.below(range.numbers.size())].digits
                                             : range.absent[rng.below(range.absent.size())];
            line = zones::e164_name(std::to_string(digits), "e164.arpa") + " NAPTR";
            ++mix[present ? 0 : 1];
        } else {
            const std::string z = domain_name(static_cast<unsigned>(rng.below(a.domains)));
            if (roll < 85) {
                const std::uint64_t pick = rng.below(10);
                line =
                    pick < 4 ? z + " NAPTR" : std::string(srv_names[pick % 4]) + "." + z + " SRV";
                ++mix[2];
            } else if (roll < 95) {
                const std::string host = a_names[rng.below(9)];
                line = (host.empty() ? z : host + "." + z) + " A";
                ++mix[3];
            } else {
                switch (rng.below(7)) {
                case 0:
                    line = z + " MX";
                    break;
                case 1:
                    line = z + " SOA";
                    break;
                case 2:
                    line = z + " NS";
                    break;
                case 3:
                    line = z + " TXT";
                    break;
                case 4:
                    line = "_dmarc." + z + " TXT";
                    break;
                case 5:
                    line = "sip1." + z + " AAAA";
                    break;
                default:
                    line = "nothere" + std::to_string(rng.below(1000)) + "." + z + " A";
                }
                ++mix[4];
            }
        }
        q << line << "\n";
        if (k % 1000 == 0 && k / 1000 < 300) {
            check << line << "\n";
        }
    }

    std::uint64_t file_bytes = 0;
    for (const auto& e : fs::directory_iterator(a.out / "zones")) {
        file_bytes += e.file_size();
    }
    std::uint64_t provisioned = 0;
    for (const auto& r : ranges) {
        provisioned += r.numbers.size();
    }
    std::ofstream summary = open(a.out / "dataset.txt");
    summary << "seed " << a.seed << "; " << a.domains << " SIP domain zones, " << ranges.size()
            << " ENUM range zones holding " << provisioned << " numbers; " << file_records
            << " records besides SOA/NS (" << loaded_records
            << " provisioned through the services); " << file_bytes / 1000000
            << " MB of master files; " << a.queries << " queries (" << mix[0]
            << " NAPTR existing number, " << mix[1] << " NAPTR NXDOMAIN in range, " << mix[2]
            << " NAPTR/SRV SIP domain, " << mix[3] << " A, " << mix[4]
            << " MX/SOA/NS/TXT/AAAA/NXDOMAIN)\n";
    std::cerr << "sb_bench_load: done in " << seconds_since(t0) << " s\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(parse(argc, argv));
    } catch (const std::exception& e) {
        std::cerr << "sb_bench_load: " << e.what() << "\n";
        return 1;
    }
}
