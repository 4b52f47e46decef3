"""Shared helpers of the dns4 tests: a small DNS wire codec (no dnspython in Debian's
python3 here), free ports, and starting/stopping switchboard, NSD and Knot on loopback."""

import argparse
import base64
import http.client
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

from sbtest import build_envelope, free_port, tcp_read_message  # noqa: E402, F401 - free_port: for the tests
ZONES = os.path.join(HERE, "zones")
ZONE_NAMES = ["example.com", "example.net", "child.example.com"]

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
         "LOC": 29, "SRV": 33, "NAPTR": 35, "OPT": 41, "DS": 43, "TSIG": 250, "IXFR": 251,
         "AXFR": 252, "ANY": 255, "CAA": 257, "RRSIG": 46, "NSEC": 47, "DNSKEY": 48,
         "NSEC3": 50, "NSEC3PARAM": 51}
TYPE_NAMES = {v: k for k, v in TYPES.items()}
# Types whose rdata holds names at fixed places: compressed or not (RFC 3597 §4), they are
# compared decompressed and lowercased, since names compare case-insensitively (RFC 4343 §3)
# and NSD lowercases the names inside rdata when it loads a zone.
NAME_FIELDS = {2: "n", 3: "n", 4: "n", 5: "n", 7: "n", 8: "n", 9: "n", 12: "n", 14: "nn",
               15: "2n", 6: "nn20", 17: "nn", 18: "2n", 21: "2n", 26: "2nn", 33: "6n",
               36: "2n", 39: "n", 58: "nn", 107: "2n"}


# ---- wire codec -------------------------------------------------------------------------

def encode_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def make_query(name, qtype, qclass=1, qid=None, edns=None, edns_version=0, do=False,
               opcode=0, qdcount=None, rd=False, options=b""):
    qid = random.randrange(65536) if qid is None else qid
    flags = (opcode << 11) | (0x0100 if rd else 0)
    t = TYPES[qtype] if isinstance(qtype, str) else qtype
    question = encode_name(name) + struct.pack("!HH", t, qclass)
    nq = 1 if qdcount is None else qdcount
    body = question * nq if nq > 0 else b""
    ar = 0
    if edns is not None:
        ttl = (edns_version << 16) | (0x8000 if do else 0)
        body += b"\0" + struct.pack("!HHIH", 41, edns, ttl, len(options)) + options
        ar = 1
    return struct.pack("!HHHHHH", qid, flags, nq, 0, 0, ar) + body


def read_name(msg, pos):
    """Returns (name lowercased with case kept separately, next position)."""
    labels = []
    end = None
    hops = 0
    while True:
        if pos >= len(msg):
            raise ValueError("name runs past the message")
        n = msg[pos]
        if n & 0xC0 == 0xC0:
            if end is None:
                end = pos + 2
            pos = ((n & 0x3F) << 8) | msg[pos + 1]
            hops += 1
            if hops > 64:
                raise ValueError("pointer loop")
            continue
        if n == 0:
            pos += 1
            break
        labels.append(msg[pos + 1:pos + 1 + n].decode("latin-1"))
        pos += 1 + n
    return ".".join(labels) + ".", (end if end is not None else pos)


def canonical_rdata(msg, rtype, start, rdlength):
    """Rdata with embedded names decompressed and lowercased, as bytes for comparison."""
    fmt = NAME_FIELDS.get(rtype)
    if fmt is None:
        return msg[start:start + rdlength].hex()
    pos = start
    out = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "n":
            name, pos = read_name(msg, pos)
            out.append(name.lower())
            i += 1
        else:
            j = i
            while j < len(fmt) and fmt[j].isdigit():
                j += 1
            n = int(fmt[i:j])
            out.append(msg[pos:pos + n].hex())
            pos += n
            i = j
    return " ".join(out)


class Response:
    def __init__(self, msg):
        self.raw = msg
        (self.id, self.flags, qd, an, ns, ar) = struct.unpack("!HHHHHH", msg[:12])
        pos = 12
        self.question = []
        for _ in range(qd):
            name, pos = read_name(msg, pos)
            t, c = struct.unpack("!HH", msg[pos:pos + 4])
            pos += 4
            self.question.append((name, t, c))
        self.sections = []
        self.opt = None
        for count in (an, ns, ar):
            rrs = []
            for _ in range(count):
                name, pos = read_name(msg, pos)
                t, c, ttl, rdl = struct.unpack("!HHIH", msg[pos:pos + 10])
                pos += 10
                if t == 41:
                    self.opt = (c, ttl, msg[pos:pos + rdl])
                else:
                    rrs.append((name.lower(), TYPE_NAMES.get(t, str(t)), c, ttl,
                                canonical_rdata(msg, t, pos, rdl)))
                pos += rdl
            self.sections.append(rrs)
        if pos != len(msg):
            raise ValueError("%d trailing bytes" % (len(msg) - pos))

    @property
    def rcode(self):
        ext = (self.opt[1] >> 24) if self.opt else 0
        return (ext << 4) | (self.flags & 0xF)

    @property
    def aa(self):
        return bool(self.flags & 0x0400)

    @property
    def tc(self):
        return bool(self.flags & 0x0200)

    @property
    def answer(self):
        return self.sections[0]

    @property
    def authority(self):
        return self.sections[1]

    @property
    def additional(self):
        return self.sections[2]


def udp_exchange(port, msg, timeout=2.0):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(msg, ("127.0.0.1", port))
        data, _ = s.recvfrom(65535)
        return data


def tcp_exchange(port, msg, timeout=3.0):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(struct.pack("!H", len(msg)) + msg)
        return tcp_read_message(s)


def query(port, msg, tcp=False):
    return Response(tcp_exchange(port, msg) if tcp else udp_exchange(port, msg))


# ---- processes -------------------------------------------------------------------------

def wait_for_dns(port, name="example.com", timeout=10.0, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            udp_exchange(port, make_query(name, "SOA"), timeout=0.3)
            return
        except (socket.timeout, ConnectionRefusedError, OSError):
            time.sleep(0.1)
    raise RuntimeError("no DNS answer on port %d" % port)


class Proc:
    """A server process with its own temp dir; stop() terminates it and removes the dir."""

    def __init__(self, argv, workdir, log_name):
        self.workdir = workdir
        self.log_path = os.path.join(workdir, log_name)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     cwd=workdir, start_new_session=True)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def output(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")


def run(argv, **kw):
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)
    if r.returncode != 0:
        raise RuntimeError("%s failed (%d): %s" % (" ".join(argv), r.returncode,
                                                   r.stderr.decode(errors="replace")))
    return r.stdout.decode()


def import_zones(binary, data, files):
    for f in files:
        run([binary, "zone", "import", f, "--data", data])


def start_switchboard(binary, workdir, ini="", command="dns", soap_port=None, zone_files=(),
                      port=None):
    """Starts `switchboard COMMAND` on loopback (DNS on `port`, or a free one), `ini` appended
    to its data dir's switchboard.ini (a restart passes none). Returns a Proc with .port."""
    data = os.path.join(workdir, "data")
    os.makedirs(data, exist_ok=True)
    with open(os.path.join(data, "switchboard.ini"), "a") as f:
        f.write(ini)
    import_zones(binary, data, zone_files)
    port = port or free_port()
    argv = [binary, command, "--data", data, "--dns", "127.0.0.1:%d" % port]
    if soap_port is not None:
        argv += ["--soap", "127.0.0.1:%d" % soap_port]
    p = Proc(argv, workdir, "switchboard.log")
    p.port = port
    p.data = data
    try:
        wait_for_dns(port, proc=p.proc)
    except Exception:
        p.stop()
        raise RuntimeError("switchboard did not start:\n" + p.output())
    return p


def start_refusal(binary, workdir, ini):
    """Starts switchboard with `ini`, expecting it to refuse: the error text, or None when it
    started (it is stopped then)."""
    try:
        start_switchboard(binary, workdir, ini=ini).stop()
        return None
    except RuntimeError as e:
        return str(e)


def refusal(binary, prefix, ini):
    """start_refusal in a directory of its own (named from `prefix`), removed after: the error
    text, "" when the server started."""
    workdir = tempdir(prefix)
    try:
        return start_refusal(binary, workdir, ini) or ""
    finally:
        cleanup((), (workdir,))


def tsig_secret(seed):
    """A TSIG secret made from `seed`: base64 of 32 bytes, the same at every run."""
    return base64.b64encode(seed.encode().ljust(32, b"!")).decode()


def tsig_key_value(keys):
    """The [dns] tsig_key value for `keys`, {name: (algorithm, secret)}."""
    return " ".join("%s:%s:%s" % (name, alg, secret) for name, (alg, secret) in keys.items())


def start_tsig_switchboard(binary, workdir, keys, zones, extra_ini=""):
    """`switchboard dns` (one worker) with the zones/ files of `zones` imported and the TSIG
    `keys` ({name: (algorithm, secret)}) in [dns] tsig_key, `extra_ini` after. A Proc."""
    ini = "[dns]\nworkers = 1\ntsig_key = %s\n%s" % (tsig_key_value(keys), extra_ini)
    return start_switchboard(binary, workdir, ini=ini,
                             zone_files=[os.path.join(ZONES, z + ".zone") for z in zones])


def kdig_axfr(port, zone, key=None):
    """kdig's AXFR of `zone`, signed with key = (algorithm, name, secret) when given; kdig
    verifies the TSIG of every answer message and warns (";; WARNING") when one is bad."""
    return kdig(port, (["-y", "%s:%s:%s" % key] if key else []) + ["AXFR", zone])


NSD = shutil.which("nsd") or "/usr/sbin/nsd"
KNOTD = shutil.which("knotd") or "/usr/sbin/knotd"


def start_knot_secondary(workdir, primary_port, port, zones, tsig_secret=None):
    """Knot as a secondary of Switchboard (127.0.0.1:primary_port) for `zones`, NOTIFY
    accepted from 127.0.0.1, TSIG key xfrkey (hmac-sha512) when tsig_secret is given. Returns
    a Proc with .port."""
    key = ("key:\n  - id: xfrkey\n    algorithm: hmac-sha512\n    secret: %s\n" % tsig_secret
           if tsig_secret else "")
    use_key = "    key: xfrkey\n" if tsig_secret else ""
    conf = os.path.join(workdir, "knot.conf")
    with open(conf, "w") as f:
        f.write(knot_header(port, workdir) + """%(key)sremote:
  - id: primary
    address: 127.0.0.1@%(primary)d
%(use_key)sacl:
  - id: from_primary
    address: 127.0.0.1
    action: notify
%(use_key)stemplate:
  - id: default
    storage: "%(dir)s"
    zonefile-sync: -1
    zonefile-load: none
    journal-content: changes
zone:
""" % {"port": port, "dir": workdir, "primary": primary_port, "key": key, "use_key": use_key}
                + "".join("  - domain: %s\n    master: primary\n    acl: from_primary\n" % z
                          for z in zones))
    p = Proc([KNOTD, "-c", conf], workdir, "knot.log")
    p.port = port
    return p


def start_nsd(workdir, zones, extra_server="", extra_zone=""):
    """zones: list of (name, zonefile path). Returns a Proc with .port."""
    port = free_port()
    conf = os.path.join(workdir, "nsd.conf")
    lines = ["server:",
             "  ip-address: 127.0.0.1@%d" % port,
             "  port: %d" % port,
             '  username: ""',
             '  chroot: ""',
             "  zonesdir: \"%s\"" % workdir,
             "  database: \"\"",
             "  pidfile: \"%s/nsd.pid\"" % workdir,
             "  xfrdfile: \"%s/xfrd.state\"" % workdir,
             "  zonelistfile: \"%s/zone.list\"" % workdir,
             "  xfrdir: \"%s\"" % workdir,
             "  server-count: 1",
             "  verbosity: 1",
             extra_server,
             "remote-control:",
             "  control-enable: no"]
    for name, path in zones:
        lines += ["zone:", "  name: %s" % name, "  zonefile: \"%s\"" % path, extra_zone]
    with open(conf, "w") as f:
        f.write("\n".join(lines) + "\n")
    p = Proc([NSD, "-d", "-c", conf], workdir, "nsd.log")
    p.port = port
    return p


def parse_args(*switches, **options):
    """The command line of a dns4 test: --binary (made absolute), the given on/off switches
    (e.g. "--verbose") and options with their defaults (zones=1000: --zones N, an int)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    for switch in switches:
        ap.add_argument(switch, action="store_true")
    for name, default in options.items():
        ap.add_argument("--" + name.replace("_", "-"), type=type(default), default=default)
    args = ap.parse_args()
    args.binary = os.path.abspath(args.binary)
    return args


def report(failures, summary):
    """Prints each failure and `summary` (with %d for their count); the test's exit code."""
    for f in failures:
        print("FAIL " + f)
    print(summary % len(failures))
    return 1 if failures else 0


def tempdir(prefix):
    return tempfile.mkdtemp(prefix=prefix)


def cleanup(procs, dirs):
    """Stops the servers (None: one that was not started), then removes their directories."""
    for p in procs:
        if p is not None:
            p.stop()
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


def knot_header(port, workdir):
    """The server, log and database sections of a knot.conf serving on 127.0.0.1@port."""
    return """server:
    listen: 127.0.0.1@%(port)d
    rundir: "%(dir)s"
log:
  - target: stderr
    any: info
database:
    storage: "%(dir)s"
""" % {"port": port, "dir": workdir}


def wait_until(predicate, limit, step=0.02):
    """Seconds until predicate() held, or None after `limit` seconds."""
    start = time.time()
    while time.time() - start < limit:
        if predicate():
            return time.time() - start
        time.sleep(step)
    return None


def answers(port, name, qtype="A"):
    """(rcode, AA, sorted answer rdata) of a UDP query, None when nothing came back."""
    try:
        r = query(port, make_query(name, qtype))
    except OSError:
        return None
    return (r.rcode, r.aa, sorted(x[4] for x in r.answer))


def metric(metrics_port, series):
    """The value of `series` (name{labels}) in a server's /metrics, -1 when absent."""
    c = http.client.HTTPConnection("127.0.0.1", metrics_port, timeout=5)
    c.request("GET", "/metrics")
    text = c.getresponse().read().decode()
    c.close()
    m = re.search(r'^%s (\d+)$' % re.escape(series), text, re.M)
    return int(m.group(1)) if m else -1


def xfr_in(metrics_port, kind):
    """switchboard_dns_xfr_in_total{type=kind} from a server's /metrics, -1 when absent."""
    return metric(metrics_port, 'switchboard_dns_xfr_in_total{type="%s"}' % kind)


def kdig(port, args):
    """kdig at 127.0.0.1:port with `args`, DNSSEC data left out; its output as text."""
    out = subprocess.run(["kdig", "-p", str(port), "@127.0.0.1", "+nocrypto"] + args,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20)
    return out.stdout.decode(errors="replace")


ADMIN_PASSWORD = "dns4-secret"  # the [admin] password the SOAP tests' ini files set


def soap_call(port, op, body_xml, ns=None):
    """`op` with `body_xml` as the admin, over HTTP (DnsPort, or the port of namespace `ns`);
    returns the answer; raises on a fault or non-200."""
    envelope = (build_envelope(op, body_xml, "admin", ADMIN_PASSWORD) if ns is None else
                build_envelope(op, body_xml, "admin", ADMIN_PASSWORD, ns=ns))
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    c.request("POST", "/ngnpro/", envelope,
              {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'})
    r = c.getresponse()
    data = r.read().decode(errors="replace")
    c.close()
    if r.status != 200 or "Fault" in data:
        raise RuntimeError("SOAP %s failed: %d %s" % (op, r.status, data))
    return data
