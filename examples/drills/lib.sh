# Shared plumbing for the drills: sourced, not run. A drill is: a fresh data dir, the simulator with
# scripted incidents and the agent healing it while config snapshots are sampled, then a baseline
# (same traffic, no agent) and an oracle (hindsight-perfect routing) over the same period in virtual
# time, and `agent score` judging the run against the bars (exit 5 on a missed bar). Every drill
# writes its HTML report to $data/report.html.
#
# Two modes (DRILL_MODE):
#   virtual (default; the suite)  a lockstep closed loop in virtual time: `simulator --fast` stops at
#           every agent interval of virtual time, appends the rows finished by then, and runs
#           `agent --now $PAYOPS_NOW once` plus a config sample (--tick). Real processes and real files;
#           a drill takes seconds and the same seed gives the same bytes, however loaded the machine.
#   live    real time: the simulator paced, the agent daemon (`agent run`), a sampler every 0.25 s.
#           The demo and one suite drill (drill.bank_outage_live) use it, so the daemon stays proven.
#
# Environment: PAYOPS_BUILD (default: <repo>/build), DRILL_MODE, DRILL_SEED (default: fixed per drill,
# from its name, so CI is deterministic), DRILL_KEEP=1 keeps the data dir, DRILL_TPS (default 150),
# DRILL_INTERVAL (agent cycle, default 1s), DRILL_SHORT_WINDOW (default 6s), DRILL_LIVE=1 shows the
# agent's lines live, DRILL_AGENT_ARGS (global agent flags), DRILL_OPEN_S (breaker timer, default 8),
# DRILL_WORLD (a --world file for simulator, baseline and oracle), DRILL_OPERATOR_AT (seconds) with
# DRILL_OPERATOR (a shell command run then, as an operator would), DRILL_BASELINE_SETUP (run in the
# baseline's and oracle's data dirs before they start), DRILL_RESULT_DIR (copy `agent score --json`
# there as <drill>.<seed>.json; examples/drills/run_seeds.sh uses it), DRILL_TICK_AGENT (virtual mode:
# the shell command of each agent cycle instead of `agent --now "$PAYOPS_NOW" once`; the cron drill's).
set -euo pipefail

drill_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${PAYOPS_BUILD:-$drill_root/build}
for tool in simulator agent config-tool; do
  [ -x "$build/$tool" ] || { echo "drill: $build/$tool not found; build first (bash scripts/setup.sh)" >&2; exit 2; }
done
drill_name=$(basename "$0" .sh)
drill_mode=${DRILL_MODE:-virtual}
case "$drill_mode" in
  virtual | live) ;;
  *) echo "drill: DRILL_MODE must be virtual or live, got \"$drill_mode\"" >&2; exit 2 ;;
esac
tps=${DRILL_TPS:-150}
interval=${DRILL_INTERVAL:-1s}
short_window=${DRILL_SHORT_WINDOW:-6s}
seed=${DRILL_SEED:-$(( $(printf '%s' "$drill_name" | cksum | cut -d' ' -f1) % 100000 ))}
data=$(mktemp -d /tmp/payops-drill.XXXXXX)
export PAYOPS_DATA_DIR=$data
pids=()
world_args=()
# Progress on a terminal only: fd 9 is the drill's stderr when that is a terminal; each virtual-mode
# tick redraws one line there ("drill NAME: virtual 12/60 s 20%"), fitted to the width, erased at the end.
progress_cols=0
if [ -t 2 ]; then exec 9>&2; progress_cols=$(stty size 0<&2 2>/dev/null | cut -d' ' -f2); : "${progress_cols:=80}"; fi

drill_cleanup() {
  local code=$?
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${DRILL_KEEP:-0}" = 1 ] || [ $code -ne 0 ]; then echo "drill: data kept in $data" >&2; else rm -rf "$data"; fi
  exit $code
}
trap drill_cleanup EXIT
trap 'exit 130' INT TERM

ct() { "$build/config-tool" "$@"; }

# drill_setup: init plus drill-sized breaker timers (short windows so a drill fits in a minute).
drill_setup() {
  ct init >/dev/null
  for b in bank_a bank_b bank_c bank_d; do
    ct set "banks.$b.circuit_breaker.open_duration_s" "${DRILL_OPEN_S:-8}" --reason "drill: short breaker timer" >/dev/null
  done
}

# drill_run DURATION_S INCIDENT... : the drill's traffic with the agent healing it, in the chosen mode.
drill_run() {
  local duration=$1; shift
  incident_args=()
  for i in "$@"; do incident_args+=(--incident "$i"); done
  world_args=()
  if [ -n "${DRILL_WORLD:-}" ]; then world_args=(--world "$DRILL_WORLD"); fi
  echo "drill $drill_name: $drill_mode mode, seed $seed, $tps payments/s for ${duration}s, agent every $interval"
  if [ "$drill_mode" = live ]; then drill_run_live "$duration"; else drill_run_virtual "$duration"; fi
}

# The virtual instant the operator step is due at (seconds from start), for the tick script.
drill_start_epoch_s() { date -u -d "$start" +%s; }

drill_run_virtual() {
  local duration=$1 q_build q_data
  # The next whole second: after drill_setup's config-tool entries, so they are in the past as in live mode.
  start=$(date -u -d '+1 second' +%Y-%m-%dT%H:%M:%S.000Z)
  q_build=$(printf '%q' "$build"); q_data=$(printf '%q' "$data")
  # POSIX sh, sourced by the simulator's own `/bin/sh -c` (one process fewer per tick).
  {
    echo 'set -eu'
    if [ -n "${DRILL_OPERATOR:-}" ]; then
      # The operator's step, once, at the first tick at or after its time.
      echo "if [ ! -e $q_data/operator.done ] && [ \"\$(date -u -d \"\$PAYOPS_NOW\" +%s)\" -ge $(( $(drill_start_epoch_s) + ${DRILL_OPERATOR_AT:?DRILL_OPERATOR needs DRILL_OPERATOR_AT} )) ]; then"
      echo "  build=$q_build; $DRILL_OPERATOR"
      echo "  touch $q_data/operator.done"
      echo "fi"
    fi
    if [ "$progress_cols" -gt 0 ]; then
      # At most ~100 redraws a drill (one per 1% of the run), cheap enough beside the tick's own work.
      echo "p=\$(( \$(date -u -d \"\$PAYOPS_NOW\" +%s) - $(drill_start_epoch_s) ))"
      echo "if [ \$(( p * 100 % $duration )) -lt 100 ] && [ -t 9 ]; then"
      echo "  printf '\\r%.$((progress_cols - 1))s\\033[K' \"drill $drill_name: virtual \$p/$duration s \$(( p * 100 / $duration ))%\" >&9"
      echo "fi"
    fi
    local agent_cmd="$q_build/agent --now \"\$PAYOPS_NOW\" ${DRILL_AGENT_ARGS:-} once --short-window $short_window"
    echo "${DRILL_TICK_AGENT:-$agent_cmd} >> $q_data/agent.log 2>&1 \\"
    echo "  || { echo \"agent once failed at \$PAYOPS_NOW; its output is in $q_data/agent.log\" >&2; exit 1; }"
    echo "$q_build/config-tool show --json > $q_data/sample.json"
    echo "{ tr -d '\\n' < $q_data/sample.json; echo; } >> $q_data/samples.jsonl"
  } > "$data/tick.sh"
  if ! "$build/simulator" --fast --start "$start" --tps "$tps" --duration "${duration}s" --seed "$seed" \
      "${incident_args[@]}" "${world_args[@]}" --tick-every "$interval" --tick ". $q_data/tick.sh" --quiet --json \
      > "$data/simulator.json" 2> "$data/simulator.err"; then
    if [ "$progress_cols" -gt 0 ]; then printf '\r\033[K' >&9; fi
    echo "drill: the closed loop failed:" >&2
    cat "$data/simulator.err" >&2
    return 1
  fi
  if [ "$progress_cols" -gt 0 ]; then printf '\r\033[K' >&9; fi
  if [ "${DRILL_LIVE:-0}" = 1 ]; then cat "$data/agent.log"; fi
}

drill_run_live() {
  local duration=$1
  start=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  "$build/simulator" --tps "$tps" --duration "${duration}s" --seed "$seed" "${incident_args[@]}" "${world_args[@]}" \
    --quiet > "$data/simulator.json" 2> "$data/simulator.err" &
  sim=$!
  pids+=("$sim")
  if [ "${DRILL_LIVE:-0}" = 1 ]; then
    # The demo: the agent's cycle lines go to the terminal as they happen (and to the log).
    "$build/agent" ${DRILL_AGENT_ARGS:-} run --interval "$interval" --short-window "$short_window" \
      > >(tee "$data/agent.log") 2>&1 &
  else
    "$build/agent" ${DRILL_AGENT_ARGS:-} run --interval "$interval" --short-window "$short_window" \
      > "$data/agent.log" 2>&1 &
  fi
  agent=$!
  pids+=("$agent")
  ( while :; do "$build/config-tool" show --json 2>/dev/null | tr -d '\n' >> "$data/samples.jsonl" \
      || printf '{"invalid":true}' >> "$data/samples.jsonl"; echo >> "$data/samples.jsonl"; sleep 0.25; done ) &
  sampler=$!
  pids+=("$sampler")
  if [ -n "${DRILL_OPERATOR:-}" ]; then
    ( sleep "${DRILL_OPERATOR_AT:?DRILL_OPERATOR needs DRILL_OPERATOR_AT}"; eval "$DRILL_OPERATOR" ) &
    pids+=($!)
  fi
  wait "$sim"
  kill -TERM "$agent" "$sampler" 2>/dev/null || true
  wait "$agent" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  pids=()
}

# drill_score DURATION_S [extra agent score args]: baseline, oracle and the oracle one cycle late in
# virtual time over the same period (same start, tps, seed, world and incidents, the config as the
# drill began), then the scorecard: its table on stdout, the HTML report in $data/report.html, the
# JSON in $data/score.json.
# Returns the scorecard's exit code (5: a bar missed).
drill_score() {
  local base="$data/baseline" oracle="$data/oracle" late="$data/oracle_late" duration_s=$1 code=0
  shift
  mkdir -p "$base" "$oracle" "$late"
  for d in "$base" "$oracle" "$late"; do
    "$build/config-tool" --data-dir "$d" init >/dev/null
    for b in bank_a bank_b bank_c bank_d; do
      "$build/config-tool" --data-dir "$d" set "banks.$b.circuit_breaker.open_duration_s" "${DRILL_OPEN_S:-8}" >/dev/null
    done
    if [ -n "${DRILL_BASELINE_SETUP:-}" ]; then PAYOPS_DATA_DIR=$d eval "$DRILL_BASELINE_SETUP"; fi
  done
  "$build/simulator" --data-dir "$base" --fast --start "$start" --tps "$tps" --duration "${duration_s}s" \
    --seed "$seed" "${incident_args[@]}" "${world_args[@]}" --quiet > /dev/null
  "$build/simulator" --data-dir "$oracle" --fast --oracle --start "$start" --tps "$tps" --duration "${duration_s}s" \
    --seed "$seed" "${incident_args[@]}" "${world_args[@]}" --quiet > /dev/null
  # The oracle one agent cycle late: what is reachable from the log (docs/oracle.md); reported, not a bar.
  "$build/simulator" --data-dir "$late" --fast --oracle --oracle-lag "$interval" --start "$start" --tps "$tps" \
    --duration "${duration_s}s" --seed "$seed" "${incident_args[@]}" "${world_args[@]}" --quiet > /dev/null
  local score_args=(score --start "$start" --interval "$interval" "${incident_args[@]}"
    --baseline "$base/transactions.csv" --oracle "$oracle/transactions.csv" --late-oracle "$late/transactions.csv"
    --samples "$data/samples.jsonl" "$@")
  # In real time the agent's share of the first-attempt gap depends on how promptly a loaded machine
  # runs its cycles (drill.bank_outage_live gave 89.6% beside a parallel suite and two developers'
  # drills, >= 90% in every CI run before), which would make the bar a wall-clock assertion. The 90%
  # bar is judged in virtual time (drill.bank_outage, exact cycle instants); live, the mark keeps its
  # floor (45%), so an agent that does nothing still fails, and every other bar stands.
  if [ "$drill_mode" = live ]; then score_args+=(--known-short first_attempt_gap); fi
  "$build/agent" "${score_args[@]}" --json > "$data/score.json" || true
  "$build/agent" "${score_args[@]}" --report "$data/report.html" || code=$?
  echo "drill $drill_name: report in $data/report.html (kept with DRILL_KEEP=1)"
  if [ -n "${DRILL_RESULT_DIR:-}" ]; then cp "$data/score.json" "$DRILL_RESULT_DIR/$drill_name.$seed.json"; fi
  return $code
}
