// Test driver for transactions.csv races: writes rows through CsvAppender whose transaction ids
// encode (writer tag, sequence), and verifies a file written by many of them.
//
//   csv_writer_testkit FILE --rows N --tag K [--batch B]
//       appends N rows (sequence 0..N-1) for writer tag K, B rows per append (default 1).
//   csv_writer_testkit --verify FILE --writers W --rows N
//       every tag 0..W-1 has exactly the sequences 0..N-1 once, each line byte-identical to what
//       the writer formats; exactly one header; no malformed line, no partial last line.
//   csv_writer_testkit --verify FILE --tags T --prefix [--max-malformed M]
//       after kill -9: every tag 0..T-1 has a contiguous prefix 0..k-1 of its sequences (possibly
//       empty), nothing duplicated, every row byte-identical; at most M malformed lines (torn rows
//       ended by a later writer) and at most one partial last line.
// Exit: 0 ok, 1 verification failed, 2 usage, 3 the appender refused or failed.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "contract/csv_appender.h"
#include "contract/csv_format.h"
#include "contract/csv_scan.h"

using namespace payops;

namespace {

constexpr std::uint64_t kMaxTag = 0xffff;

TransactionRow make_row(std::uint64_t tag, std::uint64_t seq) {
  static const TimeMs base = *parse_timestamp("2026-11-22T12:00:00.000Z");
  TransactionRow r;
  r.timestamp_ms = base + static_cast<TimeMs>(seq);
  char id[32];
  std::snprintf(id, sizeof id, "txn_%04llx%012llx", static_cast<unsigned long long>(tag),
                static_cast<unsigned long long>(seq));
  r.transaction_id = id;
  r.currency = (seq % 2 == 0) ? "INR" : "JPY";
  r.amount_minor = static_cast<std::int64_t>(seq * 7 % 100000 + 1);
  r.type = static_cast<PaymentMethod>(seq % kPaymentMethodCount);
  r.bank_id = "bank_" + std::to_string(tag);
  r.bank_name = "Writer " + std::to_string(tag) + ", \"tagged\"";
  r.latency_ms = static_cast<std::int64_t>(seq % 1000);
  if (seq % 3 == 0) {
    r.status = TxnStatus::failed;
    r.error_code = ErrorCode::RATE_LIMITED;
    r.error_message = "writer " + std::to_string(tag) + ", row \"" + std::to_string(seq) +
                      "\"\nsecond line " + std::string(seq % 50, 'x');
  }
  return r;
}

bool parse_u64(const char* s, std::uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (errno != 0 || end == s || *end != '\0') return false;
  out = v;
  return true;
}

int usage() {
  std::fprintf(stderr,
               "usage: csv_writer_testkit FILE --rows N --tag K [--batch B]\n"
               "       csv_writer_testkit --verify FILE --writers W --rows N\n"
               "       csv_writer_testkit --verify FILE --tags T --prefix [--max-malformed M]\n");
  return 2;
}

int write_rows(const std::string& path, std::uint64_t rows, std::uint64_t tag, std::uint64_t batch) {
  auto appender = CsvAppender::open(path);
  if (!appender.ok()) {
    std::fprintf(stderr, "csv_writer_testkit: %s\n", appender.error().message.c_str());
    return 3;
  }
  std::string buf;
  buf.reserve(64 * 1024);
  std::uint64_t in_buf = 0;
  for (std::uint64_t seq = 0; seq < rows; ++seq) {
    append_csv_row(buf, make_row(tag, seq));
    if (++in_buf == batch || seq + 1 == rows) {
      const Status s = appender->append(buf);
      if (!s.ok()) {
        std::fprintf(stderr, "csv_writer_testkit: %s\n", s.error().message.c_str());
        return 3;
      }
      buf.clear();
      in_buf = 0;
    }
  }
  return 0;
}

// Collects (tag, seq) of every row and counts rows that differ from what their writer formats.
struct Collector {
  std::vector<std::uint64_t> keys;
  std::uint64_t mismatched = 0;
  std::string expected;
  void operator()(const RowView& r) {
    const std::string_view id = r.transaction_id;
    const std::uint64_t tag = std::strtoull(std::string(id.substr(4, 4)).c_str(), nullptr, 16);
    const std::uint64_t seq = std::strtoull(std::string(id.substr(8, 12)).c_str(), nullptr, 16);
    // The whole line: from the timestamp (24 chars and a comma before the id) to the end of the
    // last field.
    const char* begin = id.data() - kTimestampLength - 1;
    const char* end = r.error_message_raw.data() + r.error_message_raw.size();
    expected.clear();
    append_csv_row(expected, make_row(tag, seq));
    if (std::string_view(begin, static_cast<std::size_t>(end - begin)) !=
        std::string_view(expected).substr(0, expected.size() - 1)) {
      ++mismatched;
    }
    keys.push_back(tag << 48 | seq);
  }
};

int verify(const std::string& path, std::uint64_t tags, std::uint64_t rows, bool prefix,
           std::uint64_t max_malformed) {
  auto scan = scan_file_parallel<Collector>(path, 2, [] { return Collector{}; });
  if (!scan.ok()) {
    std::fprintf(stderr, "verify: %s\n", scan.error().message.c_str());
    return 1;
  }
  std::vector<std::uint64_t> keys;
  std::uint64_t mismatched = 0;
  for (auto& w : scan->workers) {
    keys.insert(keys.end(), w.keys.begin(), w.keys.end());
    mismatched += w.mismatched;
  }
  const ScanSummary& s = scan->summary;
  int failures = 0;
  auto fail = [&failures](const std::string& why) {
    std::fprintf(stderr, "verify: %s\n", why.c_str());
    ++failures;
  };
  // Exactly one header: the first line (scan_buffer skips it only if it is exactly the header),
  // and no repeated one (that would be a malformed line).
  {
    auto mapped = MappedFile::open(path);
    const std::string header = std::string(kCsvHeader) + "\n";
    if (!mapped.ok() || mapped->data().substr(0, header.size()) != header) {
      fail("the file does not start with the header line");
    }
  }
  if (mismatched > 0) fail(std::to_string(mismatched) + " rows differ from what their writer wrote");
  if (s.malformed > max_malformed) {
    fail(std::to_string(s.malformed) + " malformed lines (allowed " +
         std::to_string(max_malformed) + "): " + s.describe());
  }
  if (s.partial_tail && !prefix) fail("the file ends in a partial line");

  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) fail("a row is duplicated");
  std::vector<std::uint64_t> count(tags, 0);
  for (const std::uint64_t k : keys) {
    const std::uint64_t tag = k >> 48, seq = k & ((std::uint64_t{1} << 48) - 1);
    if (tag >= tags) {
      fail("unexpected writer tag " + std::to_string(tag));
      break;
    }
    // Sorted and unique: the seqs of a tag form 0..k-1 exactly when each equals its rank.
    if (seq != count[tag]) {
      fail("writer " + std::to_string(tag) + " is missing row " + std::to_string(count[tag]));
      break;
    }
    ++count[tag];
  }
  if (!prefix) {
    for (std::uint64_t t = 0; t < tags; ++t) {
      if (count[t] != rows) {
        fail("writer " + std::to_string(t) + " has " + std::to_string(count[t]) + " rows, expected " +
             std::to_string(rows));
      }
    }
  }
  std::printf("verify: %llu rows, %llu malformed, partial tail: %s, %s\n",
              static_cast<unsigned long long>(s.rows),
              static_cast<unsigned long long>(s.malformed), s.partial_tail ? "yes" : "no",
              failures == 0 ? "OK" : "FAILED");
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string file;
  bool verify_mode = false, prefix = false;
  std::uint64_t rows = 0, tag = 0, batch = 1, writers = 0, tags = 0, max_malformed = 0;
  bool have_rows = false, have_tag = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::uint64_t& out) {
      return i + 1 < args.size() && parse_u64(args[++i].c_str(), out);
    };
    if (a == "--verify") {
      verify_mode = true;
    } else if (a == "--prefix") {
      prefix = true;
    } else if (a == "--rows") {
      if (!value(rows)) return usage();
      have_rows = true;
    } else if (a == "--tag") {
      if (!value(tag) || tag > kMaxTag) return usage();
      have_tag = true;
    } else if (a == "--batch") {
      if (!value(batch) || batch == 0) return usage();
    } else if (a == "--writers") {
      if (!value(writers)) return usage();
    } else if (a == "--tags") {
      if (!value(tags)) return usage();
    } else if (a == "--max-malformed") {
      if (!value(max_malformed)) return usage();
    } else if (!a.empty() && a[0] != '-' && file.empty()) {
      file = a;
    } else {
      return usage();
    }
  }
  if (file.empty()) return usage();
  if (verify_mode) {
    if (prefix) return tags > 0 && tags <= kMaxTag + 1 ? verify(file, tags, 0, true, max_malformed) : usage();
    if (writers == 0 || writers > kMaxTag + 1 || !have_rows) return usage();
    return verify(file, writers, rows, false, 0);
  }
  if (!have_rows || !have_tag) return usage();
  return write_rows(file, rows, tag, batch);
}
