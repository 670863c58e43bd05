// Test driver: checks a transactions.csv as the contract's reader sees it and prints JSON, so shell
// tests can assert on it.
//
//   csv_check_testkit FILE [--since TIMESTAMP]
//     {"rows", "malformed", "first_malformed", "partial_tail", "headers", "payments",
//      "max_backstep_ms" (largest drop of a timestamp below the running maximum: 0 = sorted),
//      "first_attempts_since": {bank_id: n}}  -- first attempts (the first row of each transaction id)
//      that started (timestamp - latency) at or after --since.
// Exit: 0 printed, 1 unreadable file, 2 usage.
#include <cstdio>
#include <map>
#include <string>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "contract/csv_scan.h"
#include "platform/time_util.h"
#include "contract/transaction.h"

using namespace payops;

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4) {
    std::fputs("usage: csv_check_testkit FILE [--since TIMESTAMP]\n", stderr);
    return 2;
  }
  TimeMs since = INT64_MAX;
  if (argc == 4) {
    const auto t = std::string(argv[2]) == "--since" ? parse_timestamp(argv[3]) : std::nullopt;
    if (!t) {
      std::fputs("csv_check_testkit: --since needs a timestamp like 2026-11-22T12:00:00.000Z\n", stderr);
      return 2;
    }
    since = *t;
  }
  std::FILE* f = std::fopen(argv[1], "rb");
  if (!f) {
    std::perror(argv[1]);
    return 1;
  }
  std::string data;
  char buf[1 << 16];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) data.append(buf, n);
  std::fclose(f);

  std::unordered_set<std::string> ids;
  std::map<std::string, std::uint64_t> first_since;
  TimeMs running_max = 0;
  std::int64_t max_backstep = 0;
  const auto summary = scan_buffer(data, 1, true, [&](const RowView& row) {
    if (row.timestamp_ms < running_max) max_backstep = std::max(max_backstep, running_max - row.timestamp_ms);
    running_max = std::max(running_max, row.timestamp_ms);
    if (ids.insert(std::string(row.transaction_id)).second && row.timestamp_ms - row.latency_ms >= since)
      ++first_since[std::string(row.bank_id)];
  });
  std::uint64_t headers = 0;
  for (std::size_t pos = 0; (pos = data.find(kCsvHeader, pos)) != std::string::npos; pos += kCsvHeader.size())
    if (pos == 0 || data[pos - 1] == '\n') ++headers;
  nlohmann::json out = {{"rows", summary.rows},
                        {"malformed", summary.malformed},
                        {"first_malformed", summary.describe()},
                        {"partial_tail", summary.partial_tail},
                        {"headers", headers},
                        {"payments", ids.size()},
                        {"max_backstep_ms", max_backstep},
                        {"first_attempts_since", first_since}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
