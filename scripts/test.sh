#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this). Two builds, nothing weaker:
#   1. g++ RelWithDebInfo with -Werror: every unit, process, seeded-fuzz and drill test.
#   2. clang with AddressSanitizer + UndefinedBehaviorSanitizer (+ coverage instrumentation): the same
#      suite without the drills, then the libFuzzer targets from the same build for a bounded time.
# ccache (installed by setup.sh) makes rebuilds of unchanged files cheap; a cold build takes longest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc)
stage_start=$SECONDS
stage() { echo "== $* (at $((SECONDS - stage_start)) s)"; }

stage "build (g++, RelWithDebInfo, -Werror)"
bash "$root/scripts/setup.sh" --with-tests --build-dir "$root/build" -- -DPAYOPS_WERROR=ON
log=$(mktemp)
trap 'rm -f "$log"' EXIT
stage "tests (RelWithDebInfo, -Werror)"
ctest --test-dir "$root/build" -j "$jobs" --output-on-failure --timeout 600 | tee -a "$log"

stage "build (clang, AddressSanitizer + UndefinedBehaviorSanitizer, libFuzzer targets)"
CXX=clang++ bash "$root/scripts/setup.sh" --build-dir "$root/build-asan" -- -DPAYOPS_SANITIZE=ON -DPAYOPS_FUZZ=ON
stage "tests under AddressSanitizer + UndefinedBehaviorSanitizer"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  PAYOPS_TEST_SCALE=small ctest --test-dir "$root/build-asan" -j "$jobs" --output-on-failure --timeout 900 | tee -a "$log"

stage "libFuzzer targets, bounded time each, one per core at once"
fuzz_dir=$(mktemp -d)
pids=()
for fuzzer in "$root"/build-asan/tests/*_libfuzzer; do
  name=$(basename "$fuzzer")
  mkdir -p "$fuzz_dir/$name"
  "$fuzzer" -max_total_time=20 -max_len=4096 -print_final_stats=0 "$fuzz_dir/$name" 2>"$fuzz_dir/$name.log" &
  pids+=("$!:$name")
done
for entry in "${pids[@]}"; do
  name=${entry#*:}
  wait "${entry%%:*}" || { tail -50 "$fuzz_dir/$name.log"; echo "fuzzer $name found a crash" >&2; exit 1; }
  echo "fuzz: $name: $(grep -c '^#' "$fuzz_dir/$name.log" || true) status lines, no crash"
done
rm -rf "$fuzz_dir"
stage "done"

# One plain closing line over every stage (each ctest run above already failed the script on a failure).
passed=$(grep -oE 'tests failed out of [0-9]+' "$log" | awk '{s += $NF} END {print s + 0}')
echo "payops suite: $passed passed, 0 failed"
