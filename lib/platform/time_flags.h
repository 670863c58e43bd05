// The one duration and time syntax of every command-line flag.
//
// Durations (parse_duration_ms in platform/time_util.h, also used by incident specs): one or more
// NUMBER UNIT parts, units ms, s, m (or min), h, added up: "250ms", "30s", "1m30s", "1.5s", "1h30m";
// or a bare number of seconds ("30"). Fractions down to the millisecond; refused: negative, empty,
// an unknown unit, finer than 1 ms, overflow.
#pragma once

#include <optional>
#include <string_view>

#include "platform/time_util.h"

namespace payops {

// Every flag that takes an instant (--since, --until, --at, --start, --now): RFC 3339 with or
// without fractional seconds and with Z or an offset ("2026-11-22T13:00:00Z",
// "2026-11-22T13:00:00.250+01:00"; 't', 'z' or a space accepted), "now", or a duration relative
// to now_ms ("-1h", "now-90s", "+5m"). nullopt on anything else.
std::optional<TimeMs> parse_time_flag(std::string_view text, TimeMs now_ms);

// The phrases usage errors quote for the two syntaxes.
inline constexpr const char* kDurationSyntax = "a duration like 30s, 1m30s, 1.5s or 500ms";
inline constexpr const char* kTimeSyntax = "a time like 2026-11-22T12:00:00Z, 2026-11-22T12:00:00.000Z, now or -1h";

}  // namespace payops
