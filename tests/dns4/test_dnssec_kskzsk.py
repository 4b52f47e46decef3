#!/usr/bin/python3
"""A ZSK rollover by pre-publication and a KSK rollover by double-DS in a zone with a KSK and a
ZSK (`[dnssec] keys = ksk-zsk`), on the test clock, validated at every step (issue 16, done-when
2; docs/decisions.md "Key rollovers"). A `keys` value other than csk or ksk-zsk is refused with
a message naming both.

`switchboard dns` serves roll.test (TTL 5) with propagation_delay 0 and parent_ds_ttl 60. Each
step is taken by restarting the server with `[dnssec] clock_offset` moved past the step's wait;
before a step whose wait is the zone's TTL the test also sleeps that TTL, so the caches of the
Unbound kept running age as they would (a resolver's cache runs on the real clock). Checks:
  * before: a KSK (257) and a ZSK (256), both active; the KSK alone signs DNSKEY and CDS, the
    ZSK the rest; `dnssec ds` and CDS name the KSK;
  * `dnssec rollover roll.test zsk`: the new ZSK published (three DNSKEYs), not signing → after
    the DNSKEY TTL it signs (www's RRSIG by it), the old one retiring → after the data's TTL
    the old ZSK gone;
  * `dnssec rollover roll.test ksk`: the new KSK submitted, not published; `dnssec ds` and CDS
    list both DS; the test, as the parent, gives a new Unbound both DS → after the parent's DS
    TTL the new KSK replaces the old one in the DNSKEY RRset and signs it; an Unbound anchored
    at the old DS alone now fails (the double DS was needed) → after the DNSKEY TTL the old key
    is gone and `dnssec ds` and CDS list the new DS only; an Unbound at the new DS alone
    validates;
  * at every step: the Unbound started first (old KSK's DS) until the KSK swap, the one with
    both DS from the KSK rollover on, and a fresh one at the DS of the moment answer AD for a
    positive answer, an NXDOMAIN (a name never asked before) and the DNSKEY RRset;
    ldns-verify-zone passes on the AXFR.
"""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import cleanup, parse_args, report, tempdir  # noqa: E402
from test_dnssec_rollover import Resolvers, Server, tags  # noqa: E402
from test_dnssec_validate import dig  # noqa: E402

ZONE = "roll.test"
TTL = 5
ZONE_FILE = """$ORIGIN roll.test.
$TTL %d
@ SOA ns1 hostmaster 1 3600 600 86400 %d
@ NS ns1
ns1 A 192.0.2.53
www A 192.0.2.80
""" % (TTL, TTL)
INI = ("[dns]\nworkers = 1\nallow_transfer = 127.0.0.1/32\n[dnssec]\nzones = *\n"
       "keys = ksk-zsk\npropagation_delay = 0\nparent_ds_ttl = 60\nclock_offset = %d\n")


def keys(server):
    """{tag: (role, state)} from `dnssec keys`."""
    out = {}
    for line in server.sb("keys", ZONE).splitlines():
        f = line.split()
        if f and f[0] == "key":
            out[int(f[3])] = (f[8], f[9])
    return out


def sig_tags(port, name, rtype):
    """Key tags of the RRSIGs over `rtype` at `name`, asked of the server."""
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+dnssec", "+norec", name, rtype],
                         capture_output=True, text=True).stdout
    return {int(f[10]) for f in (l.split() for l in out.splitlines() if not l.startswith(";"))
            if len(f) > 10 and f[3] == "RRSIG" and f[4] == rtype}


def dnskey_tags(port):
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+norec", "+multiline", ZONE,
                          "DNSKEY"], capture_output=True, text=True).stdout
    return {int(l.split("key id =")[1].split()[0]) for l in out.splitlines() if "key id =" in l}


def main():
    args = parse_args()
    work, ub_dirs = tempdir("dns16k-"), []
    procs, failures = [], []
    server = Server(args.binary, work, INI, ZONE_FILE)
    offset = [0]

    resolvers = Resolvers(server, procs, ub_dirs, failures)
    fresh_unbound, secure = resolvers.fresh, resolvers.secure

    def check(what, got, want):
        if got != want:
            failures.append("%s: %s, expected %s" % (what, got, want))

    def step(seconds, n, predicate, what, sleep=True):
        """The clock moved on by `seconds` (and the real one by the zone's TTL when `sleep`,
        for the resolvers' caches), the server restarted, until `dnssec keys` shows `what`."""
        if sleep:
            time.sleep(TTL + 1)
        offset[0] += seconds
        server.start(offset[0], n)
        deadline = time.time() + 20
        while time.time() < deadline:
            k = keys(server)
            if predicate(k):
                return k
            time.sleep(0.3)
        failures.append("%s not reached in 20 s: %s" % (what, k))
        return k

    def by(k, role, state):
        return {t for t, (r, s) in k.items() if r == role and s == state}

    try:
        procs.append(server)
        bad = os.path.join(work, "bad.ini")
        with open(bad, "w") as f:
            f.write((INI % 0).replace("keys = ksk-zsk", "keys = two"))
        r = subprocess.run([args.binary, "dnssec", "sign", ZONE, "--data", server.data,
                            "--config", bad], capture_output=True, text=True)
        if r.returncode == 0 or "[dnssec] keys: 'two' is not csk" not in r.stderr:
            failures.append("keys = two: exit %d, %s" % (r.returncode, r.stderr))
        server.start(0, 0)
        k = keys(server)
        ksk, zsk = by(k, "KSK", "active"), by(k, "ZSK", "active")
        if len(k) != 2 or len(ksk) != 1 or len(zsk) != 1:
            raise RuntimeError("expected an active KSK and ZSK: %s" % k)
        ds_old = server.sb("ds", ZONE)
        check("step 0: dnssec ds", tags(ds_old, "DS"), ksk)
        check("step 0: CDS", tags(dig(server.port, ZONE, "CDS")[2], "CDS"), ksk)
        check("step 0: DNSKEY signed by", sig_tags(server.port, ZONE, "DNSKEY"), ksk)
        check("step 0: CDS signed by", sig_tags(server.port, ZONE, "CDS"), ksk)
        check("step 0: SOA signed by", sig_tags(server.port, ZONE, "SOA"), zsk)
        check("step 0: www signed by", sig_tags(server.port, "www." + ZONE, "A"), zsk)
        first = fresh_unbound(ds_old)  # the parent holds the KSK's DS; kept to the KSK swap
        secure(first, "0 (KSK + ZSK)")

        # ZSK pre-publication (RFC 7583 §3.2.1).
        server.sb("rollover", ZONE, "zsk")
        zsk2 = by(keys(server), "ZSK", "published")
        check("zsk 1: new ZSKs published", len(zsk2), 1)
        check("zsk 1: DNSKEY RRset", dnskey_tags(server.port), ksk | zsk | zsk2)
        check("zsk 1: www signed by", sig_tags(server.port, "www." + ZONE, "A"), zsk)
        secure(first, "zsk 1 (new ZSK published)")

        k = step(TTL, 1, lambda k: by(k, "ZSK", "active") == zsk2, "the new ZSK active")
        check("zsk 2: old ZSK", by(k, "ZSK", "retiring"), zsk)
        check("zsk 2: www signed by", sig_tags(server.port, "www." + ZONE, "A"), zsk2)
        check("zsk 2: SOA signed by", sig_tags(server.port, ZONE, "SOA"), zsk2)
        check("zsk 2: DNSKEY signed by", sig_tags(server.port, ZONE, "DNSKEY"), ksk)
        check("zsk 2: DNSKEY RRset", dnskey_tags(server.port), ksk | zsk | zsk2)
        secure(first, "zsk 2 (new ZSK signing)")
        secure(fresh_unbound(ds_old), "zsk 2, fresh resolver")

        k = step(TTL, 2, lambda k: len(k) == 2, "the old ZSK removed")
        check("zsk 3: DNSKEY RRset", dnskey_tags(server.port), ksk | zsk2)
        secure(first, "zsk 3 (old ZSK removed)")

        # KSK double-DS (RFC 7583 §3.3.2).
        server.sb("rollover", ZONE, "ksk")
        ksk2 = by(keys(server), "KSK", "submitted")
        check("ksk 1: new KSKs submitted", len(ksk2), 1)
        ds_both = server.sb("ds", ZONE)
        check("ksk 1: dnssec ds", tags(ds_both, "DS"), ksk | ksk2)
        check("ksk 1: CDS", tags(dig(server.port, ZONE, "CDS")[2], "CDS"), ksk | ksk2)
        check("ksk 1: DNSKEY RRset", dnskey_tags(server.port), ksk | zsk2)
        double = fresh_unbound(ds_both)  # the parent now has both DS; kept to the end
        secure(first, "ksk 1 (new DS submitted)")
        secure(double, "ksk 1, double-DS resolver")

        k = step(60, 3, lambda k: by(k, "KSK", "active") == ksk2, "the new KSK active",
                 sleep=False)
        check("ksk 2: old KSK", by(k, "KSK", "removed"), ksk)
        check("ksk 2: DNSKEY RRset", dnskey_tags(server.port), ksk2 | zsk2)
        check("ksk 2: DNSKEY signed by", sig_tags(server.port, ZONE, "DNSKEY"), ksk2)
        check("ksk 2: www signed by", sig_tags(server.port, "www." + ZONE, "A"), zsk2)
        check("ksk 2: dnssec ds", tags(server.sb("ds", ZONE), "DS"), ksk | ksk2)
        check("ksk 2: CDS", tags(dig(server.port, ZONE, "CDS")[2], "CDS"), ksk | ksk2)
        secure(double, "ksk 2 (new KSK signing DNSKEY)")
        secure(fresh_unbound(ds_both), "ksk 2, fresh double-DS resolver")
        only_old = fresh_unbound(ds_old)
        status, flags, _ = dig(only_old.port, "www." + ZONE, "A")
        if status != "SERVFAIL":
            failures.append("ksk 2: a resolver with the old DS alone got %s %s, expected "
                            "SERVFAIL (the new DS must be at the parent first)" % (status, flags))

        k = step(TTL, 4, lambda k: len(k) == 2, "the old KSK gone")
        ds_new = server.sb("ds", ZONE)
        check("ksk 3: dnssec ds", tags(ds_new, "DS"), ksk2)
        check("ksk 3: CDS", tags(dig(server.port, ZONE, "CDS")[2], "CDS"), ksk2)
        check("ksk 3: keys", set(k), ksk2 | zsk2)
        secure(double, "ksk 3 (old DS may go)")
        secure(fresh_unbound(ds_new), "ksk 3, new DS only")
        return report(failures, "ksk-zsk rollovers: 8 steps validated, %d failed")
    finally:
        cleanup(procs, [work] + ub_dirs)


if __name__ == "__main__":
    sys.exit(main())
