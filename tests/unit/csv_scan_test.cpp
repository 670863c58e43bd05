// Scanning many lines: summaries, partial last lines, repeated headers, and malformed line numbers
// that stay right when a file is split across parallel chunks.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include "contract/csv_format.h"
#include "contract/csv_scan.h"

using namespace payops;

namespace {

std::string good_row(int i) {
  TransactionRow r;
  r.timestamp_ms = *parse_timestamp("2026-11-22T12:00:00.000Z") + i;
  char id[32];
  std::snprintf(id, sizeof id, "txn_%016x", i);
  r.transaction_id = id;
  r.amount_minor = 100 + i;
  r.currency = "EUR";
  r.bank_id = (i % 3 == 0) ? "bank_a" : "bank_b";
  r.bank_name = "Bank, \"quoted\"";
  r.status = TxnStatus::success;
  r.latency_ms = i;
  std::string out;
  append_csv_row(out, r);
  return out;
}

std::string header_line() { return std::string(kCsvHeader) + "\n"; }

struct TempFile {
  std::string path;
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/payops_csv_scan_XXXXXX";
    const int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    path = tmpl;
    REQUIRE(::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    ::close(fd);
  }
  ~TempFile() { std::remove(path.c_str()); }
};

struct CountPerBank {
  std::map<std::string, std::uint64_t> counts;
  std::uint64_t last_latency = 0;
  bool in_order = true;
  void operator()(const RowView& r) {
    ++counts[std::string(r.bank_id)];
    if (static_cast<std::uint64_t>(r.latency_ms) < last_latency) in_order = false;
    last_latency = static_cast<std::uint64_t>(r.latency_ms);
  }
};

}  // namespace

TEST_CASE("csv scan_buffer counts rows and names malformed lines") {
  std::string text = header_line() + good_row(0) + "garbage\n" + good_row(1) + header_line() +
                     good_row(2) + "\xFF\xFE\n" + good_row(3);
  std::uint64_t seen = 0;
  const ScanSummary s = scan_buffer(text, 1, true, [&](const RowView&) { ++seen; });
  CHECK(s.rows == 4);
  CHECK(seen == 4);
  CHECK(s.malformed == 3);
  CHECK(s.lines == 8);
  CHECK_FALSE(s.partial_tail);
  CHECK(s.bytes == text.size());
  REQUIRE(s.first_malformed.size() == 3);
  CHECK(s.first_malformed[0].line_number == 3);
  CHECK(s.first_malformed[0].reason == Malformed::field_count);
  CHECK(s.first_malformed[1].line_number == 5);
  CHECK(s.first_malformed[1].reason == Malformed::repeated_header);
  CHECK(s.first_malformed[2].line_number == 7);
  CHECK(s.first_malformed[2].reason == Malformed::bad_utf8);
  CHECK(s.describe() ==
        "3 malformed lines skipped (line 3: field_count, line 5: repeated_header, line 7: bad_utf8)");
}

TEST_CASE("csv scan_buffer ignores a partial last line") {
  const std::string full = header_line() + good_row(0) + good_row(1);
  const std::string row2 = good_row(2);
  for (std::size_t cut = 1; cut < row2.size(); ++cut) {
    const std::string text = full + row2.substr(0, cut);
    const ScanSummary s = scan_buffer(text, 1, true, nullptr);
    CHECK(s.rows == 2);
    CHECK(s.malformed == 0);
    CHECK(s.partial_tail);
    CHECK(s.bytes == full.size());
  }
  const ScanSummary empty = scan_buffer("", 1, true, nullptr);
  CHECK(empty.rows == 0);
  CHECK_FALSE(empty.partial_tail);
  CHECK(empty.describe().empty());
}

TEST_CASE("csv scan_buffer: a missing header line is parsed as a line; first_line offsets") {
  const std::string text = good_row(0) + "bad\n";
  const ScanSummary s = scan_buffer(text, 100, true, nullptr);
  CHECK(s.rows == 1);
  REQUIRE(s.first_malformed.size() == 1);
  CHECK(s.first_malformed[0].line_number == 101);
  // Without has_header_line, the header is a repeated one.
  const ScanSummary h = scan_buffer(header_line(), 1, false, nullptr);
  CHECK(h.malformed == 1);
}

TEST_CASE("csv describe names at most five lines") {
  std::string text = header_line();
  for (int i = 0; i < 8; ++i) text += "bad\n";
  const ScanSummary s = scan_buffer(text, 1, true, nullptr);
  CHECK(s.malformed == 8);
  CHECK(s.first_malformed.size() == ScanSummary::kMaxNamedMalformed);
  CHECK(s.describe() ==
        "8 malformed lines skipped (line 2: field_count, line 3: field_count, line 4: field_count, "
        "line 5: field_count, line 6: field_count, ...)");
}

TEST_CASE("csv split_at_lines cuts after newlines only") {
  const std::string text = "aaa\nbb\nc\n\ndddd\ne";
  for (unsigned n = 1; n <= 20; ++n) {
    const auto offsets = split_at_lines(text, n);
    REQUIRE(offsets.size() == n + 1);
    CHECK(offsets.front() == 0);
    CHECK(offsets.back() == text.size());
    for (unsigned i = 1; i < n; ++i) {
      CHECK(offsets[i] >= offsets[i - 1]);
      CHECK((offsets[i] == 0 || offsets[i] == text.size() || text[offsets[i] - 1] == '\n'));
    }
  }
}

TEST_CASE("csv scan_file_parallel: same counts as one thread, true line numbers across chunks") {
  // ~3 MB so that two and more chunks are really busy; malformed lines spread over the file.
  std::string text = header_line();
  std::uint64_t line = 1;
  std::vector<std::uint64_t> bad_lines;
  std::uint64_t good = 0;
  for (int i = 0; i < 24000; ++i) {
    if (i % 4001 == 4000) {
      text += "2026-11-22T12:00:00.000Z,broken\n";
      bad_lines.push_back(++line);
    } else {
      text += good_row(i);
      ++line;
      ++good;
    }
  }
  text += good_row(1).substr(0, 30);  // a write in progress
  REQUIRE(bad_lines.size() == 5);
  TempFile file(text);

  for (unsigned threads : {1u, 2u, 3u, 7u}) {
    CAPTURE(threads);
    auto scan = scan_file_parallel<CountPerBank>(file.path, threads, [] { return CountPerBank{}; });
    REQUIRE(scan.ok());
    CHECK(scan->workers.size() == threads);
    std::uint64_t rows = 0, bank_a = 0;
    for (const auto& w : scan->workers) {
      CHECK(w.in_order);
      for (const auto& [bank, n] : w.counts) rows += n;
      if (auto it = w.counts.find("bank_a"); it != w.counts.end()) bank_a += it->second;
    }
    CHECK(rows == good);
    CHECK(scan->summary.rows == good);
    CHECK(bank_a == 8000 - 2);  // every third row, minus two replaced by malformed ones
    CHECK(scan->summary.malformed == 5);
    CHECK(scan->summary.partial_tail);
    CHECK(scan->summary.lines == line);
    REQUIRE(scan->summary.first_malformed.size() == 5);
    for (std::size_t k = 0; k < 5; ++k) {
      CHECK(scan->summary.first_malformed[k].line_number == bad_lines[k]);
      CHECK(scan->summary.first_malformed[k].reason == Malformed::field_count);
    }
  }
}

TEST_CASE("csv scan_file_parallel on a missing and an empty file") {
  auto missing = scan_file_parallel<CountPerBank>("/nonexistent/payops/transactions.csv", 2,
                                                  [] { return CountPerBank{}; });
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == Error::Kind::not_found);
  CHECK(missing.error().message.find("/nonexistent/payops/transactions.csv") != std::string::npos);
  TempFile empty("");
  auto scan = scan_file_parallel<CountPerBank>(empty.path, 0, [] { return CountPerBank{}; });
  REQUIRE(scan.ok());
  CHECK(scan->summary.rows == 0);
  CHECK(scan->workers.size() == default_thread_count());
}
