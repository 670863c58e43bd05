// Observe: windows over the tail of the log or over streamed rows, in time order.
#include "agent/observation.h"

#include <algorithm>
#include <map>
#include <vector>

namespace payops {

void RowWindow::add(const RowView& row) {
  CompactRow c;
  c.timestamp_ms = row.timestamp_ms;
  c.txn_key = transaction_key(row.transaction_id).value_or(0);
  c.latency_ms = row.latency_ms;
  c.bank = (row.bank_id.empty() || kind_of(row.error_code) == ErrorKind::routing)
               ? kNoBank
               : static_cast<std::uint32_t>(banks_.index_of(row.bank_id));
  c.status = row.status;
  c.error_code = row.error_code;
  add(c);
}

void RowWindow::add(const CompactRow& row) {
  // Insert after the last row with timestamp <= row's: rows are nearly in order, so this walks back
  // over at most the few rows of a late writer's batch.
  auto pos = rows_.end();
  while (pos != rows_.begin() && (pos - 1)->timestamp_ms > row.timestamp_ms) --pos;
  rows_.insert(pos, row);
}

void RowWindow::drop_before(TimeMs t) {
  std::size_t n = 0;
  while (n < rows_.size() && rows_[n].timestamp_ms < t) ++n;
  rows_.erase(rows_.begin(), rows_.begin() + static_cast<std::ptrdiff_t>(n));
}

std::size_t RowWindow::first_at(TimeMs t) const {
  auto it = std::lower_bound(rows_.begin(), rows_.end(), t,
                             [](const CompactRow& r, TimeMs v) { return r.timestamp_ms < v; });
  return static_cast<std::size_t>(it - rows_.begin());
}

WindowStats RowWindow::stats(TimeMs since_ms, TimeMs until_ms) const {
  WindowStats s;
  // Register banks in index order so every window lists them the same way.
  for (std::size_t i = 0; i < banks_.size(); ++i) s.banks.index_of(banks_.id(i));
  s.per_bank.resize(banks_.size());
  for (std::size_t i = first_at(since_ms); i < rows_.size(); ++i) {
    const CompactRow& r = rows_[i];
    if (r.timestamp_ms > until_ms) break;
    s.add(r.timestamp_ms, r.txn_key, r.bank == kNoBank ? std::string_view() : std::string_view(banks_.id(r.bank)),
          r.status, r.error_code, r.latency_ms);
  }
  return s;
}

namespace {

// One bank's stats over rows [first, ...) up to until_ms that `keep` accepts.
template <typename Keep>
BankWindowStats one_bank_stats(const std::vector<CompactRow>& rows, std::size_t first, std::uint32_t index,
                               std::string_view bank_id, TimeMs until_ms, Keep keep) {
  WindowStats s;
  for (std::size_t i = first; i < rows.size(); ++i) {
    const CompactRow& r = rows[i];
    if (r.timestamp_ms > until_ms) break;
    if (r.bank != index || !keep(r)) continue;
    s.add(r.timestamp_ms, r.txn_key, bank_id, r.status, r.error_code, r.latency_ms);
  }
  const BankWindowStats* b = s.find(bank_id);
  return b ? *b : BankWindowStats{};
}

}  // namespace

BankWindowStats RowWindow::bank_stats(std::string_view bank_id, TimeMs since_ms, TimeMs until_ms) const {
  const auto index = banks_.find(bank_id);
  if (!index) return {};
  return one_bank_stats(rows_, first_at(since_ms), static_cast<std::uint32_t>(*index), bank_id, until_ms,
                        [](const CompactRow&) { return true; });
}

BankWindowStats RowWindow::bank_stats_started(std::string_view bank_id, TimeMs started_since_ms, TimeMs until_ms) const {
  const auto index = banks_.find(bank_id);
  if (!index) return {};
  return one_bank_stats(rows_, first_at(started_since_ms), static_cast<std::uint32_t>(*index), bank_id, until_ms,
                        [started_since_ms](const CompactRow& r) { return r.timestamp_ms - r.latency_ms >= started_since_ms; });
}

NewestServed newest_served(const RowWindow& rows, std::string_view bank_id, TimeMs since_ms, TimeMs until_ms,
                           std::uint64_t n, std::optional<TimeMs> started_since_ms) {
  NewestServed out;
  const auto index = rows.banks().find(bank_id);
  if (!index) return out;
  const std::vector<CompactRow>& all = rows.rows();
  for (std::size_t i = rows.first_at(until_ms + 1); i > 0 && out.served < n; --i) {
    const CompactRow& r = all[i - 1];
    if (r.timestamp_ms < since_ms) break;
    if (r.bank != *index || r.error_code == ErrorCode::RATE_LIMITED) continue;
    if (started_since_ms && r.timestamp_ms - r.latency_ms < *started_since_ms) continue;
    ++out.served;
    if (r.status != TxnStatus::success && kind_of(r.error_code) == ErrorKind::soft) ++out.faults;
  }
  return out;
}

std::optional<double> learned_capacity_per_s(const RowWindow& rows, std::string_view bank_id, TimeMs since_ms,
                                             TimeMs until_ms) {
  const auto index = rows.banks().find(bank_id);
  if (!index || until_ms <= since_ms) return std::nullopt;
  // A second is saturated when RATE_LIMITED is a real share of it, or outnumbers the bank's other
  // soft failures in it: a bank answers the odd 429 at any load (the simulated ones do too, a tenth
  // of their soft failures), and one of those says nothing about its ceiling. The share alone missed
  // a bank a little past its ceiling (overload, default seed: bank_a refused 18-35 of 380-480
  // attempts a second, 4-7%, beside 3-6 other faults, for 13 s before its ceiling was known, while
  // the failing bank_b was ejected onto it); a bank failing for other reasons (chaos, an error
  // incident) has its 429s a small part of its faults.
  constexpr std::uint32_t kMinLimited = 3;
  constexpr double kMinLimitedShare = 0.10;
  constexpr std::size_t kMinSaturatedSeconds = 3;
  struct Second {
    std::uint32_t served = 0;
    std::uint32_t limited = 0;
    std::uint32_t faults = 0;  // soft failures other than RATE_LIMITED
  };
  std::map<TimeMs, Second> seconds;  // a few hundred entries at most (the long window)
  for (std::size_t i = rows.first_at(since_ms); i < rows.size(); ++i) {
    const CompactRow& r = rows.rows()[i];
    if (r.timestamp_ms >= until_ms) break;
    if (r.bank != *index) continue;
    Second& s = seconds[(r.timestamp_ms - since_ms) / 1000];
    if (r.error_code == ErrorCode::RATE_LIMITED) {
      ++s.limited;
    } else {
      ++s.served;
      if (kind_of(r.error_code) == ErrorKind::soft) ++s.faults;
    }
  }
  std::vector<std::uint32_t> served;
  for (const auto& [second, s] : seconds) {
    const bool big_share = s.limited >= kMinLimitedShare * static_cast<double>(s.limited + s.served);
    if (s.limited >= kMinLimited && (big_share || s.limited > s.faults)) served.push_back(s.served);
  }
  if (served.size() < kMinSaturatedSeconds) return std::nullopt;
  std::nth_element(served.begin(), served.begin() + static_cast<std::ptrdiff_t>(served.size() / 2), served.end());
  return static_cast<double>(served[served.size() / 2]);
}

double peak_served_per_s(const RowWindow& rows, std::string_view bank_id, TimeMs since_ms, TimeMs until_ms) {
  const auto index = rows.banks().find(bank_id);
  if (!index || until_ms <= since_ms) return 0;
  std::map<TimeMs, std::uint32_t> served;  // per whole second from since_ms
  for (std::size_t i = rows.first_at(since_ms); i < rows.size(); ++i) {
    const CompactRow& r = rows.rows()[i];
    if (r.timestamp_ms >= until_ms) break;
    if (r.bank == *index && r.error_code != ErrorCode::RATE_LIMITED) ++served[(r.timestamp_ms - since_ms) / 1000];
  }
  std::uint32_t peak = 0;
  for (const auto& [second, n] : served) peak = std::max(peak, n);
  return static_cast<double>(peak);
}

namespace {
Observation finish(RowWindow rows, TimeMs now_ms, const ObserveOptions& options) {
  Observation o;
  o.now_ms = now_ms;
  o.short_window_ms = options.short_window_ms;
  o.long_window_ms = options.long_window_ms;
  o.short_window = rows.stats(o.short_since(), now_ms);
  o.long_window = rows.stats(o.long_since(), now_ms);
  o.rows = std::move(rows);
  return o;
}
}  // namespace

Result<Observation> observe_log(const std::string& csv_path, TimeMs now_ms, const ObserveOptions& options) {
  const TimeMs since = now_ms - std::max(options.long_window_ms, options.short_window_ms);
  auto tail = read_tail(csv_path, since, now_ms + 1, options.tail_slack_ms);
  if (!tail.ok()) return tail.error();
  RowWindow rows;
  for (const RowView& r : tail->rows) rows.add(r);
  Observation o = finish(std::move(rows), now_ms, options);
  o.malformed = tail->summary.malformed;
  o.malformed_note = tail->summary.describe();
  return o;
}

Observation observe_rows(const RowWindow& all, TimeMs now_ms, const ObserveOptions& options) {
  const TimeMs since = now_ms - std::max(options.long_window_ms, options.short_window_ms);
  RowWindow rows;
  for (const CompactRow& r : all.rows()) {
    if (r.timestamp_ms < since || r.timestamp_ms > now_ms) continue;
    CompactRow copy = r;
    if (r.bank != kNoBank) {
      // Re-index against the new window's BankIndex (same order of first appearance).
      copy.bank = rows.bank_index(all.banks().id(r.bank));
    }
    rows.add(copy);
  }
  return finish(std::move(rows), now_ms, options);
}

}  // namespace payops
