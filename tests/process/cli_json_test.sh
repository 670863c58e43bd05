#!/usr/bin/env bash
# Clean machine output (issue 15 item 7): with --json an error is one JSON object on stdout
# {"error": ..., "exit_code": N} (stderr keeps the sentence); never-observed values are null;
# `config-tool watch --json` is JSON Lines.
set -euo pipefail
build=$1
dir=$(mktemp -d /tmp/cli_json.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export PAYOPS_DATA_DIR="$dir/data"
json_error() {  # json_error CODE cmd...: stdout is exactly one JSON error object with that exit code
  local want=$1; shift
  set +e; "$@" >"$dir/out" 2>"$dir/err"; local got=$?; set -e
  [ "$got" = "$want" ] || { cat "$dir/out" "$dir/err" >&2; fail "'$*' exited $got, want $want"; }
  python3 - "$dir/out" "$want" <<'PY' || { cat "$dir/out" >&2; fail "'$*': stdout is not one JSON error"; }
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
j = json.loads(lines[0])
assert j["exit_code"] == int(sys.argv[2]) and isinstance(j["error"], str) and j["error"], j
PY
  [ -s "$dir/err" ] || fail "'$*': stderr should keep the human sentence"
}

mkdir -p "$dir/data"
json_error 4 "$build/config-tool" show --json              # no config yet
json_error 4 "$build/agent" once --json
json_error 4 "$build/simulator" --json --count 1
"$build/config-tool" init >/dev/null
json_error 2 "$build/config-tool" --json shwo
json_error 2 "$build/config-tool" get no.such.path --json
json_error 2 "$build/config-tool" bank bank_b --weight -5 --json
json_error 2 "$build/agent" report --since yesterday --json
json_error 2 "$build/checkout" --json --currency USD --method card
grep -q "missing --amount" "$dir/err" || fail "checkout's sentence should stay on stderr"
json_error 2 "$build/checkout" --json --amount 10 --currency XXX --method card

# Never-observed metrics are null, not 0.
"$build/config-tool" show --json >"$dir/show.json"
python3 - "$dir/show.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
m = s["banks"][0]["metrics"]
assert m["updated_at"] is None and m["success_rate"] is None and m["p95_latency_ms"] is None, m
PY

# A run that wrote no row has no last row: null, not "".
"$build/simulator" --fast --count 0 --json --out "$dir/none.csv" >"$dir/sim.json"
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["rows"] == 0 and s["last_row"] is None, s' "$dir/sim.json"

# watch --json: every line of stdout is one JSON object.
"$build/config-tool" watch --json --interval 100ms --max-updates 3 >"$dir/watch.jsonl" 2>"$dir/watch.err" &
watcher=$!
sleep 1
"$build/config-tool" bank bank_b --weight 11 --reason "cli json test" >/dev/null
sleep 1
"$build/config-tool" bank bank_b --weight 12 --reason "cli json test" >/dev/null
for _ in $(seq 100); do kill -0 $watcher 2>/dev/null || break; sleep 0.1; done
wait $watcher || fail "watch exited $?"
python3 - "$dir/watch.jsonl" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 3, f"3 updates should be 3 lines, got {len(lines)}: {lines[:2]}"
weights = [next(b["weight"] for b in json.loads(l)["banks"] if b["id"] == "bank_b") for l in lines]
assert weights[1:] == [11, 12], weights
PY

# --quiet on the changing config-tool commands: nothing on stdout, the change made; the printing
# commands have no --quiet (a usage error naming it).
out=$("$build/config-tool" bank bank_b --weight 13 --reason "cli quiet test" --quiet)
[ -z "$out" ] || fail "bank --quiet printed: $out"
[ "$("$build/config-tool" get banks.bank_b.weight)" = 13 ] || fail "bank --quiet did not change the weight"
out=$("$build/config-tool" set routing_rules.chaos_failure_rate 0.2 --reason "cli quiet test" -q)
[ -z "$out" ] || fail "set -q printed: $out"
set +e; "$build/config-tool" show --quiet >"$dir/out" 2>"$dir/err"; code=$?; set -e
[ "$code" = 2 ] && grep -q -- "--quiet" "$dir/err" || { cat "$dir/err" >&2; fail "show --quiet should be a usage error naming --quiet (exit $code)"; }
echo "cli_json_test: ok"
