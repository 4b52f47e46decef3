#!/usr/bin/python3
"""Every gSOAP entry point (a top-level `int port__operation(struct soap* ...)` in
provisioning/src/*_port.cpp) is at most 12 lines, signature and closing brace included: it
converts with the port's codec, calls one service function and converts back (STYLE.md §4).

Prints each longer one as file:line name (n lines) and exits 1; exits 0 when all fit.
"""

import glob
import os
import re
import sys

MAX_LINES = 12
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ENTRY = re.compile(r"^int\s+(\w+__\w+)\s*\(\s*struct\s+soap\s*\*")


def entry_points(path):
    """(name, first line number, number of lines) of each entry point in the file: from its
    signature to the first closing brace in column 0 (the files are clang-formatted)."""
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        m = ENTRY.match(lines[i])
        if not m:
            i += 1
            continue
        start = i
        while i < len(lines) and not lines[i].startswith("}") and \
                not (i == start and lines[i].rstrip().endswith("}")):
            i += 1
        yield m.group(1), start + 1, i - start + 1
        i += 1


def main():
    files = sorted(glob.glob(os.path.join(ROOT, "provisioning", "src", "*_port.cpp")))
    if not files:
        print("no provisioning/src/*_port.cpp found")
        return 1
    long_ones, count = [], 0
    for path in files:
        for name, line, n in entry_points(path):
            count += 1
            if n > MAX_LINES:
                long_ones.append(f"{os.path.relpath(path, ROOT)}:{line} {name} ({n} lines)")
    for entry in long_ones:
        print(entry)
    print(f"{count} entry points, {len(long_ones)} longer than {MAX_LINES} lines")
    return 1 if long_ones or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
