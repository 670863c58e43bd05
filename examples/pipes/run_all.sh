#!/usr/bin/env bash
# Runs every pipe in examples/pipes/README.md and checks what comes out.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${PAYOPS_BUILD:-$root/build}
export PAYOPS_DATA_DIR=$(mktemp -d)
trap 'rm -rf "$PAYOPS_DATA_DIR"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
"$build/config-tool" init >/dev/null

# 1. simulator --fast | agent run --input - : event time, the outage is caught within two cycles.
"$build/simulator" --fast --duration 10m --tps 20 --seed 7 --start 2026-11-22T12:00:00.000Z \
    --incident bank_b:outage:3m+2m --out - \
  | "$build/agent" run --input - --interval 10s --dry-run --json > "$PAYOPS_DATA_DIR/cycles.jsonl"
python3 - "$PAYOPS_DATA_DIR/cycles.jsonl" <<'PY' || fail "the piped agent did not catch the outage in time"
import json, sys
cycles = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert len(cycles) >= 55, len(cycles)
first = None
for c in cycles:
    if any("bank_b" in json.dumps(a) for a in c.get("actions", [])):
        first = c; break
assert first is not None, "no action on bank_b"
t = first["time"]
print("first bank_b action at", t)
assert t <= "2026-11-22T12:03:20.000Z", t
PY
echo "pipe 1 ok: simulator --fast | agent run --input -"

# 2. a log written by the simulator, filtered by grep and mlr, reported on.
"$build/simulator" --fast --count 5000 --seed 3 --start 2026-11-22T12:00:00.000Z --quiet >/dev/null
total=$("$build/agent" report --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(b["count"] for b in d["banks"]))')
upi_rows=$(grep -c ',upi,' "$PAYOPS_DATA_DIR/transactions.csv" || true)
upi=$(grep ',upi,' "$PAYOPS_DATA_DIR/transactions.csv" | "$build/agent" report - --json \
      | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(b["count"] for b in d["banks"]) + d.get("no_route", 0))')
[ "$upi" = "$upi_rows" ] || fail "grep | agent report counted $upi of $upi_rows UPI rows"
echo "pipe 2 ok: grep | agent report ($upi of $total attempts are UPI)"
if command -v mlr >/dev/null; then
  inr=$(mlr --icsv --ocsv filter '$currency == "INR"' "$PAYOPS_DATA_DIR/transactions.csv" | "$build/agent" report - --json \
        | python3 -c 'import json,sys; d=json.load(sys.stdin); print(sum(b["count"] for b in d["banks"]))')
  want=$(awk -F, 'NR > 1 && $4 == "INR" && $6 != ""' "$PAYOPS_DATA_DIR/transactions.csv" | wc -l)
  [ "$inr" = "$want" ] || fail "mlr | agent report counted $inr INR attempts, want $want"
  echo "pipe 3 ok: mlr filter | agent report ($inr INR attempts)"
else
  echo "pipe 3 skipped: mlr not installed"
fi
echo "pipes: all ok"
