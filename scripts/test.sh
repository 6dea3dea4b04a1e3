#!/usr/bin/env bash
# Runs every zguard test: installs what is missing, configures, builds (-j2)
# and runs ctest (unit and interop tests over real sockets, compile-fail
# tests, fuzz corpus replays and a libFuzzer run, reliability tests with
# floods, killed servers and a cut network link, the installed-package
# consumer test). Then the second stage: the same tests built with
# AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer included),
# and the example demo on that build, which must end without a report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset default
cmake --build --preset default -j2
ctest --preset default
echo "== reliability figures (docs/reliability.md)"
grep -h '^FIGURE' build/Testing/Temporary/LastTest.log || true

echo "== stage 2: sanitizers"
cmake --preset sanitize
cmake --build --preset sanitize -j2
ctest --preset sanitize
bash scripts/demo.sh --sanitize
