#!/usr/bin/python3
"""Pipelined TCP queries through the real binary (RFC 7766 §6.2.1.1, §7; docs/decisions.md
"TCP reads and writes in batches"):
  - 100 queries sent in one write on one connection are all answered, in order, each answer
    whole (its length prefix, its id);
  - the server reads them with a few calls and writes the answers with a few (strace -f on the
    server, the calls on that connection: at most 10 of each), not two reads and one write per
    query;
  - a query split across two writes, 100 ms apart, with whole queries before and after it in the
    same writes, is answered after its second part, in order;
  - a message of length 0 ends the connection (after the answers to the queries before it).

Usage: /usr/bin/python3 test_tcp_batch.py --binary PATH/TO/switchboard
"""

import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, start_serve_www  # noqa: E402
from test_cookies import parse, query  # noqa: E402

ZONE = "tcp.example"
QUERIES = 100
SOCKET_CALLS = ("recvmsg", "recvfrom", "readv", "read", "sendmsg", "sendto", "writev", "write")


def framed(qid):
    q = query(qid, "www." + ZONE)
    return struct.pack(">H", len(q)) + q


def read_answers(s, n):
    """n length-prefixed messages from s: [(id, rcode, ancount)]; fewer if it closes."""
    buf, out = b"", []
    while len(out) < n:
        while len(buf) >= 2 and len(buf) >= 2 + struct.unpack(">H", buf[:2])[0]:
            length = struct.unpack(">H", buf[:2])[0]
            qid, rcode, _, an, _ = parse(buf[2:2 + length])
            out.append((qid, rcode, an))
            buf = buf[2 + length:]
            if len(out) == n:
                return out
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:  # closed with the client's bytes unread
            break
        if not chunk:
            break
        buf += chunk
    return out


def test_pipelined(args):
    ck = Checker("pipelined TCP queries: read and answered in batches")
    if shutil.which("strace") is None:
        ck.check(False, "strace is not installed (scripts/install-deps.sh installs it)")
        ck.done()
        return
    with DataDir(keep=args.keep, extra_ini="[dns]\nworkers = 1\n") as data:
        srv = start_serve_www(args, data, ZONE)
        try:
            trace = os.path.join(data.path, "strace.txt")
            # -yy names each call's socket: the calls counted are those on this connection.
            tracer = subprocess.Popen(["strace", "-qq", "-f", "-yy", "-p", str(srv.proc.pid), "-o",
                                       trace, "-e", "trace=" + ",".join(SOCKET_CALLS)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(1.0)  # attached
            with socket.create_connection(("127.0.0.1", srv.dns_port), timeout=5) as s:
                client = f"127.0.0.1:{s.getsockname()[1]}]"
                s.sendall(b"".join(framed(i) for i in range(QUERIES)))
                answers = read_answers(s, QUERIES)
            time.sleep(0.2)  # the server's last calls traced
            tracer.send_signal(signal.SIGINT)
            tracer.wait(10)
            calls = {}
            with open(trace) as f:
                for line in f:
                    name = line.split("(", 1)[0].split()[-1] if "(" in line else ""
                    if name in SOCKET_CALLS and client in line:
                        calls[name] = calls.get(name, 0) + 1
            print(f"    {len(answers)} answers; the server's socket calls: {calls}", flush=True)
            ck.eq([a[0] for a in answers], list(range(QUERIES)), "every query answered, in order")
            ck.check(all(rcode == 0 and an == 1 for _, rcode, an in answers),
                     "each answer whole: NOERROR with the A record")
            reads = sum(calls.get(c, 0) for c in ("recvmsg", "recvfrom", "readv", "read"))
            writes = sum(calls.get(c, 0) for c in ("sendmsg", "sendto", "writev", "write"))
            ck.check(1 <= reads <= 10, f"{QUERIES} queries read with at most 10 calls: {reads}")
            ck.check(1 <= writes <= 10, f"{QUERIES} answers written with at most 10 calls: {writes}")

            # A query split across two writes, whole ones around it.
            with socket.create_connection(("127.0.0.1", srv.dns_port), timeout=5) as s:
                split = framed(2)
                s.sendall(framed(1) + split[:7])
                first = read_answers(s, 1)
                time.sleep(0.1)
                s.sendall(split[7:] + framed(3))
                rest = read_answers(s, 2)
            ck.eq([a[0] for a in first + rest], [1, 2, 3],
                  "a query split across two writes answered after its second part, in order")

            # A zero length ends the connection, after the answer before it.
            with socket.create_connection(("127.0.0.1", srv.dns_port), timeout=5) as s:
                s.sendall(framed(7) + b"\0\0" + framed(8))
                got = read_answers(s, 2)
            ck.eq([a[0] for a in got], [7], "length 0: the answer before it, then the end")
        finally:
            srv.stop()
        ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
