#!/usr/bin/python3
"""Crash safety: SIGKILL during streams of SOAP writes from several clients loses nothing
acknowledged and shows nothing half-applied.

Each cycle starts `switchboard serve` on the same data dir and runs, concurrently (so the
store's writer commits batches of several ops and a kill lands in the middle of one), these
clients, each on its own keep-alive connection:
  * RECORD_CLIENTS streams of DnsPort.addRecord and deleteRecord;
  * NUMBER_CLIENTS streams of EnumPort.addNumber;
  * ACCOUNT_CLIENTS streams of SipPort.addAccount;
then kills the server with SIGKILL after a random delay (while calls are in flight, usually),
restarts it and checks:
  * every acknowledged addRecord is there, through getRecords and through DNS;
  * every acknowledged deleteRecord is gone, through both;
  * every acknowledged addNumber is there (getNumber) with its NAPTRs in DNS, every
    acknowledged addAccount is there (getAccount);
  * each call in flight at the kill is either wholly applied or not at all;
  * nothing half-applied: for every name the test wrote in the cycle (and a sample of the
    older ones), the A RRset DNS answers equals the values getRecords lists, and a number
    getNumber finds has its NAPTRs in DNS while one it does not find has none;
  * the zone serial never goes down across restarts;
  * both zones are signed by Switchboard (`[dnssec] zones = *`, issue 16): after every restart
    `ldns-verify-zone` passes on the AXFR of each, so no kill left an RRset without a valid
    signature or a broken NSEC3 chain.

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
import subprocess
import tempfile
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, Server, free_port  # noqa: E402

ZONE = "crash.example"
ENUM_PREFIX = "3120"
ENUM_ZONE = "0.2.1.3.e164.arpa"
SIP_DOMAIN = "crash.example.org"
RECORD_CLIENTS, NUMBER_CLIENTS, ACCOUNT_CLIENTS = 3, 2, 2
ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns4="urn:AGProjects:NGNPro" xmlns:ns5="urn:AGProjects:NGNPro:{port}">
<SOAP-ENV:Header><auth><username>{user}</username><password>{password}</password></auth></SOAP-ENV:Header>
<SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>"""


class Fault(RuntimeError):
    pass


class Soap:
    def __init__(self, port, user, password):
        self.port, self.user, self.password = port, user, password
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)

    def call(self, body, port="Dns"):
        data = ENVELOPE.format(port=port, user=self.user, password=self.password,
                               body=body).encode()
        self.conn.request("POST", "/ngnpro/", data, {"Content-Type": "text/xml; charset=UTF-8",
                                                     "SOAPAction": '""'})
        text = self.conn.getresponse().read().decode()
        if "<SOAP-ENV:Fault>" in text:
            raise Fault(text)
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


def add_number(soap, number):
    soap.call(f"<ns5:addNumber><number><id><number>{number}</number><tld>e164.arpa</tld></id>"
              f"<mappings><item><type>sip</type><mapto>sip:{number}@{SIP_DOMAIN}</mapto>"
              f"<ttl>60</ttl><priority>5</priority></item></mappings></number>"
              f"</ns5:addNumber>", port="Enum")


def found(soap, port, body, needle):
    """The get operation answers with `needle` in it; a fault (not found) is False."""
    try:
        return needle in soap.call(body, port=port)
    except Fault:
        return False


def number_exists(soap, number):
    return found(soap, "Enum", f"<ns5:getNumber><enumId><number>{number}</number><tld>e164.arpa"
                 f"</tld></enumId></ns5:getNumber>", f"sip:{number}@{SIP_DOMAIN}")


def signed_zone_problem(dns_port, zone):
    """None when the AXFR of `zone` is signed and ldns-verify-zone accepts it."""
    axfr = subprocess.run(["dig", "@127.0.0.1", "-p", str(dns_port), "AXFR", zone, "+nocmd",
                           "+nostats"], capture_output=True, text=True, timeout=30).stdout
    lines = [line for line in axfr.splitlines() if line and not line.startswith(";")]
    if not any(" RRSIG " in line or "\tRRSIG\t" in line for line in lines):
        return "no RRSIG in its AXFR"
    with tempfile.NamedTemporaryFile("w", suffix=".zone") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
        r = subprocess.run(["ldns-verify-zone", f.name], capture_output=True, text=True)
    return None if r.returncode == 0 else (r.stdout + r.stderr)[-2000:]


def e164_name(number):
    return ".".join(reversed(number)) + ".e164.arpa"


def add_account(soap, username):
    soap.call(f"<ns5:addAccount><account><id><username>{username}</username>"
              f"<domain>{SIP_DOMAIN}</domain></id><firstName>Crash</firstName>"
              f"<lastName>Test</lastName><password>secret</password>"
              f"<email>{username}@{SIP_DOMAIN}</email></account></ns5:addAccount>", port="Sip")


def account_exists(soap, username):
    return found(soap, "Sip", f"<ns5:getAccount><sipId><username>{username}</username><domain>"
                 f"{SIP_DOMAIN}</domain></sipId></ns5:getAccount>", f"{username}@{SIP_DOMAIN}")


def serial(soap):
    text = soap.call(f"<ns5:getZone><zone>{ZONE}</zone></ns5:getZone>")
    return int(re.search(r"<serial[^>]*>(\d+)</serial>", text).group(1))


def dns_query(port, name, qtype):
    """(rcode, rdatas of type qtype in the answer) from a minimal UDP client: no EDNS, no
    compression in the question; answers use compression pointers, handled."""
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", qtype, 1)
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
    rdatas = []
    for _ in range(an):
        if r[pos] & 0xC0 == 0xC0:
            pos += 2
        else:
            while r[pos] != 0:
                pos += 1 + r[pos]
            pos += 1
        rtype, _, _, rdlen = struct.unpack(">HHIH", r[pos:pos + 10])
        pos += 10
        if rtype == qtype:
            rdatas.append(r[pos:pos + rdlen])
        pos += rdlen
    return flags & 0xF, rdatas


def dns_a(port, name):
    rcode, rdatas = dns_query(port, name, 1)
    return rcode, {".".join(str(b) for b in rd) for rd in rdatas}


class Client:
    """One writer: its own connection, its own acknowledged state, its call in flight."""

    def __init__(self, kind, k, rng):
        self.kind, self.k = kind, k
        self.rng = random.Random(rng.randrange(1 << 30))
        self.acked = {}          # records: name -> value; numbers, accounts: name -> None
        self.acked_deleted = set()
        self.written = set()     # every name ever attempted
        self.in_flight = {}

    def run(self, port, data, cycle, stop):
        w = Soap(port, data.username, data.password)
        i = 0
        try:
            while not stop.is_set():
                i += 1
                self.step(w, cycle, i)
                self.in_flight = {}
        except (OSError, http.client.HTTPException, Fault):
            pass  # the server died under us: what was in flight is in in_flight

    def step(self, w, cycle, i):
        if self.kind == "record" and self.acked and self.rng.random() < 0.25:
            name = self.rng.choice(sorted(self.acked))
            rid = next(iter(records(w, f"{name}.{ZONE}")), None)
            if rid is None:
                return
            self.in_flight = {"op": "delete", "name": name}
            w.call(f"<ns5:deleteRecord><recordId>{rid}</recordId></ns5:deleteRecord>")
            del self.acked[name]
            self.acked_deleted.add(name)
            return
        if self.kind == "record":
            name = f"c{self.k}r{cycle}-{i}"
            value = f"10.{cycle % 250}.{i // 250 % 250}.{i % 250 + 1}"
            self.written.add(name)
            self.in_flight = {"op": "add", "name": name, "value": value}
            add_record(w, name, value)
        elif self.kind == "number":
            name = f"{ENUM_PREFIX}{self.k}{cycle:03d}{i:04d}"
            value = None
            self.written.add(name)
            self.in_flight = {"op": "add", "name": name, "value": value}
            add_number(w, name)
        else:
            name = f"c{self.k}u{cycle}x{i}"
            value = None
            self.written.add(name)
            self.in_flight = {"op": "add", "name": name, "value": value}
            add_account(w, name)
        self.acked[name] = value


def check_records(ck, srv, c, flight, by_name, cycle, rng):
    for name, value in c.acked.items():
        if flight.get("op") == "delete" and flight["name"] == name:
            continue  # deleted or not: the delete was in flight at the kill
        ck.check(by_name.get(name) == {value},
                 f"cycle {cycle}: acknowledged add {name}={value} lost: {by_name.get(name)}")
    for name in c.acked_deleted:
        ck.check(name not in by_name, f"cycle {cycle}: acknowledged delete of {name} undone")
    if flight.get("op") == "add" and flight["name"] in by_name:
        c.acked[flight["name"]] = flight["value"]  # applied before the kill
    if flight.get("op") == "delete" and flight["name"] not in by_name:
        c.acked.pop(flight["name"], None)
        c.acked_deleted.add(flight["name"])
    # Every name this cycle touched, and a sample of the older ones.
    recent = {n for n in c.written if n.startswith(f"c{c.k}r{cycle}-")} | {flight.get("name")}
    older = sorted(c.written - recent)
    for name in sorted(n for n in recent if n) + rng.sample(older, min(100, len(older))):
        rcode, values = dns_a(srv.dns_port, f"{name}.{ZONE}")
        want = by_name.get(name, set())
        ck.check(values == want, f"cycle {cycle}: {name}: DNS {values} != rows {want}"
                                 f" (rcode {rcode})")


def check_adds(ck, srv, soap, c, flight, exists, cycle, rng):
    """Numbers and accounts: acknowledged adds (this cycle's, a sample of older ones) are
    there; the one in flight is there or not; a number is in DNS exactly when it is there."""
    name = flight.get("name")
    if name is not None and exists(soap, name):
        c.acked[name] = None  # applied before the kill
    prefix = f"{ENUM_PREFIX}{c.k}{cycle:03d}" if c.kind == "number" else f"c{c.k}u{cycle}x"
    recent = sorted(n for n in c.acked if n.startswith(prefix))
    older = sorted(set(c.acked) - set(recent))
    for n in recent + rng.sample(older, min(30, len(older))):
        ck.check(exists(soap, n), f"cycle {cycle}: acknowledged {c.kind} {n} lost")
    if c.kind == "number":
        for n in recent + ([name] if name else []):
            _, naptrs = dns_query(srv.dns_port, e164_name(n), 35)
            ck.check(bool(naptrs) == (n in c.acked),
                     f"cycle {cycle}: number {n}: {len(naptrs)} NAPTRs in DNS, "
                     f"{'in' if n in c.acked else 'not in'} getNumber")


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

    with DataDir(extra_ini="[dns]\nnameservers = ns1.example.net\nallow_transfer = 127.0.0.1\n"
                           "[dnssec]\nzones = *\n") as data:
        srv = Server(args.binary, "serve", data, dns_port=free_port(), soap_port=free_port())
        srv.start()
        soap = Soap(srv.soap_port, data.username, data.password)
        soap.call(f"<ns5:addZone><zone><name>{ZONE}</name><nameservers><item>ns1.{ZONE}</item>"
                  f"</nameservers></zone></ns5:addZone>")
        soap.call(f"<ns5:addRange><range><id><prefix>{ENUM_PREFIX}</prefix><tld>e164.arpa</tld>"
                  f"</id><ttl>60</ttl></range></ns5:addRange>", port="Enum")
        soap.call(f"<ns5:addDomain><domain><domain>{SIP_DOMAIN}</domain></domain>"
                  f"</ns5:addDomain>", port="Sip")
        clients = ([Client("record", k, rng) for k in range(RECORD_CLIENTS)] +
                   [Client("number", k, rng) for k in range(NUMBER_CLIENTS)] +
                   [Client("account", k, rng) for k in range(ACCOUNT_CLIENTS)])
        last_serial = serial(soap)
        in_flight_at_kill = 0
        for cycle in range(args.cycles):
            stop = threading.Event()
            threads = [threading.Thread(target=c.run, args=(srv.soap_port, data, cycle, stop))
                       for c in clients]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.05, 0.4))
            srv.kill9()
            stop.set()
            for t in threads:
                t.join()
            srv = Server(args.binary, "serve", data, dns_port=free_port(),
                         soap_port=free_port())
            srv.start()
            soap = Soap(srv.soap_port, data.username, data.password)
            in_flight_at_kill += sum(1 for c in clients if c.in_flight)

            rows = records(soap)
            by_name = {}
            for name, value in rows.values():
                by_name.setdefault(name[:-len(ZONE) - 1], set()).add(value)
            for c in clients:
                flight = dict(c.in_flight)
                if c.kind == "record":
                    check_records(ck, srv, c, flight, by_name, cycle, rng)
                else:
                    exists = number_exists if c.kind == "number" else account_exists
                    check_adds(ck, srv, soap, c, flight, exists, cycle, rng)
            for zone in (ZONE, ENUM_ZONE):
                problem = signed_zone_problem(srv.dns_port, zone)
                ck.check(problem is None, f"cycle {cycle}: signed zone {zone}: {problem}")
            s = serial(soap)
            ck.check(s >= last_serial, f"cycle {cycle}: serial went down {last_serial} -> {s}")
            last_serial = s
        srv.stop()
        written = sum(len(c.written) for c in clients)
        checked = sum(len(c.acked) + len(c.acked_deleted) for c in clients)
        print(f"{args.cycles} cycles, {len(clients)} clients, {written} objects written, "
              f"{checked} acknowledged changes checked, {in_flight_at_kill} calls in flight at "
              f"a kill, {len(ck.errors)} violations")
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
