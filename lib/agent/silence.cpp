#include "agent/silence.h"

#include <algorithm>

#include "agent/chance.h"

namespace payops {

namespace {
struct SpanCounts {
  std::uint64_t bank = 0;
  std::uint64_t others = 0;
};

// Attempts finished in [since_ms, until_ms], by bank index `bank` and by every other bank.
SpanCounts count_span(const RowWindow& rows, std::optional<std::size_t> bank, TimeMs since_ms, TimeMs until_ms) {
  SpanCounts n;
  const std::vector<CompactRow>& all = rows.rows();
  auto it = all.begin() + static_cast<std::ptrdiff_t>(rows.first_at(since_ms));
  for (; it != all.end() && it->timestamp_ms <= until_ms; ++it) {
    if (it->bank == kNoBank) continue;
    (bank && it->bank == *bank ? n.bank : n.others) += 1;
  }
  return n;
}

bool too_few(std::uint64_t finished, double expected, double ratio, double alpha) {
  return static_cast<double>(finished) < ratio * expected && poisson_at_most(finished, expected) < alpha;
}
}  // namespace

BankSilence bank_silence(const RowWindow& rows, std::string_view bank_id, TimeMs now_ms, const SilenceOptions& options) {
  BankSilence s;
  const auto index = rows.banks().find(bank_id);
  if (!index || rows.size() == 0) return s;
  const TimeMs end = std::min(now_ms, rows.rows().back().timestamp_ms);
  const TimeMs recent_since = end - options.window_ms;
  const SpanCounts before = count_span(rows, index, recent_since - options.baseline_ms, recent_since - 1);
  const SpanCounts recent = count_span(rows, index, recent_since, end);
  const std::uint64_t before_total = before.bank + before.others;
  if (before_total == 0) return s;
  s.baseline_share = static_cast<double>(before.bank) / static_cast<double>(before_total);
  s.finished = recent.bank;
  if (s.baseline_share >= 1.0) return s;
  s.expected = s.baseline_share / (1.0 - s.baseline_share) * static_cast<double>(recent.others);
  // The peers stand for the traffic only while it holds: when their own rate falls by more than
  // `ratio` (traffic ending, an upstream drop), the tail that still finishes is the slow banks'
  // attempts and the retries, and the fastest bank would look silent.
  const double peers_before_per_ms = static_cast<double>(before.others) / static_cast<double>(options.baseline_ms);
  const double peers_recent_per_ms = static_cast<double>(recent.others) / static_cast<double>(options.window_ms);
  s.traffic_falling = peers_recent_per_ms < (1.0 - options.ratio) * peers_before_per_ms;
  s.silent = !s.traffic_falling && too_few(s.finished, s.expected, options.ratio, options.eject_alpha);
  return s;
}

BankCompletion completion_since(const RowWindow& rows, std::string_view bank_id, TimeMs since_ms, TimeMs until_ms,
                                double share, std::int64_t fast_ms, const SilenceOptions& options) {
  BankCompletion c;
  if (share >= 1) {
    c.finishing = true;
    return c;
  }
  if (share <= 0) return c;
  const auto bank = rows.banks().find(bank_id);
  // Attempts that started in [since_ms, settled] had fast_ms to finish fast before until_ms.
  const TimeMs settled = until_ms - fast_ms;
  std::uint64_t others = 0;
  const std::vector<CompactRow>& all = rows.rows();
  auto it = all.begin() + static_cast<std::ptrdiff_t>(rows.first_at(since_ms));
  for (; it != all.end() && it->timestamp_ms <= until_ms; ++it) {
    const TimeMs started = it->timestamp_ms - it->latency_ms;
    if (it->bank == kNoBank || started < since_ms || started > settled) continue;
    if (bank && it->bank == *bank) {
      if (it->latency_ms < fast_ms) ++c.finished;
    } else {
      ++others;
    }
  }
  c.expected = share / (1.0 - share) * static_cast<double>(others);
  c.finishing = c.expected >= options.min_expected_since &&
                static_cast<double>(c.finished) >= (1.0 - options.ratio) * c.expected;
  c.hanging = too_few(c.finished, c.expected, options.hang_ratio, options.hang_alpha);
  return c;
}

BankCompletion bank_crawling(const RowWindow& rows, std::string_view bank_id, TimeMs now_ms, std::int64_t fast_ms,
                             const SilenceOptions& options) {
  const auto bank = rows.banks().find(bank_id);
  if (!bank) return {};
  const TimeMs span_since = now_ms - fast_ms - options.window_ms;
  const TimeMs base_since = span_since - options.baseline_ms;
  // Its share of the attempts that started in the baseline span (finished by now: an attempt that
  // started at base_since finished at or after it).
  SpanCounts base;
  const std::vector<CompactRow>& all = rows.rows();
  for (auto it = all.begin() + static_cast<std::ptrdiff_t>(rows.first_at(base_since));
       it != all.end() && it->timestamp_ms <= now_ms; ++it) {
    const TimeMs started = it->timestamp_ms - it->latency_ms;
    if (it->bank == kNoBank || started < base_since || started >= span_since) continue;
    (it->bank == *bank ? base.bank : base.others) += 1;
  }
  const std::uint64_t base_total = base.bank + base.others;
  if (base_total == 0 || base.bank == base_total) return {};  // no traffic, or no peer to compare with
  const double share = static_cast<double>(base.bank) / static_cast<double>(base_total);
  // The span's attempts by start, counted as a held bank's are (completion_since); the verdict at
  // silence's eject_alpha, not hang_alpha: this one ejects a bank nobody has moved.
  BankCompletion c = completion_since(rows, bank_id, span_since, now_ms, share, fast_ms, options);
  c.hanging = too_few(c.finished, c.expected, options.hang_ratio, options.eject_alpha);
  return c;
}

}  // namespace payops
