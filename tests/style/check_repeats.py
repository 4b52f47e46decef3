#!/usr/bin/env python3
"""No block of six or more lines is repeated inside provisioning/, verbatim or with only names
and literals changed (issue 13). Reads every .cpp/.hpp under provisioning/ (build directories
and generated code aside), normalises each line and reports, naming both places, every run of
MIN_RUN consecutive normalised lines that appears twice, within a file or across files.

Normalising a line: comments dropped; string and character literals become one token, numbers
another, identifiers a third (C++ keywords stay as they are, so `return x;` and `int x;`
differ); whitespace removed. Trivial lines do not count and do not break a run: blank lines,
lines of only braces, parentheses, brackets, semicolons and commas, `break;`, `return;`,
`continue;`, `else {`, preprocessor lines, access specifiers and namespace lines. A run in
which four of the six lines or more have one shape (a table, `a.x = b.x;` field by field under
its signature) is a mapping, not a repeat of logic; member assignments count as one shape
there, whatever their right-hand side (`g.port = soap_value<int>(soap, v.port);`, one field of
one type filled from another's, under the mapping's signature and its output's declaration);
and a run of six declarations (a codec header's overloads, a service class's head and
methods) is not logic either: nothing in it runs.

gSOAP entry points (`int ns__op(struct soap* soap, ...)` in a `*_port.cpp`) are each their own
unit: a run does not cross the signature of one, and the signature's lines do not count. The
signatures are generated (gSOAP declares one per operation from the WSDL, differing only in
names), and each body is one `serve(...)` call into a service; a run across two of them
matches the tail of one call and the head of the next, not logic. Six lines repeated inside
the bodies are still caught.

A row's schema (`template <class Self, class V> static void fields(Self& r, V& v) { v(r.a),
v(r.b)...; }`, provisioning/rows.hpp and the *_types.hpp) is likewise its own unit: its lines are
the list of the row's stored fields in order, a declaration of bytes (pinned by the codec
tests), not logic; every row has one by design (one codec for all rows).

Exits 1 and prints `a:first-last ~ b:first-last` per repeat; exits 0 when there is none.
"""

import argparse
import os
import re
import sys

MIN_RUN = 6
ENTRY = "\0unit"  # a gSOAP entry point's signature or a row schema: no run crosses it
DIR = "provisioning"

KEYWORDS = {
    "auto", "bool", "break", "case", "catch", "char", "class", "const", "constexpr", "continue",
    "default", "delete", "do", "double", "else", "enum", "explicit", "false", "for", "if",
    "inline", "int", "long", "namespace", "new", "noexcept", "nullptr", "operator", "private",
    "protected", "public", "return", "sizeof", "static", "static_cast", "struct", "switch",
    "template", "this", "throw", "true", "try", "typename", "unsigned", "using", "void",
    "while", "requires", "co_await", "co_return",
}

STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
RAW_STRING = re.compile(r'R"(\w*)\((?:.|\n)*?\)\1"')
NUMBER = re.compile(r"\b\d[\w.']*")
IDENT = re.compile(r"[A-Za-z_]\w*")
# `Type name(params);`, `class Name : public Base {`, `using Base::Base;`: an interface.
DECLARATION = re.compile(r"^([\w:<>,*&]*(I|>|void)I\([^=]*\);|classI:publicI\{|usingI::I;)$")
MEMBER_SET = re.compile(r"^I(\.I)+=[^=].*;$")  # `out.field = <expression>;`
TRIVIAL = re.compile(r"^[{}()\[\];,]*$")
TRIVIAL_WORDS = {"break;", "return;", "continue;", "else{", "}else{", "public:", "private:",
                 "protected:"}


def strip_comments(text):
    """The text with comments replaced by spaces (newlines kept) and string literals kept."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c == '"' or c == "'":
            m = STRING.match(text, i)
            if m:
                out.append(m.group(0))
                i = m.end()
                continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("\n" * text.count("\n", i, j))
            i = j
            continue
        out.append(c)
        i += 1
    return "".join(out)


def normalise(line):
    line = STRING.sub("S", line)
    line = NUMBER.sub("N", line)
    line = IDENT.sub(lambda m: m.group(0) if m.group(0) in KEYWORDS else "I", line)
    return "".join(line.split())


def trivial(raw, norm):
    s = raw.strip()
    return (not norm or TRIVIAL.match(norm) is not None or norm in TRIVIAL_WORDS or
            s.startswith("#") or norm.startswith("namespace") or norm.startswith("}//"))


FIELDS = re.compile(r"^\s*static void fields\(Self& \w+, V& \w+\) \{$")
ENTRY_POINT = re.compile(r"^int \w+__\w+\(struct soap\* soap\b")


def lines_of(path):
    """(line number, normalised text) of the lines that count. A gSOAP entry point's signature
    signature becomes one ENTRY marker, so that no run crosses it and its lines do not count."""
    text = open(path, encoding="utf-8").read()
    text = RAW_STRING.sub(lambda m: "S" + "\n" * m.group(0).count("\n"), text)
    out = []
    signature = False
    schema = False
    for number, raw in enumerate(strip_comments(text).split("\n"), 1):
        norm = normalise(raw)
        if ENTRY_POINT.match(raw):
            out.append((number, ENTRY))  # ends a run; the signature's lines do not count
            signature = True
        if signature:
            signature = not raw.rstrip().endswith("{")
            continue
        if FIELDS.match(raw):
            if out and out[-1][1] == "template<classI,classI>":
                out.pop()
            out.append((number, ENTRY))  # a row's schema: its own unit, its lines do not count
            schema = True
        if schema:
            schema = raw.strip() != "}"
            continue
        if not trivial(raw, norm):
            out.append((number, norm))
    return out


def sources(root):
    base = os.path.join(root, DIR)
    for folder, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if not d.startswith("build") and d != "generated")
        for name in sorted(files):
            if name.endswith((".cpp", ".hpp")) and not name.startswith("soap"):
                yield os.path.join(folder, name)


def repeats(root):
    """Pairs ((file, first, last), (file, first, last)) of repeated runs, each pair once,
    overlapping windows of one repeat merged."""
    files = {os.path.relpath(p, root): lines_of(p) for p in sources(root)}
    seen = {}
    hits = []
    for name, lines in files.items():
        for i in range(len(lines) - MIN_RUN + 1):
            key = tuple(norm for _, norm in lines[i:i + MIN_RUN])
            if ENTRY in key:
                continue  # a run across a gSOAP entry point's signature (see above)
            if max(key.count(k) for k in key) >= MIN_RUN - 2 or \
                    sum(1 for k in key if MEMBER_SET.match(k)) >= MIN_RUN - 2 or \
                    all(map(DECLARATION.match, key)):
                continue  # lines of one shape: a table or a field-by-field mapping, not logic
            for other, j in seen.get(key, []):
                if other == name and i - j < MIN_RUN:
                    continue  # a run overlapping itself (e.g. a long table of one shape)
                hits.append((other, j, name, i))
            seen.setdefault(key, []).append((name, i))
    # Merge the windows of one repeat: (a, j, b, i) follows (a, j-1, b, i-1).
    merged = {}
    for a, j, b, i in hits:
        prev = (a, j - 1, b, i - 1)
        if prev in merged:
            merged[(a, j, b, i)] = merged.pop(prev)
        else:
            merged[(a, j, b, i)] = (a, j, b, i)
    out = []
    for (a, j_end, b, i_end), (_, j0, _, i0) in sorted(merged.items(), key=lambda kv: kv[1]):
        la, lb = files[a], files[b]
        out.append(((a, la[j0][0], la[j_end + MIN_RUN - 1][0]),
                    (b, lb[i0][0], lb[i_end + MIN_RUN - 1][0])))
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                       "..", ".."))
    args = parser.parse_args()
    found = repeats(os.path.abspath(args.root))
    for (a, a0, a1), (b, b0, b1) in found:
        print(f"{a}:{a0}-{a1} ~ {b}:{b0}-{b1}")
    print(f"{len(found)} repeated block(s) of {MIN_RUN}+ lines under {DIR}/")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
