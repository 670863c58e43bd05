// What customers feel, per payment: a transactions.csv reduced to one record per payment (its rows
// share a transaction_id) and the payment-level metrics the scorecard compares across runs:
// eventual success, first-attempt success, attempts per payment, end-to-end latency percentiles
// and payments that met a soft failure, over the payments that STARTED in a time range.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "platform/result.h"
#include "platform/time_util.h"
#include "agent/window_stats.h"

namespace payops {

// One payment. start_ms is its first attempt's start (a row's timestamp is its finish, so a row
// started at timestamp - latency_ms); the first attempt is the row that started earliest, whatever
// the order the rows were written in. end_ms is the last row's finish, so retries and backoff count.
struct PaymentRecord {
  TimeMs start_ms = 0;
  TimeMs end_ms = 0;
  std::uint32_t attempts = 0;    // rows, NO_ROUTE rows included (the customer tried and was refused)
  std::uint32_t successes = 0;   // more than one is a double charge
  std::int32_t first_bank = -1;  // into PaymentLog::banks; -1: the first row was NO_ROUTE
  bool first_succeeded = false;
  bool met_soft_failure = false; // some attempt failed softly (the bank's or gateway's fault)
  bool no_route = false;         // some row was NO_ROUTE
  bool succeeded() const { return successes > 0; }
  std::int64_t latency_ms() const { return end_ms - start_ms; }
};

// Per-bank attempt counts over the payments of a range (every attempt of those payments).
struct BankAttemptCounts {
  std::string bank_id;
  std::uint64_t first_attempts = 0;  // payments whose first attempt went here
  std::uint64_t attempts = 0;
  std::uint64_t successes = 0;
  std::uint64_t soft_failures = 0;
};

// One attempt row, compactly: which payment (index into PaymentLog::payments), which bank.
struct AttemptRef {
  std::uint32_t payment = 0;
  std::int32_t bank = -1;  // into PaymentLog::banks; -1 on NO_ROUTE
  ErrorKind kind = ErrorKind::none;
};

// A whole log as payments, sorted by start time.
struct PaymentLog {
  std::vector<PaymentRecord> payments;  // sorted by start_ms
  std::vector<AttemptRef> attempts;     // every row, in file order
  BankIndex banks;                      // bank ids of the rows
  std::uint64_t malformed_rows = 0;
  TimeMs first_start_ms = 0;  // earliest payment start (0 when empty)
  TimeMs last_row_ms = 0;     // latest row timestamp
};

// Reads path (an error naming it when it cannot be read). Rows are attributed to payments by
// transaction_id (the contract gives every row one, NO_ROUTE rows included; a row without is malformed).
Result<PaymentLog> read_payment_log(const std::string& path);

struct PaymentMetrics {
  std::uint64_t payments = 0;
  std::uint64_t succeeded = 0;
  std::uint64_t first_attempt_succeeded = 0;
  std::uint64_t attempts = 0;
  std::uint64_t met_soft_failure = 0;
  std::uint64_t no_route = 0;
  std::int64_t latency_p50_ms = 0, latency_p95_ms = 0, latency_p99_ms = 0;  // end to end
  std::vector<BankAttemptCounts> banks;  // banks with at least one attempt, in log order

  double eventual_success() const { return BankWindowStats::ratio(succeeded, payments); }
  double first_attempt_success() const { return BankWindowStats::ratio(first_attempt_succeeded, payments); }
  double attempts_per_payment() const { return BankWindowStats::ratio(attempts, payments); }
  double soft_failure_share() const { return BankWindowStats::ratio(met_soft_failure, payments); }
};

// The metrics over the payments that started in [from_ms, to_ms). Percentiles follow the project's
// one rule (LatencyHistogram::percentile).
PaymentMetrics payment_metrics(const PaymentLog& log, TimeMs from_ms, TimeMs to_ms);

// Share of the payments started in [from_ms, to_ms) whose first attempt went to bank_id; nullopt
// when fewer than min_payments started there (too few to say).
std::optional<double> first_attempt_share(const PaymentLog& log, const std::string& bank_id, TimeMs from_ms,
                                          TimeMs to_ms, std::uint64_t min_payments = 1);

}  // namespace payops
