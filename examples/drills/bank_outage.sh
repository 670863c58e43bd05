#!/usr/bin/env bash
# Drill: one bank (bank_b, a quarter of the traffic) goes down hard for 20 s. The agent must open its
# breaker or degrade it within two cycles, move traffic away, keep payment success near the oracle's,
# and bring the bank back after the outage.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 40 bank_b:outage:8s+20s
# Every bar passes on seeds 1-3: first-attempt gap 95% / 93% / 95%, p95 gap 98% / 99% / 98%
# (examples/drills/run_seeds.sh --seeds 3 --jobs 2 at healing4 302ad61; the same at ba915f3, so the
# known-short mark is gone). What is left of the gap is the outage's first second, before any row
# shows it (bank_b's quarter share, ~37 payments), and its half_open probes.
# At healing5 8d2cdb3, b09cee0 and e723356 alike: first-attempt gap 95% / 93% / 95% on seeds 1-3, 96% on
# the default seed; p95 gap 98% / 99% / 98%, default 97% (examples/drills/run_seeds.sh --seeds 3 --jobs
# 1; default seed: bash examples/drills/bank_outage.sh)
drill_score 40
