#!/usr/bin/env bash
# transactions.csv under kill -9: writers are killed at random moments, round after round, into one
# file. After every round a reader still reads everything: one header, every row byte-identical to
# what its writer formatted, each writer's rows a gap-free prefix (nothing lost in the middle,
# nothing duplicated), malformed lines only where a write() was torn (at most one per kill), at
# most one partial last line. A writer started afterwards appends whole rows (it ends a torn line
# first), so the file then ends cleanly.
set -euo pipefail

build_dir=${1:?usage: csv_kill9_test.sh BUILD_DIR}
testkit="$build_dir/tests/csv_writer_testkit"
[[ -x "$testkit" ]] || { echo "missing $testkit" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/payops_csv_kill9.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf -- "$work"
}
trap cleanup EXIT

rounds=${CSV_KILL9_ROUNDS:-30}
per_round=3
log="$work/transactions.csv"
"$testkit" "$log" --rows 0 --tag 0  # the header, written once by a writer that is not killed

tag=0
kills=0
for ((round = 0; round < rounds; round++)); do
  pids=()
  for ((w = 0; w < per_round; w++)); do
    # One row per write, small batches, and writes of several hundred KB (several pages: a kill
    # can land inside the copy and tear it).
    case $((RANDOM % 3)) in
      0) batch=1 ;;
      1) batch=$((RANDOM % 64 + 2)) ;;
      *) batch=$((RANDOM % 4000 + 1000)) ;;
    esac
    "$testkit" "$log" --rows 100000000 --tag "$tag" --batch "$batch" &
    pids+=("$!")
    tag=$((tag + 1))
  done
  {  # (bash reports each killed job on stderr: expected here, so not shown)
    for pid in "${pids[@]}"; do
      sleep "$(printf '0.%03d' $((RANDOM % 15)))"
      kill -9 "$pid" 2>/dev/null || true
      kills=$((kills + 1))
    done
    for pid in "${pids[@]}"; do wait "$pid" || true; done
  } 2>/dev/null
  pids=()
  (( round % 5 == 4 )) || continue  # verifying the whole file every round costs more than it adds
  if ! out=$("$testkit" --verify "$log" --tags "$tag" --prefix --max-malformed "$kills"); then
    echo "FAIL after round $round: $out" >&2
    exit 1
  fi
done

# A writer after all that: its rows are whole and complete, and the file ends in '\n'.
final_tag=$tag
tag=$((tag + 1))
"$testkit" "$log" --rows 1000 --tag "$final_tag" --batch 10
out=$("$testkit" --verify "$log" --tags "$tag" --prefix --max-malformed "$kills")
echo "$out"
[[ "$out" == *"partial tail: no"* ]] || { echo "FAIL: the file still ends in a partial line" >&2; exit 1; }
final_rows=$(grep -c "txn_$(printf '%04x' "$final_tag")" "$log" || true)
[[ "$final_rows" == 1000 ]] || { echo "FAIL: the last writer has $final_rows rows" >&2; exit 1; }
headers=$(grep -c '^timestamp,transaction_id,' "$log" || true)
[[ "$headers" == 1 ]] || { echo "FAIL: $headers header lines" >&2; exit 1; }

echo "csv_kill9_test: OK ($rounds rounds, $kills kills, $(wc -c < "$log") bytes)"
