#!/usr/bin/env bash
# config-tool end to end: every command against a real data dir, its exit codes, and a lock held by
# util-linux flock(1). config-tool processes racing library writers: config_tool_race_test.sh.
set -euo pipefail
build=$1
ct="$build/config-tool"
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_exit() {  # expect_exit CODE cmd...
  local want=$1; shift
  set +e; "$@" >"$dir/out" 2>"$dir/err"; local got=$?; set -e
  [ "$got" = "$want" ] || { cat "$dir/out" "$dir/err" >&2; fail "'$*' exited $got, want $want"; }
}

export PAYOPS_DATA_DIR="$dir/data"
hdr='timestamp,transaction_id,amount,currency,type,bank_id,bank_name,status,latency_ms,error_code,error_message'

# init writes the default config and a header-only log; refuses a second time without --force.
expect_exit 4 "$ct" show
grep -q "config-tool init" "$dir/err" || fail "show without a config should point at init"
expect_exit 0 "$ct" init
[ "$(cat "$dir/data/transactions.csv")" = "$hdr" ] || fail "init should write exactly the header"
cmp -s "$dir/data/shared_config.json" "$PAYOPS_SOURCE_DIR/shared_config.json" || fail "init should write the repo's default config"
expect_exit 2 "$ct" init
grep -q -- "--force" "$dir/err" || fail "re-init should mention --force"
echo "2026-11-22T12:00:00.000Z,txn_0123456789abcdef,1.00,USD,card,bank_a,Stripe Gateway,success,12,," >> "$dir/data/transactions.csv"
expect_exit 0 "$ct" init --force
[ "$(wc -l < "$dir/data/transactions.csv")" = 2 ] || fail "init --force must never truncate the log"

# show: a table with shares; --json for machines.
expect_exit 0 "$ct" show
grep -q "Stripe Gateway" "$dir/out" || fail "show lists bank names"
grep -q "50.0%" "$dir/out" || fail "show gives bank_a's share (50 of 100)"
expect_exit 0 "$ct" show --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert abs(d["banks"][0]["share"]-0.5)<1e-9' "$dir/out" || fail "show --json share"

# get / set: typed, validated, recorded with the reason.
expect_exit 0 "$ct" get banks.bank_a.weight
[ "$(cat "$dir/out")" = 50 ] || fail "get weight"
expect_exit 0 "$ct" set banks.bank_b.weight 5 --reason "drill: shift traffic"
expect_exit 0 "$ct" get banks.bank_b.weight
[ "$(cat "$dir/out")" = 5 ] || fail "set weight did not stick"
before=$(md5sum < "$dir/data/shared_config.json")
expect_exit 2 "$ct" set banks.bank_b.retry_policy.max_retries 42
grep -q "banks\[1\].retry_policy.max_retries" "$dir/err" || fail "range error should name the field path"
expect_exit 2 "$ct" set banks.bank_b.wieght 5
expect_exit 2 "$ct" set banks.bank_b.health_status sideways
[ "$(md5sum < "$dir/data/shared_config.json")" = "$before" ] || fail "refused sets must not write"

# bank / weights / chaos each leave one history entry per kind of change.
expect_exit 0 "$ct" bank bank_c --weight 20 --health degraded --retry-level low --reason "bank_c slow"
expect_exit 0 "$ct" get banks.bank_c.retry_policy.max_retries
[ "$(cat "$dir/out")" = 1 ] || fail "retry level low means 1 retry"
expect_exit 2 "$ct" bank bank_zz --weight 1
expect_exit 0 "$ct" weights bank_a=40 bank_d=20
expect_exit 2 "$ct" weights bank_a=-1
expect_exit 2 "$ct" weights bank_a=0 bank_b=0 bank_c=0 bank_d=0
expect_exit 0 "$ct" chaos on --rate 0.4 --targets bank_c
expect_exit 0 "$ct" get routing_rules.chaos_targets --json
[ "$(cat "$dir/out")" = '["bank_c"]' ] || fail "chaos targets"
expect_exit 2 "$ct" chaos on --targets bank_nope
expect_exit 0 "$ct" history --json
python3 - "$dir/out" <<'PY' || fail "history entries"
import json, sys
h = json.load(open(sys.argv[1]))
actions = [e["action"] for e in h]
assert actions == ["set_config", "set_weights", "update_bank_health", "adjust_retry_policy", "set_weights", "toggle_chaos_mode"], actions
assert all(e["actor"] == "config-tool" for e in h)
assert h[0]["reason"] == "drill: shift traffic"
assert h[0]["details"]["changes"][0] == {"path": "banks.bank_b.weight", "before": 25, "after": 5}
PY
expect_exit 0 "$ct" history --last 2
[ "$(wc -l < "$dir/out")" = 3 ] || fail "history --last 2 prints a header and two rows"

# validate lists every problem and exits 4; the file is left alone.
cp "$dir/data/shared_config.json" "$dir/bad.json"
python3 - "$dir/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["banks"][1]["weight"] = "fifty"; d["banks"][2]["health_status"] = "sideways"; d["routing_rules"]["primary_bank"] = "bank_z"
json.dump(d, open(sys.argv[1], "w"))
PY
expect_exit 4 "$ct" validate "$dir/bad.json"
for needle in 'banks\[1\].weight' 'banks\[2\].health_status' 'routing_rules.primary_bank'; do
  grep -q "$needle" "$dir/err" || fail "validate should name $needle"
done
printf '{"banks": [\n  {"id": "bank_a",,}\n]}\n' > "$dir/syntax.json"
expect_exit 4 "$ct" validate "$dir/syntax.json"
grep -qE 'syntax.json:2:[0-9]+' "$dir/err" || fail "a syntax error gives line:column"
expect_exit 0 "$ct" validate

# A lock held by an operator's flock(1) makes writers wait, then fail with exit 3 naming the holder.
flock "$dir/data/shared_config.json.lock" -c 'sleep 3' &
holder=$!
sleep 0.3
expect_exit 3 "$ct" --lock-timeout 300ms set banks.bank_a.weight 41
grep -q "pid" "$dir/err" || fail "lock timeout should name the holder's pid"
wait $holder
expect_exit 0 "$ct" set banks.bank_a.weight 41

# watch prints when the file changes.
"$ct" watch --interval 50ms --max-updates 2 > "$dir/watch" &
watcher=$!
sleep 0.5
"$ct" set banks.bank_a.weight 42 >/dev/null
wait $watcher || fail "watch should exit 0 after two prints"
[ "$(grep -c 'Stripe Gateway' "$dir/watch")" = 2 ] || fail "watch printed the table twice"

expect_exit 0 "$ct" validate
echo "config-tool: all checks passed"
