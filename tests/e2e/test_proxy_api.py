#!/usr/bin/python3
"""The SIP proxy's read API (GET <base>proxy/v1/<lookup>, POST <base>proxy/v1/reserve, settle
and debit) through the real binary, with one keep-alive HTTP connection (http.client) for every
lookup.

Each test starts `switchboard provision` on 127.0.0.1 with a port it picks, provisions over
SOAP (zeep), and always stops it and deletes the data dir.

What it checks:
 lookups    subscriber (ha1/ha1b equal md5 of user:domain:pw and user@domain:domain:pw,
            blocked, prepaid, groups; unknown → exists false), domain (ours or not), alias
            (target; not an alias), voicemail (the mailbox number), trusted peer by address,
            every answer on the same TCP connection.
 call       the decision: deliver, alias resolved, FUNC divert (to a URI and to
            <voice-mailbox> with the mailbox), reject member (any URI form), blocked callee,
            accept rules "nobody" with FUNV off (reject) and on (divert), an alias to a bare
            number (number), unknown (notfound).
 route      longest prefix wins over a shorter one and the default route; the gateway rule's
            strip/prepend; the first gateway whose rule takes the number; no route.
 prepaid    max_seconds = balance / rate per minute; postpaid → prepaid false; POST debit
            takes seconds × rate / 60 off the balance with a history entry "Call <id>".
 refusals   401 without or with wrong credentials, 400 with errorcode 8002 for a bad number,
            a missing argument or a bad rate, 404 for an unknown lookup; nothing is changed.
 reserve    (issue 17) a prepaid call's reservation takes the seconds the balance pays
            (at most max_seconds) off it; the same Call-ID again changes nothing; a second
            call at once gets only the rest, a third nothing; the settle charges the seconds
            used and returns the rest, once (a repeated settle changes nothing); a settled
            Call-ID is not reserved again (409); GET reservation shows each state.
 reserve_refusals  unknown account or Call-ID (404), another account's Call-ID (409),
            missing call_id, negative seconds, malformed JSON (400): nothing is changed.
 expiry     a reservation nobody settles is charged in full once its time and the server's
            grace period ([soap] prepaid_grace = 1 here) have passed (state "expired").
 soap_change  a change over SOAP (password, block, diversion) shows in the very next lookup.

Usage: /usr/bin/python3 test_proxy_api.py --binary PATH/TO/switchboard
"""

import base64
import hashlib
import http.client
import json
import os
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, SoapClient, as_list, start_provision  # noqa: E402

D = "proxy.example.test"


def sid(user, domain=D):
    return {"username": user, "domain": domain}


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


class Api:
    """One keep-alive connection to <base>proxy/v1/."""

    def __init__(self, srv, data):
        self.conn = http.client.HTTPConnection("127.0.0.1", srv.soap_port, timeout=10)
        token = base64.b64encode(f"{data.username}:{data.password}".encode()).decode()
        self.auth = {"Authorization": f"Basic {token}"}
        self.sockets = set()

    def request(self, method, path, body=None, auth=True, ctype=None):
        headers = dict(self.auth) if auth else {}
        if ctype:
            headers["Content-Type"] = ctype
        self.conn.request(method, "/ngnpro/proxy/v1/" + path, body=body, headers=headers)
        resp = self.conn.getresponse()
        raw = resp.read()
        self.sockets.add(id(self.conn.sock))
        return resp.status, (json.loads(raw) if raw.strip() else None)

    def get(self, lookup, auth=True, **query):
        path = lookup + ("?" + urllib.parse.urlencode(query, safe="@+:") if query else "")
        return self.request("GET", path, auth=auth)

    def ok(self, ck, lookup, **query):
        status, body = self.get(lookup, **query)
        ck.eq(status, 200, f"{lookup} {query}: HTTP status ({body})")
        return body or {}


def provision(srv, data):
    sip = SoapClient(srv, data.username, data.password, port_name="SipPort")
    vm = SoapClient(srv, data.username, data.password, port_name="VoicemailPort")
    sip.addDomain(domain={"domain": D})
    for user, extra in (("alice", {}), ("bob", {}), ("erin", {}), ("gina", {}), ("vera", {}),
                        ("nora", {}), ("dave", {"prepaid": True}),
                        ("carol", {"groups": sip.array("SipAccount", "groups",
                                                       ["blocked", "free-pstn"])})):
        sip.addAccount(account={"id": sid(user), "password": f"{user}-pw", **extra})
    sip.addAlias(alias={"id": sid("sales"), "target": sid("bob")})
    sip.setCallDiversions(sipId=sid("erin"), diversions={"FUNC": f"sip:bob@{D}"})
    vm.addAccount(account={"sipId": sid("vera"), "password": "1234"})
    sip.setCallDiversions(sipId=sid("vera"), diversions={"FUNC": "<voice-mailbox>"})
    sip.setRejectMembers(sipId=sid("gina"), members=[f"sip:alice@{D}"])
    sip.setAcceptRules(sipId=sid("nora"), rules={
        "persistent": [], "temporary": {"duration": 60,
                                        "groups": sip.array("AcceptRuleTemporary", "groups",
                                                            ["nobody"])}})
    sip.addTrustedPeer(peer={"ip": "192.0.2.7", "description": "pbx", "protocol": "udp",
                             "prefix": "9", "strip": 1})
    sip.addBalance(sipId=sid("dave"), value=0.5, description="top-up")
    ids = {}
    for name, prefix, gateways in (
            ("de", "0049", [("gw-de", "198.51.100.1", "49", 2, "0")]),
            ("berlin", "004930", [("gw-b-mobile", "198.51.100.2", "4915", 0, ""),
                                  ("gw-b", "198.51.100.3", "4930", 4, "")]),
            ("world", "", [("gw-w", "198.51.100.4", "", 0, "00")])):
        sip.addCarrier(carrier={"name": name})
        cid = int(as_list(sip.getCarriers(query={"filter": {"name": name}}).carriers)[0].id)
        for gname, ip, rprefix, strip, prepend in gateways:
            sip.addGateway(gateway={"name": gname, "carrier_id": cid, "ip": ip, "port": 5070,
                                    "transport": "udp"})
            gid = int(as_list(sip.getGateways(query={"filter": {"name": gname}}).gateways)[0].id)
            sip.addGatewayRule(rule={"gateway_id": gid, "prefix": rprefix, "strip": strip,
                                     "prepend": prepend})
        sip.addRoutes(routes=[{"prefix": prefix, "carrier_id": cid, "priority": 1}])
        ids[name] = cid
    return sip, vm


def test_proxy_api(args):
    ck = Checker("proxy_api")
    with DataDir(keep=args.keep, extra_ini="[soap]\nprepaid_grace = 1\n") as data, \
            start_provision(args, data) as srv:
        sip, vm = provision(srv, data)
        api = Api(srv, data)

        # lookups
        a = api.ok(ck, "subscriber", user="alice", domain=D)
        ck.eq((a["exists"], a["ha1"], a["ha1b"], a["blocked"], a["prepaid"]),
              (True, md5(f"alice:{D}:alice-pw"), md5(f"alice@{D}:{D}:alice-pw"), False, False),
              "alice's credentials")
        c = api.ok(ck, "subscriber", user=f"carol@{D}")
        ck.eq((c["blocked"], sorted(c["groups"])), (True, ["blocked", "free-pstn"]),
              "carol blocked, user@domain form")
        ck.eq(api.ok(ck, "subscriber", user="Dave", domain=D.upper())["prepaid"], True,
              "dave prepaid (names case-insensitive)")
        ck.eq(api.ok(ck, "subscriber", user="nobody", domain=D)["exists"], False, "unknown")
        ck.eq(api.ok(ck, "domain", domain=D)["ours"], True, "our domain")
        ck.eq(api.ok(ck, "domain", domain="example.net")["ours"], False, "not ours")
        al = api.ok(ck, "alias", user="sales", domain=D)
        ck.eq((al["alias"], al["username"], al["domain"]), (True, "bob", D), "alias → bob")
        ck.eq(api.ok(ck, "alias", user="alice", domain=D)["alias"], False, "not an alias")
        mailbox = vm.getAccount(sipId=sid("vera")).mailbox
        ck.eq(api.ok(ck, "voicemail", user="vera", domain=D)["mailbox"], str(mailbox),
              "vera's mailbox")
        ck.eq(api.ok(ck, "voicemail", user="alice", domain=D)["mailbox"], "", "no mailbox")
        p = api.ok(ck, "peer", ip="192.0.2.7")
        ck.eq((p["trusted"], p["prefix"], p["strip"], p["protocol"]), (True, "9", 1, "udp"),
              "trusted peer")
        ck.eq(api.ok(ck, "peer", ip="192.0.2.8")["trusted"], False, "unknown address")

        # call decisions
        def call(user, caller=f"sip:alice@{D}"):
            return api.ok(ck, "call", user=user, domain=D, **{"from": caller})
        d = call("bob")
        ck.eq((d["action"], d["username"], d["domain"]), ("deliver", "bob", D), "deliver")
        d = call("sales")
        ck.eq((d["action"], d["username"]), ("deliver", "bob"), "alias resolved")
        d = call("erin")
        ck.eq((d["action"], d["reason"], d["target"], d["diversions"]["FUNC"]),
              ("divert", "FUNC", f"sip:bob@{D}", f"sip:bob@{D}"), "FUNC to a URI")
        d = call("vera")
        ck.eq((d["action"], d["target"], d["mailbox"]), ("divert", "", str(mailbox)),
              "FUNC to the voice mailbox")
        ck.eq((call("gina")["action"], call("gina")["reason"]), ("reject", "reject"),
              "reject member")
        ck.eq(call("gina", f"<sip:Alice@{D};transport=udp>")["action"], "reject",
              "reject member in another URI form")
        ck.eq(call("gina", f"sip:bob@{D}")["action"], "deliver", "others reach gina")
        ck.eq((call("carol")["action"], call("carol")["reason"]), ("reject", "blocked"),
              "blocked callee")
        ck.eq((call("nora")["action"], call("nora")["reason"]), ("reject", "accept"),
              "accept rules: nobody, FUNV off")
        sip.setCallDiversions(sipId=sid("nora"), diversions={"FUNV": f"sip:bob@{D}"})
        d = call("nora")
        ck.eq((d["action"], d["reason"], d["target"]), ("divert", "FUNV", f"sip:bob@{D}"),
              "accept rules: nobody, FUNV on (the very next lookup)")
        ck.eq(call("nobody")["action"], "notfound", "unknown callee")

        # routes
        def route(number):
            return api.ok(ck, "route", number=number)
        r = route("+4930123456")
        ck.eq((r["found"], r["prefix"], r["carrier"], r["gateway"], r["number"], r["uri"]),
              (True, "004930", "berlin", "gw-b", "123456",
               "sip:123456@198.51.100.3:5070;transport=udp"),
              "longest prefix 004930; the first gateway whose rule takes it")
        r = route("004915112345")
        ck.eq((r["prefix"], r["gateway"], r["number"]), ("0049", "gw-de", "015112345"),
              "0049: strip 2, prepend 0")
        r = route("3120123")
        ck.eq((r["prefix"], r["carrier"], r["number"]), ("", "world", "003120123"),
              "the default route")

        # prepaid
        pp = api.ok(ck, "prepaid", user="dave", domain=D, rate="0.1")
        ck.eq((pp["prepaid"], pp["balance"], pp["max_seconds"]), (True, 0.5, 300),
              "0.5 at 0.1 per minute: 300 s")
        ck.eq(api.ok(ck, "prepaid", user="alice", domain=D, rate="0.1")["prepaid"], False,
              "postpaid")
        status, body = api.request("POST", "debit", json.dumps(
            {"user": f"dave@{D}", "seconds": 90, "rate": 0.1, "call_id": "c-1"}),
            ctype="application/json")
        ck.eq((status, body and round(body["new_balance"], 6)), (200, 0.35), f"debit ({body})")
        ck.eq(api.ok(ck, "prepaid", user="dave", domain=D, rate="0.1")["max_seconds"], 210,
              "the debit shows in the next lookup")
        hist = as_list(sip.getCreditHistory(sipId=sid("dave"), count=1))
        hist = as_list(getattr(hist[0], "entries", hist)) if hist else []
        ck.check(hist and hist[0].description == "Call c-1", "credit history: Call c-1")

        # refusals
        ck.eq(api.get("subscriber", auth=False, user="alice", domain=D)[0], 401, "no auth")
        bad = Api(srv, data)
        bad.auth = {"Authorization": "Basic " + base64.b64encode(b"admin:wrong").decode()}
        ck.eq(bad.get("subscriber", user="alice", domain=D)[0], 401, "wrong credentials")
        for what, lookup, query in (("bad number", "route", {"number": "+49abc"}),
                                    ("missing user", "subscriber", {"domain": D}),
                                    ("bad rate", "prepaid", {"user": f"dave@{D}", "rate": "0"})):
            status, body = api.get(lookup, **query)
            ck.eq((status, body and body.get("errorcode")), (400, 8002), what)
        ck.eq(api.get("nothing", user="a")[0], 404, "unknown lookup")
        status, _ = api.request("POST", "debit", "{\"user\": \"dave@" + D + "\", \"seconds\": -5,"
                                " \"rate\": 1}", ctype="application/json")
        ck.eq(status, 400, "negative seconds refused")
        for bad in ('{"user": "dave@%s", "seconds": 1e300, "rate": 1}' % D,
                    '{"user": "dave@%s", "seconds": "nan", "rate": 1}' % D,
                    '{"user": "dave@%s", "seconds": 5, "rate": 1e999}' % D,
                    '{"user": ["x"], "seconds": 5, "rate": 1}',
                    '[1, 2', ''):
            status, _ = api.request("POST", "debit", bad, ctype="application/json")
            ck.eq(status, 400, f"debit {bad!r} refused")
        ck.eq(api.ok(ck, "prepaid", user="dave", domain=D, rate="0.1")["balance"], 0.35,
              "refused debits change nothing")
        ck.eq(api.ok(ck, "prepaid", user="dave", domain=D, rate="0.1")["balance"], 0.35,
              "a refused debit changes nothing")

        reservations(ck, api)

        # SOAP changes, the very next lookup
        sip.updateAccount(account={"id": sid("alice"), "password": "new-pw"})
        ck.eq(api.ok(ck, "subscriber", user="alice", domain=D)["ha1"],
              md5(f"alice:{D}:new-pw"), "new password")
        sip.addToGroup(sipId=sid("bob"), group="blocked")
        ck.eq(api.ok(ck, "subscriber", user="bob", domain=D)["blocked"], True, "blocked")
        sip.setCallDiversions(sipId=sid("erin"), diversions={})
        ck.eq(call("erin")["action"], "deliver", "diversion removed")
        ck.eq(len(api.sockets), 1, "every lookup on one keep-alive connection")
    ck.done()


def reservations(ck, api):
    """Reserve, settle and expiry (issue 17); dave's balance is 0.35 here."""
    def post(path, body):
        return api.request("POST", path, body if isinstance(body, str) else json.dumps(body),
                           ctype="application/json")

    def r6(x):
        return round(x, 6)

    def balance():
        return api.ok(ck, "prepaid", user="dave", domain=D, rate="0.1")["balance"]

    dave = f"dave@{D}"
    st, a = post("reserve", {"user": dave, "call_id": "r-1", "rate": 0.1, "max_seconds": 60})
    ck.eq((st, a and (a["prepaid"], a["state"], a["seconds"], r6(a["amount"]), r6(a["balance"]),
                      a["repeated"])),
          (200, (True, "open", 60, 0.1, 0.25, False)), f"reserve at most 60 s ({a})")
    st, a = post("reserve", {"user": dave, "call_id": "r-1", "rate": 0.1})
    ck.eq((st, a and (a["seconds"], a["repeated"], r6(a["balance"]))), (200, (60, True, 0.25)),
          "the same Call-ID again: the same reservation, nothing taken twice")
    st, b = post("reserve", {"username": "dave", "domain": D, "call_id": "r-2", "rate": 0.1})
    ck.eq((st, b and (b["seconds"], r6(b["balance"]))), (200, (150, 0)),
          f"a second call at once gets only the rest ({b})")
    st, c = post("reserve", {"user": dave, "call_id": "r-3", "rate": 0.1})
    ck.eq((st, c and (c["prepaid"], c["seconds"])), (200, (True, 0)),
          "a third call: nothing left (the proxy answers 402)")
    ck.eq(api.ok(ck, "prepaid", user="dave", domain=D, rate="0.1")["max_seconds"], 0,
          "the prepaid lookup sees the reservations")
    st, p = post("reserve", {"user": f"alice@{D}", "call_id": "r-alice", "rate": 0.1})
    ck.eq((st, p and (p["prepaid"], p["seconds"])), (200, (False, 0)), "postpaid: no reservation")

    st, s = post("settle", {"call_id": "r-1", "seconds": 42})
    ck.eq((st, s and (s["state"], s["used"], r6(s["price"]), r6(s["returned"]), r6(s["balance"]),
                      s["repeated"])),
          (200, ("settled", 42, 0.07, 0.03, 0.03, False)), f"settle 42 of 60 s ({s})")
    st, s = post("settle", {"call_id": "r-1", "seconds": 60})
    ck.eq((st, s and (s["used"], s["repeated"], r6(s["balance"]))), (200, (42, True, 0.03)),
          "a repeated settle changes nothing")
    ck.eq(api.ok(ck, "reservation", call_id="r-1")["state"], "settled", "GET reservation")
    ck.eq(api.ok(ck, "reservation", call_id="r-3")["found"], False,
          "nothing reserved, nothing stored")

    before = balance()
    for what, path, body, status in (
            ("unknown account", "reserve", {"user": f"nobody@{D}", "call_id": "x", "rate": 0.1},
             404),
            ("settled Call-ID", "reserve", {"user": dave, "call_id": "r-1", "rate": 0.1}, 409),
            ("another account's Call-ID", "reserve",
             {"user": f"alice@{D}", "call_id": "r-2", "rate": 0.1}, 409),
            ("no call_id", "reserve", {"user": dave, "rate": 0.1}, 400),
            ("bad rate", "reserve", {"user": dave, "call_id": "x", "rate": -1}, 400),
            ("negative max_seconds", "reserve",
             {"user": dave, "call_id": "x", "rate": 0.1, "max_seconds": -1}, 400),
            ("malformed JSON", "reserve", '{"user": "dave', 400),
            ("settle of an unknown Call-ID", "settle", {"call_id": "never", "seconds": 1}, 404),
            ("negative seconds", "settle", {"call_id": "r-2", "seconds": -1}, 400),
            ("seconds not a number", "settle", {"call_id": "r-2", "seconds": "ten"}, 400),
            ("no seconds", "settle", {"call_id": "r-2"}, 400),
            ("malformed settle", "settle", "[1, ", 400)):
        st, body = post(path, body)
        ck.eq((st, bool(body and body.get("errorcode"))), (status, True),
              f"{what}: HTTP {status} with an error code ({body})")
    ck.eq(balance(), before, "the refused requests changed nothing")
    ck.eq(api.ok(ck, "reservation", call_id="r-2")["state"], "open", "r-2 still open")
    ck.eq(api.request("POST", "nothing", "{}", ctype="application/json")[0], 404,
          "JSON to an unknown path")

    # expiry: 1 s reserved and never settled; this server's grace is 1 s
    st, e = post("settle", {"call_id": "r-2", "seconds": 150})
    ck.eq((st, e and r6(e["balance"])), (200, 0.03), "r-2 settled in full")
    st, e = post("reserve", {"user": dave, "call_id": "r-4", "rate": 0.1, "max_seconds": 1})
    ck.eq((st, e and e["seconds"]), (200, 1), "r-4: 1 s reserved")

    def closed():
        r = api.ok(ck, "reservation", call_id="r-4")
        return r if r.get("state") != "open" else None
    r = sbtest.wait_for(closed, timeout=10, interval=0.2)
    ck.eq((r or {}).get("state"), "expired", f"never settled: charged by the server ({r})")
    ck.check(r and r["used"] == 1 and r6(balance()) == r6(0.03 - 0.1 / 60),
             f"the reserved second is charged: {balance()}")
    st, s = post("settle", {"call_id": "r-4", "seconds": 0})
    ck.eq((st, s and (s["state"], s["repeated"])), (200, ("expired", True)),
          "a settle after the expiry changes nothing")


sbtest.main(globals())
