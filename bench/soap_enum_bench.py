#!/usr/bin/python3
"""ENUM provisioning benchmark: EnumPort.addNumber through SOAP, durable commits.

Starts `switchboard serve` on loopback with a fresh data dir (the store's default: every
commit is flushed to disk before the answer), adds one range, then adds numbers with 1 client
and with 8 concurrent clients (separate processes, one keep-alive HTTP connection each,
requests shaped like CDRTool's). Prints numbers/s and appends a result block to
bench/RESULTS.md. Run on demand, not in `make test`:

    /usr/bin/python3 bench/soap_enum_bench.py --binary build/app/switchboard [--numbers 4000]
"""

import argparse
import http.client
import multiprocessing
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

ENVELOPE = """<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns4="urn:AGProjects:NGNPro" xmlns:ns5="urn:AGProjects:NGNPro:Enum" SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
<SOAP-ENV:Header><auth><username xsi:type="xsd:string">admin</username><password xsi:type="xsd:string">{password}</password><admin xsi:type="xsd:boolean">true</admin><impersonate xsi:type="xsd:int">0</impersonate></auth></SOAP-ENV:Header>
<SOAP-ENV:Body>{body}</SOAP-ENV:Body></SOAP-ENV:Envelope>"""

ADD_RANGE = """<ns5:addRange><range xsi:type="ns4:EnumRange"><id><prefix xsi:type="xsd:string">{prefix}</prefix><tld xsi:type="xsd:string">e164.arpa</tld></id><ttl xsi:type="xsd:int">3600</ttl><minDigits xsi:type="xsd:int">11</minDigits><maxDigits xsi:type="xsd:int">11</maxDigits><nameservers xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:string[1]"><item xsi:type="xsd:string">ns1.example.net</item></nameservers></range></ns5:addRange>"""

ADD_NUMBER = """<ns5:addNumber><number xsi:type="ns4:EnumNumber"><id><number xsi:type="xsd:string">{number}</number><tld xsi:type="xsd:string">e164.arpa</tld></id><mappings xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="Struct[1]"><item><type xsi:type="xsd:string">sip</type><mapto xsi:type="xsd:string">sip:{number}@example.com</mapto><priority xsi:type="xsd:int">10</priority><ttl xsi:type="xsd:int">3600</ttl></item></mappings><owner xsi:type="xsd:int">0</owner></number></ns5:addNumber>"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(conn, password, body):
    data = ENVELOPE.format(password=password, body=body).encode()
    conn.request("POST", "/ngnpro/", data, {"Content-Type": "text/xml; charset=UTF-8",
                                             "SOAPAction": '""'})
    resp = conn.getresponse()
    text = resp.read()
    if b"Fault" in text:
        raise RuntimeError(text[:400])


def client(port, password, numbers):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for n in numbers:
        post(conn, password, ADD_NUMBER.format(number=n))
    conn.close()


def run(port, password, prefix, count, clients):
    numbers = [f"{prefix}{i:06d}" for i in range(count)]
    shares = [numbers[i::clients] for i in range(clients)]
    procs = [multiprocessing.Process(target=client, args=(port, password, s)) for s in shares]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise RuntimeError("a client failed")
    return count / (time.perf_counter() - t0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--numbers", type=int, default=4000, help="numbers per run")
    ap.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    args = ap.parse_args()

    data = tempfile.mkdtemp(prefix="sb-bench-")
    password = "bench"
    with open(os.path.join(data, "switchboard.ini"), "w") as f:
        f.write(f"[admin]\nusername = admin\npassword = {password}\n[soap]\nthreads = 8\n")
    port = free_port()
    srv = subprocess.Popen([args.binary, "provision", "--data", data, "--soap",
                            f"127.0.0.1:{port}"], stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for prefix in ("31201", "31202"):
            post(conn, password, ADD_RANGE.format(prefix=prefix))
        conn.close()
        one = run(port, password, "31201", args.numbers, 1)
        eight = run(port, password, "31202", args.numbers, 8)
    finally:
        srv.terminate()
        srv.wait(timeout=20)
        shutil.rmtree(data, ignore_errors=True)

    report = (f"\n## ENUM provisioning through SOAP ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n\n"
              f"`/usr/bin/python3 bench/soap_enum_bench.py --binary {args.binary} "
              f"--numbers {args.numbers}` on {platform.node()} ({os.cpu_count()} cores): "
              f"EnumPort.addNumber, one NAPTR mapping each, durable commits (fsync per "
              f"operation), {args.numbers} numbers per run, CDRTool-shaped requests over "
              f"keep-alive HTTP.\n\n"
              f"| clients | numbers/s |\n|---|---|\n| 1 | {one:.0f} |\n| 8 | {eight:.0f} |\n")
    print(report)
    if not args.no_record:
        with open(os.path.join(HERE, "RESULTS.md"), "a") as f:
            f.write(report)


if __name__ == "__main__":
    main()
