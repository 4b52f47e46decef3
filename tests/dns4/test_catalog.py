#!/usr/bin/python3
"""Knot DNS as a catalog consumer of Switchboard (issue 15, done-when 1).

Starts `switchboard serve` with `[catalog] zone = catalog.switchboard.invalid` and NOTIFY to
Knot, and knotd configured with the catalog zone only (catalog-role: interpret; templates
"dns" and "enum" chosen by the member's group property). Checks: Knot gets the catalog; a zone
added over SOAP (DnsPort.addZone + addRecord) is served by Knot within 2 s of the SOAP
acknowledgement; a deleted one stops being served (REFUSED) within 2 s; a burst of zones added
by 8 SOAP clients is all served. --zones N sets the burst size (bench/catalog.py uses it).
"""

import concurrent.futures
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import KNOTD, Proc, cleanup, free_port, make_query, query, start_switchboard  # noqa
from dns4lib import parse_args, soap_call, tempdir  # noqa
from test_nsd_diff import Tally  # noqa: E402

CATALOG = "catalog.switchboard.invalid"
ADD_ZONE = """<zone xsi:type="ns4:DnsZone">
 <name xsi:type="xsd:string">%s</name>
 <ttl xsi:type="xsd:int">300</ttl>
 <nameservers xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:string[1]">
  <item xsi:type="xsd:string">ns1.example.net</item></nameservers>
</zone>"""
ADD_RECORD = """<record xsi:type="ns4:DnsRecord">
 <name xsi:type="xsd:string">www</name>
 <zone xsi:type="xsd:string">%s</zone>
 <type xsi:type="xsd:string">A</type>
 <value xsi:type="xsd:string">192.0.2.80</value>
 <ttl xsi:type="xsd:int">300</ttl>
</record>"""
DELETE_ZONE = """<zone xsi:type="xsd:string">%s</zone>"""


def start_knot(workdir, primary_port, port):
    conf = os.path.join(workdir, "knot.conf")
    member = """    master: primary
    acl: from_primary
    storage: "%(dir)s"
    zonefile-sync: -1
    zonefile-load: none
    journal-content: changes
"""
    with open(conf, "w") as f:
        f.write(("""server:
    listen: 127.0.0.1@%(port)d
    rundir: "%(dir)s"
    background-workers: 2
log:
  - target: stderr
    any: info
database:
    storage: "%(dir)s"
remote:
  - id: primary
    address: 127.0.0.1@%(primary)d
acl:
  - id: from_primary
    address: 127.0.0.1
    action: notify
template:
  - id: default
    storage: "%(dir)s"
  - id: dns
""" + member + """  - id: enum
""" + member + """zone:
  - domain: %(catalog)s
    master: primary
    acl: from_primary
    storage: "%(dir)s"
    zonefile-sync: -1
    zonefile-load: none
    journal-content: changes
    catalog-role: interpret
    catalog-template: [ dns, enum ]
""") % {"port": port, "dir": workdir, "primary": primary_port, "catalog": CATALOG})
    p = Proc([KNOTD, "-c", conf], workdir, "knot.log")
    p.port = port
    return p


def served(port, zone):
    """True when the server answers the zone's SOA authoritatively."""
    try:
        r = query(port, make_query(zone, "SOA"))
    except Exception:  # noqa: BLE001 — not up yet, or a lost datagram
        return False
    return r.rcode == 0 and r.aa and bool(r.answer)


def wait_until(predicate, limit):
    """Seconds until predicate() held, or None after `limit` seconds."""
    start = time.time()
    while time.time() - start < limit:
        if predicate():
            return time.time() - start
        time.sleep(0.02)
    return None


def setup(binary, sb_dir, knot_dir):
    knot_port = free_port()
    soap_port = free_port()
    ini = ("[admin]\nusername = admin\npassword = dns4-secret\n[dns]\nworkers = 1\n"
           "notify = 127.0.0.1:%d\nallow_transfer = 127.0.0.1/32\n[catalog]\nzone = %s\n"
           % (knot_port, CATALOG))
    sb = start_switchboard(binary, sb_dir, ini=ini, command="serve", soap_port=soap_port)
    sb.soap_port = soap_port
    knot = start_knot(knot_dir, sb.port, knot_port)
    return sb, knot


def add_zone(sb, zone):
    """addZone + addRecord; returns the time of the acknowledgement of the last."""
    soap_call(sb.soap_port, "addZone", ADD_ZONE % zone)
    soap_call(sb.soap_port, "addRecord", ADD_RECORD % zone)
    return time.time()


def main():
    args = parse_args(zones=1000)
    binary = args.binary
    sb_dir, knot_dir = tempdir("dns4-cat-sb-"), tempdir("dns4-cat-knot-")
    sb = knot = None
    tally = Tally()
    check = tally.check
    try:
        sb, knot = setup(binary, sb_dir, knot_dir)
        # Knot does not answer queries for a catalog it interprets: its log shows the transfer.
        took = wait_until(lambda: "[%s.] refresh" % CATALOG in knot.output() and
                          "zone updated" in knot.output(), 15)
        check(took is not None, "Knot has transferred the catalog zone")
        # 1. A zone added over SOAP is served by Knot within 2 s of the acknowledgement.
        acked = add_zone(sb, "fresh.example")
        latency = wait_until(lambda: served(knot.port, "fresh.example"), 5)
        after = time.time() - acked
        check(latency is not None and after < 2.0,
              "a zone added over SOAP is served by Knot within 2 s (took %s)" % after)
        r = query(knot.port, make_query("www.fresh.example", "A"))
        check([x[4] for x in r.answer] == ["c0000250"],
              "Knot answers the record added with the zone: %r" % (r.answer,))
        print("addZone acknowledged -> Knot serves it: %.3f s" % after)
        # 2. A deleted zone stops being served within 2 s.
        soap_call(sb.soap_port, "deleteZone", DELETE_ZONE % "fresh.example")
        acked = time.time()
        gone = wait_until(lambda: not served(knot.port, "fresh.example"), 5)
        after = time.time() - acked
        check(gone is not None and after < 2.0,
              "a deleted zone stops being served by Knot within 2 s (took %s)" % after)
        r = query(knot.port, make_query("fresh.example", "SOA"))
        check(r.rcode in (5, 9), "Knot refuses the deleted zone (rcode %d)" % r.rcode)
        print("deleteZone acknowledged -> Knot stops serving it: %.3f s" % after)
        # 3. A burst of zones from 8 SOAP clients: every one is served.
        names = ["z%04d.burst.example" % i for i in range(args.zones)]
        start = time.time()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda z: add_zone(sb, z), names))
        added = time.time() - start
        missing = names

        def all_served():
            nonlocal missing
            missing = [z for z in missing if not served(knot.port, z)]
            return not missing
        took = wait_until(all_served, 40)
        check(took is not None, "all %d zones of the burst are served by Knot; missing %d: %s"
              % (len(names), len(missing), missing[:5]))
        print("%d zones added in %.1f s; all served by Knot %.1f s later"
              % (len(names), added, took or -1))
        if tally.failed and os.environ.get("DNS4_DEBUG"):
            print(knot.output()[-4000:])
        tally.report("Knot as a catalog consumer: ")
        return 1 if tally.failed else 0
    finally:
        cleanup((knot, sb), (sb_dir, knot_dir))


if __name__ == "__main__":
    sys.exit(main())
