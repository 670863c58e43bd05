# gawk peer for bench/run: per-bank count, success rate and p95 latency of transactions.csv.
# p95 = the value at 0-based rank floor(0.95 * n) of the bank's sorted latencies (clamped to n - 1),
# the definition `agent report` uses (LatencyHistogram::percentile, same as Miller's p95).
# Rows with error_code NO_ROUTE or an empty bank_id belong to no bank.
# Run as: gawk -F, -f report.awk FILE. Splitting on every comma is right for the columns read here
# only while no bank_name holds a comma (true of the simulator's banks; bench/run checks the answers).
# Output: bank_id,count,success_rate,p95 sorted by bank id.
NR == 1 {
  for (i = 1; i <= NF; i++) col[$i] = i
  B = col["bank_id"]; S = col["status"]; L = col["latency_ms"]; E = col["error_code"]
  next
}
$E == "NO_ROUTE" || $B == "" { next }
{
  n[$B]++
  if ($S == "success") ok[$B]++
  lat[$B][$L + 0]++
}
END {
  PROCINFO["sorted_in"] = "@ind_str_asc"
  for (b in n) {
    rank = int(0.95 * n[b])
    if (rank >= n[b]) rank = n[b] - 1
    seen = 0
    PROCINFO["sorted_in"] = "@ind_num_asc"
    for (v in lat[b]) { seen += lat[b][v]; if (seen > rank) { p95 = v; break } }
    PROCINFO["sorted_in"] = "@ind_str_asc"
    printf "%s,%d,%.17g,%d\n", b, n[b], ok[b] / n[b], p95
  }
}
