#!/usr/bin/python3
"""A key rollover on the test clock, validated at every step (issue 16, done-when 2).

Imports a zone (TTL 60) into `switchboard dns` with `[dnssec] zones = *`, propagation_delay 0
and parent_ds_ttl 60, so that a rollover's waits (RFC 7583: DNSKEY TTL + propagation delay,
then the parent's DS TTL + propagation delay) are a minute each; the server is restarted with
`[dnssec] clock_offset` moved on to take each step (the offsets stay under the signatures'
hour of inception slack, so a resolver on the real clock accepts them). Checks:
  * before: one CSK; Unbound anchored at its DS answers AD (positive, NXDOMAIN);
  * `switchboard dnssec rollover ZONE ksk` (while serving): two DNSKEYs, every RRset signed by
    both, `dnssec ds` gives both DS (the parent's double DS), CDS still the old key; a fresh
    Unbound anchored at the old DS alone and one at the new DS alone both answer AD;
  * after the DNSKEY wait: the new key active, the old one retiring (published, not signing),
    CDS/CDNSKEY name the new key, `dnssec ds` the new DS only; Unbound at the new DS AD;
  * after the DS wait: the old key gone from DNSKEY; Unbound at the new DS AD;
  * an Unbound started at the first step with both DS (double-DS at the parent) and kept
    running answers AD at every step; ldns-verify-zone passes on the AXFR at every step.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import (Proc, cleanup, free_port, parse_args, report, run, tempdir,  # noqa: E402
                     wait_for_dns)  # noqa: E402
from test_dnssec_sign import axfr_verifies, expect, start_unbound  # noqa: E402
from test_dnssec_validate import dig  # noqa: E402

ZONE = "roll.test"
ZONE_FILE = """$ORIGIN roll.test.
$TTL 60
@ SOA ns1 hostmaster 1 3600 600 86400 60
@ NS ns1
ns1 A 192.0.2.53
www A 192.0.2.80
"""
INI = ("[dns]\nworkers = 1\nallow_transfer = 127.0.0.1/32\n[dnssec]\nzones = *\n"
       "propagation_delay = 0\nparent_ds_ttl = 60\nclock_offset = %d\n")


class Server:
    """`switchboard dns` over ZONE (imported from `zone_file`), `ini` its configuration with the
    clock offset as its one %d."""

    def __init__(self, binary, work, ini=INI, zone_file=ZONE_FILE):
        self.binary, self.work, self.ini = binary, work, ini
        self.data = os.path.join(work, "data")
        self.port = free_port()
        self.proc = None
        os.makedirs(self.data)
        path = os.path.join(work, "roll.zone")
        with open(path, "w") as f:
            f.write(zone_file)
        self.configure(0)
        run([binary, "zone", "import", path, "--data", self.data])

    def configure(self, offset):
        with open(os.path.join(self.data, "switchboard.ini"), "w") as f:
            f.write(self.ini % offset)

    def start(self, offset, n):
        self.stop()
        self.configure(offset)
        self.proc = Proc([self.binary, "dns", "--data", self.data, "--dns",
                          "127.0.0.1:%d" % self.port], self.work, "switchboard%d.log" % n)
        wait_for_dns(self.port, name=ZONE, proc=self.proc.proc)

    def stop(self):
        if self.proc is not None:
            self.proc.stop()

    def sb(self, *words):
        return run([self.binary, "dnssec"] + list(words) + ["--data", self.data])


class Resolvers:
    """Validating Unbounds stubbed to `server` for ZONE, each registered for cleanup."""

    def __init__(self, server, procs, dirs, failures):
        self.server, self.procs, self.dirs, self.failures = server, procs, dirs, failures
        self.asked = 0

    def fresh(self, anchors):
        d = tempdir("dns16r-ub-")
        self.dirs.append(d)
        ub = start_unbound(d, self.server.port, anchors, zones=(ZONE,))
        self.procs.append(ub)
        return ub

    def secure(self, ub, step):
        """AD on a positive answer, an NXDOMAIN (a name never asked before) and the DNSKEY
        RRset through `ub`; ldns-verify-zone on the AXFR."""
        before = len(self.failures)
        self.asked += 1
        expect(ub.port, "www." + ZONE, "A", "NOERROR", self.failures)
        expect(ub.port, "nope%d.%s" % (self.asked, ZONE), "A", "NXDOMAIN", self.failures)
        expect(ub.port, ZONE, "DNSKEY", "NOERROR", self.failures)
        axfr_verifies(self.server.port, ZONE, self.server.work, self.failures)
        print("step %s: %d failures" % (step, len(self.failures) - before), flush=True)


def tags(text, rtype):
    """Key tags of the DS/CDS lines, or of the DNSKEYs `dnssec keys` lists."""
    out = set()
    for line in text.splitlines():
        f = line.split()
        for i in (2, 3):  # "zone. IN DS tag ..." (dnssec ds) or "zone. ttl IN CDS tag ..." (dig)
            if not line.startswith(";") and len(f) > i + 1 and f[i] == rtype:
                out.add(int(f[i + 1]))
    return out


def main():
    args = parse_args()
    work, ub_dirs = tempdir("dns16r-"), []
    procs, failures = [], []
    server = Server(args.binary, work)

    resolvers = Resolvers(server, procs, ub_dirs, failures)
    fresh_unbound, secure = resolvers.fresh, resolvers.secure

    def wait_keys(predicate, what):
        deadline = time.time() + 20
        while time.time() < deadline:
            keys = server.sb("keys", ZONE)
            if predicate(keys):
                return keys
            time.sleep(0.3)
        failures.append("%s not reached in 20 s:\n%s" % (what, keys))
        return keys

    try:
        procs.append(server)
        server.start(0, 0)
        ds_old = server.sb("ds", ZONE)
        old = tags(ds_old, "DS")
        secure(fresh_unbound(ds_old), "0 (one key)")

        server.sb("rollover", ZONE, "ksk")
        ds_both = server.sb("ds", ZONE)
        new = tags(ds_both, "DS") - old
        if len(old) != 1 or len(new) != 1:
            failures.append("rollover: DS tags %s, expected the old %s and one new" %
                            (tags(ds_both, "DS"), old))
        cds = tags(dig(server.port, ZONE, "CDS")[2], "CDS")
        if cds != old:
            failures.append("rollover started: CDS %s, expected the old key %s" % (cds, old))
        double = fresh_unbound(ds_both)  # double DS at the parent; kept to the end
        secure(double, "1 (double signature)")
        secure(fresh_unbound(ds_old), "1, old DS only")
        secure(fresh_unbound("".join(l + "\n" for l in ds_both.splitlines()
                                     if int(l.split()[3]) in new)), "1, new DS only")

        server.start(61, 1)  # the DNSKEY TTL has passed: the new key takes over
        wait_keys(lambda k: "retiring" in k, "the old key retiring")
        ds_new = server.sb("ds", ZONE)
        if tags(ds_new, "DS") != new:
            failures.append("after the DNSKEY wait: DS %s, expected %s" % (tags(ds_new, "DS"), new))
        cds = tags(dig(server.port, ZONE, "CDS")[2], "CDS")
        if cds != new:
            failures.append("after the DNSKEY wait: CDS %s, expected the new key %s" % (cds, new))
        secure(fresh_unbound(ds_new), "2 (new key active)")
        secure(double, "2, double-DS resolver")

        server.start(125, 2)  # the parent's DS TTL has passed: the old key goes
        keys = wait_keys(lambda k: k.count("\nkey ") + k.startswith("key ") == 1, "one key left")
        if "retiring" in keys or "incoming" in keys:
            failures.append("after the DS wait: keys\n" + keys)
        dnskeys = [l for l in dig(server.port, ZONE, "DNSKEY")[2].splitlines()
                   if not l.startswith(";") and len(l.split()) > 4 and l.split()[3] == "DNSKEY"]
        if len(dnskeys) != 1:
            failures.append("after the DS wait: DNSKEY RRset %s" % dnskeys)
        secure(fresh_unbound(ds_new), "3 (old key removed)")
        secure(double, "3, double-DS resolver")
        return report(failures, "rollover: 4 steps validated, %d failed")
    finally:
        cleanup(procs, [work] + ub_dirs)


if __name__ == "__main__":
    sys.exit(main())
