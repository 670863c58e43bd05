#!/usr/bin/env bash
# Control drill: two minutes of ordinary traffic, no fault at all. The agent must raise no false
# alarm (no health or breaker change on any bank) and must not make customers' first attempts worse
# than the operator's static weights do (first-attempt success >= the baseline's over the run).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 120
# At healing5 8d2cdb3, b09cee0 and e723356 alike: no false alarm and a whole-run gain of +0.0 pt on
# seeds 1-3 and the default seed (examples/drills/run_seeds.sh --seeds 3 --jobs 1; default seed: bash
# examples/drills/calm.sh)
drill_score 120 --calm
