#!/usr/bin/python3
"""Crash safety: SIGKILL during a stream of SOAP writes loses nothing acknowledged and shows
nothing half-applied.

Each cycle starts `switchboard serve` on the same data dir, streams DnsPort.addRecord and
deleteRecord calls from a writer thread, kills the server with SIGKILL after a random delay
(while a call is in flight, usually), restarts it and checks:
  * every acknowledged addRecord is there, through getRecords and through DNS;
  * every acknowledged deleteRecord is gone, through both;
  * the one call in flight at the kill is either wholly applied or not at all;
  * nothing half-applied: for every name the test ever wrote, the A RRset DNS answers equals
    the values getRecords lists (a record row without its DNS data, or the reverse, fails);
  * the zone serial never goes down across restarts.

`make test` runs a short series (--cycles, default 12); the long run is
`/usr/bin/python3 tests/e2e/test_crash.py --binary build/app/switchboard --cycles 200`.
"""

import argparse
import http.client
import os
import random
import re
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, Server, free_port  # noqa: E402

ZONE = "crash.example"
ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns4="urn:AGProjects:NGNPro" xmlns:ns5="urn:AGProjects:NGNPro:Dns">
<SOAP-ENV:Header><auth><username>{user}</username><password>{password}</password></auth></SOAP-ENV:Header>
<SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>"""


class Soap:
    def __init__(self, port, user, password):
        self.port, self.user, self.password = port, user, password
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call(self, body):
        data = ENVELOPE.format(user=self.user, password=self.password, body=body).encode()
        self.conn.request("POST", "/ngnpro/", data, {"Content-Type": "text/xml; charset=UTF-8",
                                                     "SOAPAction": '""'})
        text = self.conn.getresponse().read().decode()
        if "<SOAP-ENV:Fault>" in text:
            raise RuntimeError(text)
        return text


def add_record(soap, name, value):
    soap.call(f"<ns5:addRecord><record><zone>{ZONE}</zone><name>{name}</name><type>A</type>"
              f"<ttl>60</ttl><value>{value}</value></record></ns5:addRecord>")


def records(soap, name=""):
    text = soap.call(f"<ns5:getRecords><query><filter><zone>{ZONE}</zone><name>{name}</name>"
                     f"</filter></query></ns5:getRecords>")
    out = {}
    for item in re.findall(r"<item[^>]*>(.*?)</item>", text, re.S):
        rid = int(re.search(r"<id[^>]*>(\d+)</id>", item).group(1))
        name = re.search(r"<name[^>]*>([^<]*)</name>", item).group(1)
        value = re.search(r"<value[^>]*>([^<]*)</value>", item).group(1)
        out[rid] = (name, value)
    return out


def serial(soap):
    text = soap.call(f"<ns5:getZone><zone>{ZONE}</zone></ns5:getZone>")
    return int(re.search(r"<serial[^>]*>(\d+)</serial>", text).group(1))


def dns_a(port, name):
    """The A rdatas DNS answers for name (a minimal UDP client: no EDNS, no compression in
    the question; answers use compression pointers, handled)."""
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 1, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(2)
        s.sendto(q, ("127.0.0.1", port))
        r, _ = s.recvfrom(4096)
    _, flags, qd, an, _, _ = struct.unpack(">HHHHHH", r[:12])
    pos = 12
    for _ in range(qd):
        while r[pos] != 0:
            pos += 1 + r[pos]
        pos += 5
    values = set()
    for _ in range(an):
        if r[pos] & 0xC0 == 0xC0:
            pos += 2
        else:
            while r[pos] != 0:
                pos += 1 + r[pos]
            pos += 1
        rtype, _, _, rdlen = struct.unpack(">HHIH", r[pos:pos + 10])
        pos += 10
        if rtype == 1:
            values.add(".".join(str(b) for b in r[pos:pos + 4]))
        pos += rdlen
    return flags & 0xF, values


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--cycles", type=int, default=12)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"seed {seed}, {args.cycles} kill/restart cycles")
    ck = Checker("crash_safety")

    with DataDir() as data:
        srv = Server(args.binary, "serve", data, dns_port=free_port(), soap_port=free_port())
        srv.start()
        soap = Soap(srv.soap_port, data.username, data.password)
        soap.call(f"<ns5:addZone><zone><name>{ZONE}</name><nameservers><item>ns1.{ZONE}</item>"
                  f"</nameservers></zone></ns5:addZone>")
        acked_add = {}        # name -> value, acknowledged and not deleted since
        acked_deleted = set()  # names whose delete was acknowledged
        written = set()       # every name ever attempted
        last_serial = serial(soap)
        applied_total = 0
        for cycle in range(args.cycles):
            in_flight = {}
            stop = threading.Event()

            def writer():
                w = Soap(srv.soap_port, data.username, data.password)
                i = 0
                try:
                    while not stop.is_set():
                        i += 1
                        if acked_add and rng.random() < 0.25:
                            name = rng.choice(sorted(acked_add))
                            rid = next(iter(records(w, f"{name}.{ZONE}")), None)
                            if rid is None:
                                continue
                            in_flight.clear()
                            in_flight.update(op="delete", name=name)
                            w.call(f"<ns5:deleteRecord><recordId>{rid}</recordId>"
                                   f"</ns5:deleteRecord>")
                            del acked_add[name]
                            acked_deleted.add(name)
                        else:
                            name = f"r{cycle}-{i}"
                            value = f"10.{cycle % 250}.{i // 250 % 250}.{i % 250 + 1}"
                            written.add(name)
                            in_flight.clear()
                            in_flight.update(op="add", name=name, value=value)
                            add_record(w, name, value)
                            acked_add[name] = value
                        in_flight.clear()
                except (OSError, http.client.HTTPException, RuntimeError):
                    pass  # the server died under us: what was in flight is in in_flight

            t = threading.Thread(target=writer)
            t.start()
            time.sleep(rng.uniform(0.05, 0.4))
            srv.kill9()
            stop.set()
            t.join()
            srv = Server(args.binary, "serve", data, dns_port=free_port(),
                         soap_port=free_port())
            srv.start()
            soap = Soap(srv.soap_port, data.username, data.password)

            rows = records(soap)
            by_name = {}
            for name, value in rows.values():
                by_name.setdefault(name[:-len(ZONE) - 1], set()).add(value)
            flight = dict(in_flight)
            for name, value in acked_add.items():
                if flight.get("op") == "delete" and flight["name"] == name:
                    continue  # deleted or not: the delete was in flight at the kill
                ck.check(by_name.get(name) == {value},
                         f"cycle {cycle}: acknowledged add {name}={value} lost: "
                         f"{by_name.get(name)}")
            for name in acked_deleted:
                ck.check(name not in by_name, f"cycle {cycle}: acknowledged delete of {name} "
                                              f"undone")
            if flight.get("op") == "add" and flight["name"] in by_name:
                acked_add[flight["name"]] = flight["value"]  # applied before the kill
            if flight.get("op") == "delete" and flight["name"] not in by_name:
                acked_add.pop(flight["name"], None)
                acked_deleted.add(flight["name"])
            # Every name this cycle touched, and a sample of the older ones.
            recent = {n for n in written if n.startswith(f"r{cycle}-")} | {flight.get("name")}
            older = sorted(written - recent)
            for name in sorted(n for n in recent if n) + rng.sample(older, min(300, len(older))):
                rcode, values = dns_a(srv.dns_port, f"{name}.{ZONE}")
                want = by_name.get(name, set())
                ck.check(values == want, f"cycle {cycle}: {name}: DNS {values} != rows {want}"
                                         f" (rcode {rcode})")
            s = serial(soap)
            ck.check(s >= last_serial, f"cycle {cycle}: serial went down {last_serial} -> {s}")
            last_serial = s
            applied_total = len(acked_add) + len(acked_deleted)
        srv.stop()
        print(f"{args.cycles} cycles, {len(written)} names written, {applied_total} "
              f"acknowledged changes checked, {len(ck.errors)} violations")
    try:
        ck.done()
    except sbtest.TestFailure as e:
        print(e)
        print("0 passed, 1 failed")
        return 1
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
