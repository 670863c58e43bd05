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
// Transaction ids are random hex, but PaymentTracker::hash mixes them anyway so a sequential id
// scheme cannot cluster (each step is invertible, so equal hashes mean equal ids).
constexpr unsigned kMinTableBits = 10;
}  // namespace

void PaymentTracker::Table::set_limits() {
  // The whole table at most half full so probes stay short; each sub-table at most 3/4 full, so a
  // probe always ends even if ids crowd one sub-table (random ids spread evenly: it never binds).
  total_limit = slots.size() / 2;
  sub_limit = static_cast<std::uint32_t>((slots.size() >> kSubTableBits) / 4 * 3);
}

void PaymentTracker::Table::grow() {
  std::vector<std::uint64_t> old = std::move(slots);
  const unsigned old_bits = bits;
  bits = old.empty() ? kMinTableBits : bits + 1;
  slots.assign(std::size_t{1} << bits, 0);
  set_limits();
  for (std::size_t j = 0; j < old.size(); ++j) {
    if (old[j] == 0) continue;
    // The mix's top bits are the sub-table's number, the top bits of the old position.
    const std::uint64_t h = old[j] >> kSubTableBits | std::uint64_t{j >> (old_bits - kSubTableBits)} << (64 - kSubTableBits);
    std::size_t i = home(h);
    while (slots[i] != 0) i = next(i);
    slots[i] = old[j];
  }
}

void PaymentTracker::Table::clear(unsigned min_bits) {
  if (min_bits > bits) {
    bits = min_bits;
    slots.assign(std::size_t{1} << bits, 0);
    set_limits();
  } else {
    std::fill(slots.begin(), slots.end(), std::uint64_t{0});
  }
  std::fill(std::begin(used), std::end(used), 0u);
  total_used = 0;
}

void PaymentTracker::start_or_rotate(TimeMs t) {
  if (!generation_start_) {
    generation_start_ = t;
  } else if (t - *generation_start_ >= kPaymentHorizonMs) {
    // Rotate: ids first seen more than two horizons ago are forgotten. Reuse the old storage, at
    // least as large as the generation just ended needed. After a gap of two horizons or more, the
    // current generation is too old to keep as well.
    std::swap(previous_, current_);
    current_.clear(previous_.bits);
    if (t - *generation_start_ >= 2 * kPaymentHorizonMs) previous_.clear(0);
    generation_start_ = t;
  } else {
    return;  // t reached rotate_at_ only by its saturation: nothing to do
  }
  rotate_at_ = *generation_start_ > INT64_MAX - kPaymentHorizonMs ? INT64_MAX : *generation_start_ + kPaymentHorizonMs;
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
