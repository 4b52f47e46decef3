#!/usr/bin/python3
"""Readers never see a partial transaction: while 4 writers replace the two NAPTR mappings of
one ENUM number as fast as they can (each updateNumber is one write transaction carrying the
same token k in both mappings) and others add and delete numbers, DNS queries for that number
always see both NAPTRs with one k — never one old and one new, never one alone — and every
query is answered. Also prints how many queries and writes ran.

Usage: /usr/bin/python3 test_write_storm.py --binary PATH/TO/switchboard [--seconds 6]
"""

import argparse
import http.client
import os
import re
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from sbtest import DataDir, Server, free_port  # noqa: E402

ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns5="urn:AGProjects:NGNPro:Enum">
<SOAP-ENV:Header><auth><username>{user}</username><password>{password}</password></auth></SOAP-ENV:Header>
<SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>"""
NUMBER = "31208005100"
OWNER = "0.0.1.5.0.0.8.0.2.1.3.e164.arpa"


def mapping(kind, target):
    return (f"<item><type>{kind}</type><mapto>{target}</mapto><priority>10</priority>"
            f"</item>")


def number_body(op, number, k):
    return (f"<ns5:{op}><number><id><number>{number}</number><tld>e164.arpa</tld></id><mappings>"
            f"{mapping('sip', f'sip:{k}@example.com')}{mapping('mailto', f'mailto:{k}@example.com')}"
            f"</mappings></number></ns5:{op}>")


class Soap:
    def __init__(self, port, data):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.data = data

    def call(self, body):
        payload = ENVELOPE.format(user=self.data.username, password=self.data.password,
                                  body=body).encode()
        self.conn.request("POST", "/ngnpro/", payload, {"Content-Type": "text/xml",
                                                        "SOAPAction": '""'})
        text = self.conn.getresponse().read().decode()
        if "Fault>" in text:
            raise RuntimeError(text[:300])


def naptr_tokens(port, sock):
    q = struct.pack(">HHHHHH", 7, 0, 1, 0, 0, 0)
    for label in OWNER.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack(">HH", 35, 1)
    sock.sendto(q, ("127.0.0.1", port))
    r, _ = sock.recvfrom(4096)
    return re.findall(rb"!\^\.\*\$!(?:sip|mailto):(\d+)@example\.com!", r)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--seconds", type=float, default=6)
    args = ap.parse_args()
    failures = []
    with DataDir(extra_ini="[dns]\nnameservers = ns1.example.net\n") as data:
        srv = Server(args.binary, "serve", data, dns_port=free_port(), soap_port=free_port())
        with srv.start():
            s = Soap(srv.soap_port, data)
            s.call("<ns5:addRange><range><id><prefix>31208005</prefix><tld>e164.arpa</tld></id>"
                   "</range></ns5:addRange>")
            s.call(number_body("addNumber", NUMBER, 0))
            stop = threading.Event()
            writes = [0]
            lock = threading.Lock()

            def writer(w):
                soap = Soap(srv.soap_port, data)
                k = w
                while not stop.is_set():
                    k += 4
                    if w == 3:
                        other = f"3120800520{k % 10}"
                        soap.call(number_body("addNumber", other, k))
                        soap.call(f"<ns5:deleteNumber><enumId><number>{other}</number>"
                                  f"<tld>e164.arpa</tld></enumId></ns5:deleteNumber>")
                    else:
                        soap.call(number_body("updateNumber", NUMBER, k))
                    with lock:
                        writes[0] += 1

            threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
            for t in threads:
                t.start()
            queries = 0
            deadline = time.monotonic() + args.seconds
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                sock.settimeout(2)
                while time.monotonic() < deadline:
                    try:
                        tokens = naptr_tokens(srv.dns_port, sock)
                    except socket.timeout:
                        failures.append("a query went unanswered during the writes")
                        continue
                    queries += 1
                    if len(tokens) != 2 or tokens[0] != tokens[1]:
                        failures.append(f"partial transaction seen: tokens {tokens}")
            stop.set()
            for t in threads:
                t.join()
    print(f"{queries} queries during {writes[0]} write transactions, "
          f"{len(failures)} violations")
    for f in failures[:10]:
        print("   ", f)
    ok = not failures and queries > 100 and writes[0] > 50
    print("1 passed, 0 failed" if ok else "0 passed, 1 failed")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
