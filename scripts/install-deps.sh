#!/usr/bin/env bash
# Installs the Debian packages Switchboard builds and tests with, only when one is missing.
set -euo pipefail
pkgs=(cmake make g++ pkg-config
      libldns-dev libboost-dev liblmdb-dev lmdb-utils gsoap libgsoap-dev libssl-dev
      catch2 libbenchmark-dev clang clang-format libclang-rt-14-dev zlib1g-dev lmdb-utils openssl curl
      dnsutils knot-dnsutils nsd knot dnsperf python3-zeep python3-requests
      ldnsutils bind9-utils unbound prometheus lintian libsystemd-dev libboost-program-options-dev
      iproute2 php-cli php-soap dpkg-dev fakeroot systemd man-db passwd adduser
      kamailio kamailio-extra-modules kamailio-json-modules kamailio-utils-modules sip-tester
      util-linux mount strace)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
# nsd and knot start system services on install; our tests run their own instances.
for s in nsd knot unbound prometheus kamailio; do
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$s" 2>/dev/null; then
        $SUDO systemctl stop "$s" || true
    fi
done
