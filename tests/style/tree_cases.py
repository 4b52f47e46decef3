"""The runner the style checks' self-tests share: each case is a small tree written to a
temporary directory, the check run on it with --root, its exit code and output compared."""

import os
import subprocess
import sys
import tempfile


def run(check, files):
    with tempfile.TemporaryDirectory() as root:
        for rel, text in files.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        r = subprocess.run([sys.executable, check, "--root", root], capture_output=True,
                           text=True, timeout=60)
        return r.returncode, r.stdout


def main(check, cases):
    """cases: (name, files, expected exit code, text the output must contain or None).
    Returns the process exit code: 1 when a case failed."""
    failed = 0
    for name, files, want_rc, want_text in cases:
        rc, out = run(check, files)
        ok = rc == want_rc and (want_text is None or want_text in out)
        print(f"{'ok  ' if ok else 'FAIL'} {name}: exit {rc}")
        if not ok:
            print("    " + out.replace("\n", "\n    "))
            failed += 1
    print(f"{len(cases) - failed} passed, {failed} failed")
    return 1 if failed else 0
