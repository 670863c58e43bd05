// Bench peer for bench/run: a plain fast-cpp-csv-parser (libfccp) read loop over transactions.csv,
// computing what `agent report` computes per bank: count, success rate and nearest-rank p95 latency
// (the value at 0-based rank floor(0.95 * n) of the sorted latencies, clamped to n - 1: the same
// definition as LatencyHistogram::percentile). One thread, one row at a time, no payops code.
//   bench_fccp_testkit FILE
// Prints "bank_id,count,success_rate,p95" per bank, sorted by bank id. Rows with error_code NO_ROUTE or
// an empty bank_id belong to no bank. Exit 0 ok, 1 read error, 2 usage.
// The header's own strncpy trips -Wstringop-truncation (as in tests/unit/csv_format_test.cpp); the
// warning is emitted where the code is inlined, so it stays off for this whole file.
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>

#include <cmath>
#include <cstdio>
#include <exception>
#include <map>
#include <string>
#include <vector>

namespace {

struct Bank {
  unsigned long long count = 0;
  unsigned long long successes = 0;
  std::map<long long, unsigned long long> latency;  // value -> occurrences
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: bench_fccp_testkit FILE\n");
    return 2;
  }
  try {
    io::CSVReader<4, io::trim_chars<>, io::double_quote_escape<',', '"'>> in(argv[1]);
    in.read_header(io::ignore_extra_column, "bank_id", "status", "latency_ms", "error_code");
    std::string bank_id, status, error_code;
    long long latency = 0;
    std::map<std::string, Bank> banks;
    while (in.read_row(bank_id, status, latency, error_code)) {
      if (bank_id.empty() || error_code == "NO_ROUTE") continue;
      Bank& b = banks[bank_id];
      ++b.count;
      if (status == "success") ++b.successes;
      ++b.latency[latency];
    }
    for (const auto& [id, b] : banks) {
      auto rank = static_cast<unsigned long long>(std::floor(0.95 * static_cast<double>(b.count)));
      if (rank >= b.count) rank = b.count - 1;
      unsigned long long seen = 0;
      long long p95 = 0;
      for (const auto& [value, n] : b.latency) {
        seen += n;
        if (seen > rank) {
          p95 = value;
          break;
        }
      }
      std::printf("%s,%llu,%.17g,%lld\n", id.c_str(), b.count,
                  static_cast<double>(b.successes) / static_cast<double>(b.count), p95);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_fccp_testkit: %s\n", e.what());
    return 1;
  }
  return 0;
}
