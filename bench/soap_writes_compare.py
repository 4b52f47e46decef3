#!/usr/bin/python3
"""Provisioning writes through SOAP, two builds in one run (before/after).

Measures durable EnumPort.addNumber, SipPort.addAccount and DnsPort.addRecord with 1 and 8
concurrent clients for two `switchboard` binaries, OLD and NEW, in the same run: each round
starts both as `switchboard provision` on loopback with fresh data dirs (the store's default:
every commit flushed before the answer), creates what the writes need, and then, for each
operation and client count, measures OLD and NEW one right after the other (OLD first in odd
rounds, NEW first in even ones), so that whatever else runs on the machine weighs on both
alike. Requests, clients and clock are those of soap_enum_bench.py (CDRTool-shaped requests,
one process and keep-alive HTTP connection per client, clock from all connected to the last
answer). Prints and appends to bench/RESULTS.md one table: writes/s per binary (median of the
rounds, min–max) and the ratio new/old (median of the per-round ratios). Run on demand, not in
`make test`:

    bench/run.sh --baseline 02742bc --prepare   # builds 02742bc's switchboard (path printed)
    /usr/bin/python3 bench/soap_writes_compare.py \\
        --old /var/tmp/switchboard-bench/base-02742bc37474/build/app/switchboard --old-label 02742bc \\
        --new build/app/switchboard [--rounds 5] [--count 2000]

--smoke: a few writes and rounds, to show the script runs (not recorded).
"""

import argparse
import contextlib
import os
import statistics
import subprocess

import soap_enum_bench as enum_bench
import soapbench as sb

WRITES = enum_bench.chosen(enum_bench.DEFAULT_OPS)  # soap_enum_bench.py's writes, not its reads


def label_of(binary):
    """The short commit of the source tree a binary was built in (its build dir's source)."""
    build = os.path.dirname(os.path.dirname(os.path.abspath(binary)))
    with contextlib.suppress(OSError, UnicodeDecodeError):
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith("CMAKE_HOME_DIRECTORY:"):
                    src = line.split("=", 1)[1].strip()
                    out = subprocess.run(["git", "-C", src, "rev-parse", "--short", "HEAD"],
                                         capture_output=True, text=True)
                    if out.returncode == 0:
                        return out.stdout.strip()
    return binary


def prepare(port):
    """The ENUM ranges, SIP domain and DNS zone the writes go into."""
    conn = sb.connect(port)
    for run in range(len(enum_bench.CLIENTS)):
        sb.post(conn, sb.request(sb.ADD_RANGE, prefix=f"3120{run}"))
    sb.post(conn, sb.request(sb.ADD_DOMAIN, domain=sb.SIP_DOMAIN))
    sb.post(conn, sb.request(sb.ADD_ZONE, zone=sb.DNS_ZONE))
    conn.close()


def one_round(binaries, order, count, rates):
    """Both servers up on fresh data dirs; each measurement OLD and NEW back to back."""
    with contextlib.ExitStack() as stack:
        ports = {}
        for who in order:
            ports[who], _ = stack.enter_context(sb.switchboard(binaries[who], "provision"))
            prepare(ports[who])
        for name, make in WRITES:
            for run, clients in enumerate(enum_bench.CLIENTS):
                requests = [make(run, i) for i in range(count)]
                for who in order:
                    rate = enum_bench.writes_per_second(ports[who], requests, clients)
                    rates.setdefault((name, clients, who), []).append(rate)
                    print(f"  {name}, {clients} client(s), {who}: {rate:.0f}/s", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--old", required=True, help="the switchboard binary before")
    ap.add_argument("--new", required=True, help="the switchboard binary after")
    ap.add_argument("--old-label", help="what OLD is (default: its source tree's commit)")
    ap.add_argument("--new-label", help="what NEW is (default: its source tree's commit)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--count", type=int, default=2000, help="writes per operation, client count, "
                    "binary and round")
    ap.add_argument("--smoke", action="store_true", help="2 rounds of 50 writes, not recorded")
    ap.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = ap.parse_args()
    if args.smoke:
        args.rounds, args.count, args.no_record = 2, 50, True
    for b in (args.old, args.new):
        if not os.access(b, os.X_OK):
            ap.error(f"{b}: not an executable switchboard binary")
    labels = {"old": args.old_label or label_of(args.old),
              "new": args.new_label or label_of(args.new)}
    binaries = {"old": args.old, "new": args.new}

    rates = {}
    for r in range(args.rounds):
        order = ("old", "new") if r % 2 == 0 else ("new", "old")
        print(f"round {r + 1} of {args.rounds} ({order[0]} first)", flush=True)
        one_round(binaries, order, args.count, rates)

    def spread(values):
        return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"

    table = (f"| operation | clients | old {labels['old']}: writes/s, median (min–max) "
             f"| new {labels['new']}: writes/s, median (min–max) | new/old, median of the paired "
             "rounds (min–max) |\n|---|---|---|---|---|\n")
    for name, _ in WRITES:
        for clients in enum_bench.CLIENTS:
            old, new = rates[name, clients, "old"], rates[name, clients, "new"]
            paired = [n / o for n, o in zip(new, old)]
            table += (f"| {name} | {clients} | {spread(old)} | {spread(new)} | "
                      f"**{statistics.median(paired):.2f}** ({min(paired):.2f}–{max(paired):.2f}) |\n")
    sb.record(f"Provisioning writes through SOAP, before/after: {labels['new']} against "
              f"{labels['old']}",
              f"old = `{args.old}` ({labels['old']}), new = `{args.new}` ({labels['new']}); "
              f"`switchboard provision`, durable commits, fresh data dirs each round; {args.rounds} "
              f"rounds, in each both servers up and every measurement made on one right after "
              f"the other (old first in odd rounds, new first in even ones); {args.count} new "
              f"objects per operation, client count, binary and round, CDRTool-shaped requests "
              f"over keep-alive HTTP, one process per client (as soap_enum_bench.py). The "
              f"machine is shared: other engineers' builds and tests ran meanwhile, hence "
              f"medians and paired ratios (new/old > 1: the new build writes faster).",
              table, args.no_record)


if __name__ == "__main__":
    main()
