#!/usr/bin/env bash
# The simulator's reference runs for issue 17's "same bytes for a seed": prints "name sha256 lines"
# for six --fast runs (plain, incidents, --world, --oracle, odd bank names, --tick lockstep). Compare
# a build's output with the simspeed section's table in bench/RESULTS.md (taken from main's Release build at ba915f3).
# Not a test (it writes ~200 MB under /tmp). Usage: bench/simspeed_refs.sh BUILD_DIR
set -euo pipefail
bin=${1:?usage: simspeed_refs.sh BUILD_DIR}
base=$(mktemp -d "${TMPDIR:-/tmp}/simspeed_refs.XXXXXX")
trap 'rm -rf -- "$base"' EXIT
cat > "$base/world.json" <<'JSON'
{"banks": {"bank_b": {"latency_median_ms": 600, "latency_sigma": 0.7, "soft_failure_rate": 0.08,
                      "capacity_per_s": 50, "timeout_ms": 8000,
                      "hard_decline_rate": {"card": 0.1, "upi": 0.05}}},
 "default": {"capacity_per_s": 200}}
JSON
S="--start 2026-11-22T12:00:00.000Z --quiet"
run() {  # name, config-mutator (odd or -), simulator args...
  local name=$1 mut=$2; shift 2
  local d=$base/$name
  mkdir -p "$d"
  "$bin/config-tool" init --data-dir "$d" > /dev/null
  rm -f "$d/transactions.csv"
  if [ "$mut" = odd ]; then  # a comma, quotes, a formula lead, a control byte, a bidi override
    python3 - "$d/shared_config.json" <<'PY'
import json,sys
p=sys.argv[1]; c=json.load(open(p))
c["banks"][0]["name"]='=Stripe, "EU" \u00e9'
c["banks"][1]["name"]='Ady\u0007en\u202e'
json.dump(c,open(p,"w"),indent=2)
PY
  fi
  "$bin/simulator" --fast $S --data-dir "$d" "$@"
  echo "$name $(sha256sum < "$d/transactions.csv" | cut -c1-64) $(wc -l < "$d/transactions.csv")"
  rm -rf -- "$d"
}
run base - --count 1000000 --tps 200 --seed 1
run incident - --count 300000 --tps 500 --seed 2 --incident bank_b:outage:60s+120s --incident bank_c:latency=4000ms:30s+90s --incident bank_a:flap=20s:0s+300s --incident 'bank_d:errors=0.4:10s+60s'
run world - --count 300000 --tps 300 --seed 3 --world "$base/world.json" --incident '*:errors=0.2:100s+100s'
run oracle - --count 300000 --tps 500 --seed 4 --oracle --incident bank_b:outage:60s+120s --incident bank_c:latency=4000ms:30s+90s
run oddnames odd --count 100000 --tps 1000 --seed 5 --incident bank_a:outage:10s+20s
run lockstep - --count 20000 --tps 200 --seed 6 --tick-every 5s --tick true --incident bank_b:outage:20s+30s
