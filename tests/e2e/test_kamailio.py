#!/usr/bin/python3
"""Kamailio runs on the provisioned data: Switchboard + Kamailio 5.6 (kamailio/kamailio.cfg)
+ SIPp (Debian sip-tester), everything on loopback ports picked at run time.

`switchboard serve` holds the data (provisioned over SOAP with zeep) and answers DNS on
127.53.x.y:53; Kamailio runs in a private mount namespace whose /etc/resolv.conf names that
address (glibc's resolver takes no port), so its ENUM and RFC 3263 lookups reach
Switchboard's DNS. SIPp plays the phones (the scenarios in sipp/ next to this file) and the PSTN
gateways.

What it checks (Done when 1 and 2 of issue 17):
 register    alice registers with the right password; a wrong password is challenged again;
             carol (group blocked) gets 403; the registration shows in getSipDeviceLocations.
 alias       a call to sales@ (an alias of bob) reaches bob's registered device.
 func        a call to erin (FUNC → sip:bob@) reaches bob, with a Diversion header;
             fred (FNOL, not registered) and gus (FBUS, his device answers 486) too.
 reject      a call from alice to gina (reject member sip:alice@) is declined (603);
             blocked carol's call is refused (403); both are call records (getCalls).
 trusted     a call from the trusted peer 127.0.0.2 is relayed without a challenge; its national
             number 030… becomes +4930… (the peer's strip and prefix) and takes the PSTN route;
             its 089… goes by ENUM only once its enumLookup is set (the next call).
 pstn        +4930… goes to the gateway of the route 004930 (not the one of 0049), the
             number as the gateway's rule writes it; +4940… to the 0049 gateway.
 enum        +4989… (also under the 0049 route) goes to bob by the NAPTR Switchboard answers.
 rfc3263     carl@remote.example.test (not ours) is reached by the NAPTR, SRV (its port) and A
             records Switchboard's DNS answers.
 calls       getCalls shows alice's calls as dialled (an alias's for its account too),
             getCallStatistics counts them.
 prepaid     dave's balance pays 3 s at the rate: the proxy reserves them (proxy/v1/reserve),
             hangs the call up after 3 s and settles it (proxy/v1/settle: state "settled",
             not the server's expiry); the balance is debited (getPrepaidStatus).
 soap_change a new password, the group blocked and a removed diversion take effect on the
             very next request; the unanswered call to erin is her missed call (getCalls).
 unanswered  a prepaid call refused after its reservation (erin unavailable, 480) settles 0 s:
             the whole reservation returns to the balance.
 no_settle   Kamailio is killed (SIGKILL) during a prepaid call, so no settle ever comes:
             Switchboard charges the reservation itself once its 3-4 s and the grace period
             ([soap] prepaid_grace = 4) have passed (state "expired", the balance debited).

Usage: /usr/bin/python3 test_kamailio.py --binary PATH/TO/switchboard [--kamailio-cfg PATH]
"""

import base64
import json
import os
import random
import signal
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "dns4"))

import sbtest  # noqa: E402
from dns4lib import Proc  # noqa: E402
from sbtest import (Checker, DataDir, Server, SoapClient, TestFailure, as_list,  # noqa: E402
                    free_port, wait_for)

DOMAIN = "sip.example.test"
REMOTE = "remote.example.test"  # a SIP domain of someone else, in Switchboard's DNS
CFG = os.path.join(HERE, "..", "..", "kamailio", "kamailio.cfg")
RATE = 1.0  # price per minute of a prepaid call
GRACE = 4  # [soap] prepaid_grace: seconds before Switchboard charges an unsettled reservation


def sid(user):
    return {"username": user, "domain": DOMAIN}


def free_udp_port(host):
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class DnsServer(Server):
    """`switchboard serve` with DNS on <dns_ip>:53 (what a resolv.conf can name)."""

    def __init__(self, binary, data, dns_ip):
        super().__init__(binary, "serve", data, dns_port=None, soap_port=free_port())
        self.dns_ip = dns_ip

    def argv(self):
        return super().argv() + ["--dns", f"{self.dns_ip}:53"]


class Kamailio:
    def __init__(self, workdir, sip_port, soap_port, data, dns_ip):
        self.dir = workdir
        self.port = sip_port
        shutil.copy(CFG, os.path.join(workdir, "kamailio.cfg"))
        with open(os.path.join(workdir, "switchboard-local.cfg"), "w") as f:
            f.write(f"listen=udp:127.0.0.1:{sip_port}\n"
                    f'#!define SB_HTTPCON "sb=>http://{data.username}:{data.password}'
                    f'@127.0.0.1:{soap_port}/ngnpro"\n'
                    f'#!define PREPAID_RATE "{RATE:g}"\n'
                    "#!define SB_CHILDREN 2\n")
        self.resolv = os.path.join(workdir, "resolv.conf")
        with open(self.resolv, "w") as f:
            f.write(f"nameserver {dns_ip}\noptions attempts:1 timeout:1\n")
        self.proc = None

    def start(self):
        cfg = os.path.join(self.dir, "kamailio.cfg")
        cmd = (f"mount --bind {self.resolv} /etc/resolv.conf && "
               f"exec kamailio -DD -E -f {cfg} -Y {self.dir} -w {self.dir}")
        print(f"    $ unshare -m sh -c '{cmd}'", flush=True)
        self.proc = Proc(["unshare", "-m", "sh", "-c", cmd], self.dir, "kamailio.log")
        wait_for(lambda: "Listening on" in self.output() or self.proc.proc.poll() is not None,
                 timeout=10)
        time.sleep(0.5)
        if self.proc.proc.poll() is not None:
            raise TestFailure(f"kamailio exited: {self.output()}")
        return self

    def output(self):
        return self.proc.output()

    def kill(self):
        """SIGKILL to every Kamailio process: nothing it queued is sent."""
        os.killpg(self.proc.proc.pid, signal.SIGKILL)
        self.proc.proc.wait()

    def stop(self):
        if self.proc:
            self.proc.stop()


def reservation(srv, data, call_id):
    """GET <base>proxy/v1/reservation?call_id=…: the prepaid reservation of a call."""
    req = urllib.request.Request(
        f"http://127.0.0.1:{srv.soap_port}/ngnpro/proxy/v1/reservation?"
        + urllib.parse.urlencode({"call_id": call_id}),
        headers={"Authorization": "Basic " + base64.b64encode(
            f"{data.username}:{data.password}".encode()).decode()})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


class Sipp:
    """One SIPp run (-m 1) against the proxy; its message trace tells what it saw."""

    def __init__(self, workdir, proxy_port, scenario, name, local_ip="127.0.0.1", port=None,
                 keys=None, auth=None, service=None, hold_ms=500, call_id=None):
        self.trace = os.path.join(workdir, f"{name}.msg")
        self.port = port or free_udp_port(local_ip)
        argv = ["sipp", "-sf", os.path.join(HERE, "sipp", scenario), "-m", "1", "-i", local_ip,
                "-p", str(self.port), "-mp", str(free_udp_port(local_ip)), "-nostdin",
                "-timeout", "25s", "-timeout_error", "-d", str(hold_ms), "-trace_msg",
                "-message_file", self.trace, "-default_behaviors", "all,-bye"]
        if scenario != "uas.xml":
            argv.insert(1, f"127.0.0.1:{proxy_port}")
        for k, v in (keys or {}).items():
            argv += ["-key", k, str(v)]
        if auth:
            argv += ["-au", auth[0], "-ap", auth[1]]
        if service:
            argv += ["-s", service]
        if call_id:
            argv += ["-cid_str", call_id]
        self.argv = argv
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, cwd=workdir)

    def wait(self, timeout=30):
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode

    def messages(self):
        if not os.path.exists(self.trace):
            return ""
        with open(self.trace, encoding="utf-8", errors="replace") as f:
            return f.read()

    def first_line_of(self, method):
        """The request line of the first `method` request received."""
        for line in self.messages().splitlines():
            if line.startswith(method + " sip:"):
                return line
        return ""

    def final_codes(self):
        return [int(line.split()[1]) for line in self.messages().splitlines()
                if line.startswith("SIP/2.0 ") and line.split()[1][0] in "3456"]


class Rig:
    def __init__(self, ck, work, kam, soap):
        self.ck = ck
        self.work = work
        self.kam = kam
        self.soap = soap
        self.n = 0

    def sipp(self, scenario, **kw):
        self.n += 1
        return Sipp(self.work, self.kam.port, scenario, f"{self.n:02d}-{scenario[:-4]}", **kw)

    def register(self, user, password, contact_port=5060, expect_ok=True):
        s = self.sipp("register.xml" if expect_ok else "register_refused.xml",
                      keys={"user": user, "domain": DOMAIN, "contact_port": contact_port,
                            "expires": 600},
                      auth=(user, password))
        rc = s.wait()
        return rc, s

    def call(self, caller, password, callee, uas_port, scenario="uac.xml", **kw):
        """A call from caller to callee answered by a SIPp UAS on uas_port (None: no UAS).
        Returns (uac rc, uac, uas)."""
        uas = self.sipp("uas.xml", port=uas_port) if uas_port else None
        time.sleep(0.2)
        callee, _, to_domain = callee.partition("@")
        uac = self.sipp(scenario, keys={"user": caller, "domain": DOMAIN,
                                        "to_domain": to_domain or DOMAIN},
                        auth=(caller, password) if password else None, service=callee, **kw)
        rc = uac.wait()
        if uas:
            if uas.wait(timeout=10 if rc == 0 else 1) is None:
                pass
        return rc, uac, uas


def provision(ck, data, srv, gw30, gw49, remote_port):
    sip = SoapClient(srv, data.username, data.password, port_name="SipPort")
    enum = SoapClient(srv, data.username, data.password, port_name="EnumPort")
    dns = SoapClient(srv, data.username, data.password, port_name="DnsPort")
    # A SIP domain that is not ours, found by RFC 3263: NAPTR → SRV (the port) → A.
    dns.addZone(zone={"name": REMOTE, "nameservers": dns.array("DnsZone", "nameservers",
                                                               ["ns1.example.net"])})
    for name, rtype, value, priority in (
            ("@", "NAPTR", f'10 10 "S" "SIP+D2U" "" _sip._udp.{REMOTE}', 0),
            ("_sip._udp", "SRV", f"0 {remote_port} pbx.{REMOTE}", 10),
            ("pbx", "A", "127.0.0.1", 0)):
        dns.addRecord(record={"zone": REMOTE, "name": name, "type": rtype, "ttl": 60,
                              "value": value, "priority": priority})
    arr = lambda values: list(values)  # noqa: E731  (top-level SOAP-ENC arrays)
    sip.addDomain(domain={"domain": DOMAIN})

    def account(user, password, **kw):
        a = {"id": sid(user), "password": password}
        if "groups" in kw:
            kw["groups"] = sip.array("SipAccount", "groups", kw["groups"])
        a.update(kw)
        sip.addAccount(account=a)
    account("alice", "alice-pw")
    account("bob", "bob-pw")
    account("carol", "carol-pw", groups=["blocked"])
    account("erin", "erin-pw")
    account("gina", "gina-pw")
    account("dave", "dave-pw", prepaid=True)
    account("fred", "fred-pw")
    account("gus", "gus-pw")
    sip.addAlias(alias={"id": sid("sales"), "target": sid("bob")})
    sip.setCallDiversions(sipId=sid("erin"), diversions={"FUNC": f"sip:bob@{DOMAIN}"})
    sip.setCallDiversions(sipId=sid("fred"), diversions={"FNOL": f"sip:bob@{DOMAIN}"})
    sip.setCallDiversions(sipId=sid("gus"), diversions={"FBUS": f"sip:bob@{DOMAIN}"})
    sip.setRejectMembers(sipId=sid("gina"), members=arr([f"sip:alice@{DOMAIN}"]))
    # The PBX dials national numbers: 0 stripped, +49 added.
    sip.addTrustedPeer(peer={"ip": "127.0.0.2", "description": "pbx", "protocol": "udp",
                             "strip": 1, "prefix": "+49"})
    sip.addBalance(sipId=sid("dave"), value=3 * RATE / 60, description="3 seconds")
    ids = {}
    for name, port, prefix, rule in (("berlin", gw30, "004930", "4930"),
                                     ("germany", gw49, "0049", "49")):
        sip.addCarrier(carrier={"name": name})
        cid = int(as_list(sip.getCarriers(query={"filter": {"name": name}}).carriers)[0].id)
        sip.addGateway(gateway={"name": f"gw-{name}", "carrier_id": cid, "ip": "127.0.0.1",
                                "port": port, "transport": "udp"})
        gid = int(as_list(sip.getGateways(query={"filter": {"name": f"gw-{name}"}})
                          .gateways)[0].id)
        # The gateway takes the national number: strip the country code, dial 0 + rest.
        sip.addGatewayRule(rule={"gateway_id": gid, "prefix": rule, "strip": 2, "prepend": "0"})
        sip.addRoutes(routes=arr([{"prefix": prefix, "carrier_id": cid, "priority": 1}]))
        ids[name] = cid
    enum.addRange(range={"id": {"prefix": "4989", "tld": "e164.arpa"}, "ttl": 60,
                         "minDigits": 10, "maxDigits": 12,
                         "nameservers": enum.array("EnumRange", "nameservers",
                                                   ["ns1.example.net"])})
    enum.addNumber(number={"id": {"number": "4989123456", "tld": "e164.arpa"},
                           "mappings": enum.array("EnumNumber", "mappings", [
                               {"type": "sip", "mapto": f"sip:bob@{DOMAIN}",
                                "priority": 10}])})
    return sip


def test_proxy(args):
    ck = Checker("proxy")
    dns_ip = f"127.53.{random.randint(1, 254)}.{random.randint(1, 254)}"
    work = tempfile.mkdtemp(prefix="sb-kamailio-")
    kam = None
    ini = f"[dns]\nnameservers = ns1.example.net\n[soap]\nprepaid_grace = {GRACE}\n"
    try:
        with DataDir(keep=args.keep, extra_ini=ini) as data, \
                DnsServer(args.binary, data, dns_ip).start() as srv:
            bob_port = free_udp_port("127.0.0.1")
            gw30, gw49 = free_udp_port("127.0.0.1"), free_udp_port("127.0.0.1")
            remote_port = free_udp_port("127.0.0.1")
            sip = provision(ck, data, srv, gw30, gw49, remote_port)
            kam = Kamailio(work, free_udp_port("127.0.0.1"), srv.soap_port, data, dns_ip).start()
            rig = Rig(ck, work, kam, sip)
            rig.reservation = lambda call_id: reservation(srv, data, call_id)
            checks(ck, rig, sip, bob_port, gw30, gw49, remote_port)
            no_settle(ck, rig, sip, bob_port)
            if ck.errors:
                print("    --- kamailio (tail) ---\n" + kam.output()[-4000:], flush=True)
    finally:
        if kam:
            kam.stop()
            if args.keep:
                print(f"    (kept {work})")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    ck.done()


def checks(ck, rig, sip, bob_port, gw30, gw49, remote_port):
    # register
    rc, s = rig.register("alice", "alice-pw")
    ck.eq(rc, 0, f"alice registers with her password ({s.final_codes()})")
    rc, s = rig.register("alice", "wrong", expect_ok=False)
    ck.eq((rc, s.final_codes()[-1:]), (0, [401]), "a wrong password is challenged again")
    rc, s = rig.register("carol", "carol-pw", expect_ok=False)
    ck.eq((rc, s.final_codes()[-1:]), (0, [403]), "blocked carol is refused")
    rc, s = rig.register("bob", "bob-pw", contact_port=bob_port)
    ck.eq(rc, 0, "bob registers his device")
    # Kamailio queues the registration after its 200 OK and posts it within 100 ms.
    wait_for(lambda: as_list(as_list(sip.getSipDeviceLocations(sipIds=[sid("bob")]))[0]
                             .locations), timeout=5)
    locs = as_list(sip.getSipDeviceLocations(sipIds=[sid("bob"), sid("carol")]))
    bob_locs = as_list(locs[0].locations)
    ck.eq([(l.address, int(l.port)) for l in bob_locs], [("127.0.0.1", bob_port)],
          "bob's registration in getSipDeviceLocations")
    ck.eq(len(as_list(locs[1].locations)), 0, "no location for the refused carol")

    # alias
    rc, uac, uas = rig.call("alice", "alice-pw", "sales", bob_port)
    ck.eq(rc, 0, f"call to the alias answered ({uac.final_codes()})")
    ck.check(f"sip:bob@127.0.0.1:{bob_port}" in uas.first_line_of("INVITE"),
             f"the alias reached bob's device: {uas.first_line_of('INVITE')!r}")

    # FUNC diversion
    rc, uac, uas = rig.call("alice", "alice-pw", "erin", bob_port)
    ck.eq(rc, 0, f"call to erin answered ({uac.final_codes()})")
    ck.check(f"sip:bob@127.0.0.1:{bob_port}" in uas.first_line_of("INVITE") and
             "Diversion: <sip:erin@" in uas.messages(),
             f"erin's FUNC diverted to bob: {uas.first_line_of('INVITE')!r}")

    # FNOL: fred has no registered device
    rc, uac, uas = rig.call("alice", "alice-pw", "fred", bob_port)
    ck.check(rc == 0 and f"sip:bob@127.0.0.1:{bob_port}" in uas.first_line_of("INVITE") and
             "reason=unavailable" in uas.messages(),
             f"fred (not registered) diverted to bob by FNOL ({uac.final_codes()})")

    # FBUS: gus's device answers 486
    gus_port = free_udp_port("127.0.0.1")
    rc, s = rig.register("gus", "gus-pw", contact_port=gus_port)
    ck.eq(rc, 0, "gus registers")
    busy = rig.sipp("uas_busy.xml", port=gus_port)
    rc, uac, uas = rig.call("alice", "alice-pw", "gus", bob_port)
    busy.wait(timeout=5)
    ck.check(rc == 0 and "SIP/2.0 486" in busy.messages() and
             f"sip:bob@127.0.0.1:{bob_port}" in uas.first_line_of("INVITE") and
             "reason=user-busy" in uas.messages(),
             f"gus busy: diverted to bob by FBUS ({uac.final_codes()})")

    # reject rule
    rc, uac, _ = rig.call("alice", "alice-pw", "gina", None, scenario="uac_refused.xml")
    ck.eq((rc, uac.final_codes()[-1:]), (0, [603]), "gina's reject rule declines alice")
    # a blocked subscriber's call, refused before any dialog
    rc, uac, _ = rig.call("carol", "carol-pw", "bob", None, scenario="uac_refused.xml")
    ck.eq((rc, uac.final_codes()[-1:]), (0, [403]), "blocked carol cannot call")

    # trusted peer: no challenge
    rc, uac, uas = rig.call("pbx", None, "bob", bob_port, scenario="uac_peer.xml",
                            local_ip="127.0.0.2")
    ck.eq(rc, 0, f"the trusted peer's call answered without auth ({uac.final_codes()})")
    ck.check(uas is not None and "INVITE sip:bob@" in uas.messages(), "and reached bob")
    def peer_reaches(number, port, start, what):
        """The peer dials `number`; the INVITE at `port` starts with `start`."""
        rc, _, uas = rig.call("pbx", None, number, port, scenario="uac_peer.xml",
                              local_ip="127.0.0.2")
        line = uas.first_line_of("INVITE") if uas is not None else ""
        ck.check(rc == 0 and line.startswith(start), f"{what}: {line!r}")

    peer_reaches("030123456", gw30, f"INVITE sip:030123456@127.0.0.1:{gw30}",
                 "the peer's 030123456 (strip 1, prefix +49) took the 004930 route")
    # The peer's enumLookup: off (the default), its +4989… takes the PSTN route although ENUM
    # knows the number; on (the very next call), ENUM sends it to bob.
    peer_reaches("089123456", gw49, f"INVITE sip:089123456@127.0.0.1:{gw49}",
                 "the peer without enumLookup: 089123456 to the 0049 gateway")
    sip.updateTrustedPeer(peer={"ip": "127.0.0.2", "description": "pbx", "protocol": "udp",
                                "strip": 1, "prefix": "+49", "enumLookup": True})
    peer_reaches("089123456", bob_port, f"INVITE sip:bob@127.0.0.1:{bob_port}",
                 "the peer with enumLookup: 089123456 to bob by ENUM")

    # PSTN: longest prefix
    rc, uac, uas = rig.call("alice", "alice-pw", "+4930123456", gw30)
    ck.eq(rc, 0, f"call to +4930123456 answered ({uac.final_codes()})")
    ck.check(uas.first_line_of("INVITE").startswith(f"INVITE sip:030123456@127.0.0.1:{gw30}"),
             f"the 004930 gateway, number as its rule writes it: {uas.first_line_of('INVITE')!r}")
    rc, uac, uas = rig.call("alice", "alice-pw", "+4940123456", gw49)
    ck.check(rc == 0 and uas.first_line_of("INVITE").startswith(
        f"INVITE sip:040123456@127.0.0.1:{gw49}"),
        f"+4940… to the 0049 gateway: {uas.first_line_of('INVITE')!r}")

    # ENUM
    rc, uac, uas = rig.call("alice", "alice-pw", "+4989123456", bob_port)
    ck.eq(rc, 0, f"call to +4989123456 answered ({uac.final_codes()})")
    ck.check(f"sip:bob@127.0.0.1:{bob_port}" in uas.first_line_of("INVITE"),
             f"routed to bob by Switchboard's NAPTR: {uas.first_line_of('INVITE')!r}")

    # RFC 3263: a domain not ours, by the NAPTR and SRV Switchboard's DNS answers
    rc, uac, uas = rig.call("alice", "alice-pw", f"carl@{REMOTE}", remote_port)
    ck.check(rc == 0 and uas.first_line_of("INVITE").startswith(f"INVITE sip:carl@{REMOTE}"),
             f"carl@{REMOTE} reached at the SRV's port ({uac.final_codes()}, "
             f"{uas.first_line_of('INVITE')!r})")

    # calls reported
    def alice_calls():
        got = sip.getCalls(sipId=sid("alice"), query={"placed": {"limit": 20}})
        return as_list(got.placed) if got is not None and got.placed is not None else []
    wait_for(lambda: len(alice_calls()) >= 4, timeout=5)
    to = sorted(c.toURI for c in alice_calls())
    for dialled in ("sales", "erin", "+4930123456", "+4989123456"):
        ck.check(f"sip:{dialled}@{DOMAIN}" in to, f"getCalls shows alice's call to {dialled}: {to}")
    bob_received = as_list(sip.getCalls(sipId=sid("bob"), query={"received": {"limit": 20}})
                           .received)
    ck.check(any(c.toURI == f"sip:sales@{DOMAIN}" for c in bob_received),
             "the call to the alias counts as bob's")
    # Calls refused before relaying are records too (duration 0): the reject rule's 603
    # (in a dialog) and blocked carol's 403 (before one).
    ck.check(f"sip:gina@{DOMAIN}" in to, f"getCalls shows alice's declined call to gina: {to}")

    def carol_calls():
        got = sip.getCalls(sipId=sid("carol"), query={"placed": {"limit": 20}})
        return as_list(got.placed) if got is not None and got.placed is not None else []
    ck.eq([(c.toURI, int(c.duration)) for c in wait_for(carol_calls, timeout=5)],
          [(f"sip:bob@{DOMAIN}", 0)], "blocked carol's refused call is her placed call")
    stats = sip.getCallStatistics(sipId=sid("alice"), query={"placed": {"limit": 100}})
    ck.check(int(stats.placed.calls) >= 8, f"getCallStatistics counts them: {stats.placed}")

    # prepaid: 3 s of balance
    def balance():
        return float(as_list(sip.getPrepaidStatus(sipIds=[sid("dave")]))[0].balance)

    t0 = time.monotonic()
    rc, uac, uas = rig.call("dave", "dave-pw", "bob", bob_port, scenario="uac_cut.xml",
                            call_id="dave-cut-%u@%s")
    held = time.monotonic() - t0
    ck.eq(rc, 0, f"dave's prepaid call answered and hung up by the proxy ({uac.final_codes()})")
    ck.check(2.0 <= held < 15, f"cut after about 3 s ({held:.1f} s)")
    r = wait_for(lambda: (lambda r: r if r.get("state") != "open" else None)(
        rig.reservation("dave-cut-1@127.0.0.1")), timeout=GRACE)
    ck.eq((r or {}).get("state"), "settled",
          f"the proxy reserved 3 s and settled the call itself ({r})")
    ck.check(r and r["seconds"] == 3 and 2 <= r["used"] <= 3, f"3 s reserved, 2-3 used ({r})")
    ck.check(abs(balance()) < 0.02, f"the balance is debited: {balance()}")

    # SOAP changes take effect on the very next request
    sip.updateAccount(account={"id": sid("alice"), "password": "alice-new"})
    rc, s = rig.register("alice", "alice-pw", expect_ok=False)
    ck.eq(rc, 0, "the old password is refused right after updateAccount")
    rc, s = rig.register("alice", "alice-new")
    ck.eq(rc, 0, "the new password works")
    sip.addToGroup(sipId=sid("gina"), group="blocked")
    rc, s = rig.register("gina", "gina-pw", expect_ok=False)
    ck.eq((rc, s.final_codes()[-1:]), (0, [403]), "blocked right after addToGroup")
    sip.setCallDiversions(sipId=sid("erin"), diversions={})
    rc, uac, _ = rig.call("alice", "alice-new", "erin", None, scenario="uac_refused.xml")
    ck.eq((rc, uac.final_codes()[-1:]), (0, [480]),
          "without the diversion erin (not registered) is unavailable")

    def erin_missed():
        got = sip.getCalls(sipId=sid("erin"), query={"received": {"limit": 20}})
        return [c for c in as_list(got.received) if int(c.duration) == 0]
    ck.check(wait_for(lambda: erin_missed(), timeout=5),
             "the unanswered call is erin's missed call in getCalls")


def no_settle(ck, rig, sip, bob_port):
    """Kamailio dies (SIGKILL) during a prepaid call: its settle never comes, and Switchboard
    charges the reservation once its seconds and the grace period have passed."""
    def balance():
        return float(as_list(sip.getPrepaidStatus(sipIds=[sid("dave")]))[0].balance)
    sip.addBalance(sipId=sid("dave"), value=3 * RATE / 60, description="3 more seconds")
    topped = balance()
    # 3 s, and the second the first call may have left (it lasted 2 or 3 s by Kamailio's clock)
    seconds = int(topped / RATE * 60 + 1e-6)
    # unanswered: reserved, refused (480), settled with 0 s by event_route[dialog:failed]
    rc, uac, _ = rig.call("dave", "dave-pw", "erin", None, scenario="uac_refused.xml",
                          call_id="dave-unanswered-%u@%s")
    r = wait_for(lambda: (lambda r: r if r.get("state") != "open" else None)(
        rig.reservation("dave-unanswered-1@127.0.0.1")), timeout=GRACE)
    ck.check(uac.final_codes()[-1:] == [480] and r and r["state"] == "settled" and
             r["seconds"] == seconds and r["used"] == 0 and abs(balance() - topped) < 1e-9,
             f"an unanswered prepaid call gives its reservation back ({uac.final_codes()}, {r}, "
             f"balance {balance()})")
    uas = rig.sipp("uas.xml", port=bob_port, hold_ms=20000)
    time.sleep(0.2)
    uac = rig.sipp("uac_cut.xml", keys={"user": "dave", "domain": DOMAIN, "to_domain": DOMAIN},
                   auth=("dave", "dave-pw"), service="bob", call_id="dave-killed-%u@%s")
    call_id = "dave-killed-1@127.0.0.1"
    try:
        answered = wait_for(lambda: "ACK sip:" in uas.messages(), timeout=10)
        r = rig.reservation(call_id)
        ck.check(answered and r.get("state") == "open" and r.get("seconds") == seconds,
                 f"the call is answered with {seconds} s reserved ({r}, balance {balance()})")
        rig.kam.kill()
        r = wait_for(lambda: (lambda r: r if r.get("state") != "open" else None)(
            rig.reservation(call_id)), timeout=seconds + GRACE + 5)
        ck.eq((r or {}).get("state"), "expired",
              f"Kamailio killed: Switchboard charged the reservation itself ({r})")
        ck.check(r and r["used"] == seconds and abs(balance() - (topped - seconds * RATE / 60)) <
                 1e-6, f"the {seconds} s reserved are charged: {topped} -> {balance()}")
        hist = as_list(sip.getCreditHistory(sipId=sid("dave"), count=1))
        hist = as_list(getattr(hist[0], "entries", hist)) if hist else []
        ck.check(hist and hist[0].action == "Call expired", "the credit history says so: "
                 f"{[(h.action, h.description) for h in hist]}")
    finally:
        for p in (uac, uas):
            p.proc.kill()
            p.wait(timeout=5)


sbtest.main(globals())
