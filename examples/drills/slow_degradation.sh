#!/usr/bin/env bash
# Drill: bank_c degrades slowly: extra soft failures creep from 15% to 35% to 60% over 30 s. The
# agent must catch it once the error rate is clearly bad (its thresholds, not at the first blip), and
# move traffic away in bounded steps. Detection is judged from when the error rate reaches 60%.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 45 bank_c:errors=0.15:6s+12s bank_c:errors=0.35:18s+12s bank_c:errors=0.6:30s+12s
# The outlier rule (fault rate 5+ points above its peers' and its own norm, beyond chance) moves
# bank_c's traffic before its faults reach the absolute thresholds. Since d2281b8 / 9f13dd8 it judges a
# bank whose success changed, and that fails under degrade_enter since, on its attempts started since
# the change point (change_point.h), against its norm before it: a 6 s window no longer dilutes the
# first seconds of the 15% phase with the calm ones before. Measured in virtual time
# (examples/drills/run_seeds.sh --seeds 8 --jobs 2), first-attempt gap on seeds 1-8:
#   10-point margin (9f13dd8 to bb13eef)   88 / 98 / 85 / 72 / 81 / 94 / 83 / 74%, default seed 92%
#   5-point margin (since)                102 / 98 / 85 / 72 / 81 / 94 / 83 / 74%, default seed 92%
# p95 gap 111 / 86 / 88 / 75 / 88 / 112 / 86 / 76% (default 106%); main 11ca0e3 had 83 / 70 / 85% on 1-3.
# Both stay known-short. Where the rest of the gap goes, and how much of it the log allows. Per seed:
# bank_c's faults by start in the baseline's first 8 s of the 15% phase; the second an ideal test
# would call it (one that knows bank_c's true norm, 1.8% faults, and calls at the first second whose
# faults since 6 s have a Poisson tail < 1e-6 at that norm, the agent's own false-alarm bar); the
# second the agent first acted on bank_c (each from the run's transactions.csv and agent.log):
#   seed           1     2     3     4     5     6     7     8
#   faults       13.7% 17.1% 19.9% 12.2% 15.6% 17.0% 14.8% 15.9%
#   ideal test   12.1   7.7   9.2  15.1   7.2   8.6  10.3  10.5 s
#   the agent    13     8    10    19     9     9    20    22 s      (the phase starts at 6 s)
# (the agent's seconds at the 10-point margin; at 5 points seed 1 is caught sooner, the rest alike.)
# The late oracle acts at 7 s: even a test that knows bank_c's norm needs 1-9 s more at a
# false-alarm bar a tool can live with (a 15% phase can show as 12% faults: seed 4). The agent is
# within 2 s of it on seeds 1-3, 5 and 6. On 4, 7 and 8 it is 4-12 s later: it does not know
# bank_c's norm, only 6 s of rows of it (~130 attempts, 1-3 faults), and against that a rise to ~12%
# is beyond chance only at ~1e-3 (seed 8: 20 faults in 169 against 3 in 132, two-sample), while a
# bank whose usual rate is above what such a thin sample shows fails that much on ordinary days.
# Tried on 2026-11-30 and reverted: testing the rise from onsets 2-16 s back against the peers and
# that thin norm caught seed 8 at 14 s (85% of the gap), and called bank_d (4.5% faults, its usual)
# an outlier in 4 of 104 drill runs over seeds 1-8: false alarms. With a 60 s calm lead-in (a norm
# of ~1,300 attempts; incidents at 66 s, 78 s and 90 s) the 10-point margin gave 76 / 89 / 98% over
# seeds 1-8: on seed 7 the phase showed ~8% faults over its first 8 s and the agent called it 10 s in.
drill_score 45 --detect-from 30s --known-short first_attempt_gap --known-short p95_gap
