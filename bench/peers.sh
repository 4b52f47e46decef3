# Sourced by bench/run.sh and bench/pairs.sh: the reference servers as both start them, so that
# a figure of one script and a figure of the other come from the same configuration.
#
#   peer_cmd knot|nsd DIR PORT DATA   writes the server's config into DIR (which exists) for a
#                                      dataset DATA as bench/run.sh caches it (knot-zones.conf,
#                                      nsd-zones.conf) and prints its command line
#
# One worker each, as Switchboard's `[dns] workers = 1`; Knot keeps no journal and checks
# nothing at load (the master files are the bench's own), NSD limits no rate and holds no
# database file.
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
