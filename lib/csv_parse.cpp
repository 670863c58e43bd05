// Validating one line of transactions.csv into a RowView: field splitting per RFC 4180 (without
// multi-line fields: a row is one line), then the contract's format for every column.
#include "csv_parse.h"

#include <cstring>

#include "csv_format.h"
#include "money.h"

namespace payops {
namespace {

bool is_upper3(std::string_view s) {
  return s.size() == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' &&
         s[2] <= 'Z';
}

bool is_bank_id_text(std::string_view s) {
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

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

const char* find_char(const char* from, const char* end, char c) {
  return static_cast<const char*>(std::memchr(from, c, static_cast<std::size_t>(end - from)));
}

// Splits line into exactly kCsvFieldCount raw fields. Quoted fields keep their quotes.
std::optional<Malformed> split_fields(std::string_view line, std::string_view* fields) {
  const char* cur = line.data();
  const char* const end = cur + line.size();
  const bool has_quote = find_char(cur, end, '"') != nullptr;
  int count = 0;
  for (;;) {
    if (count == kCsvFieldCount) return Malformed::field_count;  // a 12th field starts here
    const char* field_end;
    if (!has_quote) {
      field_end = find_char(cur, end, ',');
      if (field_end == nullptr) field_end = end;
    } else if (cur < end && *cur == '"') {
      const char* q = cur + 1;
      for (;;) {
        q = find_char(q, end, '"');
        if (q == nullptr) return Malformed::open_quote;
        if (q + 1 < end && q[1] == '"') {
          q += 2;  // a doubled quote inside the field
          continue;
        }
        break;
      }
      field_end = q + 1;
      if (field_end < end && *field_end != ',') return Malformed::open_quote;  // text after it
    } else {
      field_end = find_char(cur, end, ',');
      if (field_end == nullptr) field_end = end;
      // RFC 4180: a field holding a quote must be quoted as a whole.
      if (find_char(cur, field_end, '"') != nullptr) return Malformed::open_quote;
    }
    fields[count++] = std::string_view(cur, static_cast<std::size_t>(field_end - cur));
    if (field_end == end) break;
    cur = field_end + 1;
  }
  if (count != kCsvFieldCount) return Malformed::field_count;
  return std::nullopt;
}

}  // namespace

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
  if (!is_valid_utf8(line)) return Malformed::bad_utf8;

  std::string_view f[kCsvFieldCount];
  if (auto bad = split_fields(line, f)) return bad;

  RowView row;
  const auto ts = parse_timestamp(f[0]);
  if (!ts) return Malformed::bad_timestamp;
  row.timestamp_ms = *ts;
  if (!is_transaction_id(f[1])) return Malformed::bad_field;
  row.transaction_id = f[1];
  if (!is_decimal_amount(f[2])) return Malformed::bad_number;
  row.amount = f[2];
  if (!is_upper3(f[3])) return Malformed::bad_field;
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
