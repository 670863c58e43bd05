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
# Known-short: first-attempt gap 47% / 69% / 76% over seeds 1-3 (bar 90%;
# `examples/drills/run_seeds.sh --seeds 3 --jobs 1 overload`); the p95 gap passes (102-103%).
# Before the healing agent it was 108-110% (the agent of cc4fd07 against today's simulator and
# scorecard), 25-54% after. The cause: ejecting bank_b (51% faults) took its share and its retries
# to bank_a and bank_d, which cannot carry them, so their RATE_LIMITED retries overloaded each
# other. The capacity panic (rules_reasoner.h, rule 2) keeps a bank that still serves in when the
# others' learned ceilings cannot carry the load; it acts only once those ceilings are learned
# (3 saturated seconds each), so the first seconds after the ejection are still lost; and a bank
# with no ceiling learned takes at most 1.25x its peak served second, not the whole excess at once.
# What remains: a retry still goes to the next untried bank by weight, with or without room there.
# Seeds 1-3 at 98b155b: 106.9% / 90.5% / 79.2%; at 075defa (a half_open bank probes at its intent
# while the others' learned ceilings are short; at its slow-start weight that was 59-78%): 91.6% /
# 96.1% / 80.5%, p95 gap 103-105% (run_seeds.sh --seeds 3 --jobs 2 overload). At healing4 302ad61:
# 95% / 96% / 81%, p95 gap 103% / 105% / 104% (seed 3 still misses: the first seconds after bank_c's
# ejection, before bank_a's and bank_d's ceilings are learned, pile bank_c's share and the retries
# onto them). Lowering the failing bank_b's floor below a tenth of its intent cost 10-20 points
# here (72-87%): its successes are capacity the others do not have.
# At healing5 8d2cdb3, b09cee0 and e723356 alike: first-attempt gap 95% / 125% / 91% on seeds 1-3, 89%
# on the default seed (62% before); p95 gap 99% / 105% / 99%, default 99% (examples/drills/run_seeds.sh
# --seeds 3 --jobs 1; default seed: bash examples/drills/overload.sh). Two causes, both of bank_b
# (failing ~50%, at its breaker's threshold) being ejected onto banks past their capacity: bank_a's
# ceiling went unlearned for 13 s because it refused only 4-7% of a second's attempts (a second now
# counts as saturated when its 429s outnumber the bank's other faults), and bank_c, going half_open for
# one cycle, lifted the capacity panic with its unknown ceiling (a half_open bank is no room now). The
# mark stays: the default seed misses by a point. Of its ~270 failed first attempts beyond the oracle's,
# ~100 are the incident's first two seconds (in no row yet) and ~170 the steady plan (bank_a at ~290
# first attempts/s, 80% of its learned ceiling less retries, bank_b at ~135 failing 55%, where the
# oracle plans 302 / 123 with 88% of the true capacity). With the oracle one cycle late (main 7bb7892,
# at e723356): it reaches 95-97% of the first-attempt gap on seeds 1-3 and 92% on the default seed, the
# agent 95-129% and 97% of that.
# Seeds 1-8 at 44f8879 (examples/drills/run_seeds.sh --seeds 8 --jobs 2 overload): first-attempt gap
# 110 / 127 / 97 / 87 / 106 / 85 / 91 / 120%, p95 gap 97-106%; the late oracle reaches 95-97%, the agent
# 88-131% of that. Planning closer to the learned ceilings (capacity_headroom, 0.8) was tried on seeds
# 1-8: at 0.85 the gap was 79 / 106 / 132% (min / median / max), at 0.9 82 / 117 / 132%: a better
# median, a worse worst seed (a ceiling learned from a few saturated seconds is an estimate), so 0.8 stays.
drill_score 45 --max-health-changes 2 --known-short first_attempt_gap
