#!/usr/bin/env bash
# README quick start, command 1: installs what is missing, builds, and runs the live self-healing demo
# (examples/demo.sh: simulator + agent daemon + an outage, about a minute, then the scorecard).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh" --build-dir "$root/build"
PAYOPS_BUILD="$root/build" exec bash "$root/examples/demo.sh"
