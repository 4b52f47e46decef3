#!/usr/bin/python3
"""The store mapped at start (docs/decisions.md "The store mapped at start"), through the real
binary: `switchboard dns` on a store of some MB (a zone of 40,000 TXT records, imported with
`switchboard zone import`, so no process has the store mapped when the server starts)
  - answers at once;
  - reads the node of the zone's apex first (the log says so), then maps every page of the
    store's data into its memory: the data.mdb mapping's Rss in /proc/PID/smaps reaches the
    file's data (its allocated blocks, up to its size), where its lookups alone would have
    touched a few pages, and the log says so;
  - still answers every name afterwards, and stops (SIGTERM) with exit status 0.

Usage: /usr/bin/python3 test_resident.py --binary PATH/TO/switchboard
"""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, Server, dig, free_port, wait_for  # noqa: E402

ZONE = "resident.example"
NAMES = 40000


def mapped_bytes(pid, path):
    """Rss of the process's mapping of `path` (bytes), 0 if it has none."""
    rss, inside = 0, False
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split(None, 5)
            if len(head) >= 5 and "-" in head[0] and ":" not in head[0]:
                inside = len(head) == 6 and head[5].strip() == path
            elif inside and line.startswith("Rss:"):
                rss += int(line.split()[1]) * 1024
    return rss


def test_store_mapped_at_start(args):
    ck = Checker("the store is mapped into the server's memory at start")
    with DataDir(keep=args.keep) as data:
        zone_file = os.path.join(data.path, "zone.txt")
        with open(zone_file, "w") as f:
            f.write(f"$ORIGIN {ZONE}.\n$TTL 3600\n"
                    f"@ SOA ns1 hostmaster 1 7200 3600 1209600 3600\n@ NS ns1\nns1 A 192.0.2.1\n")
            for i in range(NAMES):
                f.write(f'n{i} TXT "{i:08d}{"x" * 192}"\n')
        subprocess.run([args.binary, "zone", "import", zone_file, "--data", data.path],
                       check=True, stdout=subprocess.DEVNULL)
        store = os.path.realpath(os.path.join(data.path, "data.mdb"))
        st = os.stat(store)
        data_bytes = min(st.st_blocks * 512, st.st_size)
        srv = Server(args.binary, "dns", data, dns_port=free_port())
        with srv.start():
            first = dig(srv.dns_port, f"n{NAMES - 1}.{ZONE}", "TXT")
            ck.check(first is not None and first.aa and len(first.rrs("TXT")) == 1,
                     f"answered at once: {first}")
            mapped = wait_for(lambda: mapped_bytes(srv.proc.pid, store) >= data_bytes * 0.95,
                              timeout=30)
            got = mapped_bytes(srv.proc.pid, store)
            print(f"    store {st.st_size} bytes, {data_bytes} of data; the server maps {got}",
                  flush=True)
            ck.check(data_bytes > 8 << 20, f"a store of some MB: {data_bytes}")
            ck.check(mapped, f"the server maps the store's data: {got} of {data_bytes} bytes")
            ck.check(wait_for(lambda: "store mapped into memory" in srv.output(), timeout=10),
                     "the log says so")
            ck.check("zone apexes, cuts and wildcards read nodes=1 " in srv.output(),
                     "the zone's apex was read first, before the populate")
            ck.check(srv.output().find("zone apexes, cuts") < srv.output().find("store mapped"),
                     "in that order")
            for i in range(0, NAMES, NAMES // 8):
                a = dig(srv.dns_port, f"n{i}.{ZONE}", "TXT")
                ck.check(a is not None and len(a.rrs("TXT")) == 1, f"n{i} answered: {a}")
            srv.proc.terminate()
            ck.eq(srv.proc.wait(10), 0, "SIGTERM: exit status 0")
        ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
