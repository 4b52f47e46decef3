// sb_bench_micro — Google Benchmark micro-benchmarks of the DNS answer path (issue 7; STYLE §2
// rule 6, §8): question parse, name → store key, zones::lookup, the whole dnsd::answer(), and
// the DNS Cookie check and answer of a query that carries one (BM_ServerCookie).
//
// Build and run (EXCLUDE_FROM_ALL, like the other bench tools; more in bench/micro/README.md):
//   cmake -S . -B BUILD -DCMAKE_BUILD_TYPE=RelWithDebInfo
//   cmake --build BUILD --target sb_bench_micro && BUILD/bench/sb_bench_micro
// Google Benchmark's own flags work (--benchmark_filter=BM_Answer, --benchmark_repetitions=5,
// --benchmark_min_time=0.5); ours: --numbers=N (ENUM numbers in the range, default 100000, or
// env SB_BENCH_NUMBERS), --domains=N (SIP domain zones, default 8) and --dnssec=0 (no signed
// zones, no DO=1 cases: the dataset as it was before them, for before/after comparisons).
// The signed zones: a pre-signed NSEC3 zone, and an ENUM range our signer signs as its numbers
// are added (at most 20,000).
//
// Setup, outside the timed loops: a temporary data dir loaded through prov::DnsService and
// prov::EnumService (the SOAP operations' service layer, as bench/load_dataset.cpp loads its
// dataset), then per case a ring of distinct wire-format queries, each answered once and checked
// for its rcode. The loops take one query per iteration and renew one read txn, cursor and zone
// index per batch of 32 queries, resetting them after it, as dnsd's UDP worker does
// (Worker::begin/end in dnsd/src/server.cpp): time per iteration is time per query, that share
// included. allocs/q counts global operator new calls in the loop (tests/dnsd/alloc_counter.cpp
// replaces it); STYLE §2 rule 1 wants 0.
#include "answer.hpp"
#include "cookie.hpp"
#include "provisioning/services.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"
#include "zones/enum.hpp"
#include "zones/lookup.hpp"
#include "zones/signer.hpp"
#include "zones/zone_index.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#ifdef SB_BENCH_COUNT_ALLOCATIONS
// Calls of the global operator new so far (tests/dnsd/alloc_counter.cpp replaces it).
std::size_t allocation_count() noexcept;
#else
// Sanitizer builds own operator new: no count there.
std::size_t allocation_count() noexcept {
    return 0;
}
#endif

namespace {

using namespace sb;
using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t batch = 32;        // queries per snapshot, as dnsd's UDP worker
constexpr std::size_t max_ring = 65536;  // distinct queries per case at most
constexpr std::uint64_t slots = 1000000; // numbers of the range: prefix + 6 digits
constexpr std::string_view prefix = "49301";
// A second range, signed at write time by our signer (NSEC3, no salt, 0 iterations, CSK alg 13)
// with at most `max_signed` numbers (each signed as it is added: a few seconds of setup).
constexpr std::string_view signed_prefix = "49302";
constexpr std::string_view signed_zone = "2.0.3.9.4.e164.arpa";
constexpr std::uint64_t max_signed = 20000;
// Coprime with `slots`: slot k holds number k·spread mod slots, so consecutive k are far apart
// in the B-tree and the provisioned and missing numbers interleave.
constexpr std::uint64_t spread = 7919;

enum class Case : std::uint8_t {
    EnumNaptr,
    EnumNxDomain,
    SipSrv,
    CnameA,
    Refused,
    FormErr,
    SignedA,
    SignedNxDomain,
    SignedEnumNaptr,
    SignedEnumNaptrDo,
    SignedEnumNxDomain,
    SignedEnumNxDomainDo
};

struct CaseInfo {
    Case id;
    const char* name;
    dnsd::Rcode rcode;
    std::uint16_t min_answers; // ANCOUNT at least
};

constexpr std::array<CaseInfo, 12> cases = {{
    {Case::EnumNaptr, "enum_naptr", dnsd::Rcode::NoError, 1},
    {Case::EnumNxDomain, "enum_nxdomain", dnsd::Rcode::NxDomain, 0},
    {Case::SipSrv, "sip_srv", dnsd::Rcode::NoError, 1},
    {Case::CnameA, "cname_a", dnsd::Rcode::NoError, 2},
    {Case::Refused, "refused", dnsd::Rcode::Refused, 0},
    {Case::FormErr, "formerr", dnsd::Rcode::FormErr, 0},
    // DO=1 in the pre-signed NSEC3 zone of tests/dnsd/zones: the A RRset and its RRSIG; a
    // missing name with its three NSEC3 (hashing the qname and its ancestors per query).
    {Case::SignedA, "signed_a_do", dnsd::Rcode::NoError, 2},
    {Case::SignedNxDomain, "signed_nxdomain_do", dnsd::Rcode::NxDomain, 0},
    // The range our signer signed (issue 16's DO=1 figure, in small): numbers and free numbers
    // without DO (the unsigned path on the same tree) and with DO=1 (NAPTR + RRSIG; NXDOMAIN
    // with the closest encloser, next closer and wildcard NSEC3 and their RRSIGs).
    {Case::SignedEnumNaptr, "signed_enum_naptr", dnsd::Rcode::NoError, 1},
    {Case::SignedEnumNaptrDo, "signed_enum_naptr_do", dnsd::Rcode::NoError, 2},
    {Case::SignedEnumNxDomain, "signed_enum_nxdomain", dnsd::Rcode::NxDomain, 0},
    {Case::SignedEnumNxDomainDo, "signed_enum_nxdomain_do", dnsd::Rcode::NxDomain, 0},
}};

struct Config {
    std::uint64_t numbers = 100000;
    unsigned domains = 8;
    bool dnssec = true; // load the signed zone and time the DO=1 cases
};

std::uint64_t positive(std::string_view flag, const std::string& text, std::uint64_t max) {
    const std::uint64_t v = std::strtoull(text.c_str(), nullptr, 10);
    if (v == 0 || v > max) {
        throw std::runtime_error(std::string(flag) + " must be 1.." + std::to_string(max));
    }
    return v;
}

Config parse(int argc, char** argv) {
    Config c;
    if (const char* env = std::getenv("SB_BENCH_NUMBERS")) {
        c.numbers = positive("SB_BENCH_NUMBERS", env, slots - max_ring);
    }
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg.rfind("--numbers=", 0) == 0) {
            c.numbers = positive("--numbers", arg.substr(10), slots - max_ring);
        } else if (arg == "--dnssec=0") { // the dataset of before issue 12's DNSSEC work
            c.dnssec = false;
        } else if (arg.rfind("--domains=", 0) == 0) {
            c.domains = static_cast<unsigned>(positive("--domains", arg.substr(10), 250));
        } else {
            throw std::runtime_error("unknown argument " + arg);
        }
    }
    return c;
}

std::string domain(std::uint64_t i) {
    return "voip" + std::to_string(i) + ".example.org";
}

std::string number(std::uint64_t k, std::string_view range = prefix) {
    const std::string digits = std::to_string(k * spread % slots);
    return std::string(range) + std::string(6 - digits.size(), '0') + digits;
}

std::uint64_t signed_numbers(const Config& config) {
    return std::min(config.numbers, max_signed);
}

// A query as a stub resolver sends it: RD, one question of class IN, an OPT RR for 1232 bytes.
Bytes make_query(std::uint16_t id, std::string_view name, zones::RRType qtype) {
    const auto byte = [](unsigned v) { return static_cast<std::uint8_t>(v & 0xFF); };
    const auto type = static_cast<unsigned>(qtype);
    Bytes q{byte(id >> 8), byte(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 1};
    const std::string qname = zones::name_to_wire(name);
    q.insert(q.end(), qname.begin(), qname.end());
    const std::uint8_t question_tail[] = {byte(type >> 8), byte(type), 0, 1}; // qtype, class IN
    // OPT (RFC 6891 §6.1.2): root owner, type 41, payload 1232, rcode/version/flags 0, no rdata.
    const std::uint8_t opt[] = {0, 0, 41, byte(1232 >> 8), byte(1232), 0, 0, 0, 0, 0, 0};
    q.insert(q.end(), std::begin(question_tail), std::end(question_tail));
    q.insert(q.end(), std::begin(opt), std::end(opt));
    return q;
}

// Queries answer() must refuse with FORMERR, built from a well-formed one.
std::vector<Bytes> malformed_queries(const Bytes& good) {
    std::vector<Bytes> out;
    Bytes two_questions = good; // QDCOUNT 2 for one question: what follows does not parse
    two_questions[5] = 2;
    out.push_back(two_questions);
    Bytes no_question = good; // QDCOUNT 0 (RFC 1035 §4.1.2 needs one)
    no_question[5] = 0;
    no_question[11] = 0;
    no_question.resize(12);
    out.push_back(no_question);
    Bytes cut = good; // the name ends in the middle of a label
    cut.resize(16);
    out.push_back(cut);
    Bytes pointer = good; // a compression pointer in the question name
    pointer[12] = 0xC0;
    pointer[13] = 0x0C;
    out.push_back(pointer);
    Bytes two_opts = good; // RFC 6891 §6.1.1: more than one OPT RR is FORMERR
    two_opts[11] = 2;
    two_opts.insert(two_opts.end(), good.end() - 11, good.end());
    out.push_back(two_opts);
    return out;
}

// SIP domain zone contents, relative to the zone (names without a dot are in the zone).
struct SipRecord {
    const char* name;
    const char* type;
    const char* value;
    std::uint32_t priority;
};

constexpr std::array<SipRecord, 11> sip_zone = {{
    {"", "NAPTR", "10 0 \"s\" \"SIP+D2U\" \"\" _sip._udp", 50},
    {"", "NAPTR", "20 0 \"s\" \"SIP+D2T\" \"\" _sip._tcp", 50},
    {"_sip._udp", "SRV", "50 5060 sip1", 10},
    {"_sip._udp", "SRV", "50 5060 sip2", 20},
    {"_sip._tcp", "SRV", "50 5060 sip1", 10},
    {"sip1", "A", "192.0.2.10", 0},
    {"sip2", "A", "192.0.2.11", 0},
    {"", "MX", "mx", 10},
    {"mx", "A", "192.0.2.25", 0},
    {"www", "CNAME", "sip1", 0},
    {"proxy", "CNAME", "sip2", 0},
}};

// One DNS worker's view of the store, renewed per batch as dnsd's Worker::begin/end do.
class Reader {
public:
    explicit Reader(const store::Env& env)
        : txn_(env)
        , cursor_(txn_.cursor(store::Table::DnsNodes))
        , chain_(txn_.cursor(store::Table::DnssecChain)) {
        txn_.reset();
        begin(); // the first sync builds the zone index: not part of any timed loop
        end();
    }

    const dnsd::Snapshot* begin() {
        txn_.renew();
        cursor_.renew(txn_);
        chain_.renew(txn_);
        return zones_.sync(txn_) ? &snapshot_ : nullptr;
    }

    void end() noexcept { txn_.reset(); }

private:
    store::ReadTxn txn_;
    store::Cursor cursor_;
    store::Cursor chain_;
    zones::ZoneIndex zones_;
    dnsd::Snapshot snapshot_{txn_, cursor_, zones_, &chain_};
};

class Dataset {
public:
    explicit Dataset(const Config& config)
        : env_(dir_.path(), bulk()) {
        const auto t0 = std::chrono::steady_clock::now();
        load(config);
        const double load_s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        make_queries(config);
        check();
        std::cerr << "sb_bench_micro: " << config.domains << " SIP domain zones and "
                  << config.numbers << " ENUM numbers in one range (" << prefix
                  << " + 6 digits) loaded through DnsService/EnumService in " << load_s
                  << " s; distinct queries per case:";
        for (const CaseInfo& c : cases) {
            std::cerr << " " << c.name << " " << queries(c.id).size();
        }
        std::cerr << "\n";
    }

    const store::Env& env() const noexcept { return env_; }

    const std::vector<Bytes>& queries(Case c) const noexcept {
        return queries_[static_cast<std::size_t>(c)];
    }

private:
    static store::Options bulk() {
        store::Options o;
        o.durable = false; // a bulk load into a throw-away dir
        return o;
    }

    void load(const Config& config) {
        const prov::Caller admin{true, 0, 0, "admin", 0};
        const std::vector<std::string> nameservers{"ns1.example.net", "ns2.example.net"};
        prov::DnsService dns(env_, prov::DnsDefaults{nameservers});
        prov::EnumService enums(env_, prov::DnsDefaults{nameservers});
        for (unsigned d = 0; d < config.domains; ++d) {
            prov::ZoneInput zone;
            zone.name = domain(d);
            dns.add_zone(admin, zone);
            for (const SipRecord& r : sip_zone) {
                dns.add_record(admin, {0, zone.name, r.name, r.type, r.value, 0, r.priority, 0});
            }
        }
        auto range = [&](std::string_view range_prefix, std::uint64_t count) {
            prov::EnumRangeInput r;
            r.prefix = range_prefix;
            r.tld = "e164.arpa";
            r.min_digits = r.max_digits = 11;
            enums.add_range(admin, r);
            for (std::uint64_t k = 0; k < count; ++k) {
                const std::string n = number(k, range_prefix);
                const std::string at = "@" + domain(k % config.domains);
                prov::EnumNumberInput in{
                    n, "e164.arpa", {{0, "sip", "sip:+" + n + at, 10, 0}}, "", 0};
                if (k % 2 == 1) { // every other number also has a mail mapping: two NAPTR RRs
                    in.mappings.push_back({0, "mailto", "mailto:" + n + at, 20, 0});
                }
                enums.add_number(admin, in);
            }
        };
        range(prefix, config.numbers);
        if (!config.dnssec) {
            return;
        }
        zones::SigningPolicy policy; // the defaults: CSK alg 13, NSEC3 0 iterations, no salt
        policy.zones = {std::string(signed_zone)};
        env_.write([&](store::WriteTxn& txn) { zones::configure_signing(txn, policy); });
        range(signed_prefix, signed_numbers(config));
        std::ifstream in(std::string(SB_SIGNED_ZONES) + "/nsec3.test.signed");
        std::stringstream text;
        text << in.rdbuf();
        env_.write([&](store::WriteTxn& txn) {
            zones::import_zone(txn, text.str(), zones::ImportOptions{});
        });
    }

    void make_queries(const Config& config) {
        std::mt19937_64 rng(1);
        std::uint16_t id = 0;
        auto add = [&](Case c, const std::string& name, zones::RRType type) {
            queries_[static_cast<std::size_t>(c)].push_back(make_query(++id, name, type));
        };
        // A shuffled sample of the provisioned slots, and of the free ones after them.
        auto numbers = [&](Case c, std::uint64_t first, std::uint64_t count,
                           std::string_view range = prefix) {
            std::vector<std::uint64_t> ks(count);
            std::iota(ks.begin(), ks.end(), first);
            std::shuffle(ks.begin(), ks.end(), rng);
            ks.resize(std::min<std::size_t>(ks.size(), max_ring));
            for (const std::uint64_t k : ks) {
                add(c, zones::e164_name(number(k, range), "e164.arpa"), zones::RRType::NAPTR);
            }
        };
        numbers(Case::EnumNaptr, 0, config.numbers);
        numbers(Case::EnumNxDomain, config.numbers, std::min<std::uint64_t>(max_ring, slots));
        for (unsigned d = 0; d < config.domains; ++d) {
            add(Case::SipSrv, "_sip._udp." + domain(d), zones::RRType::SRV);
            add(Case::SipSrv, "_sip._tcp." + domain(d), zones::RRType::SRV);
            add(Case::CnameA, "www." + domain(d), zones::RRType::A);
            add(Case::CnameA, "proxy." + domain(d), zones::RRType::A);
        }
        for (unsigned i = 0; i < 64; ++i) {
            add(Case::Refused, "host" + std::to_string(i) + ".not-served.example",
                zones::RRType::A);
        }
        for (unsigned i = 0; config.dnssec && i < 64; ++i) {
            const auto a = zones::RRType::A;
            add(Case::SignedA, i % 2 ? "www.nsec3.test" : "mail.nsec3.test", a);
            add(Case::SignedNxDomain, "host" + std::to_string(i) + ".nsec3.test", a);
        }
        if (config.dnssec) {
            const std::uint64_t n = signed_numbers(config);
            for (const Case c : {Case::SignedEnumNaptr, Case::SignedEnumNaptrDo}) {
                numbers(c, 0, n, signed_prefix);
            }
            for (const Case c : {Case::SignedEnumNxDomain, Case::SignedEnumNxDomainDo}) {
                numbers(c, n, std::min<std::uint64_t>(max_ring, slots - n), signed_prefix);
            }
        }
        for (const Case c : {Case::SignedA, Case::SignedNxDomain, Case::SignedEnumNaptrDo,
                             Case::SignedEnumNxDomainDo}) {
            for (Bytes& q : queries_[static_cast<std::size_t>(c)]) {
                q[q.size() - 4] = 0x80; // the OPT's DO bit
            }
        }
        queries_[static_cast<std::size_t>(Case::FormErr)] =
            malformed_queries(queries(Case::SipSrv).front());
    }

    // Every query gets the rcode (and answers) its case promises, or the run stops here.
    void check() const {
        Reader reader(env_);
        const dnsd::Snapshot* snapshot = reader.begin();
        Bytes out(1232);
        const dnsd::AnswerOptions options;
        for (const CaseInfo& c : cases) {
            for (const Bytes& q : queries(c.id)) {
                const std::size_t len =
                    dnsd::answer(q, snapshot, dnsd::Transport::Udp, options, out);
                const auto rcode = static_cast<dnsd::Rcode>(len >= 12 ? out[3] & 0x0F : 0xFF);
                const unsigned answers = len >= 12 ? out[6] << 8 | out[7] : 0;
                if (rcode != c.rcode || answers < c.min_answers) {
                    throw std::runtime_error(std::string("case ") + c.name + ": rcode " +
                                             std::to_string(out[3] & 0x0F) + ", " +
                                             std::to_string(answers) + " answers");
                }
            }
        }
        reader.end();
    }

    test::TempDir dir_;
    store::Env env_;
    std::array<std::vector<Bytes>, cases.size()> queries_;
};

void report(benchmark::State& state, std::size_t allocations_before) {
    const std::size_t allocations = allocation_count() - allocations_before;
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
    state.counters["allocs/q"] =
        benchmark::Counter(static_cast<double>(allocations), benchmark::Counter::kAvgIterations);
}

// One query per iteration, rotating through `count`, a snapshot per batch (see the top comment).
template <class PerQuery>
void batched(benchmark::State& state, const store::Env& env, std::size_t count,
             PerQuery per_query) {
    Reader reader(env);
    std::size_t next = 0;
    std::size_t in_batch = 0;
    const dnsd::Snapshot* snapshot = nullptr;
    const std::size_t before = allocation_count();
    for (auto _ : state) {
        if (in_batch == 0) {
            snapshot = reader.begin();
        }
        per_query(snapshot, next);
        if (++in_batch == batch) {
            reader.end();
            in_batch = 0;
        }
        if (++next == count) {
            next = 0;
        }
    }
    if (in_batch != 0) {
        reader.end();
    }
    report(state, before);
}

void bm_answer(benchmark::State& state, const Dataset& data, Case c) {
    const std::vector<Bytes>& queries = data.queries(c);
    const dnsd::AnswerOptions options;
    Bytes out(options.max_udp_payload); // dnsd's per-datagram TX slot
    batched(state, data.env(), queries.size(), [&](const dnsd::Snapshot* snapshot, std::size_t i) {
        benchmark::DoNotOptimize(
            dnsd::answer(queries[i], snapshot, dnsd::Transport::Udp, options, out));
    });
}

// A precomputed lookup key: the qname's store key (as answer() makes it) and the qtype.
struct Key {
    std::string key;
    zones::RRType qtype{};
};

void bm_lookup(benchmark::State& state, const Dataset& data, Case c) {
    std::vector<Key> keys;
    for (const Bytes& q : data.queries(c)) {
        dnsd::QueryInfo info;
        std::uint8_t key[zones::max_key_len];
        std::size_t key_len = 0;
        unsigned labels = 0;
        if (!dnsd::query_info(q, info) ||
            zones::wire_to_key(q.data() + 12, q.size() - 12, key, key_len, labels) == 0) {
            throw std::runtime_error("bm_lookup: a query without a question");
        }
        keys.push_back({std::string(reinterpret_cast<const char*>(key), key_len),
                        static_cast<zones::RRType>(info.qtype)});
    }
    zones::LookupResult result;
    batched(state, data.env(), keys.size(), [&](const dnsd::Snapshot* s, std::size_t i) {
        benchmark::DoNotOptimize(
            zones::lookup(s->txn, s->cursor, s->zones, keys[i].key, keys[i].qtype, result));
    });
}

// Parse-only benchmarks touch no store: a plain rotation, no snapshot.
template <class PerQuery>
void rotating(benchmark::State& state, const std::vector<Bytes>& queries, PerQuery per_query) {
    std::size_t next = 0;
    const std::size_t before = allocation_count();
    for (auto _ : state) {
        per_query(queries[next]);
        if (++next == queries.size()) {
            next = 0;
        }
    }
    report(state, before);
}

void bm_parse(benchmark::State& state, const Dataset& data, Case c) {
    dnsd::QueryInfo info;
    rotating(state, data.queries(c), [&](const Bytes& q) {
        benchmark::DoNotOptimize(dnsd::query_info(q, info));
        benchmark::DoNotOptimize(info);
    });
}

void bm_wire_to_key(benchmark::State& state, const Dataset& data, Case c) {
    std::uint8_t key[zones::max_key_len];
    std::size_t key_len = 0;
    unsigned labels = 0;
    rotating(state, data.queries(c), [&](const Bytes& q) {
        benchmark::DoNotOptimize(
            zones::wire_to_key(q.data() + 12, q.size() - 12, key, key_len, labels));
        benchmark::ClobberMemory();
    });
}

// DNS Cookies (RFC 7873/9018) per query: a valid server cookie checked, our answer's COOKIE
// option written (the server cookie echoed while fresh), as answer() does for such a query.
void bm_server_cookie(benchmark::State& state, bool fresh) {
    const dnsd::CookieSecrets secrets("00112233445566778899aabbccddeeff", 3600);
    sockaddr_storage peer{};
    peer.ss_family = AF_INET;
    const std::uint32_t now = 1700000000;
    std::uint8_t option[dnsd::cookie_client_len + dnsd::server_cookie_len] = {1, 2, 3, 4,
                                                                              5, 6, 7, 8};
    // Fresh: made a minute ago, echoed. Old: 40 minutes, still valid but made anew.
    secrets.make(option, peer, fresh ? now - 60 : now - 2400, option + dnsd::cookie_client_len);
    std::uint8_t out[dnsd::cookie_answer_len];
    const std::size_t before = allocation_count();
    for (auto _ : state) {
        dnsd::CookieContext ctx;
        ctx.secrets = &secrets;
        ctx.peer = &peer;
        ctx.now = now;
        dnsd::read_cookie(option, ctx);
        benchmark::DoNotOptimize(dnsd::write_cookie(option, ctx, out));
        benchmark::ClobberMemory();
    }
    report(state, before);
}

void register_all(const Dataset& data) {
    benchmark::RegisterBenchmark("BM_ServerCookie/fresh", bm_server_cookie, true);
    benchmark::RegisterBenchmark("BM_ServerCookie/renewed", bm_server_cookie, false);
    using Fn = void (*)(benchmark::State&, const Dataset&, Case);

    struct Family {
        const char* name;
        Fn fn;
        bool needs_question; // FORMERR queries have none to look up
    };

    const Family families[] = {{"BM_Parse", bm_parse, false},
                               {"BM_WireToKey", bm_wire_to_key, true},
                               {"BM_Lookup", bm_lookup, true},
                               {"BM_Answer", bm_answer, false}};
    for (const Family& f : families) {
        for (const CaseInfo& c : cases) {
            if ((f.needs_question && c.id == Case::FormErr) || data.queries(c.id).empty()) {
                continue;
            }
            const std::string name = std::string(f.name) + "/" + c.name;
            benchmark::RegisterBenchmark(name.c_str(), f.fn, std::cref(data), c.id);
        }
    }
}

} // namespace

int main(int argc, char** argv) {
    benchmark::Initialize(&argc, argv);
    try {
        const Dataset data(parse(argc, argv));
        register_all(data);
        benchmark::RunSpecifiedBenchmarks();
        benchmark::Shutdown();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "sb_bench_micro: " << e.what() << "\n";
        return 1;
    }
}
