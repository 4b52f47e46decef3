#!/usr/bin/python3
"""NSD as a secondary of Switchboard, zones listed statically (issue 15, done-when 3).

Imports into Switchboard (`switchboard zone import`) the unsigned zones of tests/dns4/zones and
the three pre-signed zones of test_dnssec.py (NSEC, NSEC3, NSEC3 opt-out, signed at test time);
starts NSD with every zone configured `request-xfr: <switchboard> NOKEY` and `allow-notify`,
and no zone file. Checks: NSD transfers every zone (its SOA serial equals Switchboard's), and
its answers then equal Switchboard's (test_nsd_diff.compare) for a sample of queries: with DO
over UDP and TCP for the signed zones, plain and EDNS for the unsigned ones.
"""

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import (ZONE_NAMES, ZONES, cleanup, make_query, parse_args, query,  # noqa: E402
                     start_nsd, start_switchboard, tempdir)
from test_dnssec import ZONES as SIGNED, battery, compare_signed, concise, sign  # noqa
from test_nsd_diff import Case, Tally, compare  # noqa: E402


def soa_serial(port, zone):
    try:
        r = query(port, make_query(zone, "SOA"))
    except Exception:  # noqa: BLE001 — not up yet
        return None
    if r.rcode != 0 or not r.answer or not r.aa:
        return None
    return r.answer[0][4][-40:-32]  # the serial's hex in the canonical rdata


def unsigned_cases(zone):
    cases = []
    for n in ("@", "www", "mail", "nope", "a.b.nope"):
        name = zone if n == "@" else n + "." + zone
        for t in ("SOA", "NS", "A", "AAAA", "MX", "TXT"):
            cases.append(Case("%s %s udp" % (name, t), make_query(name, t)))
            cases.append(Case("%s %s tcp edns" % (name, t), make_query(name, t, edns=1232),
                              tcp=True, edns=True))
    return cases


def main():
    binary = parse_args().binary
    work, sb_dir, nsd_dir = tempdir("dns15-nsd-"), tempdir("dns15-sb-"), tempdir("dns15-nsd-")
    procs = []
    try:
        signed = [(zone, sign(work, zone, flags)[0]) for zone, flags in SIGNED]
        unsigned = [(zone, os.path.join(ZONES, zone + ".zone")) for zone in ZONE_NAMES]
        sb = start_switchboard(binary, sb_dir,
                               ini="[dns]\nworkers = 1\nallow_transfer = 127.0.0.1/32\n",
                               zone_files=[path for _, path in unsigned + signed])
        procs.append(sb)
        # No zone file: everything NSD serves came by AXFR from Switchboard.
        names = [zone for zone, _ in unsigned + signed]
        nsd = start_nsd(nsd_dir, [(z, os.path.join(nsd_dir, z + ".xfr")) for z in names],
                        extra_server="  minimal-responses: yes\n  refuse-any: no\n"
                                     "  rrl-ratelimit: 0",
                        extra_zone="  request-xfr: 127.0.0.1@%d NOKEY\n"
                                   "  allow-notify: 127.0.0.1 NOKEY" % sb.port)
        procs.append(nsd)
        tally = Tally()
        deadline = time.time() + 20
        pending = list(names)
        while pending and time.time() < deadline:
            pending = [z for z in pending if soa_serial(nsd.port, z) != soa_serial(sb.port, z)]
            time.sleep(0.2)
        tally.record("NSD transferred every zone",
                     ["not transferred: %s\n%s" % (pending, nsd.output()[-2000:])]
                     if pending else [], None)
        rng = random.Random(15)
        for zone, _ in signed:
            compare_signed(tally, zone, rng.sample(battery(zone), 150), sb.port, nsd.port)
        for zone, _ in unsigned:
            for case in unsigned_cases(zone):
                ours = query(sb.port, case.msg, tcp=case.tcp)
                theirs = query(nsd.port, case.msg, tcp=case.tcp)
                errors, _, allowance = compare(case, ours, theirs)
                tally.record(case.label, concise(errors, ours, theirs), allowance)
        tally.report("NSD as a secondary of Switchboard: ")
        return 1 if tally.failed else 0
    finally:
        cleanup(procs, (work, sb_dir, nsd_dir))


if __name__ == "__main__":
    sys.exit(main())
