#!/usr/bin/env bash
# Drill: a gray failure. bank_c's median latency goes to 2.5 s for 30 s with no extra errors (the
# tail past the 8 s gateway timeout is about 1% of its attempts). Payments still succeed, slowly: the
# agent must treat slow as a failure mode and move first attempts away while it lasts. The first slow
# rows reach the log 2.5 s after the start, so detection is timed from 8 s + 2.5 s.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 50 bank_c:latency=2500ms:8s+30s
drill_score 50 --detect-from 10500ms
