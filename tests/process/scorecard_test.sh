#!/usr/bin/env bash
# `agent score` as a real process on a small bank_b outage generated in virtual time (`simulator
# --fast`): a baseline, an oracle, and an "agent" run (a stand-in: bank_b's weight cut by hand, see
# below). The scorecard must be able to fail: the baseline given as the agent's log exits 5; a missing
# samples file or log is an error naming it (exit 1); --known-short turns known misses into
# KNOWN-SHORT lines without hiding them, only at or above each bar's floor (the baseline as the
# agent's log fails even with every miss marked); the oracle given as the agent's log passes the gap bars;
# --json is one object jq can read; an unknown bar key is a usage error.
set -euo pipefail

build_dir=${1:?usage: scorecard_test.sh BUILD_DIR}
sim="$build_dir/simulator"
agent="$build_dir/agent"
tool="$build_dir/config-tool"
for b in "$sim" "$agent" "$tool"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/scorecard-test.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() {  # expect_exit CODE CMD...
  local want=$1; shift
  set +e; "$@" > "$work/out" 2> "$work/err"; local got=$?; set -e
  [[ $got == "$want" ]] || { cat "$work/out" "$work/err" >&2; fail "'$*' exited $got, expected $want"; }
}

start=2026-11-22T12:00:00.000Z
incident=bank_b:outage:10s+20s
run_args=(--fast --start "$start" --tps 100 --duration 40s --seed 7 --incident "$incident" --quiet)
for d in base oracle agent; do
  "$tool" --data-dir "$work/$d" init >/dev/null
  "$tool" --data-dir "$work/$d" set banks.bank_b.circuit_breaker.open_duration_s 8 >/dev/null
done
"$sim" --data-dir "$work/base" "${run_args[@]}" >/dev/null
"$sim" --data-dir "$work/oracle" --oracle "${run_args[@]}" >/dev/null
# The "agent" run: the same traffic with bank_b's weight cut from 25 to 5 from the start, a stand-in for
# an agent that moves most traffic away (a real agent needs real time: `simulator --fast` generates the
# whole run before any config change could land). It must capture part of the gap, not all of it.
"$tool" --data-dir "$work/agent" set banks.bank_b.weight 5 --reason "test: partial mitigation" >/dev/null
"$sim" --data-dir "$work/agent" "${run_args[@]}" >/dev/null
: > "$work/samples.jsonl"
"$tool" --data-dir "$work/agent" show --json | tr -d '\n' >> "$work/samples.jsonl"; echo >> "$work/samples.jsonl"

score() {  # score LOG [args...]: agent score over the agent data dir's history
  local log=$1; shift
  "$agent" --data-dir "$work/agent" score --start "$start" --interval 1s --incident "$incident" --log "$log" \
    --baseline "$work/base/transactions.csv" --oracle "$work/oracle/transactions.csv" "$@"
}

# 1. The baseline as the agent's run captures none of the gap: exit 5, and the bar says so.
expect_exit 5 score "$work/base/transactions.csv" --samples "$work/samples.jsonl"
grep -q '^  \[FAIL\] first-attempt success: gap captured (first_attempt_gap): 0% of the gap captured' "$work/out" \
  || { cat "$work/out" >&2; fail "baseline-as-agent: first-attempt gap bar not failed at 0%"; }
grep -q '^RESULT: FAIL' "$work/out" || fail "baseline-as-agent: no FAIL result"

# 2. A missing samples file, baseline or log is an error naming it, never a pass.
expect_exit 1 score "$work/base/transactions.csv" --samples "$work/nope/samples.jsonl"
grep -q "$work/nope/samples.jsonl" "$work/err" || fail "missing samples file not named: $(cat "$work/err")"
expect_exit 1 score "$work/nope.csv" --samples "$work/samples.jsonl"
grep -q "$work/nope.csv" "$work/err" || fail "missing log not named: $(cat "$work/err")"
expect_exit 1 "$agent" --data-dir "$work/agent" score --start "$start" --incident "$incident" \
  --baseline "$work/nope-base.csv" --oracle "$work/oracle/transactions.csv"
grep -q "nope-base.csv" "$work/err" || fail "missing baseline not named"

# 3. Known-short: a marked bar is excused only at or above its floor (half the bar for a gap), so the
#    baseline as the agent's run (an agent that does nothing) fails even with every markable bar marked.
expect_exit 5 score "$work/base/transactions.csv" --known-short first_attempt_gap
grep -q '^  \[FAIL\] first-attempt success: gap captured (first_attempt_gap): 0% of the gap captured.*below its floor of 45% of the gap' "$work/out" \
  || { cat "$work/out" >&2; fail "do-nothing run: a known-short mark excused 0% of the gap"; }
mapfile -t failing < <(jq -r '.bars[] | select(.passed == false) | .key' < <(score "$work/base/transactions.csv" --json || true) | sort -u)
[[ ${#failing[@]} -ge 2 ]] || fail "baseline-as-agent should miss several bars, got: ${failing[*]}"
short_args=()
for k in "${failing[@]}"; do
  case $k in first_attempt_gap|p95_gap|eventual_floor|detect|mitigate|gain) short_args+=(--known-short "$k") ;; esac
done
expect_exit 5 score "$work/base/transactions.csv" "${short_args[@]}" --bar-reason "test: every miss is marked"
grep -q '^RESULT: FAIL' "$work/out" || { cat "$work/out" >&2; fail "do-nothing run passed with every miss marked known-short"; }
grep -q "this drill's reason: test: every miss is marked" "$work/out" || fail "bar reason not printed"
# At or above its floor a marked bar prints KNOWN-SHORT and does not fail the exit code: the oracle's
# run captures 100% of the gap, short of a 150% bar, above its 75% floor.
set +e; score "$work/oracle/transactions.csv" --min-first-attempt-gap 1.5 --known-short first_attempt_gap --json > "$work/short.json"; set -e
jq -e '.bars[] | select(.key == "first_attempt_gap") | (.passed == false and .known_short == true)' "$work/short.json" >/dev/null \
  || fail "a bar above its floor was not excused: $(jq -c '.bars[0]' "$work/short.json")"
score "$work/oracle/transactions.csv" --min-first-attempt-gap 1.5 --known-short first_attempt_gap > "$work/out" 2>&1 || true
grep -q '\[KNOWN-SHORT\] first-attempt success: gap captured.*within its floor: 75% of the gap' "$work/out" \
  || { cat "$work/out" >&2; fail "no KNOWN-SHORT line above the floor"; }
expect_exit 2 score "$work/base/transactions.csv" --known-short no_such_bar
grep -q "no_such_bar" "$work/err" || fail "unknown bar key not named"
expect_exit 2 score "$work/base/transactions.csv" --known-short double_charges
grep -q "double_charges: this bar has no known-short floor" "$work/err" || fail "a safety bar could be marked known-short: $(cat "$work/err")"

# 4. The oracle as the agent's run captures the whole gap: both gap bars pass.
set +e; score "$work/oracle/transactions.csv" --json > "$work/oracle.json"; set -e
jq -e '.bars[] | select(.key == "first_attempt_gap") | .passed' "$work/oracle.json" >/dev/null \
  || fail "oracle-as-agent: first-attempt gap bar failed: $(jq -c '.bars' "$work/oracle.json")"
jq -e '.bars[] | select(.key == "p95_gap") | .passed' "$work/oracle.json" >/dev/null \
  || fail "oracle-as-agent: p95 gap bar failed: $(jq -c '.bars' "$work/oracle.json")"
jq -e '(.gaps[] | select(.metric == "first_attempt_success") | .captured) == 1' "$work/oracle.json" >/dev/null \
  || fail "oracle-as-agent: gap captured is not 100%"

# 5. --json: one object with every figure, bars with key/passed/known_short/detail, and the verdict.
set +e; score "$work/agent/transactions.csv" --samples "$work/samples.jsonl" --json > "$work/agent.json"; code=$?; set -e
[[ $code == 0 || $code == 5 ]] || fail "agent score exited $code"
jq -e '.verdict and (.passed | type == "boolean") and (.bars | length > 5)
       and all(.bars[]; has("key") and has("passed") and has("known_short") and has("detail"))
       and (.agent.incident.payments > 0) and (.baseline.incident.first_attempt_success < .oracle.incident.first_attempt_success)
       and (.agent.whole_run.latency_p95_ms > 0) and (.timeline | has("detect_ms"))' "$work/agent.json" >/dev/null \
  || fail "--json misses figures: $(head -c 600 "$work/agent.json")"
[[ $(jq -r '.passed' "$work/agent.json") == $([[ $code == 0 ]] && echo true || echo false) ]] || fail "exit code and .passed disagree"
jq -e '(.gaps[] | select(.metric == "first_attempt_success") | .captured) as $g | $g > 0.3 and $g < 1' "$work/agent.json" >/dev/null \
  || fail "a partial mitigation should capture part of the first-attempt gap: $(jq -c '.gaps[0]' "$work/agent.json")"
echo "stand-in agent run (virtual time): $(jq -r '[.gaps[] | "\(.label) \(if .captured then (.captured*100|floor|tostring)+"%" else "no room" end)"] | join(", ")' "$work/agent.json"); verdict $(jq -r .verdict "$work/agent.json")"

# 6. The HTML report opens with the verdict and uses human labels only.
set +e; score "$work/agent/transactions.csv" --report "$work/report.html" > /dev/null; set -e
[[ -s "$work/report.html" ]] || fail "no report written"
verdict_at=$(grep -n 'Verdict:' "$work/report.html" | head -1 | cut -d: -f1)
chart_at=$(grep -n '<svg' "$work/report.html" | head -1 | cut -d: -f1)
[[ -n $verdict_at && $verdict_at -lt $chart_at ]] || fail "the report does not open with the verdict"
grep -q 'Gap captured' "$work/report.html" || fail "no side-by-side table in the report"
if sed 's/<[^>]*>//g' "$work/report.html" | grep -E '\b(first_attempt|latency_p95|eventual_floor|false_alarms|known_short|_ms)\b'; then
  fail "snake_case keys in the report's text"
fi
echo "ok: scorecard process test"
