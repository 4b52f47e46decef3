#!/usr/bin/python3
"""A validating resolver trusts Switchboard's signed answers (issue 12, done-when 2).

Signs the zones of test_dnssec.py (NSEC, NSEC3, NSEC3 opt-out) and a fourth NSEC zone whose
RRSIG over www A has its signature bytes changed, imports them into Switchboard, and starts
Debian's Unbound on a loopback port with `module-config: "validator iterator"`, a stub zone per
test zone pointing at Switchboard, the zones' DNSKEYs as trust anchors, no root hints, and
`outgoing-interface: 127.0.0.1` (it cannot reach anything but loopback). Asks Unbound with dig:
positive, NODATA, NXDOMAIN, wildcard and wildcard NODATA answers of each signed zone must come
back secure (AD, right rcode); the tampered RRset must be SERVFAIL while an untouched one of
the same zone is still AD. Also checks Unbound logged no query to a non-loopback address.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import Proc, cleanup, free_port, parse_args, start_switchboard, tempdir  # noqa: E402
from test_dnssec import ZONES, sign  # noqa: E402

UNBOUND = "/usr/sbin/unbound"

# (name relative to the zone, type, rcode expected, proven by an NSEC3 covering the next
# closer name: in the opt-out zone that NSEC3 has the Opt-Out bit, and RFC 5155 §9.2 makes
# such an answer insecure — "the validator MUST treat the response as insecure", no AD —
# since an unsigned delegation may hide in the span)
SECURE = [("www", "A", "NOERROR", False), ("@", "DNSKEY", "NOERROR", False),
          ("www", "MX", "NOERROR", False), ("nope", "A", "NXDOMAIN", True),
          ("a.nope", "TXT", "NXDOMAIN", True), ("x.wild", "A", "NOERROR", True),
          ("x.wild", "AAAA", "NOERROR", True), ("a.b.ent", "A", "NOERROR", False),
          ("alias", "A", "NOERROR", False), ("secure", "DS", "NOERROR", False),
          ("insecure", "DS", "NOERROR", False), ("wcname", "A", "NOERROR", True),
          ("x.dname", "TXT", "NOERROR", True)]


def tamper(path, owner):
    """Changes one byte of the signature of the RRSIG covering A at `owner`."""
    lines = open(path).read().splitlines()
    for i, line in enumerate(lines):
        f = line.split()
        if f and f[0] == owner and f[3] == "RRSIG" and f[4] == "A":
            sig = f[-1]
            pos = len(sig) // 2
            f[-1] = sig[:pos] + ("B" if sig[pos] != "B" else "C") + sig[pos + 1:]
            lines[i] = "\t".join(f)
            break
    else:
        raise RuntimeError("no RRSIG A at %s" % owner)
    with open(path, "w") as out:
        out.write("\n".join(lines) + "\n")


def dig(port, name, qtype):
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+dnssec", "+tries=1",
                          "+time=5", name, qtype], capture_output=True, text=True).stdout
    status = flags = None
    for line in out.splitlines():
        if "->>HEADER<<-" in line:
            status = line.split("status:")[1].split(",")[0].strip()
        if line.startswith(";; flags:"):
            flags = line.split(";")[2].replace("flags:", "").split()
    return status, flags or [], out


def main():
    binary = parse_args().binary
    work, sb_dir, ub_dir = tempdir("dns12-val-"), tempdir("dns12-vsb-"), tempdir("dns12-vub-")
    procs = []
    failures = []
    try:
        signed, anchors = [], []
        for zone, flags in ZONES + [("tampered.test", [])]:
            path, keys = sign(work, zone, flags)
            signed.append((zone, path))
            for k in keys:
                anchors.append(open(k + ".key").read().split(";")[0].strip())
        tamper(signed[-1][1], "www.tampered.test.")
        sb = start_switchboard(binary, sb_dir, ini="[dns]\nworkers = 1\n",
                               zone_files=[p for _, p in signed])
        procs.append(sb)
        with open(os.path.join(ub_dir, "anchors"), "w") as f:
            f.write("\n".join(anchors) + "\n")
        port = free_port()
        conf = ["server:",
                "  interface: 127.0.0.1", "  port: %d" % port,
                "  outgoing-interface: 127.0.0.1", "  do-ip6: no",
                "  do-not-query-localhost: no", '  username: ""', '  chroot: ""',
                '  directory: "%s"' % ub_dir, '  pidfile: "%s/unbound.pid"' % ub_dir,
                "  use-syslog: no", '  logfile: ""', "  verbosity: 1", "  num-threads: 1",
                '  module-config: "validator iterator"',
                '  trust-anchor-file: "%s/anchors"' % ub_dir,
                "  qname-minimisation: no", "  aggressive-nsec: no", "  val-log-level: 2",
                '  local-zone: "test." nodefault', "  log-servfail: yes",
                "remote-control:", "  control-enable: no"]
        for zone, _ in signed:
            conf += ["stub-zone:", "  name: %s" % zone, "  stub-addr: 127.0.0.1@%d" % sb.port]
        with open(os.path.join(ub_dir, "unbound.conf"), "w") as f:
            f.write("\n".join(conf) + "\n")
        ub = Proc([UNBOUND, "-d", "-c", os.path.join(ub_dir, "unbound.conf")], ub_dir,
                  "unbound.log")
        procs.append(ub)
        deadline = time.time() + 10
        while dig(port, ZONES[0][0], "SOA")[0] is None:
            if time.time() > deadline or ub.proc.poll() is not None:
                raise RuntimeError("unbound did not start:\n" + ub.output())
            time.sleep(0.2)
        checked = 0
        for zone, _ in signed:
            for rel, qtype, rcode, next_closer in SECURE:
                name = zone if rel == "@" else "%s.%s" % (rel, zone)
                if zone == "tampered.test" and rel in ("www", "alias"):
                    continue  # the tampered RRset, and a CNAME to it
                status, flags, out = dig(port, name, qtype)
                checked += 1
                secure = not (zone == "optout.test" and next_closer)
                if status != rcode or ("ad" in flags) != secure:
                    failures.append("%s %s: %s %s, expected %s %s AD\n%s" %
                                    (name, qtype, status, flags, rcode,
                                     "with" if secure else "without", out))
        status, flags, out = dig(port, "www.tampered.test", "A")
        if status != "SERVFAIL":
            failures.append("tampered www.tampered.test A: %s, expected SERVFAIL\n%s" %
                            (status, out))
        status, flags, out = dig(port, "mail.tampered.test", "A")
        if status != "NOERROR" or "ad" not in flags:
            failures.append("untouched mail.tampered.test A: %s %s, expected AD" % (status, flags))
        log = ub.output()
        for line in log.splitlines():
            if "sendto failed" in line or "error sending" in line:
                failures.append("unbound tried the network: " + line)
        for f in failures:
            print("FAIL " + f)
        print("validating resolver: %d secure answers checked, tampered RRset SERVFAIL, "
              "%d failed" % (checked, len(failures)))
        return 1 if failures else 0
    finally:
        cleanup(procs, (work, sb_dir, ub_dir))


if __name__ == "__main__":
    sys.exit(main())
