#!/usr/bin/python3
"""CDRTool compatibility: the screens an operator meets first, in CDRTool's request shapes.

Each test starts the real `switchboard provision` on 127.0.0.1 with a port it picks, posts
CDRTool's recorded requests (../shared/reference/wire-samples/, with the values a test needs
substituted) or envelopes built the same way (PEAR SOAP: ns4/ns5 prefixes, unqualified auth),
and stops the server.

 customer_edit     CustomerPort.getAccount, then CustomerPort.updateAccount with the record as
     returned and the password field filled as CDRTool's customer form fills it (what was shown,
     or a random 6-character string when that was empty): the customer still logs in with its
     original password, the edit landed, and the password shown is not the password.
 diversion_first   SipPort.setCallDiversions with <voice-mailbox> before
     VoicemailPort.addAccount: accepted, read back, kept once the mailbox is added.
 rating_profiles   RatingPort.getEntityProfiles answers 4001 before any are set;
     setEntityProfiles then getEntityProfiles round-trips every field; a customer reads its
     subscriber's profiles but may not set them (8001), its reseller may; deleteEntityProfiles,
     then 4001 again.
 network           NetworkPort.getStatus names this server (its address, version,
     provisioning_server role); getStatistics counts the accounts per SIP domain and the ones
     with a live registration (reported through the events endpoint), per node and summary.
 traces_and_unimplemented   getMediaTrace answers 1060, getSipTrace/getMediaSummary/
     getMediaSessions an empty JSON list; a not-implemented operation (DnsPort.addFancyRecord)
     refuses a wrong password with 8000 and a right one with 9000, and both are audited.
 gateway_customer_filter   getGateways and getGatewayRules with CDRTool's `customer` filter
     return only that owner's gateways and rules.

Usage: /usr/bin/python3 test_cdrtool.py --binary PATH/TO/switchboard
"""

import base64
import json
import os
import random
import re
import string
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import (Checker, DataDir, build_envelope, post_soap,  # noqa: E402
                    raw_fault_code, raw_request, soap_body_child, start_provision)

NS = "urn:AGProjects:NGNPro"
NS_CUSTOMER = NS + ":Customer"
NS_SIP = NS + ":Sip"
NS_VM = NS + ":Voicemail"
NS_RATING = NS + ":Rating"
NS_NETWORK = NS + ":Network"
NS_DNS = NS + ":Dns"
DOMAIN = "sip-hval1.example.org"  # the wire samples' domain


def admin_data(args):
    """The samples carry admin/secret: the server's administrator is that account."""
    return DataDir(username="admin", password="secret", keep=args.keep)


class Call:
    """What a response held: HTTP status, the body's first element, the fault code if any."""

    def __init__(self, resp):
        self.status = resp.status
        self.body = resp.body
        _, self.child = soap_body_child(resp.body)
        self.fault = raw_fault_code(self.child) if self.child is not None and \
            self.child.tag.endswith("Fault") else None

    def field(self, *path):
        """Text of the first element named path[-1] under the answer (by local names)."""
        el = self.child
        for name in path:
            el = next((e for e in el.iter() if e.tag.split("}")[-1] == name and e is not el),
                      None)
            if el is None:
                return None
        return el.text or ""


def call(srv, op, body, ns, user="admin", password="secret", admin=True):
    return Call(post_soap(srv.soap_port, build_envelope(op, body, user, password, ns=ns,
                                                         admin=admin)))


def sample(srv, name, replacements=()):
    samples = sbtest.load_samples(name.split(".")[0])
    return Call(samples[name.split(".", 1)[1]].post(srv.soap_port, replacements))


def expect_ok(ck, c, what):
    ck.check(c.status == 200 and c.fault is None,
             f"{what}: HTTP {c.status}, fault {c.fault}: {c.body[:300]!r}")


def expect_code(ck, c, code, what):
    ck.check(c.fault == code, f"{what}: expected fault {code}, got {c.fault}: {c.body[:300]!r}")


def xml_text(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# ------------------------------------------------------------------------------------------


def test_customer_edit(args):
    ck = Checker("customer_edit")
    original = "Orig-Pass-17"
    with admin_data(args) as data, start_provision(args, data) as srv:
        # The reseller of the samples (customer 1001, username r1-hval1), added by the admin.
        added = sample(srv, "CustomerPort.addAccount", [
            ('<password xsi:type="xsd:string">secret</password>\n        <firstName',
             f'<password xsi:type="xsd:string">{original}</password>\n        <firstName')])
        expect_ok(ck, added, "addAccount sample")
        cid = added.field("id")
        for who, auth in (("the administrator", []),
                          ("the customer itself",
                           [('<username xsi:type="xsd:string">admin</username>',
                             '<username xsi:type="xsd:string">r1-hval1</username>'),
                            ('<password xsi:type="xsd:string">secret</password>',
                             f'<password xsi:type="xsd:string">{original}</password>'),
                            ('<admin xsi:type="xsd:boolean">true</admin>',
                             '<admin xsi:type="xsd:boolean">false</admin>')])):
            got = sample(srv, "CustomerPort.getAccount",
                         auth + [(">1001<", f">{cid}<")])
            expect_ok(ck, got, f"getAccount by {who}")
            shown = got.field("password")
            ck.check(original not in (shown or ""), f"the password is not shown: {shown!r}")
            # CDRTool's form: the field as shown, or a random 6-character password if empty.
            sent = shown or "".join(random.choice(string.ascii_letters) for _ in range(6))
            edited = f"Reseller one (edited by {who})"
            upd = sample(srv, "CustomerPort.updateAccount", auth + [
                ('<id xsi:type="xsd:int">1001</id>', f'<id xsi:type="xsd:int">{cid}</id>'),
                ('<reseller xsi:type="xsd:int">1001</reseller>',
                 f'<reseller xsi:type="xsd:int">{got.field("reseller")}</reseller>'),
                ('<password xsi:type="xsd:string">secret</password>\n        <firstName',
                 f'<password xsi:type="xsd:string">{xml_text(sent)}</password>\n'
                 '        <firstName'),
                ("Reseller one hval1 (edited)", edited)])
            expect_ok(ck, upd, f"updateAccount by {who} with the record as returned")
            login = call(srv, "getAccount", f'<id xsi:type="xsd:int">{cid}</id>', NS_CUSTOMER,
                         user="r1-hval1", password=original, admin=False)
            expect_ok(ck, login, f"login with the original password after the edit by {who}")
            if login.fault is None:
                ck.eq(login.field("organization"), edited, f"the edit by {who} landed")
        # A password really typed into the form replaces it.
        upd = sample(srv, "CustomerPort.updateAccount", [
            ('<id xsi:type="xsd:int">1001</id>', f'<id xsi:type="xsd:int">{cid}</id>'),
            ('<reseller xsi:type="xsd:int">1001</reseller>',
             f'<reseller xsi:type="xsd:int">{cid}</reseller>'),
            ('<password xsi:type="xsd:string">secret</password>\n        <firstName',
             '<password xsi:type="xsd:string">New-Pass-18</password>\n        <firstName')])
        expect_ok(ck, upd, "updateAccount with a new password")
        expect_code(ck, call(srv, "getAccount", f"<id>{cid}</id>", NS_CUSTOMER, "r1-hval1",
                             original, admin=False), 8000, "the old password after a change")
        expect_ok(ck, call(srv, "getAccount", f"<id>{cid}</id>", NS_CUSTOMER, "r1-hval1",
                           "New-Pass-18", admin=False), "the new password")
    ck.done()


def add_domain_and_alice(ck, srv):
    expect_ok(ck, sample(srv, "SipPort.addDomain"), "addDomain sample")
    expect_ok(ck, sample(srv, "SipPort.addAccount"), "addAccount sample")


def test_diversion_first(args):
    ck = Checker("diversion_first")
    with admin_data(args) as data, start_provision(args, data) as srv:
        add_domain_and_alice(ck, srv)
        expect_code(ck, sample(srv, "VoicemailPort.getAccount"), 2000, "no mailbox yet")
        expect_ok(ck, sample(srv, "SipPort.setCallDiversions"),
                  "setCallDiversions with <voice-mailbox> before the mailbox exists")
        got = sample(srv, "SipPort.getCallDiversions")
        expect_ok(ck, got, "getCallDiversions")
        ck.eq(got.field("FNOA"), "<voice-mailbox>", "FNOA read back")
        expect_ok(ck, sample(srv, "VoicemailPort.addAccount"), "then VoicemailPort.addAccount")
        ck.eq(sample(srv, "SipPort.getCallDiversions").field("FNOA"), "<voice-mailbox>",
              "FNOA kept once the mailbox exists")
    ck.done()


def rating_body(entity, **p):
    fields = "".join(f'<{k} xsi:type="xsd:string">{v}</{k}>' for k, v in p.items())
    return (f'<profiles xsi:type="ns4:RatingEntityProfiles"><entity xsi:type="xsd:string">'
            f'{entity}</entity>{fields}</profiles>')


def test_rating_profiles(args):
    ck = Checker("rating_profiles")
    entity = f"subscriber://alice@{DOMAIN}"
    get = f'<entity xsi:type="xsd:string">{entity}</entity>'
    profiles = {"profileWeekday": "weekday-1", "profileWeekdayAlt": "weekday-night",
                "profileWeekend": "weekend-1", "profileWeekendAlt": "weekend-night",
                "timezone": "Europe/Amsterdam"}
    with admin_data(args) as data, start_provision(args, data) as srv:
        add_domain_and_alice(ck, srv)
        expect_code(ck, call(srv, "getEntityProfiles", get, NS_RATING), 4001,
                    "getEntityProfiles before any are set")
        expect_ok(ck, call(srv, "setEntityProfiles", rating_body(entity, **profiles), NS_RATING),
                  "setEntityProfiles")
        got = call(srv, "getEntityProfiles", get, NS_RATING)
        expect_ok(ck, got, "getEntityProfiles")
        ck.eq({k: got.field(k) for k in profiles}, profiles, "every field round-trips")
        ck.eq(got.field("entity"), entity, "entity read back")
        # A customer owning the domain reads its subscriber's profiles but does not set them;
        # its reseller does.
        res = call(srv, "addAccount", '<account><username>r1</username><password>Pw-r1-x'
                   '</password><resellerActive>true</resellerActive></account>', NS_CUSTOMER)
        expect_ok(ck, res, "a reseller")
        cust = call(srv, "addAccount", '<account><username>c1</username><password>Pw-c1-x'
                    f'</password><reseller>{res.field("id")}</reseller></account>', NS_CUSTOMER)
        expect_ok(ck, cust, "its customer")
        expect_ok(ck, call(srv, "updateDomain", f"<domain><domain>{DOMAIN}</domain><customer>"
                           f"{cust.field('id')}</customer></domain>", NS_SIP),
                  "the domain given to the customer")
        expect_ok(ck, call(srv, "getEntityProfiles", get, NS_RATING, "c1", "Pw-c1-x",
                           admin=False), "the customer reads them")
        expect_code(ck, call(srv, "setEntityProfiles", rating_body(entity, timezone="UTC"),
                             NS_RATING, "c1", "Pw-c1-x", admin=False), 8001,
                    "the customer may not set them")
        ck.eq(call(srv, "getEntityProfiles", get, NS_RATING).field("timezone"),
              "Europe/Amsterdam", "a refused set changes nothing")
        profiles["timezone"] = "Europe/Berlin"
        expect_ok(ck, call(srv, "setEntityProfiles", rating_body(entity, **profiles), NS_RATING,
                           "r1", "Pw-r1-x", admin=False), "the domain's reseller sets them")
        expect_code(ck, call(srv, "setEntityProfiles", rating_body("", timezone="UTC"),
                             NS_RATING), 8002, "no entity")
        ck.eq(call(srv, "getEntityProfiles", get, NS_RATING).field("timezone"),
              "Europe/Berlin", "nothing changed by the refused set")
        expect_ok(ck, call(srv, "deleteEntityProfiles", get, NS_RATING), "deleteEntityProfiles")
        expect_code(ck, call(srv, "getEntityProfiles", get, NS_RATING), 4001, "gone")
        expect_code(ck, call(srv, "deleteEntityProfiles", get, NS_RATING), 4001,
                    "deleting again")
    ck.done()


def post_events(srv, data, events):
    token = base64.b64encode(f"{data.username}:{data.password}".encode()).decode()
    return raw_request(srv.soap_port, "POST /ngnpro/events HTTP/1.1",
                       [("Host", "127.0.0.1"), ("Content-Type", "application/json"),
                        ("Authorization", f"Basic {token}"), ("Connection", "close")],
                       json.dumps(events).encode())


def test_network(args):
    ck = Checker("network")
    other = "other.example.org"
    with admin_data(args) as data, start_provision(args, data) as srv:
        add_domain_and_alice(ck, srv)
        expect_ok(ck, call(srv, "addDomain", f"<domain><domain>{other}</domain></domain>",
                           NS_SIP), "a second domain")
        for user, domain in (("bob", DOMAIN), ("carol", DOMAIN), ("dave", other)):
            expect_ok(ck, call(srv, "addAccount", f"<account><id><username>{user}</username>"
                               f"<domain>{domain}</domain></id><password>pw-{user}</password>"
                               "</account>", NS_SIP), f"account {user}@{domain}")
        now = int(time.time())
        resp = post_events(srv, data, [
            {"type": "registration", "username": "alice", "domain": DOMAIN,
             "contact": "sip:alice@10.0.0.5", "expires": 600},
            {"type": "registration", "username": "alice", "domain": DOMAIN,
             "contact": "sip:alice@10.0.0.6", "expires": 600},
            {"type": "registration", "username": "bob", "domain": DOMAIN,
             "contact": "sip:bob@10.0.0.7", "expires_at": now + 600},
            {"type": "registration", "username": "carol", "domain": DOMAIN,
             "contact": "sip:carol@10.0.0.8", "expires": 1}])
        ck.eq(resp.status, 200, f"registrations reported ({resp.body!r})")
        time.sleep(1.2)  # carol's registration expires

        status = call(srv, "getStatus", "", NS_NETWORK)
        expect_ok(ck, status, "getStatus")
        nodes = json.loads(status.field("return") or "{}")
        ck.eq(len(nodes), 1, f"one node: {nodes}")
        node = next(iter(nodes.values()), {})
        ck.eq(node.get("ip"), "127.0.0.1", "the node's address is the one the request reached")
        ck.check("provisioning_server" in node.get("roles", []), f"roles: {node}")
        ck.check(re.match(r"^\d+\.\d+", node.get("version", "")), f"version: {node}")

        stats = call(srv, "getStatistics", "", NS_NETWORK)
        expect_ok(ck, stats, "getStatistics")
        doc = json.loads(stats.field("return") or "{}")
        want = {"online_accounts": {DOMAIN: 2, other: 0},
                "total_accounts": {DOMAIN: 3, other: 1}}
        ck.eq(doc.get("127.0.0.1", {}).get("sip_proxy"), want, "per node")
        ck.eq(doc.get("summary", {}).get("sip_proxy"), want, "summary")
        expect_code(ck, call(srv, "getStatus", "", NS_NETWORK, password="wrong"), 8000,
                    "getStatus authenticates")
    ck.done()


def test_traces_and_unimplemented(args):
    ck = Checker("traces_and_unimplemented")
    with admin_data(args) as data, start_provision(args, data) as srv:
        trace = ("<filter><nodeIp>127.0.0.1</nodeIp><callId>abc@example</callId>"
                 "<fromTag>1</fromTag><toTag>2</toTag></filter>")
        expect_code(ck, call(srv, "getMediaTrace", trace, NS_SIP), 1060, "getMediaTrace")
        for op, body in (("getSipTrace", trace), ("getMediaSummary", ""),
                         ("getMediaSessions", "")):
            got = call(srv, op, body, NS_SIP)
            expect_ok(ck, got, op)
            ck.eq(json.loads(got.field("return") or "null"), [], f"{op}: an empty list")
            expect_code(ck, call(srv, op, body, NS_SIP, password="wrong"), 8000,
                        f"{op} authenticates")
        fancy = "<record><zone>example.com</zone><name>www</name></record>"
        expect_code(ck, call(srv, "addFancyRecord", fancy, NS_DNS, password="wrong"), 8000,
                    "a not-implemented operation authenticates first")
        expect_code(ck, call(srv, "addFancyRecord", fancy, NS_DNS), 9000,
                    "then says it is not implemented")
        expect_code(ck, call(srv, "getFancyRecord", "<recordId>1</recordId>", NS_DNS,
                             password="wrong"), 8000, "getFancyRecord authenticates")
        srv.stop()
        log = srv.output(tail=100000)
    # The audit line's text follows the log prefix ("switchboard: notice: provisioning: ").
    audits = [line[line.index("audit time="):] for line in log.splitlines()
              if "audit time=" in line]
    ck.check(any(re.search(r'op=DnsPort\.addFancyRecord .*user="admin".*result=fault:9000', a)
                 for a in audits), "the refused addFancyRecord is audited")
    ck.check(any(re.search(r"op=DnsPort\.addFancyRecord .*result=fault:8000", a)
                 for a in audits), "the failed login is audited")
    ck.done()


def test_gateway_customer_filter(args):
    ck = Checker("gateway_customer_filter")
    with admin_data(args) as data, start_provision(args, data) as srv:
        ids = {}
        for name in ("ra", "rb"):
            c = call(srv, "addAccount", f"<account><username>{name}</username><password>"
                     f"Pw-{name}-x</password><resellerActive>true</resellerActive></account>",
                     NS_CUSTOMER)
            expect_ok(ck, c, f"reseller {name}")
            ids[name] = c.field("id")
        carriers, gateways = {}, {}
        for name, cid in ids.items():
            expect_ok(ck, call(srv, "addCarrier", f"<carrier><name>c-{name}</name><reseller>"
                               f"{cid}</reseller></carrier>", NS_SIP), f"carrier of {name}")
            got = call(srv, "getCarriers", f"<query><filter><name>c-{name}</name></filter>"
                       "</query>", NS_SIP)
            carriers[name] = got.field("carriers", "id")
            for i in (1, 2):
                expect_ok(ck, call(srv, "addGateway", f"<gateway><name>gw-{name}-{i}</name>"
                                   f"<carrier_id>{carriers[name]}</carrier_id><ip>192.0.2.{i}"
                                   "</ip><port>5060</port><transport>udp</transport>"
                                   "</gateway>", NS_SIP), f"gateway {i} of {name}")
            got = call(srv, "getGateways", f"<query><filter><name>gw-{name}-1</name></filter>"
                       "</query>", NS_SIP)
            gateways[name] = got.field("gateways", "id")
            expect_ok(ck, call(srv, "addGatewayRule", f"<rule><gateway_id>{gateways[name]}"
                               "</gateway_id><prefix>0031</prefix><strip>2</strip></rule>",
                               NS_SIP), f"rule of {name}")
        for name, cid in ids.items():
            got = sample(srv, "SipPort.getGateways", [
                ('<name xsi:type="xsd:string">gw-hval1</name>', '<name xsi:type="xsd:string"/>'),
                ('<carrier_id xsi:type="xsd:int">7</carrier_id>',
                 '<carrier_id xsi:type="xsd:int">0</carrier_id>'),
                ('<customer xsi:type="xsd:int">0</customer>',
                 f'<customer xsi:type="xsd:int">{cid}</customer>')])
            expect_ok(ck, got, f"getGateways customer={cid}")
            names = sorted(e.text for e in got.child.iter() if e.tag.split("}")[-1] == "name")
            ck.eq(names, [f"gw-{name}-1", f"gw-{name}-2"], f"gateways of {name} only")
            got = sample(srv, "SipPort.getGatewayRules", [
                ('<gateway_id xsi:type="xsd:int">8</gateway_id>',
                 '<gateway_id xsi:type="xsd:int">0</gateway_id>'),
                ('<customer xsi:type="xsd:int">0</customer>',
                 f'<customer xsi:type="xsd:int">{cid}</customer>')])
            expect_ok(ck, got, f"getGatewayRules customer={cid}")
            ck.eq(got.field("total"), "1", f"one rule for {name}")
            ck.eq(got.field("gateway_rules", "gateway_id"), gateways[name],
                  f"the rule of {name}'s gateway")
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
