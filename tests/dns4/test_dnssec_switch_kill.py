#!/usr/bin/python3
"""kill -9 during the whole-zone DNSSEC steps that run as slice jobs (issue 16, done-when 2 and
4): an NSEC to NSEC3 switch and a ZSK rollover's re-sign.

An ENUM-shaped zone of NUMBERS owners (several bulk slices) is served by `switchboard serve`
with `[dnssec] zones = *`, `keys = ksk-zsk`, `nsec3 = no`, while a client adds TXT records
over SOAP without pause. Then:
  * switch: the server is restarted with `nsec3 = yes` and killed with SIGKILL at random
    points while it builds the NSEC3 chain beside the NSEC one, switches the apex and removes
    the NSEC RRs. After each kill the zone as the store holds it (`switchboard zone export`:
    what the restarted server serves) must name a chain at its apex (NSEC3PARAM, else an apex
    NSEC) and hold that chain whole: ldns-verify-zone passes on it with the other chain's
    records (not used by a validator: the apex does not name them) left out. Should the switch
    end before a kill catches both chains in the store, the server switches back (NSEC3 to
    NSEC, the apex keeping its NSEC3PARAM until the NSEC chain is whole), and so on, 6 times
    at most;
  * ZSK rollover: `switchboard dnssec rollover ZONE zsk` pre-publishes a new ZSK; the server
    is restarted with the clock past the DNSKEY TTL, so the new ZSK takes over and re-signs the
    zone slice by slice; it is killed at random points; after each kill ldns-verify-zone passes
    on the whole zone (RRsets not yet reached keep the old ZSK's signature, still published).
    At least one kill must land while both ZSKs sign parts of the zone (else another ZSK
    rollover, once the old ZSK is gone, 6 at most);
  * at the end the AXFR verifies whole (no NSEC left, every RRset but DNSKEY/CDS/CDNSKEY signed
    by the new ZSK) and every record acknowledged over SOAP is in it.
"""

import os
import random
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dns4lib import ADMIN_PASSWORD, parse_args, report, run, tempdir  # noqa: E402
from test_dnssec_kill import (ZONE, Server, Writer, axfr, shut_down, types_at_apex,  # noqa
                              verify, write_zone)

NUMBERS = 3000  # owners: 6 slices of 1000 nodes with their hashed owners, per pass
KILLS = 6  # at most, per phase
TAKE_OVER = 4000  # clock offset past the zone's DNSKEY TTL (3600) + propagation delay (0)
WAVES = 6  # switches (and rollovers) at most, until a kill catches one under way: a wave
# misses when every kill lands before the work starts or after it ends (3 waves all missed
# once in a clean `make test` on an idle machine, where the re-sign takes a few tenths of a s)


class SwitchServer(Server):
    def __init__(self, binary, work):
        super().__init__(binary, work)
        self.nsec3 = "no"

    def ini(self, offset):
        with open(os.path.join(self.data, "switchboard.ini"), "w") as f:
            f.write("[admin]\nusername = admin\npassword = %s\n[dns]\nworkers = 1\n"
                    "allow_transfer = 127.0.0.1/32\n[dnssec]\nzones = *\nkeys = ksk-zsk\n"
                    "nsec3 = %s\npropagation_delay = 0\nparent_ds_ttl = 60\nclock_offset = %d\n"
                    % (ADMIN_PASSWORD, self.nsec3, offset))


    def wait_keys(self, done, limit=60):
        """Polls `dnssec keys` until done({tag: (role, state)}) holds."""
        deadline = time.time() + limit
        while True:
            keys = {}
            for line in run([self.binary, "dnssec", "keys", ZONE, "--data",
                             self.data]).splitlines():
                f = line.split()
                if f and f[0] == "key":
                    keys[int(f[3])] = (f[8].lower(), f[9].lower())
            if done(keys):
                return
            if time.time() > deadline:
                raise RuntimeError("dnssec keys: %s" % keys)
            time.sleep(0.2)


def records(text):
    return [l.split() for l in text.splitlines() if l.strip() and not l.startswith(";")]


def served_chain(text):
    """The zone as a validator uses it: the chain its apex names, the other one left out."""
    nsec3 = "NSEC3PARAM" in types_at_apex(text)
    drop = "NSEC" if nsec3 else "NSEC3"
    keep = []
    for line in text.splitlines():
        f = line.split()
        if len(f) > 4 and (f[3] == drop or (f[3] == "RRSIG" and f[4] == drop)):
            continue
        keep.append(line)
    return "\n".join(keep) + "\n"


def chains(text):
    types = {f[3] for f in records(text) if len(f) > 4}
    return "NSEC" in types, "NSEC3" in types


def zsk_tags(text):
    """The key tags signing the zone's data (RRSIGs over types other than DNSKEY/CDS/CDNSKEY)."""
    return {f[10] for f in records(text) if len(f) > 10 and f[3] == "RRSIG" and
            f[4] not in ("DNSKEY", "CDS", "CDNSKEY")}


def kill_during(srv, rng, check):
    """Kills the server at random points and restarts it, up to KILLS times; check(kill, zone
    as the store holds it) says when the work is over (then at least 3 kills are done). Returns
    the kills."""
    for kill in range(KILLS):
        time.sleep(rng.uniform(0.05, 0.4))
        if check(kill, srv.kill_and_restart(wait=False)) and kill >= 2:
            return kill + 1
    return KILLS


def main():
    args = parse_args()
    rng = random.Random()
    failures = []
    work = tempdir("dns16-switch-")
    srv = SwitchServer(args.binary, work)
    writer = None
    try:
        os.makedirs(srv.data)
        zone_file = os.path.join(work, "zone.txt")
        write_zone(zone_file, NUMBERS)
        run([args.binary, "zone", "import", zone_file, "--data", srv.data])
        srv.ini(0)
        srv.start()
        srv.wait_axfr(lambda t: "DNSKEY" in types_at_apex(t), "the first signing did not end")
        srv.wait_axfr(lambda t: chains(t) == (True, False), "the zone is not an NSEC zone")
        writer = Writer(srv.soap_port)
        writer.start()

        # The NSEC to NSEC3 switch, killed on the way. A switch that ends before a kill
        # catches both chains in the store is followed by one back, and so on (WAVES at most).
        both, kills = 0, 0

        def after_switch_kill(kill, text):
            nonlocal both
            has_nsec, has_nsec3 = chains(text)
            apex = types_at_apex(text)
            # An apex NSEC3PARAM names the NSEC3 chain (an apex NSEC beside it while the NSEC
            # chain is built: RFC 5155 §10.5's order), else the apex NSEC the NSEC chain.
            if not {"NSEC3PARAM", "NSEC"} & apex:
                failures.append("switch kill %d: the apex names no chain: %s" %
                                (kill + 1, sorted(apex)))
            both += has_nsec and has_nsec3
            verify(served_chain(text), work, "switch kill %d" % (kill + 1), failures)
            return has_nsec != has_nsec3 and has_nsec3 == (srv.nsec3 == "yes")  # over

        for wave in range(WAVES):
            srv.kill()
            srv.nsec3 = "no" if wave % 2 else "yes"
            srv.ini(0)
            srv.start(wait=False)
            kills += kill_during(srv, rng, after_switch_kill)
            srv.wait_ready()
            nsec3 = srv.nsec3 == "yes"
            srv.wait_axfr(lambda t: chains(t) == (not nsec3, nsec3) and
                          ("NSEC3PARAM" in types_at_apex(t)) == nsec3, "the switch did not end")
            verify(axfr(srv.port), work, "after switch %d" % (wave + 1), failures)
            if both:
                break
        if not both:
            failures.append("no kill landed while both chains were in the store")
        print("switch: %d kills, %d with both chains in the store" % (kills, both))

        # A ZSK rollover: pre-published, then the take-over's re-sign, killed on the way; again
        # (the old ZSK gone first) while no kill has caught both ZSKs signing.
        mixed, kills, offset = 0, 0, 0
        for wave in range(WAVES):
            base = wave * (TAKE_OVER + 3600)  # past the last wave's old ZSK's removal
            if wave:
                srv.kill()
                srv.ini(base)
                srv.start()
                srv.wait_keys(lambda k: all(state == "active" for _, state in k.values()))
            old_zsk = zsk_tags(axfr(srv.port))
            run([args.binary, "dnssec", "rollover", ZONE, "zsk", "--data", srv.data])
            offset = base + TAKE_OVER
            srv.kill()
            srv.ini(offset)
            srv.start(wait=False)

            def after_resign_kill(kill, text):
                nonlocal mixed
                tags = zsk_tags(text)
                mixed += len(tags) > 1
                verify(text, work, "ZSK re-sign kill %d" % (kill + 1), failures, offset)
                return tags and not (tags & old_zsk)  # every RRset re-signed

            kills += kill_during(srv, rng, after_resign_kill)
            srv.wait_ready()
            srv.wait_axfr(lambda t: zsk_tags(t) and not (zsk_tags(t) & old_zsk),
                          "the new ZSK did not re-sign the whole zone")
            if mixed:
                break
        if not mixed:
            failures.append("no kill landed while both ZSKs signed parts of the zone")
        print("ZSK rollover: %d kills, %d while both ZSKs signed" % (kills, mixed))

        writer.stop_flag = True
        writer.join(30)
        text = axfr(srv.port)
        verify(text, work, "the end", failures, offset)
        owners = {f[0] for f in records(text) if len(f) > 3 and f[3] == "TXT"}
        lost = [n for n in writer.acked if "%s.%s." % (n, ZONE) not in owners]
        if lost:
            failures.append("acknowledged records lost: %s" % lost[:20])
        if len(writer.acked) < 5:
            failures.append("only %d records acknowledged over SOAP" % len(writer.acked))
        print("%d records acknowledged over SOAP, %d lost" % (len(writer.acked), len(lost)))
    except (RuntimeError, subprocess.SubprocessError, OSError) as e:
        failures.append("%s: %s" % (type(e).__name__, e))
    finally:
        shut_down(srv, writer, work)
    sys.exit(report(failures, "kill -9 during an NSEC to NSEC3 switch and a ZSK rollover's "
                              "re-sign: %d failures"))


if __name__ == "__main__":
    main()
