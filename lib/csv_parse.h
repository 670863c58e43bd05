// Reading one line of transactions.csv into a RowView with full validation. A bad line is named by
// why it is bad; it never throws and never reads outside the line.
#pragma once

#include <optional>
#include <string_view>

#include "transaction.h"

namespace payops {

enum class Malformed : std::uint8_t {
  field_count,     // not 11 fields
  open_quote,      // a quote left open at the end of the line, or stray text after a closing quote
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

// line excludes the terminating '\n'. Returns nullopt and fills out on a good row.
std::optional<Malformed> parse_csv_line(std::string_view line, RowView& out);

}  // namespace payops
