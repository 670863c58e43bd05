// The log-down bridge's intent record: after a crash, the merged log's bytes decide whether the
// interrupted batch was appended, so a restart neither repeats nor loses it.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "contract/csv_appender.h"
#include "fleet/fleet_down_state.h"

using namespace payops;

namespace {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/fleet_down_XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() { std::system(("rm -rf " + path).c_str()); }
};

void append(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::app | std::ios::binary) << bytes; }

}  // namespace

TEST_CASE("a fresh start has no state, and the intent round-trips") {
  TempDir dir;
  const std::string state = down_state_path(dir.path + "/transactions.csv");
  auto none = load_down_intent(state);
  REQUIRE(none.ok());
  CHECK(none->committed_seq == 0);
  DownIntent in{7, 9, 120, 33, fnv1a64("abc")};
  REQUIRE(save_down_intent(state, in).ok());
  auto back = load_down_intent(state);
  REQUIRE(back.ok());
  CHECK(back->committed_seq == 7);
  CHECK(back->batch_last_seq == 9);
  CHECK(back->size_before == 120);
  CHECK(back->batch_fnv1a == fnv1a64("abc"));
}

TEST_CASE("the log's bytes decide an interrupted batch") {
  TempDir dir;
  const std::string log = dir.path + "/transactions.csv";
  append(log, "header\nrow1\n");
  const std::string batch = "row2\nrow3\n";
  const DownIntent in{1, 3, 12, batch.size(), fnv1a64(batch)};
  std::string note;
  SUBCASE("not appended: the batch is fetched again") {
    CHECK(*resolve_committed_seq(log, in, &note) == 1);
    CHECK(note.empty());
  }
  SUBCASE("appended: it is not repeated") {
    append(log, batch);
    CHECK(*resolve_committed_seq(log, in, &note) == 3);
  }
  SUBCASE("appended after the appender ended a torn line") {
    append(log, std::string(kTornLineEnd) + batch);  // the appender's end for a torn line, then the batch
    CHECK(*resolve_committed_seq(log, in, &note) == 3);
  }
  SUBCASE("torn: other bytes where the batch should be are reported, and the batch is fetched again") {
    append(log, "ro");
    CHECK(*resolve_committed_seq(log, in, &note) == 1);
    CHECK(note.find("torn") != std::string::npos);
  }
}

TEST_CASE("a damaged state file is an error that says what to do") {
  TempDir dir;
  const std::string state = dir.path + "/s.json";
  append(state, "{\"committed_seq\": -1}");
  auto r = load_down_intent(state);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("committed_seq") != std::string::npos);
}
