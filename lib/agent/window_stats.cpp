// Per-bank window statistics: exact histograms, bounded payment tracking, mergeable accumulators.
#include "agent/window_stats.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace payops {

std::size_t BankIndex::index_of(std::string_view id) {
  if (last_hit_ < ids_.size() && ids_[last_hit_] == id) return last_hit_;
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    if (ids_[i] == id) {
      last_hit_ = i;
      return i;
    }
  }
  ids_.emplace_back(id);
  last_hit_ = ids_.size() - 1;
  return last_hit_;
}

std::optional<std::size_t> BankIndex::find(std::string_view id) const {
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    if (ids_[i] == id) return i;
  }
  return std::nullopt;
}

void LatencyHistogram::add_rare(std::int64_t latency_ms) {
  if (latency_ms < kBucketCount) {
    buckets_.assign(static_cast<std::size_t>(kBucketCount), 0);
    ++buckets_[static_cast<std::size_t>(latency_ms)];
  } else {
    overflow_.push_back(latency_ms);
    overflow_sorted_ = false;
  }
}

std::uint64_t LatencyHistogram::count_at_least(std::int64_t threshold_ms) const {
  if (threshold_ms <= 0) return count_;
  std::uint64_t n = 0;
  for (const std::int64_t v : overflow_) n += v >= threshold_ms ? 1 : 0;
  for (std::size_t i = static_cast<std::size_t>(std::min(threshold_ms, kBucketCount)); i < buckets_.size(); ++i)
    n += buckets_[i];
  return n;
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  if (other.count_ == 0) return;
  count_ += other.count_;
  sum_ms_ += other.sum_ms_;
  if (!other.buckets_.empty()) {
    if (buckets_.empty()) {
      buckets_ = other.buckets_;
    } else {
      for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
    }
  }
  if (!other.overflow_.empty()) {
    overflow_.insert(overflow_.end(), other.overflow_.begin(), other.overflow_.end());
    overflow_sorted_ = false;
  }
}

std::int64_t LatencyHistogram::percentile(double fraction) const {
  if (count_ == 0) return 0;
  const std::uint64_t rank = percentile_rank(fraction, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen > rank) return static_cast<std::int64_t>(i);
  }
  if (!overflow_sorted_) {
    std::sort(overflow_.begin(), overflow_.end());
    overflow_sorted_ = true;
  }
  return overflow_[static_cast<std::size_t>(rank - seen)];
}

void BankWindowStats::merge(const BankWindowStats& later) {
  // The trailing run continues across the boundary only if every row of `later` was a soft failure.
  if (later.attempts > 0) {
    trailing_soft_failures = later.trailing_soft_failures == later.attempts
                                 ? trailing_soft_failures + later.trailing_soft_failures
                                 : later.trailing_soft_failures;
  }
  if (later.served() > 0) {
    trailing_faults = later.trailing_faults == later.served() ? trailing_faults + later.trailing_faults
                                                              : later.trailing_faults;
  }
  first_attempts += later.first_attempts;
  first_attempt_successes += later.first_attempt_successes;
  attempts += later.attempts;
  successes += later.successes;
  soft_failures += later.soft_failures;
  for (std::size_t i = 0; i < soft_by_code.size(); ++i) soft_by_code[i] += later.soft_by_code[i];
  hard_declines += later.hard_declines;
  retries += later.retries;
  if (later.last_soft_failure_ms) {
    last_soft_failure_ms = std::max(last_soft_failure_ms.value_or(*later.last_soft_failure_ms),
                                    *later.last_soft_failure_ms);
  }
  if (later.first_ms) first_ms = std::min(first_ms.value_or(*later.first_ms), *later.first_ms);
  if (later.last_ms) last_ms = std::max(last_ms.value_or(*later.last_ms), *later.last_ms);
  latency.merge(later.latency);
}

namespace {
// Transaction ids are random hex, but mix anyway so a sequential id scheme cannot cluster.
std::size_t slot_of(std::uint64_t key, std::size_t mask) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  return static_cast<std::size_t>(key) & mask;
}
}  // namespace

PaymentTracker::Slot* PaymentTracker::Table::find(std::uint64_t key) {
  if (slots.empty()) return nullptr;
  const std::size_t mask = slots.size() - 1;
  for (std::size_t i = slot_of(key, mask);; i = (i + 1) & mask) {
    Slot& s = slots[i];
    if (!s.used) return nullptr;
    if (s.key == key) return &s;
  }
}

PaymentTracker::Slot& PaymentTracker::Table::probe(std::uint64_t key) {
  // Keep the load at most 1/2 so probes stay short.
  if ((used + 1) * 2 > slots.size()) {
    std::vector<Slot> old = std::move(slots);
    slots.assign(std::max<std::size_t>(1024, old.size() * 2), Slot{0, 0, 0, 0});
    const std::size_t mask = slots.size() - 1;
    for (const Slot& s : old) {
      if (!s.used) continue;
      std::size_t i = slot_of(s.key, mask);
      while (slots[i].used) i = (i + 1) & mask;
      slots[i] = s;
    }
  }
  const std::size_t mask = slots.size() - 1;
  std::size_t i = slot_of(key, mask);
  while (slots[i].used && slots[i].key != key) i = (i + 1) & mask;
  return slots[i];
}

void PaymentTracker::Table::prefetch(std::uint64_t key) const {
  if (!slots.empty()) __builtin_prefetch(&slots[slot_of(key, slots.size() - 1)]);
}

void PaymentTracker::prefetch(std::uint64_t key) const {
  current_.prefetch(key);
  previous_.prefetch(key);
}

void PaymentTracker::Table::clear() {
  std::fill(slots.begin(), slots.end(), Slot{0, 0, 0, 0});
  used = 0;
}

PaymentTracker::Seen PaymentTracker::add(std::uint64_t key, TimeMs t, bool success,
                                         bool hard_decline) {
  if (!generation_start_) generation_start_ = t;
  if (t - *generation_start_ >= kPaymentHorizonMs) {
    // Rotate: ids first seen more than two horizons ago are forgotten. Reuse the old storage.
    // After a gap of two horizons or more, the current generation is too old to keep as well.
    std::swap(previous_, current_);
    current_.clear();
    if (t - *generation_start_ >= 2 * kPaymentHorizonMs) previous_.clear();
    generation_start_ = t;
  }
  Seen seen;
  Slot* slot = &current_.probe(key);
  if (!slot->used) {
    *slot = Slot{key, 1, 0, 0};
    ++current_.used;
    if (const Slot* old = previous_.find(key)) {
      // Still within the horizon: carry it into the current generation.
      // (The stale copy stays in previous_; current_ is always asked first.)
      slot->success = old->success;
      slot->hard = old->hard;
      seen.earlier = true;
    }
  } else {
    seen.earlier = true;
  }
  if (success && !slot->success) {
    slot->success = 1;
    seen.first_success = true;
  }
  if (hard_decline && !slot->hard) {
    slot->hard = 1;
    seen.first_hard_decline = true;
  }
  return seen;
}

void WindowStats::add(const RowView& row) {
  // An id not in the contract's form cannot reach here (the parser rejects it); map it to 0 anyway.
  add(row.timestamp_ms, transaction_key(row.transaction_id).value_or(0), row.bank_id, row.status,
      row.error_code, row.latency_ms);
}

void WindowStats::add(TimeMs t, std::uint64_t txn_key, std::string_view bank_id, TxnStatus status,
                      ErrorCode code, std::int64_t latency_ms) {
  const bool routed = kind_of(code) != ErrorKind::routing && !bank_id.empty();
  add_indexed(t, txn_key, routed ? banks.index_of(bank_id) : kNoBankIndex, status, code, latency_ms);
}

void WindowStats::add_indexed(TimeMs t, std::uint64_t txn_key, std::size_t index, TxnStatus status,
                              ErrorCode code, std::int64_t latency_ms) {
  ++rows;
  first_ms = std::min(first_ms.value_or(t), t);
  last_ms = std::max(last_ms.value_or(t), t);
  const ErrorKind kind = kind_of(code);
  const bool success = status == TxnStatus::success;
  const PaymentTracker::Seen seen =
      track_payments ? tracker_.add(txn_key, t, success, kind == ErrorKind::hard) : PaymentTracker::Seen{};
  if (!seen.earlier) ++payments;
  if (seen.first_success) ++payments_succeeded;
  if (seen.first_hard_decline) ++payments_hard_declined;
  if (!seen.earlier && success && track_payments) ++payments_first_attempt_succeeded;

  if (index == kNoBankIndex) {
    ++no_route;
    return;
  }
  if (index >= per_bank.size()) per_bank.resize(index + 1);
  BankWindowStats& b = per_bank[index];
  ++b.attempts;
  if (seen.earlier) ++b.retries;
  if (track_payments && !seen.earlier) {
    ++b.first_attempts;
    if (success) ++b.first_attempt_successes;
  }
  b.first_ms = std::min(b.first_ms.value_or(t), t);
  b.last_ms = std::max(b.last_ms.value_or(t), t);
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
    b.last_soft_failure_ms = std::max(b.last_soft_failure_ms.value_or(t), t);
  } else {
    ++b.hard_declines;  // the issuer's verdict: says nothing about the bank, ends a failure run
    b.trailing_soft_failures = 0;
    b.trailing_faults = 0;
  }
}

void WindowStats::merge(const WindowStats& later) {
  rows += later.rows;
  no_route += later.no_route;
  payments += later.payments;
  payments_succeeded += later.payments_succeeded;
  payments_hard_declined += later.payments_hard_declined;
  payments_first_attempt_succeeded += later.payments_first_attempt_succeeded;
  if (later.first_ms) first_ms = std::min(first_ms.value_or(*later.first_ms), *later.first_ms);
  if (later.last_ms) last_ms = std::max(last_ms.value_or(*later.last_ms), *later.last_ms);
  for (std::size_t i = 0; i < later.banks.size(); ++i) {
    const std::size_t index = banks.index_of(later.banks.id(i));
    if (index >= per_bank.size()) per_bank.resize(index + 1);
    per_bank[index].merge(later.per_bank[i]);
  }
}

const BankWindowStats* WindowStats::find(std::string_view bank_id) const {
  const auto index = banks.find(bank_id);
  if (!index || *index >= per_bank.size()) return nullptr;
  return &per_bank[*index];
}

}  // namespace payops
