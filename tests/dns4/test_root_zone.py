#!/usr/bin/python3
"""A root zone, as RFC 8806 servers load it (issue 12, done-when 3).

Generates a root zone at test time: 1,500 TLD delegations (two NS each, in-bailiwick glue
A/AAAA for most, out-of-bailiwick name servers for the rest), 1,200 of them with DS. Imports it
into Switchboard with `zone import` (the root's empty name key used to fail with
MDB_BAD_VALSIZE), serves the same file from NSD, and compares (test_nsd_diff.compare) the
answers for the apex (SOA, NS, ANY, a type it lacks), 300 sampled TLDs (NS, DS — answered by
the root itself, RFC 4035 §3.1.4.1 —, A, names below the cut, DS below the cut) and names that
do not exist, over UDP and TCP, with and without EDNS/DO. Checks the serial is the file's and
that `zone export .` re-imports to the same text.
"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import (cleanup, make_query, parse_args, query, run, start_nsd,  # noqa: E402
                     start_switchboard, tempdir, wait_for_dns)
from test_nsd_diff import Case, Tally, compare  # noqa: E402

TLDS = 1500
SERIAL = 2030010101


def root_zone(rng):
    lines = [". 86400 IN SOA a.root-servers.tld0000. nstld.example. %d 1800 900 604800 86400"
             % SERIAL,
             ". 518400 IN NS a.root-servers.tld0000.",
             ". 518400 IN NS b.root-servers.tld0000."]
    for i in range(TLDS):
        tld = "tld%04d" % i
        if i % 10 == 9:
            ns = ["ns1.tld%04d." % ((i + 1) % TLDS), "ns2.tld%04d." % ((i + 2) % TLDS)]
        else:
            ns = ["ns1.%s." % tld, "ns2.%s." % tld]
        for n in ns:
            lines.append("%s. 172800 IN NS %s" % (tld, n))
        if i % 10 != 9:
            lines.append("ns1.%s. 172800 IN A 192.0.%d.%d" % (tld, i // 250, i % 250 + 1))
            lines.append("ns1.%s. 172800 IN AAAA 2001:db8:%x::1" % (tld, i))
            lines.append("ns2.%s. 172800 IN A 198.51.%d.%d" % (tld, i // 250, i % 250 + 1))
        if i % 5 != 4:
            digest = "%064x" % rng.getrandbits(256)
            lines.append("%s. 86400 IN DS %d 8 2 %s" % (tld, 10000 + i, digest))
    lines.append("a.root-servers.tld0000. 518400 IN A 198.41.0.4")
    lines.append("b.root-servers.tld0000. 518400 IN A 199.9.14.201")
    return "\n".join(lines) + "\n"


def battery(rng):
    names = [(".", t) for t in ("SOA", "NS", "ANY", "A", "DS")]
    for i in rng.sample(range(TLDS), 300):
        tld = "tld%04d" % i
        names += [(tld, "NS"), (tld, "DS"), (tld, "A"), ("www." + tld, "A"),
                  ("ns1." + tld, "A"), ("sub." + tld, "DS")]
    names += [("nope%d" % i, "A") for i in range(20)] + [("TLD0001", "ds")]
    cases = []
    for name, t in names:
        qtype = t.upper()
        for tcp in (False, True):
            proto = "tcp" if tcp else "udp"
            cases.append(Case("%s %s %s" % (name, qtype, proto), make_query(name, qtype),
                              tcp=tcp))
            cases.append(Case("%s %s %s edns DO" % (name, qtype, proto),
                              make_query(name, qtype, edns=1232, do=True), tcp=tcp, edns=True))
    return cases


def main():
    binary = parse_args().binary
    rng = random.Random(12)
    work, sb_dir, nsd_dir = tempdir("dns12-root-"), tempdir("dns12-rsb-"), tempdir("dns12-rnsd-")
    procs = []
    try:
        zone_file = os.path.join(work, "root.zone")
        with open(zone_file, "w") as f:
            f.write(root_zone(rng))
        sb = start_switchboard(binary, sb_dir, ini="[dns]\nworkers = 1\n",
                               zone_files=[zone_file])
        procs.append(sb)
        nsd = start_nsd(nsd_dir, [(".", zone_file)],
                        extra_server="  minimal-responses: yes\n  refuse-any: no\n"
                                     "  rrl-ratelimit: 0")
        procs.append(nsd)
        wait_for_dns(nsd.port, name=".", proc=nsd.proc)
        tally = Tally()
        soa = query(sb.port, make_query(".", "SOA"))
        serial = int(soa.answer[0][4].split()[2][:8], 16) if soa.answer else None
        if serial != SERIAL:
            tally.record("serial", ["serial %r, not the file's %d" % (serial, SERIAL)],
                         None)
        for case in battery(rng):
            ours = query(sb.port, case.msg, tcp=case.tcp)
            theirs = query(nsd.port, case.msg, tcp=case.tcp)
            errors, _, allowance = compare(case, ours, theirs)
            tally.record(case.label, errors, allowance)
        exported = run([binary, "zone", "export", ".", "--data", sb.data])
        again_dir = os.path.join(work, "again")
        again_file = os.path.join(work, "exported.zone")
        with open(again_file, "w") as f:
            f.write(exported)
        run([binary, "zone", "import", again_file, "--data", again_dir])
        if run([binary, "zone", "export", ".", "--data", again_dir]) != exported:
            tally.record("export", ["export -> import -> export differs"], None)
        tally.report("root zone, NSD differential: ")
        return 1 if tally.failed else 0
    finally:
        cleanup(procs, (work, sb_dir, nsd_dir))


if __name__ == "__main__":
    sys.exit(main())
