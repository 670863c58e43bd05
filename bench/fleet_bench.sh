#!/usr/bin/env bash
# The fleet's costs (bench/RESULTS.md, "Fleet"): rows/s through one `fleet log up` bridge and one
# `fleet log down` merger, and config propagation latency (central file written by config-tool ->
# the replica's file renamed by `fleet config watch`), on a 3-node JetStream cluster on 127.0.0.1
# with replicas 3, like the test. Not a test: numbers depend on the machine and its load.
#   bench/fleet_bench.sh BUILD_DIR [ROWS] [CONFIG_CHANGES]
set -euo pipefail
build=${1:?usage: fleet_bench.sh BUILD_DIR [ROWS] [CONFIG_CHANGES]}
rows=${2:-200000}
changes=${3:-30}
command -v nats-server > /dev/null || { echo "nats-server missing: run scripts/setup.sh" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/payops_fleet_bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf -- "$work"; }
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/../examples/fleet/nats_cluster.sh"
start_nats_cluster "$work" bench
nats=$NATS_CLUSTER_URL
fleet=("$build/fleet" --nats "$nats" --replicas 3)
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), nats-server $(nats-server --version | cut -d' ' -f2)"

mkdir -p "$work/host" "$work/central"
"$build/config-tool" init --data-dir "$work/host" > /dev/null
rm -f "$work/host/transactions.csv"
"$build/simulator" --fast --count "$rows" --seed 1 --quiet --data-dir "$work/host" > /dev/null
n=$(( $(wc -l < "$work/host/transactions.csv") - 1 )); bytes=$(stat -c %s "$work/host/transactions.csv")
"${fleet[@]}" status > /dev/null 2>&1 || true  # waits for the cluster to answer
t0=$(date +%s%N)
"${fleet[@]}" log up --once --host bench --data-dir "$work/host" > "$work/up.out"
t1=$(date +%s%N)
"${fleet[@]}" log down --once --data-dir "$work/central" > "$work/down.out"
t2=$(date +%s%N)
merged=$(( $(wc -l < "$work/central/transactions.csv") - 1 ))
[[ $merged == "$n" ]] || { echo "merged $merged rows of $n" >&2; exit 1; }
awk -v n="$n" -v b="$bytes" -v up=$(( (t1 - t0) / 1000000 )) -v down=$(( (t2 - t1) / 1000000 )) 'BEGIN {
  printf "log up:   %d rows (%.1f MB) in %.2f s: %.0f rows/s\n", n, b / 1e6, up / 1000, n / (up / 1000)
  printf "log down: %d rows in %.2f s: %.0f rows/s\n", n, down / 1000, n / (down / 1000) }'

# Config propagation: central -> KV -> replica, measured from just before config-tool runs to the
# moment the replica's file holds the new value (polled every 2 ms).
mkdir -p "$work/replica"
"$build/config-tool" init --data-dir "$work/central" --force > /dev/null 2>&1 || "$build/config-tool" init --data-dir "$work/central" > /dev/null
"${fleet[@]}" config publish --data-dir "$work/central" 2> "$work/publish.err" & pids+=("$!")
"${fleet[@]}" config watch --data-dir "$work/replica" 2> "$work/watch.err" & pids+=("$!")
python3 - "$build/config-tool" "$work/central" "$work/replica/shared_config.json" "$changes" <<'PY'
import subprocess, sys, time, json
tool, central, replica, changes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def weight():
    try:
        return json.load(open(replica))["banks"][0]["weight"]
    except Exception:
        return None
deadline = time.time() + 30
while weight() is None and time.time() < deadline: time.sleep(0.05)
lat = []
for i in range(changes):
    w = 30 + i % 40
    if weight() == w: w += 1
    t0 = time.perf_counter()
    subprocess.run([tool, "set", "banks.bank_a.weight", str(w), "--data-dir", central, "--reason", "bench"], check=True,
                   stdout=subprocess.DEVNULL)
    while weight() != w:
        if time.perf_counter() - t0 > 10: sys.exit("config never reached the replica")
        time.sleep(0.002)
    lat.append((time.perf_counter() - t0) * 1000)
    time.sleep(0.2)
lat.sort()
print("config propagation over %d changes: median %.0f ms, p95 %.0f ms, max %.0f ms (config-tool's own write included)" %
      (len(lat), lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.95))], lat[-1]))
PY
