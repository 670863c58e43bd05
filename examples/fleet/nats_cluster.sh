# Sourced, not run: starts a 3-node JetStream cluster on 127.0.0.1 for the local fleet example and the
# fleet bench (ports chosen free at run time). Usage:
#   source examples/fleet/nats_cluster.sh; start_nats_cluster WORK_DIR CLUSTER_NAME
# Appends the three server pids to the caller's `pids` array (the caller's trap kills them) and sets
# NATS_CLUSTER_URL to the comma-separated client URLs.
start_nats_cluster() {
  local work=$1 name=$2 i j routes
  local -a ports
  read -r -a ports < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(6)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
  for i in 0 1 2; do
    routes=(); for j in 0 1 2; do [[ $j == "$i" ]] || routes+=("nats://127.0.0.1:${ports[$((j + 3))]}"); done
    nats-server -js -sd "$work/nats$i" -n "nats$i" -a 127.0.0.1 -p "${ports[$i]}" --cluster_name "$name" \
      --cluster "nats://127.0.0.1:${ports[$((i + 3))]}" --routes "$(IFS=,; echo "${routes[*]}")" > "$work/nats$i.log" 2>&1 &
    pids+=("$!")
  done
  NATS_CLUSTER_URL="nats://127.0.0.1:${ports[0]},nats://127.0.0.1:${ports[1]},nats://127.0.0.1:${ports[2]}"
}
