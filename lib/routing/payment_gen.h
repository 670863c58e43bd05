// Realistic payments for the simulated world: a currency mix (exact minor units per currency),
// payment methods that fit the currency, log-normal amounts, and transaction ids from the seeded rng.
#pragma once

#include <cstdint>
#include <string_view>

#include "contract/money.h"
#include "platform/random.h"
#include "contract/transaction.h"

namespace payops {

inline constexpr std::size_t kTransactionIdLength = 20;  // "txn_" + 16 lowercase hex

struct Payment {
  char transaction_id[kTransactionIdLength] = {};  // not NUL-terminated; use id()
  std::int64_t amount_minor = 0;
  const CurrencyInfo* currency = nullptr;  // points into the static currency table
  PaymentMethod method = PaymentMethod::card;

  std::string_view id() const { return {transaction_id, kTransactionIdLength}; }
};

// Writes "txn_" + the 16 lowercase hex digits of value into out.
void format_transaction_id(std::uint64_t value, char (&out)[kTransactionIdLength]);

// Draws payments from fixed tables (no allocation): currency by market share, method by currency
// (UPI only for INR), amount log-normal around a typical ticket of that currency, rounded to whole
// units half the time (people pay 500.00 more often than 497.31), within 1 unit .. max_minor.
class PaymentGenerator {
 public:
  PaymentGenerator();
  void next(Random& rng, Payment& out) const;
};

}  // namespace payops
