// Reading the last N seconds from the end of the log: the right rows, and a cost that follows the
// window rather than the size of the log.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "contract/csv_format.h"
#include "contract/csv_tail.h"

using namespace payops;

namespace {

const TimeMs kT0 = *parse_timestamp("2026-11-22T12:00:00.000Z");

std::string row_at(TimeMs t, int seq) {
  TransactionRow r;
  r.timestamp_ms = t;
  char id[32];
  std::snprintf(id, sizeof id, "txn_%016x", seq);
  r.transaction_id = id;
  r.amount_minor = 1999;
  r.currency = "USD";
  r.bank_id = "bank_a";
  r.bank_name = "Stripe Gateway";
  r.status = TxnStatus::failed;
  r.error_code = ErrorCode::BANK_UNAVAILABLE;
  r.error_message = "bank said no, try later";
  r.latency_ms = seq;
  std::string out;
  append_csv_row(out, r);
  return out;
}

struct TempLog {
  std::string path;
  TempLog() {
    char tmpl[] = "/tmp/payops_csv_tail_XXXXXX";
    const int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    ::close(fd);
    path = tmpl;
  }
  void write(const std::string& content) {
    FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    REQUIRE(std::fwrite(content.data(), 1, content.size(), f) == content.size());
    std::fclose(f);
  }
  ~TempLog() { std::remove(path.c_str()); }
};

std::string header_line() { return std::string(kCsvHeader) + "\n"; }

}  // namespace

TEST_CASE("csv read_tail on a big log with an old history reads only the window") {
  TempLog log;
  std::string text = header_line();
  int seq = 0;
  // ~30 MB of history, one row per 10 ms, up to a minute ago.
  for (int i = 0; i < 200000; ++i) text += row_at(kT0 - 60000 - (200000 - i) * 10LL, seq++);
  // The last minute: one row every 100 ms.
  const TimeMs now = kT0;
  int recent_in_window = 0;
  for (int i = 0; i < 600; ++i) {
    const TimeMs t = now - 60000 + i * 100;
    text += row_at(t, seq++);
    if (t >= now - 30000) ++recent_in_window;
  }
  text += "2026-11-22T12:00:00.0";  // a write in progress
  log.write(text);

  auto w = read_tail(log.path, now - 30000);
  REQUIRE(w.ok());
  CHECK(static_cast<int>(w->rows.size()) == recent_in_window);
  CHECK(w->summary.malformed == 0);
  CHECK(w->summary.partial_tail);
  CHECK(w->file_size == text.size());
  CHECK(w->bytes_read == w->buffer.size());
  CHECK(w->bytes_read <= 128 * 1024);  // the window, not the 25 MB log
  CHECK(w->file_offset + w->bytes_read == text.size());
  for (std::size_t i = 0; i < w->rows.size(); ++i) {
    CHECK(w->rows[i].timestamp_ms >= now - 30000);
    if (i > 0) CHECK(w->rows[i].timestamp_ms > w->rows[i - 1].timestamp_ms);
  }
  CHECK(unquote_field(w->rows.back().error_message_raw) == "bank said no, try later");

  SUBCASE("until_ms bounds the window at the top") {
    auto w2 = read_tail(log.path, now - 30000, now - 20000);
    REQUIRE(w2.ok());
    CHECK(w2->rows.size() == 100);
    for (const auto& r : w2->rows) CHECK(r.timestamp_ms < now - 20000);
  }
  SUBCASE("a window reaching into the history grows the block but stays bounded") {
    auto w3 = read_tail(log.path, now - 61000);
    REQUIRE(w3.ok());
    CHECK(w3->rows.size() == 600 + 100);  // 1 s of history at 10 ms per row
    CHECK(w3->bytes_read < 1024 * 1024);
  }
}

TEST_CASE("csv read_tail reads back past the window start by the slack (rows out of order)") {
  TempLog log;
  std::string text = header_line();
  std::vector<TimeMs> stamps;
  auto add = [&](TimeMs t) {
    text += row_at(t, static_cast<int>(stamps.size()));
    stamps.push_back(t);
  };
  for (int i = 0; i < 30000; ++i) add(kT0 - 3600000 + i);
  for (int i = 0; i < 3000; ++i) add(kT0 - 12000 + i);
  // Batches flushed late: rows up to 3 s older than the rows written before them.
  for (int b = 0; b < 20; ++b) {
    for (int i = 0; i < 300; ++i) add(kT0 - 9000 + b * 300 + i);
    for (int i = 0; i < 300; ++i) add(kT0 - 12000 + b * 300 + i);
  }
  log.write(text);
  const TimeMs since = kT0 - 9600;
  std::size_t expected = 0;
  for (const TimeMs t : stamps) expected += (t >= since);

  auto w = read_tail(log.path, since, 0, 5000);
  REQUIRE(w.ok());
  CHECK(w->rows.size() == expected);
  CHECK(w->file_offset > 0);  // it stopped before the old history
  for (const auto& r : w->rows) CHECK(r.timestamp_ms >= since);
}

TEST_CASE("csv read_tail on small logs") {
  TempLog log;
  SUBCASE("header only") {
    log.write(header_line());
    auto w = read_tail(log.path, 0);
    REQUIRE(w.ok());
    CHECK(w->rows.empty());
    CHECK(w->summary.malformed == 0);
  }
  SUBCASE("empty") {
    log.write("");
    auto w = read_tail(log.path, 0);
    REQUIRE(w.ok());
    CHECK(w->rows.empty());
  }
  SUBCASE("everything in the window: the whole file, header skipped, malformed counted") {
    log.write(header_line() + row_at(kT0, 1) + "junk\n" + row_at(kT0 + 1, 2) + header_line());
    auto w = read_tail(log.path, kT0 - 1000);
    REQUIRE(w.ok());
    CHECK(w->rows.size() == 2);
    CHECK(w->file_offset == 0);
    CHECK(w->summary.malformed == 2);
    REQUIRE(w->summary.first_malformed.size() == 2);
    CHECK(w->summary.first_malformed[0].line_number == 3);
    CHECK(w->summary.first_malformed[1].reason == Malformed::repeated_header);
  }
  SUBCASE("rows survive moving the window") {
    log.write(header_line() + row_at(kT0, 1));
    auto w = read_tail(log.path, kT0);
    REQUIRE(w.ok());
    TailWindow moved = std::move(w.value());
    REQUIRE(moved.rows.size() == 1);
    CHECK(moved.rows[0].transaction_id == "txn_0000000000000001");
  }
}

TEST_CASE("csv read_tail on a missing file names it") {
  auto w = read_tail("/nonexistent/dir/transactions.csv", 0);
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().kind == Error::Kind::not_found);
  CHECK(w.error().message.find("/nonexistent/dir/transactions.csv") != std::string::npos);
}

TEST_CASE("csv read_tail stops at the line limit: a huge unterminated last line or over-long line costs little") {
  TempLog log;
  std::string content = header_line();
  for (int i = 0; i < 100; ++i) content += row_at(kT0 - 1000 + i, i);
  const std::string monster(8u << 20, 'x');  // 8 MiB, far over the 64 KiB line limit
  log.write(content + monster);              // no '\n': a write in progress that large
  auto w = read_tail(log.path, kT0 - 60'000);
  REQUIRE(w.ok());
  CHECK(w->bytes_read < 512u * 1024);
  CHECK(w->summary.malformed == 1);

  // The same line ended by a later appender, with rows after it: those rows are read, the line is
  // counted once, and nothing in front of it is read.
  std::string after;
  for (int i = 0; i < 10; ++i) after += row_at(kT0 + i, 1000 + i);
  log.write(content + monster + "\n" + after);
  auto w2 = read_tail(log.path, kT0 - 60'000);
  REQUIRE(w2.ok());
  CHECK(w2->rows.size() == 10);
  CHECK(w2->summary.malformed == 1);
  CHECK(w2->bytes_read < 512u * 1024);
}

TEST_CASE("csv read_tail refuses a FIFO without blocking") {
  TempLog log;
  std::remove(log.path.c_str());
  REQUIRE(mkfifo(log.path.c_str(), 0644) == 0);
  auto w = read_tail(log.path, kT0);
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().message.find("not a regular file") != std::string::npos);
  CHECK(w.error().message.find(log.path) != std::string::npos);
}
