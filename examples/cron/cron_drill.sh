#!/usr/bin/env bash
# Drill: the agent run the way cron runs it. No daemon: `agent once` through the cron wrapper every
# second (cron's minute, compressed), while bank_b has an outage. The agent must detect it and heal
# the routing exactly as the daemon would, because every cycle reads its memory back from the config.
source "$(dirname "${BASH_SOURCE[0]}")/../drills/lib.sh"
drill_setup
wrapper="$(dirname "${BASH_SOURCE[0]}")/payops-agent-once.sh"
start=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
incident_args=(--incident bank_b:outage:8s+20s)
"$build/simulator" --tps "$tps" --duration 40s --seed "$seed" "${incident_args[@]}" --quiet > "$data/simulator.json" 2>&1 &
sim=$!
pids+=("$sim")
( while :; do "$build/config-tool" show --json 2>/dev/null | tr -d '\n' >> "$data/samples.jsonl"; echo >> "$data/samples.jsonl"; sleep 0.25; done ) &
pids+=($!)
while kill -0 "$sim" 2>/dev/null; do
  PAYOPS_BUILD=$build bash "$wrapper" --short-window "${DRILL_SHORT_WINDOW:-6s}" >> "$data/agent.log" 2>&1 || true
  sleep 1
done
kill "${pids[@]}" 2>/dev/null || true
pids=()
drill_score 40
