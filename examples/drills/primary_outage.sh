#!/usr/bin/env bash
# Drill: bank_a, the primary bank (the biggest weight and capacity), goes down hard for 20 s. Its
# traffic must move to the others without pushing them past their capacity, and bank_a must come
# back after the outage.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 45 bank_a:outage:8s+20s
drill_score 45
