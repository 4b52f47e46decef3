#!/usr/bin/env bash
# Runs every libFuzzer target of a SB_FUZZ build for SECONDS each, starting from the seed
# corpus in tests/fuzz/corpus/<target>/ (copied: the repo's corpus only grows by hand, with
# regression inputs). Exits non-zero on the first crash, leak, timeout or sanitizer report,
# leaving the input in the work dir it prints.
set -euo pipefail
build=${1:?usage: fuzz.sh BUILD_DIR SECONDS}
seconds=${2:?usage: fuzz.sh BUILD_DIR SECONDS}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/sb-fuzz-XXXXXX)
status=0
for corpus in "$root"/tests/fuzz/corpus/*/; do
    name=$(basename "$corpus")
    target="$build/tests/fuzz/fuzz_$name"
    [ -x "$target" ] || { echo "fuzz: $target is not built"; exit 1; }
    mkdir -p "$work/$name"
    cp -r "$corpus". "$work/$name/"
    echo "fuzz_$name: ${seconds}s from $(ls "$corpus" | wc -l) seeds"
    if ! "$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
            -artifact_prefix="$work/$name-" -print_final_stats=1 "$work/$name" \
            > "$work/$name.log" 2>&1; then
        echo "fuzz_$name FAILED; input and log in $work"
        grep -v '^audit ' "$work/$name.log" | tail -40
        status=1
        continue
    fi
    grep -E '^stat::number_of_executed_units|^Done' "$work/$name.log" | tr '\n' ' '
    echo
done
if [ $status -eq 0 ]; then
    rm -rf "$work"
    echo "fuzz: every target ran ${seconds}s without a finding"
fi
exit $status
