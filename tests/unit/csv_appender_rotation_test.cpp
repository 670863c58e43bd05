// The appender follows its path: a rotated (moved away) or deleted log is replaced by a new file
// that starts with the header; a truncated log gets the header again; SIGHUP reopens at once.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "contract/csv_appender.h"
#include "contract/csv_tail.h"
#include "contract/transaction.h"
#include "platform/stop_signal.h"

using namespace payops;

namespace {

struct RotDir {
  std::string path;
  RotDir() {
    char tmpl[] = "/tmp/payops_csv_rotation_XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~RotDir() {
    for (const char* name : {"/t.csv", "/t.csv.1"}) std::remove((path + name).c_str());
    ::rmdir(path.c_str());
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kRow = "2026-11-22T12:00:00.000Z,txn_0000000000000001,500,INR,bank_b,success,,120,1,\n";
std::string header_line() { return std::string(kCsvHeader) + "\n"; }

}  // namespace

TEST_CASE("appender: a log moved away is recreated by path with the header, and the move is reported") {
  RotDir d;
  const std::string log = d.path + "/t.csv";
  auto a = CsvAppender::open(log);
  REQUIRE(a.ok());
  std::vector<std::string> notices;
  a->set_notice_sink([&](const std::string& s) { notices.push_back(s); });
  a->set_follow_interval_ms(0);
  REQUIRE(a->append(kRow).ok());
  REQUIRE(std::rename(log.c_str(), (log + ".1").c_str()) == 0);
  REQUIRE(a->append(kRow).ok());
  CHECK(slurp(log + ".1") == header_line() + kRow);
  CHECK(slurp(log) == header_line() + kRow);
  CHECK(a->reopens() == 1);
  REQUIRE(notices.size() == 1);
  CHECK(notices[0].find("was moved away or deleted") != std::string::npos);
}

TEST_CASE("appender: within the follow interval the path is not re-checked (no stat per write)") {
  RotDir d;
  const std::string log = d.path + "/t.csv";
  auto a = CsvAppender::open(log);
  REQUIRE(a.ok());
  a->set_notice_sink([](const std::string&) {});
  a->set_follow_interval_ms(3'600'000);
  REQUIRE(std::rename(log.c_str(), (log + ".1").c_str()) == 0);
  REQUIRE(a->append(kRow).ok());
  CHECK(a->reopens() == 0);
  CHECK(slurp(log + ".1") == header_line() + kRow);  // still the old descriptor
}

TEST_CASE("appender: a truncated log gets the header again and the truncation is reported") {
  RotDir d;
  const std::string log = d.path + "/t.csv";
  auto a = CsvAppender::open(log);
  REQUIRE(a.ok());
  std::vector<std::string> notices;
  a->set_notice_sink([&](const std::string& s) { notices.push_back(s); });
  REQUIRE(a->append(kRow + kRow).ok());
  REQUIRE(::truncate(log.c_str(), 0) == 0);
  REQUIRE(a->append(kRow).ok());
  CHECK(slurp(log) == header_line() + kRow);
  CHECK(a->truncations() == 1);
  REQUIRE(notices.size() == 1);
  CHECK(notices[0].find("was truncated") != std::string::npos);
}

TEST_CASE("appender: SIGHUP reopens the path before the next write, whatever the follow interval") {
  RotDir d;
  const std::string log = d.path + "/t.csv";
  install_stop_handlers();  // SIGHUP must not kill the process: it bumps the reopen generation
  auto a = CsvAppender::open(log);
  REQUIRE(a.ok());
  std::vector<std::string> notices;
  a->set_notice_sink([&](const std::string& s) { notices.push_back(s); });
  a->set_follow_interval_ms(3'600'000);
  REQUIRE(std::rename(log.c_str(), (log + ".1").c_str()) == 0);
  const std::uint64_t before = reopen_generation();
  REQUIRE(::raise(SIGHUP) == 0);
  CHECK(reopen_generation() == before + 1);
  CHECK_FALSE(stop_requested());
  REQUIRE(a->append(kRow).ok());
  CHECK(a->reopens() == 1);
  CHECK(slurp(log) == header_line() + kRow);
  CHECK(slurp(log + ".1") == header_line());
}

TEST_CASE("log watch: missing, rotated, truncated and stale are each said, naming the path") {
  RotDir d;
  const std::string log = d.path + "/t.csv";
  LogWatch watch(log, 60'000);
  auto said = watch.look(0);
  REQUIRE(said.size() == 1);
  CHECK(said[0].find("is missing") != std::string::npos);
  CHECK(watch.missing());
  {
    std::ofstream(log) << header_line() << kRow << kRow;
  }
  struct stat st {};
  REQUIRE(::stat(log.c_str(), &st) == 0);
  const TimeMs mtime_ms = static_cast<TimeMs>(st.st_mtim.tv_sec) * 1000;
  CHECK(watch.look(mtime_ms).empty());
  REQUIRE(::truncate(log.c_str(), 0) == 0);
  said = watch.look(mtime_ms);
  REQUIRE(said.size() == 1);
  CHECK(said[0].find("was truncated") != std::string::npos);
  REQUIRE(std::rename(log.c_str(), (log + ".1").c_str()) == 0);
  { std::ofstream(log) << header_line(); }
  said = watch.look(mtime_ms);
  REQUIRE(said.size() == 1);
  CHECK(said[0].find("replaced by a new file") != std::string::npos);
  said = watch.look(mtime_ms + 10 * 60'000);
  REQUIRE(said.size() == 1);
  CHECK(said[0].find("has not been written for") != std::string::npos);
}
