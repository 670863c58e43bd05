// `agent report`: per-bank statistics over a whole log (or a time range of it): count, success rate,
// soft-failure rate, hard declines, avg/p50/p95/p99 latency, retries, NO_ROUTE and the payment-level
// success rate. Files are streamed through every core in line-aligned chunks (csv_scan_chunks.h);
// per-chunk results merge in file order and payments go through one tracker in file order, so the
// report is byte-identical at any thread count and equal to a one-row-at-a-time WindowStats pass.
#pragma once

#include <cstdint>
#include <string>

#include "contract/config_model.h"  // Json
#include "contract/csv_scan.h"
#include "platform/result.h"
#include "agent/window_stats.h"

namespace payops {

struct ReportOptions {
  std::string path;  // a file, or "-" for stdin
  std::optional<TimeMs> since_ms;  // inclusive
  std::optional<TimeMs> until_ms;  // exclusive
  unsigned threads = 0;            // 0: one per core
  bool payments = true;            // retries and payment-level success (a hash lookup per row)
  std::size_t chunk_bytes = 0;     // scanning unit; 0: picked from the file size (tests set it small)
};

struct Report {
  WindowStats stats;
  ScanSummary summary;
};

// Errors: the file cannot be opened or read (names it).
Result<Report> build_report(const ReportOptions& options);

Json report_to_json(const Report& report);
// An aligned table, one row per bank plus NO_ROUTE and the payment line, and the malformed count.
std::string report_to_text(const Report& report);

}  // namespace payops
