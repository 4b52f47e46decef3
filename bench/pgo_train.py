#!/usr/bin/python3
"""The training workload of bench/pgo.sh (issue 18): what the profile of a PGO build learns from.

Starts `switchboard serve` (1 DNS worker, as bench/run.sh measures it) on a copy of a bench
store, and for --seconds sends it the dataset's dnsperf query mix (two thirds of the time over
UDP, the rest over TCP) while 4 SOAP clients add ENUM numbers and update them (durable
commits), the provisioning path of the same process. Stops the server with SIGTERM, so an
instrumented binary writes its profile on the way out. Prints what it sent.

    /usr/bin/python3 bench/pgo_train.py --binary BUILD/app/switchboard --store DATA/switchboard \\
        --queries DATA/queries.txt [--seconds 30]
"""

import argparse
import multiprocessing
import subprocess

import soapbench as sb

WRITERS = 4


def writer(port, index, stop, done):
    """Adds numbers in range 3129 and updates each one after adding it, until told to stop."""
    conn = sb.connect(port)
    n = 0
    while not stop.is_set():
        number = f"3129{index}{n:07d}"
        sb.post(conn, sb.request(sb.ADD_NUMBER, number=number, mapto=f"sip:{number}@train.example"))
        sb.post(conn, sb.request(sb.UPDATE_NUMBER, number=number,
                                 mapto=f"sip:{number}@moved.example"))
        n += 1
    conn.close()
    done.put(n)


def dnsperf(port, queries, seconds, mode):
    out = subprocess.run(["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", queries,
                          "-l", str(seconds), "-c", "8", "-q", "100", "-m", mode],
                         check=True, capture_output=True, text=True).stdout
    return next((line.strip() for line in out.splitlines() if "Queries completed" in line), "?")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--store", required=True, help="a data dir (its data.mdb is copied)")
    ap.add_argument("--queries", required=True, help="a dnsperf query file")
    ap.add_argument("--seconds", type=int, default=30)
    args = ap.parse_args()

    with sb.switchboard(args.binary, "serve", store=args.store, dns_workers=1) as (soap, dns):
        conn = sb.connect(soap)
        sb.post(conn, sb.request(sb.ADD_RANGE, prefix="3129"))
        conn.close()
        stop, done = multiprocessing.Event(), multiprocessing.Queue()
        procs = [multiprocessing.Process(target=writer, args=(soap, i, stop, done))
                 for i in range(WRITERS)]
        for p in procs:
            p.start()
        udp_seconds = max(1, args.seconds * 2 // 3)
        udp = dnsperf(dns, args.queries, udp_seconds, "udp")
        tcp = dnsperf(dns, args.queries, max(1, args.seconds - udp_seconds), "tcp")
        stop.set()
        writes = sum(done.get(timeout=60) for _ in procs)
        for p in procs:
            p.join()
        if any(p.exitcode != 0 for p in procs):
            raise RuntimeError("a SOAP client failed")
    print(f"pgo_train: UDP {udp}; TCP {tcp}; {writes} numbers added and updated over SOAP")


if __name__ == "__main__":
    main()
