#!/usr/bin/env python3
"""Layering (STYLE §1): store <- zones <- dnsd, store <- zones <- provisioning; nothing includes
dnsd/ or provisioning/ but app/; every other target sees only the include/ of the libraries it
may use. Fails naming

 - each file that includes a header of a layer above it, however the path is spelled
   ("provisioning/x.hpp", "../../provisioning/src/x.hpp"), or a private src/ header of
   another library;
 - each file outside provisioning/src and wsdl/src that includes the generated soapH.h;
 - each target_link_libraries arrow (or INTERFACE_LINK_LIBRARIES property) from a library to
   one of a layer it may not use, read from every CMakeLists.txt;
 - each cycle among the project's targets (static libraries that link each other);
 - each public header of store/ (store/include) that names LMDB (`MDB_`, `mdb_`) or includes
   lmdb.h: LMDB stays in store/src.

Usage: check_layering.py [--root DIR]   (default: the repository this file is in)
"""

import argparse
import os
import re
import sys

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
GENERATED = {"soapH.h", "soapStub.h"}
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
SKIP_DIRS = {".git", "build", "build-asan", "build-tsan", "build-fuzz"}


def included_lib(path):
    """The library folder an include path points into, or None ("../store/src/x" -> store)."""
    parts = [p for p in path.split("/") if p not in ("", ".", "..")]
    if len(parts) > 1 and parts[0] in LIBS:
        return parts[0], parts[1] == "src"
    for i, part in enumerate(parts[:-1]):
        if part in LIBS and (path.startswith("..") or parts[i + 1] in ("src", "include")):
            return part, parts[i + 1] == "src"
    return None, False


def walk(root, folder):
    for dirpath, dirs, files in os.walk(os.path.join(root, folder)):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith("build")]
        for f in files:
            yield dirpath, f


def check_includes(root):
    bad, checked = [], 0
    for folder, allowed in ALLOWED.items():
        for dirpath, f in walk(root, folder):
            if not f.endswith((".cpp", ".hpp", ".h")) or f == "ngnpro.h":
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            checked += 1
            for inc in INCLUDE.findall(open(path, encoding="utf-8").read()):
                lib, private = included_lib(inc)
                if lib is not None and lib not in allowed:
                    bad.append(f"{rel} includes {inc} ({folder} may use "
                               f"{', '.join(sorted(allowed))})")
                elif lib is not None and lib != folder and private:
                    bad.append(f"{rel} includes {inc}, a private src/ header of {lib}")
                if os.path.basename(inc) in GENERATED and not (
                        rel.startswith("provisioning/src/") or rel.startswith("wsdl/src/")):
                    bad.append(f"{rel} includes the generated {inc} (only provisioning/src "
                               f"and wsdl/src may)")
    return bad, checked


LMDB_NAME = re.compile(r"\b(MDB_|mdb_)\w*|lmdb\.h")


def check_store_headers(root):
    """Public store headers that name LMDB or include lmdb.h (comments count too)."""
    bad = []
    for dirpath, f in walk(root, os.path.join("store", "include")):
        path = os.path.join(dirpath, f)
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            m = LMDB_NAME.search(line)
            if m:
                bad.append(f"{os.path.relpath(path, root)}:{n} names {m.group(0)}: LMDB stays "
                           f"in store/src (public store headers use the opaque handles)")
    return bad


def cmake_commands(text, name):
    """(first argument, other arguments) of every `name(...)` call in a CMakeLists.txt."""
    text = re.sub(r"#[^\n]*", "", text)
    for m in re.finditer(rf"\b{name}\s*\(([^)]*)\)", text, re.I):
        args = m.group(1).split()
        if args:
            yield args[0], args[1:]


def link_graph(root):
    """Targets defined by the project (name -> top folder) and their link arrows."""
    owner, arrows = {}, {}
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith("build")]
        if "CMakeLists.txt" not in files:
            continue
        rel = os.path.relpath(dirpath, root)
        folder = "" if rel == "." else rel.split(os.sep)[0]
        text = open(os.path.join(dirpath, "CMakeLists.txt"), encoding="utf-8").read()
        for kind in ("add_library", "add_executable"):
            for target, _ in cmake_commands(text, kind):
                owner[target] = folder
        for target, args in cmake_commands(text, "target_link_libraries"):
            arrows.setdefault(target, set()).update(a for a in args if a not in (
                "PUBLIC", "PRIVATE", "INTERFACE"))
        for target, args in cmake_commands(text, "set_property"):
            if target.upper() == "TARGET" and "INTERFACE_LINK_LIBRARIES" in args:
                names = args[:args.index("INTERFACE_LINK_LIBRARIES")]
                values = args[args.index("INTERFACE_LINK_LIBRARIES") + 1:]
                for t in names:
                    if t not in ("APPEND", "APPEND_STRING", "PROPERTY"):
                        arrows.setdefault(t, set()).update(values)
    return owner, {t: {d for d in deps if d in owner} for t, deps in arrows.items()}


def check_links(root):
    owner, arrows = link_graph(root)
    bad = []
    for target, deps in sorted(arrows.items()):
        folder = owner.get(target)
        if folder not in ALLOWED:
            continue  # tests, bench: not a layer
        for dep in sorted(deps):
            if owner[dep] in LIBS and owner[dep] not in ALLOWED[folder]:
                bad.append(f"{target} ({folder}/) links {dep} ({owner[dep]}/); {folder} may use "
                           f"{', '.join(sorted(ALLOWED[folder]))}")
    # Cycles: a depth-first search that reports each back edge's loop once.
    state, stack, seen = {}, [], set()

    def visit(t):
        state[t] = "open"
        stack.append(t)
        for d in sorted(arrows.get(t, ())):
            if state.get(d) == "open":
                loop = stack[stack.index(d):] + [d]
                key = frozenset(loop)
                if key not in seen:
                    seen.add(key)
                    bad.append("library cycle: " + " -> ".join(loop))
            elif d not in state:
                visit(d)
        stack.pop()
        state[t] = "done"

    for t in sorted(arrows):
        if t not in state:
            visit(t)
    return bad, len(owner)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.abspath(
        os.path.join(os.path.dirname(__file__), "..", "..")))
    root = parser.parse_args().root
    bad, checked = check_includes(root)
    bad += check_store_headers(root)
    link_bad, targets = check_links(root)
    bad += link_bad
    for line in bad:
        print(line)
    print(f"layering: {checked} files and {targets} targets checked")
    print(f"{0 if bad else 1} passed, {1 if bad else 0} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
