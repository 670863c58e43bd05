# Shared plumbing for the drills: sourced, not run. A drill is: a fresh data dir, the simulator paced
# in real time with scripted incidents, the agent daemon healing it, a sampler taking config snapshots,
# then a baseline (same traffic, no agent) and an oracle (hindsight-perfect routing) generated in
# virtual time over the same period, and `agent score` judging the run against the bars.
#
# Environment: PAYOPS_BUILD (default: <repo>/build), DRILL_KEEP=1 keeps the data dir,
# DRILL_TPS (default 150), DRILL_INTERVAL (agent cycle, default 1s), DRILL_LIVE=1 shows the agent live.
set -euo pipefail

drill_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${PAYOPS_BUILD:-$drill_root/build}
for tool in simulator agent config-tool; do
  [ -x "$build/$tool" ] || { echo "drill: $build/$tool not found; build first (bash scripts/setup.sh)" >&2; exit 2; }
done
tps=${DRILL_TPS:-150}
interval=${DRILL_INTERVAL:-1s}
seed=${DRILL_SEED:-$RANDOM}
data=$(mktemp -d /tmp/payops-drill.XXXXXX)
export PAYOPS_DATA_DIR=$data
pids=()

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

# drill_run DURATION_S INCIDENT... : runs simulator + agent + sampler in real time for DURATION_S.
drill_run() {
  local duration=$1; shift
  incident_args=()
  for i in "$@"; do incident_args+=(--incident "$i"); done
  start=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  "$build/simulator" --tps "$tps" --duration "${duration}s" --seed "$seed" "${incident_args[@]}" --quiet \
    > "$data/simulator.json" 2> "$data/simulator.err" &
  sim=$!
  pids+=("$sim")
  if [ "${DRILL_LIVE:-0}" = 1 ]; then
    # The demo: the agent's cycle lines go to the terminal as they happen (and to the log).
    "$build/agent" ${DRILL_AGENT_ARGS:-} run --interval "$interval" --short-window "${DRILL_SHORT_WINDOW:-6s}" \
      > >(tee "$data/agent.log") 2>&1 &
  else
    "$build/agent" ${DRILL_AGENT_ARGS:-} run --interval "$interval" --short-window "${DRILL_SHORT_WINDOW:-6s}" \
      > "$data/agent.log" 2>&1 &
  fi
  agent=$!
  pids+=("$agent")
  ( while :; do "$build/config-tool" show --json 2>/dev/null | tr -d '\n' >> "$data/samples.jsonl" \
      || printf '{"invalid":true}' >> "$data/samples.jsonl"; echo >> "$data/samples.jsonl"; sleep 0.25; done ) &
  sampler=$!
  pids+=("$sampler")
  if [ -n "${DRILL_DURING:-}" ]; then eval "$DRILL_DURING"; fi
  wait "$sim"
  kill -TERM "$agent" "$sampler" 2>/dev/null || true
  wait "$agent" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  pids=()
}

# drill_score [extra agent score args]: baseline and oracle in virtual time over the same period
# (same start, tps and incidents, the config as the drill began), then the scorecard.
drill_score() {
  local base="$data/baseline" oracle="$data/oracle"
  mkdir -p "$base" "$oracle"
  "$build/config-tool" --data-dir "$base" init >/dev/null
  "$build/config-tool" --data-dir "$oracle" init >/dev/null
  for d in "$base" "$oracle"; do
    for b in bank_a bank_b bank_c bank_d; do
      "$build/config-tool" --data-dir "$d" set "banks.$b.circuit_breaker.open_duration_s" "${DRILL_OPEN_S:-8}" >/dev/null
    done
    if [ -n "${DRILL_BASELINE_SETUP:-}" ]; then PAYOPS_DATA_DIR=$d eval "$DRILL_BASELINE_SETUP"; fi
  done
  local duration_s=$1; shift
  "$build/simulator" --data-dir "$base" --fast --start "$start" --tps "$tps" --duration "${duration_s}s" \
    --seed "$seed" "${incident_args[@]}" --quiet > /dev/null
  "$build/simulator" --data-dir "$oracle" --fast --oracle --start "$start" --tps "$tps" --duration "${duration_s}s" \
    --seed "$seed" "${incident_args[@]}" --quiet > /dev/null
  "$build/agent" score --start "$start" --interval "$interval" "${incident_args[@]}" \
    --baseline "$base/transactions.csv" --oracle "$oracle/transactions.csv" --samples "$data/samples.jsonl" "$@"
}
