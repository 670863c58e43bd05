#!/usr/bin/env bash
# The capacity-aware oracle (`simulator --oracle`, docs/oracle.md) at 5x the demo's load: 500
# payments/s with bank_b failing half its attempts and bank_c down. It must never load a bank past its
# capacity (attempts started per second, from the log; the world rate-limits beyond it) and beat the no-agent baseline on
# first-attempt success. In a world without background soft failures (so every RATE_LIMITED row is an
# overload) the oracle's log has no RATE_LIMITED row at all.
set -euo pipefail

build_dir=${1:?usage: oracle_capacity_test.sh BUILD_DIR}
sim="$build_dir/simulator"
agent="$build_dir/agent"
tool="$build_dir/config-tool"
for b in "$sim" "$agent" "$tool"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/oracle-capacity-test.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

start=2026-11-22T12:00:00.000Z
# The most attempts one bank started in one second: BANK MAX lines.
max_per_second() {
  awk -F, 'NR > 1 && $6 != "" {
      split(substr($1, 12, 12), t, /[:.]/)
      ms = ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] - $9
      n[$6 "," int(ms / 1000)]++
    }
    END { for (k in n) { split(k, p, ","); if (n[k] > max[p[1]]) max[p[1]] = n[k] } for (b in max) print b, max[b] }' "$1" | sort
}
capacity() { case $1 in bank_a) echo 400 ;; bank_b) echo 150 ;; bank_c) echo 250 ;; bank_d) echo 100 ;; esac; }

run_pair() {  # run_pair NAME [simulator args...]: baseline and oracle logs under $work/NAME
  local name=$1; shift
  mkdir -p "$work/$name"
  for d in base oracle; do "$tool" --data-dir "$work/$name/$d" init >/dev/null; done
  "$sim" --data-dir "$work/$name/base" --fast --start "$start" --tps 500 --duration 80s --seed 11 --quiet "$@" >/dev/null
  "$sim" --data-dir "$work/$name/oracle" --oracle --fast --start "$start" --tps 500 --duration 80s --seed 11 --quiet "$@" >/dev/null
}

# 1. bank_b errors + bank_c down at 500 payments/s (the default banks hold 900/s in all).
incidents=(--incident bank_b:errors=0.5:10s+60s --incident bank_c:outage:10s+60s)
run_pair errors "${incidents[@]}"
while read -r bank most; do
  cap=$(capacity "$bank")
  echo "oracle: $bank at most $most attempts/s (capacity $cap)"
  (( most <= cap )) || fail "the oracle overloaded $bank: $most attempts in one second, capacity $cap"
done < <(max_per_second "$work/errors/oracle/transactions.csv")
set +e
"$agent" --data-dir "$work/errors/base" score --start "$start" "${incidents[@]}" --log "$work/errors/base/transactions.csv" \
  --baseline "$work/errors/base/transactions.csv" --oracle "$work/errors/oracle/transactions.csv" --json > "$work/score.json"
set -e
read -r base_fa oracle_fa < <(jq -r '"\(.baseline.incident.first_attempt_success) \(.oracle.incident.first_attempt_success)"' "$work/score.json")
echo "first-attempt success during the incident: baseline $base_fa, oracle $oracle_fa"
jq -e '.oracle.incident.first_attempt_success > .baseline.incident.first_attempt_success + 0.1
       and .oracle.incident.latency_p95_ms < .baseline.incident.latency_p95_ms
       and .oracle.incident.eventual_success >= .baseline.incident.eventual_success - 0.01' "$work/score.json" >/dev/null \
  || fail "the oracle does not beat the baseline: $(jq -c '[.baseline.incident, .oracle.incident] | map(del(.banks))' "$work/score.json")"

# 2. No background soft failures: a RATE_LIMITED row can only be an overload.
cat > "$work/quiet_world.json" <<'EOF'
{"banks": {"bank_a": {"soft_failure_rate": 0}, "bank_b": {"soft_failure_rate": 0},
           "bank_c": {"soft_failure_rate": 0}, "bank_d": {"soft_failure_rate": 0}}}
EOF
run_pair quiet --world "$work/quiet_world.json" --incident bank_b:latency=3000ms:10s+60s --incident bank_c:outage:10s+60s
limited=$(grep -c RATE_LIMITED "$work/quiet/oracle/transactions.csv" || true)
echo "quiet world: RATE_LIMITED rows: oracle $limited, baseline $(grep -c RATE_LIMITED "$work/quiet/base/transactions.csv" || true)"
[[ $limited == 0 ]] || fail "the oracle's log has $limited RATE_LIMITED rows"
# 3. The oracle one agent cycle late (--oracle-lag): the same plan, learnt one cycle after each change.
started_on() {  # started_on LOG BANK FROM_S TO_S: payments started in [FROM_S, TO_S) of the run that tried BANK
  # By payment: the oracle plans a payment's retries when it starts, so a payment started just before
  # the outage may retry into it on its start's plan (which payments do depends on the seed's luck).
  awk -F, -v bank="$2" -v from="$3" -v to="$4" 'NR > 1 {
      split(substr($1, 12, 12), t, /[:.]/)
      ms = ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] - $9 - 12 * 3600 * 1000
      if (!($2 in first) || ms < first[$2]) first[$2] = ms
      if ($6 == bank) tried[$2] = 1
    }
    END { for (id in tried) if (first[id] >= from * 1000 && first[id] < to * 1000) n++; print n + 0 }' "$1"
}
mkdir -p "$work/late"
for d in lag0 lag1; do "$tool" --data-dir "$work/late/$d" init >/dev/null; done
lag_args=(--fast --oracle --start "$start" --tps 100 --duration 40s --seed 5 --quiet --incident bank_c:outage:10s+20s)
"$sim" --data-dir "$work/late/lag0" "${lag_args[@]}" --oracle-lag 0s >/dev/null
"$sim" --data-dir "$work/late/lag1" "${lag_args[@]}" --oracle-lag 1s >/dev/null
plain_first=$(started_on "$work/late/lag0/transactions.csv" bank_c 10 30)
late_first=$(started_on "$work/late/lag1/transactions.csv" bank_c 10 11)
late_rest=$(started_on "$work/late/lag1/transactions.csv" bank_c 15 30)
echo "late oracle: payments started in the outage that tried bank_c: lag 0 $plain_first; lag 1s $late_first in its first second, $late_rest from 15 s"
[[ $plain_first == 0 ]] || fail "the oracle (lag 0) sent $plain_first payments started in its outage to bank_c"
(( late_first > 0 )) || fail "the oracle 1 s late sent nothing to bank_c in the outage's first second: it is not late"
[[ $late_rest == 0 ]] || fail "the oracle 1 s late still sent $late_rest payments started from 15 s on to bank_c"
"$tool" --data-dir "$work/late/plain" init >/dev/null
"$sim" --data-dir "$work/late/plain" --fast --oracle --start "$start" --tps 100 --duration 40s --seed 5 --quiet \
  --incident bank_c:outage:10s+20s >/dev/null
cmp -s "$work/late/plain/transactions.csv" "$work/late/lag0/transactions.csv" || fail "--oracle-lag 0s differs from --oracle"
set +e
msg=$("$sim" --data-dir "$work/late/lag0" --fast --duration 1s --oracle-lag 1s --quiet 2>&1); code=$?
set -e
[[ $code == 2 && $msg == *"--oracle-lag needs --oracle"* ]] || fail "--oracle-lag without --oracle: exit $code, \"$msg\""
set +e
msg=$("$sim" --data-dir "$work/late/lag0" --fast --oracle --duration 1s --oracle-lag soon --quiet 2>&1); code=$?
set -e
[[ $code == 2 && $msg == *'--oracle-lag "soon"'* ]] || fail "--oracle-lag soon: exit $code, \"$msg\""
echo "ok: oracle capacity test"
