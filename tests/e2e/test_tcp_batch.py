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
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import (Checker, DataDir, count_calls, start_serve_www,  # noqa: E402
                    strace_during, strace_missing, tcp_read_message)
from test_cookies import parse, query  # noqa: E402

ZONE = "tcp.example"
QUERIES = 100
SOCKET_CALLS = ("recvmsg", "recvfrom", "readv", "read", "sendmsg", "sendto", "writev", "write")


def framed(qid):
    q = query(qid, "www." + ZONE)
    return struct.pack(">H", len(q)) + q


def read_answers(s, n):
    """Up to n DNS messages from s, fewer if it closes: [(id, rcode, ancount)]."""
    out = []
    try:
        while len(out) < n:
            qid, rcode, _, an, _ = parse(tcp_read_message(s))
            out.append((qid, rcode, an))
    except ConnectionError:  # closed (reset, when our bytes were left unread)
        pass
    return out


def test_pipelined(args):
    ck = Checker("pipelined TCP queries: read and answered in batches")
    if strace_missing(ck):
        ck.done()
        return
    with DataDir(keep=args.keep, extra_ini="[dns]\nworkers = 1\n") as data:
        srv = start_serve_www(args, data, ZONE)
        try:
            def pipelined():
                with socket.create_connection(("127.0.0.1", srv.dns_port), timeout=5) as s:
                    s.sendall(b"".join(framed(i) for i in range(QUERIES)))
                    answers = read_answers(s, QUERIES)
                    client = f"127.0.0.1:{s.getsockname()[1]}]"
                time.sleep(0.2)  # the server's last calls traced
                return answers, client

            # -yy names each call's socket: the calls counted are those on this connection.
            (answers, client), lines = strace_during(
                srv.proc.pid, SOCKET_CALLS, os.path.join(data.path, "strace.txt"), pipelined,
                "-f", "-yy")
            calls = count_calls(lines, SOCKET_CALLS, within=client)
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
