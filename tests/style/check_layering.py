#!/usr/bin/env python3
"""Layering (STYLE §1): store <- zones <- dnsd, store <- zones <- provisioning; nothing includes
dnsd/ or provisioning/ but app/; every other target sees only the include/ of the libraries it
may use. Fails naming each file that includes a header from a layer above it (or a private
src/ header of another library)."""

import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ALLOWED = {
    "log": {"log"},
    "store": {"store", "log"},
    "zones": {"store", "zones", "log"},
    "dnsd": {"store", "zones", "dnsd", "log"},
    "provisioning": {"store", "zones", "provisioning", "wsdl", "log"},
    "wsdl": {"wsdl"},
    "app": {"store", "zones", "dnsd", "provisioning", "app", "log"},
}
LIBS = {"log", "store", "zones", "dnsd", "provisioning", "wsdl"}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([a-z_]+)/', re.M)

bad = []
checked = 0
for folder, allowed in ALLOWED.items():
    for dirpath, _, files in os.walk(os.path.join(ROOT, folder)):
        for f in files:
            if not f.endswith((".cpp", ".hpp", ".h")) or f == "ngnpro.h":
                continue
            path = os.path.join(dirpath, f)
            checked += 1
            for lib in INCLUDE.findall(open(path, encoding="utf-8").read()):
                if lib in LIBS and lib not in allowed:
                    bad.append(f"{os.path.relpath(path, ROOT)} includes {lib}/ "
                               f"({folder} may use {', '.join(sorted(allowed))})")
for line in bad:
    print(line)
print(f"layering: {checked} files checked")
print(f"{0 if bad else 1} passed, {1 if bad else 0} failed")
sys.exit(1 if bad else 0)
