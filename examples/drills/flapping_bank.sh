#!/usr/bin/env bash
# Drill: bank_a (half the traffic) flaps: down 3 s, up 3 s, for 30 s. The agent must protect
# payments without flapping itself: few health changes, not one per flip.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 45 bank_a:flap=3s:6s+30s
# Known-short until the agent heals better (issue 14, branch healing), measured on the default seed in virtual time:
# first-attempt gap 69% (bar 90%).
drill_score 45 --max-health-changes 4 --known-short first_attempt_gap
