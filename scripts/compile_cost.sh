#!/usr/bin/env bash
# Compile cost of zguard next to the raw equivalent (docs/benchmarks.md):
#   curve_service: examples/curve_service.cpp against
#                  benchmarks/raw_curve_service.cpp (cppzmq + libsodium);
#   umbrella:      a file that only includes <zguard/zguard.hpp> against one
#                  that only includes what zguard builds on (<zmq.hpp>,
#                  <zmq_addon.hpp>, <sodium.h>);
#   socket_only:   a file that only includes <zguard/socket.hpp>, against the
#                  same raw file;
#   curve_service_separate, umbrella_separate, socket_only_separate: the same zguard files with
#                  ZGUARD_SEPARATE_COMPILATION (the non-template runtime
#                  compiled once per program, not in every file), against
#                  the same raw files;
#   runtime:       that once-per-program file (<zguard/impl/src.hpp>), whose
#                  cost is reported alone (raw: null).
# Each file is compiled (-c, no link) with the flags the build uses, `runs`
# times, alternating; prints the median wall time and peak memory (the
# compiler's maximum resident set, from /usr/bin/time) and zguard / raw.
#
# usage: scripts/compile_cost.sh [--build DIR] [--runs N] [--json]
#   --build DIR  build directory whose flags to use (default: build); flags
#                come from DIR/compile_commands.json when the build exports
#                it, else from the CMake flags.make of the curve_service
#                target, else -std=gnu++20 -O2 -g1 -DNDEBUG -I include plus
#                pkg-config's flags for libzmq and libsodium.
#   --runs N     compilations of each file (default 3); medians are reported.
#   --json       one JSON object per case and measure (JSON Lines).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

build=build runs=3 json=0
while (($#)); do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --json) json=1; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compile_cost.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ "$build" = /* ]] || build="$root/$build"

say() { ((json)) || echo "$@"; }

# --- the compiler and its flags ----------------------------------------------
cxx=c++
if [[ -f "$build/CMakeCache.txt" ]]; then
  cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
  [[ -n "$cxx" ]] || cxx=c++
fi
flags_source=""
flags=""
if [[ -f "$build/compile_commands.json" ]]; then
  flags=$(python3 - "$build/compile_commands.json" "$root/examples/curve_service.cpp" <<'EOF'
import json, shlex, sys
for e in json.load(open(sys.argv[1])):
    if e["file"] == sys.argv[2]:
        args = e.get("arguments") or shlex.split(e["command"])
        out, skip = [], False
        for a in args[1:]:
            if skip: skip = False; continue
            if a in ("-o", "-c", "-MF", "-MT", "-MQ"): skip = a != "-c"; continue
            if a == sys.argv[2] or a in ("-MD", "-MMD"): continue
            out.append(a)
        print(" ".join(shlex.quote(a) for a in out))
        break
EOF
)
  [[ -n "$flags" ]] && flags_source="$build/compile_commands.json"
fi
flags_make="$build/examples/CMakeFiles/curve_service.dir/flags.make"
if [[ -z "$flags" && -f "$flags_make" ]]; then
  get() { sed -n "s/^$1 = //p" "$flags_make"; }
  flags="$(get CXX_DEFINES) $(get CXX_INCLUDES) $(get CXX_FLAGS)"
  flags_source="$flags_make"
fi
if [[ -z "$flags" ]]; then
  flags="-std=gnu++20 -O2 -g1 -DNDEBUG -Wall -Wextra -Wpedantic -Werror -I $root/include $(pkg-config --cflags libzmq libsodium)"
  flags_source="defaults (no configured build in $build)"
fi

# --- the measuring tool ------------------------------------------------------
have_time=0
[[ -x /usr/bin/time ]] && /usr/bin/time -f "%e %M" true 2>/dev/null && have_time=1

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '#include <zguard/zguard.hpp>\n' > "$work/umbrella.cpp"
printf '#include <zguard/socket.hpp>\n' > "$work/socket_only.cpp"
printf '#include <zmq.hpp>\n#include <zmq_addon.hpp>\n#include <sodium.h>\n' > "$work/raw_umbrella.cpp"

printf '#include <zguard/impl/src.hpp>\n' > "$work/runtime.cpp"

# Prints "seconds kilobytes" of one compilation (kilobytes "-" without
# /usr/bin/time); extra flags after the source.
measure() {
  local src=$1 extra=${2:-}
  # shellcheck disable=SC2086  # flags are a word list
  if ((have_time)); then
    /usr/bin/time -f "%e %M" -o "$work/t" $cxx $flags $extra -c "$src" -o "$work/out.o"
    cat "$work/t"
  else
    local t0 t1
    t0=$(date +%s.%N)
    $cxx $flags $extra -c "$src" -o "$work/out.o"
    t1=$(date +%s.%N)
    echo "$(echo "$t1 - $t0" | bc) -"
  fi
}
median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
preprocessed_bytes() {
  # shellcheck disable=SC2086
  $cxx $flags ${2:-} -E "$1" | wc -c
}

declare -A secs mem
separate=-DZGUARD_SEPARATE_COMPILATION
cases=(curve_service umbrella socket_only curve_service_separate umbrella_separate socket_only_separate runtime)
declare -A zsrc=([curve_service]="$root/examples/curve_service.cpp" [umbrella]="$work/umbrella.cpp"
                 [socket_only]="$work/socket_only.cpp"
                 [curve_service_separate]="$root/examples/curve_service.cpp" [umbrella_separate]="$work/umbrella.cpp"
                 [socket_only_separate]="$work/socket_only.cpp" [runtime]="$work/runtime.cpp")
declare -A zflags=([curve_service_separate]=$separate [umbrella_separate]=$separate [socket_only_separate]=$separate
                   [runtime]=$separate)
declare -A rsrc=([curve_service]="$root/benchmarks/raw_curve_service.cpp" [umbrella]="$work/raw_umbrella.cpp"
                 [socket_only]="$work/raw_umbrella.cpp"
                 [curve_service_separate]="$root/benchmarks/raw_curve_service.cpp"
                 [umbrella_separate]="$work/raw_umbrella.cpp" [socket_only_separate]="$work/raw_umbrella.cpp")

say "compile cost: $cxx ($($cxx --version | head -1))"
say "flags ($flags_source): $flags"
say "load before: $(uptime | sed 's/.*load average: //')"
for ((r = 1; r <= runs; ++r)); do
  for c in "${cases[@]}"; do
    for side in raw zguard; do
      # The raw files of the separate cases are those of the others: measured once.
      [[ $side = raw && ( $c = *_separate || $c = runtime ) ]] && continue
      if [[ $side = raw ]]; then src=${rsrc[$c]}; else src=${zsrc[$c]}; fi
      read -r s k < <(measure "$src" "${zflags[$c]:-}")
      secs[$c.$side]+="$s "
      mem[$c.$side]+="$k "
    done
  done
done

med() { tr ' ' '\n' <<<"$1" | grep -v '^$' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b != "null" && b > 0) printf "%.2f", a / b; else print "null" }'; }

if ! ((json)); then
  printf '%-24s %-8s %10s %10s %8s\n' case measure raw zguard ratio
fi
for c in "${cases[@]}"; do
  base=${c%_separate}
  zb=$(preprocessed_bytes "${zsrc[$c]}" "${zflags[$c]:-}")
  if [[ $c = runtime ]]; then rb=null ts_r=null; else
    rb=$(preprocessed_bytes "${rsrc[$c]}")
    ts_r=$(med "${secs[$base.raw]}")
  fi
  ts_z=$(med "${secs[$c.zguard]}")
  if [[ $c = runtime ]]; then
    mb_r=null
    mb_z=$( ((have_time)) && awk -v k="$(med "${mem[$c.zguard]}")" 'BEGIN { printf "%.0f", k / 1024 }' || echo null)
  elif ((have_time)); then
    mb_r=$(awk -v k="$(med "${mem[$base.raw]}")" 'BEGIN { printf "%.0f", k / 1024 }')
    mb_z=$(awk -v k="$(med "${mem[$c.zguard]}")" 'BEGIN { printf "%.0f", k / 1024 }')
  else
    mb_r=null mb_z=null
  fi
  if ((json)); then
    printf '{"name":"compile/%s/time","bytes":%s,"raw":%s,"zguard":%s,"ratio":%s,"unit":"s","raw_bytes":%s,"runs":%s,"compiler":"%s"}\n' \
      "$c" "$zb" "$ts_r" "$ts_z" "$(ratio "$ts_z" "$ts_r")" "$rb" "$runs" "$cxx"
    printf '{"name":"compile/%s/memory","bytes":%s,"raw":%s,"zguard":%s,"ratio":%s,"unit":"MB","raw_bytes":%s,"runs":%s,"compiler":"%s"}\n' \
      "$c" "$zb" "$mb_r" "$mb_z" "$( [[ $mb_r = null || $mb_z = null ]] && echo null || ratio "$mb_z" "$mb_r")" "$rb" "$runs" "$cxx"
  else
    shown() { [[ $1 = null ]] && echo - || echo "$1${2:-}"; }  # runtime: no raw file
    printf '%-24s %-8s %10s %10s %8s\n' "$c" time "$(shown "$ts_r" s)" "${ts_z}s" "$(shown "$(ratio "$ts_z" "$ts_r")")"
    if ((have_time)); then
      printf '%-24s %-8s %10s %10s %8s\n' "$c" memory "$(shown "$mb_r" MB)" "${mb_z}MB" \
        "$(shown "$(ratio "$mb_z" "$mb_r")")"
    else
      printf '%-24s %-8s %10s %10s %8s\n' "$c" memory "n/a" "n/a" "(no /usr/bin/time)"
    fi
    printf '%-24s %-8s %10s %10s %8s\n' "$c" "pp bytes" "$(shown "$rb")" "$zb" "$(shown "$(ratio "$zb" "$rb")")"
  fi
done
say "load after: $(uptime | sed 's/.*load average: //')"
say "runs: $runs per file, medians; raw = curve_service: benchmarks/raw_curve_service.cpp, umbrella and socket_only: <zmq.hpp> + <zmq_addon.hpp> + <sodium.h>"
say "*_separate: with $separate; runtime: <zguard/impl/src.hpp>, compiled once per program (no raw equivalent)"
