#!/usr/bin/env bash
# Drill: bank_a, the primary bank (the biggest weight and capacity), goes down hard for 20 s. Its
# traffic must move to the others without pushing them past their capacity, and bank_a must come
# back after the outage.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 45 bank_a:outage:8s+20s
# Known-short until the agent heals better (issue 14, branch healing), measured on the default seed in virtual time:
# first-attempt gap 70% (bar 90%).
drill_score 45 --known-short first_attempt_gap
