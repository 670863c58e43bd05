// DuckDB peer for bench/run (Node + the npm package @duckdb/node-api, installed by bench/run into a
// folder outside the repo): per-bank count, success rate and p95 latency of transactions.csv with
// read_csv + GROUP BY, the query a data engineer reaches for first, on every core.
// p95 = the value at 0-based rank floor(0.95 * n) of the bank's sorted latencies (clamped to n - 1):
// DuckDB's quantile_disc(x, q) picks 0-based index floor(q * (n - 1)) instead, which differs from
// that rank on some n, so the exact rank comes from the sorted list. NO_ROUTE rows and rows without a
// bank belong to no bank.
// Usage: node report_duckdb.mjs FILE [THREADS]  ->  bank_id,count,success_rate,p95 sorted by bank id.
import { DuckDBInstance } from '@duckdb/node-api';

const [file, threads] = process.argv.slice(2);
if (!file) {
  console.error('usage: node report_duckdb.mjs FILE [THREADS]');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:', threads ? { threads: String(threads) } : {});
const conn = await instance.connect();
const quoted = "'" + file.replaceAll("'", "''") + "'";
const sql = `
  SELECT bank_id, count(*) AS n, (count(*) FILTER (WHERE status = 'success'))::DOUBLE / count(*) AS rate,
         list_sort(list(latency_ms))[least(floor(0.95 * count(*))::BIGINT, count(*) - 1) + 1] AS p95
  FROM read_csv(${quoted}, header = true)
  WHERE bank_id IS NOT NULL AND bank_id <> '' AND coalesce(error_code, '') <> 'NO_ROUTE'
  GROUP BY bank_id ORDER BY bank_id`;
const reader = await conn.runAndReadAll(sql);
const lines = reader.getRows().map(([bank, n, rate, p95]) => `${bank},${n},${rate},${p95}`);
process.stdout.write(lines.join('\n') + (lines.length ? '\n' : ''));
