#!/usr/bin/env bash
# Drill: a gray failure. bank_c's median latency goes to 2.5 s for 30 s with no extra errors (the
# tail past the 8 s gateway timeout is about 1% of its attempts). Payments still succeed, slowly: the
# agent must treat slow as a failure mode and move first attempts away while it lasts. The first slow
# rows reach the log 2.5 s after the start, so detection is timed from 8 s + 2.5 s.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 50 bank_c:latency=2500ms:8s+30s
# Slow is not failing: the oracle's first-attempt edge is only bank_c's ~1% of attempts past the
# timeout. With common random numbers (the three runs share their luck) it is -0.3 points on the
# default seed and -0.20 / +0.51 / +0.93 on seeds 1-3 over 4,500 payments, each within two standard
# errors of chance (~1.05 points), so that bar cannot be judged; the p95 gap is this drill's headline
# (84% on the default seed, 94% / 96% / 96% on seeds 1-3, run_seeds.sh --seeds 3 --jobs 2).
# The agent sees it from the rows that stop arriving (silence) or the slow calls, ejects or floors
# bank_c, and brings it back only when its attempts finish fast at the rate its share predicts:
# detection 0 s and mitigation 0.5 s on the default seed (detect and mitigate pass on seeds 1-3 too),
# p95 gap 93% on the default seed. The p95 gap was known-short: seeds 1-3 gave 95% / 78% / 95%
# (examples/drills/run_seeds.sh --seeds 3 --jobs 2, at ba915f3 and at healing4 302ad61 alike; the
# 78% run, by the analysis of an earlier round: silence is not clear enough, since a third of a 2.5
# s-median bank's attempts still finish within 2 s, and the slow-call rule acts later).
# At healing5 8d2cdb3: p95 gap 95% / 78% / 95% on seeds 1-3, 93% on the default seed. Seed 2, per second
# of payment start: bank_c kept its share for 5 s (8-12 s: ~100 slow payments beyond the oracle's) until
# the slow-call rule saw 47% of 77 attempts slow; its floor of 1 then cost ~2 slow payments a second
# (~55 over the incident). Since b09cee0 (measured at e723356 too), a bank whose attempts crawl (counted
# by start, too few finish fast; lib/agent/silence.h) is silent: bank_c's breaker opens at 12 s on seed
# 2 (4 of 44 due finished fast) and no floor trickle follows. p95 gap 95% / 85% / 95% on seeds 1-3, 93%
# on the default seed; first-attempt gap 73% on seed 2, the only seed with room
# (examples/drills/run_seeds.sh --seeds 3 --jobs 1; default seed: bash examples/drills/slow_bank.sh), so
# the p95_gap mark is gone.
drill_score 50 --detect-from 10500ms --known-short first_attempt_gap \
  --bar-reason "gray failure: slow, not failing, so payment latency p95 is the gap to capture"
