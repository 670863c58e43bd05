// Writing rows: RFC 4180 quoting, control-character and UTF-8 sanitising, the 512-byte error_message
// cut, and formula-injection neutralising. The one implementation every writer uses.
#pragma once

#include <string>
#include <string_view>

#include "contract/transaction.h"

namespace payops {

// Caps that bound a written row well below kMaxLineBytes whatever a caller passes. bank_name is cut
// like error_message (on a character boundary); the id-like fields (transaction_id, currency,
// bank_id) are only ever this long if a caller broke append_csv_row's REQUIRES.
inline constexpr std::size_t kMaxBankNameBytes = 512;
inline constexpr std::size_t kMaxIdFieldBytes = 1024;

// Makes free text safe for one CSV field per the contract: control bytes (0x00-0x1F, 0x7F) become a
// space, invalid UTF-8 sequences become U+FFFD, a leading '=', '+', '-' or '@' gets a "'" in front,
// and the result is cut to at most max_bytes on a character boundary (the prefix counts).
std::string sanitize_text_field(std::string_view text, std::size_t max_bytes);

// Appends `field` to out, quoted per RFC 4180 only if it holds a comma or a double quote.
void append_csv_field(std::string& out, std::string_view field);

// Appends one whole row ending in '\n'. REQUIRES: row.currency is known (else written with 2
// decimals; asserted in debug builds), row.amount_minor >= 0, transaction_id and bank_id in their
// formats. bank_name and error_message are sanitised here (callers pass raw text); the id-like fields
// get their control bytes replaced too, so a broken caller can still never split a row across lines.
// A negative latency_ms (a clock step) is written as 0. Does not allocate when out has capacity.
void append_csv_row(std::string& out, const TransactionRow& row);

// UTF-8 per Unicode Table 3-7 (no overlongs, no surrogates, nothing above U+10FFFF).
// Returns the length (1-4) of the well-formed sequence at the start of s, or minus the length of
// its maximal ill-formed prefix (at least 1) when it is not well formed; 0 when s is empty.
int utf8_sequence_length(std::string_view s);
// Whole-string check with an ASCII fast path (eight bytes at a time).
bool is_valid_utf8(std::string_view s);

// The raw field text of a RowView back to its value: strips RFC 4180 quoting ("a, ""b""" -> a, "b").
std::string unquote_field(std::string_view raw);

}  // namespace payops
