#!/usr/bin/python3
"""Started as root with [server] user set, switchboard binds its sockets (here DNS and SOAP on
ports it could bind as anyone, and [metrics]) and then runs as that user: every uid and gid of
the process is the user's, no supplementary groups, no capabilities left; the data dir and its
files belong to the user, and the server still answers DNS and writes the store over SOAP.
An unknown [server] user is a clear error (exit 1).

Needs root: it creates a throwaway system user (useradd --system) and deletes it at the end.
Usage: /usr/bin/python3 test_privileges.py --binary PATH/TO/switchboard
"""

import os
import pwd
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import sbtest  # noqa: E402
from sbtest import Checker, DataDir, dig, free_port, start_serve  # noqa: E402
from test_crash import ZONE, Soap  # noqa: E402


def status_fields(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.split()
    return out


def test_drops_to_user(args):
    ck = Checker("drops_to_user")
    if os.geteuid() != 0:
        raise sbtest.TestFailure("this test needs root (it is registered only for root builds)")
    user = f"sbtest{random.randrange(10**6)}"
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                    user], check=True)
    try:
        pw = pwd.getpwnam(user)
        # The binary must be reachable for the user's lookups of nothing; the data dir is
        # created by root under /tmp and handed over.
        with DataDir(extra_ini=f"[server]\nuser = {user}\n[metrics]\nlisten = "
                               f"127.0.0.1:{free_port()}\n") as data:
            os.chmod(data.path, 0o700)
            with start_serve(args, data) as srv:
                st = status_fields(srv.proc.pid)
                ck.eq(st["Uid"], [str(pw.pw_uid)] * 4, "real, effective, saved, fs uid")
                ck.eq(st["Gid"], [str(pw.pw_gid)] * 4, "real, effective, saved, fs gid")
                ck.eq(st.get("Groups", []), [str(pw.pw_gid)], "supplementary groups")
                for cap in ("CapPrm", "CapEff", "CapInh", "CapAmb"):
                    ck.eq(int(st[cap][0], 16), 0, cap)
                for name in os.listdir(data.path) + ["."]:
                    ck.eq(os.stat(os.path.join(data.path, name)).st_uid, pw.pw_uid,
                          f"owner of {name}")
                Soap(srv.soap_port, data.username, data.password).call(
                    f"<ns5:addZone><zone><name>{ZONE}</name><nameservers><item>ns1.{ZONE}"
                    f"</item></nameservers></zone></ns5:addZone>")
                ck.eq(dig(srv.dns_port, ZONE, "SOA").rcode, "NOERROR",
                      "the unprivileged server writes and answers")
                ck.check("running unprivileged" in srv.output(), "logged")
        with DataDir(extra_ini="[server]\nuser = no-such-user-here\n") as data:
            r = subprocess.run([args.binary, "serve", "--data", data.path, "--dns",
                                f"127.0.0.1:{free_port()}", "--soap", f"127.0.0.1:{free_port()}"],
                               capture_output=True, text=True, timeout=30)
            ck.check(r.returncode == 1 and "no such user 'no-such-user-here'" in r.stderr,
                     f"unknown user: {r.stderr!r}")
    finally:
        subprocess.run(["userdel", user], check=False)
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals())
