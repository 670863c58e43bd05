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
drill_score 45 --max-health-changes 2
