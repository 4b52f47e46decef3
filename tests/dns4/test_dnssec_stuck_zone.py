#!/usr/bin/python3
"""A zone whose signing keeps failing does not stop the re-signer (issue 16; docs/decisions.md
"A failing zone does not stop the re-signer").

`switchboard dns` serves good.test and stuck.test, signed on a clock 8 days behind
(`[dnssec] clock_offset`). With the server stopped, stuck.test's key rows are overwritten with
bytes no key row has (mdb_dump / mdb_load on the store: a corrupt row); the server is started on
the real clock, so every signature of both zones is due. Checks:
  * good.test's signatures are all refreshed (its AXFR verifies with ldns-verify-zone, every
    RRSIG with more than 13 of its 14 days left), stuck.test's are not, and the server keeps
    answering;
  * the failure is logged naming stuck.test, once in the first backoff period (30 s), and
    counted in /metrics as switchboard_dnssec_failed_steps_total (promtool accepts the page).
"""

import calendar
import http.client
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import (Proc, cleanup, free_port, metric, parse_args, report, run,  # noqa: E402
                     tempdir, wait_for_dns, wait_until)

DAY = 86400
ZONES = ("good.test", "stuck.test")
ZONE_FILE = """$ORIGIN %s.
$TTL 300
@ SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
ns1 A 192.0.2.53
www A 192.0.2.80
"""


def ini(offset, metrics_port):
    return ("[dns]\nworkers = 1\nallow_transfer = 127.0.0.1/32\n[metrics]\n"
            "listen = 127.0.0.1:%d\n[dnssec]\nzones = *\nclock_offset = %d\n"
            % (metrics_port, offset))


def axfr(port, zone):
    return run(["dig", "@127.0.0.1", "-p", str(port), "AXFR", zone, "+nocmd", "+nostats",
                "+time=5"])


def soonest_expiration(text):
    ends = [calendar.timegm(time.strptime(f[8], "%Y%m%d%H%M%S"))
            for f in (l.split() for l in text.splitlines()) if len(f) > 8 and f[3] == "RRSIG"]
    return min(ends) if ends else 0


def corrupt_keys(data, zone):
    """Overwrites every key row of `zone` in the store's dnssec_keys table (mdb_dump's hex
    format: a key line, then its value line)."""
    dump = run(["mdb_dump", "-s", "dnssec_keys", data]).splitlines()
    prefix = (zone.encode() + b"\0").hex()
    out, n, i = [], 0, 0
    while i < len(dump) and dump[i] != "HEADER=END":
        out.append(dump[i])
        i += 1
    out.append(dump[i])
    i += 1
    while i + 1 < len(dump) and dump[i].startswith(" "):
        key, value = dump[i], dump[i + 1]
        if key.strip().startswith(prefix):
            value = " 7f"
            n += 1
        out += [key, value]
        i += 2
    out += dump[i:]
    load = os.path.join(data, "keys.dump")
    with open(load, "w") as f:
        f.write("\n".join(out) + "\n")
    run(["mdb_load", "-s", "dnssec_keys", "-f", load, data])
    os.remove(load)
    return n


def main():
    args = parse_args()
    failures = []
    work = tempdir("dns16-stuck-")
    data = os.path.join(work, "data")
    port, metrics_port = free_port(), free_port()
    proc = None

    def start(offset, n):
        with open(os.path.join(data, "switchboard.ini"), "w") as f:
            f.write(ini(offset, metrics_port))
        p = Proc([args.binary, "dns", "--data", data, "--dns", "127.0.0.1:%d" % port], work,
                 "switchboard%d.log" % n)
        wait_for_dns(port, name=ZONES[0], proc=p.proc)
        return p

    try:
        os.makedirs(data)
        with open(os.path.join(data, "switchboard.ini"), "w") as f:
            f.write(ini(-8 * DAY, metrics_port))
        for zone in ZONES:
            path = os.path.join(work, zone)
            with open(path, "w") as f:
                f.write(ZONE_FILE % zone)
            run([args.binary, "zone", "import", path, "--data", data])
        proc = start(-8 * DAY, 1)  # signed 8 days ago: 6 days left, refresh is 7
        proc.stop()
        if corrupt_keys(data, "stuck.test") < 1:
            failures.append("stuck.test has no key row to corrupt")
        proc = start(0, 2)
        fresh = time.time() + 13 * DAY
        if wait_until(lambda: soonest_expiration(axfr(port, "good.test")) > fresh, 20,
                      step=0.2) is None:
            failures.append("good.test was not refreshed beside the failing zone:\n" +
                            proc.output()[-2000:])
        text = axfr(port, "good.test")
        path = os.path.join(work, "good.axfr")
        with open(path, "w") as f:
            f.write(text)
        print("good.test: " + run(["ldns-verify-zone", path]).strip())  # raises when it fails
        if soonest_expiration(axfr(port, "stuck.test")) > fresh:
            failures.append("stuck.test's signatures were refreshed with corrupt keys")
        failed = metric(metrics_port, "switchboard_dnssec_failed_steps_total")
        if failed < 1:
            failures.append("switchboard_dnssec_failed_steps_total is %d" % failed)
        c = http.client.HTTPConnection("127.0.0.1", metrics_port, timeout=5)
        c.request("GET", "/metrics")
        lint = subprocess.run(["promtool", "check", "metrics"], input=c.getresponse().read(),
                              capture_output=True)
        c.close()
        if lint.returncode != 0:
            failures.append("promtool check metrics: %s" % lint.stdout + lint.stderr)
        time.sleep(2)  # inside the first 30 s backoff: no second attempt, no second line
        lines = [l for l in proc.output().splitlines() if "signing a zone failed" in l]
        if len(lines) != 1 or "stuck.test" not in lines[0]:
            failures.append("expected one failure line naming stuck.test, got: %s" % lines)
        if proc.proc.poll() is not None:
            failures.append("the server exited")
        wait_for_dns(port, name="stuck.test", proc=proc.proc)
        print("failed steps: %d; log: %s" % (failed, lines[:1]))
    except RuntimeError as e:
        failures.append(str(e))
    finally:
        cleanup([proc], [work])
    sys.exit(report(failures, "a stuck zone beside a refreshed one: %d failures"))


if __name__ == "__main__":
    main()
