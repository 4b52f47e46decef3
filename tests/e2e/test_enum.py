#!/usr/bin/python3
"""End-to-end tests of ENUM: EnumPort provisioning through SOAP, answered as NAPTR by DNS.

Each test starts the real `switchboard serve` on 127.0.0.1 with ports it picks, in a fresh
data dir, and always stops it and deletes the dir.

What it checks:

 range_numbers_answer   addRange 31208005 (e164.arpa, 11 digits, ns1/ns2.example.net);
     the range apex answers SOA and NS with AA; addNumber 31208005100 with a sip and a mailto
     mapping: NAPTR at 0.0.1.5.0.0.8.0.2.1.3.e164.arpa answers both with AA on the next
     query — order 100, preference = priority, flags "u", E2U+sip / E2U+mailto,
     regexp !^.*$!<mapto>!, replacement "." (docs/decisions.md) and the range's TTL;
     getNumber returns the mappings with ids; updateNumber replacing the mappings is
     reflected on the next query and keeps the id of the mapping it sent back; getRanges
     shows used = 1 and a serial that grew; deleteNumber gives NXDOMAIN with the range's
     SOA in authority; used drops to 0.
 validation             faults, each leaving numbers, ranges, serial and DNS unchanged:
     number outside every range (3000), too few and too many digits (8002), 6 mappings
     (8002), an unknown mapping type (8002), a mailto mapping with a sip: target (8002), a
     duplicate number (3003), deleting a non-empty range (3004), a range inside another
     (8002), a duplicate range (3001).
 wire_samples           the CDRTool EnumPort wire samples posted as recorded, in the order
     addRange, addNumber, getNumber, getNumbers, getRanges, updateNumber, deleteNumber,
     deleteRange: each HTTP 200 with an <op>Response in urn:AGProjects:NGNPro:Enum.

Usage: /usr/bin/python3 test_enum.py --binary PATH/TO/switchboard
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import (Checker, DataDir, SoapClient, as_list, dig, expect_fault,  # noqa: E402
                    soap_body_child, start_serve, wait_for)

NS_ENUM = "urn:AGProjects:NGNPro:Enum"
INI = "[dns]\nnameservers = ns1.example.net ns2.example.net\n"
APEX = "5.0.0.8.0.2.1.3.e164.arpa"
NUMBER = "31208005100"
OWNER = "0.0.1.5.0.0.8.0.2.1.3.e164.arpa"


def mappings(c, items):
    return c.array("EnumNumber", "mappings", items)


def add_range(c, prefix="31208005", digits=11):
    c.addRange(range={"id": {"prefix": prefix, "tld": "e164.arpa"}, "ttl": 600,
                      "minDigits": digits, "maxDigits": digits,
                      "nameservers": c.array("EnumRange", "nameservers",
                                             ["ns1.example.net", "ns2.example.net"])})


def naptrs(ans):
    return sorted(rr[4] for rr in ans.rrs("NAPTR"))


def dig_until(port, name, rtype, want, timeout=5.0):
    last = {}

    def probe():
        last["a"] = dig(port, name, rtype)
        return want(last["a"])
    wait_for(probe, timeout=timeout)
    return last["a"]


def the_range(c):
    res = c.getRanges(query={"filter": {"prefix": "", "tld": ""},
                             "range": {"start": 0, "count": 100}})
    ranges = as_list(res.ranges)
    return ranges[0] if ranges else None


def test_range_numbers_answer(args):
    ck = Checker("range_numbers_answer")
    with DataDir(keep=args.keep, extra_ini=INI) as data, start_serve(args, data) as srv:
        c = SoapClient(srv, data.username, data.password, port_name="EnumPort")
        add_range(c)
        soa = dig_until(srv.dns_port, APEX, "SOA", lambda a: a.rrs("SOA"))
        ck.check(soa.aa and soa.rcode == "NOERROR", f"apex SOA with AA expected: {soa}")
        ns = dig(srv.dns_port, APEX, "NS")
        ck.eq(sorted(rr[4].lower() for rr in ns.rrs("NS")),
              ["ns1.example.net.", "ns2.example.net."], "apex NS")
        serial0 = int(the_range(c).serial)

        c.addNumber(number={"id": {"number": NUMBER, "tld": "e164.arpa"},
                            "mappings": mappings(c, [
                                {"type": "sip", "mapto": "sip:alice@example.com",
                                 "priority": 10},
                                {"type": "mailto", "mapto": "mailto:alice@example.com",
                                 "priority": 20}])})
        ans = dig(srv.dns_port, OWNER, "NAPTR")  # the very next query
        ck.check(ans.aa and ans.rcode == "NOERROR", f"NAPTR: AA NOERROR expected: {ans}")
        ck.eq(naptrs(ans), [
            '100 10 "u" "E2U+sip" "!^.*$!sip:alice@example.com!" .',
            '100 20 "u" "E2U+mailto" "!^.*$!mailto:alice@example.com!" .'], "NAPTR rdata")
        ck.check(all(rr[1] == 600 for rr in ans.rrs("NAPTR")), f"range TTL 600: {ans.answer}")

        n = c.getNumber(enumId={"number": NUMBER, "tld": "e164.arpa"})
        got = as_list(n.mappings)
        ck.eq(len(got), 2, "getNumber mappings")
        sip_id = next((int(m.id) for m in got if m.type == "sip"), None)
        ck.check(sip_id, "the sip mapping has an id")
        r = the_range(c)
        ck.eq(int(r.used), 1, "used after addNumber")
        ck.check(int(r.serial) > serial0, "range serial grew")

        c.updateNumber(number={"id": {"number": NUMBER, "tld": "e164.arpa"},
                               "mappings": mappings(c, [
                                   {"id": sip_id, "type": "sip", "mapto": "sip:bob@example.com",
                                    "priority": 5}])})
        ans = dig(srv.dns_port, OWNER, "NAPTR")
        ck.eq(naptrs(ans), ['100 5 "u" "E2U+sip" "!^.*$!sip:bob@example.com!" .'],
              "NAPTR after updateNumber")
        n = c.getNumber(enumId={"number": NUMBER, "tld": "e164.arpa"})
        ck.eq([int(m.id) for m in as_list(n.mappings)], [sip_id], "mapping id kept")

        c.deleteNumber(enumId={"number": NUMBER, "tld": "e164.arpa"})
        gone = dig(srv.dns_port, OWNER, "NAPTR")
        ck.eq(gone.rcode, "NXDOMAIN", "after deleteNumber")
        ck.check(any(rr[3] == "SOA" and rr[0].rstrip(".").lower() == APEX
                     for rr in gone.authority), f"range SOA in authority: {gone}")
        ck.eq(int(the_range(c).used), 0, "used after deleteNumber")
    ck.done()


def test_validation(args):
    ck = Checker("validation")
    with DataDir(keep=args.keep, extra_ini=INI) as data, start_serve(args, data) as srv:
        c = SoapClient(srv, data.username, data.password, port_name="EnumPort")
        add_range(c)
        c.addNumber(number={"id": {"number": NUMBER, "tld": "e164.arpa"},
                            "mappings": mappings(c, [{"type": "sip", "mapto": "sip:a@b.c",
                                                      "priority": 1}])})

        def state():
            r = the_range(c)
            nums = c.getNumbers(query={"filter": {"tld": "e164.arpa"},
                                       "range": {"start": 0, "count": 100}})
            return (int(r.serial), int(r.used), int(nums.total),
                    naptrs(dig(srv.dns_port, OWNER, "NAPTR")),
                    dig(srv.dns_port, "1.0.1.5.0.0.8.0.2.1.3.e164.arpa", "NAPTR").rcode)
        before = state()

        def number(num, maps):
            return {"id": {"number": num, "tld": "e164.arpa"}, "mappings": mappings(c, maps)}
        sip = {"type": "sip", "mapto": "sip:a@b.c", "priority": 1}
        expect_fault(ck, 3000, "outside every range", c.addNumber,
                     number=number("4420700000", [sip]))
        expect_fault(ck, 8002, "too few digits", c.addNumber, number=number("3120800510", [sip]))
        expect_fault(ck, 8002, "too many digits", c.addNumber,
                     number=number("312080051011", [sip]))
        expect_fault(ck, 8002, "six mappings", c.addNumber,
                     number=number("31208005101", [sip] * 6))
        expect_fault(ck, 8002, "unknown type", c.addNumber,
                     number=number("31208005101", [{"type": "pigeon", "mapto": "sip:a@b.c"}]))
        expect_fault(ck, 8002, "mailto with sip:", c.addNumber,
                     number=number("31208005101", [{"type": "mailto", "mapto": "sip:a@b.c"}]))
        expect_fault(ck, 3003, "duplicate number", c.addNumber, number=number(NUMBER, [sip]))
        expect_fault(ck, 3004, "delete non-empty range", c.deleteRange,
                     range={"prefix": "31208005", "tld": "e164.arpa"})
        expect_fault(ck, 8002, "range inside a range", add_range, c, "312080051", 11)
        expect_fault(ck, 3001, "duplicate range", add_range, c)
        ck.eq(state(), before, "nothing changed")
    ck.done()


def test_wire_samples(args):
    ck = Checker("wire_samples")
    samples = sbtest.load_samples("EnumPort")
    # The samples authenticate as admin/secret and name customer 1001.
    with DataDir(username="admin", password="secret", keep=args.keep,
                 extra_ini=INI) as data, start_serve(args, data) as srv:
        for op in ("addRange", "addNumber", "getNumber", "getNumbers", "getRanges",
                   "updateNumber", "deleteNumber", "deleteRange"):
            resp = samples[op].post(srv.soap_port)
            ck.eq(resp.status, 200, f"{op}: HTTP status")
            _, child = soap_body_child(resp.body)
            ck.eq(child.tag if child is not None else None, f"{{{NS_ENUM}}}{op}Response",
                  f"{op}: response element ({resp.body[:300]!r})")
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
