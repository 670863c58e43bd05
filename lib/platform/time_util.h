// Timestamps as the contract writes them: ISO 8601 UTC with milliseconds, "2026-11-22T12:00:00.123Z".
// Internally time is milliseconds since the Unix epoch (TimeMs), always UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace payops {

using TimeMs = std::int64_t;

// Exactly 24 characters, e.g. "2026-11-22T12:00:00.123Z".
inline constexpr std::size_t kTimestampLength = 24;

// Writes exactly kTimestampLength characters to out. REQUIRES: out has room for 24 chars.
void format_timestamp(TimeMs t, char* out);
std::string format_timestamp(TimeMs t);

// Parses the strict contract form only (24 chars, 'T', '.mmm', 'Z'); nullopt on anything else,
// including impossible dates (2026-02-30) and out-of-range fields.
std::optional<TimeMs> parse_timestamp(std::string_view text);

// Durations on command lines: "250ms", "30s", "5m", "2h", or a bare number of seconds.
std::optional<std::int64_t> parse_duration_ms(std::string_view text);

}  // namespace payops
