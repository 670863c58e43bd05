#!/usr/bin/env bash
# Idempotency under concurrency, with real processes in real time: 10 parallel checkouts with one key
# charge exactly once (the key's fcntl record lock on transactions.csv), round after round; the others
# report "in flight" (exit 6) or, with --idempotency-wait, replay the one charge. A replay of a payment
# still paying says it is in flight, never "failed". A charge whose row cannot be written (file-size
# limit: a full disk) is reported as charged_unrecorded (exit 7) with the bank's reference.
set -euo pipefail

build_dir=${1:?usage: checkout_idempotency_test.sh BUILD_DIR}
co="$build_dir/checkout"
tool="$build_dir/config-tool"
for b in "$co" "$tool"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done
command -v jq > /dev/null || { echo "jq is needed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/payops_idem.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
dir="$work/data"
mkdir -p "$dir"
"$tool" init --data-dir "$dir" > /dev/null
# Every attempt pays after ~150 ms: one charge is exactly one success row.
cat > "$work/pays.json" <<'EOF'
{"default": {"soft_failure_rate": 0, "latency_median_ms": 150, "latency_sigma": 0.1, "timeout_ms": 1000,
             "hard_decline_rate": {"card": 0, "upi": 0, "netbanking": 0, "wallet": 0, "bank_transfer": 0}}}
EOF
cat > "$work/slow.json" <<'EOF'
{"default": {"soft_failure_rate": 0, "latency_median_ms": 4000, "latency_sigma": 0.05, "timeout_ms": 10000,
             "hard_decline_rate": {"card": 0, "upi": 0, "netbanking": 0, "wallet": 0, "bank_transfer": 0}}}
EOF
rows_of() { grep -c ",$1," "$dir/transactions.csv" || true; }

# race KEY EXTRA...: 10 checkouts with one key started together; their exit codes in $work/codes.
race() {
  local key=$1; shift
  local pids=() i
  for i in $(seq 1 10); do
    "$co" --data-dir "$dir" --amount 12.34 --currency EUR --method card --idempotency-key "$key" --json \
      --world "$work/pays.json" "$@" > "$work/out.$i" 2> "$work/err.$i" &
    pids+=($!)
  done
  : > "$work/codes"
  for i in "${!pids[@]}"; do
    set +e; wait "${pids[$i]}"; echo $? >> "$work/codes"; set -e
  done
}

# --- default (no wait): one charge, the rest in flight or replayed ---
for round in 1 2 3 4 5; do
  key="race-$round-$RANDOM"
  race "$key"
  id=$(jq -r .transaction_id "$work/out.1")
  [[ $(rows_of "$id") == 1 ]] || fail "round $round: $(rows_of "$id") rows for one key, expected exactly 1 charge"
  grep -vqE '^(0|6)$' "$work/codes" && fail "round $round: exit codes $(sort "$work/codes" | uniq -c | tr '\n' ' ')"
  fresh=0
  for i in $(seq 1 10); do
    status=$(jq -r .status "$work/out.$i")
    case $status in
      paid) [[ $(jq -r .replayed "$work/out.$i") == false ]] && fresh=$((fresh + 1)) ;;
      in_flight) [[ $(jq '.attempts | length' "$work/out.$i") == 0 ]] || fail "an in-flight receipt lists attempts" ;;
      *) fail "round $round: a racing checkout reported '$status'" ;;
    esac
  done
  [[ $fresh == 1 ]] || fail "round $round: $fresh checkouts say they paid anew, expected 1"
done

# --- with --idempotency-wait: everyone waits for the one charge and replays it ---
for round in 1 2 3; do
  key="wait-$round-$RANDOM"
  race "$key" --idempotency-wait 20s
  id=$(jq -r .transaction_id "$work/out.1")
  [[ $(rows_of "$id") == 1 ]] || fail "wait round $round: $(rows_of "$id") rows for one key, expected 1"
  [[ $(sort -u "$work/codes") == 0 ]] || fail "wait round $round: exit codes $(sort "$work/codes" | uniq -c | tr '\n' ' ')"
  [[ $(cat "$work"/out.* | jq -s '[.[] | select(.replayed == false)] | length') == 1 ]] ||
    fail "wait round $round: not exactly one fresh payment"
done

# --- a replay while the original is still paying: in flight (6), never failed ---
key="slow-$RANDOM"
"$co" --data-dir "$dir" --amount 7 --currency USD --method card --idempotency-key "$key" --json \
  --world "$work/slow.json" > "$work/slow.out" 2> "$work/slow.err" &
slow_pid=$!
id=""
for _ in $(seq 1 100); do  # until the first checkout holds the key (it has opened the log)
  [[ -s "$dir/transactions.csv" ]] && break
  sleep 0.05
done
sleep 0.3
set +e
"$co" --data-dir "$dir" --amount 7 --currency USD --method card --idempotency-key "$key" --json \
  --world "$work/pays.json" > "$work/replay.out" 2> "$work/replay.err"
replay_code=$?
still_running=0; kill -0 "$slow_pid" 2>/dev/null && still_running=1
wait "$slow_pid"; slow_code=$?
set -e
[[ $slow_code == 0 ]] || fail "the slow original exited $slow_code"
id=$(jq -r .transaction_id "$work/slow.out")
[[ $(rows_of "$id") == 1 ]] || fail "the slow payment has $(rows_of "$id") rows"
if (( still_running )); then
  [[ $replay_code == 6 ]] || fail "a replay during the payment exited $replay_code, expected 6 (in flight)"
  [[ $(jq -r .status "$work/replay.out") == in_flight ]] || fail "the in-flight replay's JSON: $(cat "$work/replay.out")"
fi
"$co" --data-dir "$dir" --amount 7 --currency USD --method card --idempotency-key "$key" > "$work/text.out" || true
grep -q 'replayed' "$work/text.out" || fail "after the payment, the key does not replay"

# --- charged but not recorded: the log cannot grow (RLIMIT_FSIZE at its size, SIGXFSZ ignored) ---
rows_before=$(wc -l < "$dir/transactions.csv")
size_kib=$(( $(stat -c %s "$dir/transactions.csv") / 1024 ))
set +e
# stdout and stderr go through pipes: the limit applies to every regular file the process writes.
( trap '' XFSZ; ulimit -f "$size_kib"
  exec "$co" --data-dir "$dir" --amount 99 --currency USD --method card --json --no-wait --world "$work/pays.json" ) \
  2> >(cat > "$work/full.err") | cat > "$work/full.out"
full_code=${PIPESTATUS[0]}
sleep 0.2  # the stderr process substitution may still be flushing
set -e
[[ $full_code == 7 ]] || fail "a charge that could not be recorded exited $full_code, expected 7: $(cat "$work/full.err")"
[[ $(jq -r .status "$work/full.out") == charged_unrecorded ]] || fail "no charged_unrecorded JSON: $(cat "$work/full.out")"
ref=$(jq -r .bank_reference "$work/full.out")
[[ $ref =~ ^bank_[a-z0-9_]+/txn_[0-9a-f]{16}/1$ ]] || fail "bank_reference '$ref' is not BANK/TXN/ATTEMPT"
[[ $(jq -r '.attempts[-1].status' "$work/full.out") == success ]] || fail "the unrecorded attempt is not the charge"
grep -q 'charged' "$work/full.err" || fail "stderr does not say the payment was charged: $(cat "$work/full.err")"
[[ $(wc -l < "$dir/transactions.csv") == "$rows_before" ]] || fail "the log grew past its size limit"
echo "checkout idempotency: OK"
