"""pandas peer for bench/run: per-bank count, success rate and p95 latency of transactions.csv.

p95 = the value at 0-based rank floor(0.95 * n) of the bank's sorted latencies (clamped to n - 1),
the definition `agent report` uses. NO_ROUTE rows and rows without a bank belong to no bank.
Usage: python3 report_pandas.py FILE  ->  bank_id,count,success_rate,p95 sorted by bank id.
"""
import sys

import numpy as np
import pandas as pd


def main(path):
    df = pd.read_csv(
        path,
        usecols=["bank_id", "status", "latency_ms", "error_code"],
        dtype={"bank_id": str, "status": str, "latency_ms": np.int64, "error_code": str},
        keep_default_na=False,
    )
    df = df[(df["error_code"] != "NO_ROUTE") & (df["bank_id"] != "")]
    for bank, group in df.groupby("bank_id", sort=True):
        lat = np.sort(group["latency_ms"].to_numpy())
        n = len(lat)
        rank = min(int(0.95 * n), n - 1)
        ok = int((group["status"].to_numpy() == "success").sum())
        print(f"{bank},{n},{ok / n!r},{lat[rank]}")


if __name__ == "__main__":
    main(sys.argv[1])
