"""Shared pieces of the provisioning benchmarks (soap_enum_bench.py, change_latency.py).

- switchboard(): a `switchboard` process on 127.0.0.1 with free ports and a fresh temp data
  dir (durable commits, the store's default), or a copy of a given store, always stopped and
  removed afterwards;
- the requests, shaped like CDRTool's wire samples in ../shared/reference/wire-samples/
  (same elements, xsi:types and arrays, indentation removed) and post() to send one;
- record(): print a result block and append it to bench/RESULTS.md.
"""

import contextlib
import http.client
import os
import platform
import re
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOAD_BEFORE = os.getloadavg()  # when the benchmark script starts (it imports this first)
PASSWORD = "bench"
SIP_DOMAIN = "sip-hval1.example.org"
DNS_ZONE = "zone-hval1.example.org"


def compact(xml):
    """The template without the whitespace between elements (CDRTool sends none)."""
    return re.sub(r">\s+<", "><", xml.strip())


ENVELOPE = compact("""
<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:SOAP-ENC="http://schemas.xmlsoap.org/soap/encoding/" xmlns:ns4="urn:AGProjects:NGNPro" xmlns:ns5="urn:AGProjects:NGNPro:{port}" SOAP-ENV:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">
  <SOAP-ENV:Header>
    <auth>
      <username xsi:type="xsd:string">admin</username>
      <password xsi:type="xsd:string">{password}</password>
      <admin xsi:type="xsd:boolean">true</admin>
      <impersonate xsi:type="xsd:int">0</impersonate>
    </auth>
  </SOAP-ENV:Header>
  <SOAP-ENV:Body>{body}</SOAP-ENV:Body>
</SOAP-ENV:Envelope>""")

HEADERS = {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""',
           "User-Agent": "PEAR-SOAP 0.11.0-beta"}

# Bodies, by port (the {port} of the envelope) and operation.
ADD_RANGE = ("Enum", compact("""
<ns5:addRange>
  <range xsi:type="ns4:EnumRange">
    <id>
      <prefix xsi:type="xsd:string">{prefix}</prefix>
      <tld xsi:type="xsd:string">e164.arpa</tld>
    </id>
    <ttl xsi:type="xsd:int">3600</ttl>
    <info xsi:type="xsd:string">bench</info>
    <minDigits xsi:type="xsd:int">0</minDigits>
    <maxDigits xsi:type="xsd:int">0</maxDigits>
    <size xsi:type="xsd:int">0</size>
    <customer xsi:type="xsd:int">{customer}</customer>
    <reseller xsi:type="xsd:int">0</reseller>
  </range>
</ns5:addRange>"""))

# A customer with the id given (an administrator may choose it), no credits: no limits.
ADD_CUSTOMER = ("Customer", compact("""
<ns5:addAccount>
  <account xsi:type="ns4:CustomerAccount">
    <id xsi:type="xsd:int">{id}</id>
    <username xsi:type="xsd:string">{username}</username>
    <password xsi:type="xsd:string">secret</password>
    <organization xsi:type="xsd:string">bench</organization>
    <resellerActive xsi:type="xsd:int">0</resellerActive>
  </account>
</ns5:addAccount>"""))

ADD_NUMBER = ("Enum", compact("""
<ns5:addNumber>
  <number xsi:type="ns4:EnumNumber">
    <id>
      <number xsi:type="xsd:string">{number}</number>
      <tld xsi:type="xsd:string">e164.arpa</tld>
    </id>
    <owner xsi:type="xsd:int">0</owner>
    <info xsi:type="xsd:string">bench</info>
    <mappings xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="Struct[2]" SOAP-ENC:offset="[0]">
      <item>
        <type xsi:type="xsd:string">sip</type>
        <mapto xsi:type="xsd:string">{mapto}</mapto>
        <ttl xsi:type="xsd:int">3600</ttl>
        <priority xsi:type="xsd:int">5</priority>
      </item>
      <item>
        <type xsi:type="xsd:string">mailto</type>
        <mapto xsi:type="xsd:string">mailto:alice@example.org</mapto>
        <ttl xsi:type="xsd:int">3600</ttl>
        <priority xsi:type="xsd:int">10</priority>
      </item>
    </mappings>
  </number>
</ns5:addNumber>"""))

# CDRTool's number search (its wire sample): one number and its tld, newest change first; with
# number "" and a customer, the first page of that customer's numbers.
GET_NUMBERS = ("Enum", compact("""
<ns5:getNumbers>
  <query xsi:type="ns4:EnumNumberQuery">
    <filter>
      <number xsi:type="xsd:string">{number}</number>
      <tld xsi:type="xsd:string">e164.arpa</tld>
      <type xsi:type="xsd:string"/>
      <mapto xsi:type="xsd:string"/>
      <owner xsi:type="xsd:int">0</owner>
      <customer xsi:type="xsd:int">{customer}</customer>
      <reseller xsi:type="xsd:int">0</reseller>
    </filter>
    <orderBy>
      <attribute xsi:type="xsd:string">changeDate</attribute>
      <direction xsi:type="xsd:string">DESC</direction>
    </orderBy>
    <range>
      <start xsi:type="xsd:int">0</start>
      <count xsi:type="xsd:int">20</count>
    </range>
  </query>
</ns5:getNumbers>"""))

# CDRTool sends back what getNumber returned, mapping ids included; a mapping without an id
# (as here) is a new one replacing the old list, which is what the benchmark wants.
UPDATE_NUMBER = ("Enum", compact("""
<ns5:updateNumber>
  <number xsi:type="ns4:EnumNumber">
    <id>
      <number xsi:type="xsd:string">{number}</number>
      <tld xsi:type="xsd:string">e164.arpa</tld>
    </id>
    <mappings xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="Struct[1]" SOAP-ENC:offset="[0]">
      <item>
        <type xsi:type="xsd:string">sip</type>
        <mapto xsi:type="xsd:string">{mapto}</mapto>
        <ttl xsi:type="xsd:int">3600</ttl>
        <priority xsi:type="xsd:int">5</priority>
      </item>
    </mappings>
    <info xsi:type="xsd:string">bench edited</info>
  </number>
</ns5:updateNumber>"""))

ADD_DOMAIN = ("Sip", compact("""
<ns5:addDomain>
  <domain xsi:type="ns4:SipDomain">
    <domain xsi:type="xsd:string">{domain}</domain>
    <customer xsi:type="xsd:int">0</customer>
    <reseller xsi:type="xsd:int">0</reseller>
  </domain>
</ns5:addDomain>"""))

ADD_ACCOUNT = ("Sip", compact("""
<ns5:addAccount>
  <account xsi:type="ns4:SipAccount">
    <id>
      <username xsi:type="xsd:string">{username}</username>
      <domain xsi:type="xsd:string">{domain}</domain>
    </id>
    <firstName xsi:type="xsd:string">Alice</firstName>
    <lastName xsi:type="xsd:string">Liddell</lastName>
    <password xsi:type="xsd:string">secret</password>
    <timezone xsi:type="xsd:string">Europe/Amsterdam</timezone>
    <email xsi:type="xsd:string">{username}@{domain}</email>
    <owner xsi:type="xsd:int">0</owner>
    <rpid xsi:type="xsd:string">+31200000001</rpid>
    <groups xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:string[1]" SOAP-ENC:offset="[0]">
      <item xsi:type="xsd:string">free-pstn</item>
    </groups>
    <prepaid xsi:type="xsd:int">0</prepaid>
    <quota xsi:type="xsd:int">0</quota>
    <acl xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:anyType[0]"/>
    <properties xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:anyType[0]"/>
    <callLimit xsi:type="xsd:int">2</callLimit>
  </account>
</ns5:addAccount>"""))

ADD_ZONE = ("Dns", compact("""
<ns5:addZone>
  <zone xsi:type="ns4:DnsZone">
    <name xsi:type="xsd:string">{zone}</name>
    <ttl xsi:type="xsd:int">3600</ttl>
    <info xsi:type="xsd:string">bench</info>
    <customer xsi:type="xsd:int">0</customer>
    <reseller xsi:type="xsd:int">0</reseller>
    <nameservers xsi:type="SOAP-ENC:Array" SOAP-ENC:arrayType="xsd:string[2]" SOAP-ENC:offset="[0]">
      <item xsi:type="xsd:string">ns1.example.net</item>
      <item xsi:type="xsd:string">ns2.example.net</item>
    </nameservers>
  </zone>
</ns5:addZone>"""))

ADD_RECORD = ("Dns", compact("""
<ns5:addRecord>
  <record xsi:type="ns4:DnsRecord">
    <name xsi:type="xsd:string">{name}</name>
    <zone xsi:type="xsd:string">{zone}</zone>
    <type xsi:type="xsd:string">A</type>
    <value xsi:type="xsd:string">192.0.2.10</value>
    <owner xsi:type="xsd:int">0</owner>
    <ttl xsi:type="xsd:int">3600</ttl>
    <priority xsi:type="xsd:int">0</priority>
  </record>
</ns5:addRecord>"""))


def request(template, **fields):
    """(port, request bytes) of a body template filled with fields."""
    port, body = template
    fields = {"customer": 0, **fields}  # the administrator's own, unless a customer is named
    return port, ENVELOPE.format(port=port, password=PASSWORD,
                                 body=body.format(**fields)).encode()


def post(conn, req):
    """POST one request on a keep-alive connection; fail on anything but a plain answer."""
    conn.request("POST", "/ngnpro/", req[1], HEADERS)
    resp = conn.getresponse()
    text = resp.read()
    if resp.status != 200 or b"Fault>" in text:
        raise RuntimeError(f"HTTP {resp.status}: {text[:400]!r}")


def connect(port):
    return http.client.HTTPConnection("127.0.0.1", port, timeout=30)


def free_port():
    """A loopback port free for both TCP and UDP (DNS listens on both)."""
    while True:
        with socket.socket() as t, socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            t.bind(("127.0.0.1", 0))
            try:
                u.bind(("127.0.0.1", t.getsockname()[1]))
            except OSError:
                continue
            return t.getsockname()[1]


def stop(proc, timeout=20):
    """SIGTERM, then SIGKILL if the process is still there after `timeout` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def switchboard(binary, mode="serve", dnssec=False, store=None, dns_workers=None):
    """Run `switchboard MODE` (serve or provision); yields (soap_port, dns_port). dnssec: every
    zone signed at write time (`[dnssec] zones = *`, issue 16). store: a data dir whose
    data.mdb the server starts from (copied: the original is left as it is; issue 18's
    writes against a big store). dns_workers: `[dns] workers` (default: the server's)."""
    data = tempfile.mkdtemp(prefix="sb-bench-", dir=os.environ.get("SB_BENCH_TMP"))
    if store:
        shutil.copyfile(os.path.join(store, "data.mdb"), os.path.join(data, "data.mdb"))
    with open(os.path.join(data, "switchboard.ini"), "w") as f:
        f.write(f"[admin]\nusername = admin\npassword = {PASSWORD}\n"
                "[dns]\nnameservers = ns1.example.net ns2.example.net\n"
                + (f"workers = {dns_workers}\n" if dns_workers else "")
                + ("[dnssec]\nzones = *\n" if dnssec else ""))
    soap, dns = free_port(), free_port()
    argv = [binary, mode, "--data", data, "--soap", f"127.0.0.1:{soap}"]
    if mode == "serve":
        argv += ["--dns", f"127.0.0.1:{dns}"]
    log = tempfile.TemporaryFile()
    srv = subprocess.Popen(argv, stderr=log)
    try:
        for port in (soap, dns) if mode == "serve" else (soap,):
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    if srv.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"server not listening on {port}") from None
                    time.sleep(0.05)
        yield soap, dns
    except BaseException:
        log.seek(0)
        sys.stderr.write("server stderr (end):\n" + log.read().decode(errors="replace")[-3000:])
        raise
    finally:
        stop(srv)
        log.close()
        shutil.rmtree(data, ignore_errors=True)


def record(title, description, table, no_record):
    """Print a result block and, unless no_record, append it to bench/RESULTS.md."""
    load = " ".join(f"{x:.2f}" for x in LOAD_BEFORE)
    block = (f"\n## {title} ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n\n"
             f"`/usr/bin/python3 {shlex.join(sys.argv)}` on {platform.node()} "
             f"({os.cpu_count()} cores, load average before the run: {load}): "
             f"{description}\n\n{table}")
    print(block)
    if not no_record:
        with open(os.path.join(HERE, "RESULTS.md"), "a") as f:
            f.write(block)
