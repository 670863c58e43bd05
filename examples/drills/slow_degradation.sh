#!/usr/bin/env bash
# Drill: bank_c degrades slowly: extra soft failures creep from 15% to 35% to 60% over 30 s. The
# agent must catch it once the error rate is clearly bad (its thresholds, not at the first blip), and
# move traffic away in bounded steps. Detection is judged from when the error rate reaches 60%.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 45 bank_c:errors=0.15:6s+12s bank_c:errors=0.35:18s+12s bank_c:errors=0.6:30s+12s
# The outlier rule (fault rate 10+ points above its peers' and its own norm, beyond chance) moves
# bank_c's traffic before its faults reach the absolute thresholds. Since d2281b8 / 9f13dd8 it judges a
# bank whose success changed, and that fails under degrade_enter since, on its attempts started since
# the change point (change_point.h), against its norm before it: a 6 s window no longer dilutes the
# first seconds of the 15% phase with the calm ones before. Measured in virtual time at 9f13dd8
# (examples/drills/run_seeds.sh --seeds 8 --jobs 2 slow_degradation): first-attempt gap 88 / 98 / 85 /
# 72 / 81 / 94 / 83 / 74% on seeds 1-8 (main 11ca0e3: 83 / 70 / 85% on seeds 1-3), 92% on the default
# seed; p95 gap 100 / 86 / 88 / 75 / 88 / 112 / 86 / 76%, 106% on the default seed.
# Both stay known-short, and the log is not the excuse. On seeds 4 and 8 the 15% phase comes out as
# ~9-10% faults in bank_c's rows (the world reports some of its soft failures as RATE_LIMITED, load,
# not a fault), under the 10-point margin: seed 4 is caught 11 s into it, seed 8 only in the 35%
# phase by the 25% threshold (bank_c's failed first attempts: the agent 80 and 116, the late oracle 4
# and 8). The margin is a choice: a bank a few points worse than its peers is success-rate routing's
# to demote (drift.sh), not an incident's; at 7 points (tried at d2281b8) drift flapped on 1 of 8
# seeds and the short seeds still waited (with ~8 s of history before the incident, a 9-point change
# did not reach the change point's log-likelihood ratio of 8 either).
drill_score 45 --detect-from 30s --known-short first_attempt_gap --known-short p95_gap
