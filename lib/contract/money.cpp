// Currency table and exact decimal parsing/formatting of amounts in minor units.
#include "contract/money.h"

#include <array>

#include <fmt/format.h>

namespace payops {
namespace {

// max_minor bounds one payment (a typo like an extra zero is refused, not charged).
constexpr std::array kCurrencies = {
    CurrencyInfo{"USD", 2, 1'000'000'00},      CurrencyInfo{"EUR", 2, 1'000'000'00},
    CurrencyInfo{"GBP", 2, 1'000'000'00},      CurrencyInfo{"INR", 2, 10'000'000'00},
    CurrencyInfo{"JPY", 0, 100'000'000},       CurrencyInfo{"KRW", 0, 1'000'000'000},
    CurrencyInfo{"KWD", 3, 300'000'000},       CurrencyInfo{"BHD", 3, 300'000'000},
    CurrencyInfo{"SGD", 2, 1'000'000'00},      CurrencyInfo{"AUD", 2, 1'000'000'00},
    CurrencyInfo{"CAD", 2, 1'000'000'00},      CurrencyInfo{"CHF", 2, 1'000'000'00},
    CurrencyInfo{"BRL", 2, 5'000'000'00},      CurrencyInfo{"AED", 2, 5'000'000'00},
};

constexpr std::int64_t kPow10[] = {1, 10, 100, 1000};

}  // namespace

std::optional<CurrencyInfo> find_currency(std::string_view code) {
  for (const auto& c : kCurrencies)
    if (c.code == code) return c;
  return std::nullopt;
}

const CurrencyInfo* known_currencies(std::size_t* count) {
  *count = kCurrencies.size();
  return kCurrencies.data();
}

bool is_decimal_amount(std::string_view text) {
  if (text.empty() || text.size() > 20) return false;
  std::size_t i = 0, int_digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i, ++int_digits;
  if (int_digits == 0) return false;
  if (i == text.size()) return true;
  if (text[i] != '.') return false;
  const std::size_t frac = text.size() - i - 1;
  if (frac < 1 || frac > 3) return false;
  for (++i; i < text.size(); ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  return true;
}

Result<Money> parse_amount(std::string_view text, std::string_view currency_code) {
  const auto currency = find_currency(currency_code);
  if (!currency) {
    std::string known;
    for (const auto& c : kCurrencies) known += (known.empty() ? "" : ", ") + std::string(c.code);
    return make_error(fmt::format("unknown currency \"{}\" (known: {})", currency_code, known),
                      Error::Kind::invalid_input);
  }
  const auto bad = [&](std::string_view why) {
    return make_error(fmt::format("amount \"{}\" {}", text, why), Error::Kind::invalid_input);
  };
  if (text.empty()) return bad("is empty");
  std::int64_t units = 0, fraction = 0;
  std::size_t i = 0;
  for (; i < text.size() && text[i] != '.'; ++i) {
    if (text[i] < '0' || text[i] > '9')
      return bad("must be a plain decimal number like 125.50 (no sign, spaces or exponent)");
    if (units > (INT64_MAX / 1000 - 9) / 10) return bad("is too large");
    units = units * 10 + (text[i] - '0');
  }
  if (i == 0) return bad("needs digits before the decimal point");
  int frac_digits = 0;
  if (i < text.size()) {
    for (++i; i < text.size(); ++i, ++frac_digits) {
      if (text[i] < '0' || text[i] > '9')
        return bad("must be a plain decimal number like 125.50 (no sign, spaces or exponent)");
      if (frac_digits == currency->decimals)
        return bad(currency->decimals == 0
                       ? fmt::format("has decimals, but {} has no minor unit", currency->code)
                       : fmt::format("has more than {} decimals, the most {} allows",
                                     currency->decimals, currency->code));
      fraction = fraction * 10 + (text[i] - '0');
    }
    if (frac_digits == 0) return bad("ends in a decimal point");
  }
  const std::int64_t minor = units * kPow10[currency->decimals] +
                             fraction * kPow10[currency->decimals - frac_digits];
  if (minor <= 0) return bad("must be greater than zero");
  if (minor > currency->max_minor) {
    std::string limit;
    append_amount(limit, currency->max_minor, currency->decimals);
    return bad(fmt::format("is above the limit of {} {} for one payment", limit, currency->code));
  }
  return Money{minor, currency->code};
}

void append_amount(std::string& out, std::int64_t minor, int decimals) {
  char buf[24];
  char* end = buf + sizeof buf;
  char* p = end;
  std::uint64_t v = static_cast<std::uint64_t>(minor < 0 ? -minor : minor);
  for (int d = 0; d < decimals; ++d) {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  if (decimals > 0) *--p = '.';
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  if (minor < 0) *--p = '-';
  out.append(p, static_cast<std::size_t>(end - p));
}

std::string format_amount(const Money& m) {
  std::string out;
  const auto currency = find_currency(m.currency);
  append_amount(out, m.minor, currency ? currency->decimals : 2);
  return out;
}

}  // namespace payops
