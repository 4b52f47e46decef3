#!/usr/bin/env python3
"""The second dataset shape of bench/run.sh (--shape ranges50k): ENUM data as a national tier
or a large hosted platform holds it, unlike sb_bench_load's hosted-SIP mix.

  gen_ranges50k.py --out DIR --numbers N --queries Q [--seed S]

Ranges of 50,000 consecutive numbers, one zone each (prefix 4930 + 3 digits, numbers of 12
digits: the range holds prefix 00000..49999 of its 100,000), every number with a sip and a
mailto NAPTR whose regexps are long (a back-reference and URI parameters, about 90
characters). Queries: 75% NAPTR of existing numbers, 15% NAPTR of free numbers of a range
(NXDOMAIN), 5% SOA and 5% NS of the range zones. Writes the files bench/run.sh expects of
every dataset: DIR/zones/*.zone, DIR/zones.list ("name file"), DIR/nsd-zones.conf,
DIR/knot-zones.conf, DIR/queries.txt, DIR/probe.txt, DIR/check.txt, DIR/dataset.txt.
Deterministic for a seed.
"""
import argparse
import os
import random

PER_RANGE = 50000
TTL = 3600


def zone_of(prefix):
    return ".".join(reversed(prefix)) + ".e164.arpa"


def owner(number):
    return ".".join(reversed(number)) + ".e164.arpa"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--numbers", type=int, default=1000000)
    ap.add_argument("--queries", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    ranges = max(1, a.numbers // PER_RANGE)
    if ranges > 1000:
        raise SystemExit("gen_ranges50k.py: at most 1000 ranges (50,000,000 numbers)")
    rnd = random.Random(a.seed)
    prefixes = ["4930%03d" % i for i in rnd.sample(range(1000), ranges)]
    zdir = os.path.join(a.out, "zones")
    os.makedirs(zdir, exist_ok=True)
    out = os.path.abspath(a.out)
    master_bytes = 0
    with open(os.path.join(a.out, "zones.list"), "w") as zl, \
            open(os.path.join(a.out, "nsd-zones.conf"), "w") as nsd, \
            open(os.path.join(a.out, "knot-zones.conf"), "w") as knot, \
            open(os.path.join(a.out, "probe.txt"), "w") as probe:
        knot.write("zone:\n")
        for p in prefixes:
            zone = zone_of(p)
            path = os.path.join(out, "zones", zone + ".zone")
            with open(path, "w") as f:
                f.write("$ORIGIN %s.\n$TTL %d\n" % (zone, TTL))
                f.write("@ %d IN SOA ns1.enum-tier.example. hostmaster.enum-tier.example. "
                        "2026120401 10800 3600 604800 3600\n" % TTL)
                f.write("@ %d IN NS ns1.enum-tier.example.\n@ %d IN NS ns2.enum-tier.example.\n"
                        % (TTL, TTL))
                for i in range(PER_RANGE):
                    rel = ".".join(reversed("%05d" % i))
                    number = p + "%05d" % i
                    host = "sbc%02d.carrier%03d.example.net" % (i % 16, int(p[-3:]))
                    f.write('%s %d IN NAPTR 10 100 "u" "E2U+sip" '
                            '"!^\\\\+?(%s[0-9]*)$!sip:\\\\1@%s;user=phone;transport=tcp!" .\n'
                            % (rel, TTL, p, host))
                    f.write('%s %d IN NAPTR 20 100 "u" "E2U+mailto" '
                            '"!^\\\\+?([0-9]*)$!mailto:voicemail+%s@unified-messaging.%s!" .\n'
                            % (rel, TTL, number, host))
            master_bytes += os.path.getsize(path)
            zl.write("%s %s\n" % (zone, path))
            nsd.write('zone:\n    name: "%s"\n    zonefile: "%s"\n' % (zone, path))
            knot.write('  - domain: %s\n    file: "%s"\n' % (zone, path))
            probe.write("%s SOA\n" % zone)
    counts = {"naptr": 0, "nx": 0, "soa": 0, "ns": 0}
    with open(os.path.join(a.out, "queries.txt"), "w") as q, \
            open(os.path.join(a.out, "check.txt"), "w") as check:
        for n in range(a.queries):
            x = rnd.random()
            p = prefixes[rnd.randrange(ranges)]
            if x < 0.75:
                line, kind = "%s NAPTR" % owner(p + "%05d" % rnd.randrange(PER_RANGE)), "naptr"
            elif x < 0.90:
                line, kind = "%s NAPTR" % owner(p + "%05d" % rnd.randrange(PER_RANGE, 100000)), "nx"
            elif x < 0.95:
                line, kind = "%s SOA" % zone_of(p), "soa"
            else:
                line, kind = "%s NS" % zone_of(p), "ns"
            counts[kind] += 1
            q.write(line + "\n")
            if n < 200:
                check.write(line + "\n")
    with open(os.path.join(a.out, "dataset.txt"), "w") as d:
        d.write("seed %d; shape ranges50k: %d ENUM range zones of %d numbers (%d numbers), each "
                "number a sip and a mailto NAPTR with long regexps (%d NAPTR records); %d MB of "
                "master files, loaded into Switchboard with `switchboard zone import`; %d queries "
                "(%d NAPTR existing number, %d NAPTR NXDOMAIN in range, %d SOA, %d NS)\n"
                % (a.seed, ranges, PER_RANGE, ranges * PER_RANGE, 2 * ranges * PER_RANGE,
                   master_bytes >> 20, a.queries, counts["naptr"], counts["nx"], counts["soa"],
                   counts["ns"]))


if __name__ == "__main__":
    main()
