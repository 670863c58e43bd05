#!/usr/bin/env bash
# Cron wrapper for one agent cycle. `flock -n` on a lock of its own makes an overlapping run (a slow
# cycle, a stuck disk) exit at once instead of piling up; the agent itself also takes the config lock
# for its decide-and-write step, so even two cycles that do overlap never both act.
#
#   * * * * * PAYOPS_DATA_DIR=/var/lib/payops /opt/payops/examples/cron/payops-agent-once.sh
set -euo pipefail
build=${PAYOPS_BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
data=${PAYOPS_DATA_DIR:?set PAYOPS_DATA_DIR to the data directory}
exec flock -n "$data/agent-cron.lock" "$build/agent" --data-dir "$data" once "$@"
