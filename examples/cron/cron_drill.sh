#!/usr/bin/env bash
# Drill: the agent run the way cron runs it. No daemon: `agent once` through the cron wrapper at every
# agent interval (cron's minute, compressed), while bank_b has an outage. The agent must detect it and
# heal the routing exactly as the daemon would, because every cycle reads its memory back from the
# config. Virtual time (the default): the simulator's --tick runs the wrapper with --now at each virtual
# second. DRILL_MODE=live: the wrapper every real second beside the paced simulator.
source "$(dirname "${BASH_SOURCE[0]}")/../drills/lib.sh"
drill_setup
wrapper="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/payops-agent-once.sh"
if [ "$drill_mode" = virtual ]; then
  DRILL_TICK_AGENT="PAYOPS_BUILD=$(printf '%q' "$build") bash $(printf '%q' "$wrapper") --now \"\$PAYOPS_NOW\" --short-window $short_window"
  drill_run 40 bank_b:outage:8s+20s
else
  start=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  incident_args=(--incident bank_b:outage:8s+20s)
  "$build/simulator" --tps "$tps" --duration 40s --seed "$seed" "${incident_args[@]}" --quiet > "$data/simulator.json" 2>&1 &
  sim=$!
  pids+=("$sim")
  ( while :; do "$build/config-tool" show --json 2>/dev/null | tr -d '\n' >> "$data/samples.jsonl"; echo >> "$data/samples.jsonl"; sleep 0.25; done ) &
  pids+=($!)
  while kill -0 "$sim" 2>/dev/null; do
    PAYOPS_BUILD=$build bash "$wrapper" --short-window "$short_window" >> "$data/agent.log" 2>&1 || true
    sleep 1
  done
  kill "${pids[@]}" 2>/dev/null || true
  pids=()
fi
# Every bar passes (the known-short mark went at 12d635e): first-attempt gap 95% on the default seed,
# 95% / 93% / 95% on seeds 1-3, p95 gap 98-99%; the oracle one cycle late reaches 94-96% of the
# first-attempt gap, the agent 97-101% of that (`DRILL_SEED=N bash examples/cron/cron_drill.sh`).
# It was 77% before the healing work (issue 14).
drill_score 40
