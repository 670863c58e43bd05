#!/usr/bin/env bash
# kill -9 at random moments during config updates: after every kill the file parses, is valid and is
# some version (the counter never goes back), every history entry up to the counter is in
# agent_history or agent_history.jsonl, no stale lock remains (the next update succeeds at once) and
# the killed writer's temp file is cleaned by the next writer.
set -euo pipefail
build=${1:?usage: config_kill9_test.sh BUILD_DIR}
kit="$build/tests/config_writer_testkit"
[ -x "$kit" ] || kit="$build/config_writer_testkit"
ROUNDS=${ROUNDS:-25}

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
data="$work/data"
mkdir "$data"
"$kit" --dir "$data" --init

"$kit" --dir "$data" --read-loop-until-file "$work/stop" >"$work/reader.out" 2>"$work/reader.err" &
reader=$!

counter_of() { sed -n 's/^counter=\([0-9]*\) .*/\1/p' "$1"; }
previous=0
for round in $(seq 1 "$ROUNDS"); do
  # Two writers, so the victim is sometimes waiting for the lock and sometimes holding it.
  "$kit" --dir "$data" --updates 100000 --tag victim$round --history-limit 10 2>/dev/null &
  victim=$!
  "$kit" --dir "$data" --updates 100000 --tag other$round --history-limit 10 2>/dev/null &
  other=$!
  sleep "0.$(printf '%03d' $((RANDOM % 400 + 20)))"
  kill -9 "$victim"
  wait "$victim" 2>/dev/null || true
  sleep "0.0$((RANDOM % 10))"
  kill -9 "$other"
  wait "$other" 2>/dev/null || true

  "$kit" --dir "$data" --check -1 --history-limit 10 >"$work/check.out" || {
    cat "$work/check.out" >&2
    fail "round $round: the config or its history is damaged after kill -9"
  }
  now=$(counter_of "$work/check.out")
  [ -n "$now" ] && [ "$now" -ge "$previous" ] || fail "round $round: counter went from $previous to '$now'"

  # No stale lock: one more update gets the lock within the writer's own 500 ms bound (a lock left
  # behind by the killed writer would make it fail with a lock timeout). The bound is the program's,
  # measured from its lock wait, not this script's wall clock: a loaded CI machine took 2.5 s to start
  # and run the sanitizer build's writer, with the lock free.
  "$kit" --dir "$data" --updates 1 --tag after$round --history-limit 10 --lock-timeout-ms 500 ||
    fail "round $round: the update after kill -9 did not get the lock within 500 ms"
  if ls -A "$data" | grep -q '^\.shared_config\.json\.tmp\.'; then
    fail "round $round: a dead writer's temp file survived the next update"
  fi
  previous=$((now + 1))
  echo "round $round: counter=$now"
done

touch "$work/stop"
wait "$reader" || { cat "$work/reader.out" "$work/reader.err" >&2; fail "a lockless reader saw a broken file or a regression"; }
cat "$work/reader.out"
"$kit" --dir "$data" --check -1 --history-limit 10
echo "ok: $ROUNDS rounds of kill -9"
