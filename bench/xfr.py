#!/usr/bin/python3
"""Zone transfers out (issue 15, done-when 4): AXFR time and peak memory against Knot and NSD,
UDP queries/s while AXFRs run, IXFR of 1,000 changes.

The zone: one ENUM-shaped zone (9.4.e164.arpa) with RECORDS numbers, one NAPTR each, as a
generated master file, imported into a Switchboard data dir with `switchboard zone import`
(the file and the data dir are cached under CACHE/xfr-RECORDS, as bench/run.sh caches its
dataset; --fresh remakes them) and loaded by Knot and NSD from the same file. Each server runs
alone on 127.0.0.1 with one UDP and one TCP worker (Switchboard: workers = 1, plus its
transfer thread), transfers allowed to 127.0.0.1. Per server:
  * AXFR: `kdig +noall +stats AXFR` ROUNDS times; the median wall time, the records and
    messages kdig counted, and the server's VmHWM (peak RSS) before the first and after the
    last transfer (/proc/PID/status). Switchboard's RSS counts the LMDB pages it reads (file
    backed, shared with the page cache); RssAnon (its own heap) is sampled during the
    transfers too. Both are summed over the server's processes (NSD forks its servers);
  * UDP: `dnsperf -c 8 -l SECONDS` on random numbers of the zone, alone and then while a
    loop of AXFRs runs (one after the other, read by a client that does not parse them, so
    that it takes little CPU); the ratio (target >= 90 %); during each run the CPU used (in
    CPUs, from /proc and os.times) by the UDP worker, the server's transfer threads, the AXFR
    loop's client and dnsperf; the AXFRs completed meanwhile and the time one takes at the
    rate the loop read them (Switchboard's transfers yield to busy UDP workers,
    docs/decisions.md, so they take longer there than alone);
  * IXFR (Switchboard): the server stopped, 1,000 numbers changed in the file (serial + 1)
    and imported (one transaction, one journal group), the server started again, and the
    time of `kdig IXFR=OLD_SERIAL` (records: the 4 SOAs and 2,000 NAPTRs).
Prints the results and appends a table to --out (default bench/RESULTS.md; not with --smoke).

Usage (the coordinator's full run, a few minutes on a quiet machine, ~1 GB in CACHE):
    /usr/bin/python3 bench/xfr.py --binary build/app/switchboard
        [--records 1000000] [--rounds 3] [--seconds 20] [--servers "switchboard knot nsd"]
Smoke run (seconds; checks that the script works, writes nothing):
    /usr/bin/python3 bench/xfr.py --binary build/app/switchboard --smoke
"""

import argparse
import datetime
import os
import random
import shutil
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "dns4"))
from dns4lib import Proc, free_port, make_query, udp_exchange  # noqa: E402

ZONE = "9.4.e164.arpa"
SERIAL = 2026120400
CHANGES = 1000


def owner(i):
    return ".".join(reversed("%07d" % i))


def naptr(i, tag="sip"):
    return ('%s\t3600\tIN\tNAPTR\t100 10 "u" "E2U+sip" "!^.*$!%s:+49%07d@sip.example.net!" .'
            % (owner(i), tag, i))


def write_zone(path, records, serial, changed=()):
    changed = set(changed)
    with open(path, "w") as f:
        f.write("$ORIGIN %s.\n$TTL 3600\n" % ZONE)
        f.write("@\tIN\tSOA\tns1.enum-bench.net. hostmaster.enum-bench.net. %d 3600 600 "
                "864000 300\n" % serial)
        f.write("@\tIN\tNS\tns1.enum-bench.net.\n@\tIN\tNS\tns2.enum-bench.net.\n")
        for i in range(records):
            f.write(naptr(i, "sips" if i in changed else "sip") + "\n")


def run(argv, **kw):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), r.returncode,
                                                   r.stdout.decode(errors="replace")[-2000:]))
    return r.stdout.decode(errors="replace")


def dataset(args, records):
    """The cached zone file, query file and Switchboard data dir for `records` numbers."""
    cache = os.path.join(args.cache, "xfr-%d" % records)
    stamp = os.path.join(cache, "done")
    if args.fresh or not os.path.exists(stamp):
        shutil.rmtree(cache, ignore_errors=True)
        os.makedirs(cache)
        zone = os.path.join(cache, "zone.db")
        t0 = time.time()
        write_zone(zone, records, SERIAL)
        rng = random.Random(1)
        with open(os.path.join(cache, "queries.txt"), "w") as f:
            for _ in range(min(records, 200000)):
                f.write("%s.%s NAPTR\n" % (owner(rng.randrange(records)), ZONE))
        data = os.path.join(cache, "switchboard")
        os.makedirs(data)
        run([args.binary, "zone", "import", zone, "--data", data])
        with open(stamp, "w") as f:
            f.write("%d records, made in %.1f s\n" % (records, time.time() - t0))
    return cache


def tree(pid):
    """`pid` and its descendants (NSD serves from forked children)."""
    pids, i = [pid], 0
    while i < len(pids):
        try:
            with open("/proc/%d/task/%d/children" % (pids[i], pids[i])) as f:
                pids += [int(x) for x in f.read().split()]
        except OSError:
            pass
        i += 1
    return pids


def tree_status(pid, field):
    """`field` of /proc/PID/status summed over the process and its descendants."""
    return sum(status(p, field) for p in tree(pid))


def status(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def wait_loaded(proc, name, port, timeout=600):
    """Until `proc` answers the zone's SOA (NOERROR with an answer: the zone is loaded)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.proc.poll() is not None:
            raise RuntimeError("%s exited (%s):\n%s" % (name, proc.proc.returncode,
                                                         proc.output()[-1000:]))
        try:
            r = udp_exchange(port, make_query(ZONE, "SOA"), timeout=0.5)
            if (r[3] & 0x0F) == 0 and r[7] > 0:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("%s did not answer for %s in %d s" % (name, ZONE, timeout))


def start(name, args, cache, work, port, data=None):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    zone = os.path.join(cache, "zone.db")
    if name == "switchboard":
        with open(os.path.join(data, "switchboard.ini"), "w") as f:
            f.write("[dns]\nworkers = 1\nallow_transfer = 127.0.0.1\n")
        argv = [args.binary, "dns", "--data", data, "--dns", "127.0.0.1:%d" % port]
    elif name == "knot":
        os.makedirs(os.path.join(d, "db"), exist_ok=True)
        with open(os.path.join(d, "knot.conf"), "w") as f:
            f.write(f"""server:
    rundir: "{d}"
    listen: 127.0.0.1@{port}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "{d}/db"
log:
  - target: stderr
    any: error
acl:
  - id: local
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "{d}"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: {ZONE}
    file: "{zone}"
    acl: local
""")
        argv = ["knotd", "-c", os.path.join(d, "knot.conf")]
    else:
        with open(os.path.join(d, "nsd.conf"), "w") as f:
            f.write(f"""server:
    ip-address: 127.0.0.1@{port}
    server-count: 1
    do-ip6: no
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "{d}/zone.list"
    xfrdfile: "{d}/xfrd.state"
    xfrdir: "{d}"
    pidfile: "{d}/nsd.pid"
    logfile: "{d}/nsd.log"
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: {ZONE}
    zonefile: "{zone}"
    provide-xfr: 127.0.0.1 NOKEY
""")
        argv = ["nsd", "-d", "-c", os.path.join(d, "nsd.conf")]
    s = Proc(argv, d, name + ".log")
    s.pid = s.proc.pid
    try:
        wait_loaded(s, name, port)
    except Exception:
        s.stop()
        raise
    return s


def kdig_xfr(port, kind="AXFR"):
    """(seconds, records, messages, bytes) of one transfer with kdig."""
    t0 = time.time()
    out = run(["kdig", "-p", str(port), "@127.0.0.1", "+noall", "+stats", "+timeout=60",
               kind, ZONE], timeout=900)
    took = time.time() - t0
    for line in out.splitlines():
        if line.startswith(";; Received") and "(" in line:
            inner = line[line.index("(") + 1:line.index(")")].split(",")
            return (took, int(inner[1].split()[0]), int(inner[0].split()[0]),
                    int(line.split()[2]))
    raise RuntimeError("kdig %s: no statistics in\n%s" % (kind, out[-1000:]))


def drain_axfr(port, got=None):
    """One AXFR read and thrown away, without parsing its records (the loading loop of the
    UDP measure, so that the client costs little CPU): the stream ends with the message
    that ends with the SOA's last 20 bytes (serial to minimum), as its first RR does."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as c:
        q = make_query(ZONE, "AXFR")
        c.sendall(struct.pack("!H", len(q)) + q)
        f = c.makefile("rb")
        tail, first = None, True
        while True:
            head = f.read(2)
            if len(head) < 2:
                raise RuntimeError("AXFR ended early")
            msg = f.read(struct.unpack("!H", head)[0])
            if got is not None:
                got[0] += 2 + len(msg)
            if tail is None:
                off = 12
                while msg[off] != 0:  # the question name (uncompressed)
                    off += 1 + msg[off]
                off += 5
                off += 2 if msg[off] >= 0xC0 else msg.index(b"\0", off) + 1 - off
                rdlen = struct.unpack_from("!H", msg, off + 8)[0]
                tail = msg[off + 10 + rdlen - 20:off + 10 + rdlen]
                if struct.unpack_from("!H", msg, 6)[0] == 1:
                    first = False  # the first message is the SOA alone
                    continue
            if msg.endswith(tail) and not (first and msg.count(tail) < 2):
                return
            first = False


def cpu_ticks(pid):
    """CPU time so far, in clock ticks (utime + stime, fields 14 and 15 of stat): the whole
    process's (threads that ended included) and each live thread's."""
    def ticks(path):
        try:
            with open(path) as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])
        except (OSError, IndexError):
            return 0
    try:
        tids = [int(t) for t in os.listdir("/proc/%d/task" % pid)]
    except OSError:
        tids = []
    return (ticks("/proc/%d/stat" % pid),
            {t: ticks("/proc/%d/task/%d/stat" % (pid, t)) for t in tids})


def dnsperf(port, queries, seconds, pid=None):
    """dnsperf's queries/s; with `pid` (Switchboard, one worker: its main thread) also the CPU
    shares over the run, in CPUs: the UDP worker, the server's other threads (the transfer
    threads), this script (the AXFR loop's client) and dnsperf."""
    mine0, t0 = os.times(), time.time()
    server0 = cpu_ticks(pid) if pid else (0, {})
    kids0 = mine0.children_user + mine0.children_system
    out = run(["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries, "-c", "8",
               "-l", str(seconds)], timeout=seconds + 120)
    wall, mine1 = time.time() - t0, os.times()
    server1 = cpu_ticks(pid) if pid else (0, {})
    hz = os.sysconf("SC_CLK_TCK")
    # The UDP worker: the busiest thread alive all along (one worker); the rest of the
    # server's CPU is its transfer threads' (one per transfer, gone when it ends).
    worker = max([server1[1][t] - server0[1][t] for t in server1[1] if t in server0[1]] or [0])
    shares = {"worker": worker / hz / wall,
              "transfer": (server1[0] - server0[0] - worker) / hz / wall,
              "client": (mine1.user + mine1.system - mine0.user - mine0.system) / wall,
              "dnsperf": (mine1.children_user + mine1.children_system - kids0) / wall}
    if not pid:
        del shares["worker"], shares["transfer"]
    for line in out.splitlines():
        if "Queries per second:" in line:
            return float(line.split(":")[1]), shares
    raise RuntimeError("dnsperf: no rate in\n" + out[-1000:])


def measure(name, args, cache, work, records):
    port = free_port()
    data = None
    if name == "switchboard":
        data = os.path.join(work, "sb-data")
        shutil.copytree(os.path.join(cache, "switchboard"), data)
    t0 = time.time()
    s = start(name, args, cache, work, port, data)
    r = {"name": name, "load": time.time() - t0}
    try:
        r["hwm_before"] = tree_status(s.pid, "VmHWM")
        anon0 = tree_status(s.pid, "RssAnon")
        peak = [anon0]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], tree_status(s.pid, "RssAnon"))
                time.sleep(0.01)
        sampler = threading.Thread(target=sample)
        sampler.start()
        times = []
        for _ in range(args.rounds):
            took, rrs, msgs, size = kdig_xfr(port)
            times.append(took)
        done.set()
        sampler.join()
        r.update(axfr=statistics.median(times), records=rrs, messages=msgs, size=size,
                 hwm_after=tree_status(s.pid, "VmHWM"), anon_growth=peak[0] - anon0)
        if rrs != records + 4:
            raise RuntimeError("%s: AXFR gave %d records, not %d" % (name, rrs, records + 4))
        if name == "switchboard" or args.udp_all:
            queries = os.path.join(cache, "queries.txt")
            pid = s.pid if name == "switchboard" else None
            r["udp_alone"], r["cpu_alone"] = dnsperf(port, queries, args.seconds, pid)
            stop = threading.Event()
            loops, got = [], [0]

            def axfr_loop():
                while not stop.is_set():
                    drain_axfr(port, got)
                    loops.append(time.time())
            loop = threading.Thread(target=axfr_loop)
            t0 = time.time()
            loop.start()
            try:
                r["udp_xfr"], r["cpu_xfr"] = dnsperf(port, queries, args.seconds, pid)
                t1, sent = time.time(), got[0]
            finally:
                stop.set()
                loop.join()
            r["udp_ratio"] = r["udp_xfr"] / r["udp_alone"] if r["udp_alone"] else 0
            # How fast the AXFRs went while UDP was busy: the AXFRs completed during the run,
            # and the time one would take at the rate the loop's client read meanwhile.
            r["xfr_loops"] = sum(1 for t in loops if t <= t1)
            r["axfr_loaded"] = size * (t1 - t0) / sent if sent else float("inf")
        if name == "switchboard":
            s.stop()
            changed = random.Random(2).sample(range(records), min(CHANGES, records))
            zone2 = os.path.join(work, "zone-changed.db")
            write_zone(zone2, records, SERIAL + 1, changed)
            t0 = time.time()
            run([args.binary, "zone", "import", zone2, "--data", data])
            r["import_changes"] = time.time() - t0
            s = start(name, args, cache, work, port, data)
            took, rrs, _, _ = kdig_xfr(port, "IXFR=%d" % SERIAL)
            r.update(ixfr=took, ixfr_records=rrs, changes=len(changed))
            if rrs != 4 + 2 * len(changed):
                raise RuntimeError("IXFR gave %d records, not %d" % (rrs, 4 + 2 * len(changed)))
    finally:
        s.stop()
    return r


def mb(n):
    return "%.1f" % (n / 1048576.0)


def versions():
    """The commit of this tree and the peers' versions, for the result block."""
    def first(argv):
        try:
            out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 timeout=10).stdout.decode(errors="replace").strip()
            return out.splitlines()[0].split()[-1] if out else "?"
        except (OSError, subprocess.TimeoutExpired):
            return "?"
    return "switchboard %s, Knot %s, NSD %s, kdig %s, dnsperf %s" % (
        first(["git", "-C", HERE, "rev-parse", "--short", "HEAD"]), first(["knotd", "--version"]),
        first(["nsd", "-v"]), first(["kdig", "--version"]),
        first(["sh", "-c", "dnsperf -h 2>&1 | grep '^Version'"]))


def report(results, args, records):
    load = args.load_before
    lines = ["", "## Zone transfers out (issue 15): %s, %d-record zone" % (
        datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC"), records), "",
        "`bench/xfr.py --records %d --rounds %d --seconds %d`; load average before the run "
        "%.1f/%.1f/%.1f on %d cores. One UDP and one TCP worker per server; kdig on the same "
        "machine (its parsing is part of the time, the same for all); %s."
        % (records, args.rounds, args.seconds, load[0], load[1], load[2], os.cpu_count(),
           versions()), "",
        "| server | load s | AXFR s (median) | messages | MB sent | VmHWM before MB | VmHWM after MB |"
        " RssAnon growth MB | UDP q/s alone | UDP q/s during AXFRs | ratio |",
        "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append("| %s | %.1f | %.2f | %d | %s | %s | %s | %s | %s | %s | %s |" % (
            r["name"], r["load"], r["axfr"], r["messages"], mb(r["size"]), mb(r["hwm_before"]),
            mb(r["hwm_after"]), mb(r["anon_growth"]),
            "%.0f" % r["udp_alone"] if "udp_alone" in r else "",
            "%.0f" % r["udp_xfr"] if "udp_xfr" in r else "",
            "%.0f %%" % (100 * r["udp_ratio"]) if "udp_ratio" in r else ""))
    def shares(c):
        return ", ".join("%s %.2f" % (k, v) for k, v in c.items())
    for r in results:
        if "udp_xfr" in r:
            lines += ["", "%s during the UDP run with AXFRs: %d AXFRs completed, one AXFR "
                      "every %.2f s at the rate they were read (%.2f s alone). CPU used, in "
                      "CPUs, alone: %s; with AXFRs: %s "
                      "(worker: the UDP worker thread; transfer: the server's other threads; "
                      "client: the AXFR loop's reader; dnsperf)."
                      % (r["name"], r["xfr_loops"], r["axfr_loaded"], r["axfr"],
                         shares(r["cpu_alone"]), shares(r["cpu_xfr"]))]
    for r in results:
        if "ixfr" in r:
            lines += ["", "IXFR of %d changes (one journal group; %d records): %.3f s "
                      "(the import of the changed file took %.1f s)."
                      % (r["changes"], r["ixfr_records"], r["ixfr"], r["import_changes"])]
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--records", type=int, default=1000000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--servers", default="switchboard knot nsd")
    ap.add_argument("--udp-all", action="store_true", help="UDP rates of Knot and NSD too")
    ap.add_argument("--cache", default=os.environ.get("BENCH_CACHE",
                                                      "/var/tmp/switchboard-bench"))
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--out", default=os.path.join(HERE, "RESULTS.md"))
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    args.load_before = os.getloadavg()
    records = args.records
    if args.smoke:
        records, args.rounds, args.seconds = 3000, 1, 2
    cache = dataset(args, records)
    work = tempfile.mkdtemp(prefix="sb-bench-xfr-")
    results = []
    try:
        for name in args.servers.split():
            if name != "switchboard" and shutil.which("knotd" if name == "knot" else "nsd") is None:
                print("skipping %s: not installed" % name)
                continue
            results.append(measure(name, args, cache, work, records))
            print(results[-1], flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(results, args, records)
    print(text)
    if not args.smoke:
        with open(args.out, "a") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    sys.exit(main())
