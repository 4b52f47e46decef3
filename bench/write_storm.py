#!/usr/bin/python3
"""DNS throughput during a provisioning write storm (issue 8): dnsperf against
`switchboard serve` answering NAPTR for 2,000 ENUM numbers, first alone, then while 4 SOAP
clients replace numbers' mappings as fast as they can (durable commits). Server pinned to
CPU 0, dnsperf and the writers to CPU 1 (writers at nice 19, below dnsperf). Prints and
appends to bench/RESULTS.md the queries/s of both runs and their ratio. Run on demand:

    /usr/bin/python3 bench/write_storm.py --binary build/app/switchboard [--seconds 10]
"""

import argparse
import http.client
import multiprocessing
import os
import random
import re
import shutil
import socket
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns5="urn:AGProjects:NGNPro:Enum">
<SOAP-ENV:Header><auth><username>admin</username><password>bench</password></auth></SOAP-ENV:Header>
<SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>"""
COUNT = 2000


def number(i):
    return f"3120800{i:04d}"


def body(op, num, k):
    return (f"<ns5:{op}><number><id><number>{num}</number><tld>e164.arpa</tld></id><mappings>"
            f"<item><type>sip</type><mapto>sip:{k}@example.com</mapto><priority>10</priority>"
            f"</item></mappings></number></ns5:{op}>")


def post(conn, b):
    conn.request("POST", "/ngnpro/", ENVELOPE.format(body=b).encode(),
                 {"Content-Type": "text/xml", "SOAPAction": '""'})
    text = conn.getresponse().read()
    if b"Fault>" in text:
        raise RuntimeError(text[:300])


def writer(port, seed, stop_at, counter):
    os.sched_setaffinity(0, {1})
    os.nice(19)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    rng = random.Random(seed)
    while time.monotonic() < stop_at:
        post(conn, body("updateNumber", number(rng.randrange(COUNT)), rng.randrange(10**6)))
        with counter.get_lock():
            counter.value += 1


def dnsperf(port, queries, seconds):
    out = subprocess.run(["taskset", "-c", "1", "dnsperf", "-s", "127.0.0.1", "-p", str(port),
                          "-d", queries, "-c", "16", "-q", "200", "-l", str(seconds)],
                         capture_output=True, text=True, check=True).stdout
    qps = float(re.search(r"Queries per second:\s+([\d.]+)", out).group(1))
    lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
    return qps, lost


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--no-record", action="store_true")
    args = ap.parse_args()
    data = tempfile.mkdtemp(prefix="sb-storm-")
    with open(os.path.join(data, "switchboard.ini"), "w") as f:
        f.write("[admin]\nusername = admin\npassword = bench\n[dns]\nworkers = 1\n"
                "nameservers = ns1.example.net\n")
    queries = os.path.join(data, "queries.txt")
    with open(queries, "w") as f:
        for i in range(COUNT):
            f.write(f"{'.'.join(reversed(number(i)))}.e164.arpa NAPTR\n")
    dns, soap = free_port(), free_port()
    srv = subprocess.Popen(["taskset", "-c", "0", args.binary, "serve", "--data", data,
                            "--dns", f"127.0.0.1:{dns}", "--soap", f"127.0.0.1:{soap}"],
                           stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", soap), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", soap, timeout=30)
        post(conn, "<ns5:addRange><range><id><prefix>3120800</prefix><tld>e164.arpa</tld></id>"
                   "</range></ns5:addRange>")
        for i in range(COUNT):
            post(conn, body("addNumber", number(i), i))
        quiet, quiet_lost = dnsperf(dns, queries, args.seconds)
        counter = multiprocessing.Value("i", 0)
        stop_at = time.monotonic() + args.seconds + 1
        procs = [multiprocessing.Process(target=writer, args=(soap, s, stop_at, counter))
                 for s in range(4)]
        for p in procs:
            p.start()
        time.sleep(0.5)
        storm, storm_lost = dnsperf(dns, queries, args.seconds)
        for p in procs:
            p.join()
        writes = counter.value
    finally:
        srv.terminate()
        srv.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)
    report = (f"\n## DNS during a write storm ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})"
              f"\n\n`/usr/bin/python3 bench/write_storm.py --binary {args.binary} --seconds "
              f"{args.seconds}`: {COUNT} ENUM numbers, NAPTR queries (dnsperf -c 16 -q 200, "
              f"pinned to CPU 1), server (1 DNS worker) pinned to CPU 0, 4 SOAP writers "
              f"(updateNumber, durable) at nice 19 on CPU 1.\n\n"
              f"| run | queries/s | lost | writes |\n|---|---|---|---|\n"
              f"| no writes | {quiet:.0f} | {quiet_lost} | 0 |\n"
              f"| write storm | {storm:.0f} | {storm_lost} | {writes} "
              f"({writes / (args.seconds + 0.5):.0f}/s) |\n\n"
              f"Ratio during/without writes: **{storm / quiet:.2f}** (target ≥ 0.80).\n")
    print(report)
    if not args.no_record:
        with open(os.path.join(HERE, "RESULTS.md"), "a") as f:
            f.write(report)


if __name__ == "__main__":
    main()
