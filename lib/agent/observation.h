// Observe: what the log says about each bank over a short and a long window ending at `now`, read
// either from the end of transactions.csv (read_tail: the cost depends on the window, not on the
// log) or from rows that arrived on a stream (event time). The rows stay available in compact,
// time-ordered form so the reasoner can ask "this bank since its breaker last changed".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contract/csv_tail.h"
#include "platform/result.h"
#include "agent/window_stats.h"

namespace payops {

struct ObserveOptions {
  std::int64_t short_window_ms = 30'000;
  std::int64_t long_window_ms = 300'000;
  std::int64_t tail_slack_ms = kDefaultTailSlackMs;
};

// One row with what the agent needs and nothing that points into a buffer.
struct CompactRow {
  TimeMs timestamp_ms = 0;
  std::uint64_t txn_key = 0;
  std::int64_t latency_ms = 0;
  std::uint32_t bank = 0;  // index into RowWindow::banks; kNoBank for NO_ROUTE rows
  TxnStatus status = TxnStatus::success;
  ErrorCode error_code = ErrorCode::none;
};
inline constexpr std::uint32_t kNoBank = 0xFFFFFFFFu;

// Whether a row counts toward a bank's success rate (success-rate routing, its change points): a
// RATE_LIMITED row is load, not the bank's quality, and a hard decline is the customer's card.
inline bool counts_for_success_rate(const CompactRow& r) {
  return r.error_code != ErrorCode::RATE_LIMITED && kind_of(r.error_code) != ErrorKind::hard;
}

// Rows kept in timestamp order (stable: rows with equal timestamps keep their arrival order).
// Rows arrive nearly in order, so insertion walks back only a few places.
class RowWindow {
 public:
  void add(const RowView& row);
  void add(const CompactRow& row);
  // The index CompactRow::bank uses for bank_id (added if new).
  std::uint32_t bank_index(std::string_view bank_id) { return static_cast<std::uint32_t>(banks_.index_of(bank_id)); }
  // Forgets rows older than t (stream mode keeps only the long window plus slack). Called once a
  // cycle, so its linear cost is paid once a cycle.
  void drop_before(TimeMs t);

  // Stats of rows with since_ms <= timestamp <= until_ms, fed in time order.
  WindowStats stats(TimeMs since_ms, TimeMs until_ms) const;
  // One bank's stats over the same kind of range (empty stats for an unknown bank).
  BankWindowStats bank_stats(std::string_view bank_id, TimeMs since_ms, TimeMs until_ms) const;
  // One bank's attempts that STARTED at or after started_since_ms (timestamp - latency) and finished
  // by until_ms. Rows are written when attempts finish, so after a bank's share is cut the rows by
  // finish time are the slow tail of attempts started before (8 s timeouts): by start, they are not.
  BankWindowStats bank_stats_started(std::string_view bank_id, TimeMs started_since_ms, TimeMs until_ms) const;

  const std::vector<CompactRow>& rows() const { return rows_; }
  // The index of the first row with timestamp >= t (rows() is in timestamp order).
  std::size_t first_at(TimeMs t) const;
  const BankIndex& banks() const { return banks_; }
  std::size_t size() const { return rows_.size(); }

 private:
  BankIndex banks_;
  std::vector<CompactRow> rows_;
};

struct Observation {
  TimeMs now_ms = 0;
  std::int64_t short_window_ms = 0;
  std::int64_t long_window_ms = 0;
  WindowStats short_window;  // [now - short, now]
  WindowStats long_window;   // [now - long, now]
  RowWindow rows;            // the long window's rows, for per-bank questions "since T"
  std::uint64_t malformed = 0;
  std::string malformed_note;  // ScanSummary::describe() of what was read; empty when clean

  TimeMs short_since() const { return now_ms - short_window_ms; }
  TimeMs long_since() const { return now_ms - long_window_ms; }
};

// A bank's throughput ceiling learned from the log: in every whole second of [since_ms, until_ms)
// where the bank was saturated (>= 3 RATE_LIMITED rows, and >= 10% of that second's attempts or more
// than its other soft failures in it: the odd 429 at low load says nothing), the attempts it did serve are what it could take; the ceiling is the
// median over those seconds (attempts per second). nullopt with fewer than 3 saturated seconds (its
// ceiling is above anything it was offered: no limit known).
std::optional<double> learned_capacity_per_s(const RowWindow& rows, std::string_view bank_id, TimeMs since_ms,
                                             TimeMs until_ms);

// The most attempts the bank served (RATE_LIMITED left out) in any whole second of [since_ms,
// until_ms): what it has shown it can carry, a lower bound on its ceiling. 0 when it served none.
double peak_served_per_s(const RowWindow& rows, std::string_view bank_id, TimeMs since_ms, TimeMs until_ms);

// The newest `n` served attempts (RATE_LIMITED left out) of bank_id among the rows finished in
// [since_ms, until_ms], and how many of them were faults (soft failures other than RATE_LIMITED): a
// count-based sliding window, as resilience4j's breaker keeps. Fewer than n when there are fewer.
struct NewestServed {
  std::uint64_t served = 0;
  std::uint64_t faults = 0;
};
// started_since_ms leaves out the attempts started before it (a change of the bank's success: the
// successes of attempts sent before an outage that finish after it began are not its newest news).
NewestServed newest_served(const RowWindow& rows, std::string_view bank_id, TimeMs since_ms, TimeMs until_ms,
                           std::uint64_t n, std::optional<TimeMs> started_since_ms = std::nullopt);

// From the end of the log at csv_path. A missing log is an error (not_found) naming it.
Result<Observation> observe_log(const std::string& csv_path, TimeMs now_ms, const ObserveOptions& options);
// From rows already held (stream mode, tests). Copies the rows of the long window.
Observation observe_rows(const RowWindow& rows, TimeMs now_ms, const ObserveOptions& options);

}  // namespace payops
