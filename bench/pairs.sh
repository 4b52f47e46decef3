#!/usr/bin/env bash
# Server CPU per answered query, two sides measured in pairs so that the machine's drift hits
# both alike. One bench/run.sh run gives one ratio, and on a shared VM the figures of separate
# runs move by ±15% (the echo responder, which does no work, does): this takes many small
# paired ratios and their median. Two uses (issue 18):
#   - growth: Switchboard on a dataset and on a larger one (SMALL LARGE);
#   - against a peer: Knot or NSD and Switchboard on the same dataset (knot:DIR DIR: B over A
#     is then Switchboard's CPU over Knot's, as issue 18's criterion 2 reads).
#
#   bench/pairs.sh [--pairs 8] [--seconds 12] [--binary PATH] [--record] A B
#
# A and B are dataset dirs as bench/run.sh caches them (`bench/run.sh --scale 1m --prepare`
# makes one), each optionally prefixed with the server that answers from it: switchboard:DIR
# (the default; DIR/switchboard is the store), knot:DIR or nsd:DIR (the master files of
# DIR/knot-zones.conf or DIR/nsd-zones.conf, configured as bench/run.sh configures them,
# bench/servers.sh). Each pair starts one side's server (one worker, CPU 0, nice -10) and waits
# until it is ready: Switchboard's "store mapped" line (the store is in memory then), a peer's
# answer to the SOA of every zone of DIR/probe.txt. Then dnsperf (CPU 1, -c 16 -q 200) runs
# 3 s to warm up and --seconds more, and the server's user and system time (/proc/PID/stat, all
# its processes and threads) are read around that run; then the same for the other side. The
# order swaps from one pair to the next. Per answered query: user, system and their sum; per
# pair: B over A. Prints a table of the pairs and the medians; --record appends it to
# bench/RESULTS.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/bench/servers.sh" # free_port, peer_cmd, tree, cpu_ticks
PAIRS=8 SECONDS_RUN=12 WARMUP=3 RECORD=0 BINARY=""
while [ $# -gt 0 ]; do
    case "$1" in
    --pairs) PAIRS="$2"; shift ;;
    --seconds) SECONDS_RUN="$2"; shift ;;
    --binary) BINARY="$2"; shift ;;
    --record) RECORD=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
    shift
done
[ $# -eq 2 ] || { echo "usage: bench/pairs.sh [options] A B (see --help)" >&2; exit 2; }
BINARY="${BINARY:-$ROOT/build-bench/app/switchboard}"

side() { # spec → "server dir"
    local server=switchboard dir=$1
    case "$1" in
    switchboard:* | knot:* | nsd:*) server="${1%%:*}" dir="${1#*:}" ;;
    esac
    [ -d "$dir" ] && [ -f "$dir/queries.txt" ] || { echo "$dir: no dataset (queries.txt)" >&2; exit 2; }
    dir="$(cd "$dir" && pwd)"
    case "$server" in
    switchboard)
        [ -d "$dir/switchboard" ] || { echo "$dir: no switchboard/ store" >&2; exit 2; }
        [ -x "$BINARY" ] || { echo "no switchboard binary at $BINARY (--binary)" >&2; exit 2; } ;;
    knot | nsd)
        [ -f "$dir/$server-zones.conf" ] && [ -f "$dir/probe.txt" ] ||
            { echo "$dir: no $server-zones.conf or probe.txt" >&2; exit 2; }
        command -v "${server/knot/knotd}" >/dev/null || { echo "$server is missing" >&2; exit 2; } ;;
    esac
    echo "$server $dir"
}
A_SIDE="$(side "$1")"
B_SIDE="$(side "$2")"
read -r A_SERVER A_DIR <<<"$A_SIDE"
read -r B_SERVER B_DIR <<<"$B_SIDE"
A_LABEL="$A_SERVER:$(basename "$A_DIR")" B_LABEL="$B_SERVER:$(basename "$B_DIR")"
command -v dnsperf >/dev/null || { echo "dnsperf is missing (apt-get install dnsperf)" >&2; exit 2; }
command -v dig >/dev/null || { echo "dig is missing (apt-get install bind9-dnsutils)" >&2; exit 2; }

WORK="$(mktemp -d /tmp/sb-pairs.XXXXXX)"
SERVER=""
stop_server() {
    [ -n "$SERVER" ] || return 0
    kill $(tree "$SERVER") 2>/dev/null || true
    wait "$SERVER" 2>/dev/null || true
    SERVER=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
HZ="$(getconf CLK_TCK)"

ticks() { # "utime stime" clock ticks of the server's processes and threads
    local t k
    read -r t k < <(cpu_ticks "$SERVER")
    echo "$((t - k)) $k"
}

wait_ready() { # server dir port: until it answers from the whole dataset
    local server=$1 dir=$2 port=$3 waited=0 zone
    if [ "$server" = switchboard ]; then
        # The populate maps the store at SCHED_IDLE after start: measured before it ends, its
        # page faults would count as the answers' CPU. A store over half the memory is not mapped.
        until grep -q -e "store mapped" -e "left to the page cache" "$WORK/server.out"; do
            kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.out" >&2; exit 1; }
            [ $((waited += 1)) -le 1200 ] || { echo "$dir: store not mapped after 120 s" >&2; exit 1; }
            sleep 0.1
        done
        return
    fi
    for zone in $(awk '{ print $1 }' "$dir/probe.txt"); do
        until dig +short +tries=1 +time=1 -p "$port" @127.0.0.1 "$zone" SOA | grep -q .; do
            kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.out" >&2; exit 1; }
            [ $((waited += 1)) -le 1200 ] || { echo "$server: $zone not loaded after 10 min" >&2; exit 1; }
            sleep 0.5
        done
    done
}

measure() { # server dir var → sets var to "user sys", µs per answered query
    local server=$1 dir=$2 port cmd t0 t1 answered
    port="$(free_port)"
    rm -rf "$WORK/conf" && mkdir -p "$WORK/conf"
    if [ "$server" = switchboard ]; then
        printf '[dns]\nworkers = 1\n' >"$WORK/conf/switchboard.ini"
        cmd="$BINARY dns --data $dir/switchboard --config $WORK/conf/switchboard.ini --dns 127.0.0.1:$port"
    else
        cmd="$(peer_cmd "$server" "$WORK/conf" "$port" "$dir")"
    fi
    nice -n -10 taskset -c 0 $cmd >"$WORK/server.out" 2>&1 &
    SERVER=$!
    wait_ready "$server" "$dir" "$port"
    nice -n -10 taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$dir/queries.txt" -c 16 -q 200 \
        -l "$WARMUP" >/dev/null 2>&1 || true
    t0="$(ticks)"
    nice -n -10 taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$dir/queries.txt" -c 16 -q 200 \
        -l "$SECONDS_RUN" >"$WORK/dnsperf.out" 2>&1 || true
    t1="$(ticks)"
    stop_server
    answered="$(awk '/Queries completed:/ { print $3 }' "$WORK/dnsperf.out")"
    [ "${answered:-0}" -gt 0 ] || { echo "$server on $dir: no query answered" >&2; exit 1; }
    printf -v "$3" '%s' "$(echo "$t0 $t1 $answered $HZ" |
        awk '{ printf "%.2f %.2f", ($3 - $1) / $6 / $5 * 1e6, ($4 - $2) / $6 / $5 * 1e6 }')"
}

ROWS=() a="" b=""
for i in $(seq "$PAIRS"); do
    if [ $((i % 2)) = 1 ]; then
        measure "$A_SERVER" "$A_DIR" a && measure "$B_SERVER" "$B_DIR" b
    else
        measure "$B_SERVER" "$B_DIR" b && measure "$A_SERVER" "$A_DIR" a
    fi
    row="$(echo "$a $b" | awk '{ s = $1 + $2; l = $3 + $4
        printf "%.2f %.2f %.2f %.2f %.2f %.2f %.3f", $1, $2, s, $3, $4, l, l / s }')"
    ROWS+=("$row")
    echo "pair $i: A user/sys/total, B user/sys/total, B/A: $row" >&2
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { printf '%s\n' "${ROWS[@]}" | awk -v c="$1" '{ print $c }'; }
versions() { # the servers' versions, for the record
    local s
    for s in $(printf '%s\n' "$A_SERVER" "$B_SERVER" | sort -u); do
        case "$s" in
        switchboard) echo "switchboard $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')" ;;
        knot) echo "Knot $(knotd -V 2>&1 | awk '{ print $NF; exit }')" ;;
        nsd) echo "NSD $(nsd -v 2>&1 | awk '/version/ { print $NF; exit }')" ;;
        esac
    done | paste -sd, | sed 's/,/, /g'
}
TABLE="$WORK/table.md"
{
    echo "## In pairs: $B_LABEL over $A_LABEL ($(date -u '+%Y-%m-%d %H:%M UTC'))"
    echo
    echo "\`bench/pairs.sh --pairs $PAIRS --seconds $SECONDS_RUN\` on $(hostname) ($(nproc) cores);" \
        "$(versions). Server µs per answered query (user + system of its processes and threads" \
        "over a ${SECONDS_RUN} s dnsperf run, one worker on CPU 0, after its data is in memory" \
        "and 3 s of warm-up), the two sides one right after the other, order swapped every pair."
    echo
    echo "| pair | A user | A sys | A µs/query | B user | B sys | B µs/query | B / A |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
    for i in "${!ROWS[@]}"; do
        echo "${ROWS[$i]}" | awk -v n=$((i + 1)) '{ printf "| %d | %s | %s | %s | %s | %s | %s | %s |\n", n, $1, $2, $3, $4, $5, $6, $7 }'
    done
    printf '| median |'
    for c in 1 2 3 4 5 6; do printf ' %.2f |' "$(col $c | median)"; done
    printf ' %.3f |\n' "$(col 7 | median)"
    echo
    echo "A is $A_LABEL, B $B_LABEL. B over A, the pairs sorted: $(col 7 | sort -g | tr '\n' ' ' | sed 's/ $//');" \
        "the median of the pairs' ratios $(printf '%.3f' "$(col 7 | median)"), the ratio of the medians" \
        "$(echo "$(col 6 | median) $(col 3 | median)" | awk '{ printf "%.3f", $1 / $2 }')."
} >"$TABLE"
cat "$TABLE"
if [ "$RECORD" = 1 ]; then
    { echo; cat "$TABLE"; } >>"$ROOT/bench/RESULTS.md"
fi
