#!/usr/bin/env bash
# The agent against real processes.
# 1. Daemon: simulator (real time) + `agent run --interval 2s` + an outage of bank_b: the agent opens
#    bank_b's breaker or degrades it within two cycles of the first failure, bank_b's traffic drops to
#    probes, and after the outage bank_b's weight comes back in bounded steps; SIGTERM exits 0.
# 2. A flapping bank (stream mode, event time): health verdicts and breaker opens stay few.
# 3. Two concurrent `agent once` never both act.
set -euo pipefail
build=${1:?usage: agent_e2e_test.sh BUILD_DIR}
agent="$build/agent"; sim="$build/simulator"; tool="$build/config-tool"
for b in "$agent" "$sim" "$tool"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done
command -v jq > /dev/null || { echo "jq is needed" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/payops_agent.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf -- "$work"; }
trap cleanup EXIT
[[ -n "${KEEP:-}" ]] && trap - EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
ms_of() { date -u -d "$1" +%s%3N; }  # contract timestamp -> epoch ms

# --- 1. daemon and an outage ---------------------------------------------------------------------
d="$work/daemon"; mkdir -p "$d"
"$tool" init --data-dir "$d" > /dev/null
# A short open_duration keeps the test short; the agent's operator cooldown is shortened to match.
"$tool" set banks.bank_b.circuit_breaker.open_duration_s 4 --data-dir "$d" > /dev/null
"$agent" run --data-dir "$d" --interval 2s --short-window 10s --long-window 60s --operator-cooldown 1s \
  --min-dwell 10s --json > "$work/daemon.jsonl" 2> "$work/daemon.err" &
agent_pid=$!; pids+=("$agent_pid")
"$sim" --data-dir "$d" --tps 40 --duration 40s --seed 11 --incident bank_b:outage:6s+12s --quiet \
  2> "$work/sim.err" || fail "simulator failed: $(cat "$work/sim.err")"
kill -TERM "$agent_pid"
set +e; wait "$agent_pid"; rc=$?; set -e
[[ $rc == 0 ]] || fail "agent run exited $rc after SIGTERM: $(cat "$work/daemon.err")"
[[ -s "$work/daemon.jsonl" ]] || fail "the daemon printed no cycle"
jq -e . "$work/daemon.jsonl" > /dev/null || fail "--json output is not one JSON object per line"

cfg="$d/shared_config.json"
# One awk, not grep | grep -m1: under pipefail the first grep's SIGPIPE would fail the assignment.
first_fail=$(awk -F, '$6 == "bank_b" && $10 ~ /^(BANK_UNAVAILABLE|NETWORK_ERROR|GATEWAY_TIMEOUT)$/ { print $1; exit }' "$d/transactions.csv")
[[ -n "$first_fail" ]] || fail "the outage produced no soft failure on bank_b"
first_act=$(jq -r '[.agent_history[] | select(.actor=="agent") | select(.details.changes[]?.path |
  test("banks.bank_b.(circuit_breaker.state|health_status)"))][0].timestamp // empty' "$cfg")
[[ -n "$first_act" ]] || fail "the agent never opened or degraded bank_b: $(jq -c .agent_history "$cfg")"
lag=$(( $(ms_of "$first_act") - $(ms_of "$first_fail") ))
(( lag <= 2 * 2000 + 1000 )) || fail "the agent acted ${lag} ms after bank_b's first failure (more than two cycles)"

# While open, bank_b gets probes only: between 2 s after the first action and the outage's end
# (first failure + ~12 s), its share of attempts is small.
from=$(( $(ms_of "$first_act") + 2000 )); to=$(( $(ms_of "$first_fail") + 10000 ))
iso() { date -u -d "@$(( $1 / 1000 )).$(printf %03d $(( $1 % 1000 )))" +%Y-%m-%dT%H:%M:%S.%3NZ; }
read -r total on_b < <(awk -F, -v from="$(iso "$from")" -v to="$(iso "$to")" \
  'NR>1 && $1>=from && $1<to { n++; if ($6=="bank_b") b++ } END { print n+0, b+0 }' "$d/transactions.csv")
(( total > 0 )) || fail "no traffic during the outage"
(( on_b * 100 <= total * 15 )) || fail "bank_b still took $on_b of $total attempts while its breaker was open"

# Recovery: bank_b's breaker closed again and its weight came back toward 25 in steps of at most 7
# (slow start after the close, then 25% of its intent per cycle). The one allowed exception is the
# half-open probe weight: the cycle that moves the breaker to half_open may raise the weight above the
# intent so the probes arrive at a minimum absolute rate (the router gives a half_open bank only
# half_open_traffic_ratio of its weight); the slow start after the close brings it back down.
probe_cycles=$(jq -r '[.agent_history[] | select(.actor=="agent") | select(any(.details.changes[]?;
  .path=="banks.bank_b.circuit_breaker.state" and .after=="half_open")) | .timestamp] | join(" ")' "$cfg")
above_intent=$(jq -r '.agent_history[] | select(.action=="reroute_traffic") | select(any(.details.changes[];
  .path=="banks.bank_b.weight" and .after > 25)) | .timestamp' "$cfg")
for t in $above_intent; do
  [[ " $probe_cycles " == *" $t "* ]] || fail "bank_b's weight went above its intent 25 at $t outside a half-open probe cycle"
done
[[ $(jq -r '.banks[] | select(.id=="bank_b") | .circuit_breaker.state' "$cfg") != open ]] ||
  fail "bank_b's breaker is still open after the outage"
steps=$(jq -r '.agent_history[] | select(.action=="reroute_traffic") | .details.changes[] |
  select(.path=="banks.bank_b.weight") | "\(.before) \(.after)"' "$cfg")
[[ -n "$steps" ]] || fail "the agent never moved bank_b's weight"
while read -r before after; do
  (( after > 25 || after - before <= 7 )) || fail "bank_b's weight jumped up $before -> $after (more than 25% of its 25)"
done <<< "$steps"
echo "$steps" | awk '$2 > $1' | grep -q . || fail "bank_b's weight was never restored: $steps"
jq -e '[.agent_history[] | select(.actor=="agent") | .reason | length > 0] | all' "$cfg" > /dev/null ||
  fail "an agent action has no reason"

# --- 2. a flapping bank does not make the agent flap -----------------------------------------------
f="$work/flap"; mkdir -p "$f"
"$tool" init --data-dir "$f" > /dev/null
"$sim" --data-dir "$f" --fast --seed 5 --tps 20 --duration 10m --start 2026-11-22T12:00:00.000Z \
  --incident bank_c:flap=20s:0s+600s --out - --quiet 2> "$work/sim2.err" |
  "$agent" run --data-dir "$f" --input - --interval 10s > "$work/flap.out" 2> "$work/flap.err" ||
  fail "agent run --input failed: $(cat "$work/flap.err")"
health_changes=$(jq '[.agent_history[] | select(any(.details.changes[]?; .path=="banks.bank_c.health_status"))] | length' "$f/shared_config.json")
flap_opens=$(jq '[.agent_history[] | .details.changes[]? | select(.path=="banks.bank_c.circuit_breaker.state" and .after=="open")] | length' "$f/shared_config.json")
# 30 flaps in 10 minutes; the agent may follow the probes, but its verdicts must not follow every flap.
(( health_changes <= 3 )) || fail "bank_c's health changed $health_changes times in 10 minutes of flapping"
(( flap_opens <= 8 )) || fail "bank_c's breaker opened $flap_opens times in 10 minutes of flapping (30 flaps)"

# --- 3. two concurrent `agent once` do not both act ------------------------------------------------
c="$work/cron"; mkdir -p "$c"
"$tool" init --data-dir "$c" > /dev/null
"$sim" --data-dir "$c" --fast --seed 3 --tps 20 --duration 20s --start -20s --incident bank_b:outage:0s+20s \
  --quiet 2> /dev/null
"$agent" once --data-dir "$c" --json > "$work/once1" 2>&1 & p1=$!
"$agent" once --data-dir "$c" --json > "$work/once2" 2>&1 & p2=$!
wait "$p1" || fail "agent once failed: $(cat "$work/once1")"
wait "$p2" || fail "agent once failed: $(cat "$work/once2")"
acted=$(cat "$work/once1" "$work/once2" | jq -s '[.[] | select(.skipped == null and (.actions | length) > 0)] | length')
opens=$(jq '[.agent_history[] | .details.changes[]? | select(.path=="banks.bank_b.circuit_breaker.state" and .after=="open")] | length' "$c/shared_config.json")
[[ $acted == 1 && $opens == 1 ]] || fail "two overlapping runs: $acted acted, bank_b opened $opens times"
echo "agent e2e: ok (acted ${lag} ms after the first failure; flapping: $health_changes health changes, $flap_opens breaker opens in 10 min)"
