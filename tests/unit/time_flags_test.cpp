// The one duration and time syntax of every command-line flag (platform/time_util.h).
#include <doctest/doctest.h>

#include "platform/time_flags.h"

using namespace payops;

TEST_CASE("durations: compound parts add up, fractions down to the millisecond") {
  CHECK(parse_duration_ms("1m30s") == 90'000);
  CHECK(parse_duration_ms("1h30m") == 5'400'000);
  CHECK(parse_duration_ms("2m500ms") == 120'500);
  CHECK(parse_duration_ms("1.5s") == 1'500);
  CHECK(parse_duration_ms(".5s") == 500);
  CHECK(parse_duration_ms("0.25m") == 15'000);
  CHECK(parse_duration_ms("0.001s") == 1);
  CHECK(parse_duration_ms("1.5") == 1'500);  // a bare number is seconds
  CHECK(parse_duration_ms("10min") == 600'000);
  CHECK_FALSE(parse_duration_ms("1m30").has_value());    // a bare number only alone
  CHECK_FALSE(parse_duration_ms("0.5ms").has_value());   // finer than a millisecond
  CHECK_FALSE(parse_duration_ms("1.0001s").has_value());
  CHECK_FALSE(parse_duration_ms("1.s").has_value());
  CHECK_FALSE(parse_duration_ms("").has_value());
  CHECK_FALSE(parse_duration_ms("1m-30s").has_value());
  CHECK_FALSE(parse_duration_ms("99999999999999999h").has_value());
}

TEST_CASE("time flags: RFC 3339 with or without milliseconds, offsets, and relative times") {
  const TimeMs base = *parse_timestamp("2026-11-22T13:00:00.000Z");
  const TimeMs now = base + 7'200'000;
  CHECK(parse_time_flag("2026-11-22T13:00:00Z", now) == base);
  CHECK(parse_time_flag("2026-11-22T13:00:00.000Z", now) == base);
  CHECK(parse_time_flag("2026-11-22T13:00:00.5Z", now) == base + 500);
  CHECK(parse_time_flag("2026-11-22T13:00:00.123456Z", now) == base + 123);
  CHECK(parse_time_flag("2026-11-22t13:00:00z", now) == base);
  CHECK(parse_time_flag("2026-11-22 13:00:00Z", now) == base);
  CHECK(parse_time_flag("2026-11-22T14:00:00+01:00", now) == base);
  CHECK(parse_time_flag("2026-11-22T08:30:00-04:30", now) == base);
  CHECK(parse_time_flag("now", now) == now);
  CHECK(parse_time_flag("-1h", now) == now - 3'600'000);
  CHECK(parse_time_flag("now-1m30s", now) == now - 90'000);
  CHECK(parse_time_flag("+5m", now) == now + 300'000);
  CHECK_FALSE(parse_time_flag("2026-11-22T13:00:00", now).has_value());  // a zone is required
  CHECK_FALSE(parse_time_flag("2026-02-30T13:00:00Z", now).has_value());
  CHECK_FALSE(parse_time_flag("2026-11-22T13:00:00+25:00", now).has_value());
  CHECK_FALSE(parse_time_flag("yesterday", now).has_value());
  CHECK_FALSE(parse_time_flag("-", now).has_value());
}
