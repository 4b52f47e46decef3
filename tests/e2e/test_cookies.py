#!/usr/bin/python3
"""DNS Cookies (RFC 7873, server cookies per RFC 9018) through the real binary:
  - `dig +cookie` gets a 16-byte server cookie after its client cookie; sent back with
    `dig +cookie=...` it validates (NOERROR, the same cookie echoed); one changed byte of its
    hash gets BADCOOKIE; a malformed cookie (5 bytes) gets FORMERR (RFC 7873 §5.2);
  - a UDP flood from 50 loopback addresses of one /24 at twice the RRL rate (rrl_rate = 100,
    one worker): a client of the same /24 that presents a valid server cookie gets >= 99% of
    its answers, while the flood's own addresses get no more than the rate;
  - with rrl_require_cookie, a client above the rate that sends only a client cookie gets
    BADCOOKIE with a fresh server cookie, and passes with it.

Usage: /usr/bin/python3 test_cookies.py --binary PATH/TO/switchboard
"""

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, start_serve_www  # noqa: E402
from test_crash import ZONE  # noqa: E402

NETWORK = "127.0.1."  # attackers and clients share this /24: one RRL bucket
RATE = 100


def query(qid, name, cookie=None):
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 1, 1)
    opts = b"" if cookie is None else struct.pack(">HH", 10, len(cookie)) + cookie
    return q + b"\0" + struct.pack(">HHIH", 41, 1232, 0, len(opts)) + opts


def parse(r):
    """(id, rcode with the extended bits, tc, ancount, cookie bytes or None)."""
    qid, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", r[:12])
    rcode, cookie = flags & 0x0F, None
    pos = 12
    for _ in range(qd):
        while r[pos] != 0:
            pos += 1 + r[pos]
        pos += 5
    for _ in range(an + ns + ar):
        while r[pos] != 0:
            if r[pos] & 0xC0:
                pos += 1
                break
            pos += 1 + r[pos]
        pos += 1
        rtype, rclass, ttl, rdlen = struct.unpack(">HHIH", r[pos:pos + 10])
        rdata = r[pos + 10:pos + 10 + rdlen]
        if rtype == 41:
            rcode |= (ttl >> 24) << 4
            i = 0
            while i + 4 <= len(rdata):
                code, olen = struct.unpack(">HH", rdata[i:i + 4])
                if code == 10:
                    cookie = rdata[i + 4:i + 4 + olen]
                i += 4 + olen
        pos += 10 + rdlen
    return qid, rcode, bool(flags & 0x0200), an, cookie


def dig(port, *extra):
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+tries=1", "+time=2",
                          "+nobadcookie", *extra, "www." + ZONE, "A"],
                         capture_output=True, text=True, timeout=10).stdout
    status = re.search(r"status: (\w+)", out)
    cookie = re.search(r"; COOKIE: ([0-9a-f]+)", out)
    return (status.group(1) if status else None), (cookie.group(1) if cookie else None), out


def test_dig_cookie(args):
    ck = Checker("dig +cookie")
    with DataDir(keep=args.keep, extra_ini="[dns]\nworkers = 1\n") as data:
        srv = start_serve_www(args, data, ZONE)
        try:
            status, cookie, out = dig(srv.dns_port, "+cookie")
            ck.eq(status, "NOERROR", "dig +cookie is answered")
            ck.check(cookie is not None and len(cookie) == 48,
                     f"8-byte client + 16-byte server cookie: {out}")
            status, again, out = dig(srv.dns_port, f"+cookie={cookie}")
            ck.eq(status, "NOERROR", "the server cookie validates on the next query")
            ck.eq(again, cookie, "a fresh valid server cookie is echoed (RFC 9018 §4.3)")
            bad = cookie[:-2] + ("00" if cookie[-2:] != "00" else "11")
            status, fresh, out = dig(srv.dns_port, f"+cookie={bad}")
            ck.eq(status, "BADCOOKIE", f"a server cookie we did not make: {out}")
            ck.check(fresh is not None and fresh != bad and fresh[:16] == cookie[:16],
                     f"BADCOOKIE carries a new server cookie: {fresh}")
            status, _, out = dig(srv.dns_port, "+cookie=0102030405")
            ck.eq(status, "FORMERR", f"a malformed cookie (5 bytes): {out}")
        finally:
            srv.stop()
    ck.done()


class UdpFlood(threading.Thread):
    """RATE * 2 queries a second from 50 addresses of NETWORK, for `seconds`."""

    def __init__(self, port, seconds):
        super().__init__(daemon=True)
        self.port, self.seconds, self.sent, self.answered = port, seconds, 0, 0
        self.socks = []
        for i in range(1, 51):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((NETWORK + str(i), 0))
            s.setblocking(False)
            self.socks.append(s)

    def run(self):
        t0 = time.monotonic()
        interval = 1.0 / (2 * RATE)
        while time.monotonic() - t0 < self.seconds:
            s = self.socks[self.sent % len(self.socks)]
            s.sendto(query(self.sent & 0xFFFF, "www." + ZONE), ("127.0.0.1", self.port))
            try:
                while True:  # drain what came back
                    if not parse(s.recv(4096))[2]:
                        self.answered += 1
            except BlockingIOError:
                pass
            self.sent += 1
            next_at = t0 + self.sent * interval
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        for s in self.socks:
            s.close()


def client_run(port, source, n, cookie_of=None, rate=50):
    """n queries, one at a time, paced at `rate`/s: (full answers, truncated, BADCOOKIE,
    lost, the last cookie seen)."""
    full = tc = bad = lost = 0
    cookie = cookie_of
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.settimeout(0.5)
        t0 = time.monotonic()
        for i in range(n):
            s.sendto(query(i, "www." + ZONE, cookie), ("127.0.0.1", port))
            try:
                while True:
                    r, _ = s.recvfrom(4096)
                    qid, rcode, trunc, an, got = parse(r)
                    if qid == i:
                        break
            except socket.timeout:
                lost += 1
                continue
            if got is not None and cookie is not None:
                cookie = got  # keep the server's newest cookie, as a client would
            if rcode == 23:
                bad += 1
            elif trunc:
                tc += 1
            elif rcode == 0 and an > 0:
                full += 1
            delay = t0 + (i + 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    return full, tc, bad, lost, cookie


def learn_cookie(port, source):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((source, 0))
        s.settimeout(2)
        s.sendto(query(7, "www." + ZONE, b"\x11" * 8), ("127.0.0.1", port))
        return parse(s.recv(4096))[4]


def test_udp_flood(args):
    ck = Checker("udp flood")
    ini = f"[dns]\nworkers = 1\nrrl_rate = {RATE}\nrrl_slip = 2\n"
    with DataDir(keep=args.keep, extra_ini=ini) as data:
        srv = start_serve_www(args, data, ZONE)
        try:
            cookie = learn_cookie(srv.dns_port, NETWORK + "200")
            ck.check(cookie is not None and len(cookie) == 24, f"a server cookie: {cookie}")
            flood = UdpFlood(srv.dns_port, seconds=7)
            flood.start()
            time.sleep(1.0)  # the network is over its rate from here on
            results = {}

            def run(name, source, c):
                results[name] = client_run(srv.dns_port, source, 250, c)

            run("cookie", NETWORK + "200", cookie)
            flood.join()
            full, tc, bad, lost, _ = results["cookie"]
            print(f"    flood: {flood.sent} queries in 7 s from 50 addresses, "
                  f"{flood.answered} full answers back (RRL rate {RATE}/s for the /24)")
            ck.check(flood.sent >= 2 * RATE * 6, f"twice the rate: {flood.sent} in 7 s")
            ck.check(flood.answered <= RATE * 8, f"RRL limits the flood's network to its rate: "
                     f"{flood.answered} full answers in 7 s")
            print(f"    cookie client: {full} full, {tc} truncated, {bad} BADCOOKIE, "
                  f"{lost} lost of 250")
            ck.check(full >= 0.99 * 250, f"a valid cookie gets >= 99% of its answers: {full}")
        finally:
            srv.stop()
    ck.done()


def stopped(pid, timeout=5.0):
    """Waits until every thread of process pid is stopped (SIGSTOP takes effect later)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                states.append(f.read().rsplit(")", 1)[1].split()[0])
        if all(state in ("T", "t") for state in states):
            return
        time.sleep(0.01)
    raise sbtest.TestFailure(f"process {pid} did not stop")


def test_cookie_first(args):
    """A batch read at once: the answer to the valid server cookie leaves first."""
    ck = Checker("valid cookie answered first in its batch")
    with DataDir(keep=args.keep, extra_ini="[dns]\nworkers = 1\n") as data:
        srv = start_serve_www(args, data, ZONE)
        try:
            cookie = learn_cookie(srv.dns_port, NETWORK + "7")
            ck.check(cookie is not None and len(cookie) == 24, f"a server cookie: {cookie}")
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind((NETWORK + "7", 0))
                s.settimeout(2)
                # Stopped, the server finds all 32 queued: one recvmmsg batch (up to 64 datagrams).
                srv.proc.send_signal(signal.SIGSTOP)
                try:
                    stopped(srv.proc.pid)
                    for i in range(31):
                        s.sendto(query(i, "www." + ZONE), ("127.0.0.1", srv.dns_port))
                    s.sendto(query(31, "www." + ZONE, cookie), ("127.0.0.1", srv.dns_port))
                    time.sleep(0.2)
                finally:
                    srv.proc.send_signal(signal.SIGCONT)
                order = []
                try:
                    while len(order) < 32:
                        order.append(parse(s.recv(4096))[0])
                except socket.timeout:
                    pass
            ck.eq(sorted(order), list(range(32)), "every query is answered")
            ck.eq(order[:1], [31], f"the valid cookie's answer leaves first: {order}")
            ck.eq(order[1:], list(range(31)), "the others in the order they came")
        finally:
            srv.stop()
    ck.done()


def test_require_cookie(args):
    ck = Checker("rrl_require_cookie")
    ini = "[dns]\nworkers = 1\nrrl_rate = 5\nrrl_slip = 2\nrrl_require_cookie = true\n"
    with DataDir(keep=args.keep, extra_ini=ini) as data:
        srv = start_serve_www(args, data, ZONE)
        try:
            # 40 queries at once with a client cookie only: 5 answered, the rest BADCOOKIE.
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind((NETWORK + "9", 0))
                s.settimeout(0.5)
                time.sleep(1.05 - time.time() % 1.0)  # a fresh second
                for i in range(40):
                    s.sendto(query(i, "www." + ZONE, b"\x22" * 8), ("127.0.0.1", srv.dns_port))
                replies = []
                try:
                    while True:
                        replies.append(parse(s.recv(4096)))
                except socket.timeout:
                    pass
            full = [r for r in replies if r[1] == 0 and r[3] > 0]
            bad = [r for r in replies if r[1] == 23]
            print(f"    {len(full)} answered, {len(bad)} BADCOOKIE of 40")
            ck.check(5 <= len(full) <= 10, f"the rate's worth answered: {len(full)}")
            ck.check(len(bad) >= 30, f"over the rate: BADCOOKIE (RFC 7873 §5.2.3): {len(bad)}")
            ck.check(all(r[4] is not None and len(r[4]) == 24 for r in bad),
                     "each BADCOOKIE carries a server cookie")
            # With the server cookie it learnt, the client is answered although over the rate.
            full2, _, bad2, lost2, _ = client_run(srv.dns_port, NETWORK + "9", 30, bad[0][4],
                                                  rate=1000)
            ck.eq((full2, bad2, lost2), (30, 0, 0), "the cookie client passes over the rate")
        finally:
            srv.stop()
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
