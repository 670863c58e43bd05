#!/usr/bin/env bash
# A human's broken edit is never overwritten: for each kind of damage the update is refused with a
# message naming the place, and the file is byte-identical afterwards. Also checks that the
# committed default shared_config.json is exactly what default_config() writes.
set -euo pipefail
build=${1:?usage: config_broken_test.sh BUILD_DIR}
kit="$build/tests/config_writer_testkit"
[ -x "$kit" ] || kit="$build/config_writer_testkit"
src=${PAYOPS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$kit" --print-default >"$work/default.json"
cmp "$work/default.json" "$src/shared_config.json" ||
  fail "the committed shared_config.json differs from default_config(); regenerate it with: config_writer_testkit --print-default > shared_config.json"

data="$work/data"
mkdir "$data"
cfg="$data/shared_config.json"

# check_refused NAME EXPECTED_TEXT: the update must fail, name the place, and leave the file alone.
check_refused() {
  local name=$1 expected=$2
  cp "$cfg" "$work/before"
  if "$kit" --dir "$data" --updates 1 --tag broken >"$work/out" 2>"$work/err"; then
    fail "$name: the update was accepted"
  fi
  grep -qF -- "$expected" "$work/err" || { cat "$work/err" >&2; fail "$name: message should contain: $expected"; }
  cmp "$cfg" "$work/before" || fail "$name: the broken file was modified"
  if ls -A "$data" | grep -q '^\.shared_config\.json\.tmp\.'; then fail "$name: temp file left behind"; fi
  echo "ok: $name refused: $(grep -F -- "$expected" "$work/err" | head -1)"
}

# Bad JSON: cut the file in the middle of the third bank.
head -c 2500 "$work/default.json" >"$cfg"
check_refused "truncated JSON" "$cfg:"
grep -qE "shared_config\.json:[0-9]+:[0-9]+: syntax error" "$work/err" || fail "truncated JSON: no line:column"

# A stray comma on a known line.
sed '3s/{/{,/' "$work/default.json" >"$cfg"
check_refused "stray comma" "$cfg:3:"

sed 's/"weight": 50,/"weight": "fifty",/' "$work/default.json" >"$cfg"
check_refused "wrong type" 'banks[0].weight: must be an integer >= 0, got "fifty"'

sed '0,/"health_status": "healthy"/s//"health_status": "sick"/' "$work/default.json" >"$cfg"
check_refused "unknown enum" 'banks[0].health_status: must be one of healthy, degraded, down; got "sick"'

sed 's/"id": "bank_d"/"id": "bank_b"/' "$work/default.json" >"$cfg"
check_refused "duplicate bank id" 'banks[3].id: duplicate of banks[1].id "bank_b"'

sed 's/"primary_bank": "bank_a"/"primary_bank": "bank_z"/' "$work/default.json" >"$cfg"
check_refused "unknown primary_bank" 'routing_rules.primary_bank: "bank_z" is not a bank id (known: bank_a, bank_b, bank_c, bank_d)'

sed -E 's/"weight": [0-9]+/"weight": 0/' "$work/default.json" >"$cfg"
check_refused "all weights zero" 'banks: every enabled bank has weight 0'

sed 's/"max_retries": 3/"max_retries": 42/' "$work/default.json" >"$cfg"
check_refused "retries out of range" 'banks[0].retry_policy.max_retries: must be 0..10, got 42'

printf '[]\n' >"$cfg"
check_refused "not an object" 'the top level must be a JSON object'

# Several problems at once: all are reported.
sed -e 's/"weight": 50,/"weight": "fifty",/' -e 's/"primary_bank": "bank_a"/"primary_bank": "bank_z"/' \
  "$work/default.json" >"$cfg"
check_refused "two problems" 'banks[0].weight'
grep -qF 'routing_rules.primary_bank' "$work/err" || fail "two problems: only the first was reported"

# Once fixed, updates work again.
cp "$work/default.json" "$cfg"
"$kit" --dir "$data" --updates 1 --tag fixed || fail "update on a repaired file"
echo "ok: broken configs are refused and left byte-identical"
