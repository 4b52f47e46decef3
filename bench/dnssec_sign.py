#!/usr/bin/python3
"""DNSSEC signing next to Knot DNS (issue 16, done-when 3): bulk signing, CPU per DO=1 query.

Writes one ENUM range zone of NUMBERS numbers (a sip and a mailto NAPTR each, like the dataset
of bench/run.sh) as a master file, then:
  * bulk signing: `switchboard zone import` (unsigned) then `switchboard dnssec sign` (the
    bulk path: every owner signed and the NSEC3 chain built, 1000 owners per write
    transaction, the keys published by the last), timed; and Knot signing the same file (knotd with automatic signing, ECDSAP256SHA256 CSK,
    NSEC3 0 iterations no salt: the same output), timed from start to the signed SOA served;
  * CPU per answered query: dnsperf with DO=1 (-D) on random existing and missing numbers
    against Switchboard serving the zone unsigned, the same zone signed, and Knot serving its
    signed zone; server CPU (utime+stime from /proc) over queries completed.
Prints a table and appends it to bench/RESULTS.md (--no-record: print only). Run on demand:

    /usr/bin/python3 bench/dnssec_sign.py --binary build/app/switchboard [--numbers 1000000]
    /usr/bin/python3 bench/dnssec_sign.py --binary build/app/switchboard --smoke

The other done-when 3 figures come from the SOAP scripts with --dnssec:
    /usr/bin/python3 bench/soap_enum_bench.py --binary build/app/switchboard --dnssec
    /usr/bin/python3 bench/change_latency.py --binary build/app/switchboard --dnssec
"""

import argparse
import os
import random
import shutil
import subprocess
import tempfile
import time

import soapbench as sb

PREFIX = "3120"
ZONE = "0.2.1.3.e164.arpa"
KNOTD = shutil.which("knotd") or "/usr/sbin/knotd"


def write_zone(path, numbers):
    with open(path, "w") as f:
        f.write(f"$ORIGIN {ZONE}.\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. "
                "1 10800 3600 604800 300\n@ NS ns1.example.net.\n@ NS ns2.example.net.\n")
        for i in range(numbers):
            digits = f"{i:07d}"
            owner = ".".join(reversed(digits))
            f.write(f'{owner} NAPTR 10 100 "u" "E2U+sip" "!^.*$!sip:{PREFIX}{digits}@sip.example!" .\n'
                    f'{owner} NAPTR 20 100 "u" "E2U+email:mailto" '
                    f'"!^.*$!mailto:{PREFIX}{digits}@sip.example!" .\n')


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_signed(port, timeout):
    """Seconds until the server answers the zone's SOA with an RRSIG (DO=1)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        out = subprocess.run(["kdig", "-p", str(port), "@127.0.0.1", "+dnssec", "+time=1",
                              "+retry=0", ZONE, "SOA"], capture_output=True, text=True).stdout
        if "RRSIG" in out:
            return time.monotonic() - t0
        time.sleep(0.05)
    raise RuntimeError(f"the zone was not signed within {timeout} s")


def query_file(path, numbers, count):
    rng = random.Random(16)
    with open(path, "w") as f:
        for _ in range(count):
            i = rng.randrange(numbers * 2)  # half of them missing: NXDOMAIN with NSEC3 proofs
            f.write(".".join(reversed(f"{i:07d}")) + f".{ZONE} NAPTR\n")


def cpu_per_query(pid, port, queries, seconds):
    before = cpu_seconds(pid)
    out = subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries, "-D",
                          "-l", str(seconds), "-c", "8", "-q", "100"],
                         capture_output=True, text=True).stdout
    used = cpu_seconds(pid) - before
    done = next(int(line.split()[2]) for line in out.splitlines()
                if line.strip().startswith("Queries completed:"))
    return used / max(done, 1) * 1e6, done


def start(argv, cwd):
    return subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def knot_conf(work, port):
    return f"""server:
    listen: 127.0.0.1@{port}
    rundir: "{work}"
    background-workers: 2
database:
    storage: "{work}"
policy:
  - id: csk
    algorithm: ecdsap256sha256
    single-type-signing: on
    nsec3: on
    nsec3-iterations: 0
    nsec3-salt-length: 0
zone:
  - domain: {ZONE}
    storage: "{work}"
    file: "{work}/zone.txt"
    dnssec-signing: on
    dnssec-policy: csk
    zonefile-sync: -1
    journal-content: none
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--numbers", type=int, default=1000000)
    ap.add_argument("--seconds", type=int, default=20, help="dnsperf time per measurement")
    ap.add_argument("--smoke", action="store_true", help="2,000 numbers, 2 s: the script runs")
    ap.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = ap.parse_args()
    if args.smoke:
        args.numbers, args.seconds, args.no_record = 2000, 2, True
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="sb-dnssec-bench-")
    rows = []
    try:
        zone_file = os.path.join(work, "zone.txt")
        write_zone(zone_file, args.numbers)
        queries = os.path.join(work, "queries.txt")
        query_file(queries, args.numbers, 100000)

        data = os.path.join(work, "sb")
        os.makedirs(data)
        with open(os.path.join(data, "switchboard.ini"), "w") as f:
            f.write("[dnssec]\nzones = *\n")
        t0 = time.monotonic()
        subprocess.run([binary, "zone", "import", zone_file, "--data", data], check=True,
                       capture_output=True)
        imported = time.monotonic() - t0
        port = sb.free_port()

        # Unsigned first: a store imported, served without [dnssec].
        plain = os.path.join(work, "plain")
        shutil.copytree(data, plain)
        os.remove(os.path.join(plain, "switchboard.ini"))
        srv = start([binary, "dns", "--data", plain, "--dns", f"127.0.0.1:{port}"], work)
        try:
            time.sleep(1)
            unsigned_cpu, unsigned_n = cpu_per_query(srv.pid, port, queries, args.seconds)
        finally:
            sb.stop(srv)

        t0 = time.monotonic()
        subprocess.run([binary, "dnssec", "sign", ZONE, "--data", data], check=True,
                       capture_output=True)
        sb_sign = time.monotonic() - t0
        srv = start([binary, "dns", "--data", data, "--dns", f"127.0.0.1:{port}"], work)
        try:
            wait_signed(port, 30)
            signed_cpu, signed_n = cpu_per_query(srv.pid, port, queries, args.seconds)
        finally:
            sb.stop(srv)

        kdir = os.path.join(work, "knot")
        os.makedirs(kdir)
        shutil.copy(zone_file, os.path.join(kdir, "zone.txt"))
        with open(os.path.join(kdir, "knot.conf"), "w") as f:
            f.write(knot_conf(kdir, port))
        t0 = time.monotonic()
        knot = start([KNOTD, "-c", os.path.join(kdir, "knot.conf")], kdir)
        try:
            wait_signed(port, 3600)
            knot_sign = time.monotonic() - t0
            knot_cpu, knot_n = cpu_per_query(knot.pid, port, queries, args.seconds)
        finally:
            sb.stop(knot)

        rows = [("Switchboard: zone import (unsigned) + `dnssec sign` (bulk)",
                 f"{imported:.1f} + {sb_sign:.1f} s", ""),
                ("Knot: start → signed SOA served", f"{knot_sign:.1f} s", ""),
                ("Switchboard unsigned, DO=1", "", f"{unsigned_cpu:.1f} µs ({unsigned_n} q)"),
                ("Switchboard signed, DO=1", "", f"{signed_cpu:.1f} µs ({signed_n} q), "
                 f"{signed_cpu / max(unsigned_cpu, 1e-9):.2f}× unsigned"),
                ("Knot signed, DO=1", "", f"{knot_cpu:.1f} µs ({knot_n} q)")]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = "| | bulk signing | server CPU per answered query |\n|---|---|---|\n"
    table += "".join(f"| {a} | {b} | {c} |\n" for a, b, c in rows)
    sb.record("DNSSEC: bulk signing and DO=1 CPU (issue 16)",
              f"one ENUM zone of {args.numbers} numbers (2 NAPTR each), ECDSAP256SHA256 CSK, "
              f"NSEC3 0 iterations no salt; dnsperf -D -c 8 -q 100 -l {args.seconds}, half the "
              f"names missing.", table, args.no_record)


if __name__ == "__main__":
    main()
