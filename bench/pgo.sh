#!/usr/bin/env bash
# Issue 18: a profile-guided (PGO) build of `switchboard` and a paired comparison with the same
# build without the profile, on bench/run.sh's hosted dataset at a chosen scale.
#
#   bench/pgo.sh [--scale 100k|1m|10m] [--train-seconds 60] [--runs 5] [--seconds 20]
#                [--no-record] [--skip-build]
#
# 1. builds `switchboard` under the source tree, same build type (RelWithDebInfo) and flags:
#    build-pgo-plain (no profile: the baseline) and build-pgo (-DSB_PGO=generate, instrumented,
#    writing its profile into build-pgo-profile/), then, after 2., build-pgo again configured
#    with -DSB_PGO=use (the same dir: GCC finds the profile of each object by its path, and the
#    generated gSOAP sources name their dir; built without the compiler cache, which cannot
#    tell one profile from the next);
# 2. trains the instrumented binary with bench/pgo_train.py: `switchboard serve` on a copy of
#    the dataset's store, the dataset's dnsperf query mix (UDP, then TCP) and meanwhile SOAP
#    clients adding and updating ENUM numbers, for --train-seconds; the dataset is the one
#    bench/run.sh caches for this scale (`run.sh --prepare`, made if missing);
# 3. runs `bench/run.sh --servers switchboard --binary build-pgo/... --baseline-binary
#    build-pgo-plain/...`: the two binaries one after the other in every round, order swapped
#    each round; its block (appended to bench/RESULTS.md unless --no-record) gives server CPU
#    per answered query of each and the per-round paired ratio PGO/plain.
#
# Smoke run (minutes): bench/pgo.sh --scale 100k --train-seconds 20 --runs 2 --seconds 5
# Real run (the coordinator, idle machine): bench/pgo.sh --scale 10m --train-seconds 120
# --skip-build reuses the three builds and the profile (run.sh again only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SCALE=100k TRAIN=60 RUNS=5 SECONDS_RUN=20 RECORD=1 SKIP_BUILD=0
while [ $# -gt 0 ]; do
    case "$1" in
    --scale) SCALE="$2"; shift ;;
    --train-seconds) TRAIN="$2"; shift ;;
    --runs) RUNS="$2"; shift ;;
    --seconds) SECONDS_RUN="$2"; shift ;;
    --no-record) RECORD=0 ;;
    --skip-build) SKIP_BUILD=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "pgo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
case "$SCALE" in 100k | 1m | 10m) ;; *) echo "pgo.sh: --scale 100k, 1m or 10m, not $SCALE" >&2; exit 2 ;; esac

PLAIN="$ROOT/build-pgo-plain" PGO="$ROOT/build-pgo"
PROFILE="$ROOT/build-pgo-profile"
log() { printf '[%s] pgo: %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
LAUNCHER=()
command -v ccache >/dev/null && LAUNCHER=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)

build() { # dir, cmake args…: configure and build the switchboard target
    local dir=$1
    shift
    mkdir -p "$dir"
    cmake -S "$ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >"$dir/pgo-build.log" 2>&1 ||
        { tail -5 "$dir/pgo-build.log" >&2; exit 1; }
    cmake --build "$dir" -j2 --target switchboard >>"$dir/pgo-build.log" 2>&1 ||
        { grep -m5 -E 'error|warning' "$dir/pgo-build.log" >&2; exit 1; }
}

if [ "$SKIP_BUILD" = 0 ]; then
    log "building the plain binary in $PLAIN"
    build "$PLAIN" "${LAUNCHER[@]}"
    log "building the instrumented binary in $PGO"
    build "$PGO" "${LAUNCHER[@]}" -DSB_PGO=generate "-DSB_PGO_DIR=$PROFILE"
fi

log "the dataset at $SCALE (bench/run.sh --prepare)"
PREP_LOG="$(mktemp)"
trap 'rm -f "$PREP_LOG"' EXIT
"$ROOT/bench/run.sh" --prepare --scale "$SCALE" --servers switchboard \
    --binary "$PLAIN/app/switchboard" 2>"$PREP_LOG" || { tail -5 "$PREP_LOG" >&2; exit 1; }
DATA="$(sed -n 's/.*prepared \([^ ]*\).*/\1/p' "$PREP_LOG" | tail -1)"
[ -f "$DATA/switchboard/data.mdb" ] || { echo "pgo.sh: no dataset found ($DATA)" >&2; exit 1; }

if [ "$SKIP_BUILD" = 0 ]; then
    log "training for $TRAIN s on $DATA"
    rm -rf "$PROFILE"
    /usr/bin/python3 "$ROOT/bench/pgo_train.py" --binary "$PGO/app/switchboard" \
        --store "$DATA/switchboard" --queries "$DATA/queries.txt" --seconds "$TRAIN"
    count=$(find "$PROFILE" -name '*.gcda' 2>/dev/null | wc -l)
    [ "$count" -gt 0 ] || { echo "pgo.sh: the training wrote no profile into $PROFILE" >&2; exit 1; }
    log "profile: $count files in $PROFILE; building the optimised binary in $PGO"
    CCACHE_DISABLE=1 build "$PGO" -UCMAKE_CXX_COMPILER_LAUNCHER -UCMAKE_C_COMPILER_LAUNCHER \
        -DSB_PGO=use "-DSB_PGO_DIR=$PROFILE"
fi
grep -q '^SB_PGO:STRING=use$' "$PGO/CMakeCache.txt" ||
    { echo "pgo.sh: $PGO is not the optimised build (run without --skip-build)" >&2; exit 1; }

log "comparing $PGO/app/switchboard (PGO) with $PLAIN/app/switchboard (plain)"
ARGS=(--servers switchboard --scale "$SCALE" --runs "$RUNS" --seconds "$SECONDS_RUN"
      --binary "$PGO/app/switchboard" --baseline-binary "$PLAIN/app/switchboard")
[ "$RECORD" = 1 ] || ARGS+=(--no-record)
"$ROOT/bench/run.sh" "${ARGS[@]}"
