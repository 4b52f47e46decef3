# Sourced by bench/run.sh and bench/pairs.sh: how both start and measure the servers they
# compare, so that a figure of one script and a figure of the other mean the same thing.
#
#   free_port                          a loopback port no UDP or TCP socket uses
#   peer_cmd knot|nsd DIR PORT DATA    writes the server's config into DIR (which exists) for a
#                                      dataset DATA as bench/run.sh caches it (knot-zones.conf,
#                                      nsd-zones.conf) and prints its command line
#   tree PID                           PID and all its descendants
#   cpu_ticks PID                      "user+sys sys" clock ticks of PID's tree (all threads)
#
# The peers run one worker each, as Switchboard's `[dns] workers = 1`; Knot keeps no journal and
# checks nothing at load (the master files are the bench's own), NSD limits no rate and holds no
# database file.
free_port() {
    local p
    for _ in $(seq 50); do
        p=$((10000 + RANDOM % 22000))
        if ! ss -Hanu "sport = :$p" | grep -q . && ! ss -Hant "sport = :$p" | grep -q .; then
            echo "$p"; return
        fi
    done
    echo "no free port" >&2
    return 1
}

tree() { # pid and all its descendants
    local p
    echo "$1"
    for p in $(pgrep -P "$1" || true); do tree "$p"; done
}

cpu_ticks() { # "user+sys sys" clock ticks of the whole tree (all threads, children)
    local t=0 k=0 p f
    for p in $(tree "$1"); do
        f="$(cat /proc/"$p"/stat 2>/dev/null)" || continue
        f="${f##*) }" # fields from 3 on: utime, stime are fields 14 and 15
        set -- $f
        t=$((t + ${12} + ${13})) k=$((k + ${13}))
    done
    echo "$t $k"
}

peer_cmd() { # name dir port data
    local name=$1 dir=$2 port=$3 data=$4
    case "$name" in
    knot)
        mkdir -p "$dir/db"
        cat >"$dir/knot.conf" <<KNOT
server:
    rundir: "$dir"
    listen: 127.0.0.1@$port
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$dir/db"
log:
  - target: stderr
    any: error
template:
  - id: default
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
include: "$data/knot-zones.conf"
KNOT
        echo "knotd -c $dir/knot.conf" ;;
    nsd)
        cat >"$dir/nsd.conf" <<NSD
server:
    ip-address: 127.0.0.1@$port
    server-count: 1
    do-ip6: no
    username: ""
    chroot: ""
    database: ""
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    pidfile: "$dir/nsd.pid"
    logfile: "$dir/nsd.log"
    verbosity: 0
    rrl-ratelimit: 0
    tcp-count: 200
remote-control:
    control-enable: no
include: "$data/nsd-zones.conf"
NSD
        echo "nsd -d -c $dir/nsd.conf" ;;
    *) echo "peer_cmd: knot or nsd, not $name" >&2; return 2 ;;
    esac
}
