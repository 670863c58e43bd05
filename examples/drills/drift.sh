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
# Measured on the common random numbers (main ae1b539, merged at d10a761): whole-run first-attempt
# gain over static weights in points, seeds 1-8 (DRILL_SEED=N bash examples/drills/drift.sh; the
# default seed is the suite's):
#   agent (drift2: best bank alone, change points)   +2.49 / +2.01 / +2.10 / +2.36 / +1.57 / +1.18 / +2.39 / +2.40, default +1.9
#   agent before (main 3b085a7: best two by intent,  +1.25 / +0.79 / +0.89 / +1.27 / +0.98 / +1.16 / +1.14 / +1.10, default +0.6
#     a 5 s vs 30 s drop detector)
#   the hindsight oracle (avoids the affected bank,  +0.81 / +0.89 / +0.96 / +0.92 / +0.83 / +1.05 / +0.96 / +0.94
#     routes the rest by the operator's weights)
# Where it comes from (mean over seeds 1-8, first-attempt success of the payments started in each
# phase; agent / baseline / oracle): 0-90 s 94.3 / 92.7 / 93.2 (bank_a, the best, takes 96%); 90-100 s
# 90.6 / 91.0 / 92.2 (bank_a's 4-5 point fall takes 5-10 s to tell from bank_b's 97%: the cost the
# oracle does not pay); 100-120 s 93.0 / 91.3 / 92.8; 120-180 s 94.8 / 91.4 / 92.8 (bank_c, at 99.5%
# since its recovery, takes over once its exploration trickle, ~2 attempts/s, shows a change point:
# 20-40 s after 90 s; on seed 6 only near the end, hence its +1.2). The agent beats the oracle because
# the oracle only avoids incidents; it never prefers the better of two healthy banks.
ct set routing_rules.success_rate_routing.enabled true --reason "drill: opt in to success-rate routing" >/dev/null
DRILL_WORLD="$data/world.json"
cat > "$DRILL_WORLD" <<'JSON'
{"banks": {"bank_c": {"soft_failure_rate": 0.005}}}
JSON
drill_run 180 bank_c:errors=0.06:0s+90s bank_a:errors=0.05:90s
# Detection is judged from bank_a's degradation (the change that costs most), flaps by the two edges.
# First-attempt gap (bar 90%) on the merged code, seeds 1-8: 309 / 227 / 219 / 256 / 189 / 112 / 250 / 256 %,
# default seed 226% (before: 155 / 89 / 93 / 138 / 118 / 110 / 119 / 117 %, default 77%). With gain
# and first_attempt_gap passing on seeds 1-3 and the default seed their marks went; p95_gap keeps its
# mark: the oracle has no p95 room (its p95 is no better than the baseline's; the agent's is lower).
# The flaps bar on bank_a failed on seeds 1, 5 and 8 at d10a761 (2 health changes, 1 allowed), as on
# seeds 4 and 6 before: the outlier rule marked bank_a degraded (~13% faults over ~170 attempts, peers
# at 0.3-2%), and the health rule called it healthy again at <= 10% faults over a handful of
# exploration attempts while it was still ~5 points worse. Since 1fd4c73 an outlier verdict is
# withdrawn only when the faults since it rule out its peers' rate + half the outlier margin: seeds
# 1-8 all pass, gain +2.49 / +2.01 / +2.10 / +2.36 / +1.56 / +1.18 / +2.39 / +2.40 pt, the oracle
# +0.81 to +1.05 (examples/drills/run_seeds.sh --seeds 8 --jobs 2 drift), default seed +1.9.
# The outlier margin went from 10 to 5 points (slow_degradation.sh): +2.38 / +2.06 / +1.35 / +2.36 /
# +1.69 / +2.04 / +2.39 / +2.41 on seeds 1-8, default +1.9, 8 of 8 pass. At 5 points seed 3 had
# first flapped on bank_d: a slow verdict on the slow tail of attempts sent before a cut of its
# weight, judged since on the attempts started after the cut (rules_reasoner.h, rule 3).
drill_score 180 --detect-from 90s --min-first-attempt-gain 1.0 \
  --known-short p95_gap \
  --bar-reason "drift: no outage; the headline is the whole-run gain over static weights"
