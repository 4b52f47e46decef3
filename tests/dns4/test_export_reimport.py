#!/usr/bin/python3
"""Zone export and re-import (issue 4, done-when 4).

Imports tests/dns4/zones into store A with `zone import`, exports every zone with
`zone export`, imports the exported files into a fresh store B, and checks: the exports of A
and B are identical text; two switchboards serving A and B give byte-identical answers (after
the message id) to a battery of queries over every owner and type, wildcard, ENT, NXDOMAIN,
referral and CNAME cases, over UDP and TCP; and `zone export` is what AXFR sends (the same
RRs, SOA first and last, checked with kdig).
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import (ZONES, ZONE_NAMES, cleanup, make_query, parse_args, query,  # noqa: E402
                     run, start_switchboard, tempdir)

TYPES = ["A", "AAAA", "NS", "SOA", "MX", "TXT", "SRV", "NAPTR", "CNAME", "PTR", "LOC", "ANY"]
EXTRA = ["nope.example.com", "b.c.example.com", "foo.wild.example.com", "x.cwild.example.com",
         "host.sub.example.com", "nope.example.net", "www.example.org", "tosub.example.com"]


def export_all(binary, data, outdir):
    texts = {}
    for z in ZONE_NAMES:
        text = run([binary, "zone", "export", z, "--data", data])
        texts[z] = text
        with open(os.path.join(outdir, z + ".zone"), "w") as f:
            f.write(text)
    return texts


def norm(line):
    """One RR line with spaces collapsed; LOC numbers written one way (kdig and ldns differ
    in zero padding: "04" / "4", "23.000" / "23", "0.00m" / "0m")."""
    words = line.split()
    if len(words) > 3 and words[3] == "LOC":
        out = []
        for w in words:
            m = re.match(r"^(-?\d+(?:\.\d+)?)(m?)$", w)
            out.append("%g%s" % (float(m.group(1)), m.group(2)) if m else w)
        words = out
    return " ".join(words)


def axfr_lines(port, zone):
    out = subprocess.run(["kdig", "-p", str(port), "@127.0.0.1", "+tcp", "+nocrypto",
                          "+noall", "+answer", "AXFR", zone],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20)
    return [norm(l) for l in out.stdout.decode().splitlines()
            if l and not l.startswith(";")]


def main():
    binary = parse_args().binary
    work_a, work_b, files = tempdir("dns4-ea-"), tempdir("dns4-eb-"), tempdir("dns4-ef-")
    a = b = None
    failed = passed = 0
    try:
        ini = "[dns]\nworkers = 1\nallow_transfer = 127.0.0.1\n"
        a = start_switchboard(binary, work_a, ini=ini,
                              zone_files=[os.path.join(ZONES, z + ".zone") for z in ZONE_NAMES])
        texts_a = export_all(binary, a.data, files)
        b = start_switchboard(binary, work_b, ini=ini,
                              zone_files=[os.path.join(files, z + ".zone") for z in ZONE_NAMES])
        texts_b = export_all(binary, b.data, files)
        for z in ZONE_NAMES:
            if texts_a[z] != texts_b[z]:
                failed += 1
                print("FAIL export of %s differs after re-import" % z)
            else:
                passed += 1
        owners = sorted({l.split()[0].rstrip(".") for t in texts_a.values()
                         for l in t.splitlines() if l and not l.startswith("$")})
        for name in owners + EXTRA:
            for t in TYPES:
                for tcp in (False, True):
                    msg = make_query(name, t, edns=1232, qid=7)
                    ra, rb = query(a.port, msg, tcp=tcp), query(b.port, msg, tcp=tcp)
                    if ra.raw != rb.raw:
                        failed += 1
                        print("FAIL %s %s %s: answers differ" % (name, t, "tcp" if tcp else "udp"))
                    else:
                        passed += 1
        # AXFR carries exactly the exported RRs, SOA first and last (RFC 5936 §2.2).
        for z in ZONE_NAMES:
            lines = axfr_lines(a.port, z)
            exported = [norm(l) for l in texts_a[z].splitlines()
                        if l and not l.startswith("$")]
            if not lines or lines[0] != lines[-1] or sorted(lines[:-1]) != sorted(exported):
                failed += 1
                print("FAIL AXFR of %s:\n  %s\nexport:\n  %s" % (z, "\n  ".join(lines),
                                                                 "\n  ".join(exported)))
            else:
                passed += 1
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0
    finally:
        cleanup((a, b), (work_a, work_b, files))


if __name__ == "__main__":
    sys.exit(main())
