// Writing rows of transactions.csv: sanitising free text (control bytes, UTF-8, formula prefixes,
// the byte cap), RFC 4180 quoting, and the row layout of the contract's header.
#include "contract/csv_format.h"

#include <cassert>
#include <charconv>
#include <cstring>

#include "contract/money.h"
#include "platform/terminal.h"

namespace payops {
namespace {

bool is_formula_lead(char c) { return c == '=' || c == '+' || c == '-' || c == '@'; }
bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

// Some byte of the 8 in w is a control byte (< 0x20 or 0x7f), non-ASCII (>= 0x80), a comma or a
// double quote: anything append_text_field would not copy as it is. Bit tricks that are exact for
// "some byte" (a borrow or carry only starts at a byte that is itself flagged).
bool has_unplain_byte(std::uint64_t w) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  const auto has_zero = [](std::uint64_t v) { return (v - kOnes) & ~v & kHigh; };
  const std::uint64_t below_space = (w - 0x20 * kOnes) & ~w & kHigh;
  const std::uint64_t del_or_high = ((w + kOnes) | w) & kHigh;  // 0x7f + 1 and anything >= 0x80
  return (below_space | del_or_high | has_zero(w ^ (',' * kOnes)) | has_zero(w ^ ('"' * kOnes))) != 0;
}

// text is printable ASCII without comma or quote: its sanitised field is itself, unquoted.
bool is_plain_text(std::string_view text) {
  const char* p = text.data();
  const std::size_t n = text.size();
  if (n < 8) {
    for (std::size_t i = 0; i < n; ++i) {
      const auto c = static_cast<unsigned char>(p[i]);
      if (c < 0x20 || c >= 0x7f || c == ',' || c == '"') return false;
    }
    return true;
  }
  std::uint64_t w;
  for (std::size_t i = 0; i + 8 <= n; i += 8) {
    std::memcpy(&w, p + i, 8);
    if (has_unplain_byte(w)) return false;
  }
  std::memcpy(&w, p + n - 8, 8);  // the last 8 bytes, overlapping the words above
  return !has_unplain_byte(w);
}

// Appends the sanitised form of text (see sanitize_text_field) to out; if quote, then quotes what it
// appended, in place, when it holds a comma or a double quote. Does not allocate when out has
// capacity.
void append_text_field(std::string& out, std::string_view text, std::size_t max_bytes,
                       bool neutralise_formula, bool quote = true) {
  // The common case (ids, bank names, fixed messages) in one pass: the loop below would copy it as
  // one printable run and find nothing to quote.
  if (text.size() <= max_bytes && (!neutralise_formula || text.empty() || !is_formula_lead(text.front())) &&
      is_plain_text(text)) {
    out.append(text);
    return;
  }
  const std::size_t start = out.size();
  std::size_t budget = max_bytes;
  if (neutralise_formula && !text.empty() && is_formula_lead(text.front())) {
    if (budget == 0) return;
    out.push_back('\'');
    --budget;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  bool needs_quotes = false;
  while (i < n && budget > 0) {
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (is_control(c)) {
        out.push_back(' ');
        --budget;
        ++i;
        continue;
      }
      // A run of printable ASCII, appended at once.
      std::size_t j = i;
      const std::size_t end = (n - i < budget) ? n : i + budget;
      while (j < end && p[j] >= 0x20 && p[j] < 0x7f) {
        needs_quotes |= (p[j] == ',' || p[j] == '"');
        ++j;
      }
      out.append(text.data() + i, j - i);
      budget -= j - i;
      i = j;
      continue;
    }
    if (const std::size_t control = unicode_control_length(text, i); control > 0) {
      out.push_back(' ');  // a C1 control or bidi override, like a C0 control: a space
      --budget;
      i += control;
      continue;
    }
    const int len = utf8_sequence_length(text.substr(i));
    if (len > 0) {
      if (static_cast<std::size_t>(len) > budget) break;
      out.append(text.data() + i, static_cast<std::size_t>(len));
      budget -= static_cast<std::size_t>(len);
      i += static_cast<std::size_t>(len);
    } else {
      if (kReplacementChar.size() > budget) break;
      out.append(kReplacementChar);
      budget -= kReplacementChar.size();
      i += static_cast<std::size_t>(-len);
    }
  }
  if (!needs_quotes || !quote) return;

  // Quote in place: grow by the doubled quotes plus the two enclosing ones, then copy backwards.
  std::size_t quotes = 0;
  for (std::size_t k = start; k < out.size(); ++k) quotes += (out[k] == '"');
  const std::size_t old_end = out.size();
  out.resize(old_end + quotes + 2);
  std::size_t dst = out.size();
  out[--dst] = '"';
  for (std::size_t src = old_end; src > start;) {
    const char c = out[--src];
    out[--dst] = c;
    if (c == '"') out[--dst] = '"';
  }
  out[--dst] = '"';
  assert(dst == start);
}

}  // namespace

int utf8_sequence_length(std::string_view s) {
  if (s.empty()) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  // Unicode Table 3-7 (well-formed byte sequences): the lead byte fixes the length and the range
  // of the second byte; later bytes are 80..BF.
  int len = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c == 0xE0) {
    len = 3, lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    len = 3;
  } else if (c == 0xED) {
    len = 3, hi = 0x9F;  // no UTF-16 surrogates
  } else if (c == 0xF0) {
    len = 4, lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    len = 4;
  } else if (c == 0xF4) {
    len = 4, hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return -1;
  }
  // Count the maximal valid prefix ("maximal subpart" of an ill-formed sequence).
  int k = 1;
  if (n < 2 || p[1] < lo || p[1] > hi) return -k;
  k = 2;
  for (; k < len; ++k) {
    if (static_cast<std::size_t>(k) >= n || p[k] < 0x80 || p[k] > 0xBF) return -k;
  }
  return len;
}

bool is_valid_utf8(std::string_view s) {
  const char* p = s.data();
  std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // ASCII fast path: eight bytes at a time.
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    while (i < n && static_cast<unsigned char>(p[i]) < 0x80) ++i;
    if (i >= n) break;
    const int len = utf8_sequence_length(s.substr(i));
    if (len <= 0) return false;
    i += static_cast<std::size_t>(len);
  }
  return true;
}

std::string sanitize_text_field(std::string_view text, std::size_t max_bytes) {
  std::string out;
  out.reserve(text.size() < max_bytes ? text.size() + 1 : max_bytes);
  append_text_field(out, text, max_bytes, true, false);
  return out;
}

void append_csv_field(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"") == std::string_view::npos) {
    out.append(field);
    return;
  }
  out.push_back('"');
  for (const char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

namespace {

// format_timestamp, with the "YYYY-MM-DDTHH:MM:SS" part worked out once per second per thread: a
// writer's rows come in time order, many to a second. Same 24 bytes as format_timestamp.
void put_timestamp(TimeMs t, char* out) {
  struct SecondPrefix {
    TimeMs second = -1;
    char text[kTimestampLength];
  };
  thread_local SecondPrefix last;
  if (t < 0) {  // before 1970: rare enough to leave to the calendar code
    format_timestamp(t, out);
    return;
  }
  const TimeMs second = t / 1000;
  if (second != last.second) {
    format_timestamp(second * 1000, last.text);
    last.second = second;
  }
  std::memcpy(out, last.text, kTimestampLength);
  const auto ms = static_cast<unsigned>(t % 1000);
  out[20] = static_cast<char>('0' + ms / 100);
  out[21] = static_cast<char>('0' + ms / 10 % 10);
  out[22] = static_cast<char>('0' + ms % 10);
}

}  // namespace

void append_csv_row(std::string& out, const TransactionRow& row) {
  const std::size_t ts = out.size();
  out.resize(ts + kTimestampLength);
  put_timestamp(row.timestamp_ms, out.data() + ts);
  out.push_back(',');
  append_text_field(out, row.transaction_id, kMaxIdFieldBytes, false);
  out.push_back(',');
  const auto currency = find_currency(row.currency);
  assert(currency && "append_csv_row: unknown currency");
  assert(row.amount_minor >= 0);
  append_amount(out, row.amount_minor, currency ? currency->decimals : 2);
  out.push_back(',');
  append_text_field(out, row.currency, kMaxIdFieldBytes, false);
  out.push_back(',');
  out.append(to_string(row.type));
  out.push_back(',');
  append_text_field(out, row.bank_id, kMaxIdFieldBytes, false);
  out.push_back(',');
  append_text_field(out, row.bank_name, kMaxBankNameBytes, true);
  out.push_back(',');
  out.append(to_string(row.status));
  out.push_back(',');
  char digits[24];
  // A negative latency can only come from a clock step; the contract's column is non-negative.
  const std::int64_t latency = row.latency_ms < 0 ? 0 : row.latency_ms;
  const auto res = std::to_chars(digits, digits + sizeof digits, latency);
  out.append(digits, static_cast<std::size_t>(res.ptr - digits));
  out.push_back(',');
  out.append(to_string(row.error_code));
  out.push_back(',');
  append_text_field(out, row.error_message, kMaxErrorMessageBytes, true);
  out.push_back('\n');
}

std::string unquote_field(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return std::string(raw);
  std::string out;
  out.reserve(raw.size() - 2);
  for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
    out.push_back(raw[i]);
    if (raw[i] == '"' && i + 2 < raw.size() && raw[i + 1] == '"') ++i;
  }
  return out;
}

}  // namespace payops
