#!/usr/bin/python3
"""Zones Switchboard signs itself validate at a real resolver (issue 16, done-when 1).

Starts `switchboard serve` with `[dnssec] zones = *` and provisions over SOAP a SIP domain's
zone (DnsPort.addZone + addRecord: A, NAPTR, SRV, MX, TXT, a wildcard, a name below an empty
non-terminal, a delegation with glue) and an ENUM range with numbers (EnumPort.addRange +
addNumber). Takes the trust anchors from `switchboard dnssec ds ZONE` and starts Debian's
Unbound on a loopback port (validator iterator, a stub zone per signed zone, no other way
out). Checks, through Unbound:
  * AD on positive, NODATA, NXDOMAIN and wildcard answers of the SIP zone, and on positive,
    NODATA and NXDOMAIN answers of the ENUM zone;
  * a record added over SOAP, a number added over SOAP and a record deleted over SOAP are
    answered securely (AD, with the new data or NXDOMAIN) on the next query;
  * `ldns-verify-zone` passes on the AXFR of both zones, before and after the changes;
  * `switchboard dnssec keys` lists the zone's CSK;
  * a Knot secondary (NOTIFY, then AXFR and IXFR) serves both signed zones: the RRSIGs and the
    new signatures of the changes, at Switchboard's serial;
  * with --nsec (`[dnssec] nsec3 = no`) the same with NSEC chains (the AXFRs hold NSEC and no
    NSEC3), the changes moving their predecessors' next owner names;
  * re-signing: the first run signs on a clock 8 days behind (`[dnssec] clock_offset`), so
    its signatures have less than the 7-day refresh period left on the real clock; after a
    restart on the real clock the background re-signer refreshes every one of them (all
    expirations 13+ days ahead), the serials go up, the AXFRs still verify, and answers stay
    secure.
"""

import calendar
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import (ADMIN_PASSWORD, Proc, cleanup, free_port, soap_call,  # noqa: E402
                     parse_args, run, start_knot_secondary, start_switchboard, tempdir,
                     wait_for_dns)
from test_dnssec_validate import dig  # noqa: E402

UNBOUND = "/usr/sbin/unbound"
DAY = 86400
SIP = "sip.test"
ENUM_PREFIX = "3120"
ENUM = "0.2.1.3.e164.arpa"
NS = {"Dns": "urn:AGProjects:NGNPro:Dns", "Enum": "urn:AGProjects:NGNPro:Enum"}

RECORDS = [("@", "NAPTR", '10 20 "s" "SIP+D2U" "" _sip._udp.sip.test', 10),
           ("_sip._udp", "SRV", "0 5060 proxy.sip.test", 10), ("proxy", "A", "192.0.2.10", 0),
           ("ns1", "A", "192.0.2.53", 0), ("www", "A", "192.0.2.80", 0),
           ("@", "MX", "mail.sip.test", 10), ("mail", "A", "192.0.2.25", 0),
           ("*.wild", "TXT", "wildcard", 0), ("a.b.ent", "TXT", "below an ENT", 0),
           ("gone", "A", "192.0.2.99", 0), ("sub", "NS", "ns.sub.sip.test", 0),
           ("ns.sub", "A", "192.0.2.54", 0)]

# (name, type, rcode) that must come back with AD.
SECURE = [(SIP, "SOA", "NOERROR"), (SIP, "NAPTR", "NOERROR"), ("_sip._udp." + SIP, "SRV", "NOERROR"),
          ("www." + SIP, "A", "NOERROR"), ("www." + SIP, "MX", "NOERROR"),
          ("nope." + SIP, "A", "NXDOMAIN"), ("x.y.nope." + SIP, "TXT", "NXDOMAIN"),
          ("x.wild." + SIP, "TXT", "NOERROR"), ("x.wild." + SIP, "A", "NOERROR"),
          ("b.ent." + SIP, "TXT", "NOERROR"), ("a.b.ent." + SIP, "TXT", "NOERROR"),
          ("sub." + SIP, "DS", "NOERROR"), (SIP, "DNSKEY", "NOERROR"),
          ("4.3.2.1.0.2.1.3.e164.arpa", "NAPTR", "NOERROR"),
          ("4.3.2.1.0.2.1.3.e164.arpa", "A", "NOERROR"),
          ("9.9.9.9.0.2.1.3.e164.arpa", "NAPTR", "NXDOMAIN"), (ENUM, "SOA", "NOERROR")]


def soap(port, service, op, body):
    return soap_call(port, op, body, ns=NS[service])


def add_record(port, name, rtype, value, priority):
    soap(port, "Dns", "addRecord",
         "<record><zone>%s</zone><name>%s</name><type>%s</type><value>%s</value>"
         "<priority>%d</priority><ttl>300</ttl></record>"
         % (SIP, "" if name == "@" else name, rtype,
            value.replace("&", "&amp;").replace('"', "&quot;"), priority))


def add_number(port, number):
    soap(port, "Enum", "addNumber",
         "<number><id><number>%s</number><tld>e164.arpa</tld></id><mappings><item>"
         "<type>sip</type><mapto>sip:%s@sip.test</mapto><ttl>300</ttl><priority>5</priority>"
         "</item></mappings></number>" % (number, number))


DENIAL = {"type": "NSEC3"}  # NSEC with --nsec


def axfr_verifies(port, zone, work, failures):
    out = run(["dig", "@127.0.0.1", "-p", str(port), "AXFR", zone, "+nocmd", "+nostats"])
    path = os.path.join(work, zone + ".axfr")
    with open(path, "w") as f:
        f.write("\n".join(l for l in out.splitlines() if l and not l.startswith(";")) + "\n")
    r = subprocess.run(["ldns-verify-zone", path], capture_output=True, text=True)
    types = {l.split()[3] for l in out.splitlines() if not l.startswith(";") and len(l.split()) > 4}
    other = "NSEC" if DENIAL["type"] == "NSEC3" else "NSEC3"
    if r.returncode != 0 or "RRSIG" not in types or DENIAL["type"] not in types or other in types:
        failures.append("ldns-verify-zone on the AXFR of %s: %s%s" % (zone, r.stdout, r.stderr))


def expirations(port, zone):
    """The RRSIG expirations (unix seconds) and the SOA serial of the zone's AXFR."""
    out = run(["dig", "@127.0.0.1", "-p", str(port), "AXFR", zone, "+nocmd", "+nostats"])
    ends, serial = [], None
    for line in out.splitlines():
        f = line.split()
        if len(f) > 8 and f[3] == "RRSIG":
            ends.append(calendar.timegm(time.strptime(f[8], "%Y%m%d%H%M%S")))
        elif len(f) > 6 and f[3] == "SOA" and serial is None:
            serial = int(f[6])
    return ends, serial




def soa_serial(port, zone):
    out = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "+short", "+time=1",
                          "+tries=1", zone, "SOA"], capture_output=True, text=True).stdout.split()
    return int(out[2]) if len(out) > 2 and out[2].isdigit() else None


def knot_follows(sb_port, knot, names, failures):
    """Knot reaches Switchboard's serial of both zones and serves `names` A/NAPTR signed."""
    deadline = time.time() + 20
    while time.time() < deadline:
        if all(soa_serial(knot.port, z) == soa_serial(sb_port, z) for z in (SIP, ENUM)):
            break
        time.sleep(0.2)
    else:
        failures.append("Knot did not reach the serials %s:\n%s" %
                        ([soa_serial(sb_port, z) for z in (SIP, ENUM)], knot.output()[-2000:]))
        return
    for name, qtype in names:
        out = run(["dig", "@127.0.0.1", "-p", str(knot.port), "+dnssec", "+norec", name, qtype])
        if "RRSIG\t%s" % qtype not in out.replace(" ", "\t") or "status: NOERROR" not in out:
            failures.append("Knot secondary: %s %s not served signed:\n%s" % (name, qtype, out))


def expect(port, name, qtype, rcode, failures, contains=None):
    status, flags, out = dig(port, name, qtype)
    if status != rcode or "ad" not in flags or (contains and contains not in out):
        failures.append("%s %s: %s %s, expected %s with AD%s\n%s" %
                        (name, qtype, status, flags, rcode,
                         " and " + contains if contains else "", out))


def start_unbound(ub_dir, sb_port, anchors, zones=(SIP, ENUM)):
    """Unbound validating on a free loopback port, `anchors` (DS lines) its trust anchors and a
    stub zone per zone pointing at Switchboard."""
    with open(os.path.join(ub_dir, "anchors"), "w") as f:
        f.write(anchors)
    port = free_port()
    conf = ["server:", "  interface: 127.0.0.1", "  port: %d" % port,
            "  outgoing-interface: 127.0.0.1", "  do-ip6: no", "  do-not-query-localhost: no",
            '  username: ""', '  chroot: ""', '  directory: "%s"' % ub_dir,
            '  pidfile: "%s/unbound.pid"' % ub_dir, "  use-syslog: no", '  logfile: ""',
            "  verbosity: 1", "  num-threads: 1", '  module-config: "validator iterator"',
            '  trust-anchor-file: "%s/anchors"' % ub_dir, "  qname-minimisation: no",
            "  aggressive-nsec: no", "  val-log-level: 2", '  local-zone: "test." nodefault',
            '  local-zone: "arpa." nodefault', "  log-servfail: yes",
            "remote-control:", "  control-enable: no"]
    for zone in zones:
        conf += ["stub-zone:", "  name: %s" % zone, "  stub-addr: 127.0.0.1@%d" % sb_port]
    with open(os.path.join(ub_dir, "unbound.conf"), "w") as f:
        f.write("\n".join(conf) + "\n")
    ub = Proc([UNBOUND, "-d", "-c", os.path.join(ub_dir, "unbound.conf")], ub_dir, "unbound.log")
    ub.port = port
    deadline = time.time() + 10
    while dig(port, zones[0], "SOA")[0] is None:
        if time.time() > deadline or ub.proc.poll() is not None:
            raise RuntimeError("unbound did not start:\n" + ub.output())
        time.sleep(0.2)
    return ub


def main():
    args = parse_args("--nsec")
    DENIAL["type"] = "NSEC" if args.nsec else "NSEC3"
    work, sb_dir, ub_dir = tempdir("dns16-w-"), tempdir("dns16-sb-"), tempdir("dns16-ub-")
    kn_dir = tempdir("dns16-kn-")
    procs, failures = [], []
    try:
        soap_port, knot_port = free_port(), free_port()
        ini = ("[admin]\nusername = admin\npassword = %s\n[dns]\nworkers = 1\n"
               "allow_transfer = 127.0.0.1/32\nnameservers = ns1.sip.test\n"
               "notify = 127.0.0.1:%d\n[dnssec]\nzones = *\nclock_offset = %d\nnsec3 = %s\n"
               % (ADMIN_PASSWORD, knot_port, -8 * DAY, "no" if args.nsec else "yes"))
        sb = start_switchboard(args.binary, sb_dir, ini=ini, command="serve",
                               soap_port=soap_port)
        procs.append(sb)
        sb_port = sb.port
        soap(soap_port, "Dns", "addZone",
             "<zone><name>%s</name><ttl>300</ttl><nameservers><item>ns1.%s</item>"
             "</nameservers></zone>" % (SIP, SIP))
        for name, rtype, value, priority in RECORDS:
            add_record(soap_port, name, rtype, value, priority)
        soap(soap_port, "Enum", "addRange",
             "<range><id><prefix>%s</prefix><tld>e164.arpa</tld></id><ttl>300</ttl>"
             "</range>" % ENUM_PREFIX)
        for number in ("31201234", "31205555"):
            add_number(soap_port, number)

        keys = run([args.binary, "dnssec", "keys", SIP, "--data", sb.data])
        if "257 3 13" not in keys or "flags 257 CSK active" not in keys:
            failures.append("dnssec keys: no ECDSA CSK listed:\n" + keys)
        anchors = ""
        for zone in (SIP, ENUM):
            ds = run([args.binary, "dnssec", "ds", zone, "--data", sb.data])
            if " IN DS " not in ds:
                failures.append("dnssec ds %s printed no DS: %r" % (zone, ds))
            anchors += ds
            axfr_verifies(sb.port, zone, work, failures)
        ub = start_unbound(ub_dir, sb.port, anchors)
        procs.append(ub)
        knot = start_knot_secondary(kn_dir, sb_port, knot_port, (SIP, ENUM))
        procs.append(knot)
        knot_follows(sb_port, knot, [("www." + SIP, "A"), ("4.3.2.1." + ENUM, "NAPTR")],
                     failures)
        for name, qtype, rcode in SECURE:
            expect(ub.port, name, qtype, rcode, failures)

        # Changes over SOAP are signed in their own transaction: secure on the next query.
        add_record(soap_port, "new", "A", "192.0.2.77", 0)
        expect(ub.port, "new." + SIP, "A", "NOERROR", failures, contains="192.0.2.77")
        add_record(soap_port, "x.y.deep", "TXT", "two new empty non-terminals", 0)
        expect(ub.port, "x.y.deep." + SIP, "TXT", "NOERROR", failures)
        expect(ub.port, "y.deep." + SIP, "TXT", "NOERROR", failures)
        add_number(soap_port, "31207777")
        expect(ub.port, "7.7.7.7.0.2.1.3.e164.arpa", "NAPTR", "NOERROR", failures,
               contains="sip:31207777@sip.test")
        listed = soap(soap_port, "Dns", "getRecords",
                      "<query><filter><zone>%s</zone><name>gone.%s</name></filter></query>"
                      % (SIP, SIP))
        record_id = re.search(r"<id[^>]*>(\d+)</id>", listed).group(1)
        soap(soap_port, "Dns", "deleteRecord", "<recordId>%s</recordId>" % record_id)
        expect(ub.port, "gone." + SIP, "A", "NXDOMAIN", failures)
        for zone in (SIP, ENUM):
            axfr_verifies(sb.port, zone, work, failures)
        knot_follows(sb_port, knot, [("new." + SIP, "A"), ("7.7.7.7." + ENUM, "NAPTR")],
                     failures)
        if "IXFR, incoming" not in knot.output():
            failures.append("Knot took no IXFR of the signed changes:\n" + knot.output()[-2000:])

        # Re-signing: the same store on the real clock.
        before = {zone: expirations(sb.port, zone) for zone in (SIP, ENUM)}
        for zone, (ends, _) in before.items():
            if not ends or max(ends) > time.time() + 7 * DAY:
                failures.append("%s: signatures of the offset clock expected, got %s" %
                                (zone, sorted(set(ends))[-3:]))
        sb.stop()
        data = sb.data
        ini_path = os.path.join(data, "switchboard.ini")
        text = open(ini_path).read().replace("clock_offset = %d" % (-8 * DAY), "clock_offset = 0")
        with open(ini_path, "w") as f:
            f.write(text)
        sb = Proc([args.binary, "serve", "--data", data, "--dns", "127.0.0.1:%d" % sb_port,
                   "--soap", "127.0.0.1:%d" % soap_port], sb_dir, "switchboard2.log")
        procs.append(sb)
        wait_for_dns(sb_port, name=SIP, proc=sb.proc)
        deadline = time.time() + 20
        while True:
            try:
                after = {zone: expirations(sb_port, zone) for zone in (SIP, ENUM)}
            except RuntimeError:
                after = {}
            if after and all(e and min(e) > time.time() + 13 * DAY for e, _ in after.values()):
                break
            if time.time() > deadline:
                failures.append("signatures not refreshed within 20 s: %s" %
                                {z: sorted(set(e))[:2] for z, (e, _) in after.items()})
                break
            time.sleep(0.3)
        for zone in after:
            if after[zone][1] is None or before[zone][1] >= after[zone][1]:
                failures.append("%s: serial %s after re-signing, was %s" %
                                (zone, after[zone][1], before[zone][1]))
            axfr_verifies(sb_port, zone, work, failures)
        expect(ub.port, "www." + SIP, "TXT", "NOERROR", failures)
        expect(ub.port, "5.5.5.5.0.2.1.3.e164.arpa", "NAPTR", "NOERROR", failures)
        for f in failures:
            print("FAIL " + f)
        print("signed zones (%s): %d secure answers through Unbound, 5 changes, re-signed after "
              "a restart, %d failed" % (DENIAL["type"], len(SECURE) + 7, len(failures)))
        return 1 if failures else 0
    finally:
        cleanup(procs, (work, sb_dir, ub_dir, kn_dir))


if __name__ == "__main__":
    sys.exit(main())
