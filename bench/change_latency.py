#!/usr/bin/python3
"""Time from a SOAP change being acknowledged to the new answer over DNS (issue 7b).

Starts `switchboard serve` on loopback with free ports and a fresh data dir (durable commits,
the default), adds one ENUM range, then makes CHANGES changes, alternately addNumber of a new
number and updateNumber of an earlier one (CDRTool-shaped requests, one keep-alive HTTP
connection), each giving the number's sip mapping a new mapto. As soon as the HTTP response
has been read a clock starts, and the number's NAPTR is queried over UDP (hand-built query,
connected socket), again at once after each answer without the new mapto, until one carries
it. Reports median, p99 and max of those times and how many changes needed more than one
query; fails (exit 1) if a change is not answered within 2 s. Target: p99 under 10 ms.
Prints and appends a result block to bench/RESULTS.md. Run on demand, not in `make test`:

    /usr/bin/python3 bench/change_latency.py --binary build/app/switchboard [--changes 1000]
"""

import argparse
import math
import random
import socket
import statistics
import struct
import sys
import time

import soapbench as sb

PREFIX = "3120900"
TIMEOUT = 2.0  # seconds a change gets to appear over DNS
NAPTR = 35


def naptr_query(qid, number):
    """A DNS query (no recursion wanted) for the NAPTR of an E.164 number."""
    labels = list(reversed(number)) + ["e164", "arpa"]
    qname = b"".join(bytes([len(x)]) + x.encode() for x in labels) + b"\0"
    return struct.pack(">6H", qid, 0, 1, 0, 0, 0) + qname + struct.pack(">2H", NAPTR, 1)


def skip_name(msg, off):
    while msg[off] != 0:
        if msg[off] >= 0xC0:  # compression pointer ends the name
            return off + 2
        off += 1 + msg[off]
    return off + 1


def naptr_regexps(msg):
    """The regexp fields of the NAPTR records in a response's answer section."""
    qdcount, ancount = struct.unpack_from(">2H", msg, 4)
    off = 12
    for _ in range(qdcount):
        off = skip_name(msg, off) + 4
    found = []
    for _ in range(ancount):
        off = skip_name(msg, off)
        rtype, _, _, rdlen = struct.unpack_from(">2HIH", msg, off)
        off += 10
        if rtype == NAPTR:
            p = off + 4  # order, preference; then flags, services, regexp (character-strings)
            for _ in range(2):
                p += 1 + msg[p]
            found.append(msg[p + 1:p + 1 + msg[p]].decode())
        off += rdlen
    return found


class Resolver:
    """Queries the server over one connected UDP socket; ignores stale answers."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect(("127.0.0.1", port))
        self.sock.settimeout(0.1)
        self.qid = 0

    def naptr(self, number):
        """The NAPTR regexps of number, or None if no answer came within 100 ms."""
        self.qid = (self.qid + 1) & 0xFFFF
        self.sock.send(naptr_query(self.qid, number))
        try:
            while True:
                msg = self.sock.recv(4096)
                if struct.unpack_from(">H", msg)[0] == self.qid:
                    return naptr_regexps(msg)
        except socket.timeout:
            return None


def wait_for(resolver, number, mapto):
    """(seconds until number's NAPTR carries mapto, queries sent); exits on timeout."""
    want = f"!^.*$!{mapto}!"
    t0 = time.perf_counter()
    queries = 0
    while True:
        queries += 1
        answer = resolver.naptr(number)
        elapsed = time.perf_counter() - t0
        if answer is not None and want in answer:
            return elapsed, queries
        if elapsed > TIMEOUT:
            sys.exit(f"FAIL: {mapto} for {number} not answered over DNS {TIMEOUT} s after the "
                     f"SOAP acknowledgement ({queries} queries; last answer {answer})")


def ms(seconds):
    return f"{seconds * 1000:.2f}"


def p99(values):
    return sorted(values)[math.ceil(0.99 * len(values)) - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--changes", type=int, default=1000)
    ap.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    ap.add_argument("--dnssec", action="store_true",
                    help="every zone signed at write time ([dnssec] zones = *, issue 16)")
    args = ap.parse_args()

    rng = random.Random(7)
    numbers, acks, visible, retried = [], [], [], 0
    with sb.switchboard(args.binary, "serve", dnssec=args.dnssec) as (soap, dns):
        conn = sb.connect(soap)
        sb.post(conn, sb.request(sb.ADD_RANGE, prefix=PREFIX))
        resolver = Resolver(dns)
        for i in range(args.changes):
            mapto = f"sip:change{i}@{sb.SIP_DOMAIN}"
            if i % 2 == 0:
                numbers.append(f"{PREFIX}{len(numbers):04d}")
                number = numbers[-1]
                req = sb.request(sb.ADD_NUMBER, number=number, mapto=mapto)
            else:
                number = rng.choice(numbers)
                req = sb.request(sb.UPDATE_NUMBER, number=number, mapto=mapto)
            t0 = time.perf_counter()
            sb.post(conn, req)
            acks.append(time.perf_counter() - t0)
            elapsed, queries = wait_for(resolver, number, mapto)
            visible.append(elapsed)
            retried += queries > 1
        conn.close()

    n = args.changes
    table = ("| | median (ms) | p99 (ms) | max (ms) |\n|---|---|---|---|\n"
             f"| SOAP request → acknowledgement | {ms(statistics.median(acks))} | "
             f"{ms(p99(acks))} | {ms(max(acks))} |\n"
             f"| acknowledgement → new answer over DNS | {ms(statistics.median(visible))} | "
             f"{ms(p99(visible))} | {ms(max(visible))} |\n\n"
             f"Changes that needed more than one query: {retried} of {n}. "
             f"Target p99 < 10 ms: **{'met' if p99(visible) < 0.010 else 'MISSED'}**.\n")
    sb.record("SOAP change → DNS answer" + (", signed (issue 16)" if args.dnssec else ""),
              f"`switchboard serve` (default DNS workers), durable commits; {n} changes to "
              f"one ENUM range over one keep-alive HTTP connection, alternately "
              f"EnumPort.addNumber of a new number and updateNumber of an earlier one, each "
              f"with a new sip mapto (CDRTool-shaped requests); after each acknowledgement the "
              f"number's NAPTR queried over UDP until the answer carries the new mapto.",
              table, args.no_record)


if __name__ == "__main__":
    main()
