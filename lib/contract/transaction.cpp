// The vocabularies of a transactions.csv row: names of statuses, payment methods and error codes,
// the kind of each error code, and the transaction id format.
#include "contract/transaction.h"

#include <array>

namespace payops {
namespace {

constexpr std::array<std::string_view, 2> kStatusNames = {"success", "failed"};
constexpr std::array<std::string_view, kPaymentMethodCount> kMethodNames = {
    "card", "upi", "netbanking", "wallet", "bank_transfer"};
constexpr std::array<std::string_view, kErrorCodeCount> kErrorCodeNames = {
    "",
    "GATEWAY_TIMEOUT",
    "BANK_UNAVAILABLE",
    "RATE_LIMITED",
    "NETWORK_ERROR",
    "INSUFFICIENT_FUNDS",
    "DO_NOT_HONOR",
    "CARD_EXPIRED",
    "INVALID_CARD",
    "FRAUD_SUSPECTED",
    "NO_ROUTE",
};

// Equality for the short vocabulary words, inlined: the scanner calls these per row, where a
// memcmp call per comparison costs more than the comparison.
inline bool same(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(TxnStatus s) { return kStatusNames[static_cast<std::size_t>(s)]; }

std::optional<TxnStatus> parse_txn_status(std::string_view s) {
  if (same(s, kStatusNames[0])) return TxnStatus::success;
  if (same(s, kStatusNames[1])) return TxnStatus::failed;
  return std::nullopt;
}

std::string_view to_string(PaymentMethod m) { return kMethodNames[static_cast<std::size_t>(m)]; }

std::optional<PaymentMethod> parse_payment_method(std::string_view s) {
  for (std::size_t i = 0; i < kMethodNames.size(); ++i) {
    if (same(s, kMethodNames[i])) return static_cast<PaymentMethod>(i);
  }
  return std::nullopt;
}

std::string_view to_string(ErrorCode c) { return kErrorCodeNames[static_cast<std::size_t>(c)]; }

std::optional<ErrorCode> parse_error_code(std::string_view s) {
  if (s.empty()) return ErrorCode::none;
  for (std::size_t i = 1; i < kErrorCodeNames.size(); ++i) {
    if (same(s, kErrorCodeNames[i])) return static_cast<ErrorCode>(i);
  }
  return std::nullopt;
}

ErrorKind kind_of(ErrorCode c) {
  switch (c) {
    case ErrorCode::none:
      return ErrorKind::none;
    case ErrorCode::GATEWAY_TIMEOUT:
    case ErrorCode::BANK_UNAVAILABLE:
    case ErrorCode::RATE_LIMITED:
    case ErrorCode::NETWORK_ERROR:
      return ErrorKind::soft;
    case ErrorCode::INSUFFICIENT_FUNDS:
    case ErrorCode::DO_NOT_HONOR:
    case ErrorCode::CARD_EXPIRED:
    case ErrorCode::INVALID_CARD:
    case ErrorCode::FRAUD_SUSPECTED:
      return ErrorKind::hard;
    case ErrorCode::NO_ROUTE:
      return ErrorKind::routing;
  }
  return ErrorKind::none;
}

std::string_view meaning_of(ErrorCode c) {
  switch (c) {
    case ErrorCode::none:
      return "The payment went through.";
    case ErrorCode::GATEWAY_TIMEOUT:
      return "The payment gateway did not answer in time; no money was taken.";
    case ErrorCode::BANK_UNAVAILABLE:
      return "The bank was unavailable; no money was taken.";
    case ErrorCode::RATE_LIMITED:
      return "The gateway is receiving too many requests right now; no money was taken.";
    case ErrorCode::NETWORK_ERROR:
      return "A network error interrupted the payment; no money was taken.";
    case ErrorCode::INSUFFICIENT_FUNDS:
      return "The card issuer declined the payment: insufficient funds.";
    case ErrorCode::DO_NOT_HONOR:
      return "The card issuer declined the payment; the customer should contact their bank.";
    case ErrorCode::CARD_EXPIRED:
      return "The card has expired.";
    case ErrorCode::INVALID_CARD:
      return "The card details are not valid.";
    case ErrorCode::FRAUD_SUSPECTED:
      return "The issuer declined the payment as suspected fraud.";
    case ErrorCode::NO_ROUTE:
      return "No payment provider is available right now; no money was taken.";
  }
  return "";
}

bool is_transaction_id(std::string_view s) { return transaction_key(s).has_value(); }

namespace {
// Hex digit values; 0xFF for anything else (only lowercase is the contract's form).
constexpr std::array<std::uint8_t, 256> kHexValue = [] {
  std::array<std::uint8_t, 256> t{};
  t.fill(0xFF);
  for (int c = 0; c < 10; ++c) t[static_cast<std::size_t>('0' + c)] = static_cast<std::uint8_t>(c);
  for (int c = 0; c < 6; ++c) t[static_cast<std::size_t>('a' + c)] = static_cast<std::uint8_t>(10 + c);
  return t;
}();
}  // namespace

std::optional<std::uint64_t> transaction_key(std::string_view id) {
  if (id.size() != 20 || id.substr(0, 4) != "txn_") return std::nullopt;
  std::uint64_t key = 0;
  std::uint8_t bad = 0;
  for (std::size_t i = 4; i < 20; ++i) {
    const std::uint8_t v = kHexValue[static_cast<unsigned char>(id[i])];
    bad |= v & 0xF0;  // one check at the end instead of a branch per digit
    key = (key << 4) | (v & 0x0F);
  }
  if (bad) return std::nullopt;
  return key;
}

}  // namespace payops
