// One row of transactions.csv, its column set and its vocabularies (status, payment method, error
// codes and their kinds). The single source of these names for every tool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "platform/time_util.h"

namespace payops {

inline constexpr std::string_view kCsvHeader =
    "timestamp,transaction_id,amount,currency,type,bank_id,bank_name,status,latency_ms,error_code,"
    "error_message";
inline constexpr int kCsvFieldCount = 11;
inline constexpr std::size_t kMaxErrorMessageBytes = 512;
inline constexpr std::size_t kMaxLineBytes = 64 * 1024;

enum class TxnStatus : std::uint8_t { success, failed };
std::string_view to_string(TxnStatus s);
std::optional<TxnStatus> parse_txn_status(std::string_view s);

enum class PaymentMethod : std::uint8_t { card, upi, netbanking, wallet, bank_transfer };
inline constexpr int kPaymentMethodCount = 5;
std::string_view to_string(PaymentMethod m);
std::optional<PaymentMethod> parse_payment_method(std::string_view s);

// `none` is the empty error_code of a successful row.
enum class ErrorCode : std::uint8_t {
  none,
  GATEWAY_TIMEOUT,
  BANK_UNAVAILABLE,
  RATE_LIMITED,
  NETWORK_ERROR,
  INSUFFICIENT_FUNDS,
  DO_NOT_HONOR,
  CARD_EXPIRED,
  INVALID_CARD,
  FRAUD_SUSPECTED,
  NO_ROUTE,
};
inline constexpr int kErrorCodeCount = 11;

// soft: the gateway/bank's fault, counts against its health, retried. hard: the issuer/customer's
// decline, never retried, never held against the bank. routing: no eligible bank.
enum class ErrorKind : std::uint8_t { none, soft, hard, routing };

std::string_view to_string(ErrorCode c);  // "" for none
std::optional<ErrorCode> parse_error_code(std::string_view s);  // "" parses as none
ErrorKind kind_of(ErrorCode c);
// One sentence a merchant understands, for receipts.
std::string_view meaning_of(ErrorCode c);

// An owned row, as writers build it.
struct TransactionRow {
  TimeMs timestamp_ms = 0;
  std::string transaction_id;  // "txn_" + 16 lowercase hex
  std::int64_t amount_minor = 0;
  std::string currency;  // ISO 4217, must be a known currency (money.h)
  PaymentMethod type = PaymentMethod::card;
  std::string bank_id;
  std::string bank_name;
  TxnStatus status = TxnStatus::success;
  std::int64_t latency_ms = 0;
  ErrorCode error_code = ErrorCode::none;
  std::string error_message;
};

// A parsed row that points into a read buffer: no allocation per row. Text fields keep their raw
// CSV form (still quoted if they were quoted); use unquote_field() to get the value.
struct RowView {
  TimeMs timestamp_ms = 0;
  std::string_view transaction_id;
  std::string_view amount;  // decimal text as written
  std::string_view currency;
  PaymentMethod type = PaymentMethod::card;
  std::string_view bank_id;  // [a-z0-9_]* (empty on NO_ROUTE rows), never quoted
  std::string_view bank_name_raw;
  TxnStatus status = TxnStatus::success;
  std::int64_t latency_ms = 0;
  ErrorCode error_code = ErrorCode::none;
  std::string_view error_message_raw;
};

// "txn_" followed by exactly 16 lowercase hex digits.
bool is_transaction_id(std::string_view s);

// The 64-bit value of those 16 hex digits, so a transaction id packs into an integer key;
// nullopt exactly when is_transaction_id is false.
std::optional<std::uint64_t> transaction_key(std::string_view transaction_id);

}  // namespace payops
