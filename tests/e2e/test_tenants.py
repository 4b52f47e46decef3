#!/usr/bin/python3
"""End-to-end tests of tenancy: customers, resellers, permissions, credits, impersonation.

Each test starts the real `switchboard provision` on 127.0.0.1 with a port it picks, in a fresh
data dir, drives it with zeep (one parsed WSDL, one auth header per login) and always stops it
and deletes the dir. The rules asserted are those of docs/decisions.md ("Customers and
tenancy"), provisioning/src/policy.cpp and customer_service.cpp.

The world: the administrator; reseller A (resellerActive) with customers A1 and A2 (A2's
impersonate = A, so it acts with A's rights); reseller B with customer B1; an unrelated
reseller R0. Tenants own objects: "none" (customer 0 — the administrator's; for customers, R0),
A, A1, B, B1.

What it checks:

 permission_matrix     every kind × actor × tenant × operation. Kinds: dns_zones, dns_records,
     enum_ranges, enum_numbers, sip_domains, sip_accounts, sip_aliases, customers (a table;
     each row has create/get/list/update/delete callables). Actors: admin, A, A1, B, B1,
     admin>A and admin>A1 (admin header with impersonate = N), A2^ (A2, impersonate = its
     reseller: acts as A). Operations: list (is the tenant's object in the unfiltered listing), get,
     update (a marker field changes — or, denied, stays), delete (a throwaway the
     administrator made for the cell with the same owner; denied, it must survive; allowed,
     it must be gone), create (for the tenant: top-level kinds pass customer/reseller, child
     kinds go into the tenant's parent; the created object's owner is checked). The expected
     result of every cell comes from one rule function, expected(), mirroring the policy;
     a deny must be the documented fault: the kind's not-found code for an invisible object
     (7000/7002/3000/3002/1000/1010/1020/5000), 8001 for a forbidden creation or a
     customer deleting a customer it may see but not delete; list/"get by query" denies are
     absences. The matrix is printed with mismatches marked and listed.
 credits               for sip_credit, sip_alias_credit, enum_range_credit,
     enum_number_credit and dns_zone_credit: with the credit 3 on customer C1 and 5 on its
     reseller R, C1's 4th object is refused with 8003 (also for the administrator), the 6th
     of R's customers (C2 has no credit of its own) is refused; deleting one frees a credit
     for either customer.
 credits_concurrent    for the same five credits: 8 threads, each on its own connection,
     add 2 objects each (16 tries) for one customer with the credit 5 (as the customer, its
     reseller and the administrator) → exactly 5 succeed, 11 fault 8003, 5 exist; then the
     same against a reseller's credit 5 shared by two of its customers.
 impersonation         admin impersonate=A creates owned by A; impersonate=A1 cannot create
     for B1 (8001) nor see A's zone (7000); impersonate of an unknown customer faults 5000;
     A2 (impersonate = A) creates owned by A, sees A1's zone and adds customers under A;
     the administrator impersonating A2 acts as A; a customer's own impersonate in its
     header is ignored; admin=true with customer credentials is 8000; a header with only
     username and password (the Python client's) works for a customer and the administrator; a customer cannot set
     its own impersonate; its reseller can set it to the reseller only; once set, the
     customer sees the reseller's zone.
 no_reseller_from_customers   no customer-level login creates a reseller (A's addAccount
     without reseller makes A's customer; with reseller = another id, or an explicit self-
     reseller id, 8001; a customer's addAccount 8001; a reseller changing its customer's
     reseller is ignored) and none touches admin-only things: resellerActive, balance,
     credit of itself; admin-permission properties (changing 8001, re-sending unchanged or
     leaving them out keeps them); a reseller may set the credit properties of its
     customers but not its own nor other admin properties; "reseller" properties are the
     reseller's, not the customer's; a new property with permission admin from a customer
     is 8001; pstn_access = 1 on a customer needs it on its reseller (8001 otherwise, for the
     administrator too), and a reseller cannot give it to itself.
 reseller_inactive     with B's resellerActive off, B and B1 create nothing (zone, record,
     customer: 8001) while reads still work and the administrator still creates for B1;
     back on, they create again.
 delete_customer_with_records  deleting a customer that still owns a DNS zone, an ENUM range
     or a SIP domain (by its reseller, then by the administrator), or a reseller that still
     has customers, is 5002; emptied, it succeeds.
 move_customer         after the administrator moves A1 from reseller A to reseller B
     (updateAccount reseller = B), B — now A1's reseller — sees A1's zone and SIP domain and
     A no longer does ("a reseller sees its own and its customers' records").
 password_hashes       customers' passwords (added by the administrator and by a reseller,
     changed by the customer) are not in the store in clear (mdb_dump -a, printable and hex)
     and pbkdf2-sha256$ is; getAccount/getCustomers return a `hashed:` token instead of the
     password; an update without a password, or with the token, keeps it; after a change
     the old one is refused (8000), the new one works.

Needs mdb_dump (lmdb-utils) on PATH. credits_concurrent runs its server with 16 SOAP workers:
a worker keeps an idle keep-alive connection for 15 s, and the test opens 9 connections.

Usage: /usr/bin/python3 test_tenants.py --binary PATH/TO/switchboard [-k NAME] [--keep]
"""

import copy
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import zeep.exceptions  # noqa: E402
import zeep.helpers  # noqa: E402

import sbtest  # noqa: E402
from sbtest import (Checker, DataDir, SoapClient, as_list, auth_element,  # noqa: E402
                    expect_fault, fault_code, start_provision)

INI = "[dns]\nnameservers = ns1.example.net ns2.example.net\n"
# A worker serves one keep-alive connection until it idles (15 s): the concurrent test's 9
# connections need more than the default 8 workers.
INI_WORKERS = INI + "[soap]\nthreads = 16\n"
PORTS = {"dns": "DnsPort", "enum": "EnumPort", "sip": "SipPort", "cust": "CustomerPort"}
TLD = "e164.arpa"

ALLOW, OWN, ABSENT = "allow", "own", "absent"
FORBIDDEN, CREDIT, AUTH = 8001, 8003, 8000


def query(flt):
    return {"filter": flt, "range": {"start": 0, "count": 10000}}


def resend_account(reader, writer, cid, properties=None, **changes):
    """updateAccount by `writer` of customer `cid` as `reader` reads it (a client edits what it
    read): no password (= keep it), `changes` applied, the properties read unless given."""
    row = zeep.helpers.serialize_object(reader.cust.getAccount(id=cid), dict)
    row.pop("changeDate", None)
    row["password"] = ""
    row.update(changes)
    props = properties if properties is not None else (row.get("properties") or [])
    row["properties"] = writer.cust.array("CustomerAccount", "properties",
                                          [dict(p) for p in props])
    writer.cust.updateAccount(account=row)


def attempt(fn):
    """ALLOW when fn() returns, else the fault's errorcode; other errors as text."""
    try:
        fn()
        return ALLOW
    except zeep.exceptions.Fault as e:
        code = fault_code(e)
        return code if code is not None else f"fault without errorcode: {e.message}"
    except Exception as e:  # noqa: BLE001 - a transport error is a result to report
        return f"error: {type(e).__name__}: {e}"


# --------------------------------------------------------------------------------------------
# Connections and logins


class Connection:
    """One zeep client (one parsed WSDL, one HTTP session) with a service for every port."""

    def __init__(self, server, admin_user, admin_password):
        self.server = server
        self.admin_user, self.admin_password = admin_user, admin_password
        self.base = SoapClient(server, admin_user, admin_password, port_name="DnsPort")
        service = next(iter(self.base.client.wsdl.services.values()))
        self.services = {p: self.base.client.create_service(service.ports[p].binding.name.text,
                                                            server.soap_url)
                         for p in PORTS.values()}

    def login(self, auth):
        return Login(self, auth)

    def admin(self, impersonate=0):
        return self.login(auth_element(self.admin_user, self.admin_password, admin=True,
                                       impersonate=impersonate))

    def customer(self, username, password, admin=False, impersonate=0):
        return self.login(auth_element(username, password, admin=admin,
                                       impersonate=impersonate))


class Login:
    """One auth header on every port: `login.dns.addZone(...)`, `login.cust.getAccount(...)`.
    Each attribute is a copy of the connection's sbtest.SoapClient with its auth swapped."""

    def __init__(self, conn, auth):
        for attr, port in PORTS.items():
            c = copy.copy(conn.base)
            c.service = conn.services[port]
            c.auth = auth
            setattr(self, attr, c)


# --------------------------------------------------------------------------------------------
# Tenants, actors and the rule


class Tenant:
    """Who owns an object: customer id and reseller id (0, 0 = the administrator's)."""

    def __init__(self, name, id=0, reseller=0, idx=0):
        self.name, self.id, self.reseller, self.idx = name, id, reseller, idx

    @property
    def is_reseller(self):
        return self.id != 0 and self.id == self.reseller

    @property
    def slug(self):
        return self.name.lower().replace("_", "-")


class Actor:
    """A login and the identity it acts as (admin, or customer `id` of reseller `reseller`)."""

    def __init__(self, name, login, id=0, reseller=0, admin=False):
        self.name, self.login, self.id, self.reseller, self.admin = \
            name, login, id, reseller, admin

    @property
    def is_reseller(self):
        return not self.admin and self.id == self.reseller


def sees(actor, t):
    """policy.hpp may_access / customer_service.cpp visible: the administrator everything, a
    reseller its own and its customers', a customer its own."""
    return actor.admin or (actor.is_reseller and t.reseller == actor.id) or \
        (t.id != 0 and t.id == actor.id)


def expected(kind, op, actor, t):
    """The one rule every matrix cell is checked against (docs/decisions.md, policy.cpp,
    customer_service.cpp): ALLOW, OWN (created, but for the actor itself), ABSENT (not in
    a listing) or the fault code of the refusal."""
    if op == "create":
        if kind.parent:                      # goes into the tenant's parent object
            return ALLOW if sees(actor, t) else kind.parent_notfound
        if actor.admin:                      # any owner, as given
            return ALLOW
        if kind.only_resellers_create and not actor.is_reseller:
            return FORBIDDEN                 # customers add no customers
        if t.id == 0:                        # no owner asked: the caller's own
            return OWN
        own_tenant = t.reseller if kind.only_resellers_create else t.id
        if own_tenant == actor.id or (actor.is_reseller and t.reseller == actor.id):
            return ALLOW                     # itself, or a reseller for its customers
        return FORBIDDEN
    if not sees(actor, t):
        return ABSENT if op == "list" or (op == "get" and kind.get_is_query) \
            else kind.notfound
    if op == "delete" and kind.name == "customers" and not actor.admin and \
            not (actor.is_reseller and t.reseller == actor.id and t.id != actor.id):
        return FORBIDDEN                     # visible, but only its reseller deletes it
    return ALLOW


# --------------------------------------------------------------------------------------------
# The world: tenants, their objects, and the kinds' callables


class World:
    def __init__(self, conn):
        self.conn = conn
        self.admin = conn.admin()
        self.tenants = {}
        self.objects = {}          # kind name -> tenant name -> key
        self._n = 0
        self._idx = 0
        self._lock = threading.Lock()

    def next(self):
        with self._lock:
            self._n += 1
            return self._n

    def add_customer(self, name, username, password, reseller=0, impersonate=0):
        acct = {"username": username, "password": password, "resellerActive": not reseller,
                "impersonate": impersonate, "firstName": name,
                "properties": self.admin.cust.array("CustomerAccount", "properties", [])}
        if reseller:
            acct["reseller"] = reseller
        row = self.admin.cust.addAccount(account=acct)
        return int(row.id), int(row.reseller)

    def add_tenant(self, name, password=None, reseller=0, impersonate=0):
        """A customer (a reseller when reseller = 0) and its Tenant; username = name.lower()."""
        password = password or f"Pw-{name}-{self.next()}"
        cid, rid = self.add_customer(name, name.lower(), password, reseller, impersonate)
        self._idx += 1
        t = Tenant(name, cid, rid, idx=self._idx)
        t.username, t.password = name.lower(), password
        self.tenants[name] = t
        return t

    def login_of(self, t):
        return self.conn.customer(t.username, t.password)

    def build(self, kinds, tenants):
        """The world object of every kind for every tenant, made by the administrator."""
        for kind in kinds:
            for t in tenants:
                if kind.name in self.objects and t.name in self.objects[kind.name]:
                    continue
                self.objects.setdefault(kind.name, {})[t.name] = kind.world(self, t)

    def obj(self, kind, t):
        return self.objects[kind.name][t.name]


def label(n, t):
    return f"w{t.slug}" if n is None else f"c{n}"


def exists_by_get(get, notfound):
    def exists(W, k):
        try:
            get(W, W.admin, k)
            return True
        except zeep.exceptions.Fault as e:
            if fault_code(e) == notfound:
                return False
            raise
    return exists


def owner_classify(placed):
    """Classify a created object by its (customer, reseller)."""
    def classify(W, k, actor, t):
        got = placed(W, k)
        if got == (t.id, t.reseller):
            return ALLOW
        if got == (actor.id, actor.reseller):
            return OWN
        return f"created with owner {got}"
    return classify


class Kind:
    """One row of the table of object kinds. Callables (W = World, s = a Login, t = Tenant,
    k = an object's key, n = a unique number for names and markers):
      make(W, s, t, n) -> k     create for tenant t (None n: the tenant's world object)
      get(W, s, k)              fault when invisible (get_is_query: returns whether found)
      listed(W, s, k) -> bool   is k in the caller's unfiltered listing
      update(W, s, k, n)        set the marker field to n / "m<n>"; marker(W, k) reads it
      delete(W, s, k)
      placed(W, k)              (customer, reseller) of a created object, as the admin reads
    notfound: the kind's not-found code; parent/parent_notfound: where a child kind is
    created and the code when that parent is invisible. A new kind is one more row."""

    def __init__(self, name, notfound, make, get, listed, update, marker, delete, placed=None,
                 parent=None, parent_notfound=None, get_is_query=False,
                 only_resellers_create=False, throwaway=None, world=None, classify=None,
                 exists=None):
        self.name, self.notfound, self.parent, self.parent_notfound = \
            name, notfound, parent, parent_notfound
        self.make, self.get, self.listed, self.update, self.marker, self.delete = \
            make, get, listed, update, marker, delete
        self.get_is_query = get_is_query
        self.only_resellers_create = only_resellers_create
        self.world = world or (lambda W, t: make(W, W.admin, t, None))
        self.throwaway = throwaway or (lambda W, t, n: make(W, W.admin, t, n))
        self.classify = classify or owner_classify(placed)
        self.exists = exists or (
            (lambda W, k: get(W, W.admin, k)) if get_is_query else exists_by_get(get, notfound))

    def __repr__(self):
        return self.name


# ---- DNS zones


def zone_make(W, s, t, n):
    name = f"{label(n, t)}.zones.test"
    s.dns.addZone(zone={"name": name, "customer": t.id, "reseller": t.reseller,
                        "info": "made"})
    return {"name": name, "t": t}


def zone_update(W, s, k, n):
    s.dns.updateZone(zone={"name": k["name"], "customer": k["t"].id,
                           "reseller": k["t"].reseller, "info": f"m{n}"})


DNS_ZONES = Kind(
    "dns_zones", 7000, make=zone_make,
    get=lambda W, s, k: s.dns.getZone(zone=k["name"]),
    listed=lambda W, s, k: k["name"] in [
        z.name for z in as_list(s.dns.getZones(query=query({"name": ""})).zones)],
    update=zone_update,
    marker=lambda W, k: W.admin.dns.getZone(zone=k["name"]).info,
    delete=lambda W, s, k: s.dns.deleteZone(zone=k["name"]),
    placed=lambda W, k: (lambda z: (int(z.customer), int(z.reseller)))(
        W.admin.dns.getZone(zone=k["name"])))


# ---- DNS records (inherit the zone's owner)


def record_make(W, s, t, n):
    zone = W.obj(DNS_ZONES, t)["name"]
    name = label(n, t)
    s.dns.addRecord(record={"zone": zone, "name": name, "type": "TXT", "value": name,
                            "ttl": 300})
    recs = as_list(W.admin.dns.getRecords(query=query({"zone": zone, "value": name})).records)
    return {"id": int(recs[0].id), "zone": zone, "name": name, "t": t}


def record_update(W, s, k, n):
    s.dns.updateRecord(record={"id": k["id"], "zone": k["zone"], "name": k["name"],
                               "type": "TXT", "value": f"m{n}", "ttl": 300})


DNS_RECORDS = Kind(
    "dns_records", 7002, parent=DNS_ZONES, parent_notfound=7000, make=record_make,
    get=lambda W, s, k: s.dns.getRecord(recordId=k["id"]),
    listed=lambda W, s, k: k["id"] in [
        int(r.id) for r in as_list(s.dns.getRecords(query=query({"zone": ""})).records)],
    update=record_update,
    marker=lambda W, k: W.admin.dns.getRecord(recordId=k["id"]).value,
    delete=lambda W, s, k: s.dns.deleteRecord(recordId=k["id"]),
    placed=lambda W, k: (lambda r: (int(r.customer), int(r.reseller)))(
        W.admin.dns.getRecord(recordId=k["id"])))


# ---- ENUM ranges (world: 49<idx>, 10-digit numbers; others 48<n>)


def range_prefix(n, t):
    return f"49{t.idx:02d}" if n is None else f"48{n:04d}"


def range_make(W, s, t, n):
    prefix = range_prefix(n, t)
    s.enum.addRange(range={"id": {"prefix": prefix, "tld": TLD}, "minDigits": 10,
                           "maxDigits": 10, "customer": t.id, "reseller": t.reseller,
                           "info": "made"})
    return {"prefix": prefix, "t": t}


def range_rows(s, prefix=""):
    return as_list(s.enum.getRanges(query=query({"prefix": prefix, "tld": ""})).ranges)


def range_row(W, k):
    rows = [r for r in range_rows(W.admin, k["prefix"]) if r.id.prefix == k["prefix"]]
    return rows[0] if rows else None


def range_update(W, s, k, n):
    s.enum.updateRange(range={"id": {"prefix": k["prefix"], "tld": TLD}, "minDigits": 10,
                              "maxDigits": 10, "customer": k["t"].id,
                              "reseller": k["t"].reseller, "info": f"m{n}"})


ENUM_RANGES = Kind(
    "enum_ranges", 3000, make=range_make, get_is_query=True,
    get=lambda W, s, k: any(r.id.prefix == k["prefix"] for r in range_rows(s, k["prefix"])),
    listed=lambda W, s, k: k["prefix"] in [r.id.prefix for r in range_rows(s)],
    update=range_update,
    marker=lambda W, k: range_row(W, k).info,
    delete=lambda W, s, k: s.enum.deleteRange(range={"prefix": k["prefix"], "tld": TLD}),
    placed=lambda W, k: (lambda r: (int(r.customer), int(r.reseller)))(range_row(W, k)))


# ---- ENUM numbers (inherit the range's owner)


def number_make(W, s, t, n):
    number = W.obj(ENUM_RANGES, t)["prefix"] + ("000000" if n is None else f"{n:06d}")
    s.enum.addNumber(number={"id": {"number": number, "tld": TLD}, "info": "made",
                             "mappings": s.enum.array("EnumNumber", "mappings", [
                                 {"type": "sip", "mapto": f"sip:{number}@example.com",
                                  "priority": 10}])})
    return {"number": number, "t": t}


def number_update(W, s, k, n):
    s.enum.updateNumber(number={"id": {"number": k["number"], "tld": TLD}, "info": f"m{n}",
                                "mappings": s.enum.array("EnumNumber", "mappings", [
                                    {"type": "sip", "mapto": f"sip:m{n}@example.com",
                                     "priority": 10}])})


def number_get(W, s, k):
    return s.enum.getNumber(enumId={"number": k["number"], "tld": TLD})


ENUM_NUMBERS = Kind(
    "enum_numbers", 3002, parent=ENUM_RANGES, parent_notfound=3000, make=number_make,
    get=number_get,
    listed=lambda W, s, k: k["number"] in [
        x.id.number for x in as_list(s.enum.getNumbers(query=query({"tld": TLD})).numbers)],
    update=number_update,
    marker=lambda W, k: number_get(W, W.admin, k).info,
    delete=lambda W, s, k: s.enum.deleteNumber(enumId={"number": k["number"], "tld": TLD}),
    placed=lambda W, k: (lambda x: (int(x.customer), int(x.reseller)))(
        number_get(W, W.admin, k)))


# ---- SIP domains


def domain_make(W, s, t, n):
    name = f"{label(n, t)}.sip.test"
    s.sip.addDomain(domain={"domain": name, "customer": t.id, "reseller": t.reseller})
    return {"domain": name, "t": t}


def domain_rows(s, name=""):
    return as_list(s.sip.getDomains(query=query({"domain": name})).domains)


def domain_row(W, k):
    rows = [d for d in domain_rows(W.admin, k["domain"]) if d.domain == k["domain"]]
    return rows[0] if rows else None


SIP_DOMAINS = Kind(
    "sip_domains", 1000, make=domain_make, get_is_query=True,
    get=lambda W, s, k: any(d.domain == k["domain"] for d in domain_rows(s, k["domain"])),
    listed=lambda W, s, k: k["domain"] in [d.domain for d in domain_rows(s)],
    update=lambda W, s, k, n: s.sip.updateDomain(domain={
        "domain": k["domain"], "customer": k["t"].id, "reseller": k["t"].reseller,
        "match_sip_domain": f"m{n}"}),
    marker=lambda W, k: domain_row(W, k).match_sip_domain,
    delete=lambda W, s, k: s.sip.deleteDomain(domain=k["domain"]),
    placed=lambda W, k: (lambda d: (int(d.customer), int(d.reseller)))(domain_row(W, k)))


# ---- SIP accounts (inherit the domain's owner)


def account_make(W, s, t, n):
    sid = {"username": label(n, t), "domain": W.obj(SIP_DOMAINS, t)["domain"]}
    s.sip.addAccount(account={"id": sid, "password": f"Sip-{sid['username']}-pw",
                              "firstName": "made"})
    return {"id": sid, "t": t}


def account_get(W, s, k):
    return s.sip.getAccount(sipId=k["id"])


SIP_ACCOUNTS = Kind(
    "sip_accounts", 1010, parent=SIP_DOMAINS, parent_notfound=1000, make=account_make,
    get=account_get,
    listed=lambda W, s, k: (k["id"]["username"], k["id"]["domain"]) in [
        (a.id.username, a.id.domain)
        for a in as_list(s.sip.getAccounts(query=query({"domain": ""})).accounts)],
    update=lambda W, s, k, n: s.sip.updateAccount(account={"id": k["id"],
                                                           "firstName": f"m{n}"}),
    marker=lambda W, k: account_get(W, W.admin, k).firstName,
    delete=lambda W, s, k: s.sip.deleteAccount(sipId=k["id"]),
    placed=lambda W, k: (lambda a: (int(a.customer), int(a.reseller)))(
        account_get(W, W.admin, k)))


# ---- SIP aliases (inherit the domain's owner; target: the tenant's world account)


def alias_make(W, s, t, n):
    domain = W.obj(SIP_DOMAINS, t)["domain"]
    aid = {"username": f"al-{label(n, t)}", "domain": domain}
    target = W.obj(SIP_ACCOUNTS, t)["id"]
    s.sip.addAlias(alias={"id": aid, "target": target})
    return {"id": aid, "target": target, "t": t}


def alias_get(W, s, k):
    return s.sip.getAlias(id=k["id"])


SIP_ALIASES = Kind(
    "sip_aliases", 1020, parent=SIP_DOMAINS, parent_notfound=1000, make=alias_make,
    get=alias_get,
    listed=lambda W, s, k: (k["id"]["username"], k["id"]["domain"]) in [
        (a.id.username, a.id.domain)
        for a in as_list(s.sip.getAliases(query=query({"aliasUsername": ""})).aliases)],
    update=lambda W, s, k, n: s.sip.updateAlias(alias={"id": k["id"], "target": k["target"],
                                                       "owner": n}),
    marker=lambda W, k: int(alias_get(W, W.admin, k).owner or 0),
    delete=lambda W, s, k: s.sip.deleteAlias(id=k["id"]),
    placed=lambda W, k: (lambda a: (int(a.customer), int(a.reseller)))(
        alias_get(W, W.admin, k)))


# ---- customers (the tenant's object is its own account; "none" = reseller R0)


def customer_make(W, s, t, n):
    acct = {"username": f"c{n}", "password": f"Pw-c{n}-secret",
            "properties": s.cust.array("CustomerAccount", "properties", [])}
    if t.id:
        acct["reseller"] = t.reseller        # a sibling of the tenant, under its reseller
    row = s.cust.addAccount(account=acct)     # none: no reseller asked (a new reseller)
    return {"id": int(row.id), "t": t}


def customer_throwaway(W, t, n):
    """A fresh account placed like the tenant's: a reseller for a reseller (or R0), else a
    customer of the same reseller."""
    acct = {"username": f"c{n}", "password": f"Pw-c{n}-secret",
            "properties": W.admin.cust.array("CustomerAccount", "properties", [])}
    if t.id and not t.is_reseller:
        acct["reseller"] = t.reseller
    return {"id": int(W.admin.cust.addAccount(account=acct).id), "t": t}


def customer_classify(W, k, actor, t):
    row = W.admin.cust.getAccount(id=k["id"])
    reseller = int(row.reseller)
    if (t.id == 0 and reseller == int(row.id)) or (t.id != 0 and reseller == t.reseller):
        return ALLOW
    if reseller == actor.id:
        return OWN
    return f"created with reseller {reseller}"


def customer_update(W, s, k, n):
    resend_account(W.admin, s, k["id"], organization=f"m{n}")


CUSTOMERS = Kind(
    "customers", 5000, make=customer_make, only_resellers_create=True,
    get=lambda W, s, k: s.cust.getAccount(id=k["id"]),
    listed=lambda W, s, k: k["id"] in [
        int(a.id) for a in as_list(s.cust.getCustomers(query=query({})).accounts)],
    update=customer_update,
    marker=lambda W, k: W.admin.cust.getAccount(id=k["id"]).organization,
    delete=lambda W, s, k: s.cust.deleteAccount(id=k["id"]),
    throwaway=customer_throwaway, classify=customer_classify,
    world=lambda W, t: {"id": t.id if t.id else W.r0, "t": t})

KINDS = [DNS_ZONES, DNS_RECORDS, ENUM_RANGES, ENUM_NUMBERS, SIP_DOMAINS, SIP_ACCOUNTS,
         SIP_ALIASES, CUSTOMERS]
OPS = ["list", "get", "update", "delete", "create"]


def cleanup(W, kind, k):
    """The administrator removes an object a cell made (ignoring 'already gone')."""
    try:
        kind.delete(W, W.admin, k)
    except zeep.exceptions.Fault as e:
        if fault_code(e) != kind.notfound:
            raise


def run_cell(W, kind, op, actor, t):
    """(result, notes): result as expected() returns it, notes = side-effect mismatches."""
    s, n, notes = actor.login, W.next(), []
    if op == "list":
        return (ALLOW if kind.listed(W, s, W.obj(kind, t)) else ABSENT), notes
    if op == "get":
        k = W.obj(kind, t)
        if kind.get_is_query:
            return (ALLOW if kind.get(W, s, k) else ABSENT), notes
        return attempt(lambda: kind.get(W, s, k)), notes
    if op == "update":
        k = W.obj(kind, t)
        before = kind.marker(W, k)
        res = attempt(lambda: kind.update(W, s, k, n))
        after = kind.marker(W, k)
        want = n if isinstance(after, int) else f"m{n}"
        if res == ALLOW and after != want:
            notes.append(f"update accepted but marker is {after!r}, not {want!r}")
        if res != ALLOW and after != before:
            notes.append(f"refused update changed the marker {before!r} -> {after!r}")
        return res, notes
    if op == "delete":
        self_delete = kind is CUSTOMERS and t.id != 0 and t.id == actor.id
        k = W.obj(kind, t) if self_delete else kind.throwaway(W, t, n)
        res = attempt(lambda: kind.delete(W, s, k))
        exists = kind.exists(W, k)
        if res == ALLOW and exists:
            notes.append("delete accepted but the object still exists")
        if res != ALLOW and not exists:
            notes.append("refused delete removed the object")
        if exists and not self_delete:
            cleanup(W, kind, k)
        return res, notes
    assert op == "create"
    made = {}

    def create():
        made["k"] = kind.make(W, s, t, n)
    res = attempt(create)
    if "k" in made:
        res = kind.classify(W, made["k"], actor, t)
        cleanup(W, kind, made["k"])
    return res, notes


def short(result):
    return {ALLOW: "+", OWN: "own", ABSENT: "-"}.get(result, str(result))


def print_matrix(kinds, actors, tenants, cells):
    width = 6
    block = width * len(OPS)
    print("\n  cells: L list, G get, U update, D delete, C create; + allowed, own = created but "
          "owned by the caller, - absent from the listing, a number = the fault's errorcode; "
          "! marks a mismatch (listed after the matrix with the expected result)")
    for kind in kinds:
        print(f"\n  {kind.name}")
        print(("  " + "actor".ljust(10) + "".join(f"| {t.name:<{block}}"
                                                  for t in tenants)).rstrip())
        print(("  " + "".ljust(10) + "".join(
            "| " + "".join(op[0].upper().ljust(width) for op in OPS) for _ in tenants)).rstrip())
        for actor in actors:
            line = "  " + actor.name.ljust(10)
            for t in tenants:
                line += "| "
                for op in OPS:
                    want, got, notes = cells[(kind.name, actor.name, t.name, op)]
                    text = short(got)
                    if got != want or notes:
                        text = "!" + text
                    line += text.ljust(width)
            print(line.rstrip())


def standard_world(W):
    """R0, A (A1, A2 with impersonate = A), B (B1): tenants and actors."""
    W.r0 = W.add_tenant("R0").id
    del W.tenants["R0"]
    a = W.add_tenant("A")
    a1 = W.add_tenant("A1", reseller=a.id)
    a2 = W.add_tenant("A2", reseller=a.id, impersonate=a.id)
    del W.tenants["A2"]
    b = W.add_tenant("B")
    b1 = W.add_tenant("B1", reseller=b.id)
    none = Tenant("none", 0, 0, idx=99)
    tenants = [none, a, a1, b, b1]
    conn = W.conn
    actors = [
        Actor("admin", W.admin, admin=True),
        Actor("A", W.login_of(a), a.id, a.id),
        Actor("A1", W.login_of(a1), a1.id, a.id),
        Actor("B", W.login_of(b), b.id, b.id),
        Actor("B1", W.login_of(b1), b1.id, b.id),
        Actor("admin>A", conn.admin(impersonate=a.id), a.id, a.id),
        Actor("admin>A1", conn.admin(impersonate=a1.id), a1.id, a.id),
        Actor("A2^", W.login_of(a2), a.id, a.id),   # impersonate = its reseller: acts as A
    ]
    return tenants, actors, a2


# --------------------------------------------------------------------------------------------
# Tests


def test_permission_matrix(args):
    ck = Checker("permission_matrix")
    with DataDir(keep=args.keep, extra_ini=INI) as data, start_provision(args, data) as srv:
        W = World(Connection(srv, data.username, data.password))
        tenants, actors, _ = standard_world(W)
        W.build(KINDS, tenants)
        cells, mismatches = {}, []
        t0 = time.monotonic()
        for kind in KINDS:
            for actor in actors:
                for t in tenants:
                    for op in OPS:
                        want = expected(kind, op, actor, t)
                        try:
                            got, notes = run_cell(W, kind, op, actor, t)
                        except Exception as e:  # noqa: BLE001 - a broken cell is a mismatch
                            got, notes = f"error: {type(e).__name__}: {e}", []
                        cells[(kind.name, actor.name, t.name, op)] = (want, got, notes)
                        if got != want or notes:
                            mismatches.append((kind.name, op, actor.name, t.name, want, got,
                                               notes))
        elapsed = time.monotonic() - t0
        print_matrix(KINDS, actors, tenants, cells)
        counts = {}
        for want, got, notes in cells.values():
            key = want if want in (ALLOW, OWN, ABSENT) else "fault"
            counts[key] = counts.get(key, 0) + 1
        print(f"\n  {len(cells)} cells ({len(KINDS)} kinds x {len(actors)} actors x "
              f"{len(tenants)} tenants x {len(OPS)} ops) in {elapsed:.1f}s: "
              f"{counts.get(ALLOW, 0)} allow, {counts.get(OWN, 0)} own, "
              f"{counts.get(ABSENT, 0)} absent, {counts.get('fault', 0)} refused with a fault; "
              f"{len(mismatches)} mismatches")
        for kind, op, actor, tenant, want, got, notes in mismatches:
            ck.check(False, f"{kind} {op} by {actor} on {tenant}'s: expected {want}, got {got}"
                            + (f" ({'; '.join(notes)})" if notes else ""))
    ck.done()


# ---- credits


CREDIT_KINDS = [  # (kind, credit property)
    (SIP_ACCOUNTS, "sip_credit"),
    (SIP_ALIASES, "sip_alias_credit"),
    (ENUM_RANGES, "enum_range_credit"),
    (ENUM_NUMBERS, "enum_number_credit"),
    (DNS_ZONES, "dns_zone_credit"),
]


def chain(kind):
    out = []
    while kind is not None:
        out.insert(0, kind)
        kind = kind.parent
    return out


def world_kinds(kind):
    """The kinds whose world objects `kind` needs (aliases need the target account too)."""
    kinds = chain(kind)[:-1]
    if kind is SIP_ALIASES:
        kinds.append(SIP_ACCOUNTS)
    return kinds


def set_credit(W, t, prop, value):
    W.admin.cust.setProperties(customer=t.id, properties=W.admin.cust.array(
        "CustomerAccount", "properties",
        [{"name": prop, "value": str(value), "category": "credit", "permission": "admin"}]))


def test_credits(args):
    ck = Checker("credits")
    with DataDir(keep=args.keep, extra_ini=INI) as data, start_provision(args, data) as srv:
        W = World(Connection(srv, data.username, data.password))
        for i, (kind, prop) in enumerate(CREDIT_KINDS):
            r = W.add_tenant(f"K{i}R")
            c1 = W.add_tenant(f"K{i}C1", reseller=r.id)
            c2 = W.add_tenant(f"K{i}C2", reseller=r.id)
            W.build(world_kinds(kind), [c1, c2])
            set_credit(W, r, prop, 5)
            set_credit(W, c1, prop, 3)
            as_r, as_c1, as_c2 = W.login_of(r), W.login_of(c1), W.login_of(c2)
            made = {c1.name: [], c2.name: []}

            def add(who, t, want, what):
                box = {}

                def go():
                    box["k"] = kind.make(W, who, t, W.next())
                got = attempt(go)
                ck.check(got == want, f"{kind.name}/{prop}: {what}: expected {want}, got {got}")
                if "k" in box:
                    made[t.name].append(box["k"])

            for j in range(3):
                add(as_c1, c1, ALLOW, f"C1's object {j + 1} of credit 3 (by C1)")
            add(W.admin, c1, CREDIT, "C1's 4th object (by the administrator)")
            add(as_c1, c1, CREDIT, "C1's 4th object (by C1)")
            add(as_r, c2, ALLOW, "R's 4th object (C2's 1st, by R)")
            add(as_r, c2, ALLOW, "R's 5th object (C2's 2nd, by R)")
            add(as_c2, c2, CREDIT, "R's 6th object (C2's 3rd, by C2)")
            add(W.admin, c2, CREDIT, "R's 6th object (C2's 3rd, by the administrator)")
            kind.delete(W, as_r, made[c1.name].pop())
            add(as_c2, c2, ALLOW, "C2's 3rd after one of C1's was deleted")
            add(as_c1, c1, CREDIT, "C1's 3rd again while R has 5")
            kind.delete(W, W.admin, made[c2.name].pop())
            add(as_c1, c1, ALLOW, "C1's 3rd after one of C2's was deleted")
            alive = sum(1 for t in (c1, c2) for k in made[t.name] if kind.exists(W, k))
            ck.eq(alive, 5, f"{kind.name}/{prop}: objects of R's customers")
    ck.done()


def concurrent_adds(ck, W, conns, kind, logins_of, tenants_of, what, limit=5, threads=8,
                    per_thread=2):
    """`threads` threads, each on its own connection, add `per_thread` objects each at the
    same time; exactly `limit` may succeed, the rest must fault 8003."""
    barrier = threading.Barrier(threads)
    spans = []

    def worker(i):
        login = logins_of(i, conns[i])
        t = tenants_of(i)
        out = []
        barrier.wait()
        for _ in range(per_thread):
            box = {}

            def go():
                box["k"] = kind.make(W, login, t, W.next())
            t0 = time.monotonic()
            res = attempt(go)
            spans.append((t0, time.monotonic()))
            out.append((res, box.get("k")))
        return out

    with ThreadPoolExecutor(threads) as pool:
        results = [r for rs in pool.map(worker, range(threads)) for r in rs]
    ok = [k for res, k in results if res == ALLOW]
    credit = [res for res, _ in results if res == CREDIT]
    other = [res for res, _ in results if res not in (ALLOW, CREDIT)]
    ck.check(len(ok) == limit and len(credit) == len(results) - limit and not other,
             f"{kind.name}, {what}: expected {limit} added and {len(results) - limit} x "
             f"8003, got {len(ok)} added, {len(credit)} x 8003, others {other}")
    alive = sum(1 for k in ok if kind.exists(W, k))
    ck.eq(alive, len(ok), f"{kind.name}, {what}: added objects that exist")
    in_flight = max(sum(1 for a, b in spans if a <= t0 < b) for t0, _ in spans)
    ck.check(in_flight >= 2, f"{kind.name}, {what}: the adds did not overlap")
    print(f"    {kind.name}, {what}: {len(ok)} added, {len(credit)} refused with 8003"
          + (f", others {other}" if other else "") + f" (up to {in_flight} in flight)",
          flush=True)


def test_credits_concurrent(args):
    ck = Checker("credits_concurrent")
    with DataDir(keep=args.keep, extra_ini=INI_WORKERS) as data, start_provision(args, data) as srv:
        W = World(Connection(srv, data.username, data.password))
        conns = [Connection(srv, data.username, data.password) for _ in range(8)]
        for i, (kind, prop) in enumerate(CREDIT_KINDS):
            # One customer's credit, spent by the customer, its reseller and the admin.
            r = W.add_tenant(f"P{i}R")
            c = W.add_tenant(f"P{i}C", reseller=r.id)
            W.build(world_kinds(kind), [c])
            set_credit(W, c, prop, 5)

            def login_c(j, conn, r=r, c=c):
                who = (c, r, None)[j % 3]
                return conn.admin() if who is None else conn.customer(who.username,
                                                                      who.password)
            concurrent_adds(ck, W, conns, kind, login_c, lambda j, c=c: c,
                            f"{prop} 5 of one customer")
            # A reseller's credit shared by two customers, each adding as itself.
            r2 = W.add_tenant(f"Q{i}R")
            ca = W.add_tenant(f"Q{i}Ca", reseller=r2.id)
            cb = W.add_tenant(f"Q{i}Cb", reseller=r2.id)
            W.build(world_kinds(kind), [ca, cb])
            set_credit(W, r2, prop, 5)

            def login_r(j, conn, ca=ca, cb=cb):
                who = (ca, cb)[j % 2]
                return conn.customer(who.username, who.password)
            concurrent_adds(ck, W, conns, kind, login_r, lambda j, ca=ca, cb=cb: (ca, cb)[j % 2],
                            f"{prop} 5 of a reseller, two customers")
    ck.done()


# ---- impersonation


def bare_auth(username, password):
    """<auth> with only username and password, as the Python client sends it."""
    el = auth_element(username, password)
    for child in list(el):
        if child.tag in ("admin", "impersonate"):
            el.remove(child)
    return el


def test_impersonation(args):
    ck = Checker("impersonation")
    with DataDir(keep=args.keep, extra_ini=INI) as data, start_provision(args, data) as srv:
        conn = Connection(srv, data.username, data.password)
        W = World(conn)
        tenants, actors, a2 = standard_world(W)
        none, a, a1, b, b1 = tenants
        W.build([DNS_ZONES], tenants)

        def zone_owner(name):
            z = W.admin.dns.getZone(zone=name)
            return int(z.customer), int(z.reseller)

        as_a = conn.admin(impersonate=a.id)
        as_a.dns.addZone(zone={"name": "imp-a.test"})
        ck.eq(zone_owner("imp-a.test"), (a.id, a.id), "admin impersonate=A: zone owner")
        as_a1 = conn.admin(impersonate=a1.id)
        expect_fault(ck, FORBIDDEN, "admin impersonate=A1: addZone for B1", as_a1.dns.addZone,
                     zone={"name": "imp-b1.test", "customer": b1.id})
        expect_fault(ck, 7000, "admin impersonate=A1: getZone of A's zone", as_a1.dns.getZone,
                     zone=W.obj(DNS_ZONES, a)["name"])
        as_a1.dns.getZone(zone=W.obj(DNS_ZONES, a1)["name"])
        expect_fault(ck, 5000, "admin impersonate=unknown customer",
                     conn.admin(impersonate=999999).dns.getZones, query=query({"name": ""}))
        # A2's impersonate = A (its reseller): A's rights.
        as_a2 = W.login_of(a2)
        as_a2.dns.addZone(zone={"name": "imp-a2.test"})
        ck.eq(zone_owner("imp-a2.test"), (a.id, a.id), "A2 (impersonate=A): zone owner")
        as_a2.dns.getZone(zone=W.obj(DNS_ZONES, a1)["name"])
        row = as_a2.cust.addAccount(account={"username": "by-a2", "password": "Pw-by-a2-x"})
        ck.eq(int(row.reseller), a.id, "A2 adds a customer: under A")
        expect_fault(ck, 7000, "A2: getZone of B's zone", as_a2.dns.getZone,
                     zone=W.obj(DNS_ZONES, b)["name"])
        # The administrator impersonating A2 acts as A2 would: with A's rights.
        conn.admin(impersonate=a2.id).dns.getZone(zone=W.obj(DNS_ZONES, a1)["name"])
        # A customer's own impersonate in its header means nothing.
        hdr = conn.customer(a1.username, a1.password, admin=False, impersonate=a.id)
        expect_fault(ck, 7000, "A1 header impersonate=A: getZone of A's zone", hdr.dns.getZone,
                     zone=W.obj(DNS_ZONES, a)["name"])
        expect_fault(ck, AUTH, "A1 credentials with admin=true",
                     conn.customer(a1.username, a1.password, admin=True).dns.getZone,
                     zone=W.obj(DNS_ZONES, a1)["name"])
        expect_fault(ck, AUTH, "A1 credentials with admin=true and impersonate=A",
                     conn.customer(a1.username, a1.password, admin=True,
                                   impersonate=a.id).dns.getZone,
                     zone=W.obj(DNS_ZONES, a1)["name"])
        # The Python client's header: username and password only (api §2).
        bare = conn.login(bare_auth(a1.username, a1.password))
        bare.dns.getZone(zone=W.obj(DNS_ZONES, a1)["name"])
        expect_fault(ck, 7000, "A1 with a bare header: A's zone", bare.dns.getZone,
                     zone=W.obj(DNS_ZONES, a)["name"])
        conn.login(bare_auth(data.username, data.password)).dns.getZone(
            zone=W.obj(DNS_ZONES, b)["name"])                  # the administrator, bare
        # Who may set impersonate.
        as_a1_login = W.login_of(a1)

        def set_impersonate(login, value):
            resend_account(login, login, a1.id, impersonate=value)
            return int(W.admin.cust.getAccount(id=a1.id).impersonate or 0)

        ck.eq(set_impersonate(as_a1_login, a.id), 0, "A1 sets its own impersonate = A: kept 0")
        as_a_login = W.login_of(a)
        ck.eq(set_impersonate(as_a_login, b.id), 0, "A sets A1's impersonate = B: stored 0")
        ck.eq(set_impersonate(as_a_login, a.id), a.id, "A sets A1's impersonate = A: stored")
        W.login_of(a1).dns.getZone(zone=W.obj(DNS_ZONES, a)["name"])  # now with A's rights
        ck.eq(set_impersonate(as_a_login, 0), 0, "A clears A1's impersonate")
        expect_fault(ck, 7000, "A1 after its impersonate was cleared: A's zone",
                     W.login_of(a1).dns.getZone, zone=W.obj(DNS_ZONES, a)["name"])
    ck.done()


# ---- no reseller, no admin-only changes from customer logins


def props_of(W, cid):
    return {p.name: p.value for p in as_list(W.admin.cust.getProperties(customer=cid))}


def test_no_reseller_from_customers(args):
    ck = Checker("no_reseller_from_customers")
    with DataDir(keep=args.keep, extra_ini=INI) as data, start_provision(args, data) as srv:
        conn = Connection(srv, data.username, data.password)
        W = World(conn)
        tenants, actors, a2 = standard_world(W)
        none, a, a1, b, b1 = tenants
        la, la1 = W.login_of(a), W.login_of(a1)
        empty = la.cust.array("CustomerAccount", "properties", [])

        row = la.cust.addAccount(account={"username": "a-new", "password": "Pw-a-new-x",
                                          "properties": empty})
        ck.eq(int(row.reseller), a.id, "A adds without reseller: A's customer, not a reseller")
        expect_fault(ck, FORBIDDEN, "A adds with reseller = B", la.cust.addAccount,
                     account={"username": "a-new2", "password": "Pw-x-y-z", "reseller": b.id,
                              "properties": empty})
        expect_fault(ck, FORBIDDEN, "A adds id 777 with reseller 777 (a new reseller)",
                     la.cust.addAccount, account={"id": 777, "reseller": 777,
                                                  "username": "a-new3", "password": "Pw-xyz",
                                                  "properties": empty})
        for name, login in (("A1", la1), ("B1", W.login_of(b1)),
                            ("admin>A1", conn.admin(impersonate=a1.id))):
            expect_fault(ck, FORBIDDEN, f"{name} adds a customer without reseller",
                         login.cust.addAccount, account={"username": f"x-{name}",
                                                         "password": "Pw-abc-d",
                                                         "properties": empty})
            expect_fault(ck, FORBIDDEN, f"{name} adds a customer with reseller = its id",
                         login.cust.addAccount, account={"username": f"y-{name}",
                                                         "password": "Pw-abc-d",
                                                         "reseller": a1.id,
                                                         "properties": empty})
        resellers = [int(r.id) for r in as_list(W.admin.cust.getResellers(
            query=query({})).accounts)]
        ck.eq(sorted(resellers), sorted([W.r0, a.id, b.id]), "resellers after all that")

        def update(login, cid, **changes):
            resend_account(login, login, cid, **changes)

        update(la, a1.id, reseller=a1.id)
        ck.eq(int(W.admin.cust.getAccount(id=a1.id).reseller), a.id,
              "A making A1 its own reseller: ignored")
        update(la1, a1.id, reseller=a1.id, resellerActive=True, balance=99.0, credit=99.0)
        r = W.admin.cust.getAccount(id=a1.id)
        ck.eq((int(r.reseller), bool(r.resellerActive), float(r.balance), float(r.credit)),
              (a.id, False, 0.0, 0.0), "A1 editing its reseller/resellerActive/balance/credit")
        update(la, a.id, resellerActive=False, balance=50.0, credit=50.0)
        r = W.admin.cust.getAccount(id=a.id)
        ck.eq((bool(r.resellerActive), float(r.balance), float(r.credit)), (True, 0.0, 0.0),
              "A editing its own resellerActive/balance/credit: kept")

        def prop(name, value, permission, category="credit"):
            return {"name": name, "value": value, "category": category,
                    "permission": permission}

        def setp(login, cid, *props):
            login.cust.setProperties(customer=cid, properties=login.cust.array(
                "CustomerAccount", "properties", list(props)))

        setp(W.admin, a1.id, prop("sip_credit", "3", "admin"),
             prop("support_order", "1", "admin", "web"),
             prop("reseller_note", "x", "reseller", "web"),
             prop("records_per_page", "10", "customer", "web"))
        setp(W.admin, a.id, prop("dns_zone_credit", "10", "admin"))
        expect_fault(ck, FORBIDDEN, "A1 raises its own sip_credit", setp, la1, a1.id,
                     prop("sip_credit", "100", "admin"))
        expect_fault(ck, FORBIDDEN, "A1 makes its sip_credit customer-editable", setp, la1,
                     a1.id, prop("sip_credit", "3", "customer"))
        expect_fault(ck, FORBIDDEN, "A1 changes a reseller property", setp, la1, a1.id,
                     prop("reseller_note", "y", "reseller", "web"))
        expect_fault(ck, FORBIDDEN, "A1 adds a property with permission admin", setp, la1,
                     a1.id, prop("enum_range_credit", "9", "admin"))
        setp(la1, a1.id, prop("records_per_page", "25", "customer", "web"))
        update(la1, a1.id)                                   # re-sends everything unchanged
        update(la1, a1.id, properties=[])                   # leaves every property out
        ck.eq(props_of(W, a1.id), {"sip_credit": "3", "support_order": "1",
                                   "reseller_note": "x"},
              "A1's properties after its updates (only its own one dropped)")
        expect_fault(ck, FORBIDDEN, "A1 updateAccount changing sip_credit", update, la1, a1.id,
                     properties=[prop("sip_credit", "50", "admin")])
        setp(la, a1.id, prop("sip_credit", "4", "admin"))   # a reseller sets its customer's
        setp(la, a1.id, prop("reseller_note", "z", "reseller", "web"))
        expect_fault(ck, FORBIDDEN, "A changes its customer's support_order (admin)", setp,
                     la, a1.id, prop("support_order", "0", "admin", "web"))
        expect_fault(ck, FORBIDDEN, "A raises its own dns_zone_credit", setp, la, a.id,
                     prop("dns_zone_credit", "1000", "admin"))
        expect_fault(ck, 5000, "B sets A1's sip_credit", setp, W.login_of(b), a1.id,
                     prop("sip_credit", "1000", "admin"))
        # PSTN rights: = 1 on a customer only when its reseller has = 1 (even for the admin).
        expect_fault(ck, FORBIDDEN, "A gives A1 pstn_access while A lacks it", setp, la, a1.id,
                     prop("pstn_access", "1", "admin", "sip"))
        expect_fault(ck, FORBIDDEN, "admin gives B1 pstn_access while B lacks it", setp,
                     W.admin, b1.id, prop("pstn_access", "1", "admin", "sip"))
        expect_fault(ck, FORBIDDEN, "A gives itself pstn_access", setp, la, a.id,
                     prop("pstn_access", "1", "admin", "sip"))
        setp(W.admin, a.id, prop("pstn_access", "1", "admin", "sip"))
        setp(la, a1.id, prop("pstn_access", "1", "admin", "sip"))
        ck.eq(props_of(W, a1.id), {"sip_credit": "4", "support_order": "1",
                                   "reseller_note": "z", "pstn_access": "1"},
              "A1's properties at the end")
        ck.eq(props_of(W, a.id), {"dns_zone_credit": "10", "pstn_access": "1"},
              "A's properties at the end")
    ck.done()


def test_reseller_inactive(args):
    ck = Checker("reseller_inactive")
    with DataDir(keep=args.keep, extra_ini=INI) as data, start_provision(args, data) as srv:
        W = World(Connection(srv, data.username, data.password))
        tenants, actors, _ = standard_world(W)
        none, a, a1, b, b1 = tenants
        W.build([DNS_ZONES], tenants)
        lb, lb1 = W.login_of(b), W.login_of(b1)

        def set_active(on):
            resend_account(W.admin, W.admin, b.id, resellerActive=on)

        set_active(False)
        b1_zone = W.obj(DNS_ZONES, b1)["name"]
        expect_fault(ck, FORBIDDEN, "B1 addZone", lb1.dns.addZone, zone={"name": "in1.test"})
        expect_fault(ck, FORBIDDEN, "B addZone for B1", lb.dns.addZone,
                     zone={"name": "in2.test", "customer": b1.id})
        expect_fault(ck, FORBIDDEN, "B1 addRecord in its zone", lb1.dns.addRecord,
                     record={"zone": b1_zone, "name": "x", "type": "TXT", "value": "x"})
        expect_fault(ck, FORBIDDEN, "B addAccount", lb.cust.addAccount,
                     account={"username": "in3", "password": "Pw-in3-xx"})
        lb1.dns.getZone(zone=b1_zone)                          # reads still work
        W.admin.dns.addZone(zone={"name": "in4.test", "customer": b1.id})
        set_active(True)
        lb1.dns.addZone(zone={"name": "in5.test"})
        lb.cust.addAccount(account={"username": "in6", "password": "Pw-in6-xx"})
        ck.eq(int(W.admin.dns.getZone(zone="in5.test").customer), b1.id, "B1's zone, active")
    ck.done()


def test_delete_customer_with_records(args):
    ck = Checker("delete_customer_with_records")
    with DataDir(keep=args.keep, extra_ini=INI) as data, start_provision(args, data) as srv:
        W = World(Connection(srv, data.username, data.password))
        r = W.add_tenant("R")
        for kind in (DNS_ZONES, ENUM_RANGES, SIP_DOMAINS):
            c = W.add_tenant(f"D-{kind.name.replace('_', '-')}", reseller=r.id)
            k = kind.make(W, W.admin, c, W.next())
            lr = W.login_of(r)
            if expect_fault(ck, 5002, f"its reseller deletes a customer owning one of "
                                      f"{kind.name}", lr.cust.deleteAccount, id=c.id) is None:
                kind.delete(W, W.admin, k)     # the customer is gone; its object stays
                continue
            if expect_fault(ck, 5002, f"the administrator deletes a customer owning one of "
                                      f"{kind.name}", W.admin.cust.deleteAccount,
                            id=c.id) is None:
                kind.delete(W, W.admin, k)
                continue
            kind.delete(W, W.admin, k)
            lr.cust.deleteAccount(id=c.id)
        c = W.add_tenant("D-last", reseller=r.id)
        expect_fault(ck, 5002, "delete a reseller that still has a customer",
                     W.admin.cust.deleteAccount, id=r.id)
        W.admin.cust.deleteAccount(id=c.id)
        W.admin.cust.deleteAccount(id=r.id)
        expect_fault(ck, 5000, "the deleted reseller", W.admin.cust.getAccount, id=r.id)
    ck.done()


def test_move_customer(args):
    ck = Checker("move_customer")
    with DataDir(keep=args.keep, extra_ini=INI) as data, start_provision(args, data) as srv:
        W = World(Connection(srv, data.username, data.password))
        tenants, actors, _ = standard_world(W)
        none, a, a1, b, b1 = tenants
        W.build([DNS_ZONES, SIP_DOMAINS], tenants)
        # A customer with records cannot move (its records carry their reseller): 5002.
        ck.eq(attempt(lambda: resend_account(W.admin, W.admin, a1.id, reseller=b.id)), 5002,
              "moving A1, which has a zone and a SIP domain, from A to B")
        ck.eq(int(W.admin.cust.getAccount(id=a1.id).reseller), a.id, "A1 stays with A")
        zone = W.obj(DNS_ZONES, a1)["name"]
        lb, la = W.login_of(b), W.login_of(a)
        ck.eq(attempt(lambda: la.dns.getZone(zone=zone)), ALLOW, "A still sees A1's zone")
        ck.eq(attempt(lambda: lb.dns.getZone(zone=zone)), 7000, "B does not")
        empty = W.add_tenant("MOVER", reseller=a.id)             # no records: it may move
        ck.eq(attempt(lambda: resend_account(W.admin, W.admin, empty.id, reseller=b.id)), ALLOW,
              "moving an empty customer from A to B")
        ck.eq(int(W.admin.cust.getAccount(id=empty.id).reseller), b.id, "its reseller is B")
    ck.done()


# ---- passwords


def dump_store(path):
    """Every named database of the LMDB env under `path`, printable (-p) and hex."""
    env = None
    for root, _, files in os.walk(path):
        if "data.mdb" in files:
            env = root
            break
    if env is None:
        raise sbtest.TestFailure(f"no data.mdb under {path}")
    out = ""
    for extra in (["-p"], []):
        r = subprocess.run(["mdb_dump", "-a", *extra, env], capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0:
            raise sbtest.TestFailure(f"mdb_dump failed: {r.stderr}")
        out += r.stdout
    return out


def test_password_hashes(args):
    ck = Checker("password_hashes")
    with DataDir(keep=args.keep, extra_ini=INI) as data, start_provision(args, data) as srv:
        conn = Connection(srv, data.username, data.password)
        W = World(conn)
        pw = {"r": "Clear-Reseller-Pass-91", "c1": "Clear-Customer-Pass-92",
              "c2": "Clear-ByReseller-Pass-93", "c1new": "Clear-Changed-Pass-94"}
        r = W.add_tenant("PR", password=pw["r"])
        c1 = W.add_tenant("PC1", password=pw["c1"], reseller=r.id)
        lr = W.login_of(r)
        c2_id = int(lr.cust.addAccount(account={"username": "pc2", "password": pw["c2"]}).id)
        lc2 = conn.customer("pc2", pw["c2"])
        lc2.cust.getAccount(id=c2_id)                       # the reseller-given one works
        got = W.admin.cust.getAccount(id=c1.id)
        ck.check(got.password.startswith("hashed:") and pw["c1"] not in got.password,
                 f"getAccount returns a token, not the password: {got.password!r}")
        ck.check(all(a.password.startswith("hashed:") for a in as_list(
            W.admin.cust.getCustomers(query=query({})).accounts)), "getCustomers: no password")
        lc1 = W.login_of(c1)
        resend_account(lc1, lc1, c1.id, organization="kept")   # no password: kept
        W.login_of(c1).cust.getAccount(id=c1.id)
        resend_account(lc1, lc1, c1.id, password=got.password)  # the token back: kept
        W.login_of(c1).cust.getAccount(id=c1.id)
        resend_account(lc1, lc1, c1.id, password=pw["c1new"])
        expect_fault(ck, AUTH, "the old password after a change",
                     conn.customer(c1.username, pw["c1"]).cust.getAccount, id=c1.id)
        conn.customer(c1.username, pw["c1new"]).cust.getAccount(id=c1.id)

        dump = dump_store(data.path)
        ck.check("pc1" in dump and "pc2" in dump, "the dump holds the customers' usernames")
        for name, p in pw.items():
            ck.check(p not in dump, f"password {name} appears in clear in the store")
            ck.check(p.encode().hex() not in dump, f"password {name} appears (hex) in the store")
        n = dump.count("pbkdf2-sha256$")
        ck.check(n >= 3, f"pbkdf2-sha256$ appears {n} times in the store (3 customers)")
        print(f"    mdb_dump: {len(dump)} characters, pbkdf2-sha256$ {n} times, no password "
              f"in clear", flush=True)
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
