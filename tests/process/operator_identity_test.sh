#!/usr/bin/env bash
# config-tool records who made a change ($SUDO_USER before $USER, and the host), and a config with
# "require_reason": true refuses a change without --reason (exit 2, nothing written). About 1 s.
set -euo pipefail

build_dir=${1:?usage: operator_identity_test.sh BUILD_DIR}
tool="$build_dir/config-tool"
[[ -x $tool ]] || { echo "missing $tool" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/payops_identity.XXXXXX")
trap 'rm -rf -- "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
d="$work/data"
cfg="$d/shared_config.json"
"$tool" init --data-dir "$d" > /dev/null

USER=alice SUDO_USER= "$tool" bank bank_b --weight 10 --data-dir "$d" > /dev/null
[[ $(jq -r '.agent_history[-1].operator' "$cfg") == alice ]] || fail "operator is not \$USER: $(jq -c '.agent_history[-1]' "$cfg")"
[[ $(jq -r '.agent_history[-1].host' "$cfg") == "$(hostname)" ]] || fail "host is not the host name"
[[ $(jq -r '.agent_history[-1].actor' "$cfg") == config-tool ]] || fail "actor changed"
USER=root SUDO_USER=bob "$tool" weights bank_a=40 --data-dir "$d" --reason "rebalance" > /dev/null
[[ $(jq -r '.agent_history[-1].operator' "$cfg") == bob ]] || fail "sudo's user is not recorded: $(jq -c '.agent_history[-1]' "$cfg")"

"$tool" set require_reason true --data-dir "$d" > /dev/null
[[ $(jq -r '.require_reason' "$cfg") == true ]] || fail "require_reason not set"
before=$(jq -c '.banks' "$cfg")
set +e
"$tool" bank bank_b --weight 20 --data-dir "$d" > "$work/out" 2> "$work/err"
code=$?
set -e
[[ $code == 2 ]] || fail "a change without --reason exited $code, expected 2"
grep -q 'requires a reason' "$work/err" || fail "no clear sentence: $(cat "$work/err")"
[[ $(jq -c '.banks' "$cfg") == "$before" ]] || fail "the refused change was written"
"$tool" bank bank_b --weight 20 --data-dir "$d" --reason "bank_b recovered" > /dev/null || fail "a change with --reason was refused"
[[ $(jq -r '.agent_history[-1].reason' "$cfg") == "bank_b recovered" ]] || fail "reason not recorded"
"$tool" set require_reason false --data-dir "$d" --reason "drill over" > /dev/null
"$tool" bank bank_b --weight 25 --data-dir "$d" > /dev/null || fail "require_reason false still requires a reason"
echo "operator identity: ok"
