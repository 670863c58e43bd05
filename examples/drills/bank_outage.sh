#!/usr/bin/env bash
# Drill: one bank (bank_b, a quarter of the traffic) goes down hard for 20 s. The agent must open its
# breaker or degrade it within two cycles, move traffic away, keep payment success near the oracle's,
# and bring the bank back after the outage.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 40 bank_b:outage:8s+20s
# Known-short until the agent heals better (issue 14, branch healing), measured on the default seed in virtual time:
# first-attempt gap 82% (bar 90%).
drill_score 40 --known-short first_attempt_gap
