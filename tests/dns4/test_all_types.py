#!/usr/bin/python3
"""Every RR type through Switchboard, against NSD (issue 12, done-when 1).

tests/dns4/zones/types.test.zone holds 70 distinct types (every type ldns parses but A6, NXT,
NULL and SINK, which ldns cannot read in presentation form; three RFC 3597 unknown types), an
explicit TTL 0 and a duplicate RR. Switchboard imports it with `zone import`; NSD loads the
same RRs, with the types it has no parser for written by `ldns-read-zone -u` in RFC 3597 form
(the same wire data). For every owner: its own types, A, the unknown types, CNAME and ANY,
over UDP and TCP, without EDNS and with EDNS with DO clear and set, compared section by
section with test_nsd_diff.compare (its ALLOWED list applies; names inside rdata compare
case-insensitively, RFC 4343 §3, as NSD lowercases them). NSD's response rate limiting is
off (its slip answers would differ). Then the zone is exported,
re-imported into a second store, and a second Switchboard must give byte-identical answers
(after the id) to the whole battery; `dig axfr` output of the zone imports as is, to the same
zone.
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import (ZONES, cleanup, encode_name, make_query, parse_args, query,  # noqa: E402
                     run, start_nsd, start_switchboard, tempdir, wait_for_dns)
from test_nsd_diff import Case, Tally, compare  # noqa: E402

ZONE = "types.test"
ZONE_FILE = os.path.join(ZONES, ZONE + ".zone")
NSD_UNKNOWN = ["GPOS", "EID", "NIMLOC", "ATMA", "HIP", "TALINK"]
# Names below the DNAMEs (RFC 6672 substitution): out of the zone, into it, NXDOMAIN there.
BELOW_DNAME = ["x.dname." + "types.test", "x.y.dname.types.test", "a.dn2.types.test",
               "b.dn2.types.test", "A.Dn2.types.test"]
EXTRA_TYPES = ["A", "CNAME", "DS", "ANY", 65400, 65401, 65402, 1234]


def read_zone(*flags):
    out = subprocess.run(["ldns-read-zone"] + list(flags) + [ZONE_FILE], check=True,
                         stdout=subprocess.PIPE)
    return [line.split() for line in out.stdout.decode().splitlines() if line.strip()]


def zone_rrs():
    """(owner, type mnemonic, type number) of every RR, as ldns reads the file: the numbers
    from the same file printed with every type in RFC 3597 form (same order)."""
    named = read_zone()
    unknown_flags = []
    for t in sorted({f[3] for f in named if not f[3].startswith("TYPE")}):
        unknown_flags += ["-u", t]
    numbered = read_zone(*unknown_flags)
    assert len(named) == len(numbered)
    return [(a[0].rstrip("."), a[3], int(b[3][4:]) if b[3].startswith("TYPE") else b[3])
            for a, b in zip(named, numbered)]


def battery():
    rrs = zone_rrs()
    types_at = {}
    for owner, name, number in rrs:
        types_at.setdefault(owner, set()).add((name, number))
    assert len({t for _, t, _ in rrs}) >= 40, "the zone must hold at least 40 types"
    cases = []
    for owner in sorted(types_at) + ["nope." + ZONE] + BELOW_DNAME:
        qtypes = dict(sorted(types_at.get(owner, set()), key=str))
        for t in EXTRA_TYPES:
            qtypes.setdefault(t if isinstance(t, str) else "TYPE%d" % t, t)
        for t, q in qtypes.items():
            for tcp in (False, True):
                proto = "tcp" if tcp else "udp"
                cases.append(Case("%s %s %s" % (owner, t, proto), make_query(owner, q), tcp=tcp))
                for do in (False, True):
                    cases.append(Case("%s %s %s edns%s" % (owner, t, proto, " DO" if do else ""),
                                      make_query(owner, q, edns=1232, do=do), tcp=tcp,
                                      edns=True))
    return cases


def nsd_text(ldns_text):
    """NSD has no NSAP-PTR, and ldns (1.8.3) would write its rdata as a character-string in
    RFC 3597 form: write the domain name RFC 1348 puts there instead."""
    out = []
    for line in ldns_text.splitlines():
        f = line.split()
        if len(f) == 5 and f[3] == "NSAP-PTR":
            wire = encode_name(f[4].strip('"'))
            line = "%s %s IN TYPE23 \\# %d %s" % (f[0], f[1], len(wire), wire.hex())
        out.append(line)
    return "\n".join(out) + "\n"


def any_subset(case, ours, nsd_port):
    """ALLOWED — RFC 8482 §4.2: ANY may be answered with any one RRset of the name. NSD leaves
    an RRset with empty rdata (TYPE65401 \\# 0) out of its ANY answer. Checked: ours is one
    RRset, and NSD answers a query for that type with exactly it."""
    types = {r[1] for r in ours.answer}
    if len(types) != 1:
        return ["ANY: %r is not one RRset" % ours.answer], None
    t = types.pop()
    name = case.label.split()[0]
    msg = make_query(name, int(t) if t.isdigit() else t)
    theirs = query(nsd_port, msg, tcp=True)
    if sorted(theirs.answer) != sorted(ours.answer):
        return ["ANY: %r is not NSD's %s RRset %r" % (ours.answer, t, theirs.answer)], None
    return [], "ANY answered with an RRset NSD leaves out of ANY (RFC 8482 §4.2)"


def edge_cases(sb_port, nsd_port, tally):
    """Wire edge cases (issue 12): unknown opcodes compared with NSD; an EDNS option whose
    length runs past the OPT RDATA is FORMERR with an OPT (RFC 6891 §6.1.2); a query signed
    with a key we do not know gets NOTAUTH and a TSIG RR with BADKEY, as dig and kdig see it
    (RFC 8945 §5.2.1)."""
    for opcode in (3, 6, 15):
        for edns in (None, 1232):
            case = Case("opcode %d edns %s" % (opcode, edns),
                        make_query("a." + ZONE, "A", opcode=opcode, edns=edns),
                        edns=edns is not None)
            errors, _, allowance = compare(case, query(sb_port, case.msg),
                                           query(nsd_port, case.msg))
            tally.record(case.label, errors, allowance)
    case = Case("EDNS option past the OPT RDATA", make_query(
        "a." + ZONE, "A", edns=1232, options=b"\x00\x0a\x00\x08ab"), edns=True)
    ours = query(sb_port, case.msg)
    tally.record(case.label, [] if ours.rcode == 1 and ours.opt is not None and not ours.answer
                 else ["rcode %d, OPT %r: not FORMERR with OPT" % (ours.rcode, ours.opt)], None)
    for client in (["dig", "+norec"], ["kdig"]):
        out = subprocess.run(client + ["-p", str(sb_port), "@127.0.0.1", "-y",
                                       "hmac-sha256:nokey.:c2VjcmV0c2VjcmV0", "a." + ZONE, "A"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout.decode()
        case = Case("%s with an unknown TSIG key" % client[0], b"")
        ok = ("NOTAUTH" in out or "BADKEY; id" in out) and re.search(r"TSIG\s.*BADKEY", out)
        tally.record(case.label, [] if ok else ["no NOTAUTH/BADKEY:\n" + out], None)


def main():
    binary = parse_args().binary
    sb_dir, nsd_dir, sb2_dir = tempdir("dns12-sb-"), tempdir("dns12-nsd-"), tempdir("dns12-sb2-")
    procs = []
    try:
        sb = start_switchboard(binary, sb_dir, ini="[dns]\nworkers = 1\n"
                               "allow_transfer = 127.0.0.1/32\n", zone_files=[ZONE_FILE])
        procs.append(sb)
        nsd_zone = os.path.join(nsd_dir, ZONE + ".zone")
        argv = ["ldns-read-zone"]
        for t in NSD_UNKNOWN:
            argv += ["-u", t]
        with open(nsd_zone, "w") as f:
            f.write(nsd_text(run(argv + [ZONE_FILE])))
        nsd = start_nsd(nsd_dir, [(ZONE, nsd_zone)],
                        extra_server="  minimal-responses: yes\n  refuse-any: no\n"
                                     "  rrl-ratelimit: 0")
        procs.append(nsd)
        wait_for_dns(nsd.port, name=ZONE, proc=nsd.proc)
        cases = battery()
        tally = Tally()
        answers = []
        for case in cases:
            ours = query(sb.port, case.msg, tcp=case.tcp)
            answers.append(ours.raw)
            theirs = query(nsd.port, case.msg, tcp=case.tcp)
            errors, _, allowance = compare(case, ours, theirs)
            if errors and errors[0].startswith("ANY:"):
                errors, allowance = any_subset(case, ours, nsd.port)
            tally.record(case.label, errors, allowance)
        edge_cases(sb.port, nsd.port, tally)
        tally.report("NSD differential: ")
        failed = tally.failed

        # Export → re-import → the same answers, byte for byte.
        exported = run([binary, "zone", "export", ZONE, "--data", sb.data])
        export_file = os.path.join(sb2_dir, "exported.zone")
        with open(export_file, "w") as f:
            f.write(exported)
        sb2 = start_switchboard(binary, sb2_dir, ini="[dns]\nworkers = 1\n",
                                zone_files=[export_file])
        procs.append(sb2)
        again = run([binary, "zone", "export", ZONE, "--data", sb2.data])
        if again != exported:
            failed += 1
            print("FAIL: the re-imported zone exports differently")
        # `dig axfr` output (comments, the SOA again at the end) imports as is: same zone.
        axfr_file = os.path.join(sb2_dir, "axfr.zone")
        with open(axfr_file, "w") as f:
            f.write(run(["dig", "-p", str(sb.port), "@127.0.0.1", ZONE, "AXFR"]))
        axfr_data = os.path.join(sb2_dir, "axfr-data")
        run([binary, "zone", "import", axfr_file, "--data", axfr_data])
        if run([binary, "zone", "export", ZONE, "--data", axfr_data]) != exported:
            failed += 1
            print("FAIL: dig axfr output re-imports differently")
        differ = 0
        for case, raw in zip(cases, answers):
            theirs = query(sb2.port, case.msg, tcp=case.tcp).raw
            if theirs[2:] != raw[2:]:
                differ += 1
                print("FAIL re-imported %s: answers differ" % case.label)
        failed += differ
        print("export -> re-import: %d of %d answers identical" % (len(cases) - differ,
                                                                  len(cases)))
        return 1 if failed else 0
    finally:
        cleanup(procs, (sb_dir, nsd_dir, sb2_dir))


if __name__ == "__main__":
    sys.exit(main())
