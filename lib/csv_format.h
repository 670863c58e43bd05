// Writing rows: RFC 4180 quoting, control-character and UTF-8 sanitising, the 512-byte error_message
// cut, and formula-injection neutralising. The one implementation every writer uses.
#pragma once

#include <string>
#include <string_view>

#include "transaction.h"

namespace payops {

// Makes free text safe for one CSV field per the contract: control bytes (0x00-0x1F, 0x7F) become a
// space, invalid UTF-8 sequences become U+FFFD, a leading '=', '+', '-' or '@' gets a "'" in front,
// and the result is cut to at most max_bytes on a character boundary (the prefix counts).
std::string sanitize_text_field(std::string_view text, std::size_t max_bytes);

// Appends `field` to out, quoted per RFC 4180 only if it holds a comma or a double quote.
void append_csv_field(std::string& out, std::string_view field);

// Appends one whole row ending in '\n'. REQUIRES: row.currency is known; bank_name and error_message
// are sanitised here (callers pass raw text). Does not allocate when out has capacity.
void append_csv_row(std::string& out, const TransactionRow& row);

// The raw field text of a RowView back to its value: strips RFC 4180 quoting ("a, ""b""" -> a, "b").
std::string unquote_field(std::string_view raw);

}  // namespace payops
