// Per-bank statistics over a set of transaction rows (a time window of the log, or a whole file):
// attempts, successes, soft failures by code, hard declines, NO_ROUTE, exact latency percentiles,
// the trailing run of soft failures, retries, and the payment-level success rate. Accumulators are
// mergeable so `agent report` can fill one per thread (scan_file_parallel) and combine them; adding
// a row never allocates once a bank has been seen (bank ids map to small indexes).
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contract/transaction.h"

namespace payops {

// Bank ids to small dense indexes, in order of first appearance. Lookup compares string_views
// against the few known ids (payops configs hold a handful of banks), so a known id costs no
// allocation; a new id allocates once.
class BankIndex {
 public:
  // The index of id, adding it if new.
  std::size_t index_of(std::string_view id);
  // The index of id, or nullopt.
  std::optional<std::size_t> find(std::string_view id) const;
  const std::string& id(std::size_t index) const { return ids_[index]; }
  std::size_t size() const { return ids_.size(); }

 private:
  std::vector<std::string> ids_;
  std::size_t last_hit_ = 0;  // rows come in runs of few banks; try the last answer first
};

// The project's one percentile rule (Miller's non-interpolated pNN, so our numbers agree with mlr):
// the 0-based rank, among count sorted values, of the value that is the percentile:
// floor(fraction * count), clamped to the last. On 1..20 the p95 is the value at rank 19, i.e. 20.
// REQUIRES: count > 0, 0 <= fraction <= 1.
inline std::uint64_t percentile_rank(double fraction, std::uint64_t count) {
  const auto rank = static_cast<std::uint64_t>(std::floor(fraction * static_cast<double>(count)));
  return rank < count ? rank : count - 1;
}

// Exact latency distribution: one counter per millisecond up to kBucketCount ms, and the rare
// larger values kept verbatim. The counters are allocated on the first add (idle banks cost nothing).
class LatencyHistogram {
 public:
  static constexpr std::int64_t kBucketCount = 16000;  // 0..15999 ms in 1 ms buckets

  void add(std::int64_t latency_ms) {
    if (latency_ms < 0) latency_ms = 0;  // parsed rows are non-negative; be total anyway
    ++count_;
    sum_ms_ += latency_ms;
    if (latency_ms < kBucketCount && !buckets_.empty()) {
      ++buckets_[static_cast<std::size_t>(latency_ms)];
    } else {
      add_rare(latency_ms);
    }
  }
  void merge(const LatencyHistogram& other);
  std::uint64_t count() const { return count_; }
  // Sum of all latencies, for the average.
  std::int64_t sum_ms() const { return sum_ms_; }
  double average_ms() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_ms_) / static_cast<double>(count_); }
  // The value at percentile_rank(fraction, count()) of the sorted values. 0 when empty.
  std::int64_t percentile(double fraction) const;
  // How many latencies are >= threshold_ms (the slow calls, for a slow-call rate).
  std::uint64_t count_at_least(std::int64_t threshold_ms) const;

 private:
  void add_rare(std::int64_t latency_ms);  // the first add, or a value past the buckets (counted)
  std::vector<std::uint64_t> buckets_;
  mutable std::vector<std::int64_t> overflow_;  // >= kBucketCount ms; sorted lazily
  mutable bool overflow_sorted_ = true;
  std::uint64_t count_ = 0;
  std::int64_t sum_ms_ = 0;
};

inline constexpr int kSoftCodeCount = 4;  // GATEWAY_TIMEOUT, BANK_UNAVAILABLE, RATE_LIMITED, NETWORK_ERROR
// Index of a soft code in BankWindowStats::soft_by_code. REQUIRES: kind_of(code) == soft.
inline std::size_t soft_code_slot(ErrorCode code) {
  return static_cast<std::size_t>(code) - static_cast<std::size_t>(ErrorCode::GATEWAY_TIMEOUT);
}
inline ErrorCode soft_code_at(std::size_t slot) {
  return static_cast<ErrorCode>(slot + static_cast<std::size_t>(ErrorCode::GATEWAY_TIMEOUT));
}

// One bank's numbers in a window. Hard declines are counted but never held against the bank: the
// soft-failure rate is soft failures / attempts.
struct BankWindowStats {
  std::uint64_t attempts = 0;
  std::uint64_t successes = 0;
  std::uint64_t soft_failures = 0;
  std::array<std::uint64_t, kSoftCodeCount> soft_by_code{};
  std::uint64_t hard_declines = 0;
  std::uint64_t retries = 0;  // attempts whose transaction_id had appeared earlier
  // Soft failures at the end of the rows seen, in the order they were added (callers that need
  // time order feed rows sorted by timestamp). A success or a hard decline ends the run.
  std::uint64_t trailing_soft_failures = 0;
  // The same run counting faults only: RATE_LIMITED is the bank saying "too much load", not "broken",
  // so a RATE_LIMITED row neither extends nor ends the run (see fault_rate).
  std::uint64_t trailing_faults = 0;
  // Attempts that were the first of their payment, and those that succeeded: what a customer feels
  // before any retry.
  std::uint64_t first_attempts = 0;
  std::uint64_t first_attempt_successes = 0;
  std::optional<TimeMs> last_soft_failure_ms;
  std::optional<TimeMs> first_ms;
  std::optional<TimeMs> last_ms;
  LatencyHistogram latency;

  double success_rate() const { return ratio(successes, attempts); }
  double soft_failure_rate() const { return ratio(soft_failures, attempts); }
  std::uint64_t rate_limited() const { return soft_by_code[soft_code_slot(ErrorCode::RATE_LIMITED)]; }
  // Soft failures that say the bank is broken (everything but RATE_LIMITED) over the attempts it did
  // not refuse for load: the health verdict. RATE_LIMITED is a capacity signal (see observation.h).
  std::uint64_t faults() const { return soft_failures - rate_limited(); }
  std::uint64_t served() const { return attempts - rate_limited(); }
  double fault_rate() const { return ratio(faults(), served()); }
  double first_attempt_success_rate() const { return ratio(first_attempt_successes, first_attempts); }
  std::uint64_t failed() const { return attempts - successes; }
  void merge(const BankWindowStats& later);  // `later` holds the rows that follow ours

  static double ratio(std::uint64_t num, std::uint64_t den) {
    return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
  }
};

// Tracks which transaction ids were seen, to count retries and payment-level outcomes, in bounded
// memory: ids live in two generations that rotate every kPaymentHorizonMs of row time, so an id is
// remembered for at least that long after its first attempt. A retry later than that (far beyond
// any retry policy: at most 10 retries with at most 10 s backoff) would count as a new payment.
inline constexpr std::int64_t kPaymentHorizonMs = 10 * 60 * 1000;

class PaymentTracker {
 public:
  struct Seen {
    bool earlier = false;         // the id had appeared before this row
    bool first_success = false;   // this row is the payment's first success
    bool first_hard_decline = false;
  };
  // REQUIRES: key is the 64-bit value of the id's 16 hex digits.
  Seen add(std::uint64_t key, TimeMs t, bool success, bool hard_decline) {
    return add_hashed(hash(key), t, success, hard_decline);
  }
  // A hint that add(key, ...) follows soon: starts loading the key's slots, so a caller holding many
  // ids (agent report's in-order pass) overlaps the cache misses of a few rows. No effect on results.
  void prefetch(std::uint64_t key) const { prefetch_hashed(hash(key)); }

  // The same with the key's hash computed by the caller, once per attempt (agent report computes it
  // on the scanning threads, off the serial in-order pass). hash is a bijection: equal hashes mean
  // equal keys. REQUIRES: h == hash(key).
  static std::uint64_t hash(std::uint64_t key) {
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return key;
  }
  // Inline (this and what it calls on the common path): the per-attempt step of agent report's
  // serial in-order pass, where a call per attempt cost more than its bookkeeping.
  Seen add_hashed(std::uint64_t h, TimeMs t, bool success, bool hard_decline);
  void prefetch_hashed(std::uint64_t h) const {
    current_.prefetch(h);
    previous_.prefetch(h);
  }

 private:
  // One id in 8 bytes: the slot holds hash(key) << 3 | kUsed | flags (bit 0 success, bit 1 hard).
  // hash is a bijection, and its top 3 bits, shifted out of the slot, are implied by the slot's
  // position: the table is 8 sub-tables, one per value of those bits, and a probe never leaves its
  // sub-table. So a slot names its id exactly, and 0 is an empty slot.
  static constexpr std::uint64_t kUsed = 4, kSuccess = 1, kHard = 2, kFlags = kSuccess | kHard;
  static constexpr unsigned kSubTableBits = 3;
  struct Table {
    std::vector<std::uint64_t> slots;
    unsigned bits = 0;  // slots.size() == 2^bits (0 while empty)
    std::uint32_t used[1u << kSubTableBits] = {};  // per sub-table, kept at most 3/4 full
    std::size_t total_used = 0;                     // kept at most half of slots.size()
    // grow() before an add once total_used reaches total_limit or a sub-table's used reaches
    // sub_limit (both 0 while empty): the two bounds above, precomputed at each resize.
    std::size_t total_limit = 0;
    std::uint32_t sub_limit = 0;

    // The slot holding h, or nullptr.
    const std::uint64_t* find(std::uint64_t h) const {
      if (slots.empty()) return nullptr;
      const std::uint64_t tag = h << kSubTableBits | kUsed;
      const std::uint64_t* const s = slots.data();
      for (std::size_t i = home(h);; i = next(i)) {
        if (s[i] == 0) return nullptr;
        if ((s[i] & ~kFlags) == tag) return &s[i];
      }
    }
    // The slot holding h; if absent, it is added (flags clear) and fresh is set.
    std::uint64_t& find_or_add(std::uint64_t h, bool& fresh) {
      const std::size_t sub = static_cast<std::size_t>(h >> (64 - kSubTableBits));
      if (total_used >= total_limit || used[sub] >= sub_limit) grow();
      const std::uint64_t tag = h << kSubTableBits | kUsed;
      std::uint64_t* const s = slots.data();
      std::size_t i = home(h);
      for (; s[i] != 0; i = next(i)) {
        if ((s[i] & ~kFlags) == tag) {
          fresh = false;
          return s[i];
        }
      }
      ++used[sub];
      ++total_used;
      fresh = true;
      s[i] = tag;
      return s[i];
    }
    // Empties the table; if it has fewer than 2^min_bits slots, it is resized to that many (the
    // previous generation's size: the next one will hold about as many ids, so no regrowth).
    void clear(unsigned min_bits);
    void prefetch(std::uint64_t h) const {
      if (!slots.empty()) __builtin_prefetch(&slots[home(h)]);
    }

   private:
    std::size_t home(std::uint64_t h) const { return static_cast<std::size_t>(h >> (64 - bits)); }
    std::size_t next(std::size_t i) const {  // the next slot of i's sub-table, wrapping inside it
      const std::size_t sub_mask = (std::size_t{1} << (bits - kSubTableBits)) - 1;
      return (i & ~sub_mask) | ((i + 1) & sub_mask);
    }
    void set_limits();
    void grow();
  };
  // Starts the first generation at t, or rotates if t is a horizon past the current one's start.
  void start_or_rotate(TimeMs t);

  Table current_, previous_;
  std::optional<TimeMs> generation_start_;
  // add_hashed calls start_or_rotate once t >= rotate_at_: generation_start_ + kPaymentHorizonMs
  // (saturated), INT64_MIN before the first attempt. start_or_rotate re-checks the exact condition.
  TimeMs rotate_at_ = INT64_MIN;
};

inline PaymentTracker::Seen PaymentTracker::add_hashed(std::uint64_t h, TimeMs t, bool success,
                                                       bool hard_decline) {
  if (t >= rotate_at_) start_or_rotate(t);
  Seen seen;
  bool fresh = false;
  std::uint64_t& slot = current_.find_or_add(h, fresh);
  if (fresh) {
    if (const std::uint64_t* old = previous_.find(h)) {
      // Still within the horizon: carry it into the current generation.
      // (The stale copy stays in previous_; current_ is always asked first.)
      slot |= *old & kFlags;
      seen.earlier = true;
    }
  } else {
    seen.earlier = true;
  }
  if (success && (slot & kSuccess) == 0) {
    slot |= kSuccess;
    seen.first_success = true;
  }
  if (hard_decline && (slot & kHard) == 0) {
    slot |= kHard;
    seen.first_hard_decline = true;
  }
  return seen;
}

// kind_of as a table, so a per-row path makes no call for it (same answers: built from kind_of).
inline const std::array<ErrorKind, kErrorCodeCount> kKindOfCode = [] {
  std::array<ErrorKind, kErrorCodeCount> kinds{};
  for (int i = 0; i < kErrorCodeCount; ++i) kinds[static_cast<std::size_t>(i)] = kind_of(static_cast<ErrorCode>(i));
  return kinds;
}();

// All banks' numbers in one window plus the global, payment-level view.
struct WindowStats {
  BankIndex banks;
  std::vector<BankWindowStats> per_bank;  // same indexes as banks
  std::uint64_t rows = 0;
  std::uint64_t no_route = 0;  // NO_ROUTE rows (no bank): never held against any bank
  // Payments (distinct transaction ids) seen, those with a success on any attempt (a payment that
  // succeeded after a retry is a success for the customer), and those ended by a hard decline.
  std::uint64_t payments = 0;
  std::uint64_t payments_succeeded = 0;
  std::uint64_t payments_hard_declined = 0;
  // Payments whose first attempt succeeded (the customer saw no failure and no retry delay).
  std::uint64_t payments_first_attempt_succeeded = 0;
  std::optional<TimeMs> first_ms;
  std::optional<TimeMs> last_ms;
  // Payment tracking (retries, payments*) costs a hash lookup per row, about half of a whole-file
  // report's time; `agent report --no-payments` turns it off when only per-bank numbers are wanted.
  bool track_payments = true;

  void add(const RowView& row);
  // The same, for rows held in compact form (stream mode). bank_id empty for NO_ROUTE.
  void add(TimeMs t, std::uint64_t txn_key, std::string_view bank_id, TxnStatus status,
           ErrorCode code, std::int64_t latency_ms);
  // The same, with the bank already numbered: bank_index is banks.index_of(bank_id) for a routed row
  // (a bank id, error code not NO_ROUTE), kNoBankIndex otherwise. A whole-file scan numbers each
  // distinct id once instead of comparing strings per row.
  static constexpr std::size_t kNoBankIndex = SIZE_MAX;
  void add_indexed(TimeMs t, std::uint64_t txn_key, std::size_t bank_index, TxnStatus status,
                   ErrorCode code, std::int64_t latency_ms);

  // Folds in the stats of the rows that follow ours (the next chunk of a file). Payments whose
  // attempts straddle the boundary are counted once per side (a handful per boundary at most);
  // everything per bank except `retries` is exact.
  void merge(const WindowStats& later);

  // Payment-level success rate: succeeded payments / payments (0 when none).
  double payment_success_rate() const { return BankWindowStats::ratio(payments_succeeded, payments); }
  // The same ignoring payments the customer's issuer declined (not something routing can fix).
  double routable_payment_success_rate() const {
    return BankWindowStats::ratio(payments_succeeded, payments - payments_hard_declined);
  }
  // First-attempt success over payments (0 when none).
  double first_attempt_success_rate() const {
    return BankWindowStats::ratio(payments_first_attempt_succeeded, payments);
  }
  const BankWindowStats* find(std::string_view bank_id) const;

 private:
  PaymentTracker tracker_;
};

namespace window_stats_detail {
// first = min(first, t), last = max(last, t), an empty one taking t: after the first row, two
// well-predicted compares instead of value_or's selects and stores.
inline void widen(std::optional<TimeMs>& first, std::optional<TimeMs>& last, TimeMs t) {
  if (!first) {
    first = t;
  } else if (t < *first) {
    *first = t;
  }
  if (!last) {
    last = t;
  } else if (t > *last) {
    *last = t;
  }
}
}  // namespace window_stats_detail

// Inline: the per-row path of a whole-file scan (agent report), where a call per row cost more than
// its body's bookkeeping.
inline void WindowStats::add_indexed(TimeMs t, std::uint64_t txn_key, std::size_t index, TxnStatus status,
                                     ErrorCode code, std::int64_t latency_ms) {
  ++rows;
  window_stats_detail::widen(first_ms, last_ms, t);
  const ErrorKind kind = kKindOfCode[static_cast<std::size_t>(code)];
  const bool success = status == TxnStatus::success;
  PaymentTracker::Seen seen;
  if (track_payments) {
    seen = tracker_.add(txn_key, t, success, kind == ErrorKind::hard);
    if (!seen.earlier && success) ++payments_first_attempt_succeeded;
    if (seen.first_success) ++payments_succeeded;
    if (seen.first_hard_decline) ++payments_hard_declined;
  }
  if (!seen.earlier) ++payments;  // untracked: every row counts (agent report replaces these)

  if (index == kNoBankIndex) {
    ++no_route;
    return;
  }
  if (index >= per_bank.size()) per_bank.resize(index + 1);
  BankWindowStats& b = per_bank[index];
  ++b.attempts;
  if (track_payments) {
    if (seen.earlier) {
      ++b.retries;
    } else {
      ++b.first_attempts;
      if (success) ++b.first_attempt_successes;
    }
  }
  window_stats_detail::widen(b.first_ms, b.last_ms, t);
  b.latency.add(latency_ms);
  if (success) {
    ++b.successes;
    b.trailing_soft_failures = 0;
    b.trailing_faults = 0;
  } else if (kind == ErrorKind::soft) {
    ++b.soft_failures;
    ++b.soft_by_code[soft_code_slot(code)];
    ++b.trailing_soft_failures;
    if (code != ErrorCode::RATE_LIMITED) ++b.trailing_faults;
    if (!b.last_soft_failure_ms || t > *b.last_soft_failure_ms) b.last_soft_failure_ms = t;
  } else {
    ++b.hard_declines;  // the issuer's verdict: says nothing about the bank, ends a failure run
    b.trailing_soft_failures = 0;
    b.trailing_faults = 0;
  }
}

}  // namespace payops
