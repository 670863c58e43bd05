#!/usr/bin/env bash
# checkout as a real process: receipts and rows agree; soft failures retried across banks (incident
# outage and config chaos); hard declines not retried; idempotent replay writes nothing; conflicts
# refused; every invalid input refused with exit 2 and no row; no terminal means a usage error, not a
# hang; interactive entry on a pty; real-time attempts visible as they finish; 20 concurrent
# checkouts beside a running simulator lose no row.
set -euo pipefail

build_dir=${1:?usage: checkout_test.sh BUILD_DIR}
co="$build_dir/checkout"
sim="$build_dir/simulator"
tool="$build_dir/config-tool"
for b in "$co" "$sim" "$tool"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done
command -v jq > /dev/null || { echo "jq is needed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/payops_checkout.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf -- "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() {  # expect_exit CODE CMD...
  local want=$1; shift
  set +e; "$@" > "$work/out" 2> "$work/err"; local got=$?; set -e
  [[ $got == "$want" ]] || { cat "$work/out" "$work/err" >&2; fail "'$*' exited $got, expected $want"; }
}
rows_of() { grep -c ",$1," "$dir/transactions.csv" || true; }
# Each receipt attempt as "bank_id,status,latency_ms,error_code", then the log's rows of that id the same way.
receipt_attempts() { jq -r '.attempts[] | "\(.bank_id),\(.status),\(.latency_ms),\(.error_code)"' "$1"; }
log_attempts() { grep ",$1," "$2" | awk -F, '{print $6 "," $8 "," $9 "," $10}'; }
# The documented id rule, computed independently: txn_ + 16 hex of 64-bit FNV-1a of the key (ASCII keys).
fnv1a_id() {
  local s=$1 h=-3750763034362895579 i c  # 0xcbf29ce484222325 as a signed 64-bit number
  for ((i = 0; i < ${#s}; i++)); do printf -v c '%d' "'${s:i:1}"; h=$(( (h ^ c) * 1099511628211 )); done
  printf 'txn_%016x' "$h"
}
agree() {  # agree RECEIPT_JSON: the receipt and the log tell the same story
  local id; id=$(jq -r .transaction_id "$1")
  [[ $id =~ ^txn_[0-9a-f]{16}$ ]] || fail "bad transaction id $id"
  diff <(receipt_attempts "$1") <(log_attempts "$id" "$dir/transactions.csv") > /dev/null ||
    fail "receipt and rows disagree for $id: $(diff <(receipt_attempts "$1") <(log_attempts "$id" "$dir/transactions.csv"))"
}

dir="$work/data"
mkdir -p "$dir"
cat > "$work/pays.json" <<'EOF'
{"default": {"soft_failure_rate": 0, "latency_median_ms": 60, "latency_sigma": 0.1, "timeout_ms": 1000,
             "hard_decline_rate": {"card": 0, "upi": 0, "netbanking": 0, "wallet": 0, "bank_transfer": 0}}}
EOF
cat > "$work/declines.json" <<'EOF'
{"default": {"soft_failure_rate": 0, "latency_median_ms": 60, "latency_sigma": 0.1,
             "hard_decline_rate": {"card": 1, "upi": 1, "netbanking": 1, "wallet": 1, "bank_transfer": 1}}}
EOF
pays=(--world "$work/pays.json")

# --- help, missing config, no terminal ---
expect_exit 0 "$co" --help
grep -q '0 paid; 1 declined' "$work/out" || fail "--help does not list the exit codes"
grep -q 'FNV-1a' "$work/out" || fail "--help does not document the idempotency id rule"
expect_exit 4 "$co" --data-dir "$dir" --amount 10 --currency USD --method card
grep -q 'config-tool init' "$work/err" || fail "a missing config does not say to run config-tool init"
[[ ! -e "$dir/transactions.csv" ]] || fail "a refused checkout created the log"
"$tool" init --data-dir "$dir" > /dev/null
[[ -f "$dir/transactions.csv" ]] || cp /dev/null "$dir/transactions.csv"
set +e; timeout 5 "$co" --data-dir "$dir" < /dev/null > "$work/out" 2> "$work/err"; got=$?; set -e
[[ $got == 2 ]] || fail "no arguments without a terminal exited $got (124 = it hung), expected 2"
grep -q 'missing --amount' "$work/err" || fail "no-terminal refusal does not name the missing flags"

# --- every invalid input: exit 2, one sentence, no row ---
before=$(md5sum < "$dir/transactions.csv")
while IFS='|' read -r amount currency method; do
  expect_exit 2 "$co" --data-dir "$dir" --amount "$amount" --currency "$currency" --method "$method"
  [[ $(wc -l < "$work/err") == 1 ]] || fail "'$amount $currency $method' gave more than one line: $(cat "$work/err")"
  [[ -z $(cat "$work/out") ]] || fail "'$amount $currency $method' printed a receipt"
done <<'EOF'
-5|USD|card
0|USD|card
0.00|INR|upi
10.5|JPY|card
1.2345|KWD|card
1.234|USD|card
10|XYZ|card
10|USD|cheque
10|USD|upi
99999999999|USD|card
2000000|USD|card
abc|USD|card
1e5|USD|card
 10|USD|card
10,00|EUR|card
EOF
expect_exit 2 "$co" --data-dir "$dir" --amount 4111111111111111 --currency USD --method card
grep -q 4111111111111111 "$work/err" && fail "a card number in the amount was echoed unmasked"
grep -q '\*\*\*\*1111' "$work/err" || fail "the masked card number is not shown: $(cat "$work/err")"
expect_exit 2 "$co" --data-dir "$dir" --amount 10 --currency USD --method card --no-such-flag
expect_exit 2 "$co" --data-dir "$dir" --amount 10 --currency USD --method card --idempotency-key ''
expect_exit 2 "$co" --data-dir "$dir" --amount 10 --currency USD --method card --incident bank_a:explode:0s
[[ $(md5sum < "$dir/transactions.csv") == "$before" ]] || fail "a refused checkout wrote to the log"

# --- paid: the receipt and the rows agree; the customer never reaches the log ---
expect_exit 0 "$co" --data-dir "$dir" --amount 125.50 --currency INR --method upi --customer cus_4111111111111111 \
  --json --no-wait "${pays[@]}"
cp "$work/out" "$work/paid.json"
[[ $(jq -r .status "$work/paid.json") == paid ]] || fail "status is not paid"
[[ $(jq -r .customer "$work/paid.json") == '****1111' ]] || fail "customer not masked in the receipt"
jq -e '.attempts[0].route.explanation | length > 0' "$work/paid.json" > /dev/null || fail "no routing explanation"
agree "$work/paid.json"
grep -q 'cus_\|4111111111111111' "$dir/transactions.csv" && fail "the customer id reached the log"
grep -q ',125.50,INR,upi,' "$dir/transactions.csv" || fail "the row does not carry the exact amount"
expect_exit 0 "$co" --data-dir "$dir" --amount 1000 --currency JPY --method card --no-wait "${pays[@]}"
grep -q '^Payment txn_[0-9a-f]*: PAID' "$work/out" || fail "the text receipt has no PAID headline"
grep -q 'why: ' "$work/out" || fail "the text receipt does not say why the bank was chosen"
grep -q ',1000,JPY,card,' "$dir/transactions.csv" || fail "JPY amount not written without decimals"

# --- an outage: soft failures retried on other banks ---
expect_exit 0 "$co" --data-dir "$dir" --amount 10 --currency USD --method card --json --no-wait "${pays[@]}" \
  --incident bank_a:outage:0s --incident bank_b:outage:0s --incident bank_c:outage:0s
cp "$work/out" "$work/outage.json"
agree "$work/outage.json"
[[ $(jq -r '.attempts[-1].bank_id' "$work/outage.json") == bank_d ]] || fail "the payment did not end on bank_d"
[[ $(jq '[.attempts[].bank_id] | unique | length' "$work/outage.json") == $(jq '.attempts | length' "$work/outage.json") ]] ||
  fail "a retry went to a bank already tried"
jq -e '[.attempts[:-1][] | .error_kind == "soft"] | all' "$work/outage.json" > /dev/null || fail "a failed attempt was not soft"
jq -e '[.attempts[1:][] | .route.retry] | all' "$work/outage.json" > /dev/null || fail "retries not marked as retries"
expect_exit 3 "$co" --data-dir "$dir" --amount 10 --currency USD --method card --json --no-wait "${pays[@]}" \
  --incident '*:outage:0s'
[[ $(jq '.attempts | length' "$work/out") == 4 ]] || fail "an outage everywhere did not end after 3 retries"
[[ $(jq -r .status "$work/out") == failed ]] || fail "an outage everywhere is not 'failed'"
cp "$work/out" "$work/failed.json"
agree "$work/failed.json"

# --- chaos from the config, aimed at bank_a: every bank_a attempt fails softly and is retried ---
"$tool" --data-dir "$dir" chaos on --rate 1 --targets bank_a > /dev/null
for i in 1 2 3 4 5 6; do
  expect_exit 0 "$co" --data-dir "$dir" --amount 20 --currency EUR --method card --json --no-wait "${pays[@]}"
  cp "$work/out" "$work/chaos$i.json"
  agree "$work/chaos$i.json"
  [[ $(jq -r '.attempts[-1].bank_id' "$work/out") != bank_a ]] || fail "a chaos-hit bank_a attempt succeeded"
done
cat "$work"/chaos*.json | jq -e -s '[.[].attempts[] | select(.bank_id == "bank_a") | .error_kind == "soft"] | all' > /dev/null ||
  fail "a bank_a attempt under chaos did not fail softly"
"$tool" --data-dir "$dir" chaos off > /dev/null

# --- a hard decline is final ---
expect_exit 1 "$co" --data-dir "$dir" --amount 10 --currency USD --method card --json --no-wait --world "$work/declines.json"
cp "$work/out" "$work/declined.json"
[[ $(jq '.attempts | length' "$work/declined.json") == 1 ]] || fail "a hard decline was retried"
[[ $(jq -r '.attempts[0].error_kind' "$work/declined.json") == hard ]] || fail "the decline is not a hard one"
agree "$work/declined.json"

# --- no eligible bank: NO_ROUTE, exit 3 ---
for b in bank_a bank_b bank_c bank_d; do "$tool" --data-dir "$dir" bank "$b" --disable > /dev/null; done
expect_exit 3 "$co" --data-dir "$dir" --amount 10 --currency USD --method card --json --no-wait "${pays[@]}"
[[ $(jq -r '.attempts[0].error_code' "$work/out") == NO_ROUTE ]] || fail "no NO_ROUTE attempt"
[[ $(jq -r .status "$work/out") == no_route ]] || fail "status is not no_route"
for b in bank_a bank_b bank_c bank_d; do "$tool" --data-dir "$dir" bank "$b" --enable > /dev/null; done

# --- idempotency: replay writes nothing; a different payment under the key is refused ---
for outcome in 0 1 3; do
  case $outcome in
    0) extra=("${pays[@]}") ;;
    1) extra=(--world "$work/declines.json") ;;
    3) extra=("${pays[@]}" --incident '*:outage:0s') ;;
  esac
  key="order-$outcome-$RANDOM"
  expect_exit $outcome "$co" --data-dir "$dir" --amount 49.99 --currency GBP --method wallet --idempotency-key "$key" \
    --json --no-wait "${extra[@]}"
  cp "$work/out" "$work/first.json"
  [[ $(jq -r .replayed "$work/first.json") == false ]] || fail "a first payment was marked replayed"
  agree "$work/first.json"
  snapshot=$(md5sum < "$dir/transactions.csv")
  # The replay runs in a world where it would pay: the recorded outcome wins, nothing is routed.
  expect_exit $outcome "$co" --data-dir "$dir" --amount 49.99 --currency GBP --method wallet --idempotency-key "$key" \
    --json --no-wait "${pays[@]}"
  [[ $(jq -r .replayed "$work/out") == true ]] || fail "a repeated key was not replayed"
  [[ $(jq -r .transaction_id "$work/out") == $(jq -r .transaction_id "$work/first.json") ]] || fail "replay changed the id"
  diff <(receipt_attempts "$work/out") <(receipt_attempts "$work/first.json") > /dev/null || fail "replay shows other attempts"
  [[ $(md5sum < "$dir/transactions.csv") == "$snapshot" ]] || fail "an idempotent replay wrote to the log"
  expect_exit 2 "$co" --data-dir "$dir" --amount 50.00 --currency GBP --method wallet --idempotency-key "$key" --no-wait
  grep -q 'different payment' "$work/err" || fail "a conflicting key is not explained: $(cat "$work/err")"
  expect_exit 2 "$co" --data-dir "$dir" --amount 49.99 --currency EUR --method wallet --idempotency-key "$key" --no-wait
  [[ $(md5sum < "$dir/transactions.csv") == "$snapshot" ]] || fail "a refused conflict wrote to the log"
done
expect_exit 0 "$co" --data-dir "$dir" --amount 5 --currency USD --method card --idempotency-key order-x --no-wait "${pays[@]}"
expect_exit 0 "$co" --data-dir "$dir" --amount 5 --currency USD --method card --idempotency-key order-x --no-wait "${pays[@]}"
grep -q 'replayed' "$work/out" || fail "the text receipt of a replay does not say so"

# --- real time: attempts appear in the log one by one as they finish, backoffs are waited ---
"$tool" --data-dir "$dir" set banks.bank_a.retry_policy.jitter false > /dev/null
for b in bank_b bank_c bank_d; do "$tool" --data-dir "$dir" bank "$b" --disable > /dev/null; done
# Only bank_a takes traffic; its policy (3 retries, 1000 ms doubling, no jitter) makes waits of 1, 2, 4 s.
key="realtime-$RANDOM"
start_ns=$(date +%s%N)
"$co" --data-dir "$dir" --amount 10 --currency USD --method card --json --idempotency-key "$key" "${pays[@]}" \
  --incident 'bank_a:outage:0s' > "$work/rt.json" &
rt_pid=$!
pids+=("$rt_pid")
id=$(fnv1a_id "$key")
seen=()
while kill -0 "$rt_pid" 2>/dev/null; do seen+=("$(rows_of "$id")"); sleep 0.2; done
set +e; wait "$rt_pid"; rt_exit=$?; set -e
elapsed_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
[[ $rt_exit == 3 ]] || fail "the real-time checkout exited $rt_exit, expected 3"
[[ $(jq -r .transaction_id "$work/rt.json") == "$id" ]] || fail "the id is not txn_ + FNV-1a-64 of the key"
(( elapsed_ms >= 7000 )) || fail "the real-time checkout took $elapsed_ms ms: backoffs of 1+2+4 s were not waited"
distinct=$(printf '%s\n' "${seen[@]}" | sort -u | grep -cv '^0$' || true)
(( distinct >= 3 )) || fail "rows did not appear one attempt at a time (counts seen: ${seen[*]})"
agree "$work/rt.json"
for b in bank_b bank_c bank_d; do "$tool" --data-dir "$dir" bank "$b" --enable > /dev/null; done

# --- interactive on a terminal: defaults, and bad answers asked again ---
if command -v script > /dev/null; then
  printf '\nabc\n12.345\n12.50\nbitcoin\n\n' |
    script -qec "'$co' --data-dir '$dir' --no-wait --world '$work/pays.json'" /dev/null > "$work/tty" 2>&1 ||
    fail "interactive checkout failed: $(cat "$work/tty")"
  grep -q 'Currency \[INR\]' "$work/tty" || fail "no currency prompt with its default: $(cat "$work/tty")"
  grep -q 'no sign\|plain decimal' "$work/tty" || fail "a bad amount was not explained: $(cat "$work/tty")"
  grep -q '2 decimals' "$work/tty" || fail "too many decimals not explained: $(cat "$work/tty")"
  grep -q 'unknown payment method' "$work/tty" || fail "a bad method was not explained: $(cat "$work/tty")"
  grep -q 'PAID' "$work/tty" || fail "the interactive payment did not complete: $(cat "$work/tty")"
  grep -q ',12.50,INR,upi,' "$dir/transactions.csv" || fail "the interactive payment left no row"
fi

# --- 20 concurrent checkouts beside a running simulator: no row lost, every line whole ---
"$sim" --data-dir "$dir" --tps 200 --quiet > /dev/null 2>&1 &
sim_pid=$!
pids+=("$sim_pid")
sleep 0.5
cat > "$work/mixed.json" <<'EOF'
{"default": {"soft_failure_rate": 0.4, "latency_median_ms": 80, "timeout_ms": 1000}}
EOF
co_pids=()
for i in $(seq 1 20); do
  "$co" --data-dir "$dir" --amount "$i.00" --currency INR --method upi --json --world "$work/mixed.json" \
    > "$work/par$i.json" 2> "$work/par$i.err" &
  co_pids+=($!)
done
for pid in "${co_pids[@]}"; do wait "$pid" || true; done
sleep 0.5
kill -INT "$sim_pid"
wait "$sim_pid" || fail "the simulator did not stop cleanly"
for i in $(seq 1 20); do
  [[ -s "$work/par$i.json" ]] || fail "concurrent checkout $i printed no receipt: $(cat "$work/par$i.err")"
  agree "$work/par$i.json"
done
[[ $(head -c 5 "$dir/transactions.csv") == times ]] || fail "the log lost its header"
[[ $(grep -c '^timestamp,' "$dir/transactions.csv") == 1 ]] || fail "more than one header"
bad=$(grep -vc '^20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:.]*Z,txn_[0-9a-f]\{16\},' "$dir/transactions.csv" || true)
[[ $bad == 1 ]] || fail "$((bad - 1)) lines are not whole rows"
[[ $(tail -c 1 "$dir/transactions.csv" | od -An -c | tr -d ' ') == '\n' ]] || fail "the log does not end in a newline"

echo "checkout_test: ok"
