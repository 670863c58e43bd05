#!/usr/bin/env bash
# Non-stationary drill (3 minutes): bank quality changes mid-run and no bank ever goes down. bank_c
# starts a little flaky (+6% soft failures) and recovers at 90 s to better than its usual self (the
# world file: 0.5% soft failures); at 90 s bank_a, the best bank, degrades mildly (+5% soft failures)
# for the rest of the run. Static weights cannot follow this; an agent that routes by recent success
# should. Bar: whole-run first-attempt success at least the static weights' (the baseline) + 1.0 pt.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
# Success-rate routing is opt-in (routing_rules.success_rate_routing, README contract section): this
# drill measures what opting in buys over the operator's static weights.
# Measured (whole-run gain over static weights, seeds 1-8, DRILL_SEED=N bash examples/drills/drift.sh):
# +1.2 / +0.3 / +1.5 / +0.8 / +1.2 / +0.5 / +1.1 / +1.1 points with a 30 s half-life and the drop
# detector (a bank whose success just fell is ranked on its last seconds), every other bar passing;
# +0.6 / +0.1 / +0.9 / +0.7 / +0.3 on seeds 1-5 before them (60 s half-life). `gain` stays known-short:
# 3 of 8 seeds miss +1.0.
# The hindsight oracle itself gains only +0.7 on seed 2, where the agent matches it (92.9% both).
ct set routing_rules.success_rate_routing.enabled true --reason "drill: opt in to success-rate routing" >/dev/null
DRILL_WORLD="$data/world.json"
cat > "$DRILL_WORLD" <<'JSON'
{"banks": {"bank_c": {"soft_failure_rate": 0.005}}}
JSON
drill_run 180 bank_c:errors=0.06:0s+90s bank_a:errors=0.05:90s
# Detection is judged from bank_a's degradation (the change that costs most), flaps by the two edges.
# Seeds 1-3 (examples/drills/run_seeds.sh --seeds 3 --jobs 2, healing4 at 302ad61, the same at
# ba915f3): gain +1.2 / +0.3 / +1.5 points (bar +1.0), first-attempt gap 108% / 47% / 173% (bar 90%),
# detection 0 s and mitigation 15-24 s on all three (so those marks are gone); the oracle has no p95
# room. Seed 2 misses gain and first-attempt gap (its cause not analysed this round); the hindsight
# oracle itself gains only +0.7 there (above).
# At healing5 8d2cdb3, b09cee0 and e723356 alike (no change from the capacity fixes): gain +1.2 / +0.3 /
# +1.5 pt on seeds 1-3, +1.3 on the default seed; first-attempt gap 108% / 47% / 173%, default 129%
# (examples/drills/run_seeds.sh --seeds 3 --jobs 1; default seed: bash examples/drills/drift.sh)
drill_score 180 --detect-from 90s --min-first-attempt-gain 1.0 \
  --known-short gain --known-short first_attempt_gap --known-short p95_gap \
  --bar-reason "drift: no outage; the headline is the whole-run gain over static weights"
