#include "platform/time_flags.h"

#include <string>

namespace payops {
namespace {

// "YYYY-MM-DDTHH:MM:SS[.fff...](Z|+HH:MM|-HH:MM)": RFC 3339, 't'/'z' or a space allowed, any number
// of fraction digits (truncated to milliseconds).
std::optional<TimeMs> parse_rfc3339(std::string_view text) {
  if (text.size() < 20) return std::nullopt;
  std::string base(text.substr(0, 19));
  if (base[10] == 't' || base[10] == ' ') base[10] = 'T';
  std::size_t i = 19;
  std::string millis = "000";
  if (i < text.size() && text[i] == '.') {
    ++i;
    std::size_t d = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (d < 3) millis[d] = text[i];
      ++d;
      ++i;
    }
    if (d == 0) return std::nullopt;
  }
  const auto t = parse_timestamp(base + "." + millis + "Z");
  if (!t) return std::nullopt;
  const std::string_view zone = text.substr(i);
  if (zone == "Z" || zone == "z") return t;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
  const auto two = [](std::string_view d) -> int {
    return (d[0] >= '0' && d[0] <= '9' && d[1] >= '0' && d[1] <= '9') ? (d[0] - '0') * 10 + (d[1] - '0') : -1;
  };
  const int hh = two(zone.substr(1, 2)), mm = two(zone.substr(4, 2));
  if (hh < 0 || hh > 23 || mm < 0 || mm > 59) return std::nullopt;
  const std::int64_t offset_ms = (hh * 60 + mm) * 60'000LL;
  return zone[0] == '+' ? *t - offset_ms : *t + offset_ms;  // local = UTC + offset
}

}  // namespace

std::optional<TimeMs> parse_time_flag(std::string_view text, TimeMs now_ms) {
  if (text == "now") return now_ms;
  std::string_view rest = text;
  if (rest.starts_with("now")) rest.remove_prefix(3);
  if (rest.starts_with("-") || rest.starts_with("+")) {
    const bool back = rest[0] == '-';
    const auto d = parse_duration_ms(rest.substr(1));
    if (!d) return std::nullopt;
    return back ? now_ms - *d : now_ms + *d;
  }
  return parse_rfc3339(text);
}

}  // namespace payops
