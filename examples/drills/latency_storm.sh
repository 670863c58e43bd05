#!/usr/bin/env bash
# Drill: a timeout storm. bank_c's median latency jumps to 6 s for 20 s, so most of its attempts hit
# the gateway timeout (GATEWAY_TIMEOUT, a soft failure). The agent must route around it in time.
# A row is written when its attempt finishes, so nothing of the storm can be in the log until its
# first slow attempts finish, 6 s after it starts: detection is timed from then (8 s + 6 s).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 40 bank_c:latency=6000ms:8s+20s
# Known-short until the agent heals better (issue 14, branch healing), measured on the default seed in virtual time:
# first-attempt gap 26% (bar 90%), p95 gap 9% (bar 80%): a slow bank keeps its weight.
drill_score 40 --detect-from 14s --known-short first_attempt_gap --known-short p95_gap
