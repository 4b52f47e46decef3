#!/usr/bin/python3
"""REGISTERs per second through Kamailio 5.6 with its subscriber lookups in Switchboard
(kamailio/kamailio.cfg: the read API over keep-alive HTTP), against Kamailio with its own
local subscriber table (bench/kamailio-dbtext.cfg: auth_db over db_text), and the read API's
lookup latency (p50/p99) under that load.

Method: `switchboard provision` on a loopback port holds --users accounts (added over SOAP);
the db_text table holds the same users with the same HA1. SIPp (bench/sip_register.xml, the
users from an injection file) sends --registers REGISTERs with digest auth (each one
challenged, then authenticated: two requests, one subscriber lookup plus one domain lookup
with Switchboard), at most --concurrency at a time, as fast as they are answered; the rate is
completed REGISTERs / wall time. While the Switchboard run goes, a client thread issues
subscriber lookups on one keep-alive connection and records each one's latency. Modes
alternate for --rounds rounds; medians are reported and appended to bench/RESULTS.md
(--no-record to skip).

Usage (as root: Kamailio runs as root here):
  /usr/bin/python3 bench/sip_register.py --binary build/app/switchboard \\
      [--users 1000] [--registers 20000] [--concurrency 100] [--rounds 3]
Smoke run: --users 20 --registers 200 --rounds 1 --no-record
"""

import argparse
import base64
import hashlib
import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
sys.path.insert(0, os.path.join(ROOT, "tests", "dns4"))

from dns4lib import Proc  # noqa: E402
from soapbench import record  # noqa: E402 (first: it notes the load average)
from sbtest import DataDir, SoapClient, as_list, start_provision, wait_for  # noqa: E402

DOMAIN = "bench.example.test"


def free_udp_port():
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def start_kamailio(work, cfg, local_cfg):
    shutil.copy(cfg, os.path.join(work, "kamailio.cfg"))
    with open(os.path.join(work, "switchboard-local.cfg"), "w") as f:
        f.write(local_cfg)
    kam = Proc(["kamailio", "-DD", "-E", "-f", os.path.join(work, "kamailio.cfg"), "-Y", work,
                "-w", work], work, "kamailio.log")
    wait_for(lambda: "Listening on" in kam.output() or kam.proc.poll() is not None, timeout=10)
    time.sleep(0.5)
    if kam.proc.poll() is not None:
        raise RuntimeError("kamailio exited: " + kam.output()[-2000:])
    return kam


def run_sipp(work, port, users_csv, registers, concurrency):
    argv = ["sipp", f"127.0.0.1:{port}", "-sf", os.path.join(HERE, "sip_register.xml"),
            "-inf", users_csv, "-key", "domain", DOMAIN, "-i", "127.0.0.1",
            "-p", str(free_udp_port()), "-mp", str(free_udp_port()), "-m", str(registers),
            "-r", "100000", "-l", str(concurrency), "-nostdin", "-timeout", "300s",
            "-trace_stat", "-stf", os.path.join(work, "stat.csv"), "-fd", "3600"]
    t0 = time.monotonic()
    proc = subprocess.run(argv, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.monotonic() - t0
    ok = failed = 0
    with open(os.path.join(work, "stat.csv")) as f:
        rows = [line.rstrip("\n").split(";") for line in f if line.strip()]
    head = rows[0]
    last = rows[-1]
    ok = int(last[head.index("SuccessfulCall(C)")])
    failed = int(last[head.index("FailedCall(C)")])
    return ok / elapsed, ok, failed, proc.returncode


class LookupProbe(threading.Thread):
    """Subscriber lookups on one keep-alive connection until stopped; latencies in ms."""

    def __init__(self, port, data, users):
        super().__init__(daemon=True)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        token = base64.b64encode(f"{data.username}:{data.password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}"}
        self.users = users
        self.latencies = []
        self.halt = threading.Event()

    def run(self):
        i = 0
        while not self.halt.is_set():
            user = self.users[i % len(self.users)]
            i += 1
            t0 = time.perf_counter()
            self.conn.request("GET", f"/ngnpro/proxy/v1/subscriber?user={user}&domain={DOMAIN}",
                              headers=self.headers)
            resp = self.conn.getresponse()
            resp.read()
            self.latencies.append((time.perf_counter() - t0) * 1000)
            time.sleep(0.002)


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--binary", required=True)
    p.add_argument("--users", type=int, default=1000)
    p.add_argument("--registers", type=int, default=20000)
    p.add_argument("--concurrency", type=int, default=100)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--children", type=int, default=4, help="Kamailio UDP workers")
    p.add_argument("--kamailio-cfg", default=os.path.join(ROOT, "kamailio", "kamailio.cfg"),
                   help="the configuration of the Switchboard run (e.g. an older one to compare)")
    p.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = p.parse_args()
    args.binary = os.path.abspath(args.binary)

    work = tempfile.mkdtemp(prefix="sb-bench-sip-")
    users = [f"u{i:06d}" for i in range(args.users)]
    users_csv = os.path.join(work, "users.csv")
    with open(users_csv, "w") as f:
        # SIPp takes the credentials of an injected call as an [authentication] field.
        f.write("SEQUENTIAL\n" + "".join(
            f"{u};[authentication username={u} password=pw-{u}]\n" for u in users))
    dbdir = os.path.join(work, "db")
    os.makedirs(dbdir)
    with open(os.path.join(dbdir, "version"), "w") as f:
        f.write("table_name(string) table_version(int)\nsubscriber:7\n")
    with open(os.path.join(dbdir, "subscriber"), "w") as f:
        f.write("id(int,auto) username(string) domain(string) ha1(string) ha1b(string)\n")
        for i, u in enumerate(users, 1):
            f.write(f"{i}:{u}:{DOMAIN}:{md5(f'{u}:{DOMAIN}:pw-{u}')}:"
                    f"{md5(f'{u}@{DOMAIN}:{DOMAIN}:pw-{u}')}\n")

    class A:  # what sbtest.start_provision needs
        binary = args.binary
    results = {"switchboard": [], "db_text": []}
    p99s, p50s = [], []
    try:
        with DataDir() as data, start_provision(A, data) as srv:
            sip = SoapClient(srv, data.username, data.password, port_name="SipPort")
            sip.addDomain(domain={"domain": DOMAIN})
            for u in users:
                sip.addAccount(account={"id": {"username": u, "domain": DOMAIN},
                                        "password": f"pw-{u}"})
            for r in range(args.rounds):
                for mode in ("switchboard", "db_text"):
                    sip_port = free_udp_port()
                    kwork = os.path.join(work, f"{mode}-{r}")
                    os.makedirs(kwork)
                    if mode == "switchboard":
                        cfg = args.kamailio_cfg
                        local = (f"listen=udp:127.0.0.1:{sip_port}\n"
                                 f'#!define SB_HTTPCON "sb=>http://{data.username}:'
                                 f'{data.password}@127.0.0.1:{srv.soap_port}/ngnpro"\n'
                                 f"#!define SB_CHILDREN {args.children}\n")
                    else:
                        cfg = os.path.join(HERE, "kamailio-dbtext.cfg")
                        local = (f"listen=udp:127.0.0.1:{sip_port}\n"
                                 f'#!define DBURL "text://{dbdir}"\n'
                                 f"#!define SB_CHILDREN {args.children}\n")
                    kam = start_kamailio(kwork, cfg, local)
                    probe = LookupProbe(srv.soap_port, data, users) \
                        if mode == "switchboard" else None
                    try:
                        if probe:
                            probe.start()
                        rate, ok, failed, rc = run_sipp(kwork, sip_port, users_csv,
                                                        args.registers, args.concurrency)
                        if mode == "switchboard":
                            # The registrations are queued and posted in batches: they arrive.
                            user = users[min(args.registers, len(users)) - 1]
                            last = {"username": user, "domain": DOMAIN}
                            if not wait_for(lambda: as_list(as_list(sip.getSipDeviceLocations(
                                    sipIds=[last]))[0].locations), timeout=10):
                                raise RuntimeError(f"{user}'s registration never reached "
                                                   "getSipDeviceLocations")
                    finally:
                        if probe:
                            probe.halt.set()
                            probe.join(timeout=5)
                        kam.stop()
                    print(f"round {r + 1} {mode}: {rate:.0f} REGISTER/s ({ok} ok, {failed} "
                          f"failed, sipp rc {rc})", flush=True)
                    results[mode].append(rate)
                    if probe:
                        p50s.append(percentile(probe.latencies, 50))
                        p99s.append(percentile(probe.latencies, 99))
                        print(f"    lookup latency under load: p50 {p50s[-1]:.2f} ms, "
                              f"p99 {p99s[-1]:.2f} ms ({len(probe.latencies)} lookups)",
                              flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    sb = statistics.median(results["switchboard"])
    db = statistics.median(results["db_text"])
    record("REGISTERs through Kamailio: Switchboard lookups vs db_text",
           f"Kamailio 5.6 ({args.children} UDP workers), SIPp, all on loopback; {args.users} "
           f"subscribers, {args.registers} REGISTERs per run, {args.concurrency} at a time; "
           f"medians of {args.rounds} round(s).",
           f"| | REGISTER/s | lookup p50 (ms) | lookup p99 (ms) |\n|---|---|---|---|\n"
           f"| Kamailio + Switchboard read API | {sb:.0f} | {statistics.median(p50s):.2f} | "
           f"{statistics.median(p99s):.2f} |\n"
           f"| Kamailio + db_text subscriber table | {db:.0f} | – | – |\n"
           f"| ratio Switchboard/db_text | {sb / db:.2f}× | | |\n", args.no_record)

if __name__ == "__main__":
    main()
