#!/usr/bin/python3
"""kill -9 while a zone is signed in bulk and while the re-signer refreshes it (issue 16,
done-when 4).

Imports an ENUM-shaped zone of NUMBERS owners unsigned, then starts `switchboard serve` with
`[dnssec] zones = *`: the zone is larger than one bulk slice, so it is signed in slices by the
background job while a client adds TXT records over SOAP without pause. The server is killed
with SIGKILL at random points; each time the zone is taken as the killed server left it in the
store (`switchboard zone export`: what the restarted server serves before it resumes any work),
then the server is restarted:
  * while the first signing runs, the apex publishes no DNSKEY, CDS, CDNSKEY or NSEC3PARAM
    (the zone is unsigned to a validator) and `switchboard dnssec ds` refuses; once it
    publishes them, `ldns-verify-zone` passes: every RRset carries a valid RRSIG and the NSEC3
    chain is whole;
  * the signing resumes and completes (its progress survives the kill);
then the first run's signatures (made on a clock 8 days behind, `[dnssec] clock_offset`) are
all due on the real clock, and the server is killed and restarted while the re-signer refreshes
them: every zone left by a kill passes `ldns-verify-zone` (should the refresh end before a kill
catches it under way, another wave 8 days further on the clock makes them due again). At the
end every signature is refreshed, the AXFR verifies, and every record acknowledged over SOAP is
in it.

Up to 4 kills per phase; SB_DNSSEC_KILL_CYCLES=200 repeats rounds (a fresh store each) until
200 kills are done, the long version.
"""

import calendar
import os
import random
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import (ADMIN_PASSWORD, Proc, cleanup, free_port, parse_args, run,  # noqa: E402
                     soap_call, tempdir, wait_for_dns)

ZONE = "0.2.1.3.e164.arpa"
NUMBERS = 5000
DAY = 86400
DNS_NS = "urn:AGProjects:NGNPro:Dns"
KEY_TYPES = ("DNSKEY", "CDS", "CDNSKEY", "NSEC3PARAM")


def write_zone(path, numbers=NUMBERS):
    with open(path, "w") as f:
        f.write("$ORIGIN %s.\n$TTL 3600\n@ SOA ns1.example.net. hostmaster.example.net. "
                "1 10800 3600 604800 300\n@ NS ns1.example.net.\n" % ZONE)
        for i in range(numbers):
            owner = ".".join(reversed("%07d" % i))
            f.write('%s NAPTR 10 100 "u" "E2U+sip" "!^.*$!sip:%d@sip.example!" .\n' % (owner, i))


class Writer(threading.Thread):
    """Adds TXT records over SOAP without pause; keeps the names acknowledged."""

    def __init__(self, soap_port):
        super().__init__(daemon=True)
        self.soap_port = soap_port
        self.acked = []
        self.stop_flag = False
        self.n = 0

    def run(self):
        while not self.stop_flag:
            self.n += 1
            name = "ack%d" % self.n
            try:
                soap_call(self.soap_port, "addRecord",
                          "<record><zone>%s</zone><name>%s</name><type>TXT</type>"
                          "<value>written %d</value><ttl>300</ttl></record>"
                          % (ZONE, name, self.n), ns=DNS_NS)
                self.acked.append(name)
                time.sleep(0.01)  # a steady stream, not a flood: the zone grows slowly
            except Exception:
                time.sleep(0.05)  # the server is down: the next name once it is back


def axfr(port):
    return run(["dig", "@127.0.0.1", "-p", str(port), "AXFR", ZONE, "+nocmd", "+nostats",
                "+time=5"])


def types_at_apex(text):
    out = set()
    for line in text.splitlines():
        f = line.split()
        if len(f) > 4 and not line.startswith(";") and f[0] == ZONE + ".":
            out.add(f[3])
    return out


def verify(text, work, label, failures, offset=0):
    """ldns-verify-zone on `text`, at the server's clock (now + offset seconds)."""
    path = os.path.join(work, "axfr.zone")
    with open(path, "w") as f:
        f.write("\n".join(l for l in text.splitlines() if l and not l.startswith(";")) + "\n")
    when = ["-t", "%+d" % offset] if offset else []
    r = subprocess.run(["ldns-verify-zone"] + when + [path], capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("%s: ldns-verify-zone fails on the AXFR: %s%s" %
                        (label, r.stdout[-1500:], r.stderr[-1500:]))
        return False
    return True


def expirations(text):
    ends = [calendar.timegm(time.strptime(f[8], "%Y%m%d%H%M%S"))
            for f in (l.split() for l in text.splitlines()) if len(f) > 8 and f[3] == "RRSIG"]
    return ends or [0]


def soonest_expiration(text):
    return min(expirations(text))


class Server:
    def __init__(self, binary, work):
        self.binary, self.work = binary, work
        self.data = os.path.join(work, "data")
        self.port, self.soap_port = free_port(), free_port()
        self.proc = None

    def ini(self, offset):
        with open(os.path.join(self.data, "switchboard.ini"), "w") as f:
            f.write("[admin]\nusername = admin\npassword = %s\n[dns]\nworkers = 1\n"
                    "allow_transfer = 127.0.0.1/32\n[dnssec]\nzones = *\nclock_offset = %d\n"
                    % (ADMIN_PASSWORD, offset))

    def start(self, wait=True):
        """Starts the server; with wait, returns once it answers."""
        argv = [self.binary, "serve", "--data", self.data, "--dns", "127.0.0.1:%d" % self.port,
                "--soap", "127.0.0.1:%d" % self.soap_port]
        self.proc = Proc(argv, self.work, "switchboard.log")
        if wait:
            self.wait_ready()

    def wait_ready(self):
        wait_for_dns(self.port, name=ZONE, proc=self.proc.proc, timeout=30)

    def wait_axfr(self, done, what, limit=120):
        """Polls the AXFR until done(text) holds."""
        deadline = time.time() + limit
        while not done(axfr(self.port)):
            if time.time() > deadline:
                raise RuntimeError(what + ":\n" + self.proc.output()[-3000:])
            time.sleep(0.2)

    def kill_and_restart(self, wait=True):
        """SIGKILL, then the zone as the store holds it (what the restarted server serves before
        it resumes any work), then a restart; returns that zone."""
        self.kill()
        text = run([self.binary, "zone", "export", ZONE, "--data", self.data])
        self.start(wait)
        return text

    def kill(self):
        self.proc.proc.kill()  # SIGKILL
        self.proc.proc.wait()
        self.proc.log.close()


def main():
    args = parse_args()
    # The default: one round of up to 4 kills a phase; SB_DNSSEC_KILL_CYCLES=200 runs rounds
    # (each a fresh store, both phases) until about that many kills are done.
    cycles = int(os.environ.get("SB_DNSSEC_KILL_CYCLES", "4"))
    rng = random.Random()
    failures, kills = [], 0
    rounds, seen_signing, seen_resigning = 0, 0, 0
    # A round whose kills all missed the work (it ended before a restart looked) shows
    # nothing: rounds go on (3 at most, past the kills asked for) until each phase was caught
    # under way.
    while not failures and (kills < cycles or (rounds < 3 and not (seen_signing and
                                                                   seen_resigning))):
        rounds += 1
        k, signing, resigning = one_round(args.binary, rng, failures)
        kills += k
        seen_signing += signing
        seen_resigning += resigning
    if not seen_signing:
        failures.append("no restart found the bulk signing under way")
    if not seen_resigning:
        failures.append("no restart found the re-signing under way")
    print("%d rounds, %d kills; the signing under way after a restart in %d of them, the "
          "re-signing in %d" % (rounds, kills, seen_signing, seen_resigning))
    if failures:
        print("FAIL:\n" + "\n".join(failures))
        sys.exit(1)
    print("OK: kill -9 during bulk signing and re-signing, %d rounds, %d kills" % (rounds, kills))


def one_round(binary, rng, failures, cycles=4):
    """Both phases on a fresh store; returns the kills done."""
    work = tempdir("dns16-kill-")
    srv = Server(binary, work)
    writer = None
    kills, under_way, mid = 0, False, False
    try:
        os.makedirs(srv.data)
        zone_file = os.path.join(work, "zone.txt")
        write_zone(zone_file)
        # Imported unsigned (no policy stored yet); the first start signs it in slices.
        run([binary, "zone", "import", zone_file, "--data", srv.data])
        srv.ini(-8 * DAY)
        srv.start()
        writer = Writer(srv.soap_port)
        writer.start()

        # Phase 1: kill -9 during the bulk signing.
        published, refused, under_way = False, False, False
        for _ in range(cycles):
            time.sleep(rng.uniform(0.0, 0.1) if kills == 0 else rng.uniform(0.05, 0.3))
            text = srv.kill_and_restart()
            kills += 1
            apex = types_at_apex(text)
            if any(t in apex for t in KEY_TYPES):
                if not all(t in apex for t in ("DNSKEY", "NSEC3PARAM", "CDS")):
                    failures.append("phase 1: apex publishes %s only" % sorted(apex))
                published = True
                verify(text, work, "phase 1 after kill %d" % kills, failures)
            else:
                under_way = True
                r = subprocess.run([binary, "dnssec", "ds", ZONE, "--data", srv.data],
                                   capture_output=True, text=True)
                if r.returncode == 0:
                    if not any(t in types_at_apex(axfr(srv.port)) for t in KEY_TYPES):
                        failures.append("dnssec ds printed a DS for a zone whose keys are not "
                                        "published: " + r.stdout)
                elif "being signed" not in r.stderr:
                    failures.append("dnssec ds during signing: " + r.stderr)
                else:
                    refused = True
            if published and kills >= 2:
                break
        srv.wait_axfr(lambda t: all(k in types_at_apex(t) for k in ("DNSKEY", "NSEC3PARAM")),
                      "the bulk signing did not complete")
        text = axfr(srv.port)
        verify(text, work, "phase 1 end", failures)
        ds = run([binary, "dnssec", "ds", ZONE, "--data", srv.data])
        if " DS " not in ds:
            failures.append("dnssec ds after signing: " + ds)
        print("phase 1: %d kills, signing under way after a restart: %s, dnssec ds refused: "
              "%s, %d records acknowledged" % (kills, under_way, refused, len(writer.acked)))

        # Phase 2: the real clock makes every signature due; kill -9 while it is refreshed. A
        # wave that ends before a restart sees it under way is followed by another, the clock
        # 8 days further on (every signature due again; ldns-verify-zone told the time).
        refreshed, offset = False, 0
        for wave in range(3):
            offset = wave * 8 * DAY
            # The re-signer starts refreshing as the server starts, and a zone of this size is
            # refreshed in well under a second on an idle machine: each kill comes at a random
            # point of a restart (not after the server answers), so it lands in the refresh.
            srv.kill()
            srv.ini(offset)
            srv.start(wait=False)
            for kill in range(cycles):
                time.sleep(rng.uniform(0.1, 0.6))
                text = srv.kill_and_restart(wait=False)
                kills += 1
                verify(text, work, "phase 2 wave %d after kill %d" % (wave, kill + 1),
                       failures, offset)
                ends = expirations(text)
                fresh = time.time() + offset + 13 * DAY
                mid = mid or (min(ends) < fresh < max(ends))
                if min(ends) > fresh:
                    refreshed = True
                    if kill >= 1:
                        break
            srv.wait_ready()
            srv.wait_axfr(lambda t: soonest_expiration(t) > time.time() + offset + 13 * DAY,
                          "the re-signer did not refresh every signature")
            if mid:
                break
        writer.stop_flag = True
        writer.join(30)
        text = axfr(srv.port)
        verify(text, work, "phase 2 end", failures, offset)
        owners = {l.split()[0] for l in text.splitlines() if " TXT" in l or "\tTXT" in l}
        lost = [n for n in writer.acked if "%s.%s." % (n, ZONE) not in owners]
        if lost:
            failures.append("acknowledged records lost: %s" % lost[:20])
        if len(writer.acked) < 5:
            failures.append("only %d records acknowledged over SOAP" % len(writer.acked))
        print("phase 2: re-signing under way after a restart: %s, done while killing: %s; %d "
              "records acknowledged, %d lost" % (mid, refreshed, len(writer.acked), len(lost)))
    except Exception as e:  # noqa: BLE001
        failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        shut_down(srv, writer, work)
    return kills, under_way, mid


def shut_down(srv, writer, work):
    """Stops the writer (None: not started) and the server, removes the work directory."""
    if writer:
        writer.stop_flag = True
    if srv.proc and srv.proc.proc.poll() is None:
        srv.proc.stop()
    cleanup([], [work])


if __name__ == "__main__":
    main()
