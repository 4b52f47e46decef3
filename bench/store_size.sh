#!/usr/bin/env bash
# Issue 18: the store's size against its master files, per table, on two ENUM shapes loaded
# with `switchboard zone import` (no manual step), then after an offline `switchboard compact`,
# and PowerDNS's LMDB backend on the same files (`pdnsutil load-zone`) when it is installed.
#
#   bench/store_size.sh [--numbers N] [--shapes "xfr ranges50k"] [--binary PATH] [--keep]
#
# Shapes: xfr, bench/xfr.py's zone (9.4.e164.arpa, one NAPTR per number); ranges50k,
# bench/gen_ranges50k.py (zones of 50,000 numbers, a sip and a mailto NAPTR each). Prints one
# line per store: the file's pages in use (mdb_stat -ef), MB (10^6 bytes) and the ratio to the
# master files, and the pages (branch + leaf) of dns_nodes, records and records_by_owner.
# Default 1,000,000 numbers (about two minutes and 2 GB of memory per import on two cores);
# `--numbers 20000` is a smoke run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NUMBERS=1000000 SHAPES="xfr ranges50k" BINARY="$ROOT/build/app/switchboard" KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
    --numbers) NUMBERS="$2"; shift ;;
    --shapes) SHAPES="$2"; shift ;;
    --binary) BINARY="$2"; shift ;;
    --keep) KEEP=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
WORK="$(mktemp -d /tmp/sb-store-size.XXXXXX)"
[ $KEEP = 1 ] && echo "keeping $WORK" >&2 || trap 'rm -rf "$WORK"' EXIT

# pages DIR TABLE: branch + leaf pages of one table.
pages() {
    mdb_stat -e -s "$2" "$1" | awk '/Branch pages/{b=$3} /Leaf pages/{l=$3} END{print b+l}'
}

# report LABEL DIR MASTER_BYTES
report() {
    local used mb
    used=$(mdb_stat -ef "$2" | awk '/Number of pages used/{print $5}')
    mb=$(echo "scale=1; $used * 4096 / 1000000" | bc)
    printf '%-34s %8s pages %7s MB %5s× %8s %8s %8s\n' "$1" "$used" "$mb" \
        "$(echo "scale=2; $used * 4096 / $3" | bc)" "$(pages "$2" dns_nodes)" \
        "$(pages "$2" records)" "$(pages "$2" records_by_owner)"
}

printf '%-34s %14s %10s %6s %8s %8s %8s\n' store used MB ratio dns_nodes records by_owner
for shape in $SHAPES; do
    files=()
    case "$shape" in
    xfr)
        python3 - "$WORK/xfr.zone" "$NUMBERS" <<EOF
import importlib.util, sys
spec = importlib.util.spec_from_file_location("xfr", "$ROOT/bench/xfr.py")
xfr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(xfr)
xfr.write_zone(sys.argv[1], int(sys.argv[2]), xfr.SERIAL)
EOF
        files=("$WORK/xfr.zone")
        zones=("9.4.e164.arpa") ;;
    ranges50k)
        python3 "$ROOT/bench/gen_ranges50k.py" --out "$WORK/r50k" --numbers "$NUMBERS" \
            --queries 10 >/dev/null
        files=() zones=()
        while read -r zone file; do zones+=("$zone"); files+=("$file"); done <"$WORK/r50k/zones.list" ;;
    *) echo "unknown shape $shape" >&2; exit 2 ;;
    esac
    master=$(cat "${files[@]}" | wc -c)
    data="$WORK/sb-$shape"
    mkdir -p "$data"
    t0=$(date +%s.%N)
    for f in "${files[@]}"; do "$BINARY" zone import "$f" --data "$data" >/dev/null 2>&1; done
    t=$(echo "$(date +%s.%N) - $t0" | bc)
    report "$shape, imported (${t%.*} s)" "$data" "$master"
    "$BINARY" compact --data "$data" >/dev/null
    report "$shape, after compact" "$data" "$master"
    if command -v pdnsutil >/dev/null && ls /usr/lib/*/pdns/liblmdbbackend.so >/dev/null 2>&1; then
        conf="$WORK/pdns-$shape"
        mkdir -p "$conf/db"
        printf 'launch=lmdb\nlmdb-filename=%s/db/pdns.lmdb\nlmdb-sync-mode=nosync\n' "$conf" \
            >"$conf/pdns.conf"
        for i in "${!files[@]}"; do
            pdnsutil --config-dir="$conf" load-zone "${zones[$i]}" "${files[$i]}" >/dev/null 2>&1
        done
        bytes=$(du -sb "$conf/db" | cut -f1)
        printf '%-34s %14s %7s MB %5s×\n' "$shape, PowerDNS LMDB" "" \
            "$(echo "scale=1; $bytes / 1000000" | bc)" "$(echo "scale=2; $bytes / $master" | bc)"
    fi
    printf '%-34s %14s %7s MB\n' "$shape, master files" "" "$(echo "scale=1; $master / 1000000" | bc)"
done
