// Reading one line: every way a line can be malformed, and what a good one gives.
#include <doctest/doctest.h>

#include <string>

#include "contract/csv_format.h"
#include "contract/csv_parse.h"

using namespace payops;

namespace {

const std::string kGood =
    "2026-11-22T12:00:00.123Z,txn_0123456789abcdef,125.50,INR,upi,bank_a,Stripe Gateway,failed,842,"
    "GATEWAY_TIMEOUT,upstream timed out";

std::optional<Malformed> parse(std::string_view line) {
  RowView v;
  return parse_csv_line(line, v);
}

// kGood with field i (0-based) replaced by value.
std::string with_field(int i, std::string_view value) {
  std::string out;
  std::size_t start = 0;
  for (int k = 0; k < i; ++k) start = kGood.find(',', start) + 1;
  std::size_t end = kGood.find(',', start);
  if (end == std::string::npos) end = kGood.size();
  out = kGood.substr(0, start);
  out += value;
  out += kGood.substr(end);
  return out;
}

}  // namespace

TEST_CASE("csv parse a good row") {
  RowView v;
  REQUIRE_FALSE(parse_csv_line(kGood, v));
  CHECK(v.timestamp_ms == *parse_timestamp("2026-11-22T12:00:00.123Z"));
  CHECK(v.transaction_id == "txn_0123456789abcdef");
  CHECK(v.amount == "125.50");
  CHECK(v.currency == "INR");
  CHECK(v.type == PaymentMethod::upi);
  CHECK(v.bank_id == "bank_a");
  CHECK(v.bank_name_raw == "Stripe Gateway");
  CHECK(v.status == TxnStatus::failed);
  CHECK(v.latency_ms == 842);
  CHECK(v.error_code == ErrorCode::GATEWAY_TIMEOUT);
  CHECK(v.error_message_raw == "upstream timed out");
}

TEST_CASE("csv parse quoted fields") {
  RowView v;
  SUBCASE("commas and doubled quotes inside") {
    const std::string line = with_field(10, "\"a, \"\"b\"\", c\"");  // v points into it
    REQUIRE_FALSE(parse_csv_line(line, v));
    CHECK(v.error_message_raw == "\"a, \"\"b\"\", c\"");
    CHECK(unquote_field(v.error_message_raw) == "a, \"b\", c");
  }
  SUBCASE("an empty quoted field") {
    const std::string line = with_field(6, "\"\"");
    REQUIRE_FALSE(parse_csv_line(line, v));
    CHECK(v.bank_name_raw == "\"\"");
  }
  SUBCASE("a quote left open") {
    CHECK(parse(with_field(10, "\"never closed")) == Malformed::open_quote);
    CHECK(parse(with_field(6, "\"open, still")) == Malformed::open_quote);
    CHECK(parse(with_field(10, "\"ends in a doubled quote\"\"")) == Malformed::open_quote);
  }
  SUBCASE("text after a closing quote") {
    CHECK(parse(with_field(10, "\"closed\"tail")) == Malformed::open_quote);
  }
  SUBCASE("a quote inside an unquoted field") {
    CHECK(parse(with_field(10, "say \"hi\"")) == Malformed::open_quote);
  }
  SUBCASE("a quoted format field fails its format") {
    CHECK(parse(with_field(5, "\"bank_a\"")) == Malformed::bad_field);
  }
}

TEST_CASE("csv parse wrong field counts") {
  CHECK(parse("") == Malformed::field_count);
  CHECK(parse("just text") == Malformed::field_count);
  CHECK(parse(kGood + ",extra") == Malformed::field_count);
  CHECK(parse(kGood + ",") == Malformed::field_count);
  CHECK(parse(kGood.substr(0, kGood.rfind(','))) == Malformed::field_count);
  CHECK(parse(with_field(10, "\"a\",\"b\"")) == Malformed::field_count);
}

TEST_CASE("csv parse column formats") {
  CHECK(parse(with_field(0, "2026-11-22 12:00:00.123Z")) == Malformed::bad_timestamp);
  CHECK(parse(with_field(0, "2026-02-30T12:00:00.123Z")) == Malformed::bad_timestamp);
  CHECK(parse(with_field(0, "")) == Malformed::bad_timestamp);
  CHECK(parse(with_field(1, "txn_0123456789ABCDEF")) == Malformed::bad_field);
  CHECK(parse(with_field(1, "txn_0123456789abcde")) == Malformed::bad_field);
  CHECK(parse(with_field(1, "tx_0123456789abcdef0")) == Malformed::bad_field);
  CHECK(parse(with_field(2, "-1.00")) == Malformed::bad_number);
  CHECK(parse(with_field(2, "1e3")) == Malformed::bad_number);
  CHECK(parse(with_field(2, "")) == Malformed::bad_number);
  CHECK(parse(with_field(3, "inr")) == Malformed::bad_field);
  CHECK(parse(with_field(3, "INRR")) == Malformed::bad_field);
  CHECK(parse(with_field(4, "cash")) == Malformed::bad_field);
  CHECK(parse(with_field(5, "Bank-A")) == Malformed::bad_field);
  CHECK(parse(with_field(5, "")) == Malformed::bad_field);  // empty only on NO_ROUTE
  CHECK(parse(with_field(7, "ok")) == Malformed::bad_status);
  CHECK(parse(with_field(8, "-5")) == Malformed::bad_number);
  CHECK(parse(with_field(8, "1.5")) == Malformed::bad_number);
  CHECK(parse(with_field(8, "")) == Malformed::bad_number);
  CHECK(parse(with_field(8, "9999999999999999999")) == Malformed::bad_number);
  CHECK(parse(with_field(9, "TIMEOUT")) == Malformed::bad_error_code);
  CHECK_FALSE(parse(with_field(4, "bank_transfer")));
  CHECK_FALSE(parse(with_field(2, "1000")));
  CHECK_FALSE(parse(with_field(8, "0")));
}

TEST_CASE("csv parse status and error code must agree") {
  CHECK(parse(with_field(9, "")) == Malformed::bad_error_code);  // failed without a code
  const std::string success = with_field(7, "success");
  CHECK(parse(success) == Malformed::bad_error_code);  // success with a code
  std::string clean = success.substr(0, success.find(",GATEWAY_TIMEOUT")) + ",,";
  CHECK_FALSE(parse(clean));
  SUBCASE("NO_ROUTE may have an empty bank") {
    std::string no_route = with_field(9, "NO_ROUTE");
    no_route = no_route.substr(0, no_route.find(",bank_a,")) + ",," +
               no_route.substr(no_route.find(",bank_a,") + 8);
    RowView v;
    REQUIRE_FALSE(parse_csv_line(no_route, v));
    CHECK(v.bank_id.empty());
    CHECK(v.error_code == ErrorCode::NO_ROUTE);
    CHECK(kind_of(v.error_code) == ErrorKind::routing);
  }
}

TEST_CASE("csv parse line-level problems") {
  CHECK(parse(kGood + "\r") == Malformed::carriage_return);
  CHECK(parse(kCsvHeader) == Malformed::repeated_header);
  CHECK(parse(with_field(10, "bad \xFF byte")) == Malformed::bad_utf8);
  CHECK(parse(with_field(6, "overlong \xC0\xAF")) == Malformed::bad_utf8);
  CHECK_FALSE(parse(with_field(10, "caf\xC3\xA9 \xF0\x9F\x98\x80")));
  std::string long_line = with_field(10, std::string(kMaxLineBytes, 'x'));
  CHECK(parse(long_line) == Malformed::too_long);
  // Exactly 64 KiB is still allowed.
  const std::string fits = with_field(10, std::string(kMaxLineBytes - (kGood.size() - 18), 'x'));
  CHECK(fits.size() == kMaxLineBytes);
  CHECK_FALSE(parse(fits));
}

TEST_CASE("csv parse leaves out untouched on a bad line") {
  RowView v;
  v.latency_ms = 77;
  CHECK(parse_csv_line("garbage", v) == Malformed::field_count);
  CHECK(v.latency_ms == 77);
}

TEST_CASE("csv vocabularies round-trip") {
  for (int i = 0; i < kErrorCodeCount; ++i) {
    const auto c = static_cast<ErrorCode>(i);
    CHECK(parse_error_code(to_string(c)) == c);
    CHECK_FALSE(meaning_of(c).empty());
  }
  for (int i = 0; i < kPaymentMethodCount; ++i) {
    const auto m = static_cast<PaymentMethod>(i);
    CHECK(parse_payment_method(to_string(m)) == m);
  }
  CHECK(kind_of(ErrorCode::RATE_LIMITED) == ErrorKind::soft);
  CHECK(kind_of(ErrorCode::DO_NOT_HONOR) == ErrorKind::hard);
  CHECK(kind_of(ErrorCode::none) == ErrorKind::none);
  CHECK(parse_txn_status("failed") == TxnStatus::failed);
  CHECK_FALSE(parse_txn_status("Failed"));
  CHECK(is_transaction_id("txn_00000000deadbeef"));
}
