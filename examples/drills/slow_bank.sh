#!/usr/bin/env bash
# Drill: a gray failure. bank_c's median latency goes to 2.5 s for 30 s with no extra errors (the
# tail past the 8 s gateway timeout is about 1% of its attempts). Payments still succeed, slowly: the
# agent must treat slow as a failure mode and move first attempts away while it lasts. The first slow
# rows reach the log 2.5 s after the start, so detection is timed from 8 s + 2.5 s.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
drill_run 50 bank_c:latency=2500ms:8s+30s
# Slow is not failing: the oracle is no better than the baseline on first-attempt success (92.3% vs
# 92.4% on the default seed), so that bar cannot be judged; the p95 gap is this drill's headline.
# Known-short until the agent heals better (issue 14, branch healing), measured on the default seed in virtual time:
# p95 gap 0% (bar 80%), detection 7.5 s (bar 4 s), and no mitigation: a slow bank keeps its weight.
drill_score 50 --detect-from 10500ms --known-short first_attempt_gap --known-short p95_gap \
  --known-short detect --known-short mitigate \
  --bar-reason "gray failure: slow, not failing, so payment latency p95 is the gap to capture"
