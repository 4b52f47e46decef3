#!/usr/bin/python3
"""DS at the apex of a child zone Switchboard also serves is the parent's (RFC 4035 §3.1.4.1).

Starts `switchboard serve` signing parent.test and three of its children ([dnssec] zones) and
provisions over SOAP: early.parent.test (signed, created before its parent), parent.test,
signed.parent.test (signed: its DS in the parent is derived), manual.parent.test (signed: its DS
written in the parent over SOAP with DnsPort.addRecord, from `switchboard dnssec ds`) and
unsigned.parent.test (not signed). No NS is written in the parent: a signed parent delegates to
the zones we serve below it. Unbound is anchored ONLY on `switchboard dnssec ds parent.test`
(one stub zone, parent.test, to our port). Checks:
  * AD for answers in each signed child (the chain of trust runs through the DS the parent
    serves at the child's apex), NOERROR without AD (insecure, not SERVFAIL) in the unsigned one;
  * `kdig DS` at a signed child's apex: the parent's DS, RRSIG by parent.test, AA set; at the
    unsigned child's: NODATA with the parent's SOA and the parent's NSEC3;
  * `ldns-verify-zone` passes on the AXFR of the parent (which holds the children's DS and its
    RRSIGs) and of a signed child (which holds no DS).
"""

import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import (ADMIN_PASSWORD, cleanup, free_port, parse_args, run,  # noqa: E402
                     soap_call, start_switchboard, tempdir)
from test_dnssec_sign import start_unbound  # noqa: E402
from test_dnssec_validate import dig  # noqa: E402

PARENT = "parent.test"
EARLY, SIGNED, MANUAL, UNSIGNED = ("%s.%s" % (c, PARENT)
                                   for c in ("early", "signed", "manual", "unsigned"))
NS = "urn:AGProjects:NGNPro:Dns"


def add_zone(port, zone):
    soap_call(port, "addZone", "<zone><name>%s</name><ttl>300</ttl><nameservers><item>ns1.%s"
              "</item></nameservers></zone>" % (zone, PARENT), ns=NS)


def add_record(port, zone, name, rtype, value):
    soap_call(port, "addRecord", "<record><zone>%s</zone><name>%s</name><type>%s</type>"
              "<value>%s</value><ttl>300</ttl></record>" % (zone, name, rtype, value), ns=NS)


def axfr(port, zone, work):
    out = run(["dig", "@127.0.0.1", "-p", str(port), "AXFR", zone, "+nocmd", "+nostats"])
    rrs = [l for l in out.splitlines() if l and not l.startswith(";")]
    path = os.path.join(work, zone + ".axfr")
    with open(path, "w") as f:
        f.write("\n".join(rrs) + "\n")
    return path, [l.split() for l in rrs]


def verify(path, failures):
    r = subprocess.run(["ldns-verify-zone", path], capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("ldns-verify-zone %s: %s%s" % (os.path.basename(path), r.stdout, r.stderr))


def kdig_ds(port, name):
    return run(["kdig", "@127.0.0.1", "-p", str(port), "+dnssec", "+norec", name, "DS"])


def main():
    args = parse_args()
    work, sb_dir, ub_dir = tempdir("dns16pc-w-"), tempdir("dns16pc-sb-"), tempdir("dns16pc-ub-")
    procs, failures = [], []
    try:
        soap_port = free_port()
        ini = ("[admin]\nusername = admin\npassword = %s\n[dns]\nworkers = 1\n"
               "allow_transfer = 127.0.0.1/32\n[dnssec]\nzones = %s %s %s %s\n"
               % (ADMIN_PASSWORD, PARENT, EARLY, SIGNED, MANUAL))
        sb = start_switchboard(args.binary, sb_dir, ini=ini, command="serve",
                               soap_port=soap_port)
        procs.append(sb)
        # A child before its parent, then the parent, then children after it.
        add_zone(soap_port, EARLY)
        add_zone(soap_port, PARENT)
        add_record(soap_port, PARENT, "ns1", "A", "192.0.2.53")
        for zone in (SIGNED, MANUAL, UNSIGNED):
            add_zone(soap_port, zone)
        for zone in (EARLY, SIGNED, MANUAL, UNSIGNED):
            add_record(soap_port, zone, "www", "A", "192.0.2.80")
        # The operator's way: the child's DS written in the parent over SOAP.
        ds = run([args.binary, "dnssec", "ds", MANUAL, "--data", sb.data]).split()
        if len(ds) < 7 or ds[2] != "DS":
            failures.append("dnssec ds %s: %r" % (MANUAL, ds))
        else:
            add_record(soap_port, PARENT, "manual", "DS", " ".join(ds[3:]))

        anchors = run([args.binary, "dnssec", "ds", PARENT, "--data", sb.data])
        ub = start_unbound(ub_dir, sb.port, anchors, zones=(PARENT,))
        procs.append(ub)
        for zone in (EARLY, SIGNED, MANUAL):
            status, flags, out = dig(ub.port, "www." + zone, "A")
            if status != "NOERROR" or "ad" not in flags or "192.0.2.80" not in out:
                failures.append("www.%s A through Unbound: %s %s, expected AD\n%s\n%s" %
                                (zone, status, flags, out, ub.output()[-3000:]))
        status, flags, out = dig(ub.port, "www." + UNSIGNED, "A")
        if status != "NOERROR" or "ad" in flags or "192.0.2.80" not in out:
            failures.append("www.%s A through Unbound: %s %s, expected insecure NOERROR\n%s" %
                            (UNSIGNED, status, flags, out))

        for zone in (EARLY, SIGNED, MANUAL):
            out = kdig_ds(sb.port, zone)
            sigs = [l.split() for l in out.splitlines() if re.search(r"\sRRSIG\s+DS\s", l)]
            if (not re.search(r"flags: qr aa", out, re.I) or not re.search(r"\sIN\s+DS\s", out)
                    or not sigs or sigs[0][11] != PARENT + "."):
                failures.append("kdig DS %s: expected the parent's signed DS with AA\n%s" %
                                (zone, out))
        out = kdig_ds(sb.port, UNSIGNED)
        if (not re.search(r"flags: qr aa", out, re.I) or "NOERROR" not in out
                or not re.search(r"^%s\.\s+\d+\s+IN\s+SOA" % PARENT, out, re.M)
                or not re.search(r"\.%s\.\s+\d+\s+IN\s+NSEC3\s" % PARENT, out)):
            failures.append("kdig DS %s: expected the parent's NODATA and NSEC3\n%s" %
                            (UNSIGNED, out))

        path, rrs = axfr(sb.port, PARENT, work)
        verify(path, failures)
        ds_owners = {r[0] for r in rrs if len(r) > 4 and r[3] == "DS"}
        if ds_owners != {EARLY + ".", SIGNED + ".", MANUAL + "."}:
            failures.append("AXFR %s: DS at %s" % (PARENT, sorted(ds_owners)))
        for zone in (SIGNED, EARLY):
            path, rrs = axfr(sb.port, zone, work)
            verify(path, failures)
            if any(len(r) > 4 and r[3] == "DS" for r in rrs):
                failures.append("AXFR %s holds a DS" % zone)
        for f in failures:
            print("FAIL " + f)
        print("parent and children on one server: 4 children, %d failed" % len(failures))
        return 1 if failures else 0
    finally:
        cleanup(procs, (work, sb_dir, ub_dir))


if __name__ == "__main__":
    start = time.time()
    rc = main()
    print("%.1f s" % (time.time() - start))
    sys.exit(rc)
