#!/usr/bin/python3
"""A catalog member (or a [secondary] zones entry) this server holds as a primary zone is never
taken over (issue 15; docs/decisions.md "Switchboard as a secondary").

A Switchboard primary serves a catalog with own.example, conf.example and m1.example, and
NOTIFYs the secondary. The secondary first provisions own.example and conf.example over SOAP
with other data, then restarts with `[secondary] catalog =` the primary's catalog and
`zones = conf.example`. Checks:
- m1.example is transferred as before; own.example and conf.example keep answering the local
  data after the catalog's transfer;
- each conflict is logged once at the warning level, naming the zone and the catalog (or
  [secondary] zones), and counted in switchboard_dns_secondary_conflicts (promtool accepts the
  metrics); the zones kept as a secondary (switchboard_dns_secondary_zones) do not count them;
- a change to own.example on the primary (NOTIFY sent) is not applied: the NOTIFY is REFUSED
  (switchboard_dns_notify_in_total{result="refused"}), the local data is still answered, while
  a change to m1.example still arrives;
- own.example stays a primary zone on the secondary: a SOAP addRecord to it works; addZone of
  m1.example (held as a secondary) is fault 7005, and `switchboard zone import` of m1.example
  is refused naming the primary; neither changes what is served;
- own.example and m1.example deleted on the primary (gone from the catalog): m1.example is
  dropped, own.example is left alone and still answered; conf.example (configured) still
  counts as a conflict.
"""

import http.client
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_nsd_diff import Tally  # noqa: E402
from dns4lib import (answers, cleanup, free_port, metric, parse_args, soap_call,  # noqa: E402
                     start_switchboard, tempdir, wait_until, xfr_in)
from test_sb_secondary import ADD_RECORD, ADD_ZONE, DELETE_ZONE, soap_fault  # noqa: E402

CATALOG = "catalog.primary.invalid"
HEAD = "[admin]\nusername = admin\npassword = dns4-secret\n[metrics]\nlisten = 127.0.0.1:%d\n"


def start(binary, workdir, ini, ports, name):
    p = start_switchboard(binary, workdir, ini=ini, command="serve",
                          soap_port=ports[name + "s"], port=ports[name])
    p.soap_port, p.metrics_port = ports[name + "s"], ports[name + "m"]
    return p


def conflict_lines(proc, zone):
    return [line for line in proc.output().splitlines()
            if "held here as a primary zone: not transferred" in line and zone in line]


def main():
    args = parse_args()
    tally = Tally()
    check = tally.check
    pdir, sdir = tempdir("dns4-ccp-"), tempdir("dns4-ccs-")
    ports = {k: free_port() for k in ("p", "ps", "pm", "s", "ss", "sm")}
    primary = secondary = None
    try:
        primary = start(args.binary, pdir,
                        HEAD % ports["pm"] + "[dns]\nworkers = 1\nnotify = 127.0.0.1:%d\n"
                        "allow_transfer = 127.0.0.1/32\n[catalog]\nzone = %s\n"
                        % (ports["s"], CATALOG), ports, "p")
        for zone, addr in (("own.example", "192.0.2.1"), ("conf.example", "192.0.2.2"),
                           ("m1.example", "192.0.2.3")):
            soap_call(primary.soap_port, "addZone", ADD_ZONE % zone)
            soap_call(primary.soap_port, "addRecord", ADD_RECORD % ("www", zone, addr))
        # The secondary's own zones, provisioned before it consumes the catalog.
        secondary = start(args.binary, sdir, HEAD % ports["sm"] + "[dns]\nworkers = 1\n", ports,
                          "s")
        for zone, addr in (("own.example", "203.0.113.1"), ("conf.example", "203.0.113.2")):
            soap_call(secondary.soap_port, "addZone", ADD_ZONE % zone)
            soap_call(secondary.soap_port, "addRecord", ADD_RECORD % ("www", zone, addr))
        s, p = secondary.port, primary.port
        local = {z: answers(s, "www." + z) for z in ("own.example", "conf.example")}
        local_soa = answers(s, "own.example", "SOA")
        check(local["own.example"] != answers(p, "www.own.example"),
              "the secondary's own.example differs from the primary's")
        secondary.stop()
        secondary = start(args.binary, sdir, "[secondary]\nprimaries = 127.0.0.1:%d\n"
                          "zones = conf.example\ncatalog = %s\n" % (p, CATALOG), ports, "s")

        t = wait_until(lambda: answers(s, "www.m1.example") == answers(p, "www.m1.example"), 10)
        check(t is not None, "m1.example, a member not held here, is transferred")
        check(all(answers(s, "www." + z) == local[z] for z in local),
              "own.example and conf.example answer the local data after the catalog's transfer")
        check(answers(s, "own.example", "SOA") == local_soa, "own.example keeps its local SOA")
        t = wait_until(lambda: metric(secondary.metrics_port,
                                      "switchboard_dns_secondary_conflicts") == 2, 5)
        check(t is not None, "switchboard_dns_secondary_conflicts counts both (%d)"
              % metric(secondary.metrics_port, "switchboard_dns_secondary_conflicts"))
        c = http.client.HTTPConnection("127.0.0.1", secondary.metrics_port, timeout=5)
        c.request("GET", "/metrics")
        lint = subprocess.run(["promtool", "check", "metrics"], input=c.getresponse().read(),
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        c.close()
        check(lint.returncode == 0, "promtool accepts the metrics: %r" % lint.stdout[:300])
        check(metric(secondary.metrics_port, "switchboard_dns_secondary_zones") == 2,
              "switchboard_dns_secondary_zones counts the catalog and m1.example only (%d)"
              % metric(secondary.metrics_port, "switchboard_dns_secondary_zones"))
        own, conf = conflict_lines(secondary, "own.example"), conflict_lines(secondary,
                                                                            "conf.example")
        check(len(own) == 1 and CATALOG in own[0] and "warning" in own[0].lower(),
              "the own.example conflict is logged once, at the warning level, naming the "
              "catalog: %r" % own)
        check(len(conf) == 1 and "[secondary] zones" in conf[0],
              "the conf.example conflict is logged once, naming [secondary] zones: %r" % conf)

        # A change on the primary NOTIFYs the secondary: refused for own.example, applied for
        # m1.example.
        refused0 = metric(secondary.metrics_port, 'switchboard_dns_notify_in_total{result="refused"}')
        soap_call(primary.soap_port, "addRecord", ADD_RECORD % ("new", "own.example",
                                                                "192.0.2.10"))
        t = wait_until(lambda: metric(secondary.metrics_port,
                                      'switchboard_dns_notify_in_total{result="refused"}') >
                       refused0, 5)
        check(t is not None, "the primary's NOTIFY for own.example is REFUSED by the secondary")
        soap_call(primary.soap_port, "addRecord", ADD_RECORD % ("new", "m1.example",
                                                                "192.0.2.11"))
        t = wait_until(lambda: answers(s, "new.m1.example") == answers(p, "new.m1.example"), 10)
        check(t is not None, "a change to m1.example still arrives")
        check(answers(s, "new.own.example")[0] == 3 and
              answers(s, "www.own.example") == local["own.example"] and
              answers(s, "own.example", "SOA") == local_soa,
              "after the NOTIFY own.example still answers the local data (%r)"
              % (answers(s, "new.own.example"),))

        # own.example is still provisioned here; m1.example is the primary's.
        soap_call(secondary.soap_port, "addRecord", ADD_RECORD % ("mine", "own.example",
                                                                  "203.0.113.9"))
        check(answers(s, "mine.own.example")[2] == ["cb007109"],
              "a SOAP addRecord to own.example on the secondary works")
        code, _ = soap_fault(secondary.soap_port, "addZone", ADD_ZONE % "m1.example")
        check(code == 7005, "addZone of m1.example (held as a secondary) is fault 7005 (%r)"
              % code)
        zone_file = os.path.join(sdir, "m1.zone")
        with open(zone_file, "w") as f:
            f.write("$ORIGIN m1.example.\n@ 300 IN SOA ns1.example.net. h.m1.example. 2099010100 60 60 "
                    "600 60\n@ 300 IN NS ns1.example.net.\nwww 300 IN A 198.51.100.1\n")
        r = subprocess.run([args.binary, "zone", "import", zone_file, "--data", secondary.data],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
        out = r.stdout.decode(errors="replace")
        check(r.returncode != 0 and "held as a secondary of 127.0.0.1:%d" % p in out,
              "zone import of m1.example (held as a secondary) is refused: %r" % out)
        check(answers(s, "www.m1.example") == answers(p, "www.m1.example"),
              "m1.example is unchanged by the refused addZone and import")

        # Removed from the catalog: m1.example is dropped, own.example left alone.
        for zone in ("own.example", "m1.example"):
            soap_call(primary.soap_port, "deleteZone", DELETE_ZONE % zone)
        t = wait_until(lambda: (answers(s, "m1.example", "SOA") or (0,))[0] == 5, 10)
        check(t is not None, "m1.example, gone from the catalog, is dropped (REFUSED)")
        check(answers(s, "www.own.example") == local["own.example"] and
              answers(s, "mine.own.example")[2] == ["cb007109"],
              "own.example, gone from the catalog, is still answered with the local data")
        check("zone dropped" not in "\n".join(
            line for line in secondary.output().splitlines() if "own.example" in line),
            "no drop is logged for own.example")
        check(metric(secondary.metrics_port, "switchboard_dns_secondary_conflicts") == 1,
              "only conf.example, still configured, is counted as a conflict (%d)"
              % metric(secondary.metrics_port, "switchboard_dns_secondary_conflicts"))
        check(xfr_in(secondary.metrics_port, "failed") == 0, "no transfer failed")
        return tally.exit_code("catalog member held as a primary zone: ", (secondary, primary))
    finally:
        cleanup((secondary, primary), (sdir, pdir))


if __name__ == "__main__":
    sys.exit(main())
