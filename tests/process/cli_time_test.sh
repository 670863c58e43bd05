#!/usr/bin/env bash
# One duration and time syntax across tools (issue 15 item 5): compound and fractional durations,
# RFC 3339 with or without milliseconds, relative times; --json and --quiet in subcommand help.
set -euo pipefail
build=$1
dir=$(mktemp -d /tmp/cli_time.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export PAYOPS_DATA_DIR="$dir/data"
"$build/config-tool" init >/dev/null

# 1m30s of virtual time at 10 payments/s: 900 payments (a fractional --tps-free check of the sum).
"$build/simulator" --fast --duration 1m30s --tps 10 --seed 7 --start 2026-11-22T12:00:00Z --out "$dir/a.csv" --json >"$dir/sum.json"
python3 - "$dir/sum.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
n = s.get("payments", s.get("payments_started"))
assert n == 900, f"1m30s at 10/s should start 900 payments, got {n}: {s}"
PY
# The same run with the start written with milliseconds and with an offset gives the same bytes.
"$build/simulator" --fast --duration 1m30s --tps 10 --seed 7 --start 2026-11-22T13:00:00.000+01:00 --out "$dir/b.csv" --quiet
cmp -s "$dir/a.csv" "$dir/b.csv" || fail "--start with an offset and milliseconds should be the same instant"

# agent report: --since/--until with and without milliseconds agree, and narrow the rows.
r1=$("$build/agent" report "$dir/a.csv" --since 2026-11-22T12:00:30Z --until 2026-11-22T12:01:00Z --json)
r2=$("$build/agent" report "$dir/a.csv" --since 2026-11-22T12:00:30.000Z --until 2026-11-22T12:01:00.000Z --json)
[ "$r1" = "$r2" ] || fail "--since without milliseconds should equal with"
all=$("$build/agent" report "$dir/a.csv" --json)
[ "$r1" != "$all" ] || fail "--since/--until should narrow the report"

# Relative times: rows of the last hour; --since -30m sees part of them, --since -2h all.
"$build/simulator" --fast --duration 1h --tps 0.5 --seed 3 --start -1h --out "$dir/rel.csv" --quiet
half=$("$build/agent" report "$dir/rel.csv" --since -30m --json)
whole=$("$build/agent" report "$dir/rel.csv" --since -2h --json)
python3 - "$half" "$whole" <<'PY'
import json, sys
h, w = json.loads(sys.argv[1]), json.loads(sys.argv[2])
def rows(r): return r.get("rows", r.get("total_rows"))
assert rows(h) is not None and rows(w) is not None, (h.keys())
assert 0 < rows(h) < rows(w), f"--since -30m should see part of the hour: {rows(h)} of {rows(w)}"
PY

# Durations everywhere: compound and fractional values are accepted, nonsense is refused naming the syntax.
"$build/agent" status --refresh 1.5s --json >/dev/null || fail "agent status --refresh 1.5s"
"$build/agent" --short-window 1m30s --long-window 2.5m --dry-run once --quiet || fail "agent windows 1m30s/2.5m"
"$build/config-tool" --lock-timeout 1m30s show >/dev/null || fail "config-tool --lock-timeout 1m30s"
set +e; "$build/agent" report "$dir/a.csv" --since yesterday 2>"$dir/err"; code=$?; set -e
[ "$code" = 2 ] && grep -q "2026-11-22T12:00:00Z" "$dir/err" || fail "a bad --since should exit 2 and show the syntax"

# --json and --quiet are listed in the help of the subcommands they apply to.
for sub in status once run report score drill-report; do
  grep -q -- "--json" <<< "$("$build/agent" "$sub" --help)" || fail "agent $sub --help does not list --json"
done
for sub in once run score drill-report; do
  grep -q -- "--quiet" <<< "$("$build/agent" "$sub" --help)" || fail "agent $sub --help does not list --quiet"
done
for sub in show get history watch validate; do
  grep -q -- "--json" <<< "$("$build/config-tool" "$sub" --help)" || fail "config-tool $sub --help does not list --json"
done
grep -q -- "--quiet" <<< "$("$build/checkout" --help)" || fail "checkout --help does not list --quiet"
echo "cli_time_test: ok"
