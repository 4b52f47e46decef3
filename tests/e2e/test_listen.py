#!/usr/bin/python3
"""DNS listeners (issue 14, dnsd side), through the real binary:
  - `--dns 127.0.0.1:P --dns [::1]:P`: both answer over UDP and TCP, and the log names each
    listener at start; `[dns] listen = 127.0.0.1:Q [::1]:Q` in the ini file does the same;
  - a second `switchboard dns` on the same address exits non-zero at once, saying another
    switchboard serves it (no silent SO_REUSEPORT sharing); the first keeps answering;
  - on wildcard addresses (0.0.0.0 and [::], in a private network namespace so nothing
    listens beyond loopback) a UDP query sent to 127.0.0.2 is answered from 127.0.0.2
    (IP_PKTINFO), and [::1] answers too.

Usage: /usr/bin/python3 test_listen.py --binary PATH/TO/switchboard
"""

import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, Server, free_port  # noqa: E402


class Listening(Server):
    """A `switchboard dns` on the given listen addresses."""

    def __init__(self, binary, data, listen, flags=True):
        super().__init__(binary, "dns", data, dns_port=int(listen[0].rsplit(":", 1)[1]))
        self.listen = listen if flags else []

    def argv(self):
        argv = [self.binary, self.mode, "--data", self.data.path]
        for address in self.listen:
            argv += ["--dns", address]
        return argv


def dig_status(server, port, tcp=False):
    r = subprocess.run(["dig", "@" + server, "-p", str(port), "+tries=1", "+time=2",
                        "+tcp" if tcp else "+notcp", "example.invalid.", "SOA"],
                       capture_output=True, text=True, timeout=10)
    for line in r.stdout.splitlines():
        if "status:" in line:
            return line.split("status:")[1].split(",")[0].strip()
    return None


def test_v4_and_v6(args):
    ck = Checker("127.0.0.1 and ::1")
    port = free_port()
    with DataDir(keep=args.keep) as data:
        srv = Listening(args.binary, data, [f"127.0.0.1:{port}", f"[::1]:{port}"])
        srv.start()
        try:
            for server in ("127.0.0.1", "::1"):
                for tcp in (False, True):
                    ck.eq(dig_status(server, port, tcp), "REFUSED",
                          f"{server} answers over {'TCP' if tcp else 'UDP'}")
            # A second instance on the same address: a clear error, at once.
            with DataDir(keep=args.keep) as data2:
                r = subprocess.run([args.binary, "dns", "--data", data2.path, "--dns",
                                    f"[::1]:{port}"],
                                   capture_output=True, text=True, timeout=20)
                print(f"    second instance: exit {r.returncode}: {r.stderr.strip()[-200:]}")
                ck.check(r.returncode != 0, "the second instance does not start")
                ck.check(f"another switchboard already serves ::1 port {port}" in r.stderr,
                         f"it says why: {r.stderr}")
            ck.eq(dig_status("::1", port), "REFUSED", "the first keeps answering")
            log = srv.output()
            for address in (f"127.0.0.1:{port}", f"[::1]:{port}"):
                ck.check(f"listening address={address}" in log, f"log names {address}: {log}")
        finally:
            srv.stop()
    port = free_port()
    with DataDir(keep=args.keep, extra_ini=f"[dns]\nlisten = 127.0.0.1:{port} [::1]:{port}\n") \
            as data:
        srv = Listening(args.binary, data, [f"127.0.0.1:{port}"], flags=False)
        srv.start()
        try:
            for server in ("127.0.0.1", "::1"):
                ck.eq(dig_status(server, port), "REFUSED", f"[dns] listen: {server} answers")
        finally:
            srv.stop()
    ck.done()


def test_wildcard(args):
    """Runs test_wildcard_inside in a private network namespace (only its loopback)."""
    ck = Checker("wildcard")
    r = subprocess.run(["unshare", "-rn", sys.executable, os.path.abspath(__file__),
                        "--binary", args.binary, "-k", "wildcard_inside"],
                       capture_output=True, text=True, timeout=120)
    print("\n".join("  " + line for line in r.stdout.splitlines()))
    ck.check(r.returncode == 0 and "1 passed, 0 failed" in r.stdout,
             f"inside a network namespace: {r.stdout[-600:]}{r.stderr[-600:]}")
    ck.done()


def test_wildcard_inside(args):
    ck = Checker("wildcard (inside)")
    if os.environ.get("SB_IN_NETNS") != "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        os.environ["SB_IN_NETNS"] = "1"
    port = free_port()
    with DataDir(keep=args.keep) as data:
        srv = Listening(args.binary, data, [f"0.0.0.0:{port}", f"[::]:{port}"])
        srv.start()
        try:
            q = struct.pack(">HHHHHH", 0x4242, 0, 1, 0, 0, 0) + b"\x07invalid\x00\x00\x06\x00\x01"
            for target in ("127.0.0.2", "127.0.0.1"):
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind(("127.0.0.1", 0))
                    s.settimeout(2)
                    s.sendto(q, (target, port))
                    r, source = s.recvfrom(4096)
                    ck.eq(source[0], target, f"the answer to {target} comes from it")
                    ck.eq(r[:2], b"\x42\x42", "it is our answer")
            with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
                s.settimeout(2)
                s.sendto(q, ("::1", port))
                r, source = s.recvfrom(4096)
                ck.eq(source[0], "::1", "[::] answers on ::1 from ::1")
            ck.eq(dig_status("127.0.0.2", port, tcp=True), "REFUSED", "TCP on the wildcard")
        finally:
            srv.stop()
    ck.done()


TESTS = [("v4_and_v6", test_v4_and_v6), ("wildcard", test_wildcard)]

if __name__ == "__main__":
    argv = sys.argv
    if "wildcard_inside" in argv:
        TESTS = [("wildcard_inside", test_wildcard_inside)]
    sys.exit(sbtest.run_tests(TESTS, sbtest.parse_args(__doc__.splitlines()[0])))
