#!/usr/bin/env bash
# Simulator throughput and pacing, as recorded in docs/simulator.md. Not a test: numbers depend on the
# machine and its load. Usage: bench/simulator_bench.sh BUILD_DIR [COUNT]
set -euo pipefail
build_dir=${1:?usage: simulator_bench.sh BUILD_DIR [COUNT]}
count=${2:-2000000}
dir=$(mktemp -d "${TMPDIR:-/tmp}/payops_bench.XXXXXX")
trap 'rm -rf -- "$dir"' EXIT
"$build_dir/config-tool" init --data-dir "$dir" > /dev/null
rm -f "$dir/transactions.csv"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f "--fast --count $count: wall %e s, user %U s, sys %S s" \
  "$build_dir/simulator" --fast --count "$count" --seed 1 --quiet --data-dir "$dir"
rows=$(( $(wc -l < "$dir/transactions.csv") - 1 ))
echo "rows: $rows, bytes: $(stat -c %s "$dir/transactions.csv")"
for tps in 5 100 1000; do
  rm -f "$dir/transactions.csv"
  /usr/bin/time -f "paced --tps $tps --duration 60s: wall %e s, cpu %U+%S s" \
    "$build_dir/simulator" --tps "$tps" --duration 60s --json --data-dir "$dir" | grep '"payments"'
done
