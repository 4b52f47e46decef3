#!/usr/bin/python3
"""Malformed input (issue 4, done-when 3).

Throws 12,000 random and mutated packets at switchboard's UDP port and 2,000 more (plus
random byte streams, bad lengths and half-sent messages) at its TCP port, opens more idle TCP
connections than [dns] tcp_max_connections allows (the extra ones are closed at once, RFC 7766
§6.2.2), then checks that it is still running and still answers a set of known queries
exactly, over UDP and TCP.
"""

import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import (ZONES, ZONE_NAMES, cleanup, make_query, parse_args, query,  # noqa: E402
                     start_switchboard, tempdir)

SEEDS = [
    make_query("www.example.com", "A"),
    make_query("big.example.com", "TXT", edns=4096),
    make_query("alias2.example.com", "A", edns=1232, do=True),
    make_query("host.sub.example.com", "A", edns=512),
    make_query("x.cwild.example.com", "A"),
    make_query("nope.example.net", "MX", edns=1232),
    make_query("version.bind", "TXT", qclass=3),
    make_query("example.com", "AXFR"),
    make_query("example.com", "IXFR"),
    make_query("example.com", "SOA", opcode=4),
    make_query("www.example.com", "A", qdcount=2, edns=1232),
]


def mutate(rng, seed):
    q = bytearray(seed)
    kind = rng.randrange(6)
    if kind == 0:  # flip bytes
        for _ in range(rng.randrange(1, 6)):
            q[rng.randrange(len(q))] = rng.randrange(256)
    elif kind == 1:  # truncate
        q = q[:rng.randrange(len(q))]
    elif kind == 2:  # extend with junk
        q += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
    elif kind == 3:  # counts
        struct.pack_into("!HHHH", q, 4, *(rng.choice([0, 1, 2, 255, 65535]) for _ in range(4)))
    elif kind == 4:  # compression pointers and bad labels in the question
        pos = rng.randrange(12, max(13, len(q)))
        if pos < len(q):
            q[pos] = rng.choice([0xC0, 0xFF, 0x40, 0x3F, 0x80])
    else:  # random flags/opcode
        struct.pack_into("!H", q, 2, rng.randrange(65536) & 0x7FFF)
    return bytes(q)


def random_packet(rng):
    return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 600)))


def expected_ok(port):
    """Known answers, checked exactly."""
    checks = [
        (make_query("www.example.com", "A"), lambda r: r.rcode == 0 and r.aa and
         sorted(x[4] for x in r.answer) == ["c0000250", "c0000251"]),
        (make_query("nope.example.com", "A", edns=1232), lambda r: r.rcode == 3 and
         r.authority[0][1] == "SOA" and r.opt is not None),
        (make_query("x.cwild.example.com", "A"), lambda r: r.rcode == 0 and
         [x[1] for x in r.answer] == ["CNAME", "A", "A"]),
        (make_query("host.sub.example.com", "A"), lambda r: r.rcode == 0 and not r.aa and
         len(r.authority) == 2),
        (make_query("big.example.com", "TXT"), lambda r: r.tc),
        (make_query("www.example.org", "A"), lambda r: r.rcode == 5),
    ]
    for tcp in (False, True):
        for msg, ok in checks:
            if msg == checks[4][0] and tcp:
                r = query(port, msg, tcp=True)
                if r.tc or len(r.answer) != 40:
                    return "big TXT over TCP: %d RRs, TC=%s" % (len(r.answer), r.tc)
                continue
            r = query(port, msg, tcp=tcp)
            if not ok(r):
                return "unexpected answer over %s: flags %04x answer %r" % (
                    "TCP" if tcp else "UDP", r.flags, r.answer)
    return None


def main():
    args = parse_args()
    rng = random.Random(1234)
    work = tempdir("dns4-fuzz-")
    sb = None
    try:
        sb = start_switchboard(args.binary, work,
                               ini="[dns]\nworkers = 2\nidentity = ns1.test\n"
                                   "tcp_max_connections = 16\n",
                               zone_files=[os.path.join(ZONES, z + ".zone") for z in ZONE_NAMES])
        problem = expected_ok(sb.port)
        if problem:
            print("before fuzzing: " + problem)
            return 1
        sent = 0
        # UDP: fire without waiting; drain whatever comes back so our socket never fills.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setblocking(False)
            for i in range(12000):
                pkt = random_packet(rng) if i % 4 == 0 else mutate(rng, rng.choice(SEEDS))
                try:
                    s.sendto(pkt, ("127.0.0.1", sb.port))
                    sent += 1
                except BlockingIOError:
                    time.sleep(0.001)
                try:
                    while True:
                        s.recv(65535)
                except BlockingIOError:
                    pass
                if i % 500 == 0:
                    time.sleep(0.005)
        udp_sent = sent
        # TCP: length-framed mutants on a few long connections, then raw junk streams.
        tcp_sent = 0
        for conn in range(20):
            try:
                with socket.create_connection(("127.0.0.1", sb.port), timeout=2) as c:
                    c.settimeout(0.5)
                    for _ in range(100):
                        pkt = mutate(rng, rng.choice(SEEDS))
                        c.sendall(struct.pack("!H", len(pkt)) + pkt)
                        tcp_sent += 1
                    try:
                        while c.recv(65535):
                            pass
                    except (socket.timeout, ConnectionResetError):
                        pass
            except (ConnectionResetError, BrokenPipeError):
                pass
        for conn in range(30):
            try:
                with socket.create_connection(("127.0.0.1", sb.port), timeout=2) as c:
                    junk = random_packet(rng)
                    if conn % 3 == 0:
                        junk = struct.pack("!H", 65535) + junk  # longer than what follows
                    elif conn % 3 == 1:
                        junk = struct.pack("!H", 0) + junk  # zero-length message
                    c.sendall(junk)
                    tcp_sent += 1
            except (ConnectionResetError, BrokenPipeError):
                pass
        # More connections than the limit: the extra ones are closed by the server.
        held, closed = [], 0
        for _ in range(40):
            c = socket.create_connection(("127.0.0.1", sb.port), timeout=2)
            held.append(c)
        time.sleep(0.3)
        for c in held:
            c.settimeout(0.05)
            try:
                if c.recv(1) == b"":
                    closed += 1
            except socket.timeout:
                pass
            except ConnectionResetError:
                closed += 1
        for c in held:
            c.close()
        if closed < 40 - 16:
            print("only %d of 40 connections over the limit of 16 were closed" % closed)
            print("0 passed, 1 failed")
            return 1
        time.sleep(0.2)
        if sb.proc.poll() is not None:
            print("switchboard died:\n" + sb.output())
            return 1
        problem = expected_ok(sb.port)
        print("%d UDP and %d TCP malformed messages sent" % (udp_sent, tcp_sent))
        if problem:
            print("after fuzzing: " + problem)
            print("0 passed, 1 failed")
            return 1
        print("1 passed, 0 failed")
        return 0
    finally:
        cleanup((sb,), (work,))


if __name__ == "__main__":
    sys.exit(main())
