#!/usr/bin/python3
"""Response rate limiting: with [dns] rrl_rate = 20 and rrl_slip = 2 (one DNS worker), a burst
of 200 UDP queries from one client gets at most 20 full answers per second, about every
second answer over the rate as a truncated one (TC=1, no records), the rest dropped; the
client's TCP queries are still answered, and a second later UDP answers resume. Without
rrl_rate nothing is limited.

Usage: /usr/bin/python3 test_rrl.py --binary PATH/TO/switchboard
"""

import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, dig, start_serve_www  # noqa: E402
from test_crash import ZONE  # noqa: E402


def query(qid):
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in ("www." + ZONE).split("."):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack(">HH", 1, 1)


def burst(port, n):
    """Sends n queries at once and sorts the replies: (full answers, truncated, silent)."""
    full = tc = 0
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        for i in range(n):
            s.sendto(query(i), ("127.0.0.1", port))
        s.settimeout(0.5)
        try:
            while True:
                r, _ = s.recvfrom(4096)
                flags, ancount = struct.unpack(">H", r[2:4])[0], struct.unpack(">H", r[6:8])[0]
                if flags & 0x0200:
                    tc += 1
                elif ancount > 0:
                    full += 1
        except socket.timeout:
            pass
    return full, tc, n - full - tc


def test_rrl(args):
    ck = Checker("rrl")
    ini = "[dns]\nworkers = 1\nrrl_rate = 20\nrrl_slip = 2\n"
    with DataDir(keep=args.keep, extra_ini=ini) as data:
        srv = start_serve_www(args, data, ZONE)
        try:
            time.sleep(1.1)  # a fresh second for the burst's network
            full, tc, silent = burst(srv.dns_port, 200)
            print(f"    limited: {full} full, {tc} truncated, {silent} dropped of 200")
            ck.check(20 <= full <= 40, f"20 full answers a second (two seconds at most): {full}")
            ck.check(60 <= tc <= 100, f"about every 2nd answer over the rate slips: {tc}")
            ck.check(silent >= 60, f"the rest is dropped: {silent}")
            t = dig(srv.dns_port, "www." + ZONE, "A", tcp=True)
            ck.check(t.rcode == "NOERROR" and t.rrs("A"), f"TCP is not limited: {t}")
            time.sleep(1.1)
            full, _, _ = burst(srv.dns_port, 5)
            ck.eq(full, 5, "answers resume the next second")
        finally:
            srv.stop()
    with DataDir(keep=args.keep, extra_ini="[dns]\nworkers = 1\n") as data:
        srv = start_serve_www(args, data, ZONE)
        try:
            full, tc, silent = burst(srv.dns_port, 200)
            print(f"    unlimited: {full} full, {tc} truncated, {silent} dropped of 200")
            ck.eq((full, tc), (200, 0), "without rrl_rate every query is answered")
        finally:
            srv.stop()
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
