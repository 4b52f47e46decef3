#!/usr/bin/python3
"""Switchboard and Knot under the same attacks, in one run (issue 19):

  tcp  3,000 half-open TCP connections from 50 loopback addresses (one byte of a length
       prefix each, reopened as the server closes them); meanwhile a legitimate client opens
       a new connection per query from 127.0.0.2.
  udp  a UDP flood from 50 addresses of 127.0.1.0/24 at twice the RRL rate, both servers
       with RRL (Switchboard rrl_rate, Knot mod-rrl rate-limit) and cookies (Knot
       mod-cookies); a legitimate client of the same /24 presents a valid server cookie.
       The servers run side by side, each under its own flood, and the client takes them in
       turn: on this VM a CPU runs at half speed for minutes at a time (every step of a
       round trip, in the kernel and in the server, takes twice as long, for Knot and
       Switchboard alike), so servers measured one after the other were compared across
       different machines.

For each server and attack: legitimate queries answered, and the median, p90 and p99 of
their latency in microseconds (pooled over the rounds; then, per round, each Switchboard's p50
and p99 as a ratio to Knot's of that round, the figure a busy machine moves least) (time.perf_counter_ns around send and receive; a loopback round
trip from Python is some 20-40 µs, the server's own part a few µs).
Both servers run with their defaults otherwise, on loopback ports this script picks.
The flood and the clients are the end-to-end tests' (tests/e2e/test_tcp_flood.py,
test_cookies.py). The UDP flood runs in a process of its own: in a thread it would share the
interpreter lock with the timed client, whose latency would then grow with the number of
answers the server sends the flood (Knot answers more of it than Switchboard).

Usage: /usr/bin/python3 bench/attack.py --binary build/app/switchboard [--smoke]
       [--out FILE]   (appends the Markdown table to FILE, e.g. bench/RESULTS.md)
       [--rounds N --udp-seconds S --udp-queries Q]   (a longer run: p99 over more samples)
       [--udp-only]   (the UDP flood alone: a paired UDP latency comparison in less time)
       [--baseline-binary PATH]   (a third server, "switchboard (base)": before/after a change)
--smoke: 300 connections, 5 queries each, short floods — checks that the script runs.
"""

import argparse
import multiprocessing
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "e2e"))

import test_cookies  # noqa: E402
import test_tcp_flood  # noqa: E402
from sbtest import dns_answers, free_port  # noqa: E402
from test_crash import ZONE  # noqa: E402

ZONE_TEXT = f"""$ORIGIN {ZONE}.
$TTL 3600
@ IN SOA ns1 hostmaster 2030010100 10800 3600 604800 300
@ IN NS ns1
ns1 IN A 192.0.2.53
www IN A 192.0.2.80
"""


def start_switchboard(binary, work, zone_file, port, rrl_rate):
    data = os.path.join(work, "switchboard")
    os.makedirs(data)
    subprocess.run([binary, "zone", "import", zone_file, "--data", data], check=True,
                   capture_output=True)
    with open(os.path.join(data, "switchboard.ini"), "w") as f:
        f.write(f"[dns]\nrrl_rate = {rrl_rate}\n" if rrl_rate else "")
    return subprocess.Popen([binary, "dns", "--data", data, "--dns", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def start_knot(work, zone_file, port, rrl_rate):
    d = os.path.join(work, "knot")
    os.makedirs(os.path.join(d, "db"))
    modules = ""
    if rrl_rate:
        modules = (f"mod-rrl:\n  - id: default\n    rate-limit: {rrl_rate}\n    slip: 2\n"
                   f"mod-cookies:\n  - id: default\n")
    conf = f"""server:
    rundir: "{d}"
    listen: 127.0.0.1@{port}
database:
    storage: "{d}/db"
log:
  - target: stderr
    any: error
{modules}template:
  - id: default
    zonefile-sync: -1
    journal-content: none
{"    global-module: [mod-cookies/default, mod-rrl/default]" if rrl_rate else ""}
zone:
  - domain: {ZONE}
    file: "{zone_file}"
"""
    with open(os.path.join(d, "knot.conf"), "w") as f:
        f.write(conf)
    return subprocess.Popen(["knotd", "-c", os.path.join(d, "knot.conf")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(port, proc):
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        if dns_answers(port):
            return
        time.sleep(0.1)
    raise RuntimeError("server not ready")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


PERCENTILES = (50, 90, 99)


def summary(latencies, tries):
    """Answered / tries, then the PERCENTILES (µs) of the answered queries' latencies (s)."""
    latencies = sorted(latencies)
    if not latencies:
        return (f"0 / {tries}",) + ("-",) * len(PERCENTILES)
    n = len(latencies)
    return (f"{n} / {tries}",) + tuple(f"{1e6 * latencies[min(n - 1, p * n // 100)]:,.0f}"
                                       for p in PERCENTILES)


def tcp_attack(port, queries, connections):
    test_tcp_flood.CONNECTIONS = connections
    flood = test_tcp_flood.Flood(port)
    flood.start()
    t0 = time.monotonic()
    while flood.byte_sent < connections and time.monotonic() - t0 < 10:
        time.sleep(0.05)
    latencies, errors = [], {}
    for i in range(queries):
        try:
            t0 = time.perf_counter_ns()
            _, ok = test_tcp_flood.timed_query(port, i + 1)
            elapsed = (time.perf_counter_ns() - t0) / 1e9
            if ok:
                latencies.append(elapsed)
        except OSError as e:
            errors[str(e)] = errors.get(str(e), 0) + 1
        time.sleep(0.01)
    if errors:
        print(f"    legitimate TCP queries that failed: {errors}", flush=True)
    flood.finish(grace=0.5)
    return latencies


def udp_flood(port, seconds, rate):
    """The flood, run in a child process (see the docstring)."""
    test_cookies.RATE = rate
    test_cookies.UdpFlood(port, seconds).run()


def udp_attack(ports, queries, seconds, rate):
    """The servers side by side: each under its own flood (a process each, all started
    together), one legitimate client taking them in turn, a sleep before every query. A
    server's latencies are then drawn from the same seconds as the others', so a change in
    the machine's speed during the round (this VM's CPUs run at half speed for minutes at a
    time) moves them all alike. `ports`: name -> port; returns name -> latencies (s)."""
    source = test_cookies.NETWORK + "200"
    cookies = {name: test_cookies.learn_cookie(port, source) for name, port in ports.items()}
    floods = [multiprocessing.get_context("fork").Process(target=udp_flood,
                                                          args=(port, seconds, rate))
              for port in ports.values()]
    for flood in floods:
        flood.start()
    time.sleep(1.0)
    names = list(ports)
    latencies = {name: [] for name in names}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.settimeout(1.0)
        interval = (seconds - 1.5) / (queries * len(names))
        for i in range(queries * len(names)):
            name = names[i % len(names)]
            q = test_cookies.query(i & 0xFFFF, "www." + ZONE, cookies[name])
            t0 = time.perf_counter_ns()
            s.sendto(q, ("127.0.0.1", ports[name]))
            try:
                while True:
                    r = s.recv(4096)
                    t1 = time.perf_counter_ns()
                    qid, rcode, tc, an, got = test_cookies.parse(r)
                    if qid == i & 0xFFFF:
                        break
                if rcode == 0 and not tc and an > 0:
                    latencies[name].append((t1 - t0) / 1e9)
                if got is not None and cookies[name] is not None:
                    cookies[name] = got
            except socket.timeout:
                pass
            delay = interval - (time.perf_counter_ns() - t0) / 1e9
            if delay > 0:
                time.sleep(delay)
    for flood in floods:
        flood.join()
    return latencies


def percentile(latencies, p):
    latencies = sorted(latencies)
    return latencies[min(len(latencies) - 1, p * len(latencies) // 100)] if latencies else None


def ratios_to_knot(per_round, rounds, names, attacks):
    """Lines giving, per attack and Switchboard build, the ratio of its p50 and p99 to Knot's
    in each round (the two measured minutes apart, so a busy machine moves both alike)."""
    lines = []
    for attack in attacks:
        for name in names:
            if name == "knot":
                continue
            cells = []
            for p in (50, 99):
                ratios = []
                for r in range(rounds):
                    ours = percentile(per_round.get((r, name, attack), []), p)
                    knot = percentile(per_round.get((r, "knot", attack), []), p)
                    ratios.append(f"{ours / knot:.3g}" if ours and knot else "-")
                cells.append(f"p{p} " + ", ".join(ratios))
            lines.append(f"- {name}/knot, {attack}, per round: " + "; ".join(cells))
    return [""] + lines if lines else []


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--smoke", action="store_true")
    p.add_argument("--out")
    p.add_argument("--rounds", type=int, default=1,
                   help="rounds, the servers alternating; latencies are pooled over them")
    p.add_argument("--udp-seconds", type=int, default=10, help="length of each UDP flood")
    p.add_argument("--udp-queries", type=int, default=500,
                   help="legitimate UDP queries during each flood")
    p.add_argument("--baseline-binary",
                   help="another switchboard (e.g. the build before a change), measured too")
    p.add_argument("--udp-only", action="store_true",
                   help="only the UDP flood (a paired latency comparison in less time)")
    args = p.parse_args()
    if shutil.which("knotd") is None:
        sys.exit("knotd is not installed (apt-get install knot)")
    connections, tcp_queries = (300, 5) if args.smoke else (3000, 100)
    udp_seconds, udp_queries, rate = ((3, 10, 100) if args.smoke else
                                      (args.udp_seconds, args.udp_queries, 1000))
    attacks = ("udp",) if args.udp_only else ("tcp", "udp")
    binaries = {"switchboard": args.binary}
    if args.baseline_binary:
        binaries["switchboard (base)"] = args.baseline_binary
    names = ("switchboard", "knot") + (("switchboard (base)",) if args.baseline_binary else ())
    pooled = {}  # (server, attack) -> [latencies, tries]
    per_round = {}  # (round, server, attack) -> latencies
    load_before = os.getloadavg()
    work = tempfile.mkdtemp(prefix="sb-attack-")
    try:
        zone_file = os.path.join(work, "zone.db")
        with open(zone_file, "w") as f:
            f.write(ZONE_TEXT)
        def start(name, attack, r):
            port = free_port()
            sub = os.path.join(work, f"{name}-{attack}-{r}")
            os.makedirs(sub)
            rrl = rate if attack == "udp" else 0
            proc = (start_knot(sub, zone_file, port, rrl) if name == "knot" else
                    start_switchboard(os.path.abspath(binaries[name]), sub, zone_file, port,
                                      rrl))
            try:
                wait_ready(port, proc)
            except BaseException:
                stop(proc)
                raise
            return port, proc

        def record(r, name, attack, latencies, tries):
            entry = pooled.setdefault((name, attack), [[], 0])
            entry[0] += latencies
            entry[1] += tries
            per_round[(r, name, attack)] = latencies
            answered, *pct = summary(latencies, tries)
            print(f"round {r + 1} {name:18} {attack}: answered {answered}, "
                  + ", ".join(f"p{p} {v} µs" for p, v in zip(PERCENTILES, pct)), flush=True)

        for r in range(args.rounds):
            order = names if r % 2 == 0 else names[::-1]
            if "tcp" in attacks:  # one server at a time: 3,000 connections each
                for name in order:
                    port, proc = start(name, "tcp", r)
                    try:
                        latencies = tcp_attack(port, tcp_queries, connections)
                    finally:
                        stop(proc)
                    record(r, name, "tcp", latencies, tcp_queries)
            started = []
            try:
                for name in order:
                    started.append((name,) + start(name, "udp", r))
                by_server = udp_attack({name: port for name, port, _ in started}, udp_queries,
                                       udp_seconds, rate)
            finally:
                for _, _, proc in started:
                    stop(proc)
            for name in order:
                record(r, name, "udp", by_server[name], udp_queries)
        rows = [(n, a) + summary(*pooled[(n, a)]) for n in names
                for a in attacks]
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = ["", f"### Under attack ({'smoke' if args.smoke else 'full'} run, "
             f"{time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC)", "",
             ("" if args.udp_only else f"TCP: {connections} half-open connections from 50 "
              f"addresses, a new connection per legitimate query, one server at a time "
              f"(alternating from round to round). ")
             + f"UDP: flood at {2 * rate}/s from one /24 with RRL "
             f"{rate}/s for {udp_seconds} s, {udp_queries} legitimate queries from a client in "
             f"that /24 with a valid cookie, the servers side by side (a flood each, the client "
             f"taking them in turn). {args.rounds} round(s); "
             f"latencies pooled over the rounds, in µs (perf_counter_ns). Load average before "
             f"{' '.join(f'{x:.2f}' for x in load_before)}, after "
             f"{' '.join(f'{x:.2f}' for x in load_after)} (2 cores).", "",
             "| server | attack | legitimate answered | "
             + " | ".join(f"p{p} µs" for p in PERCENTILES) + " |",
             "|---|---|---|" + "---|" * len(PERCENTILES)]
    table += ["| " + " | ".join(row) + " |" for row in rows]
    table += ratios_to_knot(per_round, args.rounds, names, attacks)
    print("\n".join(table))
    if args.out:
        with open(args.out, "a") as f:
            f.write("\n".join(table) + "\n")


if __name__ == "__main__":
    main()
