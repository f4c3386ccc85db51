#!/usr/bin/env bash
# Debian packages the tests use as real peers: container clients, a reference registry,
# PostgreSQL and rsyslog. Installs only what is missing, so repeated runs cost nothing.
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in skopeo buildah podman runc umoci docker-registry postgresql rsyslog jq openssl curl \
         swift-proxy swift-object swift-container swift-account memcached \
         rpm db5.3-util apache2-utils zstd isal; do
  have "$p" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
