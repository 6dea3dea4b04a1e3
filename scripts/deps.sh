#!/usr/bin/env bash
# Installs the Debian 12 packages zguard needs, when they are missing.
set -euo pipefail
packages=(build-essential cmake pkg-config file libzmq3-dev cppzmq-dev libsodium-dev libboost-dev
          libtomlplusplus-dev doctest-dev libczmq-dev python3-zmq python3-nacl
          clang-14 libclang-rt-14-dev iproute2 systemd valgrind
          prometheus-node-exporter libcivetweb-dev nats-server libnats-dev openssl
          libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "zguard: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
