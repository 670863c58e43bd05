#!/usr/bin/env bash
# Drill: bank_c degrades slowly: extra soft failures creep from 15% to 35% to 60% over 30 s. The
# agent must catch it once the error rate is clearly bad (its thresholds, not at the first blip), and
# move traffic away in bounded steps. Detection is judged from when the error rate reaches 60%.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 45 bank_c:errors=0.15:6s+12s bank_c:errors=0.35:18s+12s bank_c:errors=0.6:30s+12s
# The outlier rule (fault rate 10+ points above its peers' and its own norm, beyond chance) moves
# bank_c's traffic before its faults reach the absolute thresholds. Measured in virtual time with
# examples/drills/run_seeds.sh --seeds 3 --jobs 2 (seeds 1-3): at ba915f3 first-attempt gap 74% /
# 81% / 85%, p95 gap 74% / 75% / 96%; at healing4 302ad61, with bank_c's floor at the weight that
# watches it at 1 attempt/s (1, not a tenth of 15) and half_open probes that cannot close by
# min_requests reopening, first-attempt gap 88% / 85% / 80%, p95 gap 96% / 82% / 89%; the p95 gap stays
# known-short all the same: the default seed, the one the suite runs, gives 79.6% (bar 80%; CI at
# 3d2d49f). First-attempt stays known-short: the 15% phase is not clear from the peers until a few
# seconds of it are in the log (seed 2: 33 of a ~270-payment gap in its first 5 s), and once bank_c
# is at its floor the rest is within the random draws of two different routings (+-25 payments over
# 30 s on seed 2).
# At healing5 8d2cdb3, b09cee0 and e723356 alike (unchanged): first-attempt gap 88% / 85% / 80% on seeds
# 1-3, 73% on the default seed; p95 gap 96% / 82% / 89%, default 80% (79.6%)
# (examples/drills/run_seeds.sh --seeds 3 --jobs 1; default seed: bash
# examples/drills/slow_degradation.sh). Default seed: 61 of the 80 failed first attempts beyond the
# oracle's fall in the 15% phase (6-16 s), before bank_c's fault rate in the window is 10 points above
# its peers' (the outlier margin). With the oracle one cycle late (main 7bb7892, at e723356): it reaches
# 101% / 102% / 103% of the first-attempt gap on seeds 1-3 and 96% on the default seed, the agent 77-87%
# and 76% of that: this gap is the agent's (the outlier margin), not the log's.
drill_score 45 --detect-from 30s --known-short first_attempt_gap --known-short p95_gap
