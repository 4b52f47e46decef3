#!/usr/bin/python3
"""A Switchboard secondary killed with kill -9 during a large transfer (issue 15, done-when 2).

The primary (`switchboard dns`) serves big.example, imported from a generated file of
50,000 A records. The secondary (`[secondary] zones = big.example`) is killed with
SIGKILL at random moments of its first transfer, three times (each restart is killed too),
then left to run. Checks: at least one kill came before the transfer was applied; every
restart starts (the store survived), the secondary ends with the primary's serial and sampled
answers equal to the primary's, and after a kill the zone is either absent or whole (one
transaction per transfer: never a part of the zone).
"""

import os
import random
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_nsd_diff import Tally  # noqa: E402
from dns4lib import (answers, cleanup, free_port, parse_args, start_switchboard,  # noqa: E402
                     tempdir, wait_until)

ZONE = "big.example"


def write_zone(path, records):
    with open(path, "w") as f:
        f.write("$ORIGIN %s.\n$TTL 300\n@ SOA ns1 hostmaster 7 2 1 600 60\n@ NS ns1\n"
                "ns1 A 192.0.2.53\n" % ZONE)
        for i in range(records):
            f.write("h%d A 10.%d.%d.%d\n" % (i, i >> 16 & 255, i >> 8 & 255, i & 255))


def main():
    args = parse_args()
    records = 50000
    rng = random.Random()
    tally = Tally()
    check = tally.check
    pdir, sdir = tempdir("dns4-kill-p-"), tempdir("dns4-kill-s-")
    primary = secondary = None
    try:
        zone_file = os.path.join(pdir, "big.zone")
        write_zone(zone_file, records)
        primary = start_switchboard(args.binary, pdir, ini="[dns]\nworkers = 1\n"
                                    "allow_transfer = 127.0.0.1\n", zone_files=[zone_file])
        p = primary.port
        s_port = free_port()
        ini = "[dns]\nworkers = 1\n[secondary]\nprimaries = 127.0.0.1:%d\nzones = %s\n" % (p, ZONE)
        sample = ["h%d.%s" % (rng.randrange(records), ZONE) for _ in range(20)]
        whole = True
        mid_transfer = 0
        for round_ in range(3):
            secondary = start_switchboard(args.binary, sdir, ini=ini if round_ == 0 else "",
                                          port=s_port)
            time.sleep(rng.uniform(0.02, 0.6))  # a 50k-record AXFR takes about 0.7 s here
            os.kill(secondary.proc.pid, signal.SIGKILL)
            secondary.proc.wait()
            secondary.stop()
            if "AXFR applied" not in secondary.output():
                mid_transfer += 1
            # Read the store as the killed process left it: absent, or the whole zone.
            secondary = start_switchboard(args.binary, sdir, port=s_port)
            soa = answers(s_port, ZONE, "SOA")
            if soa is not None and soa[0] == 0:
                got = [answers(s_port, n) for n in sample]
                whole = whole and all(g == answers(p, n) for g, n in zip(got, sample))
            os.kill(secondary.proc.pid, signal.SIGKILL)
            secondary.proc.wait()
            secondary.stop()
            secondary = None
        check(mid_transfer > 0, "at least one kill -9 hit the transfer (%d of 3)" % mid_transfer)
        check(whole, "after each kill -9 the zone is absent or whole")
        secondary = start_switchboard(args.binary, sdir, port=s_port)
        took = wait_until(lambda: answers(s_port, ZONE, "SOA") == answers(p, ZONE, "SOA"), 45,
                          step=0.2)
        check(took is not None, "the restarted secondary ends with the primary's serial: %r vs %r"
              % (answers(s_port, ZONE, "SOA"), answers(p, ZONE, "SOA")))
        check(all(answers(s_port, n) == answers(p, n) for n in sample),
              "sampled answers equal the primary's")
        print("%d records; caught up %.1f s after the last restart" % (records, took or -1))
        return tally.exit_code("secondary killed during a transfer: ", (secondary,))
    finally:
        cleanup((secondary, primary), (sdir, pdir))


if __name__ == "__main__":
    sys.exit(main())
