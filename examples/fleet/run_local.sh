#!/usr/bin/env bash
# A whole fleet on this machine, for a look: a 3-node JetStream cluster on 127.0.0.1 (replicas 3), two
# payment hosts (simulator + `fleet log up` + `fleet config watch`), and a central dir (`fleet log down`,
# `fleet config publish`, the agent daemon). bank_b goes down on both hosts for 15 s; the agent, seeing
# the merged log, heals it, and its config reaches both hosts. Ends with `fleet status` and the agent's
# actions as each host's config holds them. From a fresh clone: builds first if needed (scripts/setup.sh
# installs nats-server and libnats-dev). FLEET_KEEP=1 keeps the data in /tmp.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${PAYOPS_BUILD:-$root/build}
if [[ ! -x "$build/fleet" || ! -x "$build/simulator" || ! -x "$build/agent" || ! -x "$build/config-tool" ]] ||
   ! command -v nats-server > /dev/null; then
  bash "$root/scripts/setup.sh" --build-dir "$build" --target fleet --target simulator --target agent --target config-tool
fi
work=$(mktemp -d /tmp/payops-fleet.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ "${FLEET_KEEP:-0}" == 1 ]]; then echo "data kept in $work"; else rm -rf -- "$work"; fi
}
trap cleanup EXIT
source "$root/examples/fleet/nats_cluster.sh"
start_nats_cluster "$work" payops
export PAYOPS_NATS_URL=$NATS_CLUSTER_URL
echo "cluster: $PAYOPS_NATS_URL"

central="$work/central"; mkdir -p "$central" "$work/pay-1" "$work/pay-2"
"$build/config-tool" init --data-dir "$central" > /dev/null
"$build/config-tool" set banks.bank_b.circuit_breaker.open_duration_s 8 --data-dir "$central" --reason "demo: short timer" > /dev/null
"$build/fleet" config publish --data-dir "$central" 2> "$work/publish.log" & pids+=("$!")
"$build/fleet" log down --data-dir "$central" > /dev/null 2> "$work/down.log" & pids+=("$!")
for h in pay-1 pay-2; do
  "$build/fleet" config watch --data-dir "$work/$h" 2> "$work/$h.watch.log" & pids+=("$!")
  "$build/fleet" log up --host "$h" --data-dir "$work/$h" > /dev/null 2> "$work/$h.up.log" & pids+=("$!")
done
for h in pay-1 pay-2; do
  for ((n = 0; n < 300; n++)); do [[ -f "$work/$h/shared_config.json" ]] && grep -q following "$work/$h.up.log" && break; sleep 0.1; done
done
"$build/agent" run --data-dir "$central" --interval 2s --short-window 10s --long-window 60s > "$work/agent.log" 2>&1 & pids+=("$!")
echo "traffic: 2 hosts x 20 payments/s for 40 s; bank_b down from 8 s to 23 s on both"
sims=()
for h in pay-1 pay-2; do
  "$build/simulator" --data-dir "$work/$h" --tps 20 --duration 40s --incident bank_b:outage:8s+15s --quiet > /dev/null 2>&1 &
  sims+=("$!"); pids+=("$!")
done
wait "${sims[@]}"
sleep 2
echo; "$build/fleet" status
echo; echo "rows: pay-1 $(( $(wc -l < "$work/pay-1/transactions.csv") - 1 )), pay-2 $(( $(wc -l < "$work/pay-2/transactions.csv") - 1 )), merged $(( $(wc -l < "$central/transactions.csv") - 1 ))"
echo; echo "the agent's actions, as pay-2's config holds them:"
"$build/config-tool" history --last 8 --data-dir "$work/pay-2"
echo; "$build/agent" report --data-dir "$central" --no-payments | head -12
