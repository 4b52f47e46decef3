// dnsd::Server over UDP and TCP on 127.0.0.1 (a port picked per test), against the zone in
// fixture.hpp. Checks: AA, rdata and TTL of hits (A, SRV, NAPTR); the question echoed as sent
// (case kept) and answer owners compressed to it; NXDOMAIN and NODATA with the SOA (TTL =
// MINIMUM) in authority; an empty non-terminal is NODATA; REFUSED outside our zones;
// FORMERR for QDCOUNT=2; NOTIMP for opcode 2; EDNS OPT echoed with our payload size and
// BADVERS for version 1; TC with whole RRsets dropped over UDP, the full RRset over TCP
// (two pipelined queries on one connection); CNAME chains; referrals; SERVFAIL for a
// malformed node; a commit made while the server runs is answered on the next query; a port
// held by another program is refused. server_reload_test.cpp: reload and metrics;
// server_tcp_test.cpp: the TCP table.
#include "server_client.hpp"

using namespace sb;
using namespace sb::test::net;

TEST_CASE_METHOD(Fixture, "dnsd answers hits authoritatively over UDP", "[dnsd]") {
    RunningServer server(env);
    SECTION("A with TTL, question echoed as sent, owner compressed to it") {
        const Bytes q = make_query("WwW.ExAmple.COM", A);
        const Bytes r = udp_exchange(server.port(), q);
        Packet p(r);
        CHECK(ldns_pkt_id(p.pkt) == 0x1234);
        CHECK(ldns_pkt_qr(p.pkt));
        CHECK(ldns_pkt_aa(p.pkt));
        CHECK(ldns_pkt_rd(p.pkt));
        CHECK_FALSE(ldns_pkt_tc(p.pkt));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        // Question section byte for byte (case preserved), then a pointer to offset 12.
        const std::size_t qend = q.size();
        REQUIRE(r.size() > qend + 2);
        CHECK(Bytes(r.begin() + 12, r.begin() + static_cast<long>(qend)) ==
              Bytes(q.begin() + 12, q.end()));
        CHECK(r[qend] == 0xC0);
        CHECK(r[qend + 1] == 12);
        // The second A repeats the pointer: owner 2, type, class, TTL, rdlength 10, rdata 4.
        REQUIRE(r.size() > qend + 16 + 2);
        CHECK(r[qend + 16] == 0xC0);
        CHECK(r[qend + 17] == 12);
        REQUIRE(p.count(LDNS_SECTION_ANSWER) == 2);
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 0) == "WwW.ExAmple.COM. 600 A 192.0.2.1");
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 1) == "WwW.ExAmple.COM. 600 A 192.0.2.2");
        CHECK(p.count(LDNS_SECTION_AUTHORITY) == 0);
        CHECK_FALSE(ldns_pkt_edns(p.pkt));
    }
    SECTION("SRV") {
        Packet p(udp_exchange(server.port(), make_query("_sip._udp.example.com", SRV)));
        CHECK(ldns_pkt_aa(p.pkt));
        REQUIRE(p.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 0) ==
              "_sip._udp.example.com. 3600 SRV 10 20 5060 sip.example.com.");
    }
    SECTION("NAPTR") {
        Packet p(udp_exchange(server.port(), make_query("sip.example.com", NAPTR)));
        REQUIRE(p.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 0) ==
              "sip.example.com. 3600 NAPTR 10 100 \"s\" \"SIP+D2U\" \"\" _sip._udp.example.com.");
    }
    SECTION("SOA and NS at the apex") {
        Packet soa(udp_exchange(server.port(), make_query("example.com", SOA)));
        REQUIRE(soa.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(soa.rr_text(LDNS_SECTION_ANSWER, 0) ==
              "example.com. 3600 SOA ns1.example.com. hostmaster.example.com. 2024010101 3600 "
              "600 86400 300");
        Packet ns(udp_exchange(server.port(), make_query("example.com", NS)));
        REQUIRE(ns.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(ns.rr_text(LDNS_SECTION_ANSWER, 0) == "example.com. 3600 NS ns1.example.com.");
    }
    SECTION("CNAME chain inside the zone") {
        Packet p(udp_exchange(server.port(), make_query("alias2.example.com", A)));
        CHECK(ldns_pkt_aa(p.pkt));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        REQUIRE(p.count(LDNS_SECTION_ANSWER) == 4);
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 0) ==
              "alias2.example.com. 300 CNAME alias.example.com.");
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 1) == "alias.example.com. 300 CNAME www.example.com.");
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 2) == "www.example.com. 600 A 192.0.2.1");
    }
    SECTION("CNAME out of our zones, and a CNAME loop") {
        Packet ext(udp_exchange(server.port(), make_query("ext.example.com", A)));
        CHECK(ext.rcode() == LDNS_RCODE_NOERROR);
        REQUIRE(ext.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(ext.rr_text(LDNS_SECTION_ANSWER, 0) == "ext.example.com. 300 CNAME www.example.net.");
        Packet loop(udp_exchange(server.port(), make_query("loop1.example.com", A)));
        CHECK(loop.rcode() == LDNS_RCODE_NOERROR);
        CHECK(loop.count(LDNS_SECTION_ANSWER) == 2);
    }
}

TEST_CASE_METHOD(Fixture, "dnsd negative answers carry the SOA", "[dnsd]") {
    RunningServer server(env);
    const auto check_soa = [](const Packet& p) {
        CHECK(ldns_pkt_aa(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
        REQUIRE(p.count(LDNS_SECTION_AUTHORITY) == 1);
        // TTL = min(SOA TTL 3600, MINIMUM 300) (RFC 2308 §5); owner is the apex.
        CHECK(p.rr_text(LDNS_SECTION_AUTHORITY, 0) ==
              "example.com. 300 SOA ns1.example.com. hostmaster.example.com. 2024010101 3600 "
              "600 86400 300");
    };
    SECTION("NXDOMAIN") {
        Packet p(udp_exchange(server.port(), make_query("nope.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NXDOMAIN);
        check_soa(p);
    }
    SECTION("NODATA") {
        Packet p(udp_exchange(server.port(), make_query("www.example.com", AAAA)));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        check_soa(p);
    }
    SECTION("empty non-terminal is NODATA") {
        Packet p(udp_exchange(server.port(), make_query("b.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        check_soa(p);
    }
    SECTION("dangling CNAME is NXDOMAIN with the CNAME") {
        Packet p(udp_exchange(server.port(), make_query("dangling.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NXDOMAIN);
        CHECK(ldns_pkt_aa(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(p.count(LDNS_SECTION_AUTHORITY) == 1);
    }
}

TEST_CASE_METHOD(Fixture, "dnsd refuses, rejects and fails where it must", "[dnsd]") {
    RunningServer server(env);
    SECTION("REFUSED outside our zones") {
        Packet p(udp_exchange(server.port(), make_query("www.example.org", A)));
        CHECK(p.rcode() == LDNS_RCODE_REFUSED);
        CHECK_FALSE(ldns_pkt_aa(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
    }
    SECTION("FORMERR for a bare header with QDCOUNT=2") {
        const Bytes q = {0xAB, 0xCD, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
        const Bytes r = udp_exchange(server.port(), q);
        Packet p(r);
        CHECK(ldns_pkt_id(p.pkt) == 0xABCD);
        CHECK(ldns_pkt_qr(p.pkt));
        CHECK(p.rcode() == LDNS_RCODE_FORMERR);
    }
    SECTION("FORMERR for a truncated question") {
        Bytes q = make_query("www.example.com", A);
        q.resize(q.size() - 3);
        Packet p(udp_exchange(server.port(), q));
        CHECK(p.rcode() == LDNS_RCODE_FORMERR);
    }
    SECTION("NOTIMP for opcode 2 (STATUS)") {
        QueryOptions o;
        o.flags = 2 << 11;
        Packet p(udp_exchange(server.port(), make_query("www.example.com", A, o)));
        CHECK(p.rcode() == LDNS_RCODE_NOTIMPL);
        CHECK(ldns_pkt_get_opcode(p.pkt) == LDNS_PACKET_STATUS);
    }
    SECTION("SERVFAIL for a malformed stored node") {
        Packet p(udp_exchange(server.port(), make_query("broken.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_SERVFAIL);
    }
    SECTION("a referral at a zone cut, not authoritative") {
        Packet p(udp_exchange(server.port(), make_query("host.sub.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        CHECK_FALSE(ldns_pkt_aa(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
        REQUIRE(p.count(LDNS_SECTION_AUTHORITY) == 1);
        CHECK(p.rr_text(LDNS_SECTION_AUTHORITY, 0) ==
              "sub.example.com. 86400 NS ns.sub.example.com.");
    }
}

TEST_CASE_METHOD(Fixture, "dnsd EDNS(0) and truncation", "[dnsd]") {
    RunningServer server(env);
    SECTION("OPT echoed with our payload size and the DO bit") {
        QueryOptions o;
        o.edns = true;
        o.edns_do = true;
        Packet p(udp_exchange(server.port(), make_query("www.example.com", A, o)));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        REQUIRE(ldns_pkt_edns(p.pkt));
        CHECK(ldns_pkt_edns_udp_size(p.pkt) == 1232);
        CHECK(ldns_pkt_edns_version(p.pkt) == 0);
        CHECK(ldns_pkt_edns_do(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 2);
    }
    SECTION("BADVERS for EDNS version 1") {
        QueryOptions o;
        o.edns = true;
        o.edns_version = 1;
        Packet p(udp_exchange(server.port(), make_query("www.example.com", A, o)));
        REQUIRE(ldns_pkt_edns(p.pkt));
        CHECK(ldns_pkt_edns_extended_rcode(p.pkt) == 1); // BADVERS = 16 = 1 << 4
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
    }
    SECTION("TC over UDP without EDNS: the RRset is dropped whole") {
        const Bytes r = udp_exchange(server.port(), make_query("big.example.com", TXT));
        CHECK(r.size() <= 512);
        Packet p(r);
        CHECK(ldns_pkt_tc(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
    }
    SECTION("TC over UDP with EDNS: bounded by our 1232") {
        QueryOptions o;
        o.edns = true;
        o.edns_size = 65000;
        const Bytes r = udp_exchange(server.port(), make_query("big.example.com", TXT, o));
        CHECK(r.size() <= 1232);
        Packet p(r);
        CHECK(ldns_pkt_tc(p.pkt));
        CHECK(ldns_pkt_edns(p.pkt));
        CHECK(p.count(LDNS_SECTION_ANSWER) == 0);
    }
    SECTION("the full RRset over TCP, two queries pipelined on one connection") {
        const auto answers = tcp_exchange(
            server.port(), {make_query("big.example.com", TXT), make_query("www.example.com", A)});
        REQUIRE(answers.size() == 2);
        Packet big(answers[0]);
        CHECK_FALSE(ldns_pkt_tc(big.pkt));
        CHECK(ldns_pkt_aa(big.pkt));
        CHECK(big.count(LDNS_SECTION_ANSWER) == 40);
        Packet www(answers[1]);
        CHECK(www.count(LDNS_SECTION_ANSWER) == 2);
        CHECK(www.rr_text(LDNS_SECTION_ANSWER, 0) == "www.example.com. 600 A 192.0.2.1");
    }
    SECTION("TCP negative answers and REFUSED") {
        const auto answers = tcp_exchange(
            server.port(), {make_query("nope.example.com", A), make_query("example.org", A)});
        Packet nx(answers[0]);
        CHECK(nx.rcode() == LDNS_RCODE_NXDOMAIN);
        CHECK(nx.count(LDNS_SECTION_AUTHORITY) == 1);
        Packet refused(answers[1]);
        CHECK(refused.rcode() == LDNS_RCODE_REFUSED);
    }
}

TEST_CASE_METHOD(Fixture, "dnsd answers a commit made while it runs", "[dnsd]") {
    RunningServer server(env);
    {
        Packet p(udp_exchange(server.port(), make_query("new.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NXDOMAIN);
    }
    {
        env.write([&](store::WriteTxn& txn) {
            test::put_rrs(txn, "new.example.com", zones::RRType::A, 60,
                          {test::a_rdata(192, 0, 2, 9)});
        });
    }
    // Every worker renews its snapshot per batch, whichever one gets the next query.
    for (int i = 0; i < 4; ++i) {
        Packet p(udp_exchange(server.port(), make_query("new.example.com", A)));
        CHECK(p.rcode() == LDNS_RCODE_NOERROR);
        REQUIRE(p.count(LDNS_SECTION_ANSWER) == 1);
        CHECK(p.rr_text(LDNS_SECTION_ANSWER, 0) == "new.example.com. 60 A 192.0.2.9");
    }
    const auto tcp = tcp_exchange(server.port(), {make_query("new.example.com", A)});
    Packet p(tcp[0]);
    CHECK(p.count(LDNS_SECTION_ANSWER) == 1);
}

TEST_CASE("dnsd reports a port it cannot bind", "[dnsd]") {
    test::TempDir dir;
    store::Env env(dir.path());
    Socket taken(SOCK_DGRAM);
    sockaddr_in a = loopback(0);
    REQUIRE(::bind(taken.fd(), reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(taken.fd(), reinterpret_cast<sockaddr*>(&a), &len) == 0);
    dnsd::Options o;
    o.listen = {"127.0.0.1:" + std::to_string(ntohs(a.sin_port))};
    o.workers = 1;
    CHECK_THROWS_WITH(dnsd::Server(env, o),
                      Catch::Contains("127.0.0.1 port " + std::to_string(ntohs(a.sin_port)) +
                                      " is already in use by another program"));
    o.listen = {"not-an-address:53"};
    CHECK_THROWS_WITH(dnsd::Server(env, o), Catch::Contains("not an IP address"));
}
