#!/usr/bin/env bash
# The README's first quick-start command: installs what is missing, builds, and runs the main job in
# a scratch data dir.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bash "$root/scripts/setup.sh" --build-dir "$root/build"
data=$(mktemp -d /tmp/payops-demo.XXXXXX)
"$root/build/config-tool" --data-dir "$data" init
"$root/build/config-tool" --data-dir "$data" show
echo "demo data dir: $data"
