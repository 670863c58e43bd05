// The contract's view of a simulator row: the TransactionRow that append_csv_row formats, so the
// simulator's own formatter and writer can be checked against the one CSV implementation.
#pragma once

#include <string>

#include "app/simulator_row_format.h"
#include "contract/csv_format.h"

namespace payops::test {

inline TransactionRow transaction_row_of(const SimulatorRow& r) {
  TransactionRow t;
  t.timestamp_ms = r.finish_ms;
  t.transaction_id.assign(r.transaction_id, kTransactionIdLength);
  t.amount_minor = r.amount_minor;
  t.currency = std::string(r.currency->code);
  t.type = r.method;
  t.bank_id = r.label->bank_id;
  t.bank_name = r.label->bank_name;
  t.status = r.code == ErrorCode::none ? TxnStatus::success : TxnStatus::failed;
  t.latency_ms = r.latency_ms;
  t.error_code = r.code;
  t.error_message = std::string(r.message);
  return t;
}

}  // namespace payops::test
