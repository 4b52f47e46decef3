#!/usr/bin/python3
"""End-to-end tests of SipPort and VoicemailPort through the real binary and zeep.

Each test starts the real `switchboard provision` on 127.0.0.1 with a port it picks, in a
fresh data dir, and always stops it and deletes the dir.

What it checks:

 wire_samples     every SipPort.* and VoicemailPort.* CDRTool wire sample posted exactly as
     recorded (HTTP 200, <op>Response in the port's namespace), in an order that gives each
     one the data it names: six carriers are made first so that the samples' carrier 7,
     gateway 8, rule 9 and route 10 are the ids the server assigns; customer 1001 (a reseller)
     and its domain precede the reseller-impersonation sample; VoicemailPort.getAccount is
     also posted to /ngnpro/voicemail.
 domains_accounts_aliases   addDomain/updateDomain/getDomains; addAccount with every
     attribute and getAccount reading them back; updateAccount replacing the whole object
     (a missing attribute cleared, an absent password kept); getAccounts filters (LIKE,
     groups, owner), range + total, ordering; <autoincrement>; groups through addToGroup/
     removeFromGroup/getGroups (1030, 1031) and the groups attribute; aliases add/update/
     get/getAliases/getAliasesForAccount/delete; deleteDomain refused while accounts remain
     (1002); deleteAccount removes aliases, settings and voicemail in one go.
 settings         phone book (add/update/delete/get with LIKE match, 1040/1041), reject
     members, accept rules (persistent + temporary, nonEmptyGroups), barring prefixes, call
     diversions (FUNC…RBUS, <voice-mailbox>).
 voicemail        addAccount (mailbox 1000000 assigned, then 1000001; a given one kept,
     duplicates refused 2002), getAccount (2000 without mailbox, 1010 without account),
     updateAccount, setAnnouncement (size limit 2003), deleteAccount clears <voice-mailbox>
     diversions.
 passwords        stored digests (read with mdb_dump from the data dir) equal hashlib's
     md5(user:domain:pw) and md5(user@domain:domain:pw) for clear text and for the
     digest1:digest2 form; clear text returned by getAccount with the default and not stored
     at all with the customer property store_clear_text_passwords = no.
 validation       faults that change nothing: account in a missing domain, duplicate account,
     alias colliding with an account, diversion to a mailto: URI, gateway
     without carrier, deleting a carrier in use, malformed IP in an ACL and in a trusted peer,
     reserved group by a non-admin, bad digest1:digest2.
 pstn_peers       trusted peers add/update/get/delete; carriers, gateways, gateway rules and
     routes add/update/get/delete with their read-back and referential checks.
 prepaid          addBalance (incl. negative), addBalanceFromVoucher with a card loaded through
     the events endpoint (used twice → 2011), getPrepaidStatus per id in request order,
     getCreditHistory newest first.
 call_data        registration and call events posted as JSON (HTTP Basic admin), then
     getSipDeviceLocations, getCalls and getCallStatistics return them; an expired
     registration vanishes; `switchboard import-cdrs` loads a CSV.

Usage: /usr/bin/python3 test_sip.py --binary PATH/TO/switchboard
"""

import base64
import contextlib
import hashlib
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import sbtest  # noqa: E402
from sbtest import (Checker, DataDir, SoapClient, as_list, expect_fault,  # noqa: E402
                    raw_request, soap_body_child, start_provision)

NS_SIP = "urn:AGProjects:NGNPro:Sip"
NS_VM = "urn:AGProjects:NGNPro:Voicemail"
DOMAIN = "sip-hval1.example.org"


class Clients:
    def __init__(self, srv, data, admin=True, username=None, password=None):
        u = username or data.username
        p = password or data.password
        self.sip = SoapClient(srv, u, p, port_name="SipPort", admin=admin)
        self.vm = SoapClient(srv, u, p, port_name="VoicemailPort", admin=admin)
        self.cust = SoapClient(srv, u, p, port_name="CustomerPort", admin=admin)

    def arr(self, struct, member, values):
        """An array parameter or member; struct "x" = a top-level array parameter."""
        if struct == "x":
            return list(values)
        return self.sip.array(struct, member, values)


def sid(user, domain=DOMAIN):
    return {"username": user, "domain": domain}


def account(c, user, domain=DOMAIN, password="secret", **kw):
    a = {"id": sid(user, domain), "password": password}
    for key in ("groups",):
        if key in kw:
            kw[key] = c.arr("SipAccount", key, kw[key])
    if "acl" in kw:
        kw["acl"] = c.arr("SipAccount", "acl", kw["acl"])
    if "properties" in kw:
        kw["properties"] = c.arr("SipAccount", "properties", kw["properties"])
    a.update(kw)
    return a


@contextlib.contextmanager
def session(args, name, accounts=None, **data_dir):
    """One test's checker, data dir, `switchboard provision` and clients; with accounts (user
    names), DOMAIN and those accounts (password "secret") are made first. The checks made in
    the block fail the test when it ends."""
    ck = Checker(name)
    with DataDir(keep=args.keep, **data_dir) as data, start_provision(args, data) as srv:
        c = Clients(srv, data)
        if accounts is not None:
            c.sip.addDomain(domain={"domain": DOMAIN})
            for user in accounts:
                c.sip.addAccount(account=account(c, user))
        yield ck, data, srv, c
    ck.done()


def post_events(srv, data, events, auth=True):
    body = json.dumps(events).encode()
    headers = [("Host", "127.0.0.1"), ("Content-Type", "application/json"),
               ("Connection", "close")]
    if auth:
        token = base64.b64encode(f"{data.username}:{data.password}".encode()).decode()
        headers.append(("Authorization", f"Basic {token}"))
    return raw_request(srv.soap_port, "POST /ngnpro/events HTTP/1.1", headers, body)


def stored_accounts(data_dir):
    """{(user, domain): (password, ha1, ha1b)} decoded from the sip_accounts table with
    mdb_dump — the bytes the server stored, not what it answers."""
    out = subprocess.run(["mdb_dump", "-s", "sip_accounts", data_dir], capture_output=True,
                         text=True, check=True).stdout
    lines = out.split("HEADER=END\n", 1)[1].splitlines()
    rows = {}
    data_lines = [ln.strip() for ln in lines if ln.startswith(" ")]
    for i in range(0, len(data_lines) - 1, 2):
        value = bytes.fromhex(data_lines[i + 1])
        pos = 1  # format byte
        fields = []
        for _ in range(5):
            n = int.from_bytes(value[pos:pos + 4], "big")
            fields.append(value[pos + 4:pos + 4 + n].decode())
            pos += 4 + n
        rows[(fields[0], fields[1])] = tuple(fields[2:])
    return rows


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


# ------------------------------------------------------------------------------------------


def test_wire_samples(args):
    sip = sbtest.load_samples("SipPort")
    vm = sbtest.load_samples("VoicemailPort")
    with session(args, "wire_samples", username="admin", password="secret") as (ck, _, srv, c):
        for i in range(6):  # the samples name carrier 7, gateway 8, rule 9, route 10
            c.sip.addCarrier(carrier={"name": f"filler{i}"})

        def post(samples, op, ns, want=200):
            resp = samples[op].post(srv.soap_port)
            ck.eq(resp.status, want, f"{op}: HTTP status ({resp.body[:400]!r})")
            _, child = soap_body_child(resp.body)
            name = op.split(".")[0]
            ck.eq(child.tag if child is not None else None, f"{{{ns}}}{name}Response",
                  f"{op}: response element ({resp.body[:400]!r})")
            return child

        for op in ("addDomain", "getDomains", "getDomains.customer-credentials", "addAccount",
                   "addAccount.digest-password", "getAccount", "getAccounts", "updateAccount",
                   "addToGroup", "getGroups", "removeFromGroup", "addAlias", "getAliases",
                   "getAliasesForAccount", "addPhonebookEntry", "getPhonebookEntries",
                   "updatePhonebookEntry", "deletePhonebookEntry", "setRejectMembers",
                   "setRejectMembers.empty-array", "getRejectMembers", "setAcceptRules",
                   "getAcceptRules", "setBarringPrefixes", "getBarringPrefixes"):
            post(sip, op, NS_SIP)
        for op in ("addAccount", "getAccount", "getAccount.voicemail-path", "updateAccount"):
            post(vm, op, NS_VM)
        for op in ("setCallDiversions", "getCallDiversions", "setCallDiversions.clear-all",
                   "addTrustedPeer", "getTrustedPeers", "deleteTrustedPeer", "addCarrier",
                   "getCarriers", "addGateway", "getGateways", "addGatewayRule",
                   "getGatewayRules", "addRoutes", "getRoutes", "deleteRoutes",
                   "deleteGatewayRule", "deleteGateway", "deleteCarrier", "deleteAlias"):
            post(sip, op, NS_SIP)
        post(vm, "deleteAccount", NS_VM)
        post(sip, "deleteAccount", NS_SIP)
        # The reseller-impersonation sample acts as customer 1001 in its own domain.
        c.cust.addAccount(account={"id": 1001, "reseller": 1001, "username": "r1",
                                   "password": "r1-secret", "resellerActive": True})
        c.sip.addDomain(domain={"domain": "r1-hval1.example.org", "customer": 1001})
        post(sip, "addAccount.reseller-impersonation", NS_SIP)
        got = c.sip.getAccount(sipId=sid("u1", "r1-hval1.example.org"))
        ck.eq((int(got.customer), int(got.reseller)), (1001, 1001), "u1 inherits its domain")
        c.sip.deleteAccount(sipId=sid("bob"))
        post(sip, "deleteDomain", NS_SIP)
        ck.eq(int(c.sip.getDomains(query={"filter": {"domain": DOMAIN}}).total), 0,
              "domain deleted")


def test_domains_accounts_aliases(args):
    with session(args, "domains_accounts_aliases") as (ck, data, srv, c):
        s = c.sip
        s.addDomain(domain={"domain": DOMAIN, "match_ip_address": "192.0.2.1"})
        s.addDomain(domain={"domain": "b.example.org"})
        s.updateDomain(domain={"domain": DOMAIN, "verify_cert": True})
        doms = s.getDomains(query={"filter": {"domain": "%example.org"},
                                   "orderBy": {"attribute": "domain", "direction": "DESC"},
                                   "range": {"start": 0, "count": 1}})
        ck.eq(int(doms.total), 2, "getDomains total ignores range")
        ck.eq([d.domain for d in as_list(doms.domains)], [DOMAIN], "DESC page of 1")
        d = as_list(s.getDomains(query={"filter": {"domain": DOMAIN}}).domains)[0]
        ck.eq((d.verify_cert, d.match_ip_address or ""), (True, ""), "updateDomain replaced")
        expect_fault(ck, 1001, "duplicate domain", s.addDomain, domain={"domain": DOMAIN})

        full = account(c, "alice", firstName="Alice", lastName="Liddell",
                       email="alice@example.org", groups=["free-pstn", "missed-calls"],
                       acl=[{"ip": "192.0.2.0", "mask": 24}],
                       properties=[{"name": "language", "value": "en"}],
                       timezone="Europe/Amsterdam", rpid="+31200000001", quota=50,
                       quickdialPrefix="3120", callLimit=2, prepaid=True, region="nl",
                       timeout=35, owner=7)
        created = s.addAccount(account=full)
        ck.eq(created.id.username, "alice", "addAccount returns the account")
        a = s.getAccount(sipId=sid("alice"))
        ck.eq((a.firstName, a.lastName, a.email, a.timezone, a.rpid, int(a.quota),
               a.quickdialPrefix, int(a.callLimit), a.prepaid, a.region, int(a.timeout),
               int(a.owner)),
              ("Alice", "Liddell", "alice@example.org", "Europe/Amsterdam", "+31200000001",
               50, "3120", 2, True, "nl", 35, 7), "getAccount attributes")
        ck.eq(sorted(as_list(a.groups)), ["free-pstn", "missed-calls"], "groups")
        ck.eq([(x.ip, int(x.mask)) for x in as_list(a.acl)], [("192.0.2.0", 24)], "acl")
        ck.eq([(p.name, p.value) for p in as_list(a.properties)], [("language", "en")],
              "properties")
        ck.check(a.createDate and a.changeDate, "server dates set")
        ck.eq(a.password, "secret", "clear text kept by default")

        s.updateAccount(account=account(c, "alice", password="", firstName="Alicia",
                                        groups=["blocked"]))
        a = s.getAccount(sipId=sid("alice"))
        ck.eq((a.firstName, a.lastName or "", a.email or "", int(a.quota), a.prepaid),
              ("Alicia", "", "", 0, False), "update replaces the whole record")
        ck.eq(as_list(a.groups), ["blocked"], "groups attribute replaces the list")
        ck.eq((a.password, a.ha1), ("secret", md5(f"alice:{DOMAIN}:secret")),
              "absent password kept")

        s.addToGroup(sipId=sid("alice"), group="quota")
        expect_fault(ck, 1030, "already in group", s.addToGroup, sipId=sid("alice"),
                     group="quota")
        s.removeFromGroup(sipId=sid("alice"), group="blocked")
        expect_fault(ck, 1031, "not a member", s.removeFromGroup, sipId=sid("alice"),
                     group="anonymous")
        ck.eq(as_list(s.getGroups(sipId=sid("alice"))), ["quota"], "getGroups")

        for u in ("bob", "carol", "dave"):
            s.addAccount(account=account(c, u, owner=9 if u != "dave" else 0,
                                         groups=["free-pstn"] if u == "bob" else []))
        auto = s.addAccount(account=account(c, "<autoincrement>"))
        ck.check(auto.id.username.isdigit(), f"<autoincrement> picks a number: {auto.id}")
        res = s.getAccounts(query={"filter": {"domain": DOMAIN, "username": "%a%"},
                                   "orderBy": {"attribute": "username", "direction": "ASC"},
                                   "range": {"start": 1, "count": 1}})
        ck.eq((int(res.total), [x.id.username for x in as_list(res.accounts)]),
              (3, ["carol"]), "getAccounts LIKE + range")
        res = s.getAccounts(query={"filter": {"owner": 9,
                                              "groups": c.arr("SipAccountFilter", "groups",
                                                              ["free-pstn"])}})
        ck.eq([x.id.username for x in as_list(res.accounts)], ["bob"], "owner + groups filter")
        res = s.getAccounts(query={"filter": {"groups": c.arr("SipAccountFilter", "groups",
                                                              [""])}})
        ck.eq(int(res.total), 5, "groups [''] means no group filter")

        s.addAlias(alias={"id": sid("ally"), "target": sid("alice"), "owner": 3})
        s.addAlias(alias={"id": sid("al2", "b.example.org"), "target": sid("alice")})
        s.updateAlias(alias={"id": sid("ally"), "target": sid("bob"), "owner": 4})
        al = s.getAlias(id=sid("ally"))
        ck.eq((al.target.username, int(al.owner)), ("bob", 4), "updateAlias")
        ck.eq(sorted(x.id.username for x in as_list(s.getAliasesForAccount(target=sid("alice")))),
              ["al2"], "getAliasesForAccount")
        res = s.getAliases(query={"filter": {"targetUsername": "bob"}})
        ck.eq([x.id.username for x in as_list(res.aliases)], ["ally"], "getAliases")
        expect_fault(ck, 1021, "duplicate alias", s.addAlias,
                     alias={"id": sid("ally"), "target": sid("bob")})
        expect_fault(ck, 1010, "alias target must exist", s.addAlias,
                     alias={"id": sid("x1"), "target": sid("nobody")})
        s.deleteAlias(id=sid("ally"))
        expect_fault(ck, 1020, "deleted alias", s.getAlias, id=sid("ally"))

        expect_fault(ck, 1002, "domain with accounts", s.deleteDomain, domain=DOMAIN)
        # Deleting alice takes its alias (in another domain), settings and voicemail along.
        s.addPhonebookEntry(sipId=sid("alice"), entry={"uri": "sip:x@y.z", "name": "X"})
        c.vm.addAccount(account={"sipId": sid("alice"), "password": "1234"})
        s.deleteAccount(sipId=sid("alice"))
        expect_fault(ck, 1020, "alias gone with its account", s.getAlias,
                     id=sid("al2", "b.example.org"))
        expect_fault(ck, 1010, "voicemail gone with its account", c.vm.getAccount,
                     sipId=sid("alice"))
        s.addAccount(account=account(c, "alice"))
        ck.eq(int(s.getPhonebookEntries(sipId=sid("alice"), match={"uri": "%"},
                                        range={"start": 0, "count": 10}).total), 0,
              "settings gone with the account")
        s.deleteDomain(domain="b.example.org")
        ck.eq(int(s.getDomains(query={"filter": {"domain": "b.example.org"}}).total), 0,
              "empty domain deleted")


def test_settings(args):
    with session(args, "settings", accounts=["alice"]) as (ck, data, srv, c):
        s = c.sip
        me = sid("alice")
        s.addPhonebookEntry(sipId=me, entry={"uri": "sip:carol@example.net", "name": "Carol",
                                             "group": "coworkers"})
        s.addPhonebookEntry(sipId=me, entry={"uri": "sip:dan@example.net", "name": "Dan"})
        expect_fault(ck, 1041, "duplicate entry", s.addPhonebookEntry, sipId=me,
                     entry={"uri": "sip:dan@example.net", "name": "D"})
        s.updatePhonebookEntry(sipId=me, entry={"uri": "sip:dan@example.net", "name": "Daniel",
                                                "group": "family"})
        pb = s.getPhonebookEntries(sipId=me, match={"uri": "%", "name": "D%"},
                                   range={"start": 0, "count": 10})
        ck.eq([(e.uri, e.name, e.group) for e in as_list(pb.entries)],
              [("sip:dan@example.net", "Daniel", "family")], "phone book LIKE match")
        s.deletePhonebookEntry(sipId=me, uri="sip:dan@example.net")
        expect_fault(ck, 1040, "entry gone", s.deletePhonebookEntry, sipId=me,
                     uri="sip:dan@example.net")
        ck.eq(int(s.getPhonebookEntries(sipId=me, match={}, range={"start": 0, "count": 0})
                  .total), 1, "one entry left")

        s.setRejectMembers(sipId=me, members=c.arr("x", "x", ["sip:spam@example.net"]))
        ck.eq(as_list(s.getRejectMembers(sipId=me)), ["sip:spam@example.net"], "reject")
        s.setBarringPrefixes(sipId=me, prefixes=["+1900", "+44"])
        ck.eq(as_list(s.getBarringPrefixes(sipId=me)), ["+1900", "+44"], "barring")
        expect_fault(ck, 8002, "bad barring prefix", s.setBarringPrefixes, sipId=me,
                     prefixes=["0044"])

        rules = {"persistent": c.arr("AcceptRules", "persistent", [
                     {"start": "09:00", "stop": "18:00", "days": 31,
                      "groups": c.arr("AcceptRulePersistent", "groups", ["everybody"])}]),
                 "temporary": {"groups": c.arr("AcceptRuleTemporary", "groups", ["nobody"]),
                               "duration": 30}}
        # zeep leaves out a string array nested in an array item (it sends <groups/>), so the
        # rules go in as the PHP client sends them.
        del rules
        body = ("<sipId><username>alice</username><domain>" + DOMAIN + "</domain></sipId>"
                "<rules><persistent><item><start>09:00</start><stop>18:00</stop>"
                "<groups><item>everybody</item></groups><days>31</days></item></persistent>"
                "<temporary><groups><item>nobody</item></groups><duration>30</duration>"
                "</temporary></rules>")
        raw = sbtest.post_soap(srv.soap_port, sbtest.build_envelope(
            "setAcceptRules", body, data.username, data.password, ns=NS_SIP))
        ck.eq(raw.status, 200, f"setAcceptRules ({raw.body[:300]!r})")
        got = s.getAcceptRules(sipId=me)
        p = as_list(got.rules.persistent)
        ck.eq([(r.start, r.stop, int(r.days)) for r in p], [("09:00", "18:00", 31)],
              "persistent rules")
        # zeep drops a string array nested in an array item; read that one from the XML too.
        raw = sbtest.post_soap(srv.soap_port, sbtest.build_envelope(
            "getAcceptRules", "<sipId><username>alice</username><domain>" + DOMAIN +
            "</domain></sipId>", data.username, data.password, ns=NS_SIP))
        _, child = soap_body_child(raw.body)
        items = [[g.text for g in item.find("groups")]
                 for item in child.find("return/rules/persistent")]
        ck.eq(items, [["everybody"]], "persistent rule groups (raw XML)")
        ck.eq(as_list(got.rules.temporary.groups), ["nobody"], "temporary groups")
        ck.check(29 <= int(got.rules.temporary.duration) <= 30,
                 f"minutes left: {got.rules.temporary.duration}")
        ck.eq(as_list(got.nonEmptyGroups), ["coworkers"], "nonEmptyGroups")

        names = ["FUNC", "FNOL", "FUNV", "FNOA", "FBUS", "RUNC", "RNOL", "RUNV", "RNOA", "RBUS"]
        div = {n: f"sip:{n.lower()}@example.net" for n in names}
        s.setCallDiversions(sipId=me, diversions=div)
        got = s.getCallDiversions(sipId=me)
        ck.eq({n: getattr(got, n) for n in names}, div, "all ten diversions")
        c.vm.addAccount(account={"sipId": me, "password": "1234"})
        s.setCallDiversions(sipId=me, diversions={"FNOA": "<voice-mailbox>"})
        got = s.getCallDiversions(sipId=me)
        ck.eq((got.FNOA, got.FUNC or ""), ("<voice-mailbox>", ""),
              "absent conditions cleared; <voice-mailbox> with voicemail")


def test_voicemail(args):
    with session(args, "voicemail", accounts=["alice", "bob", "carol"]) as (ck, data, srv, c):
        expect_fault(ck, 2000, "no mailbox yet", c.vm.getAccount, sipId=sid("alice"))
        expect_fault(ck, 1010, "no SIP account", c.vm.getAccount, sipId=sid("zed"))
        c.vm.addAccount(account={"sipId": sid("alice"), "password": "123456", "name": "Alice",
                                 "email": "a@example.org", "options": {"delete": True}})
        c.vm.addAccount(account={"sipId": sid("bob"), "password": "1"})
        a = c.vm.getAccount(sipId=sid("alice"))
        ck.eq((a.mailbox, a.password, a.name, a.email, a.options.delete),
              ("1000000", "123456", "Alice", "a@example.org", True), "getAccount")
        ck.eq(c.vm.getAccount(sipId=sid("bob")).mailbox, "1000001", "next mailbox")
        expect_fault(ck, 2002, "mailbox in use", c.vm.addAccount,
                     account={"sipId": sid("carol"), "mailbox": "1000000"})
        expect_fault(ck, 2001, "second mailbox", c.vm.addAccount,
                     account={"sipId": sid("alice")})
        c.vm.addAccount(account={"sipId": sid("carol"), "mailbox": "5551234"})
        ck.eq(c.vm.getAccount(sipId=sid("carol")).mailbox, "5551234", "given mailbox kept")
        c.vm.updateAccount(account={"sipId": sid("alice"), "password": "999", "name": "A",
                                    "options": {"delete": False}})
        a = c.vm.getAccount(sipId=sid("alice"))
        ck.eq((a.mailbox, a.password, a.name, a.email or "", a.options.delete),
              ("1000000", "999", "A", "", False), "updateAccount replaces")
        greeting = b"RIFF....WAVEfmt " + bytes(range(100))
        c.vm.setAnnouncement(sipId=sid("alice"), message=greeting)
        dump = subprocess.run(["mdb_dump", "-s", "voicemail", data.path], capture_output=True,
                              text=True, check=True).stdout
        ck.check(greeting.hex() in dump.replace("\n", "").replace(" ", ""),
                 "the announcement bytes are stored in the mailbox row")
        expect_fault(ck, 2003, "announcement too large", c.vm.setAnnouncement,
                     sipId=sid("alice"), message=bytes(2 * 1024 * 1024))
        c.sip.setCallDiversions(sipId=sid("alice"), diversions={"FBUS": "<voice-mailbox>",
                                                                "FUNC": "sip:x@example.net"})
        c.vm.deleteAccount(sipId=sid("alice"))
        expect_fault(ck, 2000, "mailbox deleted", c.vm.getAccount, sipId=sid("alice"))
        d = c.sip.getCallDiversions(sipId=sid("alice"))
        ck.eq((d.FBUS or "", d.FUNC), ("", "sip:x@example.net"),
              "diversions to the deleted mailbox switched off")


def test_passwords(args):
    with session(args, "passwords", accounts=[]) as (ck, data, srv, c):
        c.cust.addAccount(account={"id": 2001, "reseller": 2001, "username": "r2",
                                   "password": "r2-secret", "resellerActive": True,
                                   "properties": c.cust.array("CustomerAccount", "properties", [
                                       {"name": "store_clear_text_passwords", "value": "no",
                                        "category": "sip", "permission": "customer"}])})
        c.sip.addDomain(domain={"domain": "hashed.example.org", "customer": 2001})
        c.sip.addAccount(account=account(c, "Alice", password="Pa ss!"))
        d1 = md5(f"bob:{DOMAIN}:x-secret")
        d2 = md5(f"bob@{DOMAIN}:{DOMAIN}:x-secret")
        c.sip.addAccount(account=account(c, "bob", password=f"{d1.upper()}:{d2}"))
        c.sip.addAccount(account=account(c, "carol", "hashed.example.org", password="hidden"))
        rows = stored_accounts(data.path)
        ck.eq(rows.get(("alice", DOMAIN)),
              ("Pa ss!", md5(f"alice:{DOMAIN}:Pa ss!"), md5(f"alice@{DOMAIN}:{DOMAIN}:Pa ss!")),
              "clear text: both digests and the clear text stored")
        ck.eq(rows.get(("bob", DOMAIN)), ("", d1, d2), "digest form stored as given")
        h = "hashed.example.org"
        ck.eq(rows.get(("carol", h)),
              ("", md5(f"carol:{h}:hidden"), md5(f"carol@{h}:{h}:hidden")),
              "store_clear_text_passwords = no: digests only")
        got = c.sip.getAccount(sipId=sid("carol", h))
        ck.eq((got.password or "", got.ha1), ("", md5(f"carol:{h}:hidden")),
              "clear text not retrievable")
        ck.eq(c.sip.getAccount(sipId=sid("alice")).password, "Pa ss!", "default keeps it")
        c.sip.updateAccount(account=account(c, "alice", password="new"))
        ck.eq(stored_accounts(data.path)[("alice", DOMAIN)][1], md5(f"alice:{DOMAIN}:new"),
              "updateAccount with a password replaces the digests")


def test_validation(args):
    with session(args, "validation", accounts=["alice", "bob"]) as (ck, data, srv, c):
        s = c.sip
        cid = None
        s.addCarrier(carrier={"name": "kpn"})
        cid = int(as_list(s.getCarriers(query={"filter": {"name": "kpn"}}).carriers)[0].id)
        s.addRoutes(routes=c.arr("x", "x", [{"prefix": "0031", "carrier_id": cid,
                                             "priority": 1}]))
        c.cust.addAccount(account={"id": 3001, "reseller": 3001, "username": "r3",
                                   "password": "r3-secret", "resellerActive": True})
        s.addDomain(domain={"domain": "r3.example.org", "customer": 3001})
        s.addAccount(account=account(c, "u", "r3.example.org"))
        r3 = Clients(srv, data, admin=False, username="r3", password="r3-secret")

        def state():
            accts = s.getAccounts(query={"filter": {}})
            return (int(accts.total),
                    sorted((a.id.username, a.id.domain, tuple(sorted(as_list(a.groups))),
                            a.ha1, tuple((x.ip, int(x.mask)) for x in as_list(a.acl)))
                           for a in as_list(accts.accounts)),
                    int(s.getAliases(query={"filter": {}}).total),
                    int(s.getCarriers(query={"filter": {}}).total),
                    int(s.getGateways(query={"filter": {}}).total),
                    int(s.getTrustedPeers(query={"filter": {}}).total),
                    tuple(getattr(s.getCallDiversions(sipId=sid("alice")), "FNOA") or ""
                          for _ in (0,)))
        before = state()
        expect_fault(ck, 1000, "account in a missing domain", s.addAccount,
                     account=account(c, "x", "nowhere.example.org"))
        expect_fault(ck, 1011, "duplicate account", s.addAccount, account=account(c, "alice"))
        expect_fault(ck, 1011, "alias colliding with an account", s.addAlias,
                     alias={"id": sid("bob"), "target": sid("alice")})
        expect_fault(ck, 8002, "diversion to a URI that is not sip:/sips:/tel:",
                     s.setCallDiversions, sipId=sid("alice"),
                     diversions={"FNOA": "mailto:alice@example.net"})
        expect_fault(ck, 1070, "gateway without carrier", s.addGateway,
                     gateway={"name": "gw", "carrier_id": 999, "ip": "192.0.2.1",
                              "port": 5060, "transport": "udp"})
        expect_fault(ck, 1071, "carrier in use", s.deleteCarrier, id=cid)
        expect_fault(ck, 8002, "malformed ACL ip", s.updateAccount,
                     account=account(c, "alice", password="",
                                     acl=[{"ip": "192.0.2.300", "mask": 24}]))
        expect_fault(ck, 8002, "ACL mask", s.updateAccount,
                     account=account(c, "alice", password="", acl=[{"ip": "192.0.2.0",
                                                                    "mask": 33}]))
        expect_fault(ck, 8002, "malformed trusted peer ip", s.addTrustedPeer,
                     peer={"ip": "10.0.0.256", "description": "bad"})
        expect_fault(ck, 8001, "reserved group by a non-admin", r3.sip.addToGroup,
                     sipId=sid("u", "r3.example.org"), group="prepaid")
        expect_fault(ck, 8001, "reserved group attribute by a non-admin", r3.sip.updateAccount,
                     account=account(c, "u", "r3.example.org", password="",
                                     groups=["intercept"]))
        expect_fault(ck, 1012, "bad digest1:digest2", s.addAccount,
                     account=account(c, "eve", password="abc:" + "0" * 32))
        expect_fault(ck, 1012, "non-hex digest", s.updateAccount,
                     account=account(c, "alice", password="z" * 32 + ":" + "0" * 32))
        ck.eq(state(), before, "nothing changed")
        s.addToGroup(sipId=sid("u", "r3.example.org"), group="prepaid")  # admin may
        ck.check("prepaid" in as_list(s.getGroups(sipId=sid("u", "r3.example.org"))),
                 "admin adds a reserved group")


def test_pstn_peers(args):
    with session(args, "pstn_peers") as (ck, data, srv, c):
        s = c.sip
        s.addTrustedPeer(peer={"ip": "192.0.2.10", "description": "pbx", "protocol": "udp",
                               "tags": "gold", "callLimit": 5, "msteams": False})
        s.addTrustedPeer(peer={"ip": "2001:db8::1", "description": "v6"})
        expect_fault(ck, 1051, "duplicate peer", s.addTrustedPeer, peer={"ip": "192.0.2.10"})
        expect_fault(ck, 8002, "bad protocol", s.addTrustedPeer,
                     peer={"ip": "192.0.2.11", "protocol": "carrier-pigeon"})
        s.updateTrustedPeer(peer={"ip": "192.0.2.10", "description": "pbx2", "protocol": "tls"})
        res = s.getTrustedPeers(query={"filter": {"ip": "192.0.2.10", "tags": "%%",
                                                  "msteams": False}})
        p = as_list(res.peers)
        ck.eq([(x.description, x.protocol, x.tags or "", int(x.callLimit)) for x in p],
              [("pbx2", "tls", "", 0)], "updateTrustedPeer replaces")
        s.deleteTrustedPeer(ip="192.0.2.10")
        expect_fault(ck, 1050, "peer gone", s.deleteTrustedPeer, ip="192.0.2.10")

        s.addCarrier(carrier={"name": "kpn"})
        s.addCarrier(carrier={"name": "tele2"})
        carriers = {x.name: int(x.id) for x in as_list(s.getCarriers(query={"filter": {}}).carriers)}
        kpn, tele2 = carriers["kpn"], carriers["tele2"]
        s.updateCarrier(carrier={"id": tele2, "name": "tele2-nl"})
        ck.eq(sorted(x.name for x in as_list(s.getCarriers(
            query={"filter": {}, "orderBy": {"attribute": "name", "direction": "ASC"}}).carriers)),
            ["kpn", "tele2-nl"], "updateCarrier")
        s.addGateway(gateway={"name": "gw1", "carrier_id": kpn, "ip": "192.0.2.20",
                              "port": 5060, "transport": "udp"})
        gw = as_list(s.getGateways(query={"filter": {"name": "gw1"}}).gateways)[0]
        ck.eq((gw.carrier, int(gw.carrier_id), gw.ip, int(gw.port)),
              ("kpn", kpn, "192.0.2.20", 5060), "getGateways")
        s.updateGateway(gateway={"id": int(gw.id), "name": "gw1", "carrier_id": tele2,
                                 "ip": "gw.example.net", "port": 5080, "transport": "tcp"})
        gw = as_list(s.getGateways(query={"filter": {"id": int(gw.id)}}).gateways)[0]
        ck.eq((gw.carrier, gw.ip, int(gw.port), gw.transport),
              ("tele2-nl", "gw.example.net", 5080, "tcp"), "updateGateway")
        s.addGatewayRule(rule={"gateway_id": int(gw.id), "prefix": "00", "strip": 2,
                               "prepend": "+", "minLength": 6, "maxLength": 16})
        rule = as_list(s.getGatewayRules(query={"filter": {"gateway_id": int(gw.id)}})
                       .gateway_rules)[0]
        ck.eq((rule.gateway, rule.carrier, int(rule.strip), rule.prepend),
              ("gw1", "tele2-nl", 2, "+"), "getGatewayRules")
        s.updateGatewayRule(rule={"id": int(rule.id), "gateway_id": int(gw.id), "prefix": "0031",
                                  "strip": 4, "prepend": "0"})
        rule = as_list(s.getGatewayRules(query={"filter": {"id": int(rule.id)}}).gateway_rules)[0]
        ck.eq((rule.prefix, int(rule.strip), rule.prepend, int(rule.maxLength)),
              ("0031", 4, "0", 0), "updateGatewayRule")
        expect_fault(ck, 1081, "gateway with rules", s.deleteGateway, id=int(gw.id))
        s.addRoutes(routes=c.arr("x", "x", [
            {"prefix": "", "carrier_id": kpn, "priority": 10},
            {"prefix": "0031", "carrier_id": tele2, "priority": 5},
            {"prefix": "003120", "carrier_id": kpn, "priority": 1}]))
        routes = as_list(s.getRoutes(query={"filter": {}, "orderBy": {"attribute": "prefix",
                                                                      "direction": "ASC"}}).routes)
        ck.eq([(r.prefix or "", r.carrier) for r in routes],
              [("", "kpn"), ("0031", "tele2-nl"), ("003120", "kpn")], "getRoutes")
        expect_fault(ck, 8002, "route prefix", s.addRoutes,
                     routes=c.arr("x", "x", [{"prefix": "31", "carrier_id": kpn}]))
        r31 = next(r for r in routes if r.prefix == "0031")
        s.updateRoutes(routes=c.arr("x", "x", [{"id": int(r31.id), "prefix": "0032",
                                               "carrier_id": kpn, "priority": 7}]))
        got = as_list(s.getRoutes(query={"filter": {"id": int(r31.id)}}).routes)[0]
        ck.eq((got.prefix, got.carrier, int(got.priority)), ("0032", "kpn", 7), "updateRoutes")
        s.deleteRoutes(routes=c.arr("x", "x", [{"id": int(r.id)} for r in routes]))
        ck.eq(int(s.getRoutes(query={"filter": {}}).total), 0, "deleteRoutes")
        s.deleteGatewayRule(id=int(rule.id))
        s.deleteGateway(id=int(gw.id))
        s.deleteCarrier(id=kpn)
        expect_fault(ck, 1070, "carrier gone", s.deleteCarrier, id=kpn)
        ck.eq(int(s.getCarriers(query={"filter": {}}).total), 1, "one carrier left")


def test_prepaid(args):
    with session(args, "prepaid", accounts=[]) as (ck, data, srv, c):
        s = c.sip
        s.addAccount(account=account(c, "alice", prepaid=True))
        s.addAccount(account=account(c, "bob", prepaid=True))
        ch = s.addBalance(sipId=sid("alice"), value=10.5, description="CC transaction 1")
        ck.eq((float(ch.old_balance), float(ch.new_balance)), (0.0, 10.5), "addBalance")
        ch = s.addBalance(sipId=sid("alice"), value=-0.5, description="Refund 1")
        ck.eq(float(ch.new_balance), 10.0, "negative addBalance")
        resp = post_events(srv, data, {"type": "prepaid_card", "id": 42, "number": "1234-5678",
                                       "value": 5})
        ck.eq(resp.status, 200, f"card loaded ({resp.body!r})")
        ch = s.addBalanceFromVoucher(sipId=sid("bob"), card={"id": 42, "number": "1234-5678"})
        ck.eq(float(ch.new_balance), 5.0, "voucher")
        expect_fault(ck, 2011, "voucher used twice", s.addBalanceFromVoucher, sipId=sid("alice"),
                     card={"id": 42, "number": "1234-5678"})
        expect_fault(ck, 2010, "wrong card number", s.addBalanceFromVoucher, sipId=sid("alice"),
                     card={"id": 42, "number": "0000"})
        st = as_list(s.getPrepaidStatus(sipIds=c.arr("x", "x", [sid("bob"), sid("nobody"),
                                                                sid("alice")])))
        ck.eq([float(x.balance) for x in st], [5.0, 0.0, 10.0], "status per id in order")
        h = s.getCreditHistory(sipId=sid("alice"), count=5)
        h = as_list(getattr(h, "entries", h))
        ck.eq([(float(e.value), e.description) for e in h],
              [(-0.5, "Refund 1"), (10.5, "CC transaction 1")], "history newest first")
        ck.eq(float(h[0].balance), 10.0, "balance after each movement")


def test_call_data(args):
    with session(args, "call_data", accounts=["alice", "bob"]) as (ck, data, srv, c):
        s = c.sip
        s.addAlias(alias={"id": sid("bobby"), "target": sid("bob")})
        resp = post_events(srv, data, {"type": "registration"}, auth=False)
        ck.eq(resp.status, 401, "events need the administrator's credentials")
        now = int(time.time())
        resp = post_events(srv, data, [
            {"type": "registration", "aor": f"alice@{DOMAIN}",
             "contact": "sip:alice@10.0.0.5:5062;transport=tcp", "received": "sip:198.51.100.7:40000",
             "expires": 3600, "user_agent": "Blink 5"},
            {"type": "registration", "username": "alice", "domain": DOMAIN,
             "contact": "sip:alice@10.0.0.6", "expires": 1},
            {"type": "registration", "username": "bob", "domain": DOMAIN,
             "contact": "sip:bob@10.0.0.7", "expires_at": now + 600, "transport": "udp"},
            {"type": "registration", "username": "ghost", "domain": DOMAIN,
             "contact": "sip:ghost@10.0.0.8", "expires": 600},
            {"type": "call", "call_id": "c1=ab", "from_uri": f"sip:alice@{DOMAIN}",
             "to_uri": f"sip:bobby@{DOMAIN}", "start": now - 300, "duration": 60,
             "status": 200, "price": 0.25, "from_tag": "t=1", "media": ["audio", "chat"]},
            {"type": "call", "call_id": "c2", "from_uri": f"sip:bob@{DOMAIN}",
             "to_uri": f"sip:alice@{DOMAIN}", "start": now - 200, "duration": 0,
             "status": 487},
            {"type": "call", "call_id": "c3", "from_uri": f"sip:alice@{DOMAIN}",
             "to_uri": "sip:+31201234567@pstn.example.net", "start": now - 100,
             "stop": now - 40, "status": 200, "price": 0.5},
        ])
        ck.eq(resp.status, 200, f"events accepted ({resp.body!r})")
        ck.eq(json.loads(resp.body), {"accepted": 6, "ignored": 1}, "ghost ignored")
        bad = post_events(srv, data, {"type": "call", "from_uri": "sip:a@b"})
        ck.eq(bad.status, 400, f"a call without call_id ({bad.body!r})")
        time.sleep(1.2)  # the 1-second registration expires
        locs = as_list(s.getSipDeviceLocations(sipIds=c.arr("x", "x", [sid("bob"), sid("alice"),
                                                                       sid("nobody")])))
        ck.eq([x.id.username for x in locs], ["bob", "alice", "nobody"], "one entry per id")
        alice = as_list(locs[1].locations)
        ck.eq([(l.address, int(l.port), l.publicAddress, int(l.publicPort), l.transport,
                l.userAgent) for l in alice],
              [("10.0.0.5", 5062, "198.51.100.7", 40000, "tcp", "Blink 5")],
              "expired registration vanished; the live one read back")
        ck.check(3500 < int(alice[0].expires) <= 3600, f"expires left: {alice[0].expires}")
        ck.eq(len(as_list(locs[0].locations)), 1, "bob's registration (expires_at)")
        ck.eq(len(as_list(locs[2].locations)), 0, "unknown id: no locations")
        post_events(srv, data, {"type": "unregistration", "username": "bob", "domain": DOMAIN,
                                "contact": "sip:bob@10.0.0.7"})
        locs = as_list(s.getSipDeviceLocations(sipIds=c.arr("x", "x", [sid("bob")])))
        ck.eq(len(as_list(locs[0].locations)), 0, "unregistration removes the contact")

        q = {"placed": {"fromDate": now - 3600, "toDate": now + 60, "limit": 50},
             "received": {"fromDate": now - 3600, "toDate": now + 60, "limit": 50}}
        calls = s.getCalls(sipId=sid("alice"), query=q)
        placed = as_list(calls.placed)
        ck.eq([x.sessionId for x in placed], ["c3", "c1=3Dab"], "placed, newest first, QP")
        ck.eq((placed[1].toURI, int(placed[1].duration), float(placed[1].price),
               placed[1].fromTag, as_list(placed[1].applicationTypes)),
              (f"sip:bobby@{DOMAIN}", 60, 0.25, "t=3D1", ["audio, chat"]), "call fields")
        ck.eq(int(placed[0].duration), 60, "duration from start/stop")
        received = as_list(calls.received)
        ck.eq([(x.sessionId, int(x.status), int(x.duration)) for x in received],
              [("c2", 487, 0)], "received (missed: duration 0)")
        bob = s.getCalls(sipId=sid("bob"), query=q)
        ck.eq([x.sessionId for x in as_list(bob.received)], ["c1=3Dab"],
              "a call to an alias counts for its account")
        window = s.getCalls(sipId=sid("alice"), query={
            "placed": {"fromDate": now - 150, "toDate": now, "limit": 10}})
        ck.eq([x.sessionId for x in as_list(window.placed)], ["c3"], "time range")
        stats = s.getCallStatistics(sipId=sid("alice"), query={"placed": {"limit": 1}})
        same_month = time.gmtime(now - 400)[:2] == time.gmtime(now)[:2]
        if same_month:  # without dates: the current calendar month (all three calls in it)
            ck.eq((int(stats.placed.calls), round(float(stats.placed.price), 2),
                   int(stats.received.calls)), (2, 0.75, 1), "statistics of the month")

        csv_path = os.path.join(data.path, "cdrs.csv")
        with open(csv_path, "w") as f:
            f.write("call_id,from_uri,to_uri,start,duration,status,price\n")
            f.write(f'"c4",sip:carol@x.example,sip:bob@{DOMAIN},{now - 50},30,200,0\n')
            f.write(f"c5,sip:a@x.example,sip:b@y.example,{now - 40},30,200,0\n")
        srv.stop()
        r = subprocess.run([args.binary, "import-cdrs", csv_path, "--data", data.path],
                           capture_output=True, text=True)
        ck.eq(r.returncode, 0, f"import-cdrs exit ({r.stdout}{r.stderr})")
        ck.check("1 stored, 1 ignored" in r.stdout + r.stderr, f"import summary: {r.stdout}")
        srv.start()
        bob = s.getCalls(sipId=sid("bob"), query=q)
        ck.eq([x.sessionId for x in as_list(bob.received)], ["c4", "c1=3Dab"],
              "imported CDR read back")


if __name__ == "__main__":
    sbtest.main(globals())
