#!/usr/bin/env bash
# transactions.csv writing rules under a real race: 8 processes append 50,000 rows each into one
# fresh file at once. Exactly one header, every line a valid row, no row lost, duplicated or torn.
# Also: a file with a foreign header is refused and left byte-identical.
set -euo pipefail

build_dir=${1:?usage: csv_append_race_test.sh BUILD_DIR}
testkit="$build_dir/tests/csv_writer_testkit"
[[ -x "$testkit" ]] || { echo "missing $testkit" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/payops_csv_race.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf -- "$work"
}
trap cleanup EXIT

writers=8
rows=50000
log="$work/transactions.csv"

# Half the writers append one row per write(), half in batches, so both paths race.
for ((tag = 0; tag < writers; tag++)); do
  batch=$(( tag % 2 == 0 ? 1 : 1 + tag * 37 ))
  "$testkit" "$log" --rows "$rows" --tag "$tag" --batch "$batch" &
  pids+=("$!")
done
for pid in "${pids[@]}"; do
  wait "$pid" || { echo "FAIL: writer $pid exited with $?" >&2; exit 1; }
done
pids=()

headers=$(grep -c '^timestamp,transaction_id,' "$log" || true)
[[ "$headers" == 1 ]] || { echo "FAIL: $headers header lines" >&2; exit 1; }
lines=$(wc -l < "$log")
[[ "$lines" == $((writers * rows + 1)) ]] || { echo "FAIL: $lines lines" >&2; exit 1; }
"$testkit" --verify "$log" --writers "$writers" --rows "$rows"

# A foreign file is refused with its name and what was found, and not changed by a single byte.
foreign="$work/foreign.csv"
printf 'id,amount\n1,2.00\n' > "$foreign"
before=$(sha256sum < "$foreign")
if "$testkit" "$foreign" --rows 10 --tag 0 2> "$work/err"; then
  echo "FAIL: a foreign file was accepted" >&2; exit 1
fi
grep -q "$foreign" "$work/err" || { echo "FAIL: the error does not name the file" >&2; cat "$work/err" >&2; exit 1; }
grep -q 'id,amount' "$work/err" || { echo "FAIL: the error does not show the header found" >&2; exit 1; }
[[ "$(sha256sum < "$foreign")" == "$before" ]] || { echo "FAIL: the foreign file changed" >&2; exit 1; }

# A non-empty file without a complete first line is foreign too.
printf 'timestamp,transaction' > "$foreign"
before=$(sha256sum < "$foreign")
if "$testkit" "$foreign" --rows 10 --tag 0 2> "$work/err"; then
  echo "FAIL: a file with an incomplete first line was accepted" >&2; exit 1
fi
[[ "$(sha256sum < "$foreign")" == "$before" ]] || { echo "FAIL: the incomplete file changed" >&2; exit 1; }

echo "csv_append_race_test: OK ($writers writers x $rows rows, one header, all rows intact)"
