#include <doctest/doctest.h>

#include "contract/money.h"

using namespace payops;

TEST_CASE("amounts parse to exact minor units per currency") {
  CHECK(parse_amount("125.50", "INR")->minor == 12550);
  CHECK(parse_amount("125.5", "INR")->minor == 12550);
  CHECK(parse_amount("125", "INR")->minor == 12500);
  CHECK(parse_amount("1000", "JPY")->minor == 1000);
  CHECK(parse_amount("1.234", "KWD")->minor == 1234);
  CHECK(parse_amount("0.01", "USD")->minor == 1);
  // 0.1 + 0.2 style float trouble cannot happen: every digit is kept.
  CHECK(parse_amount("999999.99", "USD")->minor == 99999999);
}

TEST_CASE("bad amounts are refused with one sentence") {
  for (auto [text, cur] : {std::pair{"12.5", "JPY"}, {"1.2345", "KWD"}, {"1.234", "USD"}, {"-5", "USD"},
                           {"+5", "USD"}, {"1e3", "USD"}, {"", "USD"}, {"0", "USD"}, {"0.00", "USD"},
                           {"5.", "USD"}, {".5", "USD"}, {"1 000", "USD"}, {"99999999999999999999", "USD"},
                           {"1000000.01", "USD"}, {"10", "XYZ"}}) {
    // Plain copies: clang 14 cannot capture structured bindings in CAPTURE's lambda.
    const char* const amount = text;
    const char* const currency = cur;
    CAPTURE(amount);
    CAPTURE(currency);
    const auto r = parse_amount(amount, currency);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == Error::Kind::invalid_input);
    CHECK(r.error().message.find('\n') == std::string::npos);
  }
  CHECK(parse_amount("12.5", "JPY").error().message.find("JPY has no minor unit") != std::string::npos);
}

TEST_CASE("amounts format with exactly the currency's decimals") {
  CHECK(format_amount({12550, "INR"}) == "125.50");
  CHECK(format_amount({1000, "JPY"}) == "1000");
  CHECK(format_amount({1234, "KWD"}) == "1.234");
  CHECK(format_amount({5, "USD"}) == "0.05");
  CHECK(is_decimal_amount("125.50"));
  CHECK(is_decimal_amount("1000"));
  CHECK_FALSE(is_decimal_amount("1.2345"));
  CHECK_FALSE(is_decimal_amount("-1"));
  CHECK_FALSE(is_decimal_amount("1."));
}
