#!/usr/bin/python3
"""A transfer that hangs does not hold up the secondary's other zones (issue 15).

A small primary written here answers AXFR over TCP for b-fast.example, and holds the AXFR of
a-slow.example unanswered until the test releases it. The Switchboard secondary keeps both
(`[secondary] zones`, a-slow first in its order). Checks: b-fast.example is served while the
a-slow.example transfer is still held open (zones are refreshed by several threads); released,
a-slow.example is served too.
"""

import os
import socket
import struct
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_nsd_diff import Tally  # noqa: E402
from dns4lib import (answers, cleanup, encode_name, free_port, parse_args,  # noqa: E402
                     start_switchboard, tempdir, wait_until)


def axfr_answer(query, zone):
    """The whole zone (SOA, NS, A, SOA) in one message answering `query`."""
    qid = query[:2]
    question = query[12:]
    soa = (encode_name("ns1." + zone) + encode_name("h." + zone) +
           struct.pack("!IIIII", 5, 60, 60, 600, 60))
    rrs = b""
    for rtype, rdata in ((6, soa), (2, encode_name("ns1.example.net")),
                         (1, bytes([192, 0, 2, 77])), (6, soa)):
        owner = encode_name(zone) if rtype != 1 else encode_name("www." + zone)
        rrs += owner + struct.pack("!HHIH", rtype, 1, 300, len(rdata)) + rdata
    msg = qid + struct.pack("!HHHHH", 0x8400, 1, 4, 0, 0) + question + rrs
    return struct.pack("!H", len(msg)) + msg


class Primary:
    """AXFR over TCP: b-fast.example at once, a-slow.example once `release` is set."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.release, self.holding, self.stopped = (threading.Event(), threading.Event(),
                                                    threading.Event())
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        with conn:
            try:
                conn.settimeout(30)
                length = struct.unpack("!H", conn.recv(2))[0]
                query = b""
                while len(query) < length:
                    query += conn.recv(length - len(query))
                slow = b"\x06a-slow" in query
                if slow:
                    self.holding.set()
                    self.release.wait(30)
                    self.holding.clear()
                zone = "a-slow.example" if slow else "b-fast.example"
                conn.sendall(axfr_answer(query, zone))
                conn.recv(1)  # until the secondary closes
            except (OSError, struct.error):
                pass

    def stop(self):
        self.stopped.set()
        self.release.set()
        self.sock.close()


def main():
    args = parse_args()
    tally = Tally()
    check = tally.check
    sdir = tempdir("dns4-spar-")
    primary = Primary()
    secondary = None
    try:
        secondary = start_switchboard(args.binary, sdir, ini="[dns]\nworkers = 1\n[secondary]\n"
                                      "primaries = 127.0.0.1:%d\n"
                                      "zones = a-slow.example b-fast.example\n" % primary.port)
        s = secondary.port
        t = wait_until(lambda: primary.holding.is_set() and
                       answers(s, "www.b-fast.example") == (0, True, ["c000024d"]), 8)
        check(t is not None and primary.holding.is_set(),
              "b-fast.example is served while the a-slow.example transfer is held (%r)"
              % (answers(s, "www.b-fast.example"),))
        check((answers(s, "www.a-slow.example") or (0,))[0] == 5,
              "a-slow.example is not served while its transfer is held")
        primary.release.set()
        t = wait_until(lambda: answers(s, "www.a-slow.example") == (0, True, ["c000024d"]), 10)
        check(t is not None, "released, a-slow.example is served too")
        return tally.exit_code("secondary refreshes in parallel: ", (secondary,))
    finally:
        primary.stop()
        cleanup((secondary,), (sdir,))


if __name__ == "__main__":
    sys.exit(main())
