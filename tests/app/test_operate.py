#!/usr/bin/python3
"""Operating switchboard like Knot (issue 14), through the real binary:

- version_and_cli: --version, --help, an unknown option and a stray argument are clear errors;
  `check` passes a good setup (exit 0) and names the fault of a bad ini, TSIG key or
  certificate pair (exit 1); the old flag forms (--flag=value) still work;
- ini_never_rewritten: a server started with no [admin] leaves the ini byte for byte as it was,
  writes DATA/admin.ini (mode 0600), logs in with it, and reuses it on the next start;
- second_instance: a second `serve` on the same data dir exits 1 saying which pid holds it;
- second_instance also: a server started with no NOTIFY_SOCKET has not loaded libsystemd;
- notify_ready: with NOTIFY_SOCKET set to a unix datagram socket the test reads, READY=1 arrives
  (libsystemd loaded for it) and at that moment both the DNS (UDP and TCP) and the SOAP
  listeners accept; STOPPING=1 on SIGTERM; when the SOAP port is taken the server exits 1 and READY=1 never comes;
- reload: SIGHUP with a broken ini, or with a TSIG key the DNS server would refuse, is logged
  and the old configuration kept (the server still answers); a good one applies its log level (debug lines appear); SIGTERM exits 0 cleanly;
- reload_acl: an AXFR refused under the running ini succeeds once SIGHUP applies an ini that
  allows the address, and is refused again after one that does not; a TSIG key added by a
  SIGHUP signs a transfer that succeeds;
- reload_under_load: 100 SIGHUPs while dnsperf sends queries: no query lost;
- metrics: [metrics] listen serves GET /metrics that `promtool check metrics` accepts, with the
  store and process figures; the store's transaction id moves after a SOAP write; the DNS
  query, transfer and SOAP call/fault counters move with queries, a refused AXFR and a fault;
  other paths are 404;
- status: lists the zones with their serials, the store size and the last commit.

Usage: /usr/bin/python3 test_operate.py --binary PATH/TO/switchboard
"""

import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import sbtest  # noqa: E402
from sbtest import (Checker, DataDir, Server, dig, free_port, start_serve,  # noqa: E402
                    tcp_connects)
from test_crash import ZONE, Soap  # noqa: E402


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, **kw)


def maps_libsystemd(pid):
    """Whether the process has libsystemd mapped (it is loaded on first use only)."""
    with open(f"/proc/{pid}/maps") as f:
        return "libsystemd.so" in f.read()


def add_zone(soap):
    soap.call(f"<ns5:addZone><zone><name>{ZONE}</name><nameservers><item>ns1.{ZONE}</item>"
              f"</nameservers></zone></ns5:addZone>")
    soap.call(f"<ns5:addRecord><record><zone>{ZONE}</zone><name>www</name><type>A</type>"
              f"<value>192.0.2.1</value></record></ns5:addRecord>")


def test_version_and_cli(args):
    ck = Checker("version_and_cli")
    r = run([args.binary, "--version"])
    ck.check(r.returncode == 0 and re.match(r"switchboard \d+\.\d+", r.stdout),
             f"--version: {r.returncode} {r.stdout!r} {r.stderr!r}")
    r = run([args.binary, "--help"])
    ck.check(r.returncode == 0 and "check" in r.stdout and "status" in r.stdout, "--help")
    r = run([args.binary, "serve", "--bogus"])
    ck.check(r.returncode == 1 and "bogus" in r.stderr, f"unknown option: {r.stderr!r}")
    r = run([args.binary, "status", "extra", "--data", "/nonexistent"])
    ck.check(r.returncode == 1 and "unexpected argument 'extra'" in r.stderr,
             f"stray argument: {r.stderr!r}")
    with DataDir(extra_ini=f"[dns]\nnameservers = ns1.{ZONE}\n") as data:
        r = run([args.binary, "check", f"--data={data.path}"])
        ck.check(r.returncode == 0 and "error" not in r.stdout, f"check ok: {r.stdout!r}")
        r = run([args.binary, "check", "-q", "--data", data.path])
        ck.check(r.returncode == 0 and r.stdout == "", f"check -q prints nothing: {r.stdout!r}")
        with open(data.ini, "a") as f:
            f.write("[dns]\ntsig_key = k1:hmac-md5:abc\n")
        r = run([args.binary, "check", "--data", data.path])
        ck.check(r.returncode == 1 and "duplicate section" in r.stdout,
                 f"check names the bad ini: {r.stdout!r}")
    with DataDir(extra_ini="[dns]\ntsig_key = k1:hmac-sha256:not*base64 k2:hmac-md5:AAAA\n"
                           "[soap]\ncertificate = /nonexistent.pem\n") as data:
        r = run([args.binary, "check", "--data", data.path])
        ck.check(r.returncode == 1, f"check fails on bad keys: {r.returncode}")
        ck.check("tsig_key k1: the secret is not base64" in r.stdout, f"k1: {r.stdout!r}")
        ck.check("algorithm hmac-md5 is not supported" in r.stdout, f"k2: {r.stdout!r}")
        ck.check("certificate and key go together" in r.stdout, f"tls: {r.stdout!r}")
    tmp = tempfile.mkdtemp(prefix="sb-check-")
    try:
        cert, key = os.path.join(tmp, "c.pem"), os.path.join(tmp, "k.pem")
        other = os.path.join(tmp, "o.pem")
        for k in (key, other):
            run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-out", k])
        run(["openssl", "req", "-x509", "-key", key, "-subj", "/CN=localhost", "-days", "365",
             "-out", cert])
        for k, good in ((key, True), (other, False)):
            with DataDir(extra_ini=f"[soap]\ncertificate = {cert}\nkey = {k}\n") as data:
                r = run([args.binary, "check", "--data", data.path])
                if good:
                    ck.check(r.returncode == 0 and "and key match" in r.stdout,
                             f"matching pair: {r.stdout!r}")
                else:
                    ck.check(r.returncode == 1 and "does not belong to the certificate"
                             in r.stdout, f"mismatched pair: {r.stdout!r}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ck.done()


def test_ini_never_rewritten(args):
    ck = Checker("ini_never_rewritten")
    data = DataDir()
    try:
        with open(data.ini, "w") as f:
            f.write(f"; the operator's file\n[dns]\nnameservers = ns1.{ZONE}  ns2.{ZONE}\n")
        before = open(data.ini, "rb").read()
        mtime = os.stat(data.ini).st_mtime_ns
        with start_serve(args, data) as srv:
            creds = os.path.join(data.path, "admin.ini")
            ck.check(os.path.exists(creds), "admin.ini written into the data dir")
            ck.eq(stat.S_IMODE(os.stat(creds).st_mode), 0o600, "admin.ini mode")
            text = open(creds).read()
            user = re.search(r"username = (\S+)", text).group(1)
            password = re.search(r"password = (\S+)", text).group(1)
            add_zone(Soap(srv.soap_port, user, password))
            ck.check("admin.ini" in srv.output(), "the log names the credentials file")
            ck.check(password not in srv.output(), "the password is not logged")
        ck.eq(open(data.ini, "rb").read(), before, "ini content")
        ck.eq(os.stat(data.ini).st_mtime_ns, mtime, "ini mtime")
        with start_serve(args, data) as srv:
            Soap(srv.soap_port, user, password).call(
                f"<ns5:getZone><zone>{ZONE}</zone></ns5:getZone>")
            ck.eq(open(creds).read(), text, "admin.ini kept on restart")
    finally:
        data.cleanup()
    ck.done()


def test_second_instance(args):
    ck = Checker("second_instance")
    with DataDir() as data, start_serve(args, data) as srv:
        r = run(srv.argv()[:3] + [data.path, "--dns", f"127.0.0.1:{free_port()}", "--soap",
                                  f"127.0.0.1:{free_port()}"])
        ck.eq(r.returncode, 1, "second instance exit status")
        ck.check(f"another switchboard (pid {srv.proc.pid}) already serves" in r.stderr,
                 f"second instance message: {r.stderr!r}")
        ck.check(srv.alive() and dig(srv.dns_port, ZONE, "SOA").rcode == "REFUSED",
                 "the first instance still answers")
        ck.check(not maps_libsystemd(srv.proc.pid),
                 "libsystemd not loaded with no service manager "
                 f"(NOTIFY_SOCKET={os.environ.get('NOTIFY_SOCKET')!r})")
        # dns and provision are separate roles: one of each may share the data dir.
        with Server(args.binary, "provision", data, soap_port=free_port()) as other:
            r = run(other.argv())
            ck.check(r.returncode == 1 and "already serves SOAP" in r.stderr,
                     f"provision beside serve: {r.stderr!r}")
    ck.done()


def test_notify_ready(args):
    ck = Checker("notify_ready")
    tmp = tempfile.mkdtemp(prefix="sb-notify-")
    sock_path = os.path.join(tmp, "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(20)
    data = DataDir()
    dns_port, soap_port = free_port(), free_port()
    srv = Server(args.binary, "serve", data, dns_port=dns_port, soap_port=soap_port)
    env = dict(os.environ, NOTIFY_SOCKET=sock_path)
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(srv.argv(), env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        messages = []
        while not any("READY=1" in m for m in messages):
            messages.append(sock.recv(4096).decode())
        ck.check(maps_libsystemd(proc.pid), "libsystemd loaded to send READY=1")
        # READY=1 is here: both listeners must accept now, without waiting.
        ck.check(tcp_connects(soap_port), "SOAP accepts at READY=1")
        ck.check(tcp_connects(dns_port), "DNS TCP accepts at READY=1")
        ck.eq(dig(dns_port, ZONE, "SOA", tries=1).rcode, "REFUSED", "DNS UDP answers at READY=1")
        ck.eq(dig(dns_port, ZONE, "SOA", tcp=True, tries=1).rcode, "REFUSED", "DNS TCP answers")
        proc.send_signal(signal.SIGTERM)
        stopping = sock.recv(4096).decode()
        ck.check("STOPPING=1" in stopping, f"STOPPING=1 on SIGTERM: {stopping!r}")
        ck.eq(proc.wait(timeout=15), 0, "exit status after SIGTERM")
        # A listener that cannot bind: exit 1 and no READY=1 at all.
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
            taken.bind(("127.0.0.1", 0))
            taken.listen()
            busy = Server(args.binary, "serve", data, dns_port=free_port(),
                          soap_port=taken.getsockname()[1])
            r = subprocess.run(busy.argv(), env=env, capture_output=True, text=True, timeout=30)
            ck.eq(r.returncode, 1, f"exit status when SOAP cannot bind ({r.stderr.strip()})")
            ck.check(str(taken.getsockname()[1]) in r.stderr, f"names the port: {r.stderr!r}")
            sock.settimeout(0.5)
            try:
                late = sock.recv(4096).decode()
            except socket.timeout:
                late = ""
            ck.check("READY=1" not in late, f"no READY=1 when a listener failed: {late!r}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        sock.close()
        shutil.rmtree(tmp, ignore_errors=True)
        data.cleanup()
    ck.done()


def test_reload(args):
    ck = Checker("reload")
    with DataDir(extra_ini="[log]\nlevel = info\n") as data, start_serve(args, data) as srv:
        good = open(data.ini).read()
        with open(data.ini, "a") as f:
            f.write("[dns]\nno_such_key = 1\n")
        srv.proc.send_signal(signal.SIGHUP)
        ck.check(sbtest.wait_for(lambda: "reload failed" in srv.output()),
                 "a broken ini on SIGHUP is logged")
        ck.check("unknown key [dns] no_such_key" in srv.output(), "the log says what is wrong")
        ck.check(srv.alive(), "still running after a broken reload")
        ck.eq(dig(srv.dns_port, ZONE, "SOA").rcode, "REFUSED", "DNS answers after it")
        ck.check(tcp_connects(srv.soap_port), "SOAP accepts after it")
        ck.check("debug:" not in srv.output(), "no debug lines at level info")
        with open(data.ini, "w") as f:
            f.write(good + "[dns]\ntsig_key = k1:hmac-sha256:not*base64\n")
        srv.proc.send_signal(signal.SIGHUP)
        ck.check(sbtest.wait_for(lambda: "tsig_key k1: the secret is not base64" in
                                 srv.output()), "a bad TSIG key on SIGHUP is refused and logged")
        ck.check(srv.alive(), "still running after it")
        with open(data.ini, "w") as f:
            f.write(good.replace("level = info", "level = debug"))
        srv.proc.send_signal(signal.SIGHUP)
        ck.check(sbtest.wait_for(lambda: "configuration reloaded" in srv.output()),
                 "a good ini on SIGHUP is applied")
        ck.check("log_level=debug" in srv.output(), "the new log level is applied")
        srv.proc.send_signal(signal.SIGTERM)
        ck.eq(srv.proc.wait(timeout=15), 0, "exit status after SIGTERM")
        ck.check("server: stopped" in srv.output(), "stop is logged")
    ck.done()


def axfr(port, key=None):
    r = run(["dig", "@127.0.0.1", "-p", str(port), ZONE, "AXFR", "+time=2", "+tries=1"]
            + (["-y", key] if key else []))
    return r.stdout.count("\tSOA\t") >= 2  # a whole zone: SOA first and last


def test_reload_acl(args):
    ck = Checker("reload_acl")
    with DataDir() as data, start_serve(args, data) as srv:
        add_zone(Soap(srv.soap_port, data.username, data.password))
        good = open(data.ini).read()
        ck.check(not axfr(srv.dns_port), "AXFR refused before the ACL allows it")
        for allowed, expect in ((True, True), (False, False)):
            with open(data.ini, "w") as f:
                f.write(good + ("[dns]\nallow_transfer = 127.0.0.1\n" if allowed else ""))
            before = srv.output(100000).count("configuration reloaded")
            srv.proc.send_signal(signal.SIGHUP)
            ck.check(sbtest.wait_for(lambda: srv.output(100000).count("configuration reloaded")
                                     > before), "the SIGHUP reloaded")
            ck.eq(sbtest.wait_for(lambda: axfr(srv.dns_port) == expect, timeout=3), True,
                  f"AXFR {'allowed' if expect else 'refused'} after the reload")
        # A TSIG key added by a reload signs a transfer from an address the ACL does not allow.
        secret = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0IQ=="
        ck.check(not axfr(srv.dns_port, f"hmac-sha256:k1:{secret}"), "unknown key refused")
        with open(data.ini, "w") as f:
            f.write(good + f"[dns]\ntsig_key = k1:hmac-sha256:{secret}\n")
        before = srv.output(100000).count("configuration reloaded")
        srv.proc.send_signal(signal.SIGHUP)
        ck.check(sbtest.wait_for(lambda: srv.output(100000).count("configuration reloaded")
                                 > before), "the SIGHUP with the key reloaded")
        ck.check(sbtest.wait_for(lambda: axfr(srv.dns_port, f"hmac-sha256:k1:{secret}"),
                                 timeout=3), "AXFR signed with the reloaded key succeeds")
        ck.check(not axfr(srv.dns_port), "unsigned AXFR still refused")
    ck.done()


def test_reload_under_load(args):
    ck = Checker("reload_under_load")
    with DataDir() as data, start_serve(args, data) as srv:
        add_zone(Soap(srv.soap_port, data.username, data.password))
        qfile = os.path.join(data.path, "queries")
        with open(qfile, "w") as f:
            f.write(f"www.{ZONE} A\n{ZONE} SOA\nnx.{ZONE} A\n")
        perf = subprocess.Popen(["dnsperf", "-s", "127.0.0.1", "-p", str(srv.dns_port), "-d",
                                 qfile, "-l", "6", "-Q", "2000", "-t", "2"],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(0.5)
        for _ in range(100):
            srv.proc.send_signal(signal.SIGHUP)
            time.sleep(0.04)
        out = perf.communicate(timeout=60)[0]
        sent = int(re.search(r"Queries sent:\s+(\d+)", out).group(1))
        lost = int(re.search(r"Queries lost:\s+(\d+)", out).group(1))
        ck.check(sent > 1000, f"dnsperf sent {sent} queries")
        ck.eq(lost, 0, "queries lost during 100 SIGHUPs")
        ck.check(sbtest.wait_for(lambda: srv.output(100000).count("configuration reloaded")
                                 >= 100, timeout=10),
                 "every SIGHUP reloaded: " + str(srv.output(100000).count("reloaded")))
        ck.check(srv.alive(), "still running")
    ck.done()


def scrape(port, path="/metrics"):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as r:
        return r.headers.get("Content-Type"), r.read().decode()


def metric(text, name):
    m = re.search(rf"^{name} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def test_metrics(args):
    ck = Checker("metrics")
    mport = free_port()
    with DataDir(extra_ini=f"[metrics]\nlisten = 127.0.0.1:{mport}\n") as data, start_serve(args, data) as srv:
        ctype, before = scrape(mport)
        ck.check(ctype.startswith("text/plain; version=0.0.4"), f"content type {ctype}")
        check = subprocess.run(["promtool", "check", "metrics"], input=before,
                               capture_output=True, text=True)
        ck.eq((check.returncode, check.stdout + check.stderr), (0, ""), "promtool check metrics")
        for name in ("switchboard_store_file_bytes", "switchboard_store_map_used_bytes",
                     "switchboard_store_last_commit_age_seconds", "process_resident_memory_bytes",
                     "process_cpu_seconds_total", "process_open_fds",
                     "process_start_time_seconds"):
            ck.check(metric(before, name) is not None, f"{name} exported")
        ck.check(metric(before, "process_resident_memory_bytes") > 1e6, "RSS plausible")
        ck.check(abs(metric(before, "process_start_time_seconds") - time.time()) < 60,
                 "start time plausible")
        soap = Soap(srv.soap_port, data.username, data.password)
        add_zone(soap)
        try:
            add_zone(soap)  # the zone exists: a fault
            ck.check(False, "a second addZone of the same zone should fault")
        except RuntimeError:
            pass
        for _ in range(3):
            dig(srv.dns_port, f"www.{ZONE}", "A")
        ck.check(not axfr(srv.dns_port), "AXFR refused without an ACL")
        _, after = scrape(mport)
        check = subprocess.run(["promtool", "check", "metrics"], input=after,
                               capture_output=True, text=True)
        ck.eq((check.returncode, check.stdout + check.stderr), (0, ""),
              "promtool check metrics with DNS and SOAP counters")
        ck.check((metric(after, 'switchboard_dns_queries_total\\{transport="udp",qtype="A",'
                         'rcode="NOERROR"\\}') or 0) >= 3, "DNS queries counted")
        ck.check(sum(metric(after, f'switchboard_dns_transfers_total\\{{result="{r}"\\}}') or 0
                     for r in ("refused", "notauth")) >= 1, "the refused AXFR counted")
        ck.check((metric(after, 'switchboard_soap_calls_total\\{operation="DnsPort.addZone"\\}')
                  or 0) >= 2, "SOAP calls counted")
        ck.check(re.search(r'^switchboard_soap_faults_total\{operation="DnsPort.addZone",'
                           r'code="\d+"\} [1-9]', after, re.M) is not None, "SOAP fault counted")
        ck.check(metric(after, "switchboard_store_last_txn_id")
                 > metric(before, "switchboard_store_last_txn_id"),
                 "the store's transaction id moves after a SOAP write")
        try:
            scrape(mport, "/other")
            ck.check(False, "/other should be 404")
        except urllib.error.HTTPError as e:
            ck.eq(e.code, 404, "/other status")
    ck.done()


def test_status(args):
    ck = Checker("status")
    with DataDir() as data:
        r = run([args.binary, "status", "--data", data.path])
        ck.check(r.returncode == 1 and "holds no store" in r.stderr, f"no store: {r.stderr!r}")
        with start_serve(args, data) as srv:
            add_zone(Soap(srv.soap_port, data.username, data.password))
            serial = dig(srv.dns_port, ZONE, "SOA").rrs("SOA")[0][4].split()[2]
            r = run([args.binary, "status", "--data", data.path])
            ck.eq(r.returncode, 0, "status exit status while serving")
            ck.check(re.search(rf"^\s+{re.escape(ZONE)}\s+dns\s+{serial}\s", r.stdout, re.M),
                     f"zone {ZONE} with serial {serial} listed: {r.stdout!r}")
            ck.check(re.search(r"^size\s+\d+ bytes", r.stdout, re.M), "store size")
            ck.check(re.search(r"^last commit\s+\d{4}-\d\d-\d\d ", r.stdout, re.M), "last commit")
    ck.done()


TESTS = [
    ("version_and_cli", test_version_and_cli),
    ("ini_never_rewritten", test_ini_never_rewritten),
    ("second_instance", test_second_instance),
    ("notify_ready", test_notify_ready),
    ("reload", test_reload),
    ("reload_under_load", test_reload_under_load),
    ("metrics", test_metrics),
    ("reload_acl", test_reload_acl),
    ("status", test_status),
]

if __name__ == "__main__":
    sys.exit(sbtest.run_tests(TESTS, sbtest.parse_args(__doc__)))
