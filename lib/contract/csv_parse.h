// Reading one line of transactions.csv into a RowView with full validation. A bad line is named by
// why it is bad; it never throws and never reads outside the line.
#pragma once

#include <optional>
#include <string_view>

#include "contract/transaction.h"

namespace payops {

enum class Malformed : std::uint8_t {
  field_count,     // not 11 fields
  open_quote,      // a quote left open at the end of the line, stray text after a closing quote, or
                   // a quote inside an unquoted field (RFC 4180: such a field must be quoted)
  bad_timestamp,
  bad_number,      // latency_ms or amount
  bad_status,
  bad_error_code,  // unknown code, or a code that contradicts status
  bad_field,       // transaction_id, currency, type or bank_id out of their formats
  bad_utf8,
  repeated_header,
  too_long,        // longer than 64 KiB
  carriage_return, // the line ends in \r (rows end in \n only)
};
std::string_view to_string(Malformed m);

// line excludes the terminating '\n'. Returns nullopt and fills out on a good row; on a bad one
// returns the first reason found (checked in this order: too_long, carriage_return,
// repeated_header, bad_utf8, field splitting, then the columns left to right, bank_id last since
// it may be empty only on a NO_ROUTE row) and leaves out unchanged. Quoted fields are accepted
// anywhere RFC 4180 allows them, but the format-checked columns (timestamp, ids, numbers,
// vocabularies) never hold a quote, so a quoted one fails its format check.
std::optional<Malformed> parse_csv_line(std::string_view line, RowView& out);

// The column checks parse_csv_line applies, for decoders that take a line apart themselves.
// currency: three letters A-Z. bank_id: a-z, 0-9 and '_' only (may be empty; see parse_csv_line).
bool is_currency_text(std::string_view s);
bool is_bank_id_text(std::string_view s);

}  // namespace payops
