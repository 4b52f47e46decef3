#!/usr/bin/python3
"""Differential test, Switchboard against NSD (issue 4, done-when 1).

Starts NSD (Debian's) and `switchboard dns` on loopback with the same three zones
(tests/dns4/zones: example.com with wildcards, CNAME chains, ENTs, delegations with glue and a
child zone; example.net; child.example.com), imported into Switchboard with `zone import`.
Sends a generated battery — every owner × common types, NXDOMAIN, NODATA, ENT, wildcard,
wildcard+CNAME, CNAME chains (in zone, across zones, into a delegation, loops), delegation
and below, out of zone, mixed case, class CH, EDNS sizes 512/1232/4096 with RRsets too big
for 512, EDNS version 1, unknown EDNS options, no EDNS, opcodes NOTIFY/UPDATE/STATUS,
QDCOUNT 0 and 2 — over UDP and TCP, and compares rcode, flags (QR, opcode, AA, TC, RD) and
the answer and authority sections as sets of RRs (additional only warns). Prints
"N passed, M failed"; fails on any mismatch not on the ALLOWED list below, each of which
checks the RFC rule against Switchboard directly instead.
"""

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import (ZONES, ZONE_NAMES, cleanup, make_query, parse_args, query, run,  # noqa: E402
                     start_nsd, start_switchboard, tempdir, wait_for_dns)

FLAG_MASK = 0xFF0F  # QR, opcode, AA, TC, RD, rcode; RA/Z/AD/CD are not ours to compare
COMMON_TYPES = ["A", "AAAA", "NS", "SOA", "MX", "TXT", "SRV", "NAPTR", "CNAME", "PTR", "LOC",
                "CAA", "ANY"]

# Names that are not owners: every kind of negative and synthesised answer.
EXTRA_NAMES = [
    "nope.example.com", "a.nope.example.com", "c.example.com", "b.c.example.com",
    "x.b.c.example.com", "foo.wild.example.com", "a.b.wild.example.com", "wild.example.com",
    "sub.exists.wild.example.com", "ent.wild.example.com", "x.ent.wild.example.com",
    "x.cwild.example.com", "y.x.cwild.example.com", "x.xwild.example.com",
    "x.nwild.example.com", "host.sub.example.com", "a.b.sub.example.com",
    "ns.sub.example.com", "host.bigref.example.com", "www.extref.example.com",
    "nope.child.example.com", "nope.example.net", "example.org", "www.example.org", "com",
    "org", "_tcp.example.com", "_udp.example.com", "x._sip._udp.example.com",
]


def owners_of(binary, data):
    names = set()
    for zone in ZONE_NAMES:
        for line in run([binary, "zone", "export", zone, "--data", data]).splitlines():
            if line and not line.startswith("$"):
                names.add(line.split()[0].rstrip("."))
    return sorted(names)


def mixed_case(name, rng):
    return "".join(c.upper() if rng.random() < 0.5 else c for c in name)


class Case:
    def __init__(self, label, msg, tcp=False, edns=False):
        self.label, self.msg, self.tcp, self.edns = label, msg, tcp, edns


def battery(owners, rng):
    cases = []
    names = owners + EXTRA_NAMES
    for name in names:
        for t in COMMON_TYPES:
            cases.append(Case("%s %s udp edns1232" % (name, t),
                              make_query(name, t, edns=1232), edns=True))
    for name in names:
        for t in ("A", "MX", "TXT", "NS"):
            cases.append(Case("%s %s udp" % (name, t), make_query(name, t)))
            cases.append(Case("%s %s tcp" % (name, t), make_query(name, t), tcp=True))
    for name in names:
        n = mixed_case(name, rng)
        cases.append(Case("%s A mixed case" % n, make_query(n, "A", edns=1232), edns=True))
        cases.append(Case("%s ANY mixed case tcp" % n, make_query(n, "ANY"), tcp=True))
    for name, t in (("big.example.com", "TXT"), ("bigref.example.com", "A"),
                    ("host.bigref.example.com", "AAAA"), ("example.com", "ANY"),
                    ("www.example.com", "A")):
        for size in (None, 512, 1232, 4096):
            for tcp in (False, True):
                cases.append(Case("%s %s edns %s %s" % (name, t, size, "tcp" if tcp else "udp"),
                                  make_query(name, t, edns=size), tcp=tcp, edns=size is not None))
        cases.append(Case("%s %s edns DO" % (name, t), make_query(name, t, edns=4096, do=True),
                          edns=True))
    for tcp in (False, True):
        suffix = " tcp" if tcp else ""
        for edns in (None, 1232):
            e = edns is not None
            tag = (" edns" if e else "") + suffix
            cases.append(Case("EDNS version 1" + tag.replace(" edns", ""),
                              make_query("www.example.com", "A", edns=1232, edns_version=1),
                              tcp=tcp, edns=True)) if e else None
            cases.append(Case("unknown EDNS option" + suffix,
                              make_query("www.example.com", "A", edns=1232,
                                         options=b"\xfd\xe9\x00\x02ab"), tcp=tcp, edns=True)) \
                if e else None
            for opcode, oname in ((4, "NOTIFY"), (5, "UPDATE"), (2, "STATUS")):
                cases.append(Case("opcode %s%s" % (oname, tag),
                                  make_query("example.com", "SOA", opcode=opcode, edns=edns),
                                  tcp=tcp, edns=e))
            for qd in (0, 2):
                cases.append(Case("QDCOUNT %d%s" % (qd, tag),
                                  make_query("www.example.com", "A", qdcount=qd, edns=edns),
                                  tcp=tcp, edns=e))
            for cname, ctype in (("version.bind", "TXT"), ("id.server", "TXT"),
                                 ("hostname.bind", "TXT"), ("version.server", "TXT"),
                                 ("VERSION.Bind", "TXT"), ("version.bind", "A"),
                                 ("foo.bar", "TXT"), ("www.example.com", "A")):
                cases.append(Case("CH %s %s%s" % (cname, ctype, tag),
                                  make_query(cname, ctype, qclass=3, edns=edns), tcp=tcp, edns=e))
            cases.append(Case("class HS%s" % tag,
                              make_query("www.example.com", "A", qclass=4, edns=edns), tcp=tcp,
                              edns=e))
            cases.append(Case("RD set%s" % tag, make_query("www.example.com", "A", rd=True,
                                                           edns=edns), tcp=tcp, edns=e))
    return cases


def rrset_keys(rrs):
    return {(r[0], r[1]) for r in rrs}


def in_bailiwick_glue_present(resp):
    """RFC 9471 §3: all glue for NS names below the cut is in ADDITIONAL (or TC is set)."""
    cut_names = {r[0] for r in resp.authority if r[1] == "NS"}
    needed = set()
    for r in resp.authority:
        if r[1] == "NS":
            target = r[4]
            if any(target.endswith("." + c) for c in cut_names):
                needed.add(target)
    have = {r[0] for r in resp.additional if r[1] in ("A", "AAAA")}
    return needed <= have


def compare(case, ours, theirs):
    """Returns (errors, warnings, allowance or None)."""
    errors, warnings = [], []
    # ALLOWED 1 — RFC 6891 §7: "If an OPT record is present in a received request, compliant
    # responders MUST include an OPT record in their respective responses." NSD leaves it out
    # of some error answers (e.g. NOTIMP, FORMERR); the rule is checked on ours.
    if case.edns and ours.opt is None:
        errors.append("no OPT in the answer to an EDNS query (RFC 6891 §7)")
    if not case.edns and ours.opt is not None:
        errors.append("OPT in the answer to a query without EDNS")
    allowance = None
    if case.edns and theirs.opt is None and ours.opt is not None:
        allowance = "NSD omits OPT (RFC 6891 §7)"
        # without NSD's OPT its extended rcode is unknown: compare the low 4 bits only
        if (ours.rcode & 0xF) != (theirs.rcode & 0xF):
            errors.append("rcode %d vs NSD %d" % (ours.rcode, theirs.rcode))
    elif ours.rcode != theirs.rcode:
        errors.append("rcode %d vs NSD %d" % (ours.rcode, theirs.rcode))

    # ALLOWED 4 — QDCOUNT 0 with an OPT: NSD answers NOERROR (RFC 7873 §5.4 lets a server
    # answer a cookie-only query); RFC 1035 defines no such query and we send FORMERR for any
    # QDCOUNT other than 1. Checked: FORMERR, with OPT.
    if case.label.startswith("QDCOUNT 0") and case.edns and theirs.rcode == 0:
        if ours.rcode == 1 and ours.opt is not None and not ours.answer:
            return [e for e in errors if not e.startswith("rcode")], warnings, \
                "QDCOUNT 0 with OPT: FORMERR, NSD NOERROR (RFC 7873 §5.4)"
    qtype = case.msg[-4 - (11 if case.edns else 0):][:2] if case.msg[5] == 1 else b""
    is_any = qtype == b"\x00\xff"
    # ALLOWED 2 — RFC 8482 §4.2: ANY may be answered with one RRset of the name ("a subset
    # of the available RRsets"); NSD sends them all. Checked: ours is one RRset NSD also has.
    if is_any and ours.rcode == 0 and rrset_keys(ours.answer) != rrset_keys(theirs.answer):
        if len(rrset_keys(ours.answer)) == 1 and set(ours.answer) <= set(theirs.answer):
            return errors, warnings, "ANY answered with one RRset (RFC 8482 §4.2)"
        errors.append("ANY: %r not one RRset of NSD's %r" % (ours.answer, theirs.answer))
        return errors, warnings, None

    # ALLOWED 3 — RFC 9471 §3: a referral whose in-domain glue does not fit MUST set TC; NSD
    # sends it without TC and with glue missing. Checked: ours has all the glue or TC=1.
    referral = not ours.answer and any(r[1] == "NS" for r in ours.authority) and not ours.aa
    if referral and not case.tcp and (ours.flags & FLAG_MASK) != (theirs.flags & FLAG_MASK):
        if ours.tc or in_bailiwick_glue_present(ours):
            if sorted(ours.authority) == sorted(theirs.authority) or ours.tc:
                if os.environ.get("DNS4_DEBUG"):
                    print("referral", case.label, ours.flags, theirs.flags)
                return errors, warnings, "referral glue kept or TC set (RFC 9471 §3)"
        errors.append("referral without its in-domain glue and without TC (RFC 9471)")
        return errors, warnings, None

    if (ours.flags & FLAG_MASK) != (theirs.flags & FLAG_MASK):
        errors.append("flags %04x vs NSD %04x" % (ours.flags & FLAG_MASK,
                                                  theirs.flags & FLAG_MASK))
    if ours.tc and theirs.tc:
        # RFC 2181 §9: a truncated answer is retried over TCP; its content is not compared.
        return errors, warnings, allowance
    if sorted(ours.answer) != sorted(theirs.answer):
        errors.append("answer %r vs NSD %r" % (sorted(ours.answer), sorted(theirs.answer)))
    if sorted(ours.authority) != sorted(theirs.authority):
        errors.append("authority %r vs NSD %r" % (sorted(ours.authority),
                                                  sorted(theirs.authority)))
    if sorted(ours.additional) != sorted(theirs.additional):
        warnings.append("additional %r vs NSD %r" % (sorted(ours.additional),
                                                     sorted(theirs.additional)))
    return errors, warnings, allowance


class Tally:
    """Counts passed and failed cases and the allowed differences, and prints the failures."""

    def __init__(self):
        self.passed = self.failed = 0
        self.allowed = {}

    def record(self, case, errors, allowance):
        if errors:
            self.failed += 1
            print("FAIL %s:\n  %s" % (case.label, "\n  ".join(errors)))
        else:
            self.passed += 1
            if allowance:
                self.allowed[allowance] = self.allowed.get(allowance, 0) + 1

    def check(self, ok, what):
        """Records one yes/no finding described by `what`."""
        self.record(Case(what, None), [] if ok else ["failed"], None)

    def exit_code(self, what, procs=()):
        """Reports (with the tail of each server's log when something failed); 0 or 1."""
        if self.failed:
            for p in procs:
                if p is not None:
                    print(p.output()[-3000:])
        self.report(what)
        return 1 if self.failed else 0

    def report(self, what=""):
        for reason, n in sorted(self.allowed.items()):
            print("allowed difference, %d queries: %s" % (n, reason))
        print("%s%d passed, %d failed" % (what, self.passed, self.failed))


def main():
    args = parse_args("--verbose")
    rng = random.Random(4)
    zone_files = [os.path.join(ZONES, z + ".zone") for z in ZONE_NAMES]
    sb_dir, nsd_dir = tempdir("dns4-sb-"), tempdir("dns4-nsd-")
    sb = nsd = None
    try:
        sb = start_switchboard(args.binary, sb_dir,
                               ini="[dns]\nworkers = 1\nidentity = ns1.test\n"
                                   "version = sb-test\n", zone_files=zone_files)
        nsd = start_nsd(nsd_dir, list(zip(ZONE_NAMES, zone_files)),
                        extra_server='  minimal-responses: yes\n  identity: "ns1.test"\n'
                                     '  version: "sb-test"\n  refuse-any: no')
        wait_for_dns(nsd.port, proc=nsd.proc)
        owners = owners_of(args.binary, sb.data)
        cases = battery(owners, rng)
        tally = Tally()
        warned = 0
        for case in cases:
            try:
                ours = query(sb.port, case.msg, tcp=case.tcp)
            except Exception as e:  # noqa: BLE001 — a missing or unparsable answer is a failure
                tally.record(case, ["switchboard: %s" % e], None)
                continue
            try:
                theirs = query(nsd.port, case.msg, tcp=case.tcp)
            except Exception as e:  # noqa: BLE001
                # NSD drops some malformed queries; then the RFC rules are checked alone.
                theirs = None
                errs = []
                if case.edns and ours.opt is None:
                    errs.append("no OPT")
                tally.record(case, ["%s (NSD: %s)" % (errs, e)] if errs else [],
                             "NSD sent no answer")
                continue
            errors, warnings, allowance = compare(case, ours, theirs)
            tally.record(case, errors, allowance)
            if warnings:
                warned += 1
                if args.verbose:
                    print("warn %s: %s" % (case.label, "; ".join(warnings)))
        print("%d warnings (additional section differs)" % warned)
        tally.report()
        return 1 if tally.failed else 0
    finally:
        cleanup((sb, nsd), (sb_dir, nsd_dir))


if __name__ == "__main__":
    sys.exit(main())
