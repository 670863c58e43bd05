// Seeded fuzzing of the transactions.csv reader for a bounded time: valid rows from the writer,
// mutated (bit flips, quotes, commas, newlines, CR, high bytes, truncation, splices), fed to
// scan_buffer and parse_csv_line. Checks the reader's invariants and the writer's promises.
//   csv_reader_seeded [--seconds N] [--seed S]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "contract/csv_format.h"
#include "contract/money.h"
#include "contract/csv_scan.h"

using namespace payops;

namespace {

int g_failures = 0;

#define FUZZ_CHECK(cond)                                                                    \
  do {                                                                                      \
    if (!(cond)) {                                                                          \
      std::fprintf(stderr, "csv_reader_seeded: check failed: %s (line %d)\n", #cond, __LINE__); \
      ++g_failures;                                                                         \
    }                                                                                       \
  } while (0)

std::string random_text(std::mt19937_64& rng, std::size_t max_len) {
  static const char* pieces[] = {",", "\"", "\n", "\r", "\t", "=", "+", "-", "@", " ", "a", "Z",
                                 "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xFF", "\xC0",
                                 "\xED\xA0\x80", "\x1b[31m", "\x7f", "\"\"", "txn_"};
  std::string s;
  const std::size_t n = rng() % (max_len + 1);
  while (s.size() < n) {
    if (rng() % 3 == 0) {
      s += pieces[rng() % (sizeof pieces / sizeof pieces[0])];
    } else {
      s.push_back(static_cast<char>(rng() % 256));
    }
  }
  return s;
}

TransactionRow random_row(std::mt19937_64& rng) {
  static const char* currencies[] = {"INR", "USD", "JPY", "EUR"};
  TransactionRow r;
  r.timestamp_ms = static_cast<TimeMs>(1600000000000LL + static_cast<std::int64_t>(rng() % 400000000000ULL));
  char id[32];
  std::snprintf(id, sizeof id, "txn_%016llx", static_cast<unsigned long long>(rng()));
  r.transaction_id = id;
  r.amount_minor = static_cast<std::int64_t>(rng() % 100000000);
  r.currency = currencies[rng() % 4];
  if (!find_currency(r.currency)) r.currency = "INR";
  r.type = static_cast<PaymentMethod>(rng() % kPaymentMethodCount);
  r.bank_id = "bank_" + std::to_string(rng() % 10);
  r.bank_name = random_text(rng, 40);
  r.latency_ms = static_cast<std::int64_t>(rng() % 100000);
  r.error_code = static_cast<ErrorCode>(rng() % kErrorCodeCount);
  r.status = r.error_code == ErrorCode::none ? TxnStatus::success : TxnStatus::failed;
  if (r.error_code == ErrorCode::NO_ROUTE && rng() % 2) r.bank_id.clear();
  r.error_message = random_text(rng, rng() % 8 == 0 ? 900 : 60);
  return r;
}

void mutate(std::mt19937_64& rng, std::string& s, const std::vector<std::string>& valid_rows) {
  static const char inserts[] = {'"', ',', '\n', '\r', '\x80', '\xff', '\xc3', '\0', 'x'};
  const int ops = 1 + static_cast<int>(rng() % 6);
  for (int k = 0; k < ops; ++k) {
    const std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 7) {
      case 0:  // bit flip
        if (!s.empty()) s[pos % s.size()] = static_cast<char>(s[pos % s.size()] ^ (1 << (rng() % 8)));
        break;
      case 1:  // insert a structural or high byte
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(pos), inserts[rng() % sizeof inserts]);
        break;
      case 2:  // truncate
        s.resize(pos);
        break;
      case 3:  // splice a valid row in
        s.insert(pos, valid_rows[rng() % valid_rows.size()]);
        break;
      case 4:  // delete a range
        if (!s.empty()) s.erase(pos % s.size(), rng() % 40);
        break;
      case 5:  // a repeated header
        s.insert(pos, std::string(kCsvHeader) + "\n");
        break;
      default:  // a very long line
        if (rng() % 20 == 0) s.insert(pos, std::string(kMaxLineBytes + rng() % 3 - 1, 'a'));
        break;
    }
  }
}

// Writer promises for one formatted row.
void check_written_row(const TransactionRow& r, const std::string& line) {
  FUZZ_CHECK(!line.empty() && line.back() == '\n');
  FUZZ_CHECK(line.find('\n') == line.size() - 1);
  FUZZ_CHECK(line.find('\r') == std::string::npos);
  FUZZ_CHECK(is_valid_utf8(line));
  RowView v;
  const auto bad = parse_csv_line(std::string_view(line).substr(0, line.size() - 1), v);
  FUZZ_CHECK(!bad);
  if (bad) {
    std::fprintf(stderr, "  reason %s for: %s", std::string(to_string(*bad)).c_str(), line.c_str());
    return;
  }
  const std::string msg = unquote_field(v.error_message_raw);
  FUZZ_CHECK(msg == sanitize_text_field(r.error_message, kMaxErrorMessageBytes));
  FUZZ_CHECK(msg.size() <= kMaxErrorMessageBytes);
  FUZZ_CHECK(unquote_field(v.bank_name_raw) == sanitize_text_field(r.bank_name, kMaxBankNameBytes));
  for (const unsigned char c : msg) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
  FUZZ_CHECK(msg.empty() || (msg[0] != '=' && msg[0] != '+' && msg[0] != '-' && msg[0] != '@'));
  FUZZ_CHECK(v.timestamp_ms == r.timestamp_ms);
  FUZZ_CHECK(v.transaction_id == r.transaction_id);
  FUZZ_CHECK(v.error_code == r.error_code);
}

// Reader invariants over one buffer, held in an allocation of exactly its size so that a read
// outside it is caught under AddressSanitizer.
void check_scan(const std::string& text, bool has_header) {
  std::unique_ptr<char[]> exact(new char[text.size() == 0 ? 1 : text.size()]);
  std::memcpy(exact.get(), text.data(), text.size());
  const std::string_view buf(exact.get(), text.size());

  std::uint64_t delivered = 0;
  const ScanSummary s = scan_buffer(buf, 1, has_header, [&](const RowView& r) {
    ++delivered;
    auto inside = [&](std::string_view f) {
      return f.data() >= buf.data() && f.data() + f.size() <= buf.data() + buf.size();
    };
    FUZZ_CHECK(inside(r.transaction_id) && inside(r.amount) && inside(r.currency) &&
               inside(r.bank_id) && inside(r.bank_name_raw) && inside(r.error_message_raw));
  });

  // Count complete lines and the header by hand.
  std::uint64_t lines = 0, expect_rows = 0, expect_bad = 0;
  std::size_t pos = 0, last_end = 0;
  bool header_skipped = false;
  for (;;) {
    const std::size_t nl = buf.find('\n', pos);
    if (nl == std::string_view::npos) break;
    const std::string_view line = buf.substr(pos, nl - pos);
    if (lines == 0 && has_header && line == kCsvHeader) {
      header_skipped = true;
    } else {
      RowView v;
      if (parse_csv_line(line, v)) {
        ++expect_bad;
      } else {
        ++expect_rows;
      }
    }
    ++lines;
    pos = nl + 1;
    last_end = pos;
  }
  FUZZ_CHECK(delivered == s.rows);
  FUZZ_CHECK(s.rows == expect_rows);
  FUZZ_CHECK(s.malformed == expect_bad);
  FUZZ_CHECK(s.rows + s.malformed == lines - (header_skipped ? 1 : 0));
  FUZZ_CHECK(s.lines == lines);
  FUZZ_CHECK(s.bytes == last_end);
  FUZZ_CHECK(s.partial_tail == (last_end < buf.size()));
  FUZZ_CHECK(s.first_malformed.size() == std::min<std::uint64_t>(s.malformed, ScanSummary::kMaxNamedMalformed));
  for (std::size_t i = 1; i < s.first_malformed.size(); ++i) {
    FUZZ_CHECK(s.first_malformed[i].line_number > s.first_malformed[i - 1].line_number);
  }
  // Splitting the same buffer into chunks and merging gives the same summary.
  const auto offsets = split_at_lines(buf, 3);
  ScanSummary merged;
  std::uint64_t line_base = 1;
  for (std::size_t c = 0; c + 1 < offsets.size(); ++c) {
    ScanSummary part = scan_buffer(buf.substr(offsets[c], offsets[c + 1] - offsets[c]), line_base,
                                   has_header && c == 0, nullptr);
    line_base += part.lines;
    if (c == 0) {
      merged = part;
    } else {
      merged.merge(part);
    }
  }
  FUZZ_CHECK(merged.rows == s.rows && merged.malformed == s.malformed && merged.lines == s.lines);
  FUZZ_CHECK(merged.partial_tail == s.partial_tail && merged.bytes == s.bytes);
  FUZZ_CHECK(merged.first_malformed.size() == s.first_malformed.size());
  for (std::size_t i = 0; i < merged.first_malformed.size() && i < s.first_malformed.size(); ++i) {
    FUZZ_CHECK(merged.first_malformed[i].line_number == s.first_malformed[i].line_number);
  }
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 10;
  std::uint64_t seed = 20261122;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (std::strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
      seed = std::strtoull(argv[++i], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: csv_reader_seeded [--seconds N] [--seed S]\n");
      return 2;
    }
  }
  std::mt19937_64 rng(seed);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000));
  std::uint64_t iterations = 0;
  std::vector<std::string> valid_rows;
  std::string line;
  while (std::chrono::steady_clock::now() < deadline && g_failures < 20) {
    for (int k = 0; k < 50; ++k, ++iterations) {
      // A few fresh rows, checked against the writer's promises.
      const std::size_t nrows = 1 + rng() % 8;
      valid_rows.clear();
      std::string text = rng() % 4 ? std::string(kCsvHeader) + "\n" : std::string();
      for (std::size_t i = 0; i < nrows; ++i) {
        const TransactionRow r = random_row(rng);
        line.clear();
        append_csv_row(line, r);
        check_written_row(r, line);
        valid_rows.push_back(line);
        text += line;
      }
      check_scan(text, true);
      mutate(rng, text, valid_rows);
      check_scan(text, rng() % 2 == 0);
    }
  }
  std::printf("csv_reader_seeded: %llu iterations, seed %llu, %d failures\n",
              static_cast<unsigned long long>(iterations), static_cast<unsigned long long>(seed),
              g_failures);
  return g_failures == 0 ? 0 : 1;
}
