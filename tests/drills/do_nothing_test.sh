#!/usr/bin/env bash
# Every drill must fail when the agent does nothing: a scorecard that passes an idle agent measures
# nothing. Each drill in examples/drills runs in virtual time with its agent cycle replaced by `true`
# (DRILL_TICK_AGENT), so the config never changes and the agent's log is the baseline's. The drill
# must exit non-zero with its scorecard's "RESULT: FAIL" or, for a drill whose bars are its own
# checks (chaos_abort), its own "FAIL:" line. calm.sh is the one exception by design: it is the
# false-alarm control, which an idle agent passes. Without an agent a drill takes about a second.
# Usage: do_nothing_test.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: do_nothing_test.sh BUILD_DIR}
drills=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../examples/drills" && pwd)
out=$(mktemp -d /tmp/payops-do-nothing.XXXXXX)
trap 'rm -rf "$out"' EXIT
failed=0 checked=0
for script in "$drills"/*.sh; do
  name=$(basename "$script" .sh)
  case $name in lib | run_seeds | calm) continue ;; esac
  checked=$((checked + 1))
  set +e
  PAYOPS_BUILD=$build DRILL_MODE=virtual DRILL_TICK_AGENT=true bash "$script" > "$out/$name.log" 2>&1
  code=$?
  set -e
  if [[ $code == 0 ]]; then
    echo "FAIL: $name passed with an agent that does nothing:" >&2
    grep -E '^\s+\[|^RESULT' "$out/$name.log" >&2 || tail -20 "$out/$name.log" >&2
    failed=$((failed + 1))
  elif grep -q '^RESULT: FAIL' "$out/$name.log" || grep -q '^FAIL: ' "$out/$name.log"; then
    echo "ok: $name fails an idle agent (exit $code): $(grep -cE '^\s+\[FAIL\]' "$out/$name.log") bars missed"
  else
    echo "FAIL: $name exited $code without a failed bar or check (broken drill?):" >&2
    tail -20 "$out/$name.log" >&2
    failed=$((failed + 1))
  fi
done
[[ $checked -ge 10 ]] || { echo "FAIL: only $checked drills found in $drills" >&2; exit 1; }
[[ $failed == 0 ]] || { echo "FAIL: $failed of $checked drills pass an idle agent" >&2; exit 1; }
echo "ok: all $checked drills fail when the agent does nothing"
