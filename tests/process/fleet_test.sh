#!/usr/bin/env bash
# The fleet on real servers: a 3-node JetStream cluster on 127.0.0.1 (replicas 3, ports picked free at
# run time), three payment hosts (a paced simulator, `fleet log up`, `fleet config watch` each) and a
# central dir (`fleet log down`, `fleet config publish`, the agent daemon). Mid-run: kill -9 of one
# host's log-up bridge and of the log-down bridge (both restarted), kill -9 of one NATS node (left
# dead; not the log stream's leader), a malformed line and a torn line written into one host's log.
# Proved:
#   - bank_b's outage, seen on all three hosts, is healed by the one agent, and its action reaches
#     every host's config (bounded polls; the time it took is reported, not asserted);
#   - per host, the rows in its log = the rows the stream holds for it; the merged log holds exactly
#     the union of the hosts' rows (no row lost, none twice) and passes the contract checks;
#   - the config ends identical on every host; an invalid revision is refused on every host; a local
#     edit on a host is put back; a second writer of the config key stops the publisher (CAS).
# nats-server missing is a FAILURE (scripts/setup.sh installs it), never a skip.
set -euo pipefail
build=${1:?usage: fleet_test.sh BUILD_DIR}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v nats-server > /dev/null ||
  fail "nats-server is not installed: run scripts/setup.sh (it installs the Debian package nats-server)"
command -v jq > /dev/null || fail "jq is needed (scripts/setup.sh --with-tests)"
command -v python3 > /dev/null || fail "python3 is needed to pick free ports (scripts/setup.sh --with-tests)"
fleet="$build/fleet"; sim="$build/simulator"; agent="$build/agent"; tool="$build/config-tool"
check="$build/tests/csv_check_testkit"
for b in "$fleet" "$sim" "$agent" "$tool" "$check"; do [[ -x "$b" ]] || fail "missing $b (build it first)"; done

work=$(mktemp -d "${TMPDIR:-/tmp}/payops_fleet.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [[ -n "${KEEP:-}" ]]; then echo "kept $work" >&2; else rm -rf -- "$work"; fi
}
trap cleanup EXIT
test_start=$(date +%s%3N)
now_ms() { date +%s%3N; }
json_field() { jq -r "$2" <<< "$1"; }

# --- the cluster: three nats-server processes, six free ports ---------------------------------------
read -r -a ports < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks: s.close()')
client=("${ports[@]:0:3}"); route=("${ports[@]:3:3}")
declare -a node_pid
start_node() {
  local i=$1 routes=()
  for j in 0 1 2; do [[ $j == "$i" ]] || routes+=("nats://127.0.0.1:${route[$j]}"); done
  nats-server -js -sd "$work/node$i" -n "n$i" -a 127.0.0.1 -p "${client[$i]}" --cluster_name payops_test \
    --cluster "nats://127.0.0.1:${route[$i]}" --routes "$(IFS=,; echo "${routes[*]}")" > "$work/node$i.log" 2>&1 &
  node_pid[$i]=$!; pids+=("$!")
}
for i in 0 1 2; do start_node "$i"; done
NATS="nats://127.0.0.1:${client[0]},nats://127.0.0.1:${client[1]},nats://127.0.0.1:${client[2]}"
fleet_cmd=("$fleet" --nats "$NATS" --connect-timeout 30s)  # started directly, so $! is fleet's own pid
fl() { "${fleet_cmd[@]}" "$@"; }
status() { fl status --json; }

# --- central dir: the authority's config and the merged log -----------------------------------------
central="$work/central"; mkdir -p "$central"
"$tool" init --data-dir "$central" > /dev/null
"$tool" set banks.bank_b.circuit_breaker.open_duration_s 4 --data-dir "$central" --reason "test: short timer" > /dev/null
"${fleet_cmd[@]}" --json config publish --data-dir "$central" > "$work/publish.out" 2> "$work/publish.err" &
publish_pid=$!; pids+=("$publish_pid")

hosts=(h1 h2 h3)
declare -A up_pid watch_pid
start_up() { "${fleet_cmd[@]}" --json log up --host "$1" --data-dir "$work/$1" >> "$work/up_$1.out" 2>> "$work/up_$1.err" & up_pid[$1]=$!; pids+=("$!"); }
for h in "${hosts[@]}"; do
  mkdir -p "$work/$h"
  "${fleet_cmd[@]}" --json config watch --data-dir "$work/$h" > "$work/watch_$h.out" 2> "$work/watch_$h.err" &
  watch_pid[$h]=$!; pids+=("$!")
done
same_config() { [[ -f "$2/shared_config.json" ]] && cmp -s <(jq -S . "$1/shared_config.json") <(jq -S . "$2/shared_config.json"); }
for h in "${hosts[@]}"; do
  for ((n = 0; n < 300; n++)); do same_config "$central" "$work/$h" && break; sleep 0.1; done
  same_config "$central" "$work/$h" || fail "the central config never reached $h: $(cat "$work/watch_$h.err")"
done
start_down() { "${fleet_cmd[@]}" --json log down --data-dir "$central" >> "$work/down.out" 2>> "$work/down.err" & down_pid=$!; pids+=("$!"); }
start_down
for h in "${hosts[@]}"; do start_up "$h"; done
# Traffic starts once every bridge follows its log: a bridge that starts late publishes old rows late,
# out of the merged log's time order (catching up on history is late by definition: docs/fleet.md).
for h in "${hosts[@]}"; do
  for ((n = 0; n < 300; n++)); do grep -q "following" "$work/up_$h.err" && break; sleep 0.1; done
  grep -q "following" "$work/up_$h.err" || fail "log up on $h never started: $(cat "$work/up_$h.err")"
done
"$agent" run --data-dir "$central" --interval 1s --short-window 6s --long-window 60s --operator-cooldown 1s \
  --min-dwell 10s > "$work/agent.out" 2> "$work/agent.err" &
agent_pid=$!; pids+=("$agent_pid")
sim_start=$(now_ms)
declare -A sim_pid
seed=1
for h in "${hosts[@]}"; do
  "$sim" --data-dir "$work/$h" --tps 25 --duration 30s --seed $((seed++)) --incident bank_b:outage:6s+16s --quiet \
    > /dev/null 2> "$work/sim_$h.err" &
  sim_pid[$h]=$!; pids+=("$!")
done

# --- faults, mid-run --------------------------------------------------------------------------------
sleep 2
# A torn line (no '\n' yet: not a row) and, once the simulator ends it, a malformed one; plus garbage.
flock "$work/h3/transactions.csv" -c "printf '2026-11-29T00:00:00.000Z,txn_torn' >> '$work/h3/transactions.csv'"
sleep 1
flock "$work/h3/transactions.csv" -c "printf 'this is not a row\n' >> '$work/h3/transactions.csv'"
kill -9 "${up_pid[h2]}"; sleep 1; : > "$work/up_h2.err"; start_up h2   # a log-up bridge dies and comes back
# The next fault waits until it follows again, so the delays do not add up.
for ((n = 0; n < 300; n++)); do grep -q "following" "$work/up_h2.err" && break; sleep 0.1; done

# The agent's first action on bank_b, then the polls until every host's config carries it.
for ((n = 0; n < 200; n++)); do
  act_ts=$(jq -r '[.agent_history[] | select(.actor=="agent") | select(any(.details.changes[]?.path;
    test("banks.bank_b.(circuit_breaker.state|health_status|weight)")))][0].timestamp // empty' "$central/shared_config.json")
  [[ -n "$act_ts" ]] && break; sleep 0.1
done
[[ -n "$act_ts" ]] || fail "the agent never acted on bank_b's outage: $(tail -5 "$work/agent.err")"
seen_at=$(now_ms)
for h in "${hosts[@]}"; do
  for ((n = 0; n < 600; n++)); do
    jq -e --arg t "$act_ts" 'any(.agent_history[]; .timestamp == $t and .actor == "agent")' "$work/$h/shared_config.json" \
      > /dev/null 2>&1 && break
    sleep 0.05
  done
  jq -e --arg t "$act_ts" 'any(.agent_history[]; .timestamp == $t and .actor == "agent")' "$work/$h/shared_config.json" \
    > /dev/null || fail "the agent's action of $act_ts did not reach $h within 600 polls"
done
propagation_ms=$(( $(now_ms) - seen_at ))

# One NATS node dies for good, once the agent's action has spread: one that does not lead the log
# stream (clients on it fail over, the stream and the bucket lose a replica, maybe the metadata
# leader). Killing the stream's leader also loses nothing, but stalls every host for the election
# (seconds under load), which can put that stall's rows past the readers' slack: docs/fleet.md.
leader=$(status | jq -r .leader)
victim=0; [[ $leader == n0 ]] && victim=1        # never node 2: the raw publish below uses it
kill -9 "${node_pid[$victim]}"
sleep 2
kill -9 "$down_pid"; sleep 1; start_down                           # the log-down bridge dies and comes back

for h in "${hosts[@]}"; do wait "${sim_pid[$h]}" || fail "simulator on $h failed: $(cat "$work/sim_$h.err")"; done

# --- catch-up: every host's rows in the stream, then in the merged log ------------------------------
host_rows() { "$check" "$work/$1/transactions.csv" | jq .rows; }
for ((n = 0; n < 150; n++)); do
  st=$(status 2>/dev/null) || { sleep 0.2; continue; }
  ok=1
  for h in "${hosts[@]}"; do [[ $(jq ".hosts.$h.rows // 0" <<< "$st") == $(host_rows "$h") ]] || ok=0; done
  (( ok )) && break; sleep 0.2
done
total=0
for h in "${hosts[@]}"; do
  rows=$(host_rows "$h"); total=$((total + rows))
  [[ $(jq ".hosts.$h.rows" <<< "$st") == "$rows" ]] ||
    fail "$h: its log holds $rows rows, the stream $(jq ".hosts.$h.rows" <<< "$st")"
done
for ((n = 0; n < 150; n++)); do
  [[ $("$check" "$central/transactions.csv" | jq .rows) == "$total" ]] && break; sleep 0.2
done
merged=$("$check" "$central/transactions.csv")
[[ $(json_field "$merged" .rows) == "$total" ]] || fail "the merged log holds $(json_field "$merged" .rows) rows, the hosts $total"
[[ $(json_field "$merged" .malformed) == 0 && $(json_field "$merged" .headers) == 1 &&
   $(json_field "$merged" .partial_tail) == false ]] || fail "the merged log breaks the contract: $merged"
backstep=$(json_field "$merged" .max_backstep_ms)
(( backstep <= 5000 )) || fail "the merged log is ${backstep} ms out of time order (the readers' slack is 5000 ms)"
# Exactly the hosts' rows, each once: the multisets of lines are equal.
cmp -s <(for h in "${hosts[@]}"; do tail -n +2 "$work/$h/transactions.csv"; done | grep -v -e txn_torn -e '^this is not a row$' | sort) \
       <(tail -n +2 "$central/transactions.csv" | sort) || fail "the merged log is not exactly the hosts' rows"

# --- the healing, as the hosts saw it: bank_b's share of attempts once the action had spread ----------
iso() { date -u -d "@$(( $1 / 1000 )).$(printf %03d $(( $1 % 1000 )))" +%Y-%m-%dT%H:%M:%S.%3NZ; }
from=$(iso $(( $(date -u -d "$act_ts" +%s%3N) + 2000 ))); to=$(iso $(( sim_start + 21000 )))
read -r during on_b < <(awk -F, -v from="$from" -v to="$to" 'NR>1 && $1>=from && $1<to { n++; if ($6=="bank_b") b++ }
  END { print n+0, b+0 }' "$central/transactions.csv")
(( during > 0 && on_b * 100 <= during * 20 )) || fail "bank_b still took $on_b of $during attempts after the agent's action"

# --- the config at rest: identical everywhere; invalid revisions refused; local edits put back --------
kill -TERM "$agent_pid"; wait "$agent_pid" || fail "agent run failed: $(tail -3 "$work/agent.err")"
for h in "${hosts[@]}"; do
  for ((n = 0; n < 600; n++)); do same_config "$central" "$work/$h" && break; sleep 0.05; done
  same_config "$central" "$work/$h" || fail "$h's config differs from the central one at rest"
done
"$tool" set banks.bank_a.weight 45 --data-dir "$work/h1" --reason "test: a local edit" > /dev/null
for ((n = 0; n < 600; n++)); do same_config "$central" "$work/h1" && break; sleep 0.05; done
same_config "$central" "$work/h1" || fail "h1's local edit was not put back by its watcher"
grep -q '"event":"local_change"' "$work/watch_h1.out" || fail "h1's watcher did not report the local edit"
# A revision written behind the authority's back, invalid: raw NATS protocol to a live node.
exec 3<> "/dev/tcp/127.0.0.1/${client[2]}"  # node 2 is never the victim
printf 'CONNECT {"verbose":false}\r\nPUB $KV.payops_config.shared_config 12\r\n{"banks": 1}\r\nPING\r\n' >&3
timeout 5 grep -m1 -q PONG <&3 || fail "raw publish to the config key got no PONG"
exec 3>&-
for h in "${hosts[@]}"; do
  for ((n = 0; n < 600; n++)); do grep -q '"event":"refused"' "$work/watch_$h.out" && break; sleep 0.05; done
  grep -q '"event":"refused"' "$work/watch_$h.out" || fail "$h's watcher did not refuse the invalid revision"
  same_config "$central" "$work/$h" || fail "$h's config changed after an invalid revision"
  "$tool" validate --data-dir "$work/$h" > /dev/null || fail "$h's config is invalid"
done
# The authority now finds a revision it did not write: it must stop, not overwrite it.
"$tool" set banks.bank_c.weight 21 --data-dir "$central" --reason "test: after a rival write" > /dev/null
set +e; timeout 10 tail --pid="$publish_pid" -f /dev/null; wait "$publish_pid"; rc=$?; set -e
[[ $rc == 1 ]] || fail "the publisher exited $rc after a rival write (want 1, a conflict)"
grep -q '"event":"conflict"' "$work/publish.out" || fail "the publisher did not report the conflict"

# --- the bridges' own accounts ------------------------------------------------------------------------
for h in "${hosts[@]}"; do kill -TERM "${up_pid[$h]}"; wait "${up_pid[$h]}" || fail "log up on $h failed: $(cat "$work/up_$h.err")"; done
up3=$(tail -1 "$work/up_h3.out")
[[ $(json_field "$up3" .malformed) == 2 ]] || fail "h3's log up should have skipped 2 malformed lines: $up3"
resent=$(cat "$work"/up_*.out | jq -s 'map(.resent_batches) | add')
echo "fleet: ok ($total rows from 3 hosts through a 3-node cluster with one node and two bridges killed; merged log" \
     "max backstep ${backstep} ms; bank_b share after the action $on_b/$during; the action reached all hosts" \
     "${propagation_ms} ms after the central config had it; $resent batches resent; test took $(( ($(now_ms) - test_start) / 1000 )) s)"
