#!/usr/bin/env bash
# The simulator as a real process: exit codes, byte-identical --fast runs for a seed, every row valid,
# a config change honoured at the next tick while paced, an invalid edit warned about once without
# stopping traffic, SIGINT leaving whole rows and a summary, several simulators appending at once.
set -euo pipefail

build_dir=${1:?usage: simulator_test.sh BUILD_DIR}
sim="$build_dir/simulator"
tool="$build_dir/config-tool"
check="$build_dir/tests/csv_check_testkit"
for b in "$sim" "$tool" "$check"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done

work=$(mktemp -d "${TMPDIR:-/tmp}/payops_sim.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf -- "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# A number from csv_check_testkit's or the simulator's compact JSON: field JSON KEY
field() { grep -o "\"$2\": *[0-9a-z]*" <<<"$1" | head -1 | sed 's/.*: *//'; }
now_ts() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
expect_exit() {  # expect_exit CODE CMD...
  local want=$1; shift
  set +e; "$@" > "$work/out" 2> "$work/err"; local got=$?; set -e
  [[ $got == "$want" ]] || { cat "$work/err" >&2; fail "'$*' exited $got, expected $want"; }
}

dir="$work/data"
mkdir -p "$dir"

# --- exit codes ---
expect_exit 4 "$sim" --data-dir "$dir" --count 1
grep -q 'config-tool init' "$work/err" || fail "a missing config does not say to run config-tool init"
"$tool" init --data-dir "$dir" > /dev/null
expect_exit 2 "$sim" --data-dir "$dir" --fast
expect_exit 2 "$sim" --data-dir "$dir" --count 1 --incident bank_b:explode:1s
grep -q 'BANK:KIND' "$work/err" || fail "a bad incident does not teach the syntax"
expect_exit 2 "$sim" --data-dir "$dir" --no-such-flag
expect_exit 0 "$sim" --help
grep -q 'bank_c:latency=4000ms:30s+90s' "$work/out" || fail "--help does not show incident examples"

# --- same seed, same bytes; every row valid and in time order ---
start=2026-11-22T12:00:00.000Z
"$sim" --data-dir "$dir" --fast --count 30000 --seed 7 --start "$start" --out - --quiet \
  --incident bank_b:outage:60s+120s > "$work/a.csv"
"$sim" --data-dir "$dir" --fast --count 30000 --seed 7 --start "$start" --out - --quiet \
  --incident bank_b:outage:60s+120s > "$work/b.csv"
cmp -s "$work/a.csv" "$work/b.csv" || fail "two --fast runs with --seed 7 differ"
"$sim" --data-dir "$dir" --fast --count 30000 --seed 7 --start "$start" --out "$work/c.csv" --quiet \
  --incident bank_b:outage:60s+120s
cmp -s "$work/a.csv" "$work/c.csv" || fail "--out FILE and --out - differ for the same seed"
res=$("$check" "$work/a.csv")
[[ $(field "$res" malformed) == 0 ]] || fail "malformed rows: $res"
[[ $(field "$res" headers) == 1 ]] || fail "header count: $res"
[[ $(field "$res" payments) == 30000 ]] || fail "payment count: $res"
[[ $(field "$res" max_backstep_ms) == 0 ]] || fail "one --fast writer should be in time order: $res"
grep -q ',bank_b,[^,]*,failed,[0-9]*,BANK_UNAVAILABLE,' "$work/a.csv" || fail "the bank_b outage left no trace"

# --- paced at 200/s: disabling bank_b takes effect at the next tick ---
log="$dir/transactions.csv"
"$sim" --data-dir "$dir" --tps 200 --duration 6s --quiet 2> "$work/paced.err" &
pids+=("$!")
sleep 2
"$tool" bank bank_b --disable --reason "simulator_test" --data-dir "$dir" > /dev/null
changed=$(date +%s%3N)
sleep 2
# An invalid edit by hand: one warning, traffic keeps flowing on the last good config.
rows_before=$(wc -l < "$log")
printf '{ "banks": [ broken\n' > "$dir/shared_config.json.tmp" && mv "$dir/shared_config.json.tmp" "$dir/shared_config.json"
sleep 1
rows_mid=$(wc -l < "$log")
sleep 0.5
rows_after=$(wc -l < "$log")
wait "${pids[0]}" || fail "the paced simulator exited non-zero"
pids=()
(( rows_mid > rows_before && rows_after > rows_mid )) || fail "traffic stopped after an invalid edit ($rows_before, $rows_mid, $rows_after)"
warnings=$(grep -c 'warning' "$work/paced.err" || true)
[[ $warnings == 1 ]] || { cat "$work/paced.err" >&2; fail "expected exactly one warning, got $warnings"; }
# First attempts that started 300 ms after the change (one 100 ms tick plus slack for the
# config-tool's exit and the scheduler) must avoid bank_b.
since=$(date -u -d "@$(( (changed + 300) / 1000 )).$(printf '%03d' $(( (changed + 300) % 1000 )))" +%Y-%m-%dT%H:%M:%S.%3NZ)
res=$("$check" "$log" --since "$since")
[[ $(field "$res" malformed) == 0 ]] || fail "malformed rows in the paced log: $res"
grep -q '"bank_a":[1-9]' <<<"$res" || fail "no traffic after the change: $res"
grep -q ',bank_b,[^,]*,success,' "$log" || fail "bank_b had no traffic before the change, so the check proves nothing"
grep -q '"bank_b"' <<<"$res" && fail "bank_b still got first attempts after it was disabled: $res"
"$tool" init --force --data-dir "$dir" > /dev/null  # repair the config for what follows

# --- SIGINT: whole rows, a summary, exit 0 ---
rm -f "$log"
"$sim" --data-dir "$dir" --tps 300 --json > "$work/sigint.json" 2> "$work/sigint.err" &
pid=$!
pids+=("$pid")
sleep 1.5
kill -INT "$pid"
wait "$pid" || fail "SIGINT: exit $?"
pids=()
[[ $(tail -c 1 "$log" | od -An -c | tr -d ' ') == '\n' ]] || fail "SIGINT left a partial last row"
res=$("$check" "$log")
[[ $(field "$res" malformed) == 0 && $(field "$res" partial_tail) == false ]] || fail "SIGINT left bad rows: $res"
grep -q '"stopped_by_signal": true' "$work/sigint.json" || fail "no summary after SIGINT"
sum_rows=$(field "$(tr -d '\n' < "$work/sigint.json")" rows)
[[ $sum_rows == $(field "$res" rows) ]] || fail "summary says $sum_rows rows, the log has $(field "$res" rows)"

# --- several simulators appending to one log at once ---
rm -f "$log"
total=0
for seed in 1 2 3 4; do
  "$sim" --data-dir "$dir" --fast --count 40000 --seed "$seed" --json > "$work/multi.$seed.json" &
  pids+=("$!")
done
for pid in "${pids[@]}"; do wait "$pid" || fail "a concurrent simulator failed"; done
pids=()
for seed in 1 2 3 4; do
  total=$(( total + $(field "$(tr -d '\n' < "$work/multi.$seed.json")" rows) ))
done
res=$("$check" "$log")
[[ $(field "$res" headers) == 1 ]] || fail "concurrent simulators: header count: $res"
[[ $(field "$res" malformed) == 0 ]] || fail "concurrent simulators: malformed rows: $res"
[[ $(field "$res" rows) == "$total" ]] || fail "concurrent simulators: $total rows reported, $(field "$res" rows) in the log"
[[ $(field "$res" payments) == 160000 ]] || fail "concurrent simulators: payments: $res"

echo "simulator_test: OK"
