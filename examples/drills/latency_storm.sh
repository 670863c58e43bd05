#!/usr/bin/env bash
# Drill: a timeout storm. bank_c's median latency jumps to 6 s for 20 s, so most of its attempts hit
# the gateway timeout (GATEWAY_TIMEOUT, a soft failure). The agent must route around it in time.
# A row is written when its attempt finishes, so nothing of the storm can be in the log until its
# first slow attempts finish, 6 s after it starts: detection is timed from then (8 s + 6 s).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 40 bank_c:latency=6000ms:8s+20s
# The agent sees the storm 2 s in, from the rows that stop arriving (silence, lib/agent/silence.h),
# not 6 s in from the timeouts, and ejects bank_c: p95 gap 96% on the default seed, 96-97% on seeds
# 1-3. First-attempt success stays known-short: 76% on the default seed, 77% / 73% / 95% on seeds 1-3,
# p95 gap 96% / 97% / 96% (examples/drills/run_seeds.sh --seeds 3 --jobs 2, healing4 at 302ad61). Why the oracle's figure is out of reach from
# the log: the attempts routed to bank_c in the storm's first ~2 s look like any others until their
# rows fail to arrive (about 45 attempts, a third of them timing out), and the half_open probes of a
# bank that is still slow cost a few more; the oracle knows at 0 s. Those few dozen payments are
# 10-30% of a gap of about 110 payments, and the random draws of two different routings move the
# agent-vs-oracle difference by +-10 payments on their own.
# At healing5 8d2cdb3, b09cee0 and e723356 alike (unchanged): first-attempt gap 77% / 73% / 95% on seeds
# 1-3, 76% on the default seed; p95 gap 96% / 97% / 96%, default 96% (examples/drills/run_seeds.sh
# --seeds 3 --jobs 1; default seed: bash examples/drills/latency_storm.sh). With the oracle one cycle
# late (main 7bb7892, at e723356): it reaches 85% / 85% / 92% of the first-attempt gap on seeds 1-3 and
# 94% on the default seed, the agent 83-112% and 80% of that.
drill_score 40 --detect-from 14s --known-short first_attempt_gap
