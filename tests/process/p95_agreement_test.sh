#!/usr/bin/env bash
# One p95 rule: the simulator's summary and `agent report` print the same p95 per bank for the same
# log. The logs are sized so that the two rules the project once had (ceil of 0.95*n, 1-based, and
# floor of 0.95*n, 0-based) disagree: with one bank and no retries a bank's attempts equal --count,
# and 0.95*count is a whole number for the counts below, the case where the old rules split.
set -euo pipefail

build_dir=${1:?usage: p95_agreement_test.sh BUILD_DIR}
sim="$build_dir/simulator"
tool="$build_dir/config-tool"
agent="$build_dir/agent"
for b in "$sim" "$tool" "$agent"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done

work=$(mktemp -d "${TMPDIR:-/tmp}/payops_p95.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# compare SIM_JSON REPORT_JSON: every bank's p95 in the summary equals the report's; prints the pairs.
compare() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
sim = {b["bank_id"]: b for b in json.load(open(sys.argv[1]))["banks"]}
rep = {b["bank_id"]: b for b in json.load(open(sys.argv[2]))["banks"]}
bad = []
for bank, s in sim.items():
    if s["attempts"] == 0:
        continue
    r = rep.get(bank)
    if r is None:
        bad.append(f"{bank}: in the summary, not in the report")
        continue
    if r["count"] != s["attempts"]:
        bad.append(f"{bank}: {s['attempts']} attempts in the summary, {r['count']} in the report")
    if r["p95_latency_ms"] != s["p95_latency_ms"]:
        bad.append(f"{bank}: p95 {s['p95_latency_ms']} ms in the summary, {r['p95_latency_ms']} ms in the report "
                   f"over {s['attempts']} attempts")
    print(f"{bank}: {s['attempts']} attempts, p95 {s['p95_latency_ms']} ms")
if not sim:
    bad.append("the summary lists no bank")
if bad:
    sys.exit("; ".join(bad))
EOF
}

# --- one bank, no retries: attempts == --count, a multiple of 20 ---
one="$work/one"
mkdir -p "$one"
"$tool" init --data-dir "$one" > /dev/null
for b in bank_b bank_c bank_d; do "$tool" --data-dir "$one" bank "$b" --disable > /dev/null; done
"$tool" --data-dir "$one" set banks.bank_a.retry_policy.max_retries 0 > /dev/null
header=$(head -1 "$one/transactions.csv")
for count in 20 200 1000; do
  printf '%s\n' "$header" > "$one/transactions.csv"
  "$sim" --data-dir "$one" --fast --count "$count" --seed 7 --json > "$work/sim.json"
  "$agent" --data-dir "$one" report --json > "$work/report.json"
  out=$(compare "$work/sim.json" "$work/report.json") || fail "count $count: $out"
  grep -q "bank_a: $count attempts" <<<"$out" || fail "count $count: expected $count attempts on bank_a, got: $out"
done

# --- the default four banks with retries, a larger log ---
four="$work/four"
mkdir -p "$four"
"$tool" init --data-dir "$four" > /dev/null
"$sim" --data-dir "$four" --fast --count 5000 --seed 3 --json > "$work/sim.json"
"$agent" --data-dir "$four" report --json > "$work/report.json"
out=$(compare "$work/sim.json" "$work/report.json") || fail "four banks: $out"

echo "p95 agreement OK"
