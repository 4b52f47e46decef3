#!/usr/bin/python3
"""TSIG algorithms of transfers (issue 15): hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512.

Starts `switchboard dns` with example.com imported, transfers allowed by TSIG key only, and one
key per algorithm. kdig (`-y ALG:NAME:SECRET`) transfers the zone with each key; kdig verifies
the TSIG of every response message, so a complete AXFR is a verified one. Then (kdig names the
TSIG error of the NOTAUTH answer, so the answer carries its TSIG RR): a key name known under
another algorithm is BADKEY (RFC 8945 §5.2.1), a wrong secret BADSIG, an unknown key name
BADKEY, and a key in the ini with an
unknown algorithm stops the server from starting with a message naming the algorithms.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_nsd_diff import Tally  # noqa: E402
from dns4lib import (cleanup, kdig_axfr, parse_args, refusal,  # noqa: E402
                     start_tsig_switchboard, tempdir, tsig_secret)

ALGORITHMS = ["hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"]


def secret(alg):
    return tsig_secret("switchboard-%s-key" % alg)


def main():
    binary = parse_args().binary
    sb_dir = tempdir("dns4-tsig-sb-")
    sb = None
    tally = Tally()
    check = tally.check

    try:
        keys = {alg + ".key": (alg, secret(alg)) for alg in ALGORITHMS}
        sb = start_tsig_switchboard(binary, sb_dir, keys, ["example.com"])
        for alg in ALGORITHMS:
            out = kdig_axfr(sb.port, "example.com", (alg, alg + ".key", secret(alg)))
            check("www.example.com." in out and "NOERROR" in out and
                  ";; WARNING" not in out and "failed" not in out.lower(),
                  "AXFR signed with %s transfers and verifies:\n%s" % (alg, out[-800:]))
        # The name of the hmac-sha512 key, used with hmac-sha256: BADKEY.
        out = kdig_axfr(sb.port, "example.com",
                        ("hmac-sha256", "hmac-sha512.key", secret("hmac-sha512")))
        check("www.example.com." not in out and "BADKEY" in out,
              "a known key under another algorithm is NOTAUTH/BADKEY:\n" + out[-800:])
        out = kdig_axfr(sb.port, "example.com",
                        ("hmac-sha384", "hmac-sha384.key", secret("hmac-sha1")))
        check("www.example.com." not in out and "BADSIG" in out,
              "a wrong secret is NOTAUTH/BADSIG:\n" + out[-800:])
        out = kdig_axfr(sb.port, "example.com",
                        ("hmac-sha512", "nobody.key", secret("hmac-sha512")))
        check("www.example.com." not in out and "BADKEY" in out,
              "an unknown key name is NOTAUTH/BADKEY:\n" + out[-800:])
        # An unknown algorithm in the ini: the server refuses to start, saying what to use.
        e = refusal(binary, "dns4-tsig-bad-",
                    "[dns]\ntsig_key = k:hmac-md5:%s\n" % secret("hmac-sha1"))
        check("hmac-sha512" in e and "hmac-md5" in e,
              "the server refuses an hmac-md5 key, naming the algorithms:\n" + e[-800:])
        tally.report()
        return 1 if tally.failed else 0
    finally:
        cleanup((sb,), (sb_dir,))


if __name__ == "__main__":
    sys.exit(main())
