// Specs of the progress line's pure parts and of its silence off a terminal.
#include <doctest/doctest.h>

#include <cstdio>

#include "platform/progress.h"
#include "platform/terminal.h"

using namespace payops;

TEST_CASE("progress text counts items, bytes or seconds and adds the percentage") {
  CHECK(progress_text("simulator", 120, 500, ProgressUnit::items) == "simulator [120/500] 24%");
  CHECK(progress_text("agent report", 210ull << 20, 500ull << 20, ProgressUnit::bytes) == "agent report 210/500 MB 42%");
  CHECK(progress_text("simulator", 12'500, 60'000, ProgressUnit::ms) == "simulator 12/60 s 21%");
  CHECK(progress_text("x", 7, 0, ProgressUnit::items) == "x [7/0]");       // no total: no percentage
  CHECK(progress_text("x", 9, 5, ProgressUnit::items) == "x [9/5] 100%");  // never above 100%
}

TEST_CASE("fit_to_columns cuts at whole UTF-8 characters") {
  CHECK(fit_to_columns("abcdef", 4) == "abcd");
  CHECK(fit_to_columns("▁▂▃▄", 2) == "▁▂");
  CHECK(fit_to_columns("abc", 0) == "abc");
  CHECK(fit_to_columns("abc", 10) == "abc");
}

TEST_CASE("off a terminal a progress line writes nothing") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  {
    Progress p(file, "work", 1000, ProgressUnit::items);
    CHECK_FALSE(p.active());
    for (std::uint64_t i = 0; i <= 1000; ++i) p.update(i);
    StatusLine line(file);
    line.show("never");
  }
  CHECK(std::ftell(file) == 0);
  std::fclose(file);
}
