#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls exactly this): installs what is missing, builds
# with -Werror, runs every unit, process and fuzz test; then the same suite under ASan+UBSan; then
# the libFuzzer targets for a bounded time.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=$(nproc)

bash "$root/scripts/setup.sh" --with-tests --build-dir "$root/build" -- -DPAYOPS_WERROR=ON
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "== tests (RelWithDebInfo, -Werror)"
ctest --test-dir "$root/build" -j "$jobs" --output-on-failure --timeout 600 | tee -a "$log"

echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer"
bash "$root/scripts/setup.sh" --build-dir "$root/build-asan" -- -DPAYOPS_WERROR=ON -DPAYOPS_SANITIZE=ON
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  PAYOPS_TEST_SCALE=small ctest --test-dir "$root/build-asan" -j "$jobs" --output-on-failure --timeout 900 | tee -a "$log"

echo "== libFuzzer targets (clang), bounded time each"
CXX=clang++ bash "$root/scripts/setup.sh" --build-dir "$root/build-fuzz" \
  --target csv_reader_libfuzzer --target config_parser_libfuzzer -- -DPAYOPS_FUZZ=ON
for fuzzer in "$root"/build-fuzz/tests/*_libfuzzer; do
  corpus=$(mktemp -d)
  "$fuzzer" -max_total_time=20 -max_len=4096 -print_final_stats=0 "$corpus" 2>"$corpus.log" || {
    tail -50 "$corpus.log"; echo "fuzzer $(basename "$fuzzer") found a crash" >&2; exit 1; }
  echo "fuzz: $(basename "$fuzzer"): $(grep -c '^#' "$corpus.log" || true) status lines, no crash"
  rm -rf "$corpus" "$corpus.log"
done

# One plain closing line over every stage (each ctest run above already failed the script on a failure).
passed=$(grep -oE 'tests failed out of [0-9]+' "$log" | awk '{s += $NF} END {print s + 0}')
echo "payops suite: $passed passed, 0 failed"
