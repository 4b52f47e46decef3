#!/usr/bin/python3
"""DNS listeners (issue 14, dnsd side), through the real binary:
  - `--dns 127.0.0.1:P --dns [::1]:P`: both answer over UDP and TCP, and the log names each
    listener at start; `[dns] listen = 127.0.0.1:Q [::1]:Q` in the ini file does the same;
  - a second `switchboard dns` on the same address exits non-zero at once, saying another
    switchboard serves it (no silent SO_REUSEPORT sharing); the first keeps answering;
  - on wildcard addresses (0.0.0.0 and [::], in a private network namespace so nothing
    listens beyond loopback) a UDP query sent to 127.0.0.2 is answered from 127.0.0.2
    (IP_PKTINFO), and [::1] answers too;
  - answers are never fragmented (DF, RFC 9715): with the loopback's MTU at 1280 (again in a
    private network namespace) and `[dns] max_udp_payload = 4096`, a 2 KB answer asked for
    with a 4096-byte EDNS buffer comes over UDP as header and question with TC=1, and whole
    over TCP; a small answer still comes whole over UDP.

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
from sbtest import Checker, DataDir, Server, dig, free_port  # noqa: E402


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


def run_inside(args, name):
    """Runs test NAME_inside in a private network namespace (only its loopback)."""
    ck = Checker(name)
    r = subprocess.run(["unshare", "-rn", sys.executable, os.path.abspath(__file__),
                        "--binary", args.binary, "-k", name + "_inside"],
                       capture_output=True, text=True, timeout=120)
    print("\n".join("  " + line for line in r.stdout.splitlines()))
    ck.check(r.returncode == 0 and "1 passed, 0 failed" in r.stdout,
             f"inside a network namespace: {r.stdout[-600:]}{r.stderr[-600:]}")
    ck.done()


def loopback_up(mtu=None):
    """Inside the namespace: its loopback up, with this MTU if given."""
    if os.environ.get("SB_IN_NETNS") != "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        os.environ["SB_IN_NETNS"] = "1"
    if mtu is not None:
        subprocess.run(["ip", "link", "set", "lo", "mtu", str(mtu)], check=True)


def test_wildcard(args):
    run_inside(args, "wildcard")


def test_wildcard_inside(args):
    ck = Checker("wildcard (inside)")
    loopback_up()
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


def test_no_fragments(args):
    run_inside(args, "no_fragments")


def udp_query(port, name, rtype, bufsize):
    """One UDP query with an EDNS buffer of `bufsize`: (TC flag, ANCOUNT, answer length)."""
    qname = b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"
    opt = b"\0" + struct.pack(">HHIH", 41, bufsize, 0, 0)
    q = struct.pack(">HHHHHH", 0x5151, 0, 1, 0, 0, 1) + qname + struct.pack(">HH", rtype, 1) + opt
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(q, ("127.0.0.1", port))
        r = s.recv(65535)
    return bool(r[2] & 0x02), struct.unpack(">H", r[6:8])[0], len(r)


def test_no_fragments_inside(args):
    ck = Checker("no fragments (inside)")
    loopback_up(mtu=1280)
    with DataDir(keep=args.keep, extra_ini="[dns]\nmax_udp_payload = 4096\n") as data:
        zone_file = os.path.join(data.path, "zone.txt")
        with open(zone_file, "w") as f:
            f.write("$ORIGIN frag.test.\n$TTL 3600\n"
                    "@ SOA ns1 hostmaster 1 7200 3600 1209600 3600\n@ NS ns1\nns1 A 192.0.2.1\n")
            for i in range(10):
                f.write(f'big TXT "{i:02d}{"x" * 198}"\n')
        subprocess.run([args.binary, "zone", "import", zone_file, "--data", data.path],
                       check=True, stdout=subprocess.DEVNULL)
        srv = Server(args.binary, "dns", data, dns_port=free_port())
        with srv.start():
            tc, ancount, size = udp_query(srv.dns_port, "big.frag.test", 16, 4096)
            ck.check(tc and ancount == 0 and size < 100,
                     f"2 KB over a 1280-byte MTU: TC=1, no records ({tc}, {ancount}, {size} bytes)")
            whole = dig(srv.dns_port, "big.frag.test", "TXT", tcp=True)
            ck.check(whole is not None and len(whole.rrs("TXT")) == 10,
                     f"whole over TCP: {whole}")
            tc, ancount, size = udp_query(srv.dns_port, "ns1.frag.test", 1, 4096)
            ck.check(not tc and ancount == 1, f"a small answer whole over UDP ({tc}, {ancount})")
            ck.check(srv.alive(), "the server still runs")
        ck.done()


TESTS = [("v4_and_v6", test_v4_and_v6), ("wildcard", test_wildcard),
         ("no_fragments", test_no_fragments)]

if __name__ == "__main__":
    argv = sys.argv
    for inside, fn in (("wildcard_inside", test_wildcard_inside),
                       ("no_fragments_inside", test_no_fragments_inside)):
        if inside in argv:
            TESTS = [(inside, fn)]
    sys.exit(sbtest.run_tests(TESTS, sbtest.parse_args(__doc__.splitlines()[0])))
