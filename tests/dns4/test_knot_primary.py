#!/usr/bin/python3
"""Switchboard as a secondary of a Knot primary (issue 15, done-when 2).

knotd serves k.example from a zone file with a journal (journal-content: changes), transfers
it only with the hmac-sha384 key kp.key and NOTIFYs Switchboard signed with it; `switchboard
dns` keeps it with `[secondary] primaries = 127.0.0.1:KNOT@kp.key` (its requests signed, each
message of Knot's answers verified). Checks:
the zone arrives (AXFR) and answers match Knot's; changes made with knotc zone-begin /
zone-set / zone-unset / zone-commit (Knot raises the serial) reach Switchboard by NOTIFY +
IXFR — its switchboard_dns_xfr_in_total{type="ixfr"} grows, "axfr" does not — and after each
change the SOA and sampled answers equal Knot's within 2 s; the IXFRs are applied record by
record but the one that changes the apex NS RRset (applied to the whole zone).
"""

import base64
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_nsd_diff import Tally  # noqa: E402
from dns4lib import (KNOTD, Proc, answers, cleanup, free_port, knot_header,  # noqa: E402
                     metric, parse_args, start_switchboard, tempdir, wait_until, xfr_in)

ZONE = "k.example"
SECRET = base64.b64encode(b"knot-primary-test-key-of-48-bytes-for-sha384!!!").decode()
ZONE_FILE = """$ORIGIN k.example.
$TTL 300
@ IN SOA ns1.k.example. hostmaster.k.example. 1 2 1 600 60
@ IN NS ns1.k.example.
ns1 IN A 192.0.2.53
www IN A 192.0.2.80
mail IN MX 10 mx.k.example.
txt IN TXT "hello from knot"
"""


def start_knot(workdir, port, sb_port):
    zone_file = os.path.join(workdir, ZONE + ".zone")
    with open(zone_file, "w") as f:
        f.write(ZONE_FILE)
    conf = os.path.join(workdir, "knot.conf")
    with open(conf, "w") as f:
        f.write(knot_header(port, workdir) + """control:
    listen: "%(dir)s/knot.sock"
key:
  - id: kp.key
    algorithm: hmac-sha384
    secret: %(secret)s
remote:
  - id: sb
    address: 127.0.0.1@%(sb)d
    key: kp.key
acl:
  - id: xfr
    address: 127.0.0.1
    key: kp.key
    action: transfer
zone:
  - domain: %(zone)s
    file: "%(file)s"
    storage: "%(dir)s"
    notify: sb
    acl: xfr
    zonefile-sync: -1
    journal-content: changes
""" % {"dir": workdir, "sb": sb_port, "zone": ZONE, "file": zone_file, "secret": SECRET})
    p = Proc([KNOTD, "-c", conf], workdir, "knot.log")
    p.port = port
    p.conf = conf
    return p


def knotc(knot, *args):
    r = subprocess.run(["knotc", "-c", knot.conf] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=20)
    out = r.stdout.decode(errors="replace")
    if r.returncode != 0 or "error" in out.lower():
        raise RuntimeError("knotc %s: %s" % (" ".join(args), out))
    return out


def main():
    args = parse_args()
    tally = Tally()
    check = tally.check
    kdir, sdir = tempdir("dns4-kp-knot-"), tempdir("dns4-kp-sb-")
    knot = sb = None
    try:
        knot_port, sb_port, metrics_port = free_port(), free_port(), free_port()
        knot = start_knot(kdir, knot_port, sb_port)
        ok = wait_until(lambda: (answers(knot_port, ZONE, "SOA") or (1,))[0] == 0, 10)
        check(ok is not None, "Knot serves the zone")
        ini = ("[dns]\nworkers = 1\ntsig_key = kp.key:hmac-sha384:%s\n[metrics]\n"
               "listen = 127.0.0.1:%d\n[secondary]\nprimaries = 127.0.0.1:%d@kp.key\nzones = %s\n"
               % (SECRET, metrics_port, knot_port, ZONE))
        sb = start_switchboard(args.binary, sdir, ini=ini, port=sb_port)
        names = [(ZONE, "SOA"), ("www." + ZONE, "A"), ("mail." + ZONE, "MX"),
                 ("txt." + ZONE, "TXT"), (ZONE, "NS")]

        def same(extra=()):
            return all(answers(sb_port, n, t) == answers(knot_port, n, t)
                       for n, t in names + list(extra))
        took = wait_until(same, 10)
        check(took is not None, "the zone arrives from Knot and answers match: %r vs %r"
              % (answers(sb_port, ZONE, "SOA"), answers(knot_port, ZONE, "SOA")))
        axfr0, ixfr0 = xfr_in(metrics_port, "axfr"), xfr_in(metrics_port, "ixfr")
        check(axfr0 == 1, "the first transfer was one AXFR (%d)" % axfr0)
        late = []
        for i in range(1, 8):
            knotc(knot, "zone-begin", ZONE)
            knotc(knot, "zone-set", ZONE, "h%d" % i, "300", "A", "198.51.100.%d" % i)
            if i > 1:
                knotc(knot, "zone-unset", ZONE, "h%d" % (i - 1), "A")
            if i == 4:
                knotc(knot, "zone-set", ZONE, "www", "300", "A", "192.0.2.81")
            if i == 5:  # the apex NS RRset changes: applied to the whole zone
                knotc(knot, "zone-set", ZONE, "@", "3600", "NS", "ns.other.example.")
            knotc(knot, "zone-commit", ZONE)
            extra = [("h%d.%s" % (j, ZONE), "A") for j in range(1, i + 1)]
            t = wait_until(lambda: same(extra), 5)
            if t is None or t > 2.0:
                late.append((i, t))
        check(not late, "each Knot change is answered by Switchboard within 2 s: late %r" % late)
        check(xfr_in(metrics_port, "ixfr") >= ixfr0 + 5, "the changes came by IXFR (%d -> %d)"
              % (ixfr0, xfr_in(metrics_port, "ixfr")))
        check(xfr_in(metrics_port, "axfr") == axfr0,
              "no further AXFR (%d)" % xfr_in(metrics_port, "axfr"))
        applied = {how: metric(metrics_port, 'switchboard_dns_ixfr_in_applied_total{how="%s"}'
                               % how) for how in ("record", "zone")}
        check(applied["record"] >= 5 and applied["zone"] == 1,
              "Knot's IXFRs applied record by record, the apex NS change to the whole zone: %r"
              % applied)
        check(answers(sb_port, "h6." + ZONE)[0] == 3, "a record Knot deleted is gone (NXDOMAIN)")
        check(answers(sb_port, "www." + ZONE) == answers(knot_port, "www." + ZONE),
              "a record Knot added to an RRset is served")
        return tally.exit_code("Switchboard secondary of Knot: ", (sb, knot))
    finally:
        cleanup((sb, knot), (sdir, kdir))


if __name__ == "__main__":
    sys.exit(main())
