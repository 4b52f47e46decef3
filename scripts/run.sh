#!/usr/bin/env bash
# `make run`: starts Switchboard from the build tree with a default config, loads the demo
# dataset into a fresh data dir (an existing one is kept as it is), prints a banner whose
# commands all work as shown, and serves until Ctrl-C. The server's log goes to RUN/switchboard.log.
# usage: scripts/run.sh BUILD RUN DATA DNS SOAP METRICS
set -euo pipefail
build=$1 run=$2 data=$3 dns=$4 soap=$5 metrics=$6
bin=$build/app/switchboard
dns_host=${dns%:*} dns_port=${dns##*:}
config=$run/switchboard.ini
log=$run/switchboard.log
mkdir -p "$run"

if [ ! -e "$config" ]; then
    cat >"$config" <<INI
; Written by \`make run\` on first use; edit freely: switchboard never rewrites it.
; Every key: switchboard.ini(5) (packaging/man/switchboard.ini.5), or \`$bin --help\`.
[dns]
nameservers = ns1.example.com ns2.example.com
[log]
level = info
[metrics]
listen = $metrics
INI
fi
fresh=yes
[ -e "$data/data.mdb" ] && fresh=no

"$bin" serve --data "$data" --config "$config" --dns "$dns" --soap "$soap" >>"$log" 2>&1 &
server=$!
stop() {
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

for _ in $(seq 100); do
    if curl -sf "http://$soap/ngnpro/wsdl" -o /dev/null; then
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        echo "switchboard did not start; its log ($log) ends with:" >&2
        tail -n 5 "$log" >&2
        trap - EXIT
        exit 1
    fi
    sleep 0.1
done
password=$(sed -n 's/^password = //p' "$data/admin.ini")
if [ "$fresh" = yes ]; then
    scripts/demo-data.sh "$soap" admin "$password"
    state="a fresh data dir with the demo dataset (scripts/demo-data.sh)"
else
    state="the existing data dir, kept as it was (rm -rf $run for a fresh one)"
fi
cat >"$run/getZone.xml" <<XML
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/" xmlns:ns5="urn:AGProjects:NGNPro:Dns">
<SOAP-ENV:Header><auth><username>admin</username><password>$password</password></auth></SOAP-ENV:Header>
<SOAP-ENV:Body><ns5:getZone><zone>example.com</zone></ns5:getZone></SOAP-ENV:Body></SOAP-ENV:Envelope>
XML

cat <<MSG

==== Switchboard is running on $state
  DNS      $dns (UDP and TCP)
  SOAP     http://$soap/ngnpro/   (WSDL: http://$soap/ngnpro/wsdl)
  admin    user admin, password in $data/admin.ini
  metrics  http://$metrics/metrics
  config   $config      log  $log

Try:
    dig @$dns_host -p $dns_port example.com SOA
    dig @$dns_host -p $dns_port example.com NAPTR
    dig @$dns_host -p $dns_port _sip._udp.example.com SRV
    dig @$dns_host -p $dns_port 1.0.0.4.3.2.1.0.2.1.3.e164.arpa NAPTR
    curl -s http://$soap/ngnpro/ -H 'SOAPAction: ""' -H 'Content-Type: text/xml' --data @$run/getZone.xml
    curl -s http://$metrics/metrics
    $bin status --data $data
    $bin check --data $data --config $config

Stop with Ctrl-C.
MSG
wait "$server"
