#include <doctest/doctest.h>

#include "platform/clock.h"
#include "platform/time_util.h"

using namespace payops;

TEST_CASE("timestamps round-trip in the contract's exact form") {
  const auto t = parse_timestamp("2026-11-22T12:00:00.123Z");
  REQUIRE(t.has_value());
  CHECK(*t == 1795348800123LL);
  CHECK(format_timestamp(*t) == "2026-11-22T12:00:00.123Z");
  CHECK(format_timestamp(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_timestamp(951782400000LL) == "2000-02-29T00:00:00.000Z");
  for (TimeMs v = 0; v < 4'000'000'000'000LL; v += 7'777'777'777LL)
    CHECK(parse_timestamp(format_timestamp(v)) == v);
}

TEST_CASE("timestamps refuse anything but the strict form") {
  for (const char* bad : {"2026-11-22T12:00:00Z", "2026-11-22 12:00:00.123Z", "2026-11-22T12:00:00.123",
                          "2026-02-30T00:00:00.000Z", "2025-02-29T00:00:00.000Z",
                          "2026-13-01T00:00:00.000Z", "2026-11-22T24:00:00.000Z",
                          "2026-11-22T12:60:00.000Z", "2026-11-22T12:00:00.12xZ", "", "garbage"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_timestamp(bad).has_value());
  }
  CHECK(parse_timestamp("2024-02-29T23:59:59.999Z").has_value());
}

TEST_CASE("durations take units") {
  CHECK(parse_duration_ms("250ms") == 250);
  CHECK(parse_duration_ms("30s") == 30000);
  CHECK(parse_duration_ms("30") == 30000);
  CHECK(parse_duration_ms("5m") == 300000);
  CHECK(parse_duration_ms("2h") == 7200000);
  CHECK_FALSE(parse_duration_ms("-5s").has_value());
  CHECK_FALSE(parse_duration_ms("5 s").has_value());
  CHECK_FALSE(parse_duration_ms("s").has_value());
  CHECK_FALSE(parse_duration_ms("5d").has_value());
}

TEST_CASE("a manual clock only moves when told") {
  ManualClock clock(1000);
  CHECK(clock.now_ms() == 1000);
  clock.sleep_ms(250);
  CHECK(clock.now_ms() == 1250);
  clock.sleep_ms(-5);
  CHECK(clock.now_ms() == 1250);
}
