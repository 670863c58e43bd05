// `agent report` is exact at any thread count and any chunking: the same JSON as one WindowStats fed
// row by row, on a log whose chunk boundaries split payments (retries land on both sides).
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>

#include "report/agent_report.h"
#include "contract/csv_format.h"

using namespace payops;

namespace {

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/payops_agent_report_XXXXXX";
    const int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    path = tmpl;
    REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    ::close(fd);
  }
  ~TempFile() { std::remove(path.c_str()); }
};

// Payment p has 1 + p % 4 attempts, interleaved with the next payments' attempts so that one
// payment's rows sit a few rows apart; the last attempt succeeds unless the payment is hard-declined.
std::string retry_heavy_log(int payments, std::vector<std::size_t>& row_offsets_of_payment_0) {
  std::string text = std::string(kCsvHeader) + "\n";
  const TimeMs t0 = *parse_timestamp("2026-11-22T12:00:00.000Z");
  static const char* kBanks[] = {"bank_a", "bank_b", "bank_c"};
  for (int p = 0; p < payments; ++p) {
    const int attempts = 1 + p % 4;
    for (int a = 0; a < attempts; ++a) {
      if (p == 0) row_offsets_of_payment_0.push_back(text.size());
      TransactionRow r;
      r.timestamp_ms = t0 + p * 40 + a * 300;  // nearly in time order, as several writers produce
      char id[32];
      std::snprintf(id, sizeof id, "txn_%016llx", 0xabcdef12345ULL * static_cast<unsigned>(p + 1));
      r.transaction_id = id;
      r.amount_minor = 1000 + p;
      r.currency = "EUR";
      r.bank_id = kBanks[(p + a) % 3];
      r.bank_name = p % 9 == 0 ? "Bank, \"quoted\"" : "Bank";  // quoted names take the slow path
      const bool last = a + 1 == attempts;
      r.error_code = !last ? ErrorCode::GATEWAY_TIMEOUT
                           : (p % 13 == 0 ? ErrorCode::DO_NOT_HONOR : (p % 17 == 0 ? ErrorCode::NO_ROUTE : ErrorCode::none));
      if (r.error_code == ErrorCode::NO_ROUTE) r.bank_id.clear();
      r.status = r.error_code == ErrorCode::none ? TxnStatus::success : TxnStatus::failed;
      r.latency_ms = (p * 131 + a * 17) % 3000 + (p % 101 == 0 ? 20000 : 0);  // a few above the histogram
      append_csv_row(text, r);
    }
    if (p % 997 == 500) text += "2026-11-22T12:00:00.000Z,broken\n";
  }
  text += "2026-11-22T12:0";  // a write in progress
  return text;
}

// Today's exact answer: every row through one WindowStats, in file order.
std::string reference_json(const std::string& text) {
  Report ref;
  ref.summary = scan_buffer(text, 1, true, [&](const RowView& row) { ref.stats.add(row); });
  return report_to_json(ref).dump();
}

}  // namespace

TEST_CASE("agent report: byte-identical at any thread count and chunk size, payments merged across chunks") {
  std::vector<std::size_t> offsets0;
  const std::string text = retry_heavy_log(12000, offsets0);
  TempFile file(text);
  const std::string want = reference_json(text);
  REQUIRE(want.find("\"payments\":12000") != std::string::npos);
  // With 4 KiB chunks a payment's attempts (a few rows apart) straddle most chunk boundaries.
  for (const std::size_t chunk : {std::size_t{4096}, std::size_t{100000}, std::size_t{0}}) {
    for (const unsigned threads : {1u, 2u, 3u, 8u}) {
      CAPTURE(chunk);
      CAPTURE(threads);
      ReportOptions o;
      o.path = file.path;
      o.threads = threads;
      o.chunk_bytes = chunk;
      auto report = build_report(o);
      REQUIRE(report.ok());
      CHECK(report_to_json(*report).dump() == want);
      CHECK(report_to_text(*report).find("payments: 12000 (") != std::string::npos);
    }
  }
}

TEST_CASE("agent report: --since/--until and --no-payments through chunks") {
  std::vector<std::size_t> offsets0;
  const std::string text = retry_heavy_log(3000, offsets0);
  TempFile file(text);
  const TimeMs since = *parse_timestamp("2026-11-22T12:00:30.000Z");
  const TimeMs until = *parse_timestamp("2026-11-22T12:01:10.000Z");
  Report ref;
  ref.stats.track_payments = false;
  ref.summary = scan_buffer(text, 1, true, [&](const RowView& row) {
    if (row.timestamp_ms >= since && row.timestamp_ms < until) ref.stats.add(row);
  });
  for (const unsigned threads : {1u, 2u, 5u}) {
    ReportOptions o;
    o.path = file.path;
    o.threads = threads;
    o.chunk_bytes = 8192;
    o.since_ms = since;
    o.until_ms = until;
    o.payments = false;
    auto report = build_report(o);
    REQUIRE(report.ok());
    CHECK(report_to_json(*report).dump() == report_to_json(ref).dump());
    CHECK(report->stats.rows > 100);
    CHECK(report->stats.rows < 3000);
  }
}

TEST_CASE("agent report: a missing file is named; an empty file is an empty report") {
  ReportOptions o;
  o.path = "/nonexistent/payops/transactions.csv";
  auto missing = build_report(o);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("/nonexistent/payops/transactions.csv") != std::string::npos);
  TempFile empty("");
  o.path = empty.path;
  auto report = build_report(o);
  REQUIRE(report.ok());
  CHECK(report->stats.rows == 0);
  CHECK_FALSE(report->summary.partial_tail);
}
