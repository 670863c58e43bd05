#!/usr/bin/env bash
# Drill: one bank (bank_b, a quarter of the traffic) goes down hard for 20 s. The agent must open its
# breaker or degrade it within two cycles, move traffic away, keep payment success near the oracle's,
# and bring the bank back after the outage.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 40 bank_b:outage:8s+20s
drill_score 40
