#!/usr/bin/python3
"""End-to-end: DnsPort carries the record types beyond the guide's enumeration (issue 12).

`switchboard serve` on loopback ports it picks, driven with zeep (from GET /ngnpro/wsdl) and
dig; the data dir is deleted afterwards.

What it checks:

 new_types_round_trip   addRecord of CAA, TLSA, SSHFP, SVCB, HTTPS, DS (at a delegation) and
     DNAME: getRecords returns each with its type and the value given, and dig returns it with
     AA, the TTL given and the rdata ldns wrote (CAA, TLSA, SSHFP, SVCB, HTTPS with a target
     relative to the zone, DS at the cut answered by the parent, RFC 4035 §3.1.4.1).
 malformed_values       20 malformed values of those types: each is a fault 8002 whose message
     names the field (value) and the type; afterwards the serial, the record list and the DNS
     answers are exactly as before. Also refused: a DS at the apex, a second DNAME at a name,
     the signer's types (RRSIG) and meta-types (AXFR).

Usage: /usr/bin/python3 test_dns_types.py --binary PATH/TO/switchboard
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, SoapClient, dig, fault_code  # noqa: E402
from test_dns_skeleton import (ZONE, add_example_zone, dig_until, records_of, serial,  # noqa: E402
                               start)

KEYHASH = "0123456789abcdef" * 4

# (name, type, value, what dig shows)
GOOD = [
    ("@", "CAA", '0 issue "letsencrypt.org"', '0 issue "letsencrypt.org"'),
    ("_443._tcp.www", "TLSA", "3 1 1 " + KEYHASH, "3 1 1 " + KEYHASH.upper()),
    ("host", "SSHFP", "4 2 " + KEYHASH, "4 2 " + KEYHASH.upper()),
    ("_dns", "SVCB", "1 dns alpn=dot port=853", "1 dns.example.com. alpn=\"dot\" port=853"),
    ("www", "HTTPS", "1 . alpn=h2,h3", "1 . alpn=\"h2,h3\""),
    ("child", "NS", "ns1.child.example.net.", "ns1.child.example.net."),
    ("child", "DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
     "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118"),
    ("old", "DNAME", "example.net.", "example.net."),
]

BAD = [
    ("CAA", "0 issue"), ("CAA", "abc"), ("CAA", '0 "" "x"'), ("CAA", '0 issue "a" extra'),
    ("TLSA", "3 1 1 xyz"), ("TLSA", "3 1"), ("TLSA", ""),
    ("SSHFP", "4 2 zz"), ("SSHFP", "4"), ("SSHFP", "x 2 00"),
    ("SVCB", "x . alpn=h2"), ("SVCB", "1 . foo=bar"), ("SVCB", "1"),
    ("HTTPS", "1 . ipv4hint=300.1.1.1"), ("HTTPS", "1 . ipv6hint=nope"),
    ("DS", "60485 5 1 zz"), ("DS", "60485 5"), ("DS", "abc 5 1 00"),
    ("DNAME", "two names"), ("DNAME", ""),
]


def snapshot(c, port):
    total, recs = records_of(c)
    return {"serial": serial(c),
            "records": sorted((str(r.name), str(r.type), str(r.value)) for r in recs),
            "total": total,
            "bad": dig(port, "bad.example.com", "ANY").rcode,
            "caa": sorted(rr[4] for rr in dig(port, ZONE, "CAA").answer)}


def norm(text):
    """dig splits long hex and base64 fields: compare without white space."""
    return "".join(text.split())


def test_new_types_round_trip(args):
    ck = Checker("new_types_round_trip")
    with DataDir(keep=args.keep) as data, start(args, "serve", data) as srv:
        c = SoapClient(srv, data.username, data.password)
        add_example_zone(c)
        for name, rtype, value, _ in GOOD:
            c.addRecord(record={"zone": ZONE, "name": name, "type": rtype, "ttl": 600,
                                "value": value, "priority": 0})
        _, recs = records_of(c)
        got = {(str(r.name), str(r.type)): str(r.value) for r in recs}
        for name, rtype, value, shown in GOOD:
            fq = ZONE if name == "@" else name + "." + ZONE
            ck.eq(got.get((fq, rtype)), value, f"getRecords {fq} {rtype}")
            if rtype == "NS":
                continue
            ans = dig_until(srv.dns_port, fq, rtype, lambda a: a.answer)
            ck.check(ans.aa, f"dig {fq} {rtype}: AA")
            ck.eq([(rr[1], norm(rr[4])) for rr in ans.rrs(rtype)], [(600, norm(shown))],
                  f"dig {fq} {rtype}")
        ck.eq(dig(srv.dns_port, "child.example.com", "DS", tcp=True).answer[0][4].split()[0],
              "60485", "DS over TCP")
    ck.done()


def test_malformed_values(args):
    import zeep.exceptions
    ck = Checker("malformed_values")
    with DataDir(keep=args.keep) as data, start(args, "serve", data) as srv:
        c = SoapClient(srv, data.username, data.password)
        add_example_zone(c)
        c.addRecord(record={"zone": ZONE, "name": "@", "type": "CAA", "ttl": 600,
                            "value": '0 issue "ca.example"', "priority": 0})
        c.addRecord(record={"zone": ZONE, "name": "old", "type": "DNAME", "ttl": 600,
                            "value": "example.net.", "priority": 0})
        dig_until(srv.dns_port, ZONE, "CAA", lambda a: a.answer)
        before = snapshot(c, srv.dns_port)
        cases = [(rtype, value, "value") for rtype, value in BAD]
        cases += [("DS", "60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118", "type"),
                  ("DNAME", "example.org.", "type"), ("RRSIG", "A 8 2 3600 x", "type"),
                  ("AXFR", "", "type")]
        for rtype, value, field in cases:
            name = "old" if rtype == "DNAME" and field == "type" else \
                ("@" if rtype == "DS" and field == "type" else "bad")
            what = f"{rtype} {value!r}"
            try:
                c.addRecord(record={"zone": ZONE, "name": name, "type": rtype, "ttl": 600,
                                    "value": value, "priority": 0})
                ck.check(False, f"{what}: accepted")
            except zeep.exceptions.Fault as e:
                ck.eq(fault_code(e), 8002, f"{what}: errorcode")
                ck.check(e.message.startswith(field + ":"), f"{what}: names {field}: {e.message}")
                ck.check(rtype in e.message or field == "type",
                         f"{what}: names the type: {e.message}")
            after = snapshot(c, srv.dns_port)
            for k in before:
                ck.check(after[k] == before[k], f"{what}: {k} changed: {before[k]!r} -> "
                                                f"{after[k]!r}")
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
