#!/usr/bin/env bash
# `agent report` as a real process is exact at any thread count: on a simulator log of ~5 MB (five
# 1 MiB chunks, so chunk boundaries split payments' retries), --threads 1, 2, 3 and 8 (more threads
# than cores) print byte-identical JSON and text, also with malformed lines and a partial last line.
set -euo pipefail

build_dir=${1:?usage: agent_report_threads_test.sh BUILD_DIR}
sim="$build_dir/simulator" agent="$build_dir/agent" tool="$build_dir/config-tool"
for b in "$sim" "$agent" "$tool"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done
work=$(mktemp -d "${TMPDIR:-/tmp}/payops_report_threads.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$tool" init --data-dir "$work" > /dev/null
"$sim" --fast --count 50000 --tps 200 --seed 7 --start 2026-11-22T12:00:00.000Z --quiet --data-dir "$work"
f=$work/transactions.csv
# Malformed lines in the middle (a line cut in two around a broken row) and a write in progress at the end.
{ head -c 2500000 "$f"; printf 'x\n2026-11-22T12:00:00.000Z,broken\n'; tail -c +2500001 "$f"; printf '2026-11-22T12:0'; } > "$work/log.csv"
(($(stat -c %s "$work/log.csv") > 4 * 1048576)) || fail "the log is too small to span several chunks"

"$agent" report "$work/log.csv" --json --threads 1 > "$work/t1.json"
"$agent" report "$work/log.csv" --threads 1 > "$work/t1.txt"
grep -Eq '"malformed_lines": ?3,' "$work/t1.json" || fail "expected 3 malformed lines (a cut line, its tail, a broken row): $(head -c 600 "$work/t1.json")"
retries=$(grep -o '"retries": *[0-9]*' "$work/t1.json" | awk -F: '{s += $2} END {print s + 0}')
((retries > 300)) || fail "the log has too few retries ($retries) to test payments across chunks"
for threads in 2 3 8; do
  "$agent" report "$work/log.csv" --json --threads "$threads" > "$work/t$threads.json"
  "$agent" report "$work/log.csv" --threads "$threads" > "$work/t$threads.txt"
  cmp -s "$work/t1.json" "$work/t$threads.json" || fail "--threads $threads JSON differs from --threads 1"
  cmp -s "$work/t1.txt" "$work/t$threads.txt" || fail "--threads $threads text differs from --threads 1"
done
# Payments are distinct transaction ids (the log spans minutes, inside the tracker's horizon), however
# the file is cut: an independent count with awk.
"$agent" report "$f" --json --threads 3 > "$work/orig.json"
distinct=$(awk -F, 'NR > 1 {print $2}' "$f" | sort -u | wc -l)
grep -Eq "\"payments\": ?$distinct," "$work/orig.json" ||
  fail "payments != $distinct distinct ids: $(grep -o '"payments": *[0-9]*' "$work/orig.json")"
# From stdin: the same report.
"$agent" report - --json < "$work/log.csv" > "$work/stdin.json"
cmp -s "$work/t1.json" "$work/stdin.json" || fail "report of stdin differs from the file's"
echo "agent report threads ok: identical at 1, 2, 3, 8 threads ($retries retries, $distinct payments)"
