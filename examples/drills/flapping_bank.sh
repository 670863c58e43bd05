#!/usr/bin/env bash
# Drill: bank_a (half the traffic) flaps: down 3 s, up 3 s, for 30 s. The agent must protect
# payments without flapping itself: few health changes, not one per flip.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 45 bank_a:flap=3s:6s+30s
# Known-short until the agent heals better (issue 14, branch healing), measured on the default seed in virtual time:
# first-attempt gap 69% (bar 90%). Seeds 1-3 at 98b155b: 84.8% / 83.5% / 87.5% (p95 gap 97-98%), by
# `examples/drills/run_seeds.sh --seeds 3 --jobs 1 flapping_bank`. Why 90% is out of reach from the log
# with a 1 s cycle (seed 1, per second of payment start against the oracle run): the first down edge
# costs one whole cycle of bank_a's half share (all 75 of its first attempts fail before a row shows it:
# 1.6 pt, 7% of the 23.7 pt gap); the close after the first healthy probes (3 s up) meets the next
# down edge one second later (46 payments at weight 25 of 75); and bank_a, the best bank, stays
# ejected through its up phases, where the oracle uses it (about 1 pt on half the traffic, ~40
# payments). Since the half_open probes run at the slow-start weight instead of the intent (075defa;
# the first close then lands at 13 of 63, not 25 of 75): 86.9% / 86.2% / 88.3%, p95 gap 97-98%.
# Since a close lands at twice what carried the probes (5 of 55, then doubling; healing4 302ad61):
# 89% / 86% / 88%, p95 gap 97% / 96% / 98% (examples/drills/run_seeds.sh --seeds 3 --jobs 2). Why a
# quicker return does not close the rest (seed 1, per second of payment start against the oracle):
# the first down edge is 74 of the ~1070-payment gap (7%); bank_a's advantage in an up phase is ~2-5%
# of its share (~3-8 payments a second, ~45 over the five up phases), while each re-admission costs a
# whole second of whatever share it was given at the next down edge (100% of it fails): at 3 s up /
# 3 s down, keeping a flapping bank out through its up phases is the better bet for an agent that
# learns of each edge only from the rows after it. 90% needs knowing the flap's period.
# At healing5 8d2cdb3, b09cee0 and e723356 alike: first-attempt gap 89% / 86% / 88% on seeds 1-3, 91% on
# the default seed; p95 gap 97% / 96% / 98%, default 98% (examples/drills/run_seeds.sh --seeds 3 --jobs
# 1; default seed: bash examples/drills/flapping_bank.sh). The mark stays: seeds 2 and 3 miss. Default
# seed, per second against the oracle: the first down edge is 67 of the 92 failed first attempts the
# agent has beyond the oracle's, the close into the next down edge 12. With the oracle one cycle late
# (main 7bb7892, at e723356): it reaches 64-67% of the first-attempt gap on seeds 1-3 and 70% on the
# default seed; the agent 130-137% and 131% of that.
drill_score 45 --max-health-changes 4 --known-short first_attempt_gap
