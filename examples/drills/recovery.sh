#!/usr/bin/env bash
# Drill: after bank_b's outage ends, the agent must bring it back: breaker closed, healthy, and its
# weight restored gradually to the operator's intent (25), not left at a reduced share.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 70 bank_b:outage:5s+12s
# Known-short until the agent heals better (issue 14, branch healing), measured on the default seed in virtual time:
# first-attempt gap 72% (bar 90%).
drill_score 70 --known-short first_attempt_gap
for check in "banks.bank_b.weight 25" "banks.bank_b.health_status healthy" "banks.bank_b.circuit_breaker.state closed"; do
  set -- $check
  got=$(ct get "$1")
  [ "$got" = "$2" ] || { echo "FAIL: $1 is $got after recovery, want $2" >&2; ct history --last 15 >&2; exit 1; }
done
echo "recovery drill: PASS (bank_b back at weight 25, healthy, breaker closed)"
