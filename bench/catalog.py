#!/usr/bin/python3
"""Catalog propagation latency (issue 15, done-when 4): SOAP addZone + addRecord acknowledged
-> a Knot secondary configured only with Switchboard's catalog zone answers the new zone.

Starts `switchboard serve` ([catalog] zone, NOTIFY to Knot) and knotd (catalog-role
interpret) on loopback ports it picks, exactly as tests/dns4/test_catalog.py does, then adds
ZONES zones one after the other; for each, the time from the second SOAP acknowledgement to
Knot's first authoritative SOA answer (polled every 20 ms over UDP). Prints p50/p99/max and,
with --out, appends a Markdown table to that file (e.g. bench/RESULTS.md).

Usage: /usr/bin/python3 bench/catalog.py --binary build/app/switchboard [--zones 500]
       [--out bench/RESULTS.md]       (--smoke: 5 zones, checks that the script runs)
"""

import argparse
import datetime
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "dns4"))
from dns4lib import cleanup, tempdir  # noqa: E402
from test_catalog import add_zone, served, setup, wait_until, CATALOG  # noqa: E402


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--zones", type=int, default=500)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--out")
    args = ap.parse_args()
    n = 5 if args.smoke else args.zones
    sb_dir, knot_dir = tempdir("bench-cat-sb-"), tempdir("bench-cat-knot-")
    sb = knot = None
    try:
        sb, knot = setup(os.path.abspath(args.binary), sb_dir, knot_dir)
        if wait_until(lambda: "[%s.] refresh" % CATALOG in knot.output(), 15) is None:
            raise RuntimeError("Knot did not transfer the catalog:\n" + knot.output()[-2000:])
        latencies = []
        lost = 0
        for i in range(n):
            zone = "lat%05d.bench.example" % i
            acked = add_zone(sb, zone)
            if wait_until(lambda: served(knot.port, zone), 10) is None:
                lost += 1
                continue
            latencies.append((time.time() - acked) * 1000.0)
        if not latencies:
            raise RuntimeError("no zone reached Knot")
        p50, p99, worst = (percentile(latencies, 50), percentile(latencies, 99),
                           max(latencies))
        print("%d zones: p50 %.0f ms, p99 %.0f ms, max %.0f ms, not served within 10 s: %d"
              % (n, p50, p99, worst, lost))
        if args.out:
            rev = subprocess.run(["git", "-C", HERE, "rev-parse", "--short", "HEAD"],
                                 stdout=subprocess.PIPE).stdout.decode().strip()
            knot_version = subprocess.run(["knotd", "--version"],
                                          stdout=subprocess.PIPE).stdout.decode().strip()
            with open(args.out, "a") as f:
                f.write("\n## Issue 15: catalog propagation latency (%s UTC, %s, %s%s)\n\n"
                        "SOAP addZone + addRecord acknowledged -> Knot, configured only with "
                        "the catalog zone, answers the zone's SOA (polled every 20 ms), zones "
                        "added one after the other.\n\n"
                        "| zones | p50 ms | p99 ms | max ms | not served in 10 s |\n"
                        "|---|---|---|---|---|\n| %d | %.0f | %.0f | %.0f | %d |\n"
                        % (datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M"), rev,
                           knot_version, ", smoke run" if args.smoke else "", n, p50, p99,
                           worst, lost))
        return 0 if lost == 0 else 1
    finally:
        cleanup((knot, sb), (sb_dir, knot_dir))


if __name__ == "__main__":
    sys.exit(main())
