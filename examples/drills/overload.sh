#!/usr/bin/env bash
# Drill: two banks degrade at once under load near capacity. At 500 payments/s (about 5x the usual
# drill load; the banks' capacities are 400/150/250/100 attempts/s), bank_b fails half its attempts
# and bank_c goes down for 25 s. What is left (bank_a 400/s, bank_d 100/s) can barely carry the
# traffic: moving everything to bank_a overloads it (RATE_LIMITED), which is worse than doing
# nothing. The agent must spread by capacity, and read RATE_LIMITED as load, not as a bank fault.
export DRILL_TPS=${DRILL_TPS:-500}
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 45 bank_b:errors=0.5:8s+25s bank_c:outage:8s+25s
# bank_d near its capacity may be marked degraded once, a real verdict.
# Known-short since the healing agent landed (issue 14): first-attempt gap 43% on the default seed
# (bar 90%; 24-53% over seeds 1-3, examples/drills/run_seeds.sh --seeds 3 overload). The agent does not
# yet spread retries by capacity (that needs the router), and its capacity ceiling is learned only
# from seconds that already saw RATE_LIMITED. The p95 gap passes (102%).
drill_score 45 --max-health-changes 2 --known-short first_attempt_gap
