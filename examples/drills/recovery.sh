#!/usr/bin/env bash
# Drill: after bank_b's outage ends, the agent must bring it back: breaker closed, healthy, and its
# weight restored gradually to the operator's intent (25), not left at a reduced share.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 70 bank_b:outage:5s+12s
# Known-short until the agent heals better (issue 14, branch healing), measured on the default seed in virtual time:
# first-attempt gap 72% (bar 90%). Seeds 1-3 at 98b155b: 90.4% / 90.5% / 87.6% (p95 gap 98-99%), by
# `examples/drills/run_seeds.sh --seeds 3 --jobs 1 recovery`. The ceiling from the log with a 1 s cycle
# is about 91%: the outage's first second is in no row when the agent runs, and bank_b's quarter share
# fails whole (~37 payments of a 410-440 payment gap, 9%); its half_open probes during the outage (8 s hold, at
# its intent x half_open_traffic_ratio, ~5/s) cost another ~10. Since the probes run at the
# slow-start weight (075defa, ~2/s): 92.7% / 92.9% / 88.5%, p95 gap 97-98%; seed 3 still misses.
# At healing4 302ad61: 93% / 93% / 89%, p95 gap 97% / 98% / 98% (examples/drills/run_seeds.sh
# --seeds 3 --jobs 2). Seed 3, per second: the first second is 37 of its ~440-payment gap, the probes
# into the still-dead bank_b 7 more; the rest is the random draws of two different routings (after
# the outage, bank_b kept out under its 16 s hold costs nothing: bank_a, which takes its share, is
# the better bank).
# At healing5 8d2cdb3, b09cee0 and e723356 alike (unchanged): first-attempt gap 93% / 93% / 89% on seeds
# 1-3, 90% on the default seed; p95 gap 97% / 98% / 98%, default 98% (examples/drills/run_seeds.sh
# --seeds 3 --jobs 1; default seed: bash examples/drills/recovery.sh). The mark stays for seed 3.
# Default seed, per second: the outage's first second is 35 of the 47 failed first attempts the agent
# has beyond the oracle's, its probes during the outage 6. With the oracle one cycle late (main 7bb7892,
# at e723356): it reaches 89% / 90% / 94% of the first-attempt gap on seeds 1-3 and 92% on the default
# seed, the agent 98-104% and 98% of that.
drill_score 70 --known-short first_attempt_gap
for check in "banks.bank_b.weight 25" "banks.bank_b.health_status healthy" "banks.bank_b.circuit_breaker.state closed"; do
  set -- $check
  got=$(ct get "$1")
  [ "$got" = "$2" ] || { echo "FAIL: $1 is $got after recovery, want $2" >&2; ct history --last 15 >&2; exit 1; }
done
echo "recovery drill: PASS (bank_b back at weight 25, healthy, breaker closed)"
