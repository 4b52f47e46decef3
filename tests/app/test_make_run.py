#!/usr/bin/python3
"""`make run` as a new operator meets it (issue 14):

- the output before the banner is under 15 lines (the build is one line, its log in a file);
- the default config sets [dns] nameservers, so the demo's ENUM range (addRange) is accepted;
- every command under the banner's "Try:", pasted as is into a shell in the source tree,
  exits 0 and shows the demo data: SOA, NAPTR and SRV of the SIP domain, an ENUM number's NAPTR,
  the zone over SOAP, the metrics, status and check;
- a second `make run` keeps the existing data dir: same admin password, the same zone serial.

The test reuses the build tree it belongs to (BUILD=, BUILD_TYPE=), so the build step has
nothing to do. Usage: test_make_run.py --binary PATH/TO/switchboard --source DIR --build DIR
--build-type TYPE
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))

import sbtest  # noqa: E402
from sbtest import Checker, free_port  # noqa: E402


class MakeRun:
    def __init__(self, a, run_dir, ports):
        self.out_path = os.path.join(run_dir, "make-run.out")
        dns, soap, metrics = ports
        argv = ["make", "--no-print-directory", "run", f"BUILD={a.build}",
                f"BUILD_TYPE={a.build_type}", f"RUN={run_dir}", f"DNS=127.0.0.1:{dns}",
                f"SOAP=127.0.0.1:{soap}", f"METRICS=127.0.0.1:{metrics}", "JOBS=2"]
        self.out = open(self.out_path, "w")
        self.proc = subprocess.Popen(argv, cwd=a.source, stdout=self.out,
                                     stderr=subprocess.STDOUT, start_new_session=True)

    def text(self):
        with open(self.out_path) as f:
            return f.read()

    def wait_banner(self, timeout=240):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "Stop with Ctrl-C." in self.text():
                return self.text()
            if self.proc.poll() is not None:
                raise sbtest.TestFailure(f"make run exited {self.proc.returncode}:\n{self.text()}")
            time.sleep(0.2)
        raise sbtest.TestFailure(f"no banner within {timeout}s:\n{self.text()}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.out.close()


def banner_commands(text):
    lines = text.splitlines()
    start = lines.index("Try:") + 1
    commands = []
    for line in lines[start:]:
        if not line.strip():
            break
        commands.append(line.strip())
    return commands


def expectation(command):
    """What the output of a banner command must contain."""
    if command.startswith("dig "):
        qtype = command.split()[-1]
        return [r"status: NOERROR", rf"ANSWER: [1-9]", rf"\sIN\s+{qtype}\s"]
    if "ngnpro" in command:
        return [r"getZoneResponse", r"example\.com"]
    if "/metrics" in command:
        return [r"^process_open_fds \d+", r"^switchboard_store_file_bytes \d+"]
    if " status " in command:
        return [r"example\.com\s+dns\s+\d{10}", r"4\.3\.2\.1\.0\.2\.1\.3\.e164\.arpa\s+enum"]
    if " check " in command:
        return [r"ok: store schema version"]
    raise sbtest.TestFailure(f"the test does not know the banner command {command!r}")


def test_make_run(a):
    ck = Checker("make_run")
    run_dir = tempfile.mkdtemp(prefix="sb-make-run-")
    ports = (free_port(), free_port(), free_port())
    try:
        first = MakeRun(a, run_dir, ports)
        try:
            text = first.wait_banner()
            before = text[:text.index("====")].rstrip("\n").splitlines()
            ck.check(len(before) < 15, f"{len(before)} lines before the banner: {before}")
            ini = open(os.path.join(run_dir, "switchboard.ini")).read()
            ck.check(re.search(r"^nameservers = \S+", ini, re.M), "default [dns] nameservers")
            commands = banner_commands(text)
            ck.check(len(commands) >= 8, f"banner commands: {commands}")
            for command in commands:
                r = subprocess.run(["bash", "-c", command], cwd=a.source, capture_output=True,
                                   text=True, timeout=30)
                ck.eq(r.returncode, 0, f"exit status of {command!r} ({r.stderr.strip()})")
                for pattern in expectation(command):
                    ck.check(re.search(pattern, r.stdout, re.M),
                             f"{command!r} shows /{pattern}/: {r.stdout[:300]!r}")
            soa = subprocess.run(["dig", "@127.0.0.1", "-p", str(ports[0]), "+short",
                                  "example.com", "SOA"], capture_output=True, text=True).stdout
            password = open(os.path.join(run_dir, "data", "admin.ini")).read()
        finally:
            first.stop()
        second = MakeRun(a, run_dir, ports)
        try:
            text = second.wait_banner()
            ck.check("existing data dir, kept" in text, "the banner says the data dir is kept")
            ck.eq(open(os.path.join(run_dir, "data", "admin.ini")).read(), password,
                  "admin credentials kept")
            again = subprocess.run(["dig", "@127.0.0.1", "-p", str(ports[0]), "+short",
                                    "example.com", "SOA"], capture_output=True, text=True).stdout
            ck.eq(again, soa, "the zone and its serial are kept")
        finally:
            second.stop()
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    ck.done()


if __name__ == "__main__":
    sbtest.main(globals(), "--source", "--build", "--build-type")
