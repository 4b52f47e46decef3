#!/usr/bin/python3
"""Per-zone and per-catalog-group transfer rules (issue 15), with kdig.

Starts `switchboard dns` with example.com and example.net imported (both DNS-port zones, so
catalog group "dns"), three TSIG keys and
    [transfer]
    example.com = key:com.key
    group:dns   = key:dns.key 127.0.0.1
- example.com transfers with its key (kdig verifies the signed stream); with another zone's
  key, or unsigned from 127.0.0.1 (an address of the group's rule, not of the zone's), it is
  REFUSED, the refusal signed with the client's key;
- example.net (no rule of its own) follows its group: the group's key and address transfer
  it, example.com's key is REFUSED;
- a [transfer] entry naming an undefined key, or a group other than dns/enum, stops the
  server from starting with a message saying what to fix.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_nsd_diff import Tally  # noqa: E402
from dns4lib import (cleanup, kdig_axfr, parse_args, refusal,  # noqa: E402
                     start_tsig_switchboard, tempdir, tsig_key_value, tsig_secret)

KEYS = {name: (alg, tsig_secret("transfer-rules-" + name))
        for name, alg in (("com.key", "hmac-sha256"), ("net.key", "hmac-sha512"),
                          ("dns.key", "hmac-sha384"))}


def axfr(port, zone, key=None):
    return kdig_axfr(port, zone, (KEYS[key][0], key, KEYS[key][1]) if key else None)


def transferred(out, zone):
    return ("www.%s." % zone) in out and ";; WARNING" not in out and "REFUSED" not in out


def refused(out, zone, signed):
    # kdig verifies the TSIG of a signed answer and warns when it is missing or bad.
    return ("www.%s." % zone) not in out and "REFUSED" in out and (
        not signed or ";; WARNING" not in out)


def main():
    binary = parse_args().binary
    sb_dir = tempdir("dns4-xfr-rules-")
    sb = None
    tally = Tally()
    check = tally.check
    try:
        sb = start_tsig_switchboard(binary, sb_dir, KEYS, ["example.com", "example.net"],
                                    "[transfer]\nexample.com = key:com.key\n"
                                    "group:dns = key:dns.key 127.0.0.1\n")
        out = axfr(sb.port, "example.com", "com.key")
        check(transferred(out, "example.com"), "example.com with its key:\n" + out[-600:])
        out = axfr(sb.port, "example.com", "net.key")
        check(refused(out, "example.com", True),
              "example.com with another zone's key: REFUSED, signed:\n" + out[-600:])
        out = axfr(sb.port, "example.com", "dns.key")
        check(refused(out, "example.com", True),
              "example.com with its group's key: its own rule decides:\n" + out[-600:])
        out = axfr(sb.port, "example.com")
        check(refused(out, "example.com", False),
              "example.com unsigned from the group's address: REFUSED:\n" + out[-600:])
        out = axfr(sb.port, "example.net", "dns.key")
        check(transferred(out, "example.net"), "example.net with its group's key:\n" + out[-600:])
        out = axfr(sb.port, "example.net")
        check(transferred(out, "example.net"),
              "example.net unsigned from its group's address:\n" + out[-600:])
        out = axfr(sb.port, "example.net", "com.key")
        check(refused(out, "example.net", True),
              "example.net with example.com's key: REFUSED:\n" + out[-600:])
        log = sb.output()
        check("result=refused" in log, "refusals are logged:\n" + log[-800:])

        for rule, words in (("example.com = key:nobody.key", ["nobody.key", "tsig_key"]),
                            ("group:customers = 127.0.0.1", ["group:dns", "group:enum"])):
            e = refusal(binary, "dns4-xfr-rules-bad-",
                        "[dns]\ntsig_key = %s\n[transfer]\n%s\n" % (tsig_key_value(KEYS), rule))
            check(all(w in e for w in words),
                  "[transfer] %s: the server refuses it, saying what to fix:\n%s"
                  % (rule, e[-600:]))
        tally.report()
        return 1 if tally.failed else 0
    finally:
        cleanup((sb,), (sb_dir,))


if __name__ == "__main__":
    sys.exit(main())
