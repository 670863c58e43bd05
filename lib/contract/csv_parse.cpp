// Validating one line of transactions.csv into a RowView: field splitting per RFC 4180 (without
// multi-line fields: a row is one line), then the contract's format for every column.
#include "contract/csv_parse.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "contract/csv_format.h"
#include "contract/money.h"

namespace payops {
namespace {

// Non-negative decimal integer that fits an int64 (at most 18 digits, so no overflow check needed).
bool parse_latency(std::string_view s, std::int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  std::int64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

// Splits a line that holds quotes into exactly kCsvFieldCount raw fields. Quoted fields keep their
// quotes. A byte loop: fields are short, so this beats a memchr call per field.
std::optional<Malformed> split_quoted_fields(std::string_view line, std::string_view* fields) {
  const char* cur = line.data();
  const char* const end = cur + line.size();
  int count = 0;
  for (;;) {
    if (count == kCsvFieldCount) return Malformed::field_count;  // a 12th field starts here
    const char* p = cur;
    if (p < end && *p == '"') {
      ++p;
      for (;;) {
        while (p < end && *p != '"') ++p;
        if (p == end) return Malformed::open_quote;
        if (p + 1 < end && p[1] == '"') {
          p += 2;  // a doubled quote inside the field
          continue;
        }
        break;
      }
      ++p;  // past the closing quote
      if (p < end && *p != ',') return Malformed::open_quote;  // text after it
    } else {
      while (p < end && *p != ',') {
        // RFC 4180: a field holding a quote must be quoted as a whole.
        if (*p == '"') return Malformed::open_quote;
        ++p;
      }
    }
    fields[count++] = std::string_view(cur, static_cast<std::size_t>(p - cur));
    if (p == end) break;
    cur = p + 1;
  }
  if (count != kCsvFieldCount) return Malformed::field_count;
  return std::nullopt;
}

// One pass over the line, 16 bytes at a time: the positions of its commas (up to kCsvFieldCount),
// whether it holds a quote and whether it holds a non-ASCII byte. Returns the comma count (capped
// at kCsvFieldCount, which already means too many).
struct LineShape {
  int commas = 0;
  bool has_quote = false;
  bool has_high = false;
  std::uint32_t comma_at[kCsvFieldCount];
};

void record_commas(LineShape& shape, std::uint32_t mask, std::size_t base) {
  while (mask != 0 && shape.commas < kCsvFieldCount) {
    shape.comma_at[shape.commas++] = static_cast<std::uint32_t>(base) +
                                     static_cast<std::uint32_t>(__builtin_ctz(mask));
    mask &= mask - 1;
  }
}

#if defined(__SSE2__)
void shape_of(std::string_view line, LineShape& shape) {
  const __m128i comma = _mm_set1_epi8(',');
  const __m128i quote = _mm_set1_epi8('"');
  const std::size_t n = line.size();
  std::size_t i = 0;
  auto block = [&](__m128i v, std::size_t base, std::uint32_t valid) {
    const auto commas = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma))) & valid;
    const auto quotes = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote))) & valid;
    const auto high = static_cast<std::uint32_t>(_mm_movemask_epi8(v)) & valid;
    shape.has_quote |= quotes != 0;
    shape.has_high |= high != 0;
    record_commas(shape, commas, base);
  };
  for (; i + 16 <= n; i += 16) {
    block(_mm_loadu_si128(reinterpret_cast<const __m128i*>(line.data() + i)), i, 0xffffu);
  }
  if (i < n) {
    alignas(16) char tail[16] = {};
    std::memcpy(tail, line.data() + i, n - i);
    block(_mm_load_si128(reinterpret_cast<const __m128i*>(tail)), i, (1u << (n - i)) - 1);
  }
}
#else
void shape_of(std::string_view line, LineShape& shape) {
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == ',' && shape.commas < kCsvFieldCount) shape.comma_at[shape.commas++] = static_cast<std::uint32_t>(i);
    shape.has_quote |= c == '"';
    shape.has_high |= static_cast<unsigned char>(c) >= 0x80;
  }
}
#endif

}  // namespace

bool is_currency_text(std::string_view s) {
  return s.size() == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' &&
         s[2] <= 'Z';
}

bool is_bank_id_text(std::string_view s) {
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

std::string_view to_string(Malformed m) {
  switch (m) {
    case Malformed::field_count: return "field_count";
    case Malformed::open_quote: return "open_quote";
    case Malformed::bad_timestamp: return "bad_timestamp";
    case Malformed::bad_number: return "bad_number";
    case Malformed::bad_status: return "bad_status";
    case Malformed::bad_error_code: return "bad_error_code";
    case Malformed::bad_field: return "bad_field";
    case Malformed::bad_utf8: return "bad_utf8";
    case Malformed::repeated_header: return "repeated_header";
    case Malformed::too_long: return "too_long";
    case Malformed::carriage_return: return "carriage_return";
  }
  return "unknown";
}

std::optional<Malformed> parse_csv_line(std::string_view line, RowView& out) {
  if (line.size() > kMaxLineBytes) return Malformed::too_long;
  if (!line.empty() && line.back() == '\r') return Malformed::carriage_return;
  if (line == kCsvHeader) return Malformed::repeated_header;
  LineShape shape;
  shape_of(line, shape);
  if (shape.has_high && !is_valid_utf8(line)) return Malformed::bad_utf8;

  std::string_view f[kCsvFieldCount];
  if (shape.has_quote) {
    if (auto bad = split_quoted_fields(line, f)) return bad;
  } else {
    // The common case: no quote, so every comma separates fields.
    if (shape.commas != kCsvFieldCount - 1) return Malformed::field_count;
    std::uint32_t start = 0;
    for (int k = 0; k < kCsvFieldCount - 1; ++k) {
      f[k] = line.substr(start, shape.comma_at[k] - start);
      start = shape.comma_at[k] + 1;
    }
    f[kCsvFieldCount - 1] = line.substr(start);
  }

  RowView row;
  const auto ts = parse_timestamp(f[0]);
  if (!ts) return Malformed::bad_timestamp;
  row.timestamp_ms = *ts;
  if (!is_transaction_id(f[1])) return Malformed::bad_field;
  row.transaction_id = f[1];
  if (!is_decimal_amount(f[2])) return Malformed::bad_number;
  row.amount = f[2];
  if (!is_currency_text(f[3])) return Malformed::bad_field;
  row.currency = f[3];
  const auto type = parse_payment_method(f[4]);
  if (!type) return Malformed::bad_field;
  row.type = *type;
  row.bank_name_raw = f[6];
  const auto status = parse_txn_status(f[7]);
  if (!status) return Malformed::bad_status;
  row.status = *status;
  if (!parse_latency(f[8], row.latency_ms)) return Malformed::bad_number;
  const auto code = parse_error_code(f[9]);
  if (!code) return Malformed::bad_error_code;
  // success <=> no error code.
  if ((*status == TxnStatus::success) != (*code == ErrorCode::none)) {
    return Malformed::bad_error_code;
  }
  row.error_code = *code;
  // bank_id is checked after error_code: it may be empty only on a NO_ROUTE row.
  if (!is_bank_id_text(f[5]) || (f[5].empty() && *code != ErrorCode::NO_ROUTE)) {
    return Malformed::bad_field;
  }
  row.bank_id = f[5];
  row.error_message_raw = f[10];
  out = row;
  return std::nullopt;
}

}  // namespace payops
