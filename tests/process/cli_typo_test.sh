#!/usr/bin/env bash
# One command-line grammar (issue 15 item 4): a mistyped subcommand or flag is named with the closest
# real one and exits 2; range and type errors are short sentences; every tool has --version.
set -euo pipefail
build=$1
dir=$(mktemp -d /tmp/cli_typo.XXXXXX)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # expect CODE 'text on stderr' cmd...
  local want=$1 text=$2; shift 2
  set +e; "$@" >"$dir/out" 2>"$dir/err"; local got=$?; set -e
  [ "$got" = "$want" ] || { cat "$dir/out" "$dir/err" >&2; fail "'$*' exited $got, want $want"; }
  grep -qF -- "$text" "$dir/err" || { cat "$dir/err" >&2; fail "'$*' should say: $text"; }
}
export PAYOPS_DATA_DIR="$dir/data"
"$build/config-tool" init >/dev/null

expect 2 "'shwo' is not a config-tool command. Did you mean 'show'?" "$build/config-tool" shwo
expect 2 "'stauts' is not a agent command. Did you mean 'status'?" "$build/agent" stauts
expect 2 "'hist' is not a config-tool command. Did you mean 'history'?" "$build/config-tool" hist
expect 2 "'deploy' is not a config-tool command; the commands are init, show" "$build/config-tool" deploy
expect 2 "'--jsno' is not an option of agent status. Did you mean '--json'?" "$build/agent" status --jsno
expect 2 "'--wieght' is not an option of config-tool bank. Did you mean '--weight'?" "$build/config-tool" bank bank_b --wieght 5
expect 2 "'--amout' is not an option of checkout. Did you mean '--amount'?" "$build/checkout" --amout 5 --currency USD --method card
expect 2 "'--tsp' is not an option of simulator. Did you mean '--tps'?" "$build/simulator" --tsp 5

# Range and type errors: one short sentence naming the flag, no 300-digit bound.
expect 2 "--weight: must be at least 0, got -5" "$build/config-tool" bank bank_b --weight -5
! grep -qE '[0-9]{20}' "$dir/err" || fail "the range error quotes a huge number: $(cat "$dir/err")"
expect 2 "must be a number, got 'abc'" "$build/config-tool" bank bank_b --weight abc
expect 2 "--last must be a whole number >= 0, got 'many'" "$build/config-tool" history --last many
expect 2 "--chaos-abort-below: must be between 0 and 1, got 1.5" "$build/agent" --chaos-abort-below 1.5 once
[ "$("$build/config-tool" get banks.bank_b.weight)" != "" ] || fail "the refused edits must leave the config readable"

# --version on every tool: the CMake version and the commit (or "unknown" outside a checkout).
tools=(simulator checkout agent config-tool)
[ -x "$build/fleet" ] && tools+=(fleet)
for t in "${tools[@]}"; do
  out=$("$build/$t" --version) || fail "$t --version exited $?"
  echo "$out" | grep -qE "^$t [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}(-dirty)?|unknown)\)$" \
    || fail "$t --version printed: $out"
done
echo "cli_typo_test: ok"
