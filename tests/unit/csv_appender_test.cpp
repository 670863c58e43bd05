// The appender's writing rules: header only into an empty file, foreign files refused untouched,
// whole rows, torn last lines ended, many concurrent first writers.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "contract/csv_appender.h"
#include "contract/csv_format.h"
#include "contract/csv_scan.h"

using namespace payops;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/payops_csv_appender_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    // Only files this test created.
    for (const char* name : {"/transactions.csv", "/foreign.csv", "/torn.csv", "/race.csv"}) {
      std::remove((path + name).c_str());
    }
    ::rmdir(path.c_str());
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

TransactionRow row_of(int i) {
  TransactionRow r;
  r.timestamp_ms = *parse_timestamp("2026-11-22T12:00:00.000Z") + i;
  char id[32];
  std::snprintf(id, sizeof id, "txn_%016x", i);
  r.transaction_id = id;
  r.amount_minor = 500;
  r.currency = "INR";
  r.bank_id = "bank_b";
  r.bank_name = "Razorpay";
  r.status = TxnStatus::success;
  return r;
}

std::string one_row(int i) {
  std::string out;
  append_csv_row(out, row_of(i));
  return out;
}

const std::string kHeaderLine = std::string(kCsvHeader) + "\n";

}  // namespace

TEST_CASE("csv appender writes the header into a new file, then whole rows") {
  TempDir dir;
  const std::string path = dir.path + "/transactions.csv";
  {
    auto a = CsvAppender::open(path);
    REQUIRE(a.ok());
    CHECK(a->path() == path);
    CHECK(read_file(path) == kHeaderLine);
    REQUIRE(a->append(one_row(1) + one_row(2)).ok());
    REQUIRE(a->append("").ok());
  }
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == (0644 & ~[] { mode_t m = ::umask(0); ::umask(m); return m; }()));
  // Reopening an existing log adds no second header.
  {
    auto a = CsvAppender::open(path);
    REQUIRE(a.ok());
    REQUIRE(a->append(one_row(3)).ok());
  }
  CHECK(read_file(path) == kHeaderLine + one_row(1) + one_row(2) + one_row(3));
}

TEST_CASE("csv appender refuses a file with a foreign first line and leaves it byte-identical") {
  TempDir dir;
  const std::string path = dir.path + "/foreign.csv";
  SUBCASE("another CSV") {
    const std::string content = "id,amount\n1,2\n";
    write_file(path, content);
    auto a = CsvAppender::open(path);
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().message.find(path) != std::string::npos);
    CHECK(a.error().message.find("\"id,amount\"") != std::string::npos);
    CHECK(read_file(path) == content);
  }
  SUBCASE("the header with CRLF; control bytes are escaped in the message") {
    const std::string content = std::string(kCsvHeader) + "\r\n";
    write_file(path, content);
    auto a = CsvAppender::open(path);
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().message.find("error_message\\x0d\"") != std::string::npos);
    CHECK(read_file(path) == content);
  }
  SUBCASE("a non-empty file without a complete first line") {
    const std::string content = "timestamp,transac";
    write_file(path, content);
    auto a = CsvAppender::open(path);
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().message.find("incomplete") != std::string::npos);
    CHECK(read_file(path) == content);
  }
  SUBCASE("the header as a prefix of a longer first line") {
    const std::string content = std::string(kCsvHeader) + ",extra\n";
    write_file(path, content);
    auto a = CsvAppender::open(path);
    REQUIRE_FALSE(a.ok());
    CHECK(read_file(path) == content);
  }
}

TEST_CASE("csv appender ends a torn last line before appending whole rows") {
  TempDir dir;
  const std::string path = dir.path + "/torn.csv";
  const std::string torn = one_row(1).substr(0, 40);
  write_file(path, kHeaderLine + one_row(0) + torn);
  auto a = CsvAppender::open(path);
  REQUIRE(a.ok());
  REQUIRE(a->append(one_row(2)).ok());
  const std::string after = read_file(path);
  CHECK(after == kHeaderLine + one_row(0) + torn + ",,,,,,,,,,,\n" + one_row(2));
  const ScanSummary s = scan_buffer(after, 1, true, nullptr);
  CHECK(s.rows == 2);
  CHECK(s.malformed == 1);
  CHECK_FALSE(s.partial_tail);
}

TEST_CASE("csv appender: a line torn inside its last field never reads as a row") {
  // Every prefix of a row whose error_message is quoted with "" escapes, torn and then ended by the
  // next writer: none may parse as a row (ended with a bare newline, the prefix cut right after the
  // first quote of a "" pair read as a whole, shorter row: csv_kill9_test caught one).
  TransactionRow r = row_of(0xab);
  r.status = TxnStatus::failed;
  r.latency_ms = 30;
  r.error_code = ErrorCode::RATE_LIMITED;
  r.error_message = "writer 1, row \"3\" second line xx";
  std::string row;
  append_csv_row(row, r);
  TempDir dir;
  const std::string path = dir.path + "/torn_quote.csv";
  for (std::size_t cut = 1; cut < row.size() - 1; ++cut) {
    write_file(path, kHeaderLine + row.substr(0, cut));
    auto a = CsvAppender::open(path);
    REQUIRE(a.ok());
    REQUIRE(a->append(one_row(2)).ok());
    const ScanSummary s = scan_buffer(read_file(path), 1, true, nullptr);
    CAPTURE(cut);
    CHECK(s.rows == 1);
    CHECK(s.malformed == 1);
  }
}

TEST_CASE("csv appender: concurrent first writers produce exactly one header") {
  TempDir dir;
  const std::string path = dir.path + "/race.csv";
  for (int round = 0; round < 20; ++round) {
    std::remove(path.c_str());
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
      threads.emplace_back([&path, t] {
        auto a = CsvAppender::open(path);
        REQUIRE(a.ok());
        for (int i = 0; i < 20; ++i) REQUIRE(a->append(one_row(t * 100 + i)).ok());
      });
    }
    for (auto& th : threads) th.join();
    const std::string text = read_file(path);
    const ScanSummary s = scan_buffer(text, 1, true, nullptr);
    CHECK(text.compare(0, kHeaderLine.size(), kHeaderLine) == 0);
    CHECK(s.rows == 120);
    CHECK(s.malformed == 0);
  }
}

TEST_CASE("csv appender errors name the file") {
  auto a = CsvAppender::open("/nonexistent/payops/transactions.csv");
  REQUIRE_FALSE(a.ok());
  CHECK(a.error().message.find("/nonexistent/payops/transactions.csv") != std::string::npos);
  auto dir = CsvAppender::open("/tmp");
  REQUIRE_FALSE(dir.ok());
}

TEST_CASE("csv appender for_stream writes to a pipe without locking") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  {
    CsvAppender a = CsvAppender::for_stream(fds[1], true);
    REQUIRE(a.append(one_row(7)).ok());
  }
  ::close(fds[1]);  // the appender did not own it
  std::string got;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) got.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  CHECK(got == kHeaderLine + one_row(7));
}
