#!/usr/bin/env bash
# The agent as operations sees it: `agent once` exits 6 on a missing log; `agent run --input` replays
# into a scratch copy unless --apply (the live config's bytes are unchanged); `agent status
# --prometheus FILE` writes a parseable textfile (checked with promtool when installed). About 5 s.
set -euo pipefail

build_dir=${1:?usage: agent_ops_test.sh BUILD_DIR}
sim="$build_dir/simulator"
agent="$build_dir/agent"
tool="$build_dir/config-tool"
for b in "$sim" "$agent" "$tool"; do [[ -x "$b" ]] || { echo "missing $b" >&2; exit 1; }; done
work=$(mktemp -d "${TMPDIR:-/tmp}/payops_agent_ops.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
d="$work/data"
cfg="$d/shared_config.json"
"$tool" init --data-dir "$d" > /dev/null

# --- agent once: a missing log is exit 6 and a sentence naming it, and nothing written ---
rm "$d/transactions.csv"
before=$(sha256sum < "$cfg")
set +e
"$agent" once --data-dir "$d" > "$work/once.out" 2> "$work/once.err"
code=$?
set -e
[[ $code == 6 ]] || fail "agent once with no log exited $code, expected 6: $(cat "$work/once.err")"
grep -q "transactions.csv is missing" "$work/once.err" || fail "no sentence naming the missing log"
[[ $(sha256sum < "$cfg") == "$before" ]] || fail "agent once wrote the config with no log"
"$tool" init --data-dir "$work/tmp_init" > /dev/null && cp "$work/tmp_init/transactions.csv" "$d/"
"$agent" once --data-dir "$d" > /dev/null 2>&1 || fail "agent once on a header-only log failed"

# --- replay: scratch copy by default, the live config untouched ---
before=$(sha256sum < "$cfg")
export PAYOPS_DATA_DIR="$d" TMPDIR="$work"
"$sim" --fast --count 3000 --tps 50 --seed 3 --start 2026-11-01T10:00:00.000Z --out - --quiet |
  "$agent" run --input - --interval 10s > "$work/replay.out" 2> "$work/replay.err" || fail "replay failed: $(cat "$work/replay.err")"
[[ $(sha256sum < "$cfg") == "$before" ]] || fail "a replay without --apply changed the live config"
scratch=$(grep -o "$work/payops-replay-[A-Za-z0-9]*/shared_config.json" "$work/replay.err" | head -1)
[[ -n $scratch && -f $scratch ]] || fail "the replay did not say where its scratch copy is: $(cat "$work/replay.err")"
jq -e '[.banks[].metrics.updated_at] | any(. != null and startswith("2026-11-01"))' "$scratch" > /dev/null ||
  fail "the scratch copy has no metrics from the replay"
# --apply writes the live config.
"$sim" --fast --count 3000 --tps 50 --seed 3 --start 2026-11-01T10:00:00.000Z --out - --quiet |
  "$agent" run --input - --interval 10s --apply > /dev/null 2> "$work/apply.err" || fail "replay --apply failed"
jq -e '[.banks[].metrics.updated_at] | any(. != null and startswith("2026-11-01"))' "$cfg" > /dev/null ||
  fail "--apply did not write the live config"
unset PAYOPS_DATA_DIR TMPDIR

# --- Prometheus textfile ---
"$sim" --data-dir "$d" --fast --count 500 --tps 50 --quiet > /dev/null
"$agent" once --data-dir "$d" > /dev/null
prom="$work/payops.prom"
"$agent" status --data-dir "$d" --prometheus "$prom" > "$work/prom.out" || fail "status --prometheus failed"
[[ ! -s $work/prom.out ]] || fail "--prometheus printed to stdout"
[[ -z $(ls "$work"/payops.prom.tmp.* 2>/dev/null) ]] || fail "a temporary file was left"
# Every line is a comment or NAME{LABELS} VALUE with a numeric (or NaN) value.
bad=$(grep -v '^#' "$prom" | grep -Ev '^[a-z_][a-z0-9_]*(\{[^}]*\})? (NaN|[-+]?[0-9.]+([eE][-+]?[0-9]+)?)$' || true)
[[ -z $bad ]] || fail "unparseable lines: $bad"
for m in payops_bank_success_ratio payops_bank_p95_latency_seconds payops_bank_weight payops_bank_health \
         payops_bank_breaker_state payops_agent_cycle_age_seconds; do
  grep -q "^$m" "$prom" || fail "no $m in the textfile"
done
w=$(awk '/^payops_bank_weight\{bank="bank_a"\}/ {print $2}' "$prom")
[[ $w == $(jq '.banks[] | select(.id=="bank_a") | .weight' "$cfg") ]] || fail "bank_a's weight $w is not the config's"
grep -q '^payops_bank_health{bank="bank_a",status="healthy"} 1$' "$prom" || fail "bank_a health not one-hot"
if command -v promtool > /dev/null; then
  promtool check metrics < "$prom" || fail "promtool check metrics"
else
  echo "note: promtool not installed; checked the format with a regex only"
fi
echo "agent ops: ok"
