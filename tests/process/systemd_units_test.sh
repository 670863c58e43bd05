#!/usr/bin/env bash
# examples/systemd/: every unit passes `systemd-analyze verify` with its ExecStart pointed at this
# build's binaries, and the exporter's command line is one the agent accepts. Takes about 2 s.
set -euo pipefail

build_dir=${1:?usage: systemd_units_test.sh BUILD_DIR}
src=${PAYOPS_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
units="$src/examples/systemd"
build_dir=$(cd "$build_dir" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/payops_systemd.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for u in payops-simulator.service payops-agent.service payops-exporter.service payops-exporter.timer; do
  [[ -f $units/$u ]] || fail "missing examples/systemd/$u"
  sed "s|/usr/local/bin/|$build_dir/|g" "$units/$u" > "$work/$u"
done

if command -v systemd-analyze > /dev/null; then
  # verify reads the units as files; User= names need not exist for it. Any output is a finding.
  if ! SYSTEMD_LOG_LEVEL=warning systemd-analyze verify --man=no "$work"/payops-*.service "$work"/payops-exporter.timer \
      > "$work/verify.out" 2>&1; then
    cat "$work/verify.out" >&2
    fail "systemd-analyze verify failed"
  fi
  if grep -v -e 'Failed to connect to bus' -e 'Failed to prepare filename' -e '^$' "$work/verify.out" | grep -q .; then
    cat "$work/verify.out" >&2
    fail "systemd-analyze verify reported problems"
  fi
else
  echo "SKIP: systemd-analyze is not installed; only the command lines were checked"
fi

# The commands the units run exist as flags: --help of each names them.
grep -q -- '--tps' <<< "$("$build_dir/simulator" --help)" || fail "simulator has no --tps"
grep -q -- '--interval' <<< "$("$build_dir/agent" run --help)" || fail "agent run has no --interval"
grep -q -- '--prometheus' <<< "$("$build_dir/agent" status --help)" || fail "agent status has no --prometheus"
echo "systemd units: ok"
