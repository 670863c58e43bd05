// Following a host's log as `fleet log up` does: whole lines only, the header checked and skipped,
// malformed lines counted by absolute line number, offsets that let a bridge resume exactly.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "fleet/fleet_log_follower.h"
#include "contract/transaction.h"

using namespace payops;

namespace {

const std::string kRow1 = "2026-11-22T12:00:00.123Z,txn_0123456789abcdef,125.50,INR,upi,bank_a,Stripe Gateway,success,120,,";
const std::string kRow2 = "2026-11-22T12:00:01.000Z,txn_0123456789abcdee,10.00,USD,card,bank_b,PayU,failed,90,BANK_UNAVAILABLE,down";

struct TempLog {
  std::string path;
  TempLog() {
    char tmpl[] = "/tmp/fleet_follower_XXXXXX";
    const int fd = mkstemp(tmpl);
    ::close(fd);
    path = tmpl;
  }
  ~TempLog() { std::remove(path.c_str()); }
  void append(const std::string& bytes) const { std::ofstream(path, std::ios::app | std::ios::binary) << bytes; }
};

const std::string kHeader = std::string(kCsvHeader) + "\n";

}  // namespace

TEST_CASE("a partial last line is not a row until its newline arrives") {
  TempLog log;
  log.append(kHeader + kRow1 + "\n" + kRow2.substr(0, 30));
  auto f = LogFollower::open(log.path, 0);
  REQUIRE(f.ok());
  auto rows = f->read_batch(1 << 20);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].line == kRow1);
  CHECK((*rows)[0].offset == kHeader.size());
  CHECK((*rows)[0].end == kHeader.size() + kRow1.size() + 1);
  CHECK(f->offset() == (*rows)[0].end);
  log.append(kRow2.substr(30) + "\n");
  rows = f->read_batch(1 << 20);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].line == kRow2);
}

TEST_CASE("malformed lines are skipped and named by their line number, also after a resume") {
  TempLog log;
  log.append(kHeader + kRow1 + "\n" + "not a row\n" + kRow2 + "\n");
  auto f = LogFollower::open(log.path, 0);
  REQUIRE(f.ok());
  auto rows = f->read_batch(1 << 20);
  REQUIRE(rows.ok());
  CHECK(rows->size() == 2);
  CHECK(f->summary().malformed == 1);
  CHECK(f->summary().first_malformed.at(0).line_number == 3);
  // Resuming after the first row (where the stream says the next line starts) numbers lines alike.
  auto g = LogFollower::open(log.path, kHeader.size() + kRow1.size() + 1);
  REQUIRE(g.ok());
  rows = g->read_batch(1 << 20);
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 1);
  CHECK((*rows)[0].line == kRow2);
  CHECK(g->summary().first_malformed.at(0).line_number == 3);
}

TEST_CASE("small batches still deliver every row once, in order") {
  TempLog log;
  log.append(kHeader);
  for (int i = 0; i < 50; ++i) log.append((i % 2 ? kRow1 : kRow2) + "\n");
  auto f = LogFollower::open(log.path, 0);
  REQUIRE(f.ok());
  std::size_t total = 0;
  std::uint64_t expect_offset = kHeader.size();
  for (int guard = 0; guard < 1000; ++guard) {
    auto rows = f->read_batch(1);  // at least one whole line per call
    REQUIRE(rows.ok());
    if (rows->empty()) break;
    for (const auto& r : *rows) {
      CHECK(r.offset == expect_offset);
      expect_offset = r.end;
    }
    total += rows->size();
  }
  CHECK(total == 50);
}

TEST_CASE("a foreign first line, a shrunken file and a resume point inside a line are refused") {
  TempLog foreign;
  foreign.append("a,b,c\n" + kRow1 + "\n");
  auto f = LogFollower::open(foreign.path, 0);
  REQUIRE(f.ok());
  auto rows = f->read_batch(1 << 20);
  REQUIRE_FALSE(rows.ok());
  CHECK(rows.error().message.find("header") != std::string::npos);

  TempLog log;
  log.append(kHeader + kRow1 + "\n");
  CHECK_FALSE(LogFollower::open(log.path, 1 << 20).ok());   // shorter than the stream says
  CHECK_FALSE(LogFollower::open(log.path, kHeader.size() + 3).ok());  // not the start of a line
  auto missing = LogFollower::open(log.path + ".nope", 0);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().kind == Error::Kind::not_found);
}
