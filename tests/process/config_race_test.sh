#!/usr/bin/env bash
# Config race: WRITERS processes x UPDATES locked read-modify-writes each against one data dir, while
# READERS lockless readers read the file in a loop. Afterwards: the counter (an unknown key, so
# this also proves unknown keys survive every write) equals WRITERS*UPDATES, no reader ever saw a
# torn or invalid file or the counter going backwards, and agent_history + agent_history.jsonl
# hold every one of the WRITERS*UPDATES history entries.
# To race other writers (e.g. config-tool), append commands to `extra_racers` below: they run
# alongside and must succeed; they must not touch routing_rules.race_counter.
set -euo pipefail
build=${1:?usage: config_race_test.sh BUILD_DIR}
kit="$build/tests/config_writer_testkit"
[ -x "$kit" ] || kit="$build/config_writer_testkit"
WRITERS=${WRITERS:-8}
# 8 x 200 = 1,600 racing writes in the optimised build (the brief's figure). The sanitizer pass
# (PAYOPS_TEST_SCALE=small) races 400: every write is ~10x slower there, and the memory checks need the
# interleavings, not the count.
if [ "${PAYOPS_TEST_SCALE:-}" = small ]; then UPDATES=${UPDATES:-50}; fi
UPDATES=${UPDATES:-200}
READERS=${READERS:-3}
HISTORY_LIMIT=${HISTORY_LIMIT:-200}

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
data="$work/data"
mkdir "$data"
"$kit" --dir "$data" --init

reader_pids=()
for r in $(seq 1 "$READERS"); do
  "$kit" --dir "$data" --read-loop-until-file "$work/stop" >"$work/reader.$r.out" 2>"$work/reader.$r.err" &
  reader_pids+=($!)
done

racers=()
for w in $(seq 1 "$WRITERS"); do
  racers+=("$kit --dir $data --updates $UPDATES --tag w$w --history-limit $HISTORY_LIMIT --lock-timeout-ms 60000")
done
extra_racers=()  # e.g. extra_racers+=("$build/config-tool --data-dir $data set ... ")
racer_pids=()
i=0
for cmd in "${racers[@]}" ${extra_racers[@]+"${extra_racers[@]}"}; do
  i=$((i + 1))
  $cmd >"$work/racer.$i.out" 2>"$work/racer.$i.err" &
  racer_pids+=($!)
done

failed=0
i=0
for pid in "${racer_pids[@]}"; do
  i=$((i + 1))
  if ! wait "$pid"; then
    echo "racer $i failed:" >&2
    cat "$work/racer.$i.err" >&2
    failed=1
  fi
done
touch "$work/stop"
for r in $(seq 1 "$READERS"); do
  if ! wait "${reader_pids[$((r - 1))]}"; then
    cat "$work/reader.$r.out" "$work/reader.$r.err" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || fail "a writer or reader failed"

total_reads=0
for r in $(seq 1 "$READERS"); do
  line=$(cat "$work/reader.$r.out")
  echo "reader $r: $line"
  case "$line" in *" parse_failures=0 regressions=0 "*) ;; *) fail "reader $r: $line" ;; esac
  reads=${line#reads=}
  total_reads=$((total_reads + ${reads%% *}))
done
[ "$total_reads" -ge 1000 ] || fail "readers took only $total_reads reads; the race did not overlap"

expected=$((WRITERS * UPDATES))
"$kit" --dir "$data" --check "$expected" --history-limit "$HISTORY_LIMIT" || fail "lost updates or history entries"
if ls -A "$data" | grep -q '^\.shared_config\.json\.tmp\.'; then fail "temp files left behind"; fi
echo "ok: $expected updates by $WRITERS writers, $total_reads lockless reads"
