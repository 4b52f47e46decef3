#!/usr/bin/env bash
# Issue 18: how each figure of bench/run.sh grows with the data. Runs bench/run.sh once per
# scale (same mix, same servers, one after the other) and tables every server's figures at
# each scale with the growth factor from one scale to the next.
#
#   bench/scales.sh [--scales "100k 1m 10m"] [--shape hosted|ranges50k] [--no-record]
#                   [any other bench/run.sh option, passed on: --servers, --runs, --seconds …]
#
# The full three scales take hours on two cores (the 10m dataset alone is ~1.4 GB of master
# files); `--scales 100k --runs 1 --seconds 3` is a smoke run. Appends the table to
# bench/RESULTS.md unless --no-record (each run.sh run is not recorded on its own).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCALES="100k 1m 10m" SHAPE=hosted RECORD=1
PASS=()
while [ $# -gt 0 ]; do
    case "$1" in
    --scales) SCALES="$2"; shift ;;
    --shape) SHAPE="$2"; shift ;;
    --no-record) RECORD=0 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) PASS+=("$1") ;;
    esac
    shift
done
WORK="$(mktemp -d /tmp/sb-scales.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

for s in $SCALES; do
    echo "[scales] $SHAPE at $s" >&2
    "$ROOT/bench/run.sh" --scale "$s" --shape "$SHAPE" --no-record --tsv "$WORK/$s.tsv" \
        "${PASS[@]}" >"$WORK/$s.out" || { tail -5 "$WORK/$s.out" >&2; exit 1; }
done

ROWS=(
    "cpu|server µs per answered query (UDP)"
    "udp|UDP queries/s"
    "tcp|TCP queries/s"
    "start|start → every zone answers (s)"
    "pss|PSS after the run (MB)"
    "disk|data on disk (MB)"
    "load|bulk load (s)"
)
value() { # scale server metric → the median, rounded (3 significant digits, integers whole)
    awk -F'\t' -v n="$2" -v k="$3" '$1 == n && $2 == k {
        if ($3 !~ /^[0-9.]+$/) print $3; else if ($3 >= 100) printf "%.0f\n", $3; else printf "%.3g\n", $3 }' \
        "$WORK/$1.tsv"
}
growth() { # from to → "×f"
    echo "$1 $2" | awk '$1 ~ /^[0-9.]+$/ && $2 ~ /^[0-9.]+$/ && $1 > 0 { printf "%.2f×", $2 / $1; next } { print "–" }'
}
servers="$(cut -f1 "$WORK/$(echo "$SCALES" | awk '{ print $1 }').tsv" | grep -v -e '^dataset$' -e '^echo$' | sort -u)"
TABLE="$WORK/table.md"
{
    printf '| figure | server |'
    prev=""
    for s in $SCALES; do
        printf ' %s |' "$s"
        [ -z "$prev" ] || printf ' %s→%s |' "$prev" "$s"
        prev=$s
    done
    printf '\n|---|---|'
    prev=""
    for s in $SCALES; do
        printf -- '---|'
        [ -z "$prev" ] || printf -- '---|'
        prev=$s
    done
    printf '\n'
    for row in "${ROWS[@]}"; do
        key="${row%%|*}"
        for n in $servers; do
            [ -n "$(value "$(echo "$SCALES" | awk '{ print $1 }')" "$n" "$key")" ] || continue
            printf '| %s | %s |' "${row#*|}" "$n"
            prev=""
            for s in $SCALES; do
                v="$(value "$s" "$n" "$key")"
                printf ' %s |' "${v:-–}"
                [ -z "$prev" ] || printf ' %s |' "$(growth "$(value "$prev" "$n" "$key")" "$v")"
                prev=$s
            done
            printf '\n'
        done
    done
    printf '| master files (MB) | – |'
    prev=""
    for s in $SCALES; do
        printf ' %s |' "$(value "$s" dataset master_mb)"
        [ -z "$prev" ] || printf ' %s |' "$(growth "$(value "$prev" dataset master_mb)" "$(value "$s" dataset master_mb)")"
        prev=$s
    done
    printf '\n'
} >"$TABLE"
cat "$TABLE"
if [ "$RECORD" = 1 ]; then
    {
        echo
        echo "## How the figures grow with the data, shape $SHAPE ($(date -u '+%Y-%m-%d %H:%M UTC'))"
        echo
        echo "\`bench/scales.sh --scales \"$SCALES\" --shape $SHAPE ${PASS[*]:-}\` on $(hostname)" \
             "($(nproc) cores); switchboard $(git -C "$ROOT" rev-parse --short HEAD). One bench/run.sh" \
             "run per scale (medians of its rounds); the → columns are the factor from one scale to" \
             "the next (the data grows 10× each step)."
        echo
        cat "$TABLE"
    } >>"$ROOT/bench/RESULTS.md"
fi
