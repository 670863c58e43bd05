#!/usr/bin/env bash
# Drill: an operator starts a chaos experiment that is too strong (70% of attempts on every bank fail).
# Payment success falls below the agent's floor (--chaos-abort-below 0.85), so the agent must turn
# chaos off and say why, while never touching the operator's other settings.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
ct chaos on --rate 0.7 --reason "drill: chaos experiment" >/dev/null
DRILL_BASELINE_SETUP='"$build/config-tool" chaos on --rate 0.7 >/dev/null'
drill_run 25
history=$(ct history --json --last 0)
aborted=$(printf '%s' "$history" | python3 -c '
import json, sys
h = json.load(sys.stdin)
print(sum(1 for e in h if e["actor"] == "agent" and e["action"] == "toggle_chaos_mode"))')
# Chaos hits every bank, so each may be marked degraded once while it lasts (and not again).
# Chaos is an operator's config experiment, not a scripted incident: there is no incident window, and
# the oracle cannot route around chaos that hits every bank. The gap, floor and detection bars cannot be
# judged here; this drill's own bars are the chaos checks below.
# At healing5 8d2cdb3, b09cee0 and e723356: every bar of its own passes on seeds 1-3 and the default
# seed; whole-run first-attempt gain +36.2 / +60.6 / +33.0 pt on seeds 1-3 at b09cee0 and e723356 (+60.5
# on seed 2 at 8d2cdb3), +61.0 on the default seed (examples/drills/run_seeds.sh --seeds 3 --jobs 1;
# default seed: bash examples/drills/chaos_abort.sh)
drill_score 25 --max-health-changes 2 --known-short first_attempt_gap --known-short p95_gap \
  --known-short eventual_floor --known-short detect \
  --bar-reason "chaos on every bank: no incident window; the drill's bars are the abort checks"
echo "chaos aborts by the agent: $aborted"
[ "$(ct get routing_rules.chaos_mode)" = false ] || { echo "FAIL: chaos is still on" >&2; exit 1; }
[ "$aborted" -ge 1 ] || { echo "FAIL: the agent did not turn chaos off" >&2; exit 1; }
[ "$(ct get routing_rules.chaos_failure_rate)" = 0.7 ] || { echo "FAIL: the agent changed the operator's chaos rate" >&2; exit 1; }
echo "chaos drill: PASS"
