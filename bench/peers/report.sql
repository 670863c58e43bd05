-- sqlite3 peer for bench/run: import transactions.csv into an in-memory table, then per-bank count,
-- success rate and p95 latency. p95 = the value at 0-based rank floor(0.95 * n) of the bank's sorted
-- latencies (clamped to n - 1), as `agent report` computes it. NO_ROUTE rows and rows without a
-- bank belong to no bank. bench/run feeds this with `.import` of the file prepended.
WITH b AS (
  SELECT bank_id, status, latency_ms FROM t WHERE error_code <> 'NO_ROUTE' AND bank_id <> ''
), agg AS (
  SELECT bank_id, COUNT(*) AS n, SUM(status = 'success') AS ok FROM b GROUP BY bank_id
), ranked AS (
  SELECT bank_id, latency_ms,
         ROW_NUMBER() OVER (PARTITION BY bank_id ORDER BY latency_ms) - 1 AS rk
  FROM b
)
SELECT agg.bank_id, agg.n, printf('%.17g', CAST(agg.ok AS REAL) / agg.n), ranked.latency_ms
FROM agg JOIN ranked ON ranked.bank_id = agg.bank_id
 AND ranked.rk = MIN(CAST(0.95 * agg.n AS INTEGER), agg.n - 1)
ORDER BY agg.bank_id;
