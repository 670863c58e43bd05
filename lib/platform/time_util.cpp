// ISO 8601 UTC millisecond timestamps without the C library's locale- and timezone-dependent calls:
// civil-date arithmetic after Howard Hinnant's days_from_civil, exact for the proleptic Gregorian calendar.
#include "platform/time_util.h"

#include <charconv>

namespace payops {
namespace {

constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

constexpr Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

constexpr bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

// Reads exactly n digits; false on any non-digit.
bool digits(const char* p, int n, unsigned& out) {
  unsigned v = 0;
  for (int i = 0; i < n; ++i) {
    const unsigned c = static_cast<unsigned char>(p[i]) - '0';
    if (c > 9) return false;
    v = v * 10 + c;
  }
  out = v;
  return true;
}

}  // namespace

void format_timestamp(TimeMs t, char* out) {
  std::int64_t days = t / 86400000;
  std::int64_t ms_of_day = t % 86400000;
  if (ms_of_day < 0) {
    ms_of_day += 86400000;
    --days;
  }
  const Civil c = civil_from_days(days);
  const auto year = static_cast<unsigned>(c.year < 0 ? 0 : c.year > 9999 ? 9999 : c.year);
  put2(out, year / 100);
  put2(out + 2, year % 100);
  out[4] = '-';
  put2(out + 5, c.month);
  out[7] = '-';
  put2(out + 8, c.day);
  out[10] = 'T';
  const auto s = static_cast<unsigned>(ms_of_day / 1000);
  put2(out + 11, s / 3600);
  out[13] = ':';
  put2(out + 14, s / 60 % 60);
  out[16] = ':';
  put2(out + 17, s % 60);
  out[19] = '.';
  const auto ms = static_cast<unsigned>(ms_of_day % 1000);
  out[20] = static_cast<char>('0' + ms / 100);
  put2(out + 21, ms % 100);
  out[23] = 'Z';
}

std::string format_timestamp(TimeMs t) {
  std::string s(kTimestampLength, '\0');
  format_timestamp(t, s.data());
  return s;
}

std::optional<TimeMs> parse_timestamp(std::string_view text) {
  if (text.size() != kTimestampLength) return std::nullopt;
  const char* p = text.data();
  if (p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' || p[16] != ':' || p[19] != '.' ||
      p[23] != 'Z')
    return std::nullopt;
  unsigned year, month, day, hour, minute, second, ms;
  if (!digits(p, 4, year) || !digits(p + 5, 2, month) || !digits(p + 8, 2, day) ||
      !digits(p + 11, 2, hour) || !digits(p + 14, 2, minute) || !digits(p + 17, 2, second) ||
      !digits(p + 20, 3, ms))
    return std::nullopt;
  if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
      minute > 59 || second > 59)
    return std::nullopt;
  const std::int64_t days = days_from_civil(year, month, day);
  return ((days * 24 + hour) * 60 + minute) * 60000 + second * 1000LL + ms;
}

std::optional<std::int64_t> parse_duration_ms(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr == text.data() || value < 0) return std::nullopt;
  const std::string_view unit(ptr, static_cast<std::size_t>(end - ptr));
  std::int64_t scale;
  if (unit.empty() || unit == "s") scale = 1000;
  else if (unit == "ms") scale = 1;
  else if (unit == "m" || unit == "min") scale = 60000;
  else if (unit == "h") scale = 3600000;
  else return std::nullopt;
  if (value > INT64_MAX / scale) return std::nullopt;
  return value * scale;
}

}  // namespace payops
