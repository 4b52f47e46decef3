"""Shared helpers for Switchboard's end-to-end tests.

The tests start the real `switchboard` binary on 127.0.0.1 with ports they pick, drive it with
real clients (dig, zeep, raw HTTP), then stop it and delete its data dir. Nothing here reaches
outside the machine: zeep's import of the SOAP-encoding schema is served from schemas/.

Run with /usr/bin/python3 (Debian's python3-zeep and python3-requests live there).
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import string
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from xml.etree import ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
# shared/ sits beside the repository (on developer machines and in CI alike).
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SAMPLES_DIR = os.environ.get(
    "SB_WIRE_SAMPLES", os.path.join(REPO_ROOT, "..", "shared", "reference", "wire-samples"))

NS_SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS_SOAP_ENC = "http://schemas.xmlsoap.org/soap/encoding/"
NS_XSI = "http://www.w3.org/2001/XMLSchema-instance"
NS_XSD = "http://www.w3.org/2001/XMLSchema"
NS_NGNPRO = "urn:AGProjects:NGNPro"
NS_DNS = "urn:AGProjects:NGNPro:Dns"

# Public schema URLs zeep may try to fetch, mapped to local files.
_SOAP_ENC_XSD = os.path.join(HERE, "schemas", "soap-encoding.xsd")
LOCAL_SCHEMAS = {
    "http://schemas.xmlsoap.org/soap/encoding/": _SOAP_ENC_XSD,
    "https://schemas.xmlsoap.org/soap/encoding/": _SOAP_ENC_XSD,
}

READY_TIMEOUT = 20.0  # seconds a server gets to answer on its ports


class TestFailure(AssertionError):
    pass


# --------------------------------------------------------------------------------------------
# Command line, test runner


def parse_args(description, *options):
    """--binary (made absolute), --keep, -k NAME, and the given required options (e.g.
    "--build"; read as args.build)."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--binary", required=True, help="path to the switchboard executable")
    for option in options:
        p.add_argument(option, required=True)
    p.add_argument("--keep", action="store_true", help="keep data dirs and logs (debugging)")
    p.add_argument("-k", dest="only", default=None, help="run only tests whose name contains this")
    args = p.parse_args()
    args.binary = os.path.abspath(args.binary)
    if not os.access(args.binary, os.X_OK):
        p.error(f"not an executable: {args.binary}")
    return args


def run_tests(tests, args):
    """Run (name, fn) pairs; each fn(args) raises on failure. Prints 'N passed, M failed'."""
    passed, failed = 0, []
    for name, fn in tests:
        if args.only and args.only not in name:
            continue
        print(f"=== {name}", flush=True)
        t0 = time.monotonic()
        try:
            fn(args)
        except Exception as e:  # noqa: BLE001 - every failure is reported the same way
            failed.append(name)
            print(f"--- FAIL {name}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc(file=sys.stdout)
        else:
            passed += 1
            print(f"--- ok   {name} ({time.monotonic() - t0:.1f}s)", flush=True)
    print()
    if failed:
        print("failed: " + ", ".join(failed))
    print(f"{passed} passed, {len(failed)} failed")
    return 1 if failed else 0


def main(module_globals, *options):
    """A test file's entry point: `sbtest.main(globals())` as its last line runs every
    test_<name>(args) function the file defines, in the order they are written, under <name>;
    the command line is parse_args's (with the extra required options), described by the
    first line of the file's docstring."""
    module = module_globals["__name__"]
    tests = [(name[len("test_"):], fn) for name, fn in module_globals.items()
             if name.startswith("test_") and callable(fn) and fn.__module__ == module]
    doc = module_globals["__doc__"].splitlines()[0]
    sys.exit(run_tests(tests, parse_args(doc, *options)))


class Checker:
    """Collects soft checks so one test reports every mismatch, then fails once at the end
    (done), or counts them and prints a summary (report: the differential dns4 tests, whose
    cases may pass with an allowed difference)."""

    def __init__(self, name=""):
        self.name = name
        self.errors = []
        self.passed = self.failed = 0
        self.allowed = {}  # allowed difference -> cases that passed with it

    def check(self, cond, msg):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            self.errors.append(msg)
            print(f"    check failed: {msg}", flush=True)
        return cond

    def record(self, label, errors, allowance=None):
        """One case: failed with its `errors` (a list of texts), or passed (perhaps only
        thanks to `allowance`, a reason counted in the report)."""
        if errors:
            self.failed += 1
            self.errors.append(label)
            print("FAIL %s:\n  %s" % (label, "\n  ".join(errors)), flush=True)
        else:
            self.passed += 1
            if allowance:
                self.allowed[allowance] = self.allowed.get(allowance, 0) + 1

    def report(self, what=""):
        for reason, n in sorted(self.allowed.items()):
            print("allowed difference, %d queries: %s" % (n, reason))
        print("%s%d passed, %d failed" % (what, self.passed, self.failed))

    def exit_code(self, what, procs=()):
        """Reports (with the tail of each server's log when something failed); 0 or 1."""
        if self.failed:
            for p in procs:
                if p is not None:
                    print(p.output()[-3000:])
        self.report(what)
        return 1 if self.failed else 0

    def eq(self, got, want, what):
        return self.check(got == want, f"{what}: expected {want!r}, got {got!r}")

    def done(self):
        if self.errors:
            raise TestFailure(f"{len(self.errors)} check(s) failed in {self.name}: "
                              + " | ".join(self.errors))


# --------------------------------------------------------------------------------------------
# Ports, data dirs, processes


_ports_handed_out = set()


def free_port():
    """A loopback port currently free for both TCP and UDP (DNS needs both on one number), and
    never one this process handed out before: a server given two (DNS and SOAP) binds neither
    until it starts, and the kernel may offer a port it just released again at once (CI saw
    `--dns 127.0.0.1:35817 --soap 127.0.0.1:35817`)."""
    for _ in range(100):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            if port in _ports_handed_out:
                continue
            u.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            u.close()
            t.close()
        _ports_handed_out.add(port)
        return port
    raise RuntimeError("no free port found")


def random_password(n=16):
    return "".join(random.choice(string.ascii_letters + string.digits) for _ in range(n))


class DataDir:
    """A temporary data dir holding switchboard.ini with known admin credentials."""

    def __init__(self, username="admin", password=None, keep=False, extra_ini=""):
        self.username = username
        self.password = password if password is not None else random_password()
        self.keep = keep
        self.path = tempfile.mkdtemp(prefix="sb-e2e-")
        self.ini = os.path.join(self.path, "switchboard.ini")
        with open(self.ini, "w") as f:
            f.write(f"[admin]\nusername = {self.username}\npassword = {self.password}\n")
            if extra_ini:
                f.write(extra_ini)

    def cleanup(self):
        if self.keep:
            print(f"    (kept data dir {self.path})")
            return
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


class Server:
    """One switchboard process. mode: serve | dns | provision."""

    def __init__(self, binary, mode, data, dns_port=None, soap_port=None, config=None):
        self.binary = binary
        self.mode = mode
        self.data = data
        self.dns_port = dns_port
        self.soap_port = soap_port
        self.config = config
        self.proc = None
        self.log_path = None
        self._log = None
        self._saved_output = b""

    @property
    def soap_url(self):
        return f"http://127.0.0.1:{self.soap_port}/ngnpro/"

    @property
    def wsdl_url(self):
        return f"http://127.0.0.1:{self.soap_port}/ngnpro/wsdl"

    def argv(self):
        argv = [self.binary, self.mode, "--data", self.data.path]
        if self.config:
            argv += ["--config", self.config]
        if self.dns_port is not None:
            argv += ["--dns", f"127.0.0.1:{self.dns_port}"]
        if self.soap_port is not None:
            argv += ["--soap", f"127.0.0.1:{self.soap_port}"]
        return argv

    def start(self, timeout=READY_TIMEOUT):
        fd, self.log_path = tempfile.mkstemp(prefix=f"sb-e2e-{self.mode}-", suffix=".log")
        os.close(fd)
        self._log = open(self.log_path, "wb")
        argv = self.argv()
        print("    $ " + " ".join(argv), flush=True)
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT)
        try:
            self.wait_ready(timeout)
        except Exception:
            self.stop()
            self.remove_log()
            raise
        return self

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        soap_ok = self.soap_port is None
        dns_ok = self.dns_port is None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise TestFailure(f"switchboard {self.mode} exited with {self.proc.returncode} "
                                  f"before it was ready; output:\n{self.output()}")
            if not soap_ok:
                soap_ok = tcp_connects(self.soap_port)
            if not dns_ok:
                dns_ok = dns_answers(self.dns_port)
            if soap_ok and dns_ok:
                return
            time.sleep(0.1)
        raise TestFailure(f"switchboard {self.mode} not ready within {timeout}s "
                          f"(soap={soap_ok}, dns={dns_ok}); output:\n{self.output()}")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        """SIGKILL, no chance to flush anything: what survives is what was committed."""
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._close_log()

    def stop(self, timeout=10):
        if self.proc is None:
            return
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                print(f"    switchboard {self.mode} ignored SIGTERM for {timeout}s; SIGKILL",
                      flush=True)
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._close_log()

    def _close_log(self):
        """Once the process is gone its output moves into memory and the file is deleted,
        so no caller leaks logs in /tmp (output() still works afterwards)."""
        if self._log:
            self._log.close()
            self._log = None
        if self.log_path and os.path.exists(self.log_path):
            with open(self.log_path, "rb") as f:
                self._saved_output += f.read()
            os.unlink(self.log_path)

    def output(self, tail=4000):
        data = self._saved_output
        if self.log_path and os.path.exists(self.log_path):
            with open(self.log_path, "rb") as f:
                data += f.read()
        return data[-tail:].decode("utf-8", "replace")

    def remove_log(self):
        if self.log_path and os.path.exists(self.log_path):
            os.unlink(self.log_path)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.stop()
        if exc_type is not None:
            print(f"    --- switchboard {self.mode} output (tail) ---\n{self.output()}",
                  flush=True)
        self.remove_log()


def start(args, mode, data, dns=True, soap=True):
    """`switchboard <mode>` in data with DNS and/or SOAP on free loopback ports, ready. A port
    that another process took between the pick and the bind (ctest runs tests side by side) is
    picked again, twice at most."""
    for attempt in range(3):
        srv = Server(args.binary, mode, data, dns_port=free_port() if dns else None,
                     soap_port=free_port() if soap else None)
        try:
            return srv.start()
        except TestFailure as e:
            if attempt == 2 or "Address already in use" not in str(e):
                raise
            print("    (a port was taken meanwhile: picking others)", flush=True)


def start_provision(args, data):
    """`switchboard provision` (SOAP only) on a free loopback port, ready."""
    return start(args, "provision", data, dns=False)


def start_serve(args, data):
    """`switchboard serve` (DNS and SOAP) on free loopback ports, ready."""
    return start(args, "serve", data)


def start_serve_www(args, data, zone):
    """`switchboard serve` holding `zone` with www.<zone> A 192.0.2.1, added over SOAP (a
    fault stops the test)."""
    srv = start_serve(args, data)
    for op, body in (
            ("addZone", f"<zone><name>{zone}</name><nameservers><item>ns1.{zone}</item>"
                        f"</nameservers></zone>"),
            ("addRecord", f"<record><zone>{zone}</zone><name>www</name><type>A</type>"
                          f"<value>192.0.2.1</value></record>")):
        resp = post_soap(srv.soap_port, build_envelope(op, body, data.username, data.password))
        if resp.status != 200 or b"Fault>" in resp.body:
            srv.stop()
            raise TestFailure(f"{op} {zone}: HTTP {resp.status} {resp.body[:400]!r}")
    return srv


def tcp_connects(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# --------------------------------------------------------------------------------------------
# DNS


class DnsAnswer:
    def __init__(self, rcode, flags, answer, authority, raw):
        self.rcode = rcode          # "NOERROR", "NXDOMAIN", ...
        self.flags = flags          # set of "qr", "aa", "tc", ...
        self.answer = answer        # [(name, ttl, class, type, rdata)]
        self.authority = authority  # idem
        self.raw = raw

    @property
    def aa(self):
        return "aa" in self.flags

    @property
    def tc(self):
        return "tc" in self.flags

    def rrs(self, rtype, section="answer"):
        return [rr for rr in getattr(self, section) if rr[3] == rtype]

    def __repr__(self):
        return (f"DnsAnswer(rcode={self.rcode}, flags={sorted(self.flags)}, "
                f"answer={self.answer}, authority={self.authority})")


_HEADER_RE = re.compile(r";; ->>HEADER<<- opcode: (\S+), status: (\S+), id: (\d+)")
_FLAGS_RE = re.compile(r";; flags:([^;]*);")


def parse_dig(text):
    """Parse dig output made with +nocmd +noall +answer +authority +comments."""
    rcode, flags = None, set()
    answer, authority = [], []
    section = None
    for line in text.splitlines():
        line = line.rstrip()
        if not line:
            continue
        m = _HEADER_RE.match(line)
        if m:
            rcode = m.group(2)
            continue
        m = _FLAGS_RE.match(line)
        if m:
            flags = set(m.group(1).split())
            continue
        if line.startswith(";;"):
            title = line[2:].strip()
            if title == "ANSWER SECTION:":
                section = answer
            elif title == "AUTHORITY SECTION:":
                section = authority
            elif title.endswith("SECTION:") or title.endswith("PSEUDOSECTION:"):
                section = None
            continue
        if line.startswith(";"):
            continue
        if section is None:
            continue
        parts = line.split(None, 4)
        if len(parts) < 4:
            continue
        name, ttl, cls, rtype = parts[0], int(parts[1]), parts[2], parts[3]
        rdata = parts[4] if len(parts) > 4 else ""
        section.append((name.lower(), ttl, cls, rtype, rdata))
    if rcode is None:
        raise ValueError("no header in dig output:\n" + text)
    return DnsAnswer(rcode, flags, answer, authority, text)


def recv_exact(sock, n):
    """n bytes from a stream socket; ConnectionError (an OSError) when it closes first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError(f"connection closed after {len(data)} of {n} bytes")
        data += chunk
    return data


def tcp_read_message(sock):
    """One DNS message from a TCP stream: a two-byte length, then the message (RFC 1035
    4.2.2)."""
    (length,) = struct.unpack("!H", recv_exact(sock, 2))
    return recv_exact(sock, length)


def dig(port, name, rtype="A", tcp=False, timeout=2, tries=2):
    argv = ["dig", "@127.0.0.1", "-p", str(port), name, rtype, "+norec", "+nocmd", "+noall",
            "+answer", "+authority", "+comments", f"+time={timeout}", f"+tries={tries}"]
    if tcp:
        argv.append("+tcp")
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout * tries + 10)
    if r.returncode != 0:
        raise TestFailure(f"dig {name} {rtype} on port {port} failed (exit {r.returncode}): "
                          f"{r.stdout}{r.stderr}")
    return parse_dig(r.stdout)


def dns_answers(port):
    """True when something answers a DNS query on the port (any rcode counts)."""
    try:
        r = subprocess.run(["dig", "@127.0.0.1", "-p", str(port), "readiness.invalid.", "SOA",
                            "+norec", "+time=1", "+tries=1", "+nocmd", "+noall", "+comments"],
                           capture_output=True, text=True, timeout=5)
    except subprocess.TimeoutExpired:
        return False
    return r.returncode == 0 and "->>HEADER<<-" in r.stdout


def strace_missing(ck):
    """True, with a failed check, when strace is not installed (the tests that count a
    server's system calls need it)."""
    if shutil.which("strace") is not None:
        return False
    ck.check(False, "strace is not installed (scripts/install-deps.sh installs it)")
    return True


def strace_during(pid, calls, path, action, *options):
    """action() run while strace follows `pid` (a process or thread; `options`: more strace
    flags, e.g. -f) for the system calls `calls`, written to `path`: (action's result,
    strace's lines)."""
    tracer = subprocess.Popen(["strace", "-qq", *options, "-p", str(pid), "-o", path,
                               "-e", "trace=" + ",".join(calls)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)  # attached
        result = action()
    finally:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(10)
    with open(path) as f:
        return result, f.read().splitlines()


def count_calls(lines, calls, within=""):
    """{system call: times} of the `calls` in strace's lines (only lines holding `within`)."""
    counts = {}
    for line in lines:
        name = line.split("(", 1)[0].split()[-1] if "(" in line else ""
        if name in calls and within in line:
            counts[name] = counts.get(name, 0) + 1
    return counts


def wait_for(predicate, timeout=5.0, interval=0.05):
    """Poll until predicate() is truthy; returns its last value (no timing assertion)."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value


def norm_rdata(rtype, rdata):
    """Normalise dig's rdata text so it compares with what a test expects."""
    rdata = " ".join(rdata.split())
    if rtype in ("A", "AAAA", "CNAME", "NS", "MX", "SRV", "PTR", "SOA"):
        rdata = rdata.lower()
    return rdata


# --------------------------------------------------------------------------------------------
# SOAP through zeep


def auth_element(username, password, admin=True, impersonate=0):
    """The unqualified <auth> header entry, shaped as the PHP client sends it (api §2)."""
    from lxml import etree
    xsi_type = "{%s}type" % NS_XSI
    nsmap = {"xsi": NS_XSI, "xsd": NS_XSD}
    auth = etree.Element("auth", nsmap=nsmap)
    for tag, value, typ in (("username", username, "xsd:string"),
                            ("password", password, "xsd:string"),
                            ("admin", "true" if admin else "false", "xsd:boolean"),
                            ("impersonate", str(impersonate), "xsd:int")):
        child = etree.SubElement(auth, tag)
        child.set(xsi_type, typ)
        child.text = value
    return auth


def make_transport():
    import zeep.transports

    class LocalTransport(zeep.transports.Transport):
        """Serves the public schemas zeep imports from local files; refuses other remote URLs
        except the server under test on 127.0.0.1."""

        def load(self, url):
            local = LOCAL_SCHEMAS.get(url) or LOCAL_SCHEMAS.get(url.rstrip("/") + "/")
            if local:
                with open(local, "rb") as f:
                    return f.read()
            if url.startswith(("http://", "https://")) and not re.match(
                    r"https?://(127\.0\.0\.1|localhost)[:/]", url):
                raise RuntimeError(f"e2e tests never reach outside the machine; zeep asked "
                                   f"for {url}")
            return super().load(url)

    return LocalTransport(timeout=30, operation_timeout=30)


class SoapClient:
    """A zeep client on the server's WSDL, bound to one port (DnsPort by default) at the
    server's real address, sending the auth header on every call."""

    def __init__(self, server, username, password, port_name="DnsPort", admin=True):
        import zeep
        self.zeep = zeep
        settings = zeep.Settings(strict=False, xml_huge_tree=True)
        self.client = zeep.Client(server.wsdl_url, transport=make_transport(), settings=settings)
        service = next(iter(self.client.wsdl.services.values()))
        port = service.ports[port_name]
        self.service = self.client.create_service(port.binding.name.text, server.soap_url)
        self.auth = auth_element(username, password, admin=admin)

    def type(self, name):
        return self.client.get_type("{%s}%s" % (NS_NGNPRO, name))

    def array(self, struct_type, member, values):
        """The value zeep needs for an array member (e.g. DnsZone.nameservers): a plain list
        for a SOAP-ENC:Array restriction, {'item': [...]} for a sequence of <item>."""
        values = list(values)
        try:
            el = dict(self.type(struct_type).elements)[member]
        except (LookupError, AttributeError):
            return values
        t = el.type
        if getattr(t, "_array_type", None) is not None:
            return values
        names = [n for n, _ in getattr(t, "elements", [])]
        if len(names) == 1:
            return {names[0]: values}
        return values

    def call(self, op, *args, **kwargs):
        return getattr(self.service, op)(*args, _soapheaders=[self.auth], **kwargs)

    def __getattr__(self, op):
        if op.startswith("_"):
            raise AttributeError(op)
        return lambda *a, **kw: self.call(op, *a, **kw)


def as_list(value):
    """A zeep array value (list, ArrayValue, object with one list member, None) as a list; a
    lone scalar as a list of one."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    for attr in ("item", "_value_1"):
        try:
            inner = value[attr]
        except (KeyError, TypeError, AttributeError):
            continue
        return as_list(inner)
    try:
        return list(value)
    except TypeError:
        return [value]


def fault_code(exc):
    """The detail/exception/errorcode of a zeep Fault, as an int (None when absent)."""
    detail = getattr(exc, "detail", None)
    if detail is None:
        return None
    for el in detail.iter():
        if isinstance(el.tag, str) and el.tag.split("}")[-1] == "errorcode":
            try:
                return int((el.text or "").strip())
            except ValueError:
                return None
    return None


def expect_fault(checker, code, what, fn, *args, **kwargs):
    """Call fn; the checker records a failure unless it raises a SOAP fault with errorcode."""
    import zeep.exceptions
    try:
        result = fn(*args, **kwargs)
    except zeep.exceptions.Fault as e:
        got = fault_code(e)
        checker.check(got == code, f"{what}: expected fault errorcode {code}, got {got} "
                                   f"({e.message})")
        return got
    checker.check(False, f"{what}: expected fault {code}, call succeeded with {result!r}")
    return None


# --------------------------------------------------------------------------------------------
# Raw HTTP, wire samples


class HttpResponse:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers  # {lower-case name: value}
        self.body = body        # bytes


def raw_request(port, request_line, headers, body, host="127.0.0.1", timeout=30):
    """Send bytes exactly as given (request line, headers in order, a fresh Content-Length)
    and read the response until the server closes (or Content-Length is reached)."""
    lines = [request_line]
    for k, v in headers:
        if k.lower() != "content-length":
            lines.append(f"{k}: {v}")
    lines.append(f"Content-Length: {len(body)}")
    data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(data)
        chunks = []
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
            resp = _try_parse_http(b"".join(chunks))
            if resp is not None:
                return resp
    resp = _try_parse_http(b"".join(chunks), eof=True)
    if resp is None:
        raise TestFailure(f"incomplete HTTP response: {b''.join(chunks)[:500]!r}")
    return resp


def _try_parse_http(data, eof=False):
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep:
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    status = int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        n = int(headers["content-length"])
        if len(rest) < n:
            return None
        return HttpResponse(status, reason, headers, rest[:n])
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(rest)
        if body is None:
            return None if not eof else HttpResponse(status, reason, headers, rest)
        return HttpResponse(status, reason, headers, body)
    if not eof:
        return None
    return HttpResponse(status, reason, headers, rest)


def _dechunk(data):
    out = b""
    while True:
        line, sep, data = data.partition(b"\r\n")
        if not sep:
            return None
        size = int(line.split(b";")[0], 16)
        if size == 0:
            return out
        if len(data) < size + 2:
            return None
        out += data[:size]
        data = data[size + 2:]


class WireSample:
    """A recorded client request: the HTTP request line and headers from its leading comment,
    the envelope after it as the body."""

    def __init__(self, path):
        self.path = path
        self.name = os.path.basename(path)[:-len(".xml")]   # "DnsPort.addZone"
        self.op = self.name.split(".")[1]                     # "addZone"
        text = open(path, encoding="utf-8").read()
        m = re.search(r"<!--(.*?)-->", text, re.S)
        if not m:
            raise ValueError(f"{path}: no leading comment")
        self.request_line = None
        self.headers = []
        for line in m.group(1).splitlines():
            line = line.strip()
            if re.match(r"^(POST|GET) \S+ HTTP/\d\.\d$", line):
                self.request_line = line
                continue
            if self.request_line and not self.headers_done(line):
                k, _, v = line.partition(":")
                self.headers.append((k.strip(), v.strip()))
            elif self.request_line:
                break
        if not self.request_line:
            raise ValueError(f"{path}: no request line in the leading comment")
        # The body is the XML declaration (if the file has one) plus the envelope after the
        # comment: what the client put on the wire, minus the recorder's annotation.
        decl = re.match(r"\s*(<\?xml[^>]*\?>)", text)
        self.envelope = ((decl.group(1) + "\n") if decl else "") + text[m.end():].lstrip()

    @staticmethod
    def headers_done(line):
        return not line or not re.match(r"^[A-Za-z-]+: ", line)

    @property
    def path_part(self):
        return self.request_line.split()[1]

    def body(self, replacements=()):
        env = self.envelope
        for old, new in replacements:
            if old not in env:
                raise ValueError(f"{self.name}: {old!r} not in the envelope")
            env = env.replace(old, new, 1)
        return env.encode("utf-8")

    def post(self, port, replacements=()):
        return raw_request(port, self.request_line, self.headers, self.body(replacements))


def load_samples(prefix):
    return {s.name.split(".", 1)[1]: s
            for s in (WireSample(os.path.join(SAMPLES_DIR, f))
                      for f in sorted(os.listdir(SAMPLES_DIR))
                      if f.startswith(prefix + ".") and f.endswith(".xml"))}


def soap_body_child(xml_bytes):
    """(root, first child of SOAP-ENV:Body) of a SOAP response."""
    root = ET.fromstring(xml_bytes)
    body = root.find(f"{{{NS_SOAP_ENV}}}Body")
    if body is None:
        raise TestFailure("response has no SOAP-ENV:Body: "
                          + xml_bytes[:500].decode("utf-8", "replace"))
    children = list(body)
    return root, (children[0] if children else None)


def raw_fault_code(elem):
    for el in elem.iter():
        if el.tag.split("}")[-1] == "errorcode":
            return int((el.text or "").strip())
    return None


def build_envelope(op, body_xml, username, password, ns=NS_DNS, admin=True):
    """A request envelope shaped like the PEAR client's (prefixes ns4/ns5, unqualified auth)."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="{NS_SOAP_ENV}" xmlns:xsd="{NS_XSD}" xmlns:xsi="{NS_XSI}" \
xmlns:SOAP-ENC="{NS_SOAP_ENC}" xmlns:ns4="{NS_NGNPRO}" xmlns:ns5="{ns}" \
SOAP-ENV:encodingStyle="{NS_SOAP_ENC}">
<SOAP-ENV:Header>
<auth>
<username xsi:type="xsd:string">{username}</username>
<password xsi:type="xsd:string">{password}</password>
<admin xsi:type="xsd:boolean">{"true" if admin else "false"}</admin>
<impersonate xsi:type="xsd:int">0</impersonate></auth>
</SOAP-ENV:Header>
<SOAP-ENV:Body>
<ns5:{op}>{body_xml}</ns5:{op}>
</SOAP-ENV:Body>
</SOAP-ENV:Envelope>""".encode("utf-8")


def post_soap(port, body, path="/ngnpro/"):
    """POST an envelope the way CDRTool does (HTTP/1.0, SOAPAction "", Connection: close)."""
    headers = [("Host", "127.0.0.1"), ("Content-Type", "text/xml; charset=UTF-8"),
               ("SOAPAction", '""'), ("User-Agent", "PEAR-SOAP 0.11.0-beta"),
               ("Connection", "close")]
    return raw_request(port, f"POST {path} HTTP/1.0", headers, body)
