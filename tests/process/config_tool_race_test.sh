#!/usr/bin/env bash
# config-tool processes racing library writers (tests/testkit/config_writer_testkit) on one
# shared_config.json: every locked write lands, none is lost, and the file stays valid.
# A `stress` test (tests/CMakeLists.txt): the optimised build runs it at full scale (4 x 40 config-tool
# changes beside 4 x 100 library updates); the sanitizer pass (PAYOPS_TEST_SCALE=small) runs
# 4 x 10 beside 4 x 25, because every config-tool process under ASan starts ~10x slower.
set -euo pipefail
build=$1
ct="$build/config-tool"
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export PAYOPS_DATA_DIR="$dir/data"
tool_changes=40 lib_changes=100
if [ "${PAYOPS_TEST_SCALE:-}" = small ]; then tool_changes=10 lib_changes=25; fi
"$ct" init >/dev/null

# Racing: 4 config-tool processes x $tool_changes changes each beside 4 library writers x $lib_changes. Every
# writer waits up to 120 s for the lock: at full scale 560 locked writes queue behind each other, and on a loaded
# machine under ASan the default 5 s is not always enough (CI failed there); what this test proves is
# that no update is lost, not how fast they go.
entries_before=$("$ct" history --all --last 0 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
pids=()
for w in 1 2 3 4; do
  ( for i in $(seq 1 "$tool_changes"); do "$ct" --lock-timeout 120s set banks.bank_d.weight $((w * 100 + i)) --reason "race $w $i" >/dev/null; done ) &
  pids+=($!)
done
if [ -x "$build/tests/config_writer_testkit" ]; then
  for w in 1 2 3 4; do "$build/tests/config_writer_testkit" --dir "$dir/data" --updates "$lib_changes" --tag "$w" --lock-timeout-ms 120000 >/dev/null & pids+=($!); done
  lib_updates=$((4 * lib_changes))
else
  lib_updates=0
fi
for p in "${pids[@]}"; do wait "$p" || fail "a racing writer failed"; done
entries_after=$("$ct" history --all --last 0 --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ $((entries_after - entries_before)) = $((4 * tool_changes + lib_updates)) ] || fail "lost updates: $((entries_after - entries_before)) entries, want $((4 * tool_changes + lib_updates))"
"$ct" validate >/dev/null || fail "the config is invalid after the race"
echo "config-tool race: $((entries_after - entries_before)) locked writes, none lost"
