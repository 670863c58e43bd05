#!/usr/bin/env bash
# bench/run --smoke: the whole bench on tiny logs with one repetition (~10 s), so it never rots.
# Fails when `agent report`'s per-bank answers (count, success rate, p95) differ from a peer's, or a
# bench step fails. Peers not installed are skipped by bench/run with a message (the test setup installs
# gawk; miller, sqlite3 and python3-pandas are used when present). No network, no install, no build.
set -euo pipefail

build_dir=${1:?usage: bench_smoke_test.sh BUILD_DIR}
src=${PAYOPS_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
for b in simulator agent config-tool tests/bench_config_testkit tests/csv_writer_testkit; do
  [[ -x "$build_dir/$b" ]] || { echo "missing $build_dir/$b" >&2; exit 1; }
done
command -v gawk > /dev/null || echo "bench_smoke_test: gawk not installed; the answers are checked against the other peers only" >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/payops_bench_smoke.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
start=$(date +%s)
bash "$src/bench/run" --smoke --build-dir "$build_dir" --work "$work/w" --results "$work/RESULTS.md" 2> "$work/log" ||
  { cat "$work/log" >&2; echo "FAIL: bench/run --smoke exited non-zero" >&2; exit 1; }
elapsed=$(($(date +%s) - start))

fail() { cat "$work/RESULTS.md" >&2 2> /dev/null || true; echo "FAIL: $*" >&2; exit 1; }
grep -q '^Disagreements: 0\.$' "$work/RESULTS.md" || fail "RESULTS.md does not report 0 disagreements"
for section in 'Simulator' 'agent once' 'agent report' 'Locked config update' 'CSV append'; do
  grep -q "^## .*$section" "$work/RESULTS.md" || fail "RESULTS.md lacks the '$section' section"
done
# At least one peer's answers were compared, and every compared peer agreed.
agreed=$(grep -c '| agree |' "$work/RESULTS.md" || true)
((agreed >= 1)) || fail "no peer's answers were compared"
if grep -q 'DISAGREE' "$work/RESULTS.md"; then fail "a peer disagreed"; fi
if command -v gawk > /dev/null; then
  grep -q '^| gawk .* | agree |' "$work/RESULTS.md" || fail "gawk is installed but its answers were not compared"
fi
echo "bench smoke ok in ${elapsed}s ($agreed peer comparisons agreed)"
