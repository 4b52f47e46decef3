// dnsd::answer over pre-signed zones (tests/dnsd/zones): with DO=1 every RRset comes with its
// RRSIGs and negative, wildcard and referral answers with the NSEC/NSEC3 records that prove
// them (RFC 4035 §3.1, RFC 5155 §7.2); without DO, no DNSSEC record at all. The proofs are
// checked against the hashes and the chain, not against fixed bytes.
#include "answer.hpp"
#include "signed_store.hpp"
#include "zones/dnssec.hpp"

#include <catch2/catch.hpp>
#include <ldns/ldns.h>

#include <algorithm>
#include <array>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace sb;
using Bytes = std::vector<std::uint8_t>;

namespace {

Bytes query(const std::string& name, ldns_rr_type type, bool dnssec, std::uint16_t size = 4096) {
    Bytes q = {0x12, 0x34, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
    for (const std::string& label : [&] {
             std::vector<std::string> labels;
             std::size_t start = 0;
             for (std::size_t dot; (dot = name.find('.', start)) != std::string::npos;
                  start = dot + 1) {
                 labels.push_back(name.substr(start, dot - start));
             }
             labels.push_back(name.substr(start));
             return labels;
         }()) {
        q.push_back(static_cast<std::uint8_t>(label.size()));
        q.insert(q.end(), label.begin(), label.end());
    }
    q.push_back(0);
    q.push_back(static_cast<std::uint8_t>(type >> 8));
    q.push_back(static_cast<std::uint8_t>(type));
    q.push_back(0);
    q.push_back(1);
    const std::uint8_t opt[] = {0,
                                0,
                                41,
                                static_cast<std::uint8_t>(size >> 8),
                                static_cast<std::uint8_t>(size),
                                0,
                                0,
                                static_cast<std::uint8_t>(dnssec ? 0x80 : 0),
                                0,
                                0,
                                0};
    q.insert(q.end(), std::begin(opt), std::end(opt));
    return q;
}

struct PktDeleter {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};

using Pkt = std::unique_ptr<ldns_pkt, PktDeleter>;

Pkt ask(const dnsd::Snapshot& snap, const std::string& name, ldns_rr_type type, bool dnssec,
        std::uint16_t size = 4096) {
    const Bytes q = query(name, type, dnssec, size);
    Bytes out(65535);
    const std::size_t n = dnsd::answer(q, &snap, dnsd::Transport::Udp, 4096, out);
    REQUIRE(n > 0);
    ldns_pkt* p = nullptr;
    REQUIRE(ldns_wire2pkt(&p, out.data(), n) == LDNS_STATUS_OK);
    return Pkt(p);
}

std::string owner(const ldns_rr* rr) {
    char* s = ldns_rdf2str(ldns_rr_owner(rr));
    std::string r(s);
    free(s);
    return r;
}

// "TYPE owner" of every RR of a section, RRSIGs as "RRSIG(covered) owner", sorted.
std::vector<std::string> summary(const ldns_rr_list* list) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(list, i);
        char* t = ldns_rr_type2str(ldns_rr_get_type(rr));
        std::string s(t);
        free(t);
        if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG) {
            char* c = ldns_rr_type2str(ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr)));
            s += std::string("(") + c + ")";
            free(c);
        }
        out.push_back(s + " " + owner(rr));
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

const char base32hex[] = "0123456789abcdefghijklmnopqrstuv";

std::string to_base32hex(const std::uint8_t* d, std::size_t n) {
    std::string out;
    for (std::size_t bit = 0; bit + 5 <= n * 8; bit += 5) {
        const unsigned hi = d[bit / 8];
        const unsigned lo = bit / 8 + 1 < n ? d[bit / 8 + 1] : 0;
        out.push_back(base32hex[((hi << 8 | lo) >> (11 - bit % 8)) & 31]);
    }
    return out;
}

// The NSEC3 RRs of a section: owner hash label → next hash label.
std::map<std::string, std::string> nsec3s(const ldns_rr_list* list) {
    std::map<std::string, std::string> out;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
        const ldns_rr* rr = ldns_rr_list_rr(list, i);
        if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NSEC3) {
            continue;
        }
        const ldns_rdf* next = ldns_rr_rdf(rr, 4);
        const std::string o = owner(rr);
        out[o.substr(0, o.find('.'))] =
            to_base32hex(ldns_rdf_data(next) + 1, ldns_rdf_size(next) - 1);
    }
    return out;
}

std::string hash_label(const std::string& name, const std::string& salt_hex, unsigned iterations) {
    std::string salt;
    for (std::size_t i = 0; i + 1 < salt_hex.size(); i += 2) {
        salt.push_back(static_cast<char>(std::stoi(salt_hex.substr(i, 2), nullptr, 16)));
    }
    zones::Nsec3Params params;
    params.iterations = static_cast<std::uint16_t>(iterations);
    params.salt = salt;
    char label[zones::nsec3_label_len];
    const std::string wire = zones::name_to_wire(name);
    REQUIRE(zones::nsec3_label(wire, params, label));
    return std::string(label, sizeof label);
}

bool matched(const std::map<std::string, std::string>& chain, const std::string& h) {
    return chain.count(h) == 1;
}

bool covered(const std::map<std::string, std::string>& chain, const std::string& h) {
    for (const auto& [from, to] : chain) {
        if ((from < h && h < to) || (to <= from && (h > from || h < to))) {
            return true;
        }
    }
    return false;
}

} // namespace

TEST_CASE("DO=1 answers from an NSEC zone carry RRSIGs and NSEC proofs", "[dnsd][dnssec]") {
    test::SignedStore s;
    const dnsd::Snapshot snap = s.snapshot();

    SECTION("a positive answer: the RRset and its RRSIG; none without DO") {
        auto p = ask(snap, "www.nsec.test", LDNS_RR_TYPE_A, true);
        CHECK(summary(ldns_pkt_answer(p.get())) ==
              sorted({"A www.nsec.test.", "RRSIG(A) www.nsec.test."}));
        auto plain = ask(snap, "www.nsec.test", LDNS_RR_TYPE_A, false);
        CHECK(summary(ldns_pkt_answer(plain.get())) ==
              std::vector<std::string>{"A www.nsec.test."});
    }
    SECTION("NXDOMAIN: SOA, the NSEC covering the name and the one covering the wildcard") {
        auto p = ask(snap, "nope.nsec.test", LDNS_RR_TYPE_A, true);
        CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NXDOMAIN);
        // Canonical order: mail < nope < ns1; "*" sorts before every other label, so the
        // apex's NSEC (to alias) covers *.nsec.test.
        CHECK(summary(ldns_pkt_authority(p.get())) ==
              sorted({"SOA nsec.test.", "RRSIG(SOA) nsec.test.", "NSEC mail.nsec.test.",
                      "RRSIG(NSEC) mail.nsec.test.", "NSEC nsec.test.", "RRSIG(NSEC) nsec.test."}));
        auto plain = ask(snap, "nope.nsec.test", LDNS_RR_TYPE_A, false);
        CHECK(summary(ldns_pkt_authority(plain.get())) ==
              std::vector<std::string>{"SOA nsec.test."});
    }
    SECTION("NODATA: the name's own NSEC; at an empty non-terminal the covering one") {
        auto p = ask(snap, "www.nsec.test", LDNS_RR_TYPE_MX, true);
        CHECK(summary(ldns_pkt_authority(p.get())) ==
              sorted({"SOA nsec.test.", "RRSIG(SOA) nsec.test.", "NSEC www.nsec.test.",
                      "RRSIG(NSEC) www.nsec.test."}));
        auto ent = ask(snap, "b.ent.nsec.test", LDNS_RR_TYPE_A, true);
        CHECK(ldns_pkt_get_rcode(ent.get()) == LDNS_RCODE_NOERROR);
        CHECK(summary(ldns_pkt_authority(ent.get())) ==
              sorted({"SOA nsec.test.", "RRSIG(SOA) nsec.test.", "NSEC dname.nsec.test.",
                      "RRSIG(NSEC) dname.nsec.test."}));
    }
    SECTION("a wildcard answer: the RRSIG of the wildcard and the NSEC covering the qname") {
        auto p = ask(snap, "x.wild.nsec.test", LDNS_RR_TYPE_A, true);
        CHECK(summary(ldns_pkt_answer(p.get())) ==
              sorted({"A x.wild.nsec.test.", "RRSIG(A) x.wild.nsec.test."}));
        const ldns_rr* sig = nullptr;
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(ldns_pkt_answer(p.get())); ++i) {
            const ldns_rr* rr = ldns_rr_list_rr(ldns_pkt_answer(p.get()), i);
            if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG) {
                sig = rr;
            }
        }
        REQUIRE(sig != nullptr);
        CHECK(ldns_rdf2native_int8(ldns_rr_rrsig_labels(sig)) == 3); // *.wild.nsec.test
        CHECK(summary(ldns_pkt_authority(p.get())) ==
              sorted({"NSEC *.wild.nsec.test.", "RRSIG(NSEC) *.wild.nsec.test."}));
    }
    SECTION("referrals: the DS and its RRSIG, or the NSEC proving there is none") {
        auto secure = ask(snap, "www.secure.nsec.test", LDNS_RR_TYPE_A, true);
        CHECK(summary(ldns_pkt_authority(secure.get())) ==
              sorted(
                  {"NS secure.nsec.test.", "DS secure.nsec.test.", "RRSIG(DS) secure.nsec.test."}));
        auto insecure = ask(snap, "www.insecure.nsec.test", LDNS_RR_TYPE_A, true);
        CHECK(summary(ldns_pkt_authority(insecure.get())) ==
              sorted({"NS insecure.nsec.test.", "NS insecure.nsec.test.",
                      "NSEC insecure.nsec.test.", "RRSIG(NSEC) insecure.nsec.test."}));
        auto plain = ask(snap, "www.secure.nsec.test", LDNS_RR_TYPE_A, false);
        CHECK(summary(ldns_pkt_authority(plain.get())) ==
              std::vector<std::string>{"NS secure.nsec.test."});
    }
    SECTION("with DO and a 512-byte UDP size, an answer whose RRSIGs do not fit is TC") {
        // An NSEC3 NXDOMAIN proof (SOA, 3 NSEC3, 4 RRSIGs of 64-byte signatures) exceeds 512
        // bytes; the same answer without DO fits, and with 4096 it is whole.
        auto big = ask(snap, "a.nope.nsec3.test", LDNS_RR_TYPE_A, true, 512);
        CHECK(ldns_pkt_tc(big.get()));
        auto plain = ask(snap, "a.nope.nsec3.test", LDNS_RR_TYPE_A, false, 512);
        CHECK_FALSE(ldns_pkt_tc(plain.get()));
        auto whole = ask(snap, "a.nope.nsec3.test", LDNS_RR_TYPE_A, true, 4096);
        CHECK_FALSE(ldns_pkt_tc(whole.get()));
        CHECK(ldns_rr_list_rr_count(ldns_pkt_authority(whole.get())) == 8);
    }
}

TEST_CASE("DO=1 answers from NSEC3 zones carry the RFC 5155 proofs", "[dnsd][dnssec]") {
    test::SignedStore s;
    const dnsd::Snapshot snap = s.snapshot();
    // nsec3.test: salt beef, 2 iterations; optout.test: no salt, 0 iterations, opt-out.
    auto h3 = [](const std::string& name) { return hash_label(name, "beef", 2); };
    auto ho = [](const std::string& name) { return hash_label(name, "", 0); };

    SECTION("NXDOMAIN: closest encloser, next closer and wildcard (RFC 5155 §7.2.2)") {
        auto p = ask(snap, "a.nope.nsec3.test", LDNS_RR_TYPE_A, true);
        CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NXDOMAIN);
        const auto chain = nsec3s(ldns_pkt_authority(p.get()));
        CHECK(matched(chain, h3("nsec3.test")));
        CHECK(covered(chain, h3("nope.nsec3.test")));
        CHECK(covered(chain, h3("*.nsec3.test")));
        CHECK(chain.size() <= 3);
        auto plain = ask(snap, "a.nope.nsec3.test", LDNS_RR_TYPE_A, false);
        CHECK(nsec3s(ldns_pkt_authority(plain.get())).empty());
    }
    SECTION("NXDOMAIN deeper down: the closest encloser is the longest existing ancestor") {
        // (query, closest encloser, next closer): below a name with data, below an empty
        // non-terminal, after the zone's last name in canonical order (its neighbour in the
        // store is another zone), and below an NSEC3 owner name, which does not exist (§7.2.8).
        const std::string hashed = h3("www.nsec3.test") + ".nsec3.test";
        const std::vector<std::array<std::string, 3>> cases = {
            {"q.r.www.nsec3.test", "www.nsec3.test", "r.www.nsec3.test"},
            {"x.y.a.b.ent.nsec3.test", "a.b.ent.nsec3.test", "y.a.b.ent.nsec3.test"},
            {"c.b.ent.nsec3.test", "b.ent.nsec3.test", "c.b.ent.nsec3.test"},
            {"zzzz.nsec3.test", "nsec3.test", "zzzz.nsec3.test"},
            {"aaaa.nsec3.test", "nsec3.test", "aaaa.nsec3.test"},
            {"x." + hashed, "nsec3.test", hashed},
        };
        for (const auto& [qname, ce, next] : cases) {
            INFO(qname);
            auto p = ask(snap, qname, LDNS_RR_TYPE_A, true);
            CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NXDOMAIN);
            const auto chain = nsec3s(ldns_pkt_authority(p.get()));
            CHECK(matched(chain, h3(ce)));
            CHECK(covered(chain, h3(next)));
            CHECK(covered(chain, h3("*." + ce)));
            CHECK(chain.size() <= 3);
        }
    }
    SECTION("NODATA: the NSEC3 matching the name (§7.2.3)") {
        auto p = ask(snap, "www.nsec3.test", LDNS_RR_TYPE_MX, true);
        const auto chain = nsec3s(ldns_pkt_authority(p.get()));
        CHECK(chain.size() == 1);
        CHECK(matched(chain, h3("www.nsec3.test")));
    }
    SECTION("wildcard answer: the NSEC3 covering the next closer name (§7.2.6)") {
        auto p = ask(snap, "y.x.wild.nsec3.test", LDNS_RR_TYPE_A, true);
        CHECK(summary(ldns_pkt_answer(p.get())) ==
              sorted({"A y.x.wild.nsec3.test.", "RRSIG(A) y.x.wild.nsec3.test."}));
        const auto chain = nsec3s(ldns_pkt_authority(p.get()));
        CHECK(chain.size() == 1);
        CHECK(covered(chain, h3("x.wild.nsec3.test")));
    }
    SECTION("wildcard NODATA: closest encloser, next closer, and the wildcard's NSEC3 (§7.2.5)") {
        auto p = ask(snap, "x.wild.nsec3.test", LDNS_RR_TYPE_MX, true);
        const auto chain = nsec3s(ldns_pkt_authority(p.get()));
        CHECK(matched(chain, h3("wild.nsec3.test")));
        CHECK(covered(chain, h3("x.wild.nsec3.test")));
        CHECK(matched(chain, h3("*.wild.nsec3.test")));
    }
    SECTION("referrals: the insecure cut's own NSEC3 (ldns gives it one), or the DS") {
        auto p = ask(snap, "www.insecure.optout.test", LDNS_RR_TYPE_A, true);
        const auto chain = nsec3s(ldns_pkt_authority(p.get()));
        CHECK(chain.size() == 1);
        CHECK(matched(chain, ho("insecure.optout.test")));
        auto ds = ask(snap, "insecure.optout.test", LDNS_RR_TYPE_DS, true);
        CHECK(ldns_pkt_get_rcode(ds.get()) == LDNS_RCODE_NOERROR);
        CHECK(nsec3s(ldns_pkt_authority(ds.get())) == chain);
        auto secure = ask(snap, "www.secure.optout.test", LDNS_RR_TYPE_A, true);
        CHECK(summary(ldns_pkt_authority(secure.get())) ==
              sorted({"NS secure.optout.test.", "DS secure.optout.test.",
                      "RRSIG(DS) secure.optout.test."}));
    }
    SECTION("an NSEC3 owner name does not exist (§7.2.8), its hash is covered") {
        const std::string owner = h3("www.nsec3.test") + ".nsec3.test";
        auto p = ask(snap, owner, LDNS_RR_TYPE_NSEC3, true);
        CHECK(ldns_pkt_get_rcode(p.get()) == LDNS_RCODE_NXDOMAIN);
        CHECK(ldns_rr_list_rr_count(ldns_pkt_answer(p.get())) == 0);
    }
}

TEST_CASE("an insecure delegation inside an opt-out span is proved by the covering NSEC3",
          "[dnsd][dnssec]") {
    // RFC 5155 §7.2.7: with no NSEC3 for the cut (a signer that leaves insecure delegations
    // out of an opt-out chain, as dnssec-signzone -A does), the closest provable encloser
    // proof: the apex's NSEC3 and the opt-out NSEC3 covering the cut (the next closer name).
    // The zone is optout.test with the cut's NSEC3 taken out of the chain.
    const std::string cut = hash_label("insecure.optout.test", "", 0);
    test::SignedStore s([&](const std::string& zone, std::string text) {
        if (zone != "optout.test") {
            return text;
        }
        std::string out, next;
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) {
            if (line.rfind(cut + ".", 0) == 0) {
                const auto nsec3 = line.find("NSEC3\t1 1 0 -  ");
                if (nsec3 != std::string::npos) {
                    next = line.substr(nsec3 + 15, 32);
                }
                continue;
            }
            out += line + "\n";
        }
        REQUIRE(next.size() == 32);
        const auto at = out.find(" " + cut);
        REQUIRE(at != std::string::npos);
        return out.replace(at + 1, cut.size(), next);
    });
    const dnsd::Snapshot snap = s.snapshot();
    auto ho = [](const std::string& name) { return hash_label(name, "", 0); };
    auto p = ask(snap, "www.insecure.optout.test", LDNS_RR_TYPE_A, true);
    const auto chain = nsec3s(ldns_pkt_authority(p.get()));
    CHECK(!matched(chain, cut));
    CHECK(matched(chain, ho("optout.test")));
    CHECK(covered(chain, cut));
    CHECK(chain.size() == 2);
    auto ds = ask(snap, "insecure.optout.test", LDNS_RR_TYPE_DS, true);
    CHECK(ldns_pkt_get_rcode(ds.get()) == LDNS_RCODE_NOERROR);
    CHECK(nsec3s(ldns_pkt_authority(ds.get())) == chain);
}

TEST_CASE("DS at the apex of a child zone we also serve is the parent's (RFC 4035 §3.1.4.1)",
          "[dnsd][dnssec]") {
    // The pre-signed parents' delegations, with zones of ours at the cuts.
    test::SignedStore parents({}, test::child_zones());
    const dnsd::Snapshot snap = parents.snapshot();
    auto signer = [](const ldns_rr_list* list) {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
            const ldns_rr* rr = ldns_rr_list_rr(list, i);
            if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_RRSIG) {
                char* s = ldns_rdf2str(ldns_rr_rrsig_signame(rr));
                out.emplace_back(s);
                free(s);
            }
        }
        return out;
    };

    auto ds = ask(snap, "secure.nsec3.test", LDNS_RR_TYPE_DS, true);
    CHECK(ldns_pkt_aa(ds.get()));
    CHECK(summary(ldns_pkt_answer(ds.get())) ==
          sorted({"DS secure.nsec3.test.", "RRSIG(DS) secure.nsec3.test."}));
    CHECK(signer(ldns_pkt_answer(ds.get())) == std::vector<std::string>{"nsec3.test."});
    // Every other type at the apex is the child's.
    auto soa = ask(snap, "secure.nsec3.test", LDNS_RR_TYPE_SOA, true);
    CHECK(ldns_pkt_aa(soa.get()));
    CHECK(summary(ldns_pkt_answer(soa.get())) ==
          std::vector<std::string>{"SOA secure.nsec3.test."});

    auto none = ask(snap, "insecure.nsec3.test", LDNS_RR_TYPE_DS, true);
    CHECK(ldns_pkt_get_rcode(none.get()) == LDNS_RCODE_NOERROR);
    CHECK(ldns_pkt_aa(none.get()));
    CHECK(ldns_rr_list_rr_count(ldns_pkt_answer(none.get())) == 0);
    const auto proofs = nsec3s(ldns_pkt_authority(none.get()));
    CHECK(proofs.size() == 1);
    CHECK(matched(proofs, hash_label("insecure.nsec3.test", "beef", 2)));
    const auto authority = summary(ldns_pkt_authority(none.get()));
    CHECK(std::count(authority.begin(), authority.end(), "SOA nsec3.test.") == 1);

    auto nsec_ds = ask(snap, "secure.nsec.test", LDNS_RR_TYPE_DS, true);
    CHECK(summary(ldns_pkt_answer(nsec_ds.get())) ==
          sorted({"DS secure.nsec.test.", "RRSIG(DS) secure.nsec.test."}));
    // The parent's NSEC at the cut still covers the names after it.
    auto nx = ask(snap, "sz.nsec.test", LDNS_RR_TYPE_A, true);
    CHECK(ldns_pkt_get_rcode(nx.get()) == LDNS_RCODE_NXDOMAIN);
    const auto nx_authority = summary(ldns_pkt_authority(nx.get()));
    CHECK(std::count(nx_authority.begin(), nx_authority.end(), "NSEC secure.nsec.test.") == 1);
}

TEST_CASE("a store whose NSEC3 chain entries carry no node gives the same proofs",
          "[dnsd][dnssec]") {
    // Chain entries carry a copy of their NSEC3 node (read with the seek that finds them); in
    // a store written before they did, the entries are empty and the node is read from
    // DnsNodes: the answers are byte for byte the same.
    test::SignedStore s;
    const std::vector<std::pair<std::string, ldns_rr_type>> queries = {
        {"a.nope.nsec3.test", LDNS_RR_TYPE_A},        {"q.r.www.nsec3.test", LDNS_RR_TYPE_A},
        {"www.nsec3.test", LDNS_RR_TYPE_MX},          {"y.x.wild.nsec3.test", LDNS_RR_TYPE_A},
        {"x.wild.nsec3.test", LDNS_RR_TYPE_MX},       {"b.ent.nsec3.test", LDNS_RR_TYPE_A},
        {"www.insecure.optout.test", LDNS_RR_TYPE_A}, {"nope.optout.test", LDNS_RR_TYPE_A},
        {"insecure.optout.test", LDNS_RR_TYPE_DS},    {"a.nope.nsec.test", LDNS_RR_TYPE_A},
    };
    auto answers = [&](const dnsd::Snapshot& snap) {
        std::vector<Bytes> out;
        for (const auto& [name, type] : queries) {
            const Bytes q = query(name, type, true);
            Bytes a(65535);
            a.resize(dnsd::answer(q, &snap, dnsd::Transport::Udp, 4096, a));
            out.push_back(a);
        }
        return out;
    };
    const std::vector<Bytes> with_nodes = answers(s.snapshot());
    std::size_t emptied = 0;
    s.env.write([&](store::WriteTxn& txn) {
        std::vector<std::string> keys;
        store::Cursor c = txn.cursor(store::Table::DnssecChain);
        for (bool ok = c.first(); ok; ok = c.next()) {
            if (!c.value().empty()) {
                keys.emplace_back(c.key());
            }
        }
        for (const std::string& k : keys) {
            txn.put(store::Table::DnssecChain, k, "");
        }
        emptied = keys.size();
    });
    CHECK(emptied > 20);
    store::ReadTxn txn(s.env);
    store::Cursor cursor = txn.cursor(store::Table::DnsNodes);
    store::Cursor chain = txn.cursor(store::Table::DnssecChain);
    zones::ZoneIndex index;
    REQUIRE(index.sync(txn));
    const std::vector<Bytes> without = answers(dnsd::Snapshot{txn, cursor, index, &chain});
    REQUIRE(without.size() == with_nodes.size());
    for (std::size_t i = 0; i < without.size(); ++i) {
        INFO(queries[i].first);
        CHECK(without[i].size() > 100);
        CHECK(without[i] == with_nodes[i]);
    }
}
