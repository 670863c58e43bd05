#!/usr/bin/env bash
# Log rotation with the simulator and the agent daemon running: `mv` of the log, `truncate -s 0`,
# SIGHUP, and examples/logrotate/payops run by logrotate itself. After each, the simulator writes a
# new log that starts with the header, says what happened on stderr, and keeps running; the agent
# sees payments again; `agent status` says how old the agent's last cycle is. Takes about 20 s.
set -euo pipefail

build_dir=${1:?usage: log_rotation_test.sh BUILD_DIR}
src=${PAYOPS_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
sim="$build_dir/simulator"
agent="$build_dir/agent"
tool="$build_dir/config-tool"
check="$build_dir/tests/csv_check_testkit"
for b in "$sim" "$agent" "$tool" "$check"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done

work=$(mktemp -d "${TMPDIR:-/tmp}/payops_rotation.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf -- "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$work"/*.err; do echo "--- $f" >&2; tail -5 "$f" >&2; done; exit 1; }
field() { grep -o "\"$2\": *[0-9a-z]*" <<<"$1" | head -1 | sed 's/.*: *//'; }

d="$work/data"
log="$d/transactions.csv"
"$tool" init --data-dir "$d" > /dev/null
header=$(head -1 "$log")
[[ $header == timestamp,* ]] || fail "config-tool init did not write the header: '$header'"

# wait_for SECONDS DESCRIPTION CMD...: polls CMD every 0.1 s.
wait_for() {
  local limit=$1 what=$2; shift 2
  local i
  for ((i = 0; i < limit * 10; i++)); do
    if "$@"; then return 0; fi
    sleep 0.1
  done
  fail "waited ${limit}s for: $what"
}
log_has_rows() {  # log_has_rows FILE: the header first, then at least one row
  [[ -s $1 ]] && [[ $(head -1 "$1") == "$header" ]] && (($(wc -l < "$1") >= 2))
}
log_is_valid() {  # log_is_valid FILE: one header, no malformed line
  local res
  res=$("$check" "$1")
  [[ $(field "$res" malformed) == 0 && $(field "$res" headers) == 1 ]] || fail "$1 is not one clean log: $res"
}
sim_alive() { kill -0 "$sim_pid" 2>/dev/null || fail "the simulator died (exit status lost); stderr above"; }

"$sim" --data-dir "$d" --tps 100 --json > "$work/sim.json" 2> "$work/sim.err" &
sim_pid=$!
pids+=("$sim_pid")
"$agent" run --data-dir "$d" --interval 1s --short-window 5s --long-window 30s > "$work/agent.out" 2> "$work/agent.err" &
agent_pid=$!
pids+=("$agent_pid")
wait_for 10 "first rows" log_has_rows "$log"

# --- mv: the simulator recreates the log with the header within a second or so ---
mv "$log" "$log.1"
wait_for 10 "a new log after mv" log_has_rows "$log"
sim_alive
grep -q "was moved away or deleted: reopened" "$work/sim.err" || fail "no notice of the rotation on stderr"
log_is_valid "$log.1"
log_is_valid "$log"
# The agent follows the new file: a cycle after the rotation counts payments again.
lines_before=$(wc -l < "$work/agent.out")
agent_sees_payments() {
  grep -q 'payments [1-9]' <<< "$(tail -n +"$((lines_before + 1))" "$work/agent.out")"
}
wait_for 10 "an agent cycle with payments after the mv" agent_sees_payments
# ...and says what it saw: the log missing for a moment, or replaced by a new file.
grep -Eq "transactions.csv (is missing|was replaced by a new file)" "$work/agent.err" ||
  fail "the agent daemon did not report the rotation"

# --- truncate -s 0: the next write starts with the header again, and says so ---
truncate -s 0 "$log"
wait_for 10 "rows after truncation" log_has_rows "$log"
sim_alive
grep -q "was truncated" "$work/sim.err" || fail "no notice of the truncation on stderr"
log_is_valid "$log"

# --- SIGHUP: not a stop; the simulator reopens at once and goes on ---
mv "$log" "$log.2"
kill -HUP "$sim_pid"
wait_for 10 "a new log after SIGHUP" log_has_rows "$log"
sleep 0.3
sim_alive
grep -q "reopened" "$work/sim.err" || fail "no reopen notice after SIGHUP"
log_is_valid "$log.2"
log_is_valid "$log"

# --- logrotate with the shipped config (path and postrotate pointed at this test's processes) ---
if command -v logrotate > /dev/null; then
  sed -e "s|/var/lib/payops/transactions.csv|$log|" \
      -e "s|systemctl kill .*|kill -HUP $sim_pid|" "$src/examples/logrotate/payops" > "$work/payops.logrotate"
  grep -q "kill -HUP $sim_pid" "$work/payops.logrotate" || fail "could not point the example's postrotate at the test"
  rm -f "$log.1" "$log.2"
  logrotate -f -s "$work/logrotate.state" "$work/payops.logrotate" 2> "$work/logrotate.err" ||
    fail "logrotate failed: $(cat "$work/logrotate.err")"
  [[ -s $log.1 ]] || fail "logrotate did not leave $log.1"
  wait_for 10 "a new log after logrotate" log_has_rows "$log"
  sim_alive
  log_is_valid "$log.1"
  log_is_valid "$log"
else
  echo "SKIP: logrotate is not installed (scripts/setup.sh --with-tests installs it); the mv/SIGHUP cases ran"
fi

# --- liveness: agent status says when the agent last completed a cycle ---
"$agent" status --data-dir "$d" > "$work/status.txt" 2> "$work/status.err" || fail "agent status failed"
grep -Eq '^agent: last cycle [0-9]+ s ago' "$work/status.txt" || fail "no liveness line: $(cat "$work/status.txt")"
"$agent" status --data-dir "$d" --json > "$work/status.json"
jq -e '.agent.last_cycle_at | type == "string"' "$work/status.json" > /dev/null || fail "no agent.last_cycle_at in JSON"
kill -INT "$agent_pid"
wait "$agent_pid" || fail "the agent exited $? on SIGINT"
# Five minutes on, with no cycle since: the line says the agent may not be running.
later=$(date -u -d '+5 min' +%Y-%m-%dT%H:%M:%S.000Z)
"$agent" status --data-dir "$d" --at "$later" > "$work/status_later.txt"
grep -Eq '^agent: last cycle [45] m ago .* — not running\?' "$work/status_later.txt" ||
  fail "no 'not running?' five minutes on: $(grep '^agent:' "$work/status_later.txt")"
"$tool" show --data-dir "$d" | grep -Eq '^agent: last cycle [0-9]+ s ago' || fail "config-tool show has no liveness line"

# --- the simulator stops on SIGINT with its summary, its rows whole ---
kill -INT "$sim_pid"
wait "$sim_pid" || fail "the simulator exited $? on SIGINT"
pids=()
grep -q '"stopped_by_signal": true' "$work/sim.json" || fail "no summary after SIGINT"
log_is_valid "$log"
echo "log rotation: ok"
