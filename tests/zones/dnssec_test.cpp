// The DNSSEC data zones/ derives at write time (zones/dnssec.hpp): the chain index follows
// every import and re-import of a signed zone (NSEC owners, NSEC3 owners, a zone that changes
// from NSEC to NSEC3, names removed; an NSEC3 entry carries its node), and the NSEC3 hash matches
// RFC 5155's and OpenSSL's.
#include "temp_dir.hpp"
#include "zone_file.hpp"
#include "zones/dnssec.hpp"
#include "zones/node.hpp"
#include "zones/zonefile.hpp"
#include "zones/zones.hpp"

#include <catch2/catch.hpp>
#include <openssl/sha.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

using namespace sb;

namespace {

std::string signed_zone(const std::string& zone) {
    std::ifstream in(std::string(SB_SIGNED_ZONES) + "/" + zone + ".signed");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The owner names the chain index holds for `zone` of `kind`.
std::set<std::string> chain(store::Env& env, const std::string& zone, char kind) {
    const std::string zkey = zones::name_key(zone);
    char buf[zones::max_chain_key];
    const std::size_t n = zones::chain_key(zkey, kind, {}, buf);
    const std::string prefix(buf, n);
    std::set<std::string> out;
    store::ReadTxn txn(env);
    auto c = txn.cursor(store::Table::DnssecChain);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        out.insert(zones::key_to_name(zkey + std::string(c.key().substr(prefix.size()))));
    }
    return out;
}

// Whether every NSEC3 entry of `zone` in the chain index carries a copy of its owner's node
// without its record ids (NSEC entries carry nothing: an NSEC lives in its owner's node with
// all its data).
bool entries_carry_nodes(store::Env& env, const std::string& zone) {
    const std::string zkey = zones::name_key(zone);
    char buf[zones::max_chain_key];
    const std::size_t n = zones::chain_key(zkey, zones::chain_nsec3, {}, buf);
    const std::string prefix(buf, n);
    store::ReadTxn txn(env);
    auto c = txn.cursor(store::Table::DnssecChain);
    for (bool ok = c.seek(prefix); ok && c.key().starts_with(prefix); ok = c.next()) {
        const auto node =
            txn.get(store::Table::DnsNodes, zkey + std::string(c.key().substr(prefix.size())));
        if (!node || c.value() != zones::NodeView(*node).without_ids()) {
            return false;
        }
    }
    return true;
}

// The owners of `type` RRs in a master file (ldns-signzone output: absolute owners).
std::set<std::string> owners(const std::string& text, const std::string& type) {
    std::set<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::istringstream f(line);
        std::string owner, ttl, cls, t;
        if (f >> owner >> ttl >> cls >> t && t == type) {
            out.insert(owner.substr(0, owner.size() - 1));
        }
    }
    return out;
}

std::string without_owner(const std::string& text, const std::string& owner) {
    std::string out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind(owner + ".\t", 0) != 0) {
            out += line + "\n";
        }
    }
    return out;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (std::size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) {
        s.replace(at, from.size(), to);
    }
    return s;
}

} // namespace

TEST_CASE("the chain index holds every NSEC and NSEC3 owner and follows re-imports",
          "[zones][dnssec]") {
    test::TempDir dir;
    store::Env env(dir.path());
    const std::string nsec = signed_zone("nsec.test");
    const std::string nsec3 = signed_zone("nsec3.test");
    test::import_zone_file(env, nsec, true);
    test::import_zone_file(env, nsec3, true);
    CHECK(owners(nsec, "NSEC").size() > 10);
    CHECK(chain(env, "nsec.test", zones::chain_nsec) == owners(nsec, "NSEC"));
    CHECK(chain(env, "nsec.test", zones::chain_nsec3).empty());
    CHECK(chain(env, "nsec3.test", zones::chain_nsec3) == owners(nsec3, "NSEC3"));
    CHECK(chain(env, "nsec3.test", zones::chain_nsec).empty());
    CHECK(entries_carry_nodes(env, "nsec3.test"));

    SECTION("a re-import without a name drops it from the chain") {
        test::import_zone_file(env, without_owner(nsec, "z.nsec.test"), true);
        auto expected = owners(nsec, "NSEC");
        REQUIRE(expected.erase("z.nsec.test") == 1);
        CHECK(chain(env, "nsec.test", zones::chain_nsec) == expected);
        // The other zone's chain is untouched.
        CHECK(chain(env, "nsec3.test", zones::chain_nsec3) == owners(nsec3, "NSEC3"));
    }
    SECTION("a zone re-signed with NSEC3 loses its NSEC chain and gains an NSEC3 one") {
        const std::string resigned = replace_all(nsec3, "nsec3.test.", "nsec.test.");
        test::import_zone_file(env, resigned, true);
        CHECK(chain(env, "nsec.test", zones::chain_nsec).empty());
        CHECK(chain(env, "nsec.test", zones::chain_nsec3) == owners(resigned, "NSEC3"));
        CHECK(entries_carry_nodes(env, "nsec.test"));
        CHECK(chain(env, "nsec3.test", zones::chain_nsec3) == owners(nsec3, "NSEC3"));
    }
}

TEST_CASE("the NSEC3 hash is RFC 5155's", "[zones][dnssec]") {
    // RFC 5155 Appendix A: salt aabbccdd, 12 iterations; "example" hashes to 0p9mhaveqvm6...
    const std::string salt("\xaa\xbb\xcc\xdd", 4);
    zones::Nsec3Params params;
    params.iterations = 12;
    params.salt = salt;
    char label[zones::nsec3_label_len];
    REQUIRE(zones::nsec3_label(zones::name_to_wire("example"), params, label));
    CHECK(std::string(label, sizeof label) == "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom");
    REQUIRE(zones::nsec3_label(zones::name_to_wire("a.example"), params, label));
    CHECK(std::string(label, sizeof label) == "35mthgpgcu1qg68fab165klnsnk3dpvl");
    // NSEC3PARAM rdata: algorithm 1, flags 0, 12 iterations, 4-byte salt.
    zones::Nsec3Params read;
    const std::string rdata = std::string("\1\0\0\x0c\4", 5) + salt;
    REQUIRE(zones::nsec3_params(rdata, read));
    CHECK(read.iterations == 12);
    CHECK(read.salt == salt);
    CHECK_FALSE(zones::nsec3_params(std::string("\2\0\0\x0c\4", 5) + salt, read));
    CHECK_FALSE(zones::nsec3_params(std::string("\1\0\0\x0c\4\xaa", 6), read));

    // The digest itself, against OpenSSL, across the padding boundaries.
    std::string in;
    for (int len = 0; len < 200; ++len) {
        unsigned char ours[20], theirs[20];
        zones::sha1_digest(in, ours);
        SHA1(reinterpret_cast<const unsigned char*>(in.data()), in.size(), theirs);
        CHECK(std::string(reinterpret_cast<char*>(ours), 20) ==
              std::string(reinterpret_cast<char*>(theirs), 20));
        in.push_back(static_cast<char>(len * 7 + 1));
    }
}
