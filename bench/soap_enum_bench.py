#!/usr/bin/python3
"""Provisioning write throughput through SOAP (issue 7a), durable commits.

Starts `switchboard provision` on loopback with a fresh data dir (the store's default: every
commit is flushed to disk before the answer), creates what the writes need (two ENUM ranges,
a SIP domain, a DNS zone), then, for each of EnumPort.addNumber, SipPort.addAccount and
DnsPort.addRecord, adds COUNT new objects with 1 client and COUNT more with 8 concurrent
clients (separate processes, one keep-alive HTTP connection each, requests shaped like
CDRTool's wire samples). The clock runs from the moment every client is connected until the
last answer. Prints writes/s and appends a result block to bench/RESULTS.md. Run on demand,
not in `make test`:

    /usr/bin/python3 bench/soap_enum_bench.py --binary build/app/switchboard [--count 4000]
        [--store DIR] [--ops addNumber,addAccount,addRecord] [--clients 1,8]

--store DIR starts the server on a copy of DIR's data.mdb instead of an empty store (issue 18:
addNumber against the 1M or 10M store of `sb_bench_load`, e.g. the `switchboard` dir of
bench/run.sh's cached dataset), so the same writes can be compared against an empty and a big
store; the numbers go into new ranges (3120x), the store's own are left alone.

--ops getNumbers (not in the default) times a read too: CDRTool's search for one number
(EnumPort.getNumbers by number and tld, newest change first, its wire sample), asked for each
number addNumber added in the same run (so after addNumber in --ops); requests/s, like the
writes. --ops listNumbers times the first page (20, newest change first) of one customer's
numbers, asked by the administrator with the customer filter: a customer (id 990001) with one
range of COUNT numbers is made first, untimed.
"""

import argparse
import multiprocessing
import time

import soapbench as sb

CLIENTS = (1, 8)


def number_of(run, i):
    """The i-th number addNumber adds in a run: in the run's own range, 3120<run>."""
    return f"3120{run}{i:07d}"


def new_number(number):
    return sb.request(sb.ADD_NUMBER, number=number, mapto=f"sip:{number}@{sb.SIP_DOMAIN}")


def add_number(run, i):
    return new_number(number_of(run, i))


def get_numbers(run, i):
    """CDRTool's search for one number: those addNumber added in the same run, when it ran."""
    return sb.request(sb.GET_NUMBERS, number=number_of(run, i))


TENANT = 990001  # listNumbers: the customer whose numbers it lists
TENANT_PREFIX = "3129"


def list_numbers(run, i):
    """The first page of one customer's numbers (an administrator's view of a customer)."""
    return sb.request(sb.GET_NUMBERS, number="", customer=TENANT)


def add_account(run, i):
    return sb.request(sb.ADD_ACCOUNT, username=f"u{run}x{i}", domain=sb.SIP_DOMAIN)


def add_record(run, i):
    return sb.request(sb.ADD_RECORD, name=f"r{run}x{i}", zone=sb.DNS_ZONE)


OPS = (("EnumPort.addNumber", add_number), ("EnumPort.getNumbers", get_numbers),
       ("EnumPort.getNumbers of a customer", list_numbers),
       ("SipPort.addAccount", add_account), ("DnsPort.addRecord", add_record))
SHORT = {"addNumber": "EnumPort.addNumber", "getNumbers": "EnumPort.getNumbers",
         "listNumbers": "EnumPort.getNumbers of a customer",
         "addAccount": "SipPort.addAccount", "addRecord": "DnsPort.addRecord"}
DEFAULT_OPS = "addNumber,addAccount,addRecord"  # the writes (soap_writes_compare.py's too)


def chosen(ops_text):
    """(name, request maker) of each operation of a comma-separated --ops; KeyError if unknown."""
    return [(SHORT[o], dict(OPS)[SHORT[o]]) for o in ops_text.split(",")]


SHAPES = {"EnumPort.addNumber": "a number with a sip and a mailto mapping",
          "EnumPort.getNumbers": "a search for one number by number and tld, newest change first",
          "EnumPort.getNumbers of a customer":
              f"the first page of customer {TENANT}'s numbers (--count of them), newest change first",
          "SipPort.addAccount": "an account with every sample field",
          "DnsPort.addRecord": "an A record"}


def client(port, requests, start):
    conn = sb.connect(port)
    conn.connect()
    start.wait()
    for req in requests:
        sb.post(conn, req)
    conn.close()


def writes_per_second(port, requests, clients):
    """Send the requests from `clients` processes, each its share in order."""
    start = multiprocessing.Barrier(clients + 1)
    procs = [multiprocessing.Process(target=client, args=(port, requests[i::clients], start))
             for i in range(clients)]
    for p in procs:
        p.start()
    start.wait()
    t0 = time.perf_counter()
    for p in procs:
        p.join()
    elapsed = time.perf_counter() - t0
    if any(p.exitcode != 0 for p in procs):
        raise RuntimeError("a client failed")
    return len(requests) / elapsed


def rate(per_second):
    """Whole requests a second, three significant digits below 100 (a slow read)."""
    return f"{per_second:.0f}" if per_second >= 100 else f"{per_second:.3g}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--count", "--numbers", dest="count", type=int, default=4000,
                    help="requests per operation and run")
    ap.add_argument("--no-record", action="store_true", help="do not append to RESULTS.md")
    ap.add_argument("--dnssec", action="store_true",
                    help="every zone signed at write time ([dnssec] zones = *, issue 16)")
    ap.add_argument("--store", help="start from a copy of this data dir's store, not an empty one")
    ap.add_argument("--ops", default=DEFAULT_OPS,
                    help=f"which operations, comma-separated, of {', '.join(SHORT)}")
    ap.add_argument("--clients", default=",".join(map(str, CLIENTS)),
                    help="client counts, comma-separated, one run each")
    args = ap.parse_args()
    try:
        ops = chosen(args.ops)
        client_counts = [int(c) for c in args.clients.split(",")]
    except (KeyError, ValueError):
        ap.error(f"--ops is a list of {', '.join(SHORT)}; --clients a list of numbers")

    rates = {}
    listing = "listNumbers" in args.ops.split(",")  # its customer and numbers are made first
    with sb.switchboard(args.binary, "provision", dnssec=args.dnssec, store=args.store) as (port, _):
        conn = sb.connect(port)
        for run in range(len(client_counts)):
            sb.post(conn, sb.request(sb.ADD_RANGE, prefix=f"3120{run}"))
        sb.post(conn, sb.request(sb.ADD_DOMAIN, domain=sb.SIP_DOMAIN))
        sb.post(conn, sb.request(sb.ADD_ZONE, zone=sb.DNS_ZONE))
        if listing:
            # The customer listNumbers lists: one range of COUNT numbers (not timed).
            sb.post(conn, sb.request(sb.ADD_CUSTOMER, id=TENANT, username=f"bench-{TENANT}"))
            sb.post(conn, sb.request(sb.ADD_RANGE, prefix=TENANT_PREFIX, customer=TENANT))
            for i in range(args.count):
                sb.post(conn, new_number(f"{TENANT_PREFIX}{i:07d}"))
        conn.close()
        for name, make in ops:
            for run, clients in enumerate(client_counts):
                requests = [make(run, i) for i in range(args.count)]
                rates[name, clients] = writes_per_second(port, requests, clients)
                print(f"{name}, {clients} client(s): {rate(rates[name, clients])}/s", flush=True)

    table = ("| operation | " + " | ".join(f"requests/s, {c} client{'s' if c > 1 else ''}"
                                           for c in client_counts) + " |\n"
             + "|---" * (len(client_counts) + 1) + "|\n")
    for name, _ in ops:
        table += f"| {name} | " + " | ".join(rate(rates[name, c]) for c in client_counts) + " |\n"
    prerequisites = "ENUM ranges, SIP domain, DNS zone" + (
        f", customer {TENANT} and its numbers" if listing else "")
    where = (f"a copy of the store in `{args.store}` (issue 18: writes against a big store)"
             if args.store else "an empty store")
    sb.record("Provisioning writes through SOAP" + (", signed (issue 16)" if args.dnssec else ""),
              f"`switchboard provision` on {where}, durable commits (each acknowledged after its group commit is flushed), {args.count} "
              f"requests per operation and run, CDRTool-shaped requests (the wire samples: "
              f"{'; '.join(SHAPES[name] for name, _ in ops)}) over keep-alive HTTP, one process "
              f"per client; prerequisites ({prerequisites}) created first.", table, args.no_record)


if __name__ == "__main__":
    main()
