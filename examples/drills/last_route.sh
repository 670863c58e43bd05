#!/usr/bin/env bash
# Drill: every bank but bank_d fails at once for 20 s. The agent may open breakers and mark banks
# down, but it must never leave zero eligible banks: the last route is never taken away.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 40 bank_a:outage:8s+20s bank_b:outage:8s+20s bank_c:outage:8s+20s
# bank_d then carries everything and runs past its capacity (RATE_LIMITED): the agent may mark it
# degraded once, a real verdict, but must keep it routable.
drill_score 40 --max-health-changes 2
