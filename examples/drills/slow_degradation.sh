#!/usr/bin/env bash
# Drill: bank_c degrades slowly: extra soft failures creep from 15% to 35% to 60% over 30 s. The
# agent must catch it once the error rate is clearly bad (its thresholds, not at the first blip), and
# move traffic away in bounded steps. Detection is judged from when the error rate reaches 60%.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 45 bank_c:errors=0.15:6s+12s bank_c:errors=0.35:18s+12s bank_c:errors=0.6:30s+12s
# Known-short until the agent heals better (issue 14, branch healing), measured on the default seed in virtual time:
# first-attempt gap 69% (bar 90%). The p95 gap passes on this seed (86%) but not on seeds 1 and 2 (71%,
# 72%; bar 80%; examples/drills/run_seeds.sh --seeds 3 slow_degradation), so it is marked too.
drill_score 45 --detect-from 30s --known-short first_attempt_gap --known-short p95_gap
