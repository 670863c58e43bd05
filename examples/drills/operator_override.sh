#!/usr/bin/env bash
# Drill: during bank_b's outage an operator insists (config-tool) that bank_b is healthy at weight 25.
# The agent must respect that change for its cooldown: no agent action may undo the operator's fields
# within --operator-cooldown (here 60 s, longer than the drill).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
drill_setup
DRILL_AGENT_ARGS="--operator-cooldown 60s"
# 16 s in (virtual or real time, per DRILL_MODE), the operator steps in.
DRILL_OPERATOR_AT=16
DRILL_OPERATOR='"$build/config-tool" bank bank_b --weight 25 --health healthy \
  --reason "operator: bank_b confirmed fine by its ops team" >/dev/null'
drill_run 35 bank_b:outage:6s+25s
# From 16 s on the operator keeps bank_b in at weight 25 during its outage, on purpose: the agent must
# not undo it, so from then on the gap to the oracle is the operator's to own, not the agent's. Seeds
# 1-3: first-attempt gap 96% / 92% / 97%, p95 gap 99% / 99% / 100% (examples/drills/run_seeds.sh
# --seeds 3 --jobs 2, healing4 at 302ad61), so the known-short mark is gone (88% on seed 2 before the
# burst rule: a straggler success ended bank_b's run of faults, its breaker opened a second late).
# At healing5 8d2cdb3, b09cee0 and e723356 alike: first-attempt gap 96% / 92% / 97% on seeds 1-3, 96% on
# the default seed; p95 gap 99% / 99% / 100%, default 99% (examples/drills/run_seeds.sh --seeds 3 --jobs
# 1; default seed: bash examples/drills/operator_override.sh)
drill_score 35 \
  --bar-reason "the operator forces the failing bank back in mid-outage; the agent must leave it there"
ct history --json --last 0 > "$data/history.json"
python3 - "$data/history.json" <<'PY'
import json, sys
h = json.load(open(sys.argv[1]))
# "After" is by position: history is appended in order, and config-tool stamps its entries with the
# real clock while a virtual-time agent stamps virtual instants.
op_at = [i for i, e in enumerate(h) if e["actor"] == "config-tool" and "operator:" in e.get("reason", "")]
assert op_at, "the operator's change is not in history"
t_op = h[op_at[0]]["timestamp"]
fields = {c["path"] for i in op_at for c in h[i]["details"].get("changes", [])}
undo = [e for e in h[op_at[0] + 1:] if e["actor"] == "agent"
        and any(c["path"] in fields for c in e["details"].get("changes", []))]
for e in undo:
    print("agent undid:", e["action"], e["reason"])
assert not undo, "the agent undid an operator change inside the cooldown"
print(f"operator override respected: {len(fields)} fields untouched by the agent after {t_op}")
PY
[ "$(ct get banks.bank_b.weight)" = 25 ] || { echo "FAIL: bank_b's weight is not the operator's 25" >&2; exit 1; }
echo "operator override drill: PASS"
