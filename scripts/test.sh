#!/usr/bin/env bash
# Runs every zguard test: installs what is missing, configures, builds (-j2)
# and runs ctest (unit and interop tests over real sockets, compile-fail
# tests, the installed-package consumer test).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset default
cmake --build --preset default -j2
ctest --preset default
