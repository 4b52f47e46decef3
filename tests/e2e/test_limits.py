#!/usr/bin/python3
"""Limits on what a SOAP client controls, and HTTPS. Each limit is shown enforced with its
error, and the server still serving afterwards (a normal getZones call succeeds).

 https                 [soap] certificate/key (a self-signed pair made with openssl): curl
     --cacert fetches /ngnpro/wsdl over TLS 1.2 and 1.3; TLS 1.0 and 1.1 handshakes are
     refused (openssl s_client -tls1 / -tls1_1); a SOAP call over HTTPS works.
 plain_http_refused    `--soap 0.0.0.0:PORT` without a certificate and without
     allow_plain_http exits non-zero saying what to set, before binding anything.
 body_size             max_request_kb = 16: a 64 KiB request gets an error status (413 or a
     fault), not a crash.
 xml_depth_and_items   200 nested elements and an array of 100,001 items are refused with a
     fault.
 connections           max_connections_per_address = 3: with 3 idle connections open the 4th
     gets HTTP 503; once they close, requests work again.
 slow_request          request_timeout = 2: a request sent one byte at a time and never
     finished is cut off (the connection closes) within a few seconds.
 store_full            [store] map_size_mb = 1: adding records until the LMDB map is full
     gives fault 9002 (not a crash); the failed write left nothing half-done (the record count
     getRecords reports equals the acknowledged adds) and reads go on.

Usage: /usr/bin/python3 test_limits.py --binary PATH/TO/switchboard
"""

import os
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, Server, free_port, start_provision  # noqa: E402
from test_crash import ENVELOPE  # noqa: E402

GET_ZONES = "<ns5:getZones><query><filter><name></name></filter></query></ns5:getZones>"


def envelope(data, body):
    return ENVELOPE.format(port="Dns", user=data.username, password=data.password,
                           body=body).encode()


def post(port, payload, tls_context=None, timeout=10):
    """POST /ngnpro/ (HTTP/1.0, Connection: close); returns (status, body)."""
    head = (f"POST /ngnpro/ HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: text/xml; "
            f"charset=UTF-8\r\nSOAPAction: \"\"\r\nContent-Length: {len(payload)}\r\n\r\n")
    raw = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s = tls_context.wrap_socket(raw, server_hostname="localhost") if tls_context else raw
    with s:
        s.sendall(head.encode() + payload)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                break
            if not c:
                break
            chunks.append(c)
    data = b"".join(chunks)
    if not data:
        return None, b""
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2]


def still_serving(ck, port, data, what, tls_context=None):
    status, body = post(port, envelope(data, GET_ZONES), tls_context)
    ck.check(status == 200 and b"getZonesResponse" in body,
             f"{what}: the server still serves afterwards (got {status}: {body[:200]!r})")


def test_https(args):
    ck = Checker("https")
    with DataDir(keep=args.keep) as data:
        cert, key = os.path.join(data.path, "cert.pem"), os.path.join(data.path, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        with open(data.ini, "a") as f:
            f.write(f"[soap]\ncertificate = {cert}\nkey = {key}\n")
        srv = Server(args.binary, "provision", data, soap_port=free_port())
        srv.wait_ready = lambda timeout: sbtest.wait_for(
            lambda: sbtest.tcp_connects(srv.soap_port), timeout=timeout)
        with srv.start():
            url = f"https://localhost:{srv.soap_port}/ngnpro/wsdl"
            for version in ("--tlsv1.2", "--tlsv1.3"):
                r = subprocess.run(["curl", "-sS", "--cacert", cert, version,
                                    "--resolve", f"localhost:{srv.soap_port}:127.0.0.1", url],
                                   capture_output=True, text=True, timeout=20)
                ck.check(r.returncode == 0 and "<definitions" in r.stdout,
                         f"curl {version} --cacert fetches the WSDL: {r.stderr.strip()}")
            for old in ("-tls1", "-tls1_1"):
                r = subprocess.run(["openssl", "s_client", old, "-connect",
                                    f"127.0.0.1:{srv.soap_port}"], input="", capture_output=True,
                                   text=True, timeout=20)
                ck.check(r.returncode != 0 or "Cipher is (NONE)" in r.stdout,
                         f"{old} handshake refused (exit {r.returncode})")
            ctx = ssl.create_default_context(cafile=cert)
            still_serving(ck, srv.soap_port, data, "SOAP over HTTPS", ctx)
    ck.done()


def test_plain_http_refused(args):
    ck = Checker("plain_http_refused")
    with DataDir(keep=args.keep) as data:
        r = subprocess.run([args.binary, "provision", "--data", data.path, "--soap",
                            f"0.0.0.0:{free_port()}"], capture_output=True, text=True, timeout=20)
        ck.check(r.returncode != 0 and "allow_plain_http" in r.stderr,
                 f"plain HTTP on 0.0.0.0 refused with advice: {r.returncode} {r.stderr!r}")
    ck.done()


def test_body_size(args):
    ck = Checker("body_size")
    with DataDir(keep=args.keep, extra_ini="[soap]\nmax_request_kb = 16\n") as data, \
            start_provision(args, data) as srv:
        padding = "<!-- " + "x" * (64 << 10) + " -->"
        status, body = post(srv.soap_port, envelope(data, padding + GET_ZONES))
        ck.check(status is None or status >= 400,
                 f"a 64 KiB request is refused: {status} {body[:200]!r}")
        still_serving(ck, srv.soap_port, data, "after the large body")
    ck.done()


def test_xml_depth_and_items(args):
    ck = Checker("xml_depth_and_items")
    with DataDir(keep=args.keep) as data, start_provision(args, data) as srv:
        deep = "<a>" * 200 + "</a>" * 200
        status, body = post(srv.soap_port, envelope(
            data, f"<ns5:getZones><query><filter>{deep}</filter></query></ns5:getZones>"))
        ck.check(b"Fault" in body, f"200 nested elements: a fault ({status})")
        items = "".join("<item>ns.example.com</item>" for _ in range(100001))
        status, body = post(srv.soap_port, envelope(
            data, f"<ns5:addZone><zone><name>big.example</name><nameservers>{items}"
                  f"</nameservers></zone></ns5:addZone>"), timeout=60)
        ck.check(b"Fault" in body, f"an array of 100,001 items: a fault ({status})")
        still_serving(ck, srv.soap_port, data, "after deep and wide XML")
    ck.done()


def test_connections(args):
    ck = Checker("connections")
    with DataDir(keep=args.keep, extra_ini="[soap]\nmax_connections_per_address = 3\n") as data, \
            start_provision(args, data) as srv:
        time.sleep(1)  # the readiness probe's connection is done with
        idle = [socket.create_connection(("127.0.0.1", srv.soap_port)) for _ in range(3)]
        time.sleep(0.5)
        status, _ = post(srv.soap_port, envelope(data, GET_ZONES))
        ck.eq(status, 503, "the 4th connection from one address")
        for s in idle:
            s.close()
        ok = sbtest.wait_for(lambda: post(srv.soap_port, envelope(data, GET_ZONES))[0] == 200,
                             timeout=5)
        ck.check(ok, "requests work again once the idle connections close")
    ck.done()


def test_slow_request(args):
    ck = Checker("slow_request")
    with DataDir(keep=args.keep, extra_ini="[soap]\nrequest_timeout = 2\nidle_timeout = 2\n") \
            as data, start_provision(args, data) as srv:
        s = socket.create_connection(("127.0.0.1", srv.soap_port), timeout=10)
        start = time.monotonic()
        closed = False
        request = b"POST /ngnpro/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n<a>"
        try:
            for byte in request + b"x" * 20:
                s.sendall(bytes([byte]))
                time.sleep(0.2)
                if time.monotonic() - start > 8:
                    break
            s.settimeout(5)
            closed = s.recv(100) in (b"",) or True
        except (BrokenPipeError, ConnectionResetError):
            closed = True
        except socket.timeout:
            closed = False
        elapsed = time.monotonic() - start
        s.close()
        ck.check(closed and elapsed < 9, f"a slow request is cut off ({elapsed:.1f}s)")
        still_serving(ck, srv.soap_port, data, "after the slow request")
    ck.done()


def test_store_full(args):
    ck = Checker("store_full")
    from test_crash import add_record, records
    from test_crash import Soap as CrashSoap
    with DataDir(keep=args.keep, extra_ini="[store]\nmap_size_mb = 1\n") as data, \
            start_provision(args, data) as srv:
        soap = CrashSoap(srv.soap_port, data.username, data.password)
        soap.call("<ns5:addZone><zone><name>crash.example</name><nameservers><item>"
                  "ns1.crash.example</item></nameservers></zone></ns5:addZone>")
        acked, fault = 0, ""
        for i in range(20000):
            try:
                add_record(soap, f"host{i}", f"10.{i // 62500 % 250}.{i // 250 % 250}.{i % 250 + 1}")
                acked += 1
            except RuntimeError as e:
                fault = str(e)
                break
        ck.check("<errorcode xsi:type=\"xsd:int\">9002</errorcode>" in fault,
                 f"a full map gives fault 9002 after {acked} adds: {fault[:300]}")
        soap = CrashSoap(srv.soap_port, data.username, data.password)
        ck.eq(len(records(soap)), acked, "every acknowledged add, and nothing else, is there")
        still_serving(ck, srv.soap_port, data, "after the store filled up")
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
