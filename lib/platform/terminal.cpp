// Terminal-facing output helpers.
#include "platform/terminal.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace payops {

bool is_terminal(std::FILE* stream) { return isatty(fileno(stream)) == 1; }

bool use_color(std::FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  return is_terminal(stream) && (no_color == nullptr || *no_color == '\0');
}

std::size_t unicode_control_length(std::string_view text, std::size_t i) {
  const auto at = [&](std::size_t k) { return k < text.size() ? static_cast<unsigned char>(text[k]) : 0u; };
  if (at(i) == 0xC2 && at(i + 1) >= 0x80 && at(i + 1) <= 0x9F) return 2;                     // U+0080..U+009F
  if (at(i) == 0xE2 && at(i + 1) == 0x80 && at(i + 2) >= 0xAA && at(i + 2) <= 0xAE) return 3;  // U+202A..U+202E
  if (at(i) == 0xE2 && at(i + 1) == 0x81 && at(i + 2) >= 0xA6 && at(i + 2) <= 0xA9) return 3;  // U+2066..U+2069
  return 0;
}

std::string escape_for_terminal(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (const std::size_t len = unicode_control_length(text, i); len > 0) {
      // Decode the 2- or 3-byte sequence to its code point for the visible escape.
      const unsigned cp = len == 2 ? ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3Fu)
                                   : ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(text[i + 1]) & 0x3Fu) << 6) |
                                         (static_cast<unsigned char>(text[i + 2]) & 0x3Fu);
      out += "\\u{";
      for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 15];
      out += '}';
      i += len - 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

namespace {

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

std::string Table::render() const {
  std::vector<std::size_t> width(header_.size(), 0);
  const auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], display_width(row[i]));
  };
  measure(header_);
  for (const auto& r : rows_) measure(r);
  std::string out;
  const auto emit = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < width.size(); ++i) {
      const std::string cell = i < row.size() ? escape_for_terminal(row[i]) : "";
      const std::size_t pad = width[i] > display_width(cell) ? width[i] - display_width(cell) : 0;
      const bool right = std::find(right_.begin(), right_.end(), i) != right_.end();
      if (i > 0) line += "  ";
      if (right) line.append(pad, ' ');
      line += cell;
      if (!right && i + 1 < width.size()) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  emit(header_);
  for (const auto& r : rows_) emit(r);
  return out;
}

}  // namespace payops
