// Money as exact decimal minor units per ISO 4217 currency; a binary float never touches an amount.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/result.h"

namespace payops {

struct CurrencyInfo {
  std::string_view code;   // "INR"
  int decimals;            // minor-unit digits: JPY 0, KWD 3, most 2
  std::int64_t max_minor;  // largest amount a single payment may carry, in minor units
};

// The currencies payops knows. nullopt for anything else.
std::optional<CurrencyInfo> find_currency(std::string_view code);
// All known currencies, for help texts and the simulator's payment mix.
const CurrencyInfo* known_currencies(std::size_t* count);

struct Money {
  std::int64_t minor = 0;  // e.g. 12550 for INR 125.50
  std::string_view currency;  // points into the static currency table
};

// Parses a user or log amount against the currency's decimals: "125.50" and "125.5" for INR; "1000"
// for JPY. Refuses signs, exponents, more decimals than the currency has, and overflow, with one
// sentence naming the problem.
Result<Money> parse_amount(std::string_view text, std::string_view currency_code);

// Formats with exactly the currency's decimals: 12550 INR -> "125.50", 1000 JPY -> "1000".
std::string format_amount(const Money& m);
// Appends to out without allocating beyond out's growth. Returns chars written.
void append_amount(std::string& out, std::int64_t minor, int decimals);

// Strict syntax check used by the CSV reader: digits with an optional '.' and 1-3 decimals.
bool is_decimal_amount(std::string_view text);

}  // namespace payops
