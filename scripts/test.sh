#!/usr/bin/env bash
# Runs every zguard test: installs what is missing, configures, builds (-j2)
# and runs ctest (unit and interop tests over real sockets, compile-fail
# tests, fuzz corpus replays and a libFuzzer run, reliability tests with
# floods, killed servers and a cut network link, the installed-package
# consumer test). Then the second stage: the same tests built with
# AddressSanitizer + UndefinedBehaviorSanitizer (LeakSanitizer included),
# and the example demo on that build, which must end without a report.
#
# The second stage's build starts when the first stage's tests do, at the
# lowest CPU priority (nice 19): it gets only the CPU those tests leave idle
# while they wait on sockets and timers, so they run as they would alone,
# and it is further along when they end. Its output follows theirs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake --preset default
cmake --build --preset default -j2

sanitize_log=$(mktemp)
# Its own process group (setsid), so it can be stopped as a whole. setsid
# also starts a new session, which Linux's autogroup scheduling shares the
# CPU with as an equal of the tests' session, whatever its nice value: the
# session's own nice (/proc/self/autogroup) is set too, where there is one.
setsid nice -n 19 bash -c '{ echo 19 >/proc/self/autogroup; } 2>/dev/null || true
  cmake --preset sanitize && cmake --build --preset sanitize -j2' >"$sanitize_log" 2>&1 &
sanitize_build=$!
trap 'kill -- -$sanitize_build 2>/dev/null || true; rm -f "$sanitize_log"' EXIT

ctest --preset default
echo "== reliability figures (docs/reliability.md)"
grep -h '^FIGURE' build/Testing/Temporary/LastTest.log || true

echo "== stage 2: sanitizers"
build_status=0
wait $sanitize_build || build_status=$?
trap 'rm -f "$sanitize_log"' EXIT  # its process group is gone: nothing to stop
cat "$sanitize_log"
if [ $build_status -ne 0 ]; then
  echo "test.sh: the sanitize build failed (exit $build_status)"; exit $build_status
fi
ctest --preset sanitize
bash scripts/demo.sh --sanitize
