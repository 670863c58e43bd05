// Payment records from a log, and payment-level metrics over a start-time range.
#include "report/payment_metrics.h"

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "contract/csv_scan.h"

namespace payops {
namespace {

// Folds one row into its payment. The first attempt is the one that started earliest: rows are
// written in finish order, so a quick retry can be written before a slow first attempt.
void add_row(PaymentRecord& p, const RowView& row, std::int32_t bank, bool first_row) {
  const TimeMs started = row.timestamp_ms - std::max<std::int64_t>(row.latency_ms, 0);
  const bool success = row.status == TxnStatus::success;
  if (first_row || started < p.start_ms) {
    p.start_ms = started;
    p.first_bank = bank;
    p.first_succeeded = success;
  }
  p.end_ms = first_row ? row.timestamp_ms : std::max(p.end_ms, row.timestamp_ms);
  ++p.attempts;
  p.successes += success;
  p.met_soft_failure |= kind_of(row.error_code) == ErrorKind::soft;
  p.no_route |= row.error_code == ErrorCode::NO_ROUTE;
}

}  // namespace

Result<PaymentLog> read_payment_log(const std::string& path) {
  auto file = MappedFile::open(path);
  if (!file.ok()) return file.error();
  PaymentLog log;
  std::unordered_map<std::string, std::uint32_t> index_of;  // transaction_id -> payment (file order)
  const ScanSummary summary = scan_buffer(file->data(), 1, true, [&](const RowView& row) {
    const std::int32_t bank = row.bank_id.empty() ? -1 : static_cast<std::int32_t>(log.banks.index_of(row.bank_id));
    const auto [it, inserted] =
        index_of.try_emplace(std::string(row.transaction_id), static_cast<std::uint32_t>(log.payments.size()));
    const std::uint32_t next = it->second;
    if (inserted) log.payments.emplace_back();
    add_row(log.payments[next], row, bank, inserted);
    log.attempts.push_back({next, bank, kind_of(row.error_code)});
    log.last_row_ms = std::max(log.last_row_ms, row.timestamp_ms);
  });
  log.malformed_rows = summary.malformed;

  // Sort payments by start and renumber the attempts' references to match.
  std::vector<std::uint32_t> order(log.payments.size());
  std::iota(order.begin(), order.end(), 0U);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    return log.payments[a].start_ms < log.payments[b].start_ms;
  });
  std::vector<std::uint32_t> new_index(order.size());
  std::vector<PaymentRecord> sorted;
  sorted.reserve(order.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) {
    new_index[order[i]] = i;
    sorted.push_back(log.payments[order[i]]);
  }
  log.payments = std::move(sorted);
  for (auto& a : log.attempts) a.payment = new_index[a.payment];
  log.first_start_ms = log.payments.empty() ? 0 : log.payments.front().start_ms;
  return log;
}

namespace {

// Index range of the payments that started in [from_ms, to_ms).
std::pair<std::size_t, std::size_t> started_in(const PaymentLog& log, TimeMs from_ms, TimeMs to_ms) {
  const auto by_start = [](const PaymentRecord& p, TimeMs t) { return p.start_ms < t; };
  const auto lo = std::lower_bound(log.payments.begin(), log.payments.end(), from_ms, by_start);
  const auto hi = std::lower_bound(lo, log.payments.end(), std::max(from_ms, to_ms), by_start);
  return {static_cast<std::size_t>(lo - log.payments.begin()), static_cast<std::size_t>(hi - log.payments.begin())};
}

}  // namespace

PaymentMetrics payment_metrics(const PaymentLog& log, TimeMs from_ms, TimeMs to_ms) {
  PaymentMetrics m;
  const auto [lo, hi] = started_in(log, from_ms, to_ms);
  LatencyHistogram latency;
  for (std::size_t i = lo; i < hi; ++i) {
    const PaymentRecord& p = log.payments[i];
    ++m.payments;
    m.succeeded += p.succeeded();
    m.first_attempt_succeeded += p.first_succeeded;
    m.attempts += p.attempts;
    m.met_soft_failure += p.met_soft_failure;
    m.no_route += p.no_route;
    latency.add(p.latency_ms());
  }
  m.latency_p50_ms = latency.percentile(0.50);
  m.latency_p95_ms = latency.percentile(0.95);
  m.latency_p99_ms = latency.percentile(0.99);

  std::vector<BankAttemptCounts> banks(log.banks.size());
  for (std::size_t b = 0; b < banks.size(); ++b) banks[b].bank_id = log.banks.id(b);
  for (const AttemptRef& a : log.attempts) {
    if (a.payment < lo || a.payment >= hi || a.bank < 0) continue;
    auto& b = banks[static_cast<std::size_t>(a.bank)];
    ++b.attempts;
    b.successes += a.kind == ErrorKind::none;
    b.soft_failures += a.kind == ErrorKind::soft;
  }
  for (std::size_t i = lo; i < hi; ++i)
    if (log.payments[i].first_bank >= 0) ++banks[static_cast<std::size_t>(log.payments[i].first_bank)].first_attempts;
  for (auto& b : banks)
    if (b.attempts > 0) m.banks.push_back(std::move(b));
  return m;
}

std::optional<double> first_attempt_share(const PaymentLog& log, const std::string& bank_id, TimeMs from_ms,
                                          TimeMs to_ms, std::uint64_t min_payments) {
  const auto [lo, hi] = started_in(log, from_ms, to_ms);
  if (hi - lo < std::max<std::uint64_t>(min_payments, 1)) return std::nullopt;
  const auto bank = log.banks.find(bank_id);
  std::uint64_t on_bank = 0;
  if (bank)
    for (std::size_t i = lo; i < hi; ++i) on_bank += log.payments[i].first_bank == static_cast<std::int32_t>(*bank);
  return BankWindowStats::ratio(on_bank, hi - lo);
}

}  // namespace payops
