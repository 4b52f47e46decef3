#!/usr/bin/env bash
# Every C++ source of ours is clang-formatted (.clang-format at the root; STYLE §9).
# Generated code lives in the build tree; wsdl/ngnpro.h (soapcpp2 input) opts out with
# clang-format off.
set -u
cd "$(dirname "$0")/../.."
files=$(git ls-files '*.cpp' '*.hpp' '*.h')
bad=$(for f in $files; do clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
count=$(echo "$files" | wc -w)
if [ -n "$bad" ]; then
    echo "not clang-formatted (run clang-format -i on them):"
    echo "$bad"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "format: $count files checked"
echo "1 passed, 0 failed"
