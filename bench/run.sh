#!/usr/bin/env bash
# Issue 7: Switchboard side by side with Knot DNS, NSD and PowerDNS (LMDB backend) on the
# hosted-SIP dataset of shared/reference/peer-baseline.md, one command:
#
#   bench/run.sh            full scale: 100 domains, 1,000,000 numbers, 1 M query lines,
#                           dnsperf -c 16 -q 200 -l 20 after a 3 s warm-up, median of 3 runs
#   bench/run.sh --quick    10 domains, 50,000 numbers, 5 s per measurement, 1 run
#
# Options: --domains D --numbers N --queries Q --seconds S --runs R --seed X
#          --scale 100k|1m|10m (the number of ENUM numbers: 100,000, 1,000,000 or 10,000,000;
#          bench/scales.sh runs the three and tables how each figure grows)
#          --shape hosted|ranges50k (hosted: sb_bench_load's hosted-SIP mix, loaded through the
#          services, the default; ranges50k: bench/gen_ranges50k.py, ranges of 50,000 numbers
#          with a sip and a mailto NAPTR each (long regexps), 75% NAPTR queries, loaded with
#          `switchboard zone import` and no `compact`)
#          --tsv FILE (also write each server's medians as "server<TAB>metric<TAB>value" lines)
#          --servers "switchboard knot nsd pdns" --binary PATH --cache DIR --fresh
#          --quiet-wait S (wait at most S s for idle CPUs before each server; default 15)
#          --attempts N (UDP runs per measurement while other processes take >20% of a CPU;
#          full 2, quick 3)
#          --no-record (print the table only, do not append to bench/RESULTS.md)
#          --prepare (install, build, make and cache the dataset, then stop)
#          --baseline REV (before/after: also measure the switchboard of commit REV, see below)
#          --baseline-binary PATH (the same with a switchboard binary already built; with
#          --baseline too, REV names it and provides the loader if its dataset is needed)
#
# Before/after (issues that must not make Switchboard slower):
#
#   bench/run.sh --baseline 02742bc --servers switchboard          (5 rounds by default)
#
# builds REV's `switchboard` (and `sb_bench_load` when needed) in a detached git worktree of REV
# under the cache dir (CACHE/base-SHA/src, build in CACHE/base-SHA/build; kept and reused while
# REV is the same), and measures it as the server "Switchboard (REV)" in the same rounds as this
# tree's Switchboard, the two next to each other in every round and their order swapped from
# one round to the next (base, new | new, base | …) so that drift of the machine hits both
# alike. REV's binary serves the dataset the current loader wrote when its store sources and
# generator are the same, or when it starts on it (same schema_version) and answers the sample
# queries exactly as this tree's Switchboard does; otherwise REV's own loader writes a second
# dataset (cached too, keyed by REV's sources). The table gets a "Switchboard (REV)" column, a
# "new/base" ratio column and the min–max of the CPU-per-query rounds; the block also gives the
# per-round paired ratio new/base (base and new measured one after the other), whose median is
# the figure least moved by the machine's drift. Hardware counters (instructions per query)
# would be immune to CPU-frequency noise, but this VM has no PMU (perf stat: "<not supported>"),
# so the block records whether they were available and CPU time is the metric.
#
# Installs what is missing (knot, nsd, pdns-server, pdns-backend-lmdb, dnsperf; apt-get only
# when a tool is missing), builds sb_bench_load/sb_bench_echo/sb_bench_probe/sb_bench_launch in
# build-bench, makes the dataset (or reuses the one cached for this scale, seed and generator),
# and then, round after round, starts each server on 127.0.0.1 pinned to CPU 0 (nice -10) and
# measures it with dnsperf pinned to CPU 1:
#   * start → every zone answers (from the server's exec, noted by sb_bench_launch, until
#     sb_bench_probe, polling one SOA query per zone over UDP, has every answer);
#   * a warm-up, then UDP queries/s, lost queries and the server's CPU (user+sys of every
#     thread and child process, /proc/PID/stat) ÷ answered queries, and the system time's part
#     of it (the kernel's UDP path, which every server pays per datagram);
#   * TCP queries/s (dnsperf -m tcp);
#   * average and 99th-percentile latency at a fixed 10,000 queries/s (dnsperf -v);
#   * resident memory after the run (PSS summed over the server's processes, and VmHWM).
# The echo responder (sb_bench_echo) measured the same way is the load generator's ceiling.
# Before measuring, a sample of the query file is asked of every server with dig and the
# answers (rcode + answer RRsets, TTLs included) are compared with Knot's.
# Prints the table with the ratios Switchboard/peer and appends it, with versions, dataset
# and commands, to bench/RESULTS.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build-bench"
. "$ROOT/bench/servers.sh" # free_port, peer_cmd, tree, cpu_ticks

MODE=full DOMAINS=100 NUMBERS=1000000 QUERIES=1000000 SECONDS_RUN=20 WARMUP=3 RUNS=3 SEED=1
TCP_SECONDS="" LAT_SECONDS="" LAT_QPS=10000 QUIET_WAIT=15 ATTEMPTS=2
SERVERS="switchboard knot nsd pdns"
BINARY="${SB_BINARY:-}"
CACHE="${BENCH_CACHE:-/var/tmp/switchboard-bench}"
FRESH=0 RECORD=1 PREPARE=0 SHAPE=hosted TSV=
BASE_REV="" BASE_BINARY="" RUNS_SET=0
ORIG_ARGS="$*"

while [ $# -gt 0 ]; do
    case "$1" in
    --quick) MODE=quick DOMAINS=10 NUMBERS=50000 QUERIES=200000 SECONDS_RUN=5 WARMUP=1 RUNS=1 QUIET_WAIT=15 ATTEMPTS=3 ;;
    --quiet-wait) QUIET_WAIT="$2"; shift ;;
    --attempts) ATTEMPTS="$2"; shift ;;
    --domains) DOMAINS="$2"; shift ;;
    --numbers) NUMBERS="$2"; shift ;;
    --queries) QUERIES="$2"; shift ;;
    --seconds) SECONDS_RUN="$2"; shift ;;
    --runs) RUNS="$2"; RUNS_SET=1; shift ;;
    --baseline) BASE_REV="$2"; shift ;;
    --baseline-binary) BASE_BINARY="$2"; shift ;;
    --seed) SEED="$2"; shift ;;
    --scale)
        case "$2" in
        100k) NUMBERS=100000 ;; 1m) NUMBERS=1000000 ;; 10m) NUMBERS=10000000 ;;
        *) echo "run.sh: --scale 100k, 1m or 10m, not $2" >&2; exit 2 ;;
        esac
        shift ;;
    --shape)
        case "$2" in hosted | ranges50k) SHAPE="$2" ;;
        *) echo "run.sh: --shape hosted or ranges50k, not $2" >&2; exit 2 ;; esac
        shift ;;
    --tsv) TSV="$2"; shift ;;
    --servers) SERVERS="$2"; shift ;;
    --binary) BINARY="$2"; shift ;;
    --cache) CACHE="$2"; shift ;;
    --fresh) FRESH=1 ;;
    --no-record) RECORD=0 ;;
    --prepare) PREPARE=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
BASELINE=0
if [ -n "$BASE_REV" ] || [ -n "$BASE_BINARY" ]; then
    BASELINE=1
    # More rounds: the before/after ratio is the figure, and a median of 5 holds better.
    [ "$RUNS_SET" = 1 ] || RUNS=$([ "$MODE" = quick ] && echo 2 || echo 5)
fi
TCP_SECONDS="${TCP_SECONDS:-$(( SECONDS_RUN > 10 ? 10 : SECONDS_RUN ))}"
LAT_SECONDS="${LAT_SECONDS:-$(( SECONDS_RUN > 5 ? 5 : SECONDS_RUN ))}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup, bounds
WORK="$(mktemp -d /tmp/sb-bench.XXXXXX)"
STARTED=()          # pids of the server wrappers we started (timeout processes)
WATCHDOG=""
cleanup() {
    local rc=$?
    for p in "${STARTED[@]:-}"; do
        [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
    done
    sleep 0.5
    for p in "${STARTED[@]:-}"; do
        [ -n "$p" ] && kill -KILL "$p" 2>/dev/null || true
    done
    if [ -n "$WATCHDOG" ]; then
        kill $(pgrep -P "$WATCHDOG") 2>/dev/null || true
        kill "$WATCHDOG" 2>/dev/null || true
    fi
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'log "stopped by a signal (interrupted, or the watchdog)"; exit 130' INT TERM
# The whole run is bounded: quick 15 min, full 45 min (most of a first full run is the load);
# with a baseline, 30 min more (its build, maybe its dataset) and 3 min per round.
LIMIT=$([ "$MODE" = quick ] && echo 900 || echo 2700)
[ "$BASELINE" = 0 ] || LIMIT=$((LIMIT + 1800 + 180 * RUNS))
# Past a million numbers the load grows with the data: 15 min more per million (10m: 2.5 h).
LOAD_LIMIT=$((1800 + NUMBERS / 1000000 * 900))
LIMIT=$((LIMIT + NUMBERS / 1000000 * 900))
( sleep "$LIMIT"; echo "run.sh: watchdog: time is up" >&2
  kill -TERM $$ ) </dev/null >/dev/null 2>"$WORK/watchdog.log" &
WATCHDOG=$!

# ---------------------------------------------------------------- tools
need_pkgs=()
# The peers only when they are measured.
if [[ " $SERVERS " == *" knot "* ]]; then
    command -v knotd >/dev/null || need_pkgs+=(knot)
    command -v kdig >/dev/null || need_pkgs+=(knot-dnsutils)
fi
[[ " $SERVERS " != *" nsd "* ]] || command -v nsd >/dev/null || need_pkgs+=(nsd)
if [[ " $SERVERS " == *" pdns "* ]]; then
    command -v pdns_server >/dev/null || need_pkgs+=(pdns-server)
    ls /usr/lib/*/pdns/liblmdbbackend.so >/dev/null 2>&1 || need_pkgs+=(pdns-backend-lmdb)
fi
command -v dnsperf >/dev/null || need_pkgs+=(dnsperf)
command -v dig >/dev/null || need_pkgs+=(bind9-dnsutils)
[ -x /usr/bin/time ] || need_pkgs+=(time)
if [ ${#need_pkgs[@]} -gt 0 ]; then
    log "installing ${need_pkgs[*]}"
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get install -y --no-install-recommends "${need_pkgs[@]}" >"$WORK/apt.log" 2>&1 ||
        { timeout 300 apt-get update >>"$WORK/apt.log" 2>&1 &&
          timeout 600 apt-get install -y --no-install-recommends "${need_pkgs[@]}" >>"$WORK/apt.log" 2>&1; } ||
        die "apt-get install ${need_pkgs[*]} failed: $(tail -3 "$WORK/apt.log")"
fi
# Debian's packages may start their daemons on install; we start our own instances only.

# A compiler cache, when the machine has one, makes the rebuilds (and REV's build) cheap.
LAUNCHER=""
command -v ccache >/dev/null && LAUNCHER="-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache"
log "building the bench tools in $BUILD"
if [ ! -f "$BUILD/CMakeCache.txt" ]; then
    timeout 300 cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo $LAUNCHER >"$WORK/cmake.log" 2>&1 ||
        die "cmake failed: $(tail -5 "$WORK/cmake.log")"
fi
timeout 1200 cmake --build "$BUILD" --target sb_bench_load sb_bench_echo sb_bench_probe sb_bench_launch -j2 \
    >"$WORK/build.log" 2>&1 || die "build failed: $(grep -m5 -E 'error' "$WORK/build.log")"
LOADER="$BUILD/bench/sb_bench_load" ECHO="$BUILD/bench/sb_bench_echo" PROBE="$BUILD/bench/sb_bench_probe"
LAUNCH="$BUILD/bench/sb_bench_launch"

if [ -z "$BINARY" ]; then
    BINARY="$ROOT/build-lead/app/switchboard"
    if [ ! -x "$BINARY" ]; then
        log "no $BINARY: building target switchboard in $BUILD"
        timeout 1800 cmake --build "$BUILD" --target switchboard -j2 >>"$WORK/build.log" 2>&1 ||
            die "building switchboard failed"
        BINARY="$BUILD/app/switchboard"
    fi
fi
[ -x "$BINARY" ] || die "no switchboard binary at $BINARY"

# ---------------------------------------------------------------- the baseline (before/after)
# REV's switchboard, built in a detached worktree of REV under the cache dir (reused while REV is
# the same; `git worktree prune` forgets it once the cache dir is removed).
BASE_SHA="" BASE_SRC="" BASE_BUILD="" BASE_LABEL=""
if [ "$BASELINE" = 1 ]; then
    mkdir -p "$CACHE"
    if [ -n "$BASE_REV" ]; then
        BASE_SHA="$(git -C "$ROOT" rev-parse --verify "$BASE_REV^{commit}" 2>/dev/null)" ||
            die "--baseline $BASE_REV: no such commit in $ROOT"
        BASE_LABEL="${BASE_SHA:0:7}"
        BASE_SRC="$CACHE/base-${BASE_SHA:0:12}/src" BASE_BUILD="$CACHE/base-${BASE_SHA:0:12}/build"
        if [ "$(git -C "$BASE_SRC" rev-parse HEAD 2>/dev/null || true)" != "$BASE_SHA" ]; then
            rm -rf "$BASE_SRC"
            git -C "$ROOT" worktree prune
            log "checking out $BASE_LABEL into $BASE_SRC"
            git -C "$ROOT" worktree add --detach "$BASE_SRC" "$BASE_SHA" >"$WORK/worktree.log" 2>&1 ||
                die "git worktree add $BASE_SHA failed: $(tail -2 "$WORK/worktree.log")"
        fi
        if [ ! -f "$BASE_BUILD/CMakeCache.txt" ]; then
            timeout 300 cmake -S "$BASE_SRC" -B "$BASE_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo $LAUNCHER \
                >"$WORK/cmake.base.log" 2>&1 || die "cmake of $BASE_LABEL failed: $(tail -5 "$WORK/cmake.base.log")"
        fi
        if [ -z "$BASE_BINARY" ]; then
            log "building switchboard of $BASE_LABEL in $BASE_BUILD"
            timeout 2400 cmake --build "$BASE_BUILD" --target switchboard -j2 >"$WORK/build.base.log" 2>&1 ||
                die "building switchboard of $BASE_LABEL failed: $(grep -m5 -E 'error' "$WORK/build.base.log")"
            BASE_BINARY="$BASE_BUILD/app/switchboard"
        fi
    else
        BASE_LABEL="$(basename "$(dirname "$(dirname "$BASE_BINARY")")")/$(basename "$BASE_BINARY")"
    fi
    [ -x "$BASE_BINARY" ] || die "no baseline switchboard binary at $BASE_BINARY"
fi

# The servers run the binaries as the package installs them (CPACK_STRIP_FILES), as Knot's and
# NSD's come from Debian: without the debug sections, which a start on a cold page cache would
# otherwise read ahead into (a RelWithDebInfo build is 16 times the size of its code). The
# symbol table stays, for perf.
SERVE_BINARY="$WORK/bin/switchboard" SERVE_BASE_BINARY="$WORK/bin/switchboard.base"
mkdir -p "$WORK/bin"
objcopy --strip-debug "$BINARY" "$SERVE_BINARY" || die "objcopy --strip-debug $BINARY failed"
if [ -n "$BASE_BINARY" ]; then
    objcopy --strip-debug "$BASE_BINARY" "$SERVE_BASE_BINARY" ||
        die "objcopy --strip-debug $BASE_BINARY failed"
fi

# ---------------------------------------------------------------- dataset (cached by scale)
# The key covers what decides the stored bytes: the generator, the store's tables, the compiler
# of DNS nodes and zone marks and the journal's bounds (GEN_FILES, relative to a source tree).
GEN_FILES="bench/load_dataset.cpp store/include/store/store.hpp store/src/store.cpp zones/src/compile.cpp
           zones/src/journal.cpp zones/src/node.cpp zones/src/enum.cpp zones/src/zone_index.cpp"
[ "$SHAPE" = hosted ] || GEN_FILES="bench/gen_ranges50k.py store/include/store/store.hpp store/src/store.cpp
           zones/src/compile.cpp zones/src/journal.cpp zones/src/node.cpp zones/src/zonefile.cpp
           zones/src/zone_index.cpp"
gen_hash() { # source tree → the key of the dataset its loader writes
    (cd "$1" && cat $GEN_FILES 2>/dev/null || true) | sha1sum | cut -c1-10
}
dataset_dir() { # gen hash → the cache dir of this scale's dataset
    if [ "$SHAPE" = hosted ]; then
        echo "$CACHE/d$DOMAINS-n$NUMBERS-q$QUERIES-s$SEED-$1"
    else
        echo "$CACHE/$SHAPE-n$NUMBERS-q$QUERIES-s$SEED-$1"
    fi
}
# ranges50k: the master files from the generator, then each zone through `switchboard zone
# import` (one durable write each), as a new user would load them: no `compact` after.
make_ranges50k() { # dir.tmp switchboard-binary
    local dir=$1 binary=$2 zone file
    timeout "$LOAD_LIMIT" python3 "$ROOT/bench/gen_ranges50k.py" --out "$dir" --numbers "$NUMBERS" \
        --queries "$QUERIES" --seed "$SEED" 2>"$WORK/load.log" ||
        die "gen_ranges50k.py failed: $(tail -3 "$WORK/load.log")"
    local t0
    t0=$(date +%s.%N)
    while read -r zone file; do
        timeout "$LOAD_LIMIT" "$binary" zone import "$file" --data "$dir/switchboard" >>"$WORK/load.log" 2>&1 ||
            die "switchboard zone import $zone failed: $(tail -3 "$WORK/load.log")"
    done <"$dir/zones.list"
    echo "$(echo "$(date +%s.%N) - $t0" | bc)" >"$dir/import_seconds"
}
make_dataset() { # dir loader switchboard-binary: generate (or keep) the cached dataset in dir
    local dir=$1 loader=$2 binary=$3 t0
    if [ "$FRESH" = 1 ]; then rm -rf "$dir"; fi
    [ -f "$dir/.complete" ] && return 0
    rm -rf "$dir" "$dir.tmp"
    log "generating the dataset into $dir with $loader (domains $DOMAINS, numbers $NUMBERS, queries $QUERIES, seed $SEED)"
    t0=$(date +%s.%N)
    if [ "$SHAPE" = ranges50k ]; then
        make_ranges50k "$dir.tmp" "$binary"
    else
        timeout "$LOAD_LIMIT" "$loader" --out "$dir.tmp" --domains "$DOMAINS" --numbers "$NUMBERS" \
            --queries "$QUERIES" --seed "$SEED" 2>"$WORK/load.log" ||
            die "sb_bench_load failed: $(tail -3 "$WORK/load.log")"
        # No `compact` after: the store's writer repacks what the load left sparse by itself
        # (store/README.md "After issue 18").
    fi
    # The generators write absolute paths into the zone lists: point them at the final place.
    sed -i "s#$dir.tmp/#$dir/#g" "$dir.tmp"/nsd-zones.conf "$dir.tmp"/knot-zones.conf "$dir.tmp"/zones.list
    echo "$(echo "$(date +%s.%N) - $t0" | bc)" >"$dir.tmp/load_seconds"
    mv "$dir.tmp" "$dir"
    touch "$dir/.complete"
}
GEN_HASH="$(gen_hash "$ROOT")"
DATA="$(dataset_dir "$GEN_HASH")"
mkdir -p "$CACHE"
make_dataset "$DATA" "$LOADER" "$BINARY"
log "dataset: $(cat "$DATA/dataset.txt")"
BASE_DATA="$DATA" BASE_DATA_NOTE=""

# PowerDNS: the same master files through pdnsutil load-zone into its LMDB backend (cached).
PDNS_OK=0
PDNS_NOTE=""
pdns_conf() { # dir db port
    mkdir -p "$1"
    cat >"$1/pdns.conf" <<EOF
launch=lmdb
lmdb-filename=$2/pdns.lmdb
lmdb-sync-mode=nosync
local-address=127.0.0.1
local-port=$3
guardian=no
daemon=no
disable-syslog=yes
socket-dir=$1
write-pid=no
receiver-threads=1
distributor-threads=1
loglevel=3
webserver=no
api=no
EOF
}
if [[ " $SERVERS " == *" pdns "* ]]; then
    PDB="$DATA/pdns"
    if [ ! -f "$PDB/.complete" ]; then
        rm -rf "$PDB"
        mkdir -p "$PDB"
        pdns_conf "$WORK/pdnsload" "$PDB" 5399
        log "loading the master files into PowerDNS LMDB (pdnsutil load-zone)"
        T0=$(date +%s.%N)
        ok=1
        while read -r zone file; do
            timeout 600 pdnsutil --config-dir="$WORK/pdnsload" load-zone "$zone" "$file" \
                >>"$WORK/pdnsutil.log" 2>&1 || { ok=0; break; }
        done <"$DATA/zones.list"
        if [ $ok = 1 ]; then
            echo "$(echo "$(date +%s.%N) - $T0" | bc)" >"$PDB/load_seconds"
            touch "$PDB/.complete"
        else
            PDNS_NOTE="pdnsutil load-zone failed: $(tail -2 "$WORK/pdnsutil.log" | tr '\n' ' ')"
        fi
    fi
    [ -f "$PDB/.complete" ] && PDNS_OK=1
    if [ $PDNS_OK = 0 ]; then
        log "PowerDNS left out: $PDNS_NOTE"
        SERVERS="${SERVERS//pdns/}"
    fi
fi

# ---------------------------------------------------------------- servers
# Below the kernel's ephemeral range (32768-60999 by default), and not held by any socket in any
# state: a port some client connection left in TIME_WAIT cannot be bound without SO_REUSEADDR.
# The command line of each server, written with its config files into $WORK/<name>/.
server_cmd() { # name port
    local name=$1 port=$2 dir="$WORK/$1"
    rm -rf "$dir"; mkdir -p "$dir"
    case "$name" in
    echo) echo "$ECHO 127.0.0.1 $port" ;;
    switchboard | base)
        printf '[dns]\nworkers = 1\n' >"$dir/switchboard.ini"
        if [ "$name" = base ]; then
            echo "$SERVE_BASE_BINARY dns --data $BASE_DATA/switchboard --config $dir/switchboard.ini --dns 127.0.0.1:$port"
        else
            echo "$SERVE_BINARY dns --data $DATA/switchboard --config $dir/switchboard.ini --dns 127.0.0.1:$port"
        fi ;;
    knot | nsd) peer_cmd "$name" "$dir" "$port" "$DATA" ;;
    pdns)
        pdns_conf "$dir" "$DATA/pdns" "$port"
        echo "pdns_server --config-dir=$dir" ;;
    esac
}

data_of() { # name → the dataset the server answers from (the baseline may have its own)
    if [ "$1" = base ]; then echo "$BASE_DATA"; else echo "$DATA"; fi
}

SERVER_PID="" SERVER_WRAPPER=""
start_server() { # name port → sets SERVER_PID, START_TIME (s), or returns 1
    local name=$1 port=$2 cmd out
    cmd="$(server_cmd "$name" "$port")"
    echo "$cmd" >"$WORK/$name.cmd"
    # timeout bounds the server's life even if this script is killed without its trap;
    # sb_bench_launch pins it to CPU 0 at nice -10 and notes the time as it execs the server,
    # from which the start figure counts.
    rm -f "$WORK/launched"
    timeout -s KILL 1800 "$LAUNCH" 0 -10 "$WORK/launched" $cmd >"$WORK/$name.out" 2>&1 &
    SERVER_WRAPPER=$!
    STARTED+=("$SERVER_WRAPPER")
    # The probe polls until every zone answers. It starts with the server, not after the pid
    # search below: a pgrep costs several ms on a small VM, which the start figure would count.
    local probe=""
    if [ "$name" != echo ]; then
        taskset -c 1 "$PROBE" "$port" "$(data_of "$name")/probe.txt" "$WORK/launched" 120 >"$WORK/probe.out" 2>&1 &
        probe=$!
    fi
    SERVER_PID=""
    for _ in $(seq 200); do
        SERVER_PID="$(pgrep -P "$SERVER_WRAPPER" | awk "NR == 1" || true)"
        [ -n "$SERVER_PID" ] && break
        sleep 0.005
    done
    if [ -z "$SERVER_PID" ]; then
        [ -z "$probe" ] || { kill "$probe" 2>/dev/null || true; wait "$probe" 2>/dev/null || true; }
        log "$name did not start: $(tail -3 "$WORK/$name.out")"
        return 1
    fi
    if [ "$name" = echo ]; then
        START_TIME="-"
        sleep 0.2
        return 0
    fi
    # A server that exits meanwhile fails at once.
    while kill -0 "$probe" 2>/dev/null; do
        if ! kill -0 "$SERVER_PID" 2>/dev/null; then
            kill "$probe" 2>/dev/null || true
            wait "$probe" 2>/dev/null || true
            log "$name exited: $(tail -3 "$WORK/$name.out")"
            return 1
        fi
        sleep 0.05
    done
    out="$(cat "$WORK/probe.out")"
    if ! wait "$probe"; then
        log "$name never answered every zone: $out; $(tail -3 "$WORK/$name.out")"
        return 1
    fi
    START_TIME="$(echo "$out" | awk '{print $4}')"
}

stop_server() {
    [ -n "$SERVER_WRAPPER" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.05
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_WRAPPER" 2>/dev/null || true
    SERVER_WRAPPER="" SERVER_PID=""
}

memory() { # "PSS_MB HWM_MB" summed over the tree
    local pss=0 hwm=0 p v
    for p in $(tree "$1"); do
        v="$(awk '/^Pss:/ {print $2}' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)"
        pss=$((pss + ${v:-0}))
        v="$(awk '/^VmHWM:/ {print $2}' /proc/"$p"/status 2>/dev/null || echo 0)"
        hwm=$((hwm + ${v:-0}))
    done
    echo "$((pss / 1024)) $((hwm / 1024))"
}

# Other engineers' builds and tests share this machine: before each server's measurements,
# wait (at most QUIET_WAIT seconds) until the two CPUs are less than 25% busy over a second.
wait_quiet() {
    local end=$((SECONDS + QUIET_WAIT)) a b
    while [ $SECONDS -lt $end ]; do
        a="$(cpu_busy)"; sleep 1; b="$(cpu_busy)"
        if echo "$a $b" | awk -v hz="$(getconf CLK_TCK)" '{ exit !(($3 - $1 + $4 - $2) / hz < 0.5) }'; then
            return 0
        fi
    done
    log "the machine stayed busy for ${QUIET_WAIT} s (others' work): measuring anyway"
}
cpu_busy() { # busy ticks (user nice system irq softirq steal) of CPU 0 and CPU 1
    awk '$1 == "cpu0" || $1 == "cpu1" { printf "%d ", $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat
}
QUERY_FILE="$DATA/queries.txt" # the measured server's (measure() sets it)
DNSPERF() { # port, extra args…: dnsperf on CPU 1, bounded
    local port=$1; shift
    if [ -n "${DNSPERF_TIMES:-}" ]; then # dnsperf's own user and system CPU seconds
        timeout 300 nice -n -10 taskset -c 1 /usr/bin/time -o "$DNSPERF_TIMES" -f '%U %S' \
            dnsperf -s 127.0.0.1 -p "$port" -d "$QUERY_FILE" "$@"
    else
        timeout 300 nice -n -10 taskset -c 1 dnsperf -s 127.0.0.1 -p "$port" -d "$QUERY_FILE" "$@"
    fi
}
field() { # file, label → the first number after the label in dnsperf's statistics
    awk -v l="$2" 'index($0, l) { sub(".*" l "[ \t]*", ""); print $1; exit }' "$1"
}

# ---------------------------------------------------------------- answers must match
# Each server is asked the sample queries (DATA/check.txt) with dig; rcode, AA and the answer
# section (names, TTLs, rdata; sorted) must equal Knot's. NSD's extra NS/glue sections are
# not compared (peer-baseline.md).
answers() { # port file → normalised answers, one line per query
    local qname qtype out head body
    while read -r qname qtype; do
        out="$(dig @127.0.0.1 -p "$1" +norec +tries=2 +time=2 +noall +comments +answer "$qname" "$qtype")"
        head="$(echo "$out" | awk '
            /->>HEADER<<-/ { match($0, /status: [A-Z]+/); st = substr($0, RSTART + 8, RLENGTH - 8) }
            /^;; flags:/ { aa = ($0 ~ / aa[ ;]/) ? "aa" : "no-aa" }
            END { print st, aa }')"
        body="$(echo "$out" | awk '/^[^;]/ && NF >= 4 { $1 = tolower($1); print }' | sort | tr '\n' '|')"
        echo "$qname $qtype $head | $body"
    done <"$2"
}

declare -A CHECK
check_answers() {
    local name port ref mism
    log "comparing answers to $(wc -l <"$DATA/check.txt") sample queries"
    for name in $SERVERS; do
        port=$(free_port)
        start_server "$name" "$port" || { CHECK[$name]="did not start"; stop_server; continue; }
        answers "$port" "$(data_of "$name")/check.txt" >"$WORK/answers.$name"
        stop_server
    done
    ref="$WORK/answers.knot"
    [ -f "$ref" ] || ref="$WORK/answers.switchboard"
    [ -f "$ref" ] || ref="$WORK/answers.$(echo $SERVERS | awk '{print $1}')"
    for name in $SERVERS; do
        [ -f "$WORK/answers.$name" ] || continue
        mism=$(diff "$ref" "$WORK/answers.$name" | grep -c '^>' || true)
        CHECK[$name]="$mism of $(wc -l <"$ref") differ from $(basename "$ref" | sed 's/answers\.//')"
        if [ "$mism" != 0 ]; then
            diff "$ref" "$WORK/answers.$name" | awk "NR <= 6" | sed "s/^/    $name: /" >&2
            cp "$WORK/answers.$name" "$CACHE/answers.$name.last" 2>/dev/null || true
        fi
        log "answers of $name: ${CHECK[$name]}"
    done
}

# ---------------------------------------------------------------- measure
declare -A M   # M[name,metric,run]
measure() { # name run
    local name=$1 run=$2 port c0 c1 k0 k1 answered out
    port=$(free_port)
    QUERY_FILE="$(data_of "$name")/queries.txt"
    wait_quiet
    if ! start_server "$name" "$port"; then
        stop_server
        port=$(free_port) # once more, on another port (one may be taken meanwhile)
        start_server "$name" "$port" || { stop_server; return 1; }
    fi
    M[$name,start,$run]=$START_TIME
    DNSPERF "$port" -c 16 -q 200 -l "$WARMUP" >/dev/null 2>&1 || true
    # The UDP run is repeated (up to ATTEMPTS times in all) when other processes took more than 20% of
    # either CPU meanwhile: the CPU-per-query figure is only worth something on idle CPUs.
    local attempt
    for attempt in $(seq "$ATTEMPTS"); do
        out="$WORK/$name.udp.$run"
        read -r c0 k0 < <(cpu_ticks "$SERVER_PID")
        s0="$(cpu_busy) $(date +%s.%N)"
        DNSPERF_TIMES="$WORK/dnsperf.times" DNSPERF "$port" -c 16 -q 200 -l "$SECONDS_RUN" >"$out" 2>&1 || true
        t="$(cat "$WORK/dnsperf.times" 2>/dev/null || echo 0 0)"
        s1="$(cpu_busy) $(date +%s.%N)"
        read -r c1 k1 < <(cpu_ticks "$SERVER_PID")
        # What else ran on the two CPUs meanwhile (other builds and tests on a shared machine):
        # busy time of CPU 0 that was not the server's and of CPU 1 that was not dnsperf's, in %.
        read -r M[$name,other0,$run] M[$name,other1,$run] M[$name,perfus,$run] < <(
            echo "$s0 $s1 $c0 $c1 $t" | awk -v hz="$(getconf CLK_TCK)" '{
                wall = $6 - $3; server = ($8 - $7) / hz; perf = $9 + $10
                o0 = (($4 - $1) / hz - server) / wall * 100; o1 = (($5 - $2) / hz - perf) / wall * 100
                printf "%.0f %.0f %.3f\n", (o0 < 0 ? 0 : o0), (o1 < 0 ? 0 : o1), perf }')
        echo "cpu: $s0 $s1 $c0 $c1 $t" >>"$WORK/cpu.log"
        answered=$(field "$out" "Queries completed:")
        M[$name,udp,$run]=$(field "$out" "Queries per second:")
        M[$name,lost,$run]=$(field "$out" "Queries lost:")
        M[$name,sent,$run]=$(field "$out" "Queries sent:")
        M[$name,rcodes,$run]="$(grep 'Response codes:' "$out" | sed 's/.*codes: *//' || true)"
        M[$name,perfus,$run]=$(echo "scale=2; ${M[$name,perfus,$run]} * 1000000 / ${answered:-1}" | bc)
        M[$name,cpu,$run]=$(echo "scale=2; ($c1 - $c0) * 1000000 / $(getconf CLK_TCK) / ${answered:-1}" | bc)
        M[$name,cpusys,$run]=$(echo "scale=2; ($k1 - $k0) * 1000000 / $(getconf CLK_TCK) / ${answered:-1}" | bc)
        if [ "${M[$name,other0,$run]}" -le 20 ] && [ "${M[$name,other1,$run]}" -le 20 ]; then
            break
        fi
        [ "$attempt" -lt "$ATTEMPTS" ] || break
        log "$name run $run: others took ${M[$name,other0,$run]}%/${M[$name,other1,$run]}% of CPU 0/1, measuring UDP again"
        wait_quiet
        DNSPERF "$port" -c 16 -q 200 -l 1 >/dev/null 2>&1 || true
    done
    if [ "$name" != echo ]; then
        out="$WORK/$name.tcp.$run"
        DNSPERF "$port" -m tcp -c 16 -q 200 -l "$TCP_SECONDS" >"$out" 2>&1 || true
        M[$name,tcp,$run]=$(field "$out" "Queries per second:")
        M[$name,tcplost,$run]=$(field "$out" "Queries lost:")
        out="$WORK/$name.lat.$run"
        DNSPERF "$port" -c 16 -q 200 -Q "$LAT_QPS" -l "$LAT_SECONDS" -v >"$out" 2>&1 || true
        read -r M[$name,latavg,$run] M[$name,latp99,$run] < <(
            awk '/^> / { print $NF * 1000 }' "$out" | sort -g |
                awk '{ v[NR] = $1; s += $1 } END { if (NR == 0) { print "- -"; exit }
                       i = int(NR * 0.99); if (i < 1) i = 1; printf "%.3f %.3f\n", s / NR, v[i] }')
        read -r M[$name,pss,$run] M[$name,hwm,$run] < <(memory "$SERVER_PID")
    fi
    stop_server
    log "$name run $run: udp ${M[$name,udp,$run]} q/s, ${M[$name,cpu,$run]} us/q, lost ${M[$name,lost,$run]}, tcp ${M[$name,tcp,$run]:-} q/s, start ${M[$name,start,$run]} s, lat ${M[$name,latavg,$run]:-}/${M[$name,latp99,$run]:-} ms, pss ${M[$name,pss,$run]:-} MB; dnsperf ${M[$name,perfus,$run]} us/q; others on CPU0/CPU1 ${M[$name,other0,$run]}%/${M[$name,other1,$run]}%"
}

median() { # values… (skips empty and "-")
    printf '%s\n' "$@" | grep -E '^[0-9.]+$' | sort -g |
        awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2];
                                  else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
med() { # name metric
    local vals=() r
    for r in $(seq "$RUNS"); do vals+=("${M[$1,$2,$r]:-}"); done
    median "${vals[@]}"
}

# ---------------------------------------------------------------- the baseline's dataset
# REV's binary answers from the dataset the current loader wrote when REV would write the same
# bytes (same GEN_FILES), or when it starts on it and answers the sample queries exactly as this
# tree's Switchboard does; otherwise REV's own loader writes its dataset (same scale and seed).
schema_of() { # source tree → its store schema_version
    sed -n 's/.*constexpr std::uint32_t schema_version = \([0-9]*\).*/\1/p' \
        "$1/store/include/store/store.hpp" 2>/dev/null | head -1
}
choose_base_data() {
    local base_hash="" why="" port n diffs
    if [ -n "$BASE_SRC" ]; then base_hash="$(gen_hash "$BASE_SRC" 2>/dev/null || true)"; fi
    if [ "$base_hash" = "$GEN_HASH" ]; then
        BASE_DATA_NOTE="the same dataset ($BASE_LABEL's generator, store and node compiler are this tree's)"
        return 0
    fi
    if [ -n "$BASE_SRC" ] && [ "$(schema_of "$BASE_SRC")" != "$(schema_of "$ROOT")" ]; then
        why="store schema_version $(schema_of "$BASE_SRC") there, $(schema_of "$ROOT") here"
    else
        n=$(wc -l <"$DATA/check.txt")
        log "does $BASE_LABEL serve the current dataset? comparing its answers to $n sample queries with this tree's"
        for name in switchboard base; do
            port=$(free_port)
            if start_server "$name" "$port"; then
                answers "$port" "$DATA/check.txt" >"$WORK/compat.$name"
            else
                : >"$WORK/compat.$name"
            fi
            stop_server
        done
        if [ ! -s "$WORK/compat.base" ]; then
            why="it did not start on it: $(tail -1 "$WORK/base.out" 2>/dev/null)"
        else
            diffs=$(diff "$WORK/compat.switchboard" "$WORK/compat.base" | grep -c '^>' || true)
            if [ "$diffs" = 0 ]; then
                BASE_DATA_NOTE="the same dataset: $BASE_LABEL (store schema_version $(schema_of "${BASE_SRC:-$ROOT}")) serves the current loader's store and answers the $n sample queries exactly as this tree's Switchboard"
                return 0
            fi
            why="$diffs of $n sample answers differ from this tree's on it"
        fi
    fi
    [ -n "$BASE_SRC" ] || die "$BASE_BINARY cannot serve this tree's dataset ($why): pass --baseline REV too, to load REV's own"
    log "$BASE_LABEL gets its own dataset: $why"
    timeout 2400 cmake --build "$BASE_BUILD" --target sb_bench_load -j2 >>"$WORK/build.base.log" 2>&1 ||
        die "building sb_bench_load of $BASE_LABEL failed: $(grep -m5 -E 'error' "$WORK/build.base.log")"
    BASE_DATA="$(dataset_dir "$base_hash")"
    make_dataset "$BASE_DATA" "$BASE_BUILD/bench/sb_bench_load" "$BASE_BINARY"
    BASE_DATA_NOTE="its own dataset ($why), written by its own sb_bench_load with the same scale and seed into \`$(basename "$BASE_DATA")\`"
}
if [ "$BASELINE" = 1 ]; then
    [[ " $SERVERS " == *" switchboard "* ]] || die "--baseline compares with this tree's switchboard: keep it in --servers"
    choose_base_data
    log "baseline $BASE_LABEL: $BASE_DATA_NOTE"
    SERVERS="${SERVERS/switchboard/base switchboard}"
fi

if [ "$PREPARE" = 1 ]; then
    log "prepared $DATA$([ "$BASE_DATA" = "$DATA" ] || echo " and $BASE_DATA")"
    exit 0
fi

LOADAVG="$(cut -d' ' -f1-3 /proc/loadavg)"
check_answers
ALL="echo $SERVERS"
log "measuring $RUNS round(s) of: $ALL"
for run in $(seq "$RUNS"); do
    order="$ALL"
    # Base and new next to each other, their order swapped every other round (ABBA): a drift of
    # the machine during the run then weighs on both alike.
    if [ "$BASELINE" = 1 ] && [ $((run % 2)) = 0 ]; then
        order="${order/base switchboard/switchboard base}"
    fi
    for name in $order; do
        measure "$name" "$run" || log "$name run $run failed"
    done
done
LOADAVG_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- report
label() { case "$1" in echo) echo "echo responder" ;;
          switchboard) if [ "$BASELINE" = 1 ]; then echo "Switchboard (new)"; else echo Switchboard; fi ;;
          base) echo "Switchboard ($BASE_LABEL)" ;;
          knot) echo Knot ;; nsd) echo NSD ;; pdns) echo "PowerDNS LMDB" ;; esac; }
fmt() { # number → rounded for the table (thousands separated)
    case "$1" in
    - | "") echo "–" ;;
    *[!0-9]*) echo "$1" | awk '{ v = $1 + 0
           if (v >= 1000) { s = sprintf("%.0f", v); o = ""
                            while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
                            print s o }
           else if (v >= 100) printf "%.0f\n", v; else if (v >= 10) printf "%.1f\n", v
           else if (v >= 0.1) printf "%.2f\n", v; else printf "%.3f\n", v }' ;;
    *) echo "$1" | awk '{ s = $1; o = ""
           while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
           print s o }' ;;
    esac
}
ratio() { # sb peer → sb/peer
    if [[ "$1" =~ ^[0-9.]+$ && "$2" =~ ^[0-9.]+$ ]] && [ "$(echo "$2 > 0" | bc)" = 1 ]; then
        echo "scale=3; $1 / $2" | bc | awk '{ printf "%.2f×", $1 }'
    else echo "–"; fi
}
PEERS=""
for n in $SERVERS; do [ "$n" != switchboard ] && [ "$n" != base ] && PEERS="$PEERS $n"; done
RATIOS="$PEERS"                      # ratio columns: Switchboard/peer, and new/base first
[ "$BASELINE" = 0 ] || RATIOS="base$RATIOS"
ratio_label() { if [ "$1" = base ]; then echo "new/base"; else echo "Switchboard/$(label "$1")"; fi; }
spread() { # name metric → "min–max" over the rounds
    local vals=() r
    for r in $(seq "$RUNS"); do vals+=("${M[$1,$2,$r]:-}"); done
    printf '%s\n' "${vals[@]}" | grep -E '^[0-9.]+$' | sort -g | sed -n '1p;$p' | paste -sd' ' |
        while read -r lo hi; do echo "$(fmt "$lo")–$(fmt "${hi:-$lo}")"; done
}
ROWS=(
    "udp|UDP queries/s (median)"
    "cpu|server µs per answered query (UDP)"
    "cpuspread|server µs per answered query, min–max of the rounds"
    "cpusys|of which in the kernel (system time)"
    "lost|lost queries (UDP run)"
    "tcp|TCP queries/s (\`-m tcp\`)"
    "latavg|avg latency at $LAT_QPS q/s (ms)"
    "latp99|99th percentile latency at $LAT_QPS q/s (ms)"
    "start|start → every zone answers (s)"
    "pss|resident memory after the run, PSS (MB)"
    "hwm|peak resident memory, VmHWM (MB)"
    "disk|data on disk (MB: LMDB for Switchboard/PowerDNS, master files for Knot/NSD)"
)
for r in $(seq "$RUNS"); do
    M[switchboard,disk,$r]=$(du -sm "$DATA/switchboard" | cut -f1)
    M[base,disk,$r]=$(du -sm "$BASE_DATA/switchboard" | cut -f1)
    M[knot,disk,$r]=$(du -sm "$DATA/zones" | cut -f1)
    M[nsd,disk,$r]=${M[knot,disk,$r]}
    [ -d "$DATA/pdns" ] && M[pdns,disk,$r]=$(du -sm "$DATA/pdns" | cut -f1)
done
TABLE="$WORK/table.md"
{
    printf '|'; printf ' |'
    for n in $ALL; do printf ' %s |' "$(label "$n")"; done
    for p in $RATIOS; do printf ' %s |' "$(ratio_label "$p")"; done
    printf '\n|---|'
    for _ in $ALL $RATIOS; do printf -- '---|'; done
    printf '\n'
    for row in "${ROWS[@]}"; do
        key="${row%%|*}"
        printf '| %s |' "${row#*|}"
        for n in $ALL; do
            if [ "$n" = echo ] && [[ "$key" != udp && "$key" != cpu* && "$key" != lost ]]; then
                printf ' – |'
            elif [ "$key" = cpuspread ]; then printf ' %s |' "$(spread "$n" cpu)"
            else printf ' %s |' "$(fmt "$(med "$n" "$key")")"; fi
        done
        for p in $RATIOS; do
            if [[ " $SERVERS " == *" switchboard "* && "$key" != lost && "$key" != cpuspread ]]; then
                printf ' %s |' "$(ratio "$(med switchboard "$key")" "$(med "$p" "$key")")"
            else printf ' – |'; fi
        done
        printf '\n'
    done
} >"$TABLE"

if [ -n "$TSV" ]; then # the medians, for bench/scales.sh
    {
        for n in $ALL; do
            for row in "${ROWS[@]}"; do
                key="${row%%|*}"
                [ "$key" = cpuspread ] || printf '%s\t%s\t%s\n' "$n" "$key" "$(med "$n" "$key")"
            done
        done
        printf 'switchboard\tload\t%s\n' "$(cat "$DATA/import_seconds" 2>/dev/null || cat "$DATA/load_seconds" 2>/dev/null || echo -)"
        printf 'dataset\tmaster_mb\t%s\n' "$(du -sm "$DATA/zones" | cut -f1)"
    } >"$TSV"
fi

DETAILS="$WORK/details.md"
{
    echo "Per run: UDP queries/s / server µs per query / dnsperf's own µs per query / CPU busy with"
    echo "other processes during the UDP run (CPU 0 %, CPU 1 %); response codes of the last UDP run;"
    echo "answer check:"
    echo
    for n in $ALL; do
        runs=""
        for r in $(seq "$RUNS"); do
            runs="$runs${runs:+;} $(fmt "${M[$n,udp,$r]:-}") / $(fmt "${M[$n,cpu,$r]:-}") / $(fmt "${M[$n,perfus,$r]:-}") / ${M[$n,other0,$r]:-–}%, ${M[$n,other1,$r]:-–}%"
        done
        printf -- '- %s:%s; %s' "$(label "$n")" "$runs" "${M[$n,rcodes,$RUNS]:-–}"
        [ "$n" != echo ] && printf '; answers: %s' "${CHECK[$n]:-not checked}"
        printf '\n'
    done
    if [ "$BASELINE" = 1 ]; then
        # Base and new ran one right after the other in each round: their ratio per round
        # cancels what drifted between rounds.
        cpu_r=() udp_r=()
        for r in $(seq "$RUNS"); do
            cpu_r+=("$(echo "${M[switchboard,cpu,$r]:-} ${M[base,cpu,$r]:-}" | awk 'NF == 2 && $2 > 0 { printf "%.3f", $1 / $2 }')")
            udp_r+=("$(echo "${M[switchboard,udp,$r]:-} ${M[base,udp,$r]:-}" | awk 'NF == 2 && $2 > 0 { printf "%.3f", $1 / $2 }')")
        done
        echo
        echo "Paired per round, new/base (the two measured one right after the other):" \
             "server µs per answered query $(printf '%s ' "${cpu_r[@]}" | sed 's/ *$//; s/ /, /g')" \
             "(median **$(median "${cpu_r[@]}" | awk '{ printf "%.3f", $1 }')**); UDP queries/s" \
             "$(printf '%s ' "${udp_r[@]}" | sed 's/ *$//; s/ /, /g') (median $(median "${udp_r[@]}" | awk '{ printf "%.3f", $1 }'))."
    fi
    if [[ " $SERVERS " == *" switchboard "* && -n "${PEERS// /}" ]]; then
        # Every server of a round runs within minutes of the others: the ratio per round cancels
        # the drift between rounds that the ratio of the medians (the table) keeps. "best": the
        # cheaper of Knot and NSD in that round (issue 18's criterion).
        line=""
        for p in $PEERS $([[ "$PEERS" == *knot* || "$PEERS" == *nsd* ]] && echo best); do
            rr=()
            for r in $(seq "$RUNS"); do
                peer="${M[$p,cpu,$r]:-}"
                [ "$p" = best ] && peer="$(printf '%s\n' "${M[knot,cpu,$r]:-}" "${M[nsd,cpu,$r]:-}" |
                    grep -E '^[0-9.]+$' | sort -g | head -1)"
                rr+=("$(echo "${M[switchboard,cpu,$r]:-} $peer" | awk 'NF == 2 && $2 > 0 { printf "%.3f", $1 / $2 }')")
            done
            if [ "$p" = best ]; then name="best of Knot and NSD"; else name="$(label "$p")"; fi
            line="$line${line:+; }$name $(printf '%s ' "${rr[@]}" | sed 's/ *$//; s/ /, /g')"
            line="$line (median **$(median "${rr[@]}" | awk '{ printf "%.3f", $1 }')**)"
        done
        echo
        echo "Per round, Switchboard/peer server µs per answered query (the same round's figures): $line."
    fi
} >"$DETAILS"

echo
cat "$TABLE"
echo
cat "$DETAILS"

if [ "$RECORD" = 1 ]; then
    ver_sb="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    # Uncommitted changes (other than results) make the build differ from the commit it names.
    git -C "$ROOT" diff --quiet HEAD -- . ':!bench/RESULTS.md' 2>/dev/null || ver_sb="$ver_sb + uncommitted changes"
    hw="not available (perf stat: no hardware counters in this VM), so CPU time is the metric"
    if command -v perf >/dev/null && perf stat -x, -e instructions true 2>&1 | grep -q '^[0-9]'; then
        hw="available (perf stat -e instructions) but not used by this script yet"
    fi
    ver_knot="$(knotd --version 2>&1 | awk "NR == 1 { print \$NF }" || true)"
    ver_nsd="$(nsd -v 2>&1 | awk "NR == 1 { print \$NF }" || true)"
    ver_pdns="$(dpkg-query -W -f='${Version}' pdns-server 2>/dev/null || echo '?')"
    ver_perf="$(dnsperf -h 2>&1 | awk '/^Version/ {print $2}' || true)"
    load_s="$(cat "$DATA/load_seconds" 2>/dev/null || echo '?')"
    pdns_s="$(cat "$DATA/pdns/load_seconds" 2>/dev/null || echo '–')"
    {
        echo
        if [ "$BASELINE" = 1 ]; then
            echo "## DNS before/after: Switchboard $ver_sb against $BASE_LABEL$([ -n "$PEERS" ] && echo " (with$(for p in $PEERS; do printf ' %s' "$(label "$p")"; done))")$([ "$MODE" = quick ] && echo " — QUICK RUN, small dataset") ($(date -u '+%Y-%m-%d %H:%M UTC'))"
        elif [ "$MODE" = quick ]; then
            echo "## DNS side by side — QUICK RUN, small dataset, not the issue-7 figures ($(date -u '+%Y-%m-%d %H:%M UTC'))"
        else
            echo "## DNS side by side with Knot, NSD and PowerDNS ($(date -u '+%Y-%m-%d %H:%M UTC'))"
        fi
        echo
        echo "\`bench/run.sh $ORIG_ARGS\` on $(hostname) ($(nproc) cores, $(uname -r)); switchboard $ver_sb" \
             "(\`${BINARY#$ROOT/}\`, served without its debug sections), Knot $ver_knot, NSD $ver_nsd, PowerDNS $ver_pdns (LMDB backend)," \
             "dnsperf $ver_perf."
        echo "Load average before the run: $LOADAVG (other work on the machine adds noise: compare ratios," \
             "and prefer the CPU-per-query row, which counts only the server's own CPU time)."
        if [ "$SHAPE" = ranges50k ]; then
            echo "Dataset: $(cat "$DATA/dataset.txt" | sed 's/\.$//'); loaded into Switchboard with" \
                 "\`switchboard zone import\` (no \`compact\`) in $(cut -d. -f1 "$DATA/import_seconds") s, into PowerDNS with" \
                 "\`pdnsutil load-zone\` in ${pdns_s%.*} s."
        else
            echo "Dataset: $(cat "$DATA/dataset.txt" | sed 's/\.$//'); loaded into Switchboard through" \
                 "DnsService/EnumService (no \`compact\`) in ${load_s%.*} s (generation included), into PowerDNS with" \
                 "\`pdnsutil load-zone\` in ${pdns_s%.*} s."
        fi
        echo "Method: each server alone on 127.0.0.1 pinned to CPU 0, dnsperf on CPU 1, both nice −10;" \
             "servers alternate, $RUNS round(s), medians shown. UDP: \`dnsperf -c 16 -q 200 -l $SECONDS_RUN\`" \
             "after a $WARMUP s warm-up; TCP: \`-m tcp -c 16 -q 200 -l $TCP_SECONDS\`; latency:" \
             "\`-Q $LAT_QPS -l $LAT_SECONDS -v\` (per-query latencies). One worker each: Switchboard" \
             "\`[dns] workers = 1\`, Knot \`udp-workers: 1\`, NSD \`server-count: 1\` (\`rrl-ratelimit: 0\`)," \
             "PowerDNS \`receiver-threads=1 distributor-threads=1\`. CPU = user+sys of all the" \
             "server's threads and processes (/proc/PID/stat) over the UDP run ÷ answered queries;" \
             "the system time's part of it is shown below it (the kernel's UDP path: receiving, sending" \
             "and, on loopback, delivering each answer to dnsperf's socket)." \
             "Start: from the server's exec (\`sb_bench_launch\` pins it, renices it and notes the time)" \
             "until every zone has answered an SOA query." \
             "Ratios are Switchboard/peer (queries/s: higher is better; µs, latency, start, memory: lower)."
        [ -n "$PDNS_NOTE" ] && echo "PowerDNS left out: $PDNS_NOTE"
        if [ "$BASELINE" = 1 ]; then
            echo "Before/after: new = this tree at $ver_sb (\`${BINARY#$ROOT/}\`), base = ${BASE_SHA:-$BASE_BINARY}" \
                 "(\`$(echo "$BASE_BINARY" | sed "s#^$CACHE/#CACHE/#")\`$([ -n "$BASE_SHA" ] && echo ", built RelWithDebInfo from a worktree of that commit"))." \
                 "Base answers from $BASE_DATA_NOTE. In each round the two run one right after the other, in" \
                 "the order base, new in odd rounds and new, base in even ones; new/base < 1 means the new build" \
                 "is cheaper (µs) or slower (queries/s). The machine is shared: other engineers' builds and tests" \
                 "ran during this run (load average $LOADAVG before, $LOADAVG_AFTER after; the per-run CPU 0/1" \
                 "figures below show how much), which is why the paired ratios and medians are the figures." \
                 "Hardware counters (instructions per query): $hw."
        fi
        echo
        cat "$TABLE"
        echo
        cat "$DETAILS"
        echo
        echo "Commands (PORT chosen per start, DATA = the cached dataset dir$([ "$BASE_DATA" != "$DATA" ] && echo ", BASE_DATA = the baseline's"), CONF = the server's"
        echo "config as bench/run.sh writes it in server_cmd()):"
        echo
        if [ "$SHAPE" = ranges50k ]; then
            echo "    bench/gen_ranges50k.py --out DATA --numbers $NUMBERS --queries $QUERIES --seed $SEED"
            echo "    ${BINARY#$ROOT/} zone import DATA/zones/ZONE.zone --data DATA/switchboard   (each zone of DATA/zones.list)"
        else
            echo "    build-bench/bench/sb_bench_load --out DATA --domains $DOMAINS --numbers $NUMBERS --queries $QUERIES --seed $SEED"
        fi
        echo "    pdnsutil --config-dir=CONF load-zone ZONE DATA/zones/ZONE.zone   (each zone of DATA/zones.list)"
        own_data=""
        [ "$BASE_DATA" = "$DATA" ] || own_data="s#$BASE_DATA#BASE_DATA#g;"
        echo "    objcopy --strip-debug ${BINARY#$ROOT/} STRIPPED/switchboard$([ -n "$BASE_BINARY" ] && echo "   (and the baseline's, STRIPPED/switchboard.base)")"
        for n in $ALL; do
            [ -f "$WORK/$n.cmd" ] && echo "    nice -n -10 taskset -c 0 $(sed "s#$WORK/bin/#STRIPPED/#g; $own_data s#$DATA#DATA#g; s#$WORK/$n#CONF#g; s#$ROOT/##g; s#$CACHE/#CACHE/#g" "$WORK/$n.cmd" |
                sed -E 's/127\.0\.0\.1([:@ ])[0-9]+/127.0.0.1\1PORT/g; s/ [0-9]{5}$/ PORT/')"
        done
        echo "    nice -n -10 taskset -c 1 dnsperf -s 127.0.0.1 -p PORT -d DATA/queries.txt -c 16 -q 200 -l $SECONDS_RUN   (and -m tcp; -Q $LAT_QPS -v)"
    } >>"$ROOT/bench/RESULTS.md"
    log "appended to bench/RESULTS.md"
fi
