#!/usr/bin/env bash
# Drill: bank_c degrades slowly: extra soft failures creep from 15% to 35% to 60% over 30 s. The
# agent must catch it once the error rate is clearly bad (its thresholds, not at the first blip), and
# move traffic away in bounded steps. Detection is judged from when the error rate reaches 60%.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 45 bank_c:errors=0.15:6s+12s bank_c:errors=0.35:18s+12s bank_c:errors=0.6:30s+12s
# The outlier rule (fault rate 10+ points above its peers' and its own norm, beyond chance) moves
# bank_c's traffic before its faults reach the absolute thresholds. Since d2281b8 it judges a bank whose
# success changed on its attempts started since the change point (change_point.h), against its norm
# before it: a 6 s window no longer dilutes the first seconds of the 15% phase with the calm ones
# before. Measured in virtual time (examples/drills/run_seeds.sh --seeds 3 --jobs 2, and --seeds 8
# slow_degradation): first-attempt gap 88 / 98 / 85% on seeds 1-3 (main 11ca0e3: 83 / 70 / 85%), 72 /
# 83 / 98% (min / median / max) over seeds 1-8; p95 gap 100 / 86 / 88% (68 / 87 / 112% over 1-8).
# First-attempt stays known-short, and the log is not the excuse: on seeds 4, 7 and 8 (72-74%) the
# 15% phase comes out as ~10 points of faults (the world reports a tenth of its soft failures as
# RATE_LIMITED, load, not a fault), under the 10-point margin, so nothing moves until the 35% phase
# (seed 7: bank_c's 85 failed first attempts against the late oracle's 3, 55 of them in the 15%
# phase). The margin is a choice: a bank a few points worse than its peers is success-rate
# routing's to demote (drift.sh), not an incident's; at 7 points drift flapped on 1 of 8 seeds and
# seed 7 still waited (its change did not reach the change point's log-likelihood ratio of 8).
# p95 stays known-short for the same seeds (68-76%).
drill_score 45 --detect-from 30s --known-short first_attempt_gap --known-short p95_gap
