// Writing rows: quoting, sanitising, the error_message cut, formula prefixes, and a cross-check
// against an independent CSV reader (fast-cpp-csv-parser).
#include <doctest/doctest.h>
// fast-cpp-csv-parser's error path strncpy()s a file name; GCC's inliner flags it from our TU.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include <algorithm>
#include <string>
#include <vector>

#include "contract/csv_format.h"
#include "contract/csv_parse.h"
#include "contract/money.h"

using namespace payops;

namespace {

TransactionRow sample_row() {
  TransactionRow r;
  r.timestamp_ms = *parse_timestamp("2026-11-22T12:00:00.123Z");
  r.transaction_id = "txn_0123456789abcdef";
  r.amount_minor = 12550;
  r.currency = "INR";
  r.type = PaymentMethod::upi;
  r.bank_id = "bank_a";
  r.bank_name = "Stripe Gateway";
  r.status = TxnStatus::failed;
  r.latency_ms = 842;
  r.error_code = ErrorCode::GATEWAY_TIMEOUT;
  r.error_message = "upstream timed out";
  return r;
}

std::string row_text(const TransactionRow& r) {
  std::string out;
  append_csv_row(out, r);
  return out;
}

}  // namespace

TEST_CASE("csv append_csv_row writes the contract's columns in order") {
  CHECK(row_text(sample_row()) ==
        "2026-11-22T12:00:00.123Z,txn_0123456789abcdef,125.50,INR,upi,bank_a,Stripe Gateway,failed,"
        "842,GATEWAY_TIMEOUT,upstream timed out\n");
  TransactionRow ok = sample_row();
  ok.status = TxnStatus::success;
  ok.error_code = ErrorCode::none;
  ok.error_message.clear();
  ok.currency = "JPY";
  ok.amount_minor = 1000;
  CHECK(row_text(ok) ==
        "2026-11-22T12:00:00.123Z,txn_0123456789abcdef,1000,JPY,upi,bank_a,Stripe Gateway,success,"
        "842,,\n");
}

TEST_CASE("csv quoting only when a field holds a comma or a double quote") {
  std::string out;
  SUBCASE("plain") {
    append_csv_field(out, "plain text; with: other punctuation 'x'");
    CHECK(out == "plain text; with: other punctuation 'x'");
  }
  SUBCASE("comma") {
    append_csv_field(out, "a, b");
    CHECK(out == "\"a, b\"");
  }
  SUBCASE("quotes doubled") {
    append_csv_field(out, "a, \"b\"");
    CHECK(out == "\"a, \"\"b\"\"\"");
  }
  SUBCASE("a lone quote") {
    append_csv_field(out, "\"");
    CHECK(out == "\"\"\"\"");
  }
  SUBCASE("in a row, both free-text fields") {
    TransactionRow r = sample_row();
    r.bank_name = "Bank \"One\", Ltd";
    r.error_message = "said \"no\", twice";
    const std::string line = row_text(r);
    CHECK(line.find(",\"Bank \"\"One\"\", Ltd\",") != std::string::npos);
    CHECK(line.find(",\"said \"\"no\"\", twice\"\n") != std::string::npos);
  }
  SUBCASE("unquote_field inverts it") {
    CHECK(unquote_field("\"a, \"\"b\"\"\"") == "a, \"b\"");
    CHECK(unquote_field("plain") == "plain");
    CHECK(unquote_field("\"\"") == "");
  }
}

TEST_CASE("csv sanitize replaces control bytes, newlines and CR by spaces") {
  CHECK(sanitize_text_field("line1\nline2\r\n\ttab\x1b[31mred\x7f", 512) ==
        "line1 line2   tab [31mred ");
  CHECK(sanitize_text_field(std::string_view("nul\0byte", 8), 512) == "nul byte");
  TransactionRow r = sample_row();
  r.error_message = "multi\nline, \"quoted\"\r\n";
  r.bank_name = "Bank\nName";
  const std::string line = row_text(r);
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);
  CHECK(line.back() == '\n');
  CHECK(line.find('\r') == std::string::npos);
  CHECK(line.find(",Bank Name,") != std::string::npos);
  CHECK(line.find("\"multi line, \"\"quoted\"\"  \"\n") != std::string::npos);
}

TEST_CASE("csv formula prefixes are neutralised") {
  for (const char* lead : {"=", "+", "-", "@"}) {
    CAPTURE(lead);
    const std::string text = std::string(lead) + "HYPERLINK(\"http://x\")";
    CHECK(sanitize_text_field(text, 512) == "'" + text);
  }
  CHECK(sanitize_text_field("a=b", 512) == "a=b");
  CHECK(sanitize_text_field(" =x", 512) == " =x");
  TransactionRow r = sample_row();
  r.bank_name = "@evil";
  r.error_message = "=1+2";
  const std::string line = row_text(r);
  CHECK(line.find(",'@evil,") != std::string::npos);
  CHECK(line.find(",'=1+2\n") != std::string::npos);
}

TEST_CASE("csv invalid UTF-8 becomes U+FFFD, valid UTF-8 passes") {
  CHECK(sanitize_text_field("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80", 512) ==
        "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  CHECK(sanitize_text_field("a\xFF" "b", 512) == "a\xEF\xBF\xBD" "b");
  CHECK(sanitize_text_field("\xC0\xAF", 512) == "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  CHECK(sanitize_text_field("\xED\xA0\x80", 512) ==
        "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");                                // surrogate
  CHECK(sanitize_text_field("x\xE2\x82", 512) == "x\xEF\xBF\xBD");              // truncated
  CHECK(sanitize_text_field("\xF4\x90\x80\x80", 512).find("\xEF\xBF\xBD") == 0);  // > U+10FFFF
  CHECK(is_valid_utf8(sanitize_text_field("\x80\x81\xfe\xc3(\xe0\x80\xaf", 512)));
  CHECK(is_valid_utf8("plain ascii that is long enough for the fast path"));
  CHECK_FALSE(is_valid_utf8("plain ascii that is long enough\xC3 for the fast path"));
}

TEST_CASE("csv error_message is cut to 512 bytes on a character boundary") {
  SUBCASE("ascii") {
    const std::string s = sanitize_text_field(std::string(600, 'x'), kMaxErrorMessageBytes);
    CHECK(s.size() == 512);
  }
  SUBCASE("a 3-byte character straddling the limit is dropped whole") {
    const std::string text = std::string(511, 'x') + "\xE2\x82\xAC";
    const std::string s = sanitize_text_field(text, kMaxErrorMessageBytes);
    CHECK(s == std::string(511, 'x'));
    CHECK(is_valid_utf8(s));
  }
  SUBCASE("the formula prefix counts") {
    const std::string s = sanitize_text_field("=" + std::string(600, 'y'), kMaxErrorMessageBytes);
    CHECK(s.size() == 512);
    CHECK(s.front() == '\'');
  }
  SUBCASE("in a row, the cut applies before quoting") {
    TransactionRow r = sample_row();
    r.error_message = std::string(300, ',') + std::string(300, '"');
    const std::string line = row_text(r);
    RowView v;
    REQUIRE_FALSE(parse_csv_line(std::string_view(line).substr(0, line.size() - 1), v));
    const std::string msg = unquote_field(v.error_message_raw);
    CHECK(msg.size() == 512);
    CHECK(msg == std::string(300, ',') + std::string(212, '"'));
  }
}

TEST_CASE("csv append_csv_row does not allocate when out has capacity") {
  std::string out;
  out.reserve(64 * 1024);
  const char* before = out.data();
  TransactionRow r = sample_row();
  r.error_message = "needs \"quoting\", and a \n newline";
  for (int i = 0; i < 100; ++i) append_csv_row(out, r);
  CHECK(out.data() == before);
}

TEST_CASE("csv rows written by append_csv_row read back the same with fast-cpp-csv-parser") {
  std::vector<TransactionRow> rows;
  const char* messages[] = {"",
                            "plain",
                            "a, b",
                            "\"quoted\"",
                            "=cmd|' /C calc'!A0",
                            "multi\nline\r\nmessage, with \"all\"",
                            "caf\xC3\xA9 \xFF bytes",
                            "-1",
                            "trailing space "};
  int i = 0;
  for (const char* m : messages) {
    TransactionRow r = sample_row();
    r.timestamp_ms += i;
    r.error_message = m;
    r.bank_name = (i % 2) ? "Bank, \"Two\"" : "+Plus Bank";
    r.latency_ms = i * 7;
    rows.push_back(r);
    ++i;
  }
  std::string text(kCsvHeader);
  text.push_back('\n');
  for (const auto& r : rows) append_csv_row(text, r);

  io::CSVReader<11, io::trim_chars<>, io::double_quote_escape<',', '"'>> reader(
      "rows.csv", text.data(), text.data() + text.size());
  reader.read_header(io::ignore_no_column, "timestamp", "transaction_id", "amount", "currency",
                     "type", "bank_id", "bank_name", "status", "latency_ms", "error_code",
                     "error_message");
  std::string ts, id, amount, currency, type, bank_id, bank_name, status, latency, code, message;
  std::size_t n = 0;
  std::size_t line_start = text.find('\n') + 1;
  while (reader.read_row(ts, id, amount, currency, type, bank_id, bank_name, status, latency, code,
                         message)) {
    REQUIRE(n < rows.size());
    const TransactionRow& r = rows[n];
    CAPTURE(n);
    CHECK(ts == format_timestamp(r.timestamp_ms));
    CHECK(id == r.transaction_id);
    CHECK(amount == "125.50");
    CHECK(currency == r.currency);
    CHECK(type == to_string(r.type));
    CHECK(bank_id == r.bank_id);
    CHECK(bank_name == sanitize_text_field(r.bank_name, kMaxBankNameBytes));
    CHECK(status == to_string(r.status));
    CHECK(latency == std::to_string(r.latency_ms));
    CHECK(code == to_string(r.error_code));
    CHECK(message == sanitize_text_field(r.error_message, kMaxErrorMessageBytes));

    // Our parser gives the same values.
    const std::size_t nl = text.find('\n', line_start);
    RowView v;
    REQUIRE_FALSE(parse_csv_line(std::string_view(text).substr(line_start, nl - line_start), v));
    CHECK(format_timestamp(v.timestamp_ms) == ts);
    CHECK(v.transaction_id == id);
    CHECK(v.amount == amount);
    CHECK(v.currency == currency);
    CHECK(to_string(v.type) == type);
    CHECK(v.bank_id == bank_id);
    CHECK(unquote_field(v.bank_name_raw) == bank_name);
    CHECK(to_string(v.status) == status);
    CHECK(std::to_string(v.latency_ms) == latency);
    CHECK(to_string(v.error_code) == code);
    CHECK(unquote_field(v.error_message_raw) == message);
    line_start = nl + 1;
    ++n;
  }
  CHECK(n == rows.size());
  CHECK(line_start == text.size());
}

TEST_CASE("csv sanitize treats C1 controls and bidi overrides like C0 controls") {
  CHECK(sanitize_text_field("a\xc2\x9b" "31mb\xc2\x85" "c", 512) == "a 31mb c");
  CHECK(sanitize_text_field("pay\xe2\x80\xae" "fdp.exe \xe2\x81\xa6x\xe2\x81\xa9", 512) == "pay fdp.exe  x ");
  CHECK(sanitize_text_field("caf\xc3\xa9 \xc2\xa0", 512) == "caf\xc3\xa9 \xc2\xa0");  // ordinary text stays
}
