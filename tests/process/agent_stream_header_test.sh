#!/usr/bin/env bash
# `agent run --input -` reads its stream with the contract's scanner, the same rule as every file
# reader: a header as the stream's first line is skipped, a header anywhere else is a malformed line
# (repeated_header, named by its line number), and rows around it are still counted.
set -euo pipefail

build_dir=${1:?usage: agent_stream_header_test.sh BUILD_DIR}
sim="$build_dir/simulator"
tool="$build_dir/config-tool"
agent="$build_dir/agent"
for b in "$sim" "$tool" "$agent"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done

work=$(mktemp -d "${TMPDIR:-/tmp}/payops_stream.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

src="$work/src"; mkdir -p "$src"
"$tool" init --data-dir "$src" > /dev/null
"$sim" --data-dir "$src" --fast --seed 11 --tps 20 --duration 2m --start 2026-11-22T12:00:00.000Z --quiet

# The stream: header, the first 500 rows, the header again (line 502), the rest.
csv="$src/transactions.csv"
rows=$(( $(wc -l < "$csv") - 1 ))
(( rows > 1000 )) || fail "the simulator wrote only $rows rows"
{ head -n 501 "$csv"; head -n 1 "$csv"; tail -n +502 "$csv"; } > "$work/stream.csv"

run() {  # run DIR: the agent over the stream, a few lines per cycle
  "$agent" --data-dir "$1" run --input - --interval 10s < "$work/stream.csv" > "$work/cycles.txt" 2> "$work/err" ||
    fail "agent run --input - failed: $(cat "$work/err")"
  grep -q cycle "$work/cycles.txt" || fail "no cycle ran: $(head -c 400 "$work/cycles.txt")"
}
dst="$work/dst"; mkdir -p "$dst"
"$tool" init --data-dir "$dst" > /dev/null
run "$dst"
grep -q '(1 malformed line skipped (line 502: repeated_header))' "$work/cycles.txt" ||
  fail "the repeated header is not one malformed line named by its number: $(grep -m3 malformed "$work/cycles.txt" || tail -n 3 "$work/cycles.txt")"

# The leading header alone is no malformed line.
cp "$csv" "$work/stream.csv"
mkdir -p "$work/dst2"
"$tool" init --data-dir "$work/dst2" > /dev/null
run "$work/dst2"
! grep -q malformed "$work/cycles.txt" || fail "a leading header counted as malformed: $(grep -m1 malformed "$work/cycles.txt")"
echo "agent stream header: OK"
