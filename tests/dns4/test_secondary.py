#!/usr/bin/python3
"""Knot DNS as a secondary of Switchboard (issue 4, done-when 2).

Starts `switchboard serve` (DNS + SOAP) with example.com imported, `[dns] notify` pointing at
a Knot secondary, transfers allowed by TSIG key only, and Knot configured with that key.
The key is hmac-sha512, and Knot takes only NOTIFYs signed with it (issue 15).
Checks: the zone arrives at Knot by AXFR (Knot answers its SOA and records); a record added
over SOAP (DnsPort.addRecord) reaches Knot by NOTIFY + IXFR within 5 seconds (Knot answers
the new name; its log shows an incremental transfer); kdig AXFR with the right key works,
with a wrong key is refused (TSIG error), without a key is REFUSED, and from an address in
allow_transfer works without a key.
"""

import base64
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_nsd_diff import Tally  # noqa: E402
from dns4lib import (ZONES, cleanup, free_port, kdig, make_query, parse_args, query,  # noqa
                     soap_call, start_knot_secondary, start_switchboard, tempdir)

SECRET = base64.b64encode(b"switchboard-dns4-test-key-32byte").decode()
WRONG = base64.b64encode(b"not-the-right-key-at-all-32bytes").decode()
ADD_RECORD = """<record xsi:type="ns4:DnsRecord">
 <name xsi:type="xsd:string">%s</name>
 <zone xsi:type="xsd:string">example.com</zone>
 <type xsi:type="xsd:string">A</type>
 <value xsi:type="xsd:string">%s</value>
 <owner xsi:type="xsd:int">0</owner>
 <ttl xsi:type="xsd:int">300</ttl>
 <priority xsi:type="xsd:int">0</priority>
</record>"""


def soap_add_record(port, name, value):
    soap_call(port, "addRecord", ADD_RECORD % (name, value))


def start_knot(workdir, primary_port, port):
    return start_knot_secondary(workdir, primary_port, port, ["example.com"], SECRET)


def serial_of(port, name="example.com"):
    r = query(port, make_query(name, "SOA"))
    if r.rcode != 0 or not r.answer:
        return None
    return int(r.answer[0][4].split()[2][:8], 16)


def main():
    binary = parse_args().binary
    sb_dir, knot_dir = tempdir("dns4-sec-sb-"), tempdir("dns4-sec-knot-")
    sb = knot = None
    tally = Tally()
    check = tally.check

    try:
        knot_port = free_port()  # reserved for Knot below; switchboard must know it first
        soap_port = free_port()
        ini = ("[admin]\nusername = admin\npassword = dns4-secret\n[dns]\nworkers = 1\n"
               "notify = 127.0.0.1:%d@xfrkey\nallow_transfer = 127.0.0.2/32\n"
               "tsig_key = xfrkey:hmac-sha512:%s\n" % (knot_port, SECRET))
        sb = start_switchboard(binary, sb_dir, ini=ini, command="serve", soap_port=soap_port,
                               zone_files=[os.path.join(ZONES, "example.com.zone")])
        knot = start_knot(knot_dir, sb.port, knot_port)
        # 1. The zone arrives by AXFR.
        deadline = time.time() + 15
        serial = None
        while time.time() < deadline and serial is None:
            try:
                serial = serial_of(knot.port)
            except Exception:  # noqa: BLE001 — not up yet
                pass
            time.sleep(0.2)
        check(serial == serial_of(sb.port), "Knot has the zone by AXFR (serial %s vs %s)"
              % (serial, serial_of(sb.port)))
        r = query(knot.port, make_query("www.example.com", "A"))
        check(sorted(x[4] for x in r.answer) == ["c0000250", "c0000251"],
              "Knot answers www.example.com from the transferred zone: %r" % (r.answer,))
        # 2. A SOAP change reaches Knot by NOTIFY + IXFR within 5 seconds.
        start = time.time()
        soap_add_record(soap_port, "fresh", "192.0.2.222")
        got = False
        while time.time() - start < 5 and not got:
            r = query(knot.port, make_query("fresh.example.com", "A"))
            got = r.rcode == 0 and [x[4] for x in r.answer] == ["c00002de"]
            if not got:
                time.sleep(0.1)
        check(got, "the SOAP change reached Knot within 5 s")
        print("SOAP change visible at the secondary after %.2f s" % (time.time() - start))
        time.sleep(0.3)
        log = knot.output()
        if os.environ.get("DNS4_DEBUG"):
            print(log)
        check("IXFR, incoming" in log and "fallback" not in log.lower(),
              "Knot's log shows an incremental transfer:\n" + log[-2000:])
        # A second change, to see the journal chain two versions.
        soap_add_record(soap_port, "fresh2", "192.0.2.223")
        start = time.time()
        got = False
        while time.time() - start < 5 and not got:
            r = query(knot.port, make_query("fresh2.example.com", "A"))
            got = r.rcode == 0 and bool(r.answer)
            time.sleep(0.1)
        check(got and serial_of(knot.port) == serial_of(sb.port),
              "a second change reached Knot with the same serial")
        # 3. TSIG: right key transfers, wrong key and no key do not.
        right = kdig(sb.port, ["-y", "hmac-sha512:xfrkey:" + SECRET, "AXFR", "example.com"])
        check("fresh.example.com." in right, "AXFR with the right key:\n" + right[-800:])
        wrong = kdig(sb.port, ["-y", "hmac-sha512:xfrkey:" + WRONG, "AXFR", "example.com"])
        check("fresh.example.com." not in wrong and
              ("NOTAUTH" in wrong or "BADSIG" in wrong or "TSIG" in wrong),
              "AXFR with a wrong key is refused:\n" + wrong[-800:])
        nokey = kdig(sb.port, ["AXFR", "example.com"])
        check("fresh.example.com." not in nokey and "REFUSED" in nokey,
              "AXFR without a key from a disallowed address is REFUSED:\n" + nokey[-800:])
        acl = kdig(sb.port, ["-b", "127.0.0.2", "AXFR", "example.com"])
        check("fresh.example.com." in acl, "AXFR from an allowed address:\n" + acl[-800:])
        tally.report()
        return 1 if tally.failed else 0
    finally:
        cleanup((knot, sb), (sb_dir, knot_dir))


if __name__ == "__main__":
    sys.exit(main())
