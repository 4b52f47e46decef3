#!/usr/bin/python3
"""The Debian package (issue 14), built by CPack from this build tree (what `make deb` does from a
Release tree), inspected without installing it:

- files and modes: /usr/sbin/switchboard (0755, runs --version), /etc/switchboard/switchboard.ini
  (0644, listed in conffiles), the systemd unit (0644), both man pages (they render without
  warnings), copyright and changelog; everything owned by root;
- control: Depends on adduser and on libsystemd0 (loaded on first use, so no shlibdeps finds
  it); postinst makes the switchboard system user and
  /var/lib/switchboard (0750, owned by it); purge alone removes the data;
- the unit: Type=notify, User=switchboard, only CAP_NET_BIND_SERVICE (ambient and bounding),
  ProtectSystem=strict, PrivateTmp, NoNewPrivileges and the rest of the hardening; it runs the
  packaged paths; `systemd-analyze verify` accepts it (in a root made of the package, the
  system's targets and /bin/kill, since this machine may not run systemd) and `systemd-analyze
  security --offline` rates it below 3 ("OK");
- the packaged ini loads (`switchboard check`: no error but the missing user on a machine where
  the package is not installed);
- lintian reports no error.

Usage: test_deb.py --binary PATH/TO/switchboard --build BUILD_DIR
"""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import sbtest  # noqa: E402
from sbtest import Checker  # noqa: E402

UNIT = "lib/systemd/system/switchboard.service"
INI = "etc/switchboard/switchboard.ini"
KAMAILIO = "/usr/share/doc/switchboard/examples/kamailio/"


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, **kw)


def unit_settings(text):
    out = {}
    for line in text.splitlines():
        if "=" in line and not line.startswith(("#", ";", "[")):
            key, _, value = line.partition("=")
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def test_deb(a):
    ck = Checker("deb")
    tmp = tempfile.mkdtemp(prefix="sb-deb-")
    try:
        r = run(["cpack", "-G", "DEB", "-B", tmp, "--config",
                 os.path.join(a.build, "CPackConfig.cmake")])
        debs = glob.glob(os.path.join(tmp, "switchboard_*.deb"))
        if r.returncode != 0 or len(debs) != 1:
            raise sbtest.TestFailure(f"cpack failed: {r.stdout}{r.stderr}")
        deb = debs[0]

        listing = {}
        for line in run(["dpkg-deb", "-c", deb]).stdout.splitlines():
            parts = line.split()
            listing[parts[5].lstrip(".")] = (parts[0], parts[1])
        want = {
            "/usr/sbin/switchboard": "-rwxr-xr-x",
            "/" + INI: "-rw-r--r--",
            "/" + UNIT: "-rw-r--r--",
            "/usr/share/man/man8/switchboard.8.gz": "-rw-r--r--",
            "/usr/share/man/man5/switchboard.ini.5.gz": "-rw-r--r--",
            "/usr/share/doc/switchboard/copyright": "-rw-r--r--",
            "/usr/share/doc/switchboard/changelog.gz": "-rw-r--r--",
            KAMAILIO + "kamailio.cfg": "-rw-r--r--",
            KAMAILIO + "switchboard-local.cfg.example": "-rw-r--r--",
            KAMAILIO + "kamailio.md": "-rw-r--r--",
        }
        for path, mode in want.items():
            ck.eq(listing.get(path, ("missing",))[0], mode, f"mode of {path}")
        ck.check(all(owner == "root/root" for _, owner in listing.values()), "owned by root")

        ctl = os.path.join(tmp, "control")
        root = os.path.join(tmp, "root")
        run(["dpkg-deb", "-e", deb, ctl])
        run(["dpkg-deb", "-x", deb, root])
        ck.eq(open(os.path.join(ctl, "conffiles")).read().split(), ["/" + INI], "conffiles")
        control = open(os.path.join(ctl, "control")).read()
        ck.check(re.search(r"^Depends:.*\badduser\b", control, re.M), "Depends: adduser")
        ck.check(re.search(r"^Depends:.*\blibsystemd0\b", control, re.M), "Depends: libsystemd0")
        postinst = open(os.path.join(ctl, "postinst")).read()
        ck.check(re.search(r"adduser --system --group .*switchboard", postinst.replace(
            "\\\n", " ")), "postinst makes the system user")
        ck.check("install -d -o switchboard -g switchboard -m 0750 /var/lib/switchboard"
                 in postinst, "postinst makes /var/lib/switchboard")
        postrm = open(os.path.join(ctl, "postrm")).read()
        ck.check(re.search(r'"purge" \]; then.*rm -rf /var/lib/switchboard', postrm, re.S),
                 "postrm removes the data on purge only")
        for script in ("postinst", "prerm", "postrm"):
            ck.eq(os.stat(os.path.join(ctl, script)).st_mode & 0o777, 0o755, f"{script} mode")
            ck.eq(run(["sh", "-n", os.path.join(ctl, script)]).returncode, 0, f"{script} syntax")

        packaged = os.path.join(root, "usr/sbin/switchboard")
        r = run([packaged, "--version"])
        ck.check(r.returncode == 0 and r.stdout.startswith("switchboard "), "packaged --version")
        unit_text = open(os.path.join(root, UNIT)).read()
        u = unit_settings(unit_text)
        expect = {
            "Type": ["notify"], "User": ["switchboard"], "Group": ["switchboard"],
            "AmbientCapabilities": ["CAP_NET_BIND_SERVICE"],
            "CapabilityBoundingSet": ["CAP_NET_BIND_SERVICE"],
            "ProtectSystem": ["strict"], "PrivateTmp": ["yes"], "NoNewPrivileges": ["yes"],
            "ProtectHome": ["yes"], "PrivateDevices": ["yes"], "RestrictSUIDSGID": ["yes"],
            "ProtectKernelTunables": ["yes"], "ProtectControlGroups": ["yes"],
            "MemoryDenyWriteExecute": ["yes"], "ReadWritePaths": ["/var/lib/switchboard"],
        }
        for key, value in expect.items():
            ck.eq(u.get(key), value, f"unit {key}")
        ck.check(u.get("ExecStart", [""])[0].startswith(
            "/usr/sbin/switchboard serve --data /var/lib/switchboard --config /" + INI),
            f"ExecStart: {u.get('ExecStart')}")
        ck.eq(u.get("ExecReload"), ["/bin/kill -HUP $MAINPID"], "ExecReload sends SIGHUP")

        # systemd-analyze verify resolves the unit's dependencies and commands inside --root.
        os.makedirs(os.path.join(root, "bin"), exist_ok=True)
        shutil.copy("/bin/kill", os.path.join(root, "bin", "kill"))
        for target in glob.glob("/lib/systemd/system/*.target"):
            dest = os.path.join(root, "lib/systemd/system", os.path.basename(target))
            if not os.path.exists(dest):
                shutil.copy(target, dest, follow_symlinks=True)
        r = run(["systemd-analyze", "verify", "--man=no", f"--root={root}",
                 os.path.join(root, UNIT)])
        ck.eq((r.returncode, r.stdout + r.stderr), (0, ""), "systemd-analyze verify")
        r = run(["systemd-analyze", "security", "--offline=yes", f"--root={root}",
                 os.path.join(root, UNIT)])
        m = re.search(r"Overall exposure level for switchboard.service: ([\d.]+)",
                      r.stdout + r.stderr)
        ck.check(m and float(m.group(1)) < 3.0, f"exposure: {m.group(0) if m else r.stderr}")

        for page in ("man8/switchboard.8.gz", "man5/switchboard.ini.5.gz"):
            r = run(["man", "--warnings", "-l", os.path.join(root, "usr/share/man", page)],
                    env=dict(os.environ, MANWIDTH="80", MANPAGER="cat", PAGER="cat"))
            ck.check(r.returncode == 0 and r.stderr == "" and "SWITCHBOARD" in r.stdout,
                     f"{page} renders: {r.stderr[:300]!r}")

        data = os.path.join(tmp, "data")
        r = run([packaged, "check", "--data", data, "--config", os.path.join(root, INI)])
        errors = [line for line in r.stdout.splitlines() if line.startswith("error:")]
        ck.check(all("[server] user switchboard" in line for line in errors),
                 f"the packaged ini loads: {r.stdout!r}")

        # The shipped Kamailio example, with its site settings from the example next to it,
        # is a configuration Kamailio accepts.
        kam = os.path.join(root, KAMAILIO.lstrip("/"))
        shutil.copy(os.path.join(kam, "switchboard-local.cfg.example"),
                    os.path.join(kam, "switchboard-local.cfg"))
        r = run(["kamailio", "-c", "-f", os.path.join(kam, "kamailio.cfg")])
        ck.check(r.returncode == 0 and "config file ok" in r.stdout + r.stderr,
                 f"the packaged kamailio.cfg parses: {(r.stdout + r.stderr)[-600:]!r}")

        r = run(["lintian", "--tag-display-limit", "0", deb])
        lint_errors = [line for line in r.stdout.splitlines() if line.startswith("E:")]
        ck.eq(lint_errors, [], "lintian errors")
        print(f"    lintian: {r.stdout.strip() or 'clean'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals(), "--build")
