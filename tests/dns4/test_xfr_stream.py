#!/usr/bin/python3
"""Streamed transfers out (issue 15): AXFR of a large zone from one snapshot, message by
message, off the UDP workers, in bounded memory, under [dns] max_transfers.

Starts `switchboard dns` (one worker, max_transfers = 2, transfer_timeout_ms = 1500) with a
generated zone of RECORDS A records imported, transfers allowed to 127.0.0.1 and to a TSIG
key, and checks with kdig and raw sockets:
- a TSIG-signed AXFR of the zone arrives whole in many messages, each verified by kdig
  (RFC 8945 §5.3.1), and the server's anonymous memory (RssAnon, sampled during the
  transfer) grows by less than MAX_GROWTH while the zone's transfer is several times that;
- two AXFRs at once both complete; UDP queries are answered during them;
- two clients that send an AXFR and then stop reading hold both slots: a third AXFR waits
  in line (docs/decisions.md) until, transfer_timeout_ms after their last progress, the
  stalled transfers end and free their slots and snapshots; then it completes;
- a client killed (RST) in the middle of a transfer frees its slot; the server answers on;
- transfers yield to busy UDP workers (docs/decisions.md): the transfer's log line says
  `yielded_ms=0` for an AXFR with no UDP traffic, more than 0 for one while dnsperf keeps
  the worker busy, and that one still arrives whole.
"""

import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_nsd_diff import Tally  # noqa: E402
from dns4lib import (cleanup, kdig, make_query, parse_args, query,  # noqa: E402
                     start_switchboard, tempdir)

# 250,000 records: a transfer of about 6 MB, more than a socket send buffer grows to (4 MB),
# so a client that stops reading stalls the transfer.
RECORDS = int(os.environ.get("SB_XFR_RECORDS", "250000"))
MAX_GROWTH = 6 << 20  # bytes of anonymous memory a transfer may add
KEY = "xfr.key:hmac-sha256:c3dpdGNoYm9hcmQtc3RyZWFtLXRlc3Qta2V5LTMyYnk="
ZONE = "big.test"


def write_zone(path):
    with open(path, "w") as f:
        f.write("$ORIGIN %s.\n$TTL 3600\n" % ZONE)
        f.write("@ IN SOA ns1 hostmaster 1 3600 600 86400 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n")
        for i in range(RECORDS):
            f.write("h%d IN A 10.%d.%d.%d\n" % (i, i >> 16 & 255, i >> 8 & 255, i & 255))


def rss_anon(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return 0


def axfr_query():
    return make_query(ZONE, "AXFR", qid=4242)


def stalled_client(port):
    """Sends an AXFR with a tiny receive buffer and never reads."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    q = axfr_query()
    s.sendall(struct.pack("!H", len(q)) + q)
    return s


def kdig_axfr(port, key=None):
    args = (["-y", "hmac-sha256:" + KEY.split(":", 2)[0] + ":" + KEY.split(":", 2)[2]]
            if key else [])
    return kdig(port, args + ["+timeout=15", "AXFR", ZONE])


def received(out):
    """(messages, records) of kdig's ';; Received N B (M messages, R records)' line."""
    for line in out.splitlines():
        if line.startswith(";; Received") and "(" in line and "," in line:
            inner = line[line.index("(") + 1:line.index(")")].split(",")
            return int(inner[0].split()[0]), int(inner[1].split()[0])
    return 0, 0


def yielded(log):
    """yielded_ms of each AXFR log line, in order."""
    return [int(line.split("yielded_ms=")[1].split()[0]) for line in log.splitlines()
            if "AXFR" in line and "yielded_ms=" in line]


def wait_yielded(sb, count):
    """The yielded_ms of the AXFR log lines once there are `count` of them (the worker logs a
    transfer just after the client has its last message)."""
    for _ in range(100):
        found = yielded(sb.output())
        if len(found) >= count:
            return found
        time.sleep(0.05)
    return yielded(sb.output())


def main():
    binary = parse_args().binary
    # In a sanitized build freed memory waits in ASan's quarantine (up to 256 MB) instead of
    # being reused, which would hide what a transfer keeps: no quarantine for this server.
    os.environ["ASAN_OPTIONS"] = ":".join(
        x for x in (os.environ.get("ASAN_OPTIONS", ""), "quarantine_size_mb=0") if x)
    work = tempdir("dns4-xfr-stream-")
    sb = None
    tally = Tally()
    check = tally.check
    expected = RECORDS + 4  # SOA, NS, ns1 A, the records, the closing SOA
    try:
        zone_file = os.path.join(work, "big.zone")
        write_zone(zone_file)
        ini = ("[dns]\nworkers = 1\nallow_transfer = 127.0.0.1\ntsig_key = %s\n"
               "max_transfers = 2\ntransfer_timeout_ms = 1500\n" % KEY)
        sb = start_switchboard(binary, work, ini=ini, zone_files=[zone_file])
        pid = sb.proc.pid

        # One signed AXFR, memory sampled while it runs.
        before = rss_anon(pid)
        peak = [before]
        done = threading.Event()

        def sample():
            while not done.is_set():
                peak[0] = max(peak[0], rss_anon(pid))
                time.sleep(0.005)
        sampler = threading.Thread(target=sample)
        sampler.start()
        t0 = time.time()
        out = kdig_axfr(sb.port, key=True)
        took = time.time() - t0
        done.set()
        sampler.join()
        messages, records = received(out)
        size = sum(len(line) for line in out.splitlines() if not line.startswith(";"))
        print("AXFR of %d records: %d messages, %.2f s, RssAnon %d -> peak %d (+%d KiB)"
              % (records, messages, took, before, peak[0], (peak[0] - before) >> 10))
        check(records == expected and messages > 10 and ";; WARNING" not in out
              and "failed" not in out.lower(),
              "the signed AXFR arrives whole in many verified messages (%d, %d):\n%s"
              % (messages, records, out[-600:]))
        check(wait_yielded(sb, 1)[:1] == [0],
              "with no UDP traffic the AXFR never yields: %s" % yielded(sb.output()))
        check(peak[0] - before < MAX_GROWTH,
              "a transfer adds less than %d KiB of memory (added %d KiB; zone text %d KiB)"
              % (MAX_GROWTH >> 10, (peak[0] - before) >> 10, size >> 10))

        # Two at once, and UDP answered meanwhile.
        results = [None, None]

        def run(i):
            results[i] = kdig_axfr(sb.port)
        threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        udp_ok = 0
        while any(t.is_alive() for t in threads):
            try:
                r = query(sb.port, make_query("h7." + ZONE, "A"))
                udp_ok += r.rcode == 0 and len(r.answer) == 1
            except OSError:
                pass
        for t in threads:
            t.join()
        check(all(received(r)[1] == expected for r in results),
              "two AXFRs at once both complete: %s" % [received(r) for r in results])
        check(udp_ok > 0, "UDP queries are answered during transfers (%d)" % udp_ok)

        # Two stalled clients hold both slots: a third AXFR waits in line and runs once
        # transfer_timeout_ms after their last progress the stalled transfers end.
        stalled = [stalled_client(sb.port) for _ in range(2)]
        time.sleep(0.3)
        t0 = time.time()
        out = kdig_axfr(sb.port)
        waited = time.time() - t0
        check(received(out)[1] == expected and waited > 0.8,
              "over max_transfers an AXFR waits for a slot (%.2f s), then completes:\n%s"
              % (waited, out[-600:]))
        for s in stalled:
            s.close()
        log = sb.output()
        check(log.count("result=failed") >= 2,
              "the log says which transfers failed:\n" + log[-1500:])

        # While dnsperf keeps the UDP worker busy (20,000 queries/s, twice the pacer's busy
        # rate, for 3 s: the start of the transfer), an AXFR yields to it and still completes.
        names = os.path.join(work, "queries.txt")
        with open(names, "w") as f:
            f.writelines("h%d.%s A\n" % (i, ZONE) for i in range(0, RECORDS, 97))
        logged = len(yielded(sb.output()))
        perf = subprocess.Popen(["dnsperf", "-s", "127.0.0.1", "-p", str(sb.port), "-d", names,
                                 "-c", "4", "-Q", "20000", "-l", "3"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            t0 = time.time()
            out = kdig_axfr(sb.port)
            took = time.time() - t0
        finally:
            perf.terminate()
            perf.wait()
        now = wait_yielded(sb, logged + 1)
        print("AXFR while dnsperf runs: %.2f s, yielded %s ms" % (took, now[logged:]))
        check(received(out)[1] == expected,
              "an AXFR while UDP is busy arrives whole: %s\n%s" % (received(out), out[-600:]))
        check(len(now) > logged and now[logged] > 0,
              "an AXFR while UDP is busy yields to it (yielded_ms %s)" % now[logged:])

        # A client killed mid-transfer (RST after its first bytes).
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect(("127.0.0.1", sb.port))
        q = axfr_query()
        s.sendall(struct.pack("!H", len(q)) + q)
        s.recv(1000)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        time.sleep(0.3)
        outs = [kdig_axfr(sb.port)]
        check(all(received(o)[1] == expected for o in outs) and sb.proc.poll() is None,
              "after a client killed mid-transfer, AXFRs go on: %s"
              % [received(o) for o in outs])
        print("yielded_ms of each AXFR, in log order: %s" % yielded(sb.output()))
        tally.report()
        return 1 if tally.failed else 0
    finally:
        cleanup((sb,), (work,))


if __name__ == "__main__":
    sys.exit(main())
