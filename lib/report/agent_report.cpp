// `agent report` over a whole file: parallel scan, merge, render.
#include "report/agent_report.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include <map>
#include <mutex>
#include <vector>

#include "contract/csv_scan_chunks.h"
#include "contract/csv_scan_decode.h"
#include "platform/terminal.h"

namespace payops {
namespace {

// One payment attempt as the in-order payment pass needs it (see build_report).
struct Attempt {
  std::uint64_t txn_hash;  // PaymentTracker::hash(txn_key), computed on the scanning thread
  TimeMs t;
  std::uint32_t bank;  // index in the chunk's WindowStats::banks, or kNoBank
  bool success;
  bool hard_decline;
};
constexpr std::uint32_t kNoBank = UINT32_MAX;

// What one chunk of the log adds up to. stats never tracks payments itself: payments depend on
// every earlier row, so the attempts go, in file order, through one PaymentTracker at delivery.
struct ChunkResult {
  WindowStats stats;
  ScanSummary summary;
  std::vector<Attempt> attempts;
};

// Attempt buffers of delivered chunks, handed to the next chunks: a chunk's few MB of attempts are
// written into memory that is already mapped instead of fresh pages each time.
class AttemptBuffers {
 public:
  std::vector<Attempt> take() {
    std::lock_guard lock(mu_);
    if (free_.empty()) return {};
    std::vector<Attempt> v = std::move(free_.back());
    free_.pop_back();
    return v;
  }
  void give(std::vector<Attempt> v) {
    v.clear();
    std::lock_guard lock(mu_);
    free_.push_back(std::move(v));
  }

 private:
  std::mutex mu_;
  std::vector<std::vector<Attempt>> free_;
};

// The chunk's bank index of a bank id, remembered by its bytes: bank ids are few and short, so a
// row costs a couple of integer compares instead of string compares (BankIndex numbers them).
class BankCache {
 public:
  std::uint32_t index_of(std::string_view id, BankIndex& banks) {
    Key k{};
    const bool short_id = id.size() <= sizeof k.bytes;
    if (short_id) {
      k.size = id.size();
      std::memcpy(k.bytes, id.data(), id.size());
      for (std::size_t i = 0; i < count_; ++i) {
        if (keys_[i].size == k.size && keys_[i].bytes[0] == k.bytes[0] && keys_[i].bytes[1] == k.bytes[1]) {
          return index_[i];
        }
      }
    }
    const auto index = static_cast<std::uint32_t>(banks.index_of(id));
    if (short_id && count_ < kSlots) {
      keys_[count_] = k;
      index_[count_++] = index;
    }
    return index;
  }

 private:
  struct Key {
    std::size_t size;
    std::uint64_t bytes[2];  // the id, zero-padded
  };
  static constexpr std::size_t kSlots = 16;
  Key keys_[kSlots];
  std::uint32_t index_[kSlots];
  std::size_t count_ = 0;
};

ChunkResult scan_chunk(std::string_view bytes, bool first_chunk, const ReportOptions& options,
                       AttemptBuffers& buffers) {
  const TimeMs since = options.since_ms.value_or(INT64_MIN);
  const TimeMs until = options.until_ms.value_or(INT64_MAX);
  ChunkResult r;
  r.stats.track_payments = false;
  if (options.payments) {
    r.attempts = buffers.take();
    r.attempts.reserve(bytes.size() / 96);  // ~100 bytes a row: no regrowth
  }
  CsvRowDecoder decoder;
  BankCache bank_cache;
  // The bank index of each span id the decoder handed out (kNoBank: not seen yet), so most rows find
  // their bank with one load; ids beyond kMaxSpanIds (a log with very varied bank names) use the cache.
  constexpr std::size_t kMaxSpanIds = 4096;
  std::vector<std::uint32_t> bank_of_span(kMaxSpanIds, kNoBank);
  const auto bank_index = [&](const DecodedRow& row) {
    if (row.span_id >= kMaxSpanIds) return bank_cache.index_of(row.bank_id, r.stats.banks);
    std::uint32_t& bank = bank_of_span[row.span_id];
    if (bank == kNoBank) bank = bank_cache.index_of(row.bank_id, r.stats.banks);
    return bank;
  };
  r.summary = csv_detail::scan_decoded(bytes, first_chunk, decoder, [&](const DecodedRow& row) {
    if (row.timestamp_ms < since || row.timestamp_ms >= until) return;
    const ErrorKind kind = kKindOfCode[static_cast<std::size_t>(row.error_code)];
    const bool routed = kind != ErrorKind::routing && !row.bank_id.empty();  // as WindowStats::add
    const std::uint32_t bank = routed ? bank_index(row) : kNoBank;
    r.stats.add_indexed(row.timestamp_ms, row.txn_key, bank == kNoBank ? WindowStats::kNoBankIndex : bank,
                        row.status, row.error_code, row.latency_ms);
    if (!options.payments) return;
    r.attempts.push_back(Attempt{PaymentTracker::hash(row.txn_key), row.timestamp_ms, bank, row.status == TxnStatus::success,
                                 kind == ErrorKind::hard});
  });
  // With tracking off, add() counted every row as a payment: payments are the tracker's job here.
  r.stats.payments = r.stats.payments_succeeded = r.stats.payments_hard_declined = 0;
  return r;
}

// Folds chunks into one report in file order: exact at any chunking, so at any thread count.
class InOrderMerge {
 public:
  InOrderMerge(bool payments, AttemptBuffers& buffers) : buffers_(buffers) {
    report_.stats.track_payments = payments;
  }

  void add(ChunkResult chunk) {
    csv_detail::shift_line_numbers(chunk.summary, report_.summary.lines);
    report_.summary.merge(chunk.summary);
    WindowStats& w = report_.stats;
    w.merge(chunk.stats);
    std::vector<std::size_t> bank_of(chunk.stats.banks.size());
    for (std::size_t i = 0; i < bank_of.size(); ++i) bank_of[i] = *w.banks.find(chunk.stats.banks.id(i));
    // The same accounting as WindowStats::add with tracking on, over the same rows in the same order.
    // Ids are random, so every lookup is a cache miss: ask for the slots a few attempts ahead.
    constexpr std::size_t kPrefetchAhead = 16;
    const std::vector<Attempt>& attempts = chunk.attempts;
    for (std::size_t i = 0; i < attempts.size(); ++i) {
      if (i + kPrefetchAhead < attempts.size()) tracker_.prefetch_hashed(attempts[i + kPrefetchAhead].txn_hash);
      const Attempt& a = attempts[i];
      const PaymentTracker::Seen seen = tracker_.add_hashed(a.txn_hash, a.t, a.success, a.hard_decline);
      if (!seen.earlier) ++w.payments;
      if (seen.first_success) ++w.payments_succeeded;
      if (seen.first_hard_decline) ++w.payments_hard_declined;
      if (seen.earlier && a.bank != kNoBank) ++w.per_bank[bank_of[a.bank]].retries;
    }
    buffers_.give(std::move(chunk.attempts));
  }
  Report take() { return std::move(report_); }

 private:
  AttemptBuffers& buffers_;
  Report report_;
  PaymentTracker tracker_;
};

Result<std::string> read_all_stdin() {
  std::string data;
  char buf[1 << 16];
  for (;;) {
    const ssize_t got = ::read(STDIN_FILENO, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR) continue;
      return make_error(fmt::format("cannot read stdin: {}", std::strerror(errno)));
    }
    if (got == 0) break;
    data.append(buf, static_cast<std::size_t>(got));
  }
  return data;
}


}  // namespace

Result<Report> build_report(const ReportOptions& options) {
  AttemptBuffers buffers;
  InOrderMerge merge(options.payments, buffers);
  if (options.path == "-") {
    auto data = read_all_stdin();
    if (!data.ok()) return data.error();
    merge.add(scan_chunk(*data, true, options, buffers));
    return merge.take();
  }
  // Chunks finish in any order; each waits here until every chunk before it is merged (at most a
  // few: scan_file_chunks bounds the chunks in flight).
  std::map<std::size_t, ChunkResult> finished;
  std::map<std::size_t, std::uint64_t> chunk_sizes;  // for on_progress only
  std::mutex finished_mu;
  std::uint64_t merged_bytes = 0, file_bytes = 0;
  if (struct stat st {}; options.on_progress && ::stat(options.path.c_str(), &st) == 0)
    file_bytes = static_cast<std::uint64_t>(st.st_size);
  const Status status = scan_file_chunks(
      options.path, ChunkedScanOptions{options.threads, options.chunk_bytes},
      [&](std::size_t k, std::string_view bytes) {
        ChunkResult r = scan_chunk(bytes, k == 0, options, buffers);
        std::lock_guard lock(finished_mu);
        finished.emplace(k, std::move(r));
        chunk_sizes.emplace(k, bytes.size());
      },
      [&](std::size_t k) {
        std::unique_lock lock(finished_mu);
        auto node = finished.extract(k);
        auto size = chunk_sizes.extract(k);
        lock.unlock();
        merge.add(std::move(node.mapped()));
        merged_bytes += size.mapped();
        if (options.on_progress) options.on_progress(merged_bytes, file_bytes);
      });
  if (!status.ok()) return status.error();
  return merge.take();
}

Json report_to_json(const Report& r) {
  const WindowStats& w = r.stats;
  const auto tracked = [&](std::uint64_t v) { return w.track_payments ? Json(v) : Json(); };
  Json banks = Json::array();
  for (std::size_t i = 0; i < w.banks.size(); ++i) {
    const BankWindowStats& s = w.per_bank[i];
    banks.push_back(Json{{"bank_id", w.banks.id(i)},
                         {"count", s.attempts},
                         {"successes", s.successes},
                         {"success_rate", s.success_rate()},
                         {"soft_failures", s.soft_failures},
                         {"soft_failure_rate", s.soft_failure_rate()},
                         {"hard_declines", s.hard_declines},
                         {"retries", tracked(s.retries)},
                         {"avg_latency_ms", s.latency.average_ms()},
                         {"p50_latency_ms", s.latency.percentile(0.50)},
                         {"p95_latency_ms", s.latency.percentile(0.95)},
                         {"p99_latency_ms", s.latency.percentile(0.99)}});
  }
  Json malformed = Json::array();
  for (const MalformedLine& m : r.summary.first_malformed) {
    malformed.push_back(Json{{"line", m.line_number}, {"reason", to_string(m.reason)}});
  }
  return Json{{"rows", w.rows},
              {"from", w.first_ms ? Json(format_timestamp(*w.first_ms)) : Json()},
              {"to", w.last_ms ? Json(format_timestamp(*w.last_ms)) : Json()},
              {"banks", banks},
              {"no_route", w.no_route},
              {"payments", tracked(w.payments)},
              {"payments_succeeded", tracked(w.payments_succeeded)},
              {"payment_success_rate", w.track_payments ? Json(w.payment_success_rate()) : Json()},
              {"payments_hard_declined", tracked(w.payments_hard_declined)},
              {"malformed_lines", r.summary.malformed},
              {"first_malformed", malformed}};
}

std::string report_to_text(const Report& r) {
  const WindowStats& w = r.stats;
  Table table({"BANK", "COUNT", "SUCCESS", "SOFT FAIL", "HARD DECL", "RETRIES", "AVG MS", "P50", "P95", "P99"});
  for (std::size_t c = 1; c < 10; ++c) table.align_right(c);
  for (std::size_t i = 0; i < w.banks.size(); ++i) {
    const BankWindowStats& s = w.per_bank[i];
    table.add_row({escape_for_terminal(w.banks.id(i)), fmt::format("{}", s.attempts), format_percent(s.success_rate(), 2),
                   format_percent(s.soft_failure_rate(), 2), fmt::format("{}", s.hard_declines),
                   w.track_payments ? fmt::format("{}", s.retries) : std::string("-"),
                   fmt::format("{:.1f}", s.latency.average_ms()), fmt::format("{}", s.latency.percentile(0.50)),
                   fmt::format("{}", s.latency.percentile(0.95)), fmt::format("{}", s.latency.percentile(0.99))});
  }
  std::string out = table.render();
  out += fmt::format("NO_ROUTE rows: {}\n", w.no_route);
  if (w.track_payments) {
    out += fmt::format("payments: {} ({} succeeded, {}; {} hard-declined)\n", w.payments, w.payments_succeeded,
                       format_percent(w.payment_success_rate(), 2), w.payments_hard_declined);
  } else {
    out += "payments and retries: not tracked (--no-payments)\n";
  }
  if (w.first_ms) out += fmt::format("rows: {} from {} to {}\n", w.rows, format_timestamp(*w.first_ms), format_timestamp(*w.last_ms));
  if (r.summary.malformed > 0) out += r.summary.describe() + "\n";
  return out;
}

}  // namespace payops
