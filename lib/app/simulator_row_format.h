// The simulator's rows as CSV text: byte for byte what contract/csv_format's append_csv_row writes
// for the same row, at a fraction of its cost. Whatever a row has in common with many others is
// formatted once, by append_csv_row itself, and cut out of the row it wrote: a bank's id and name
// when the label is made, a currency and method pair, an error code and message; the timestamp's
// "YYYY-MM-DDTHH:MM:SS." once per second. Per row only the milliseconds, the transaction id, the
// amount and the latency are written, into a buffer sized beforehand (no std::string per row).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "contract/money.h"
#include "contract/transaction.h"

namespace payops {

// Text copied into rows many times: short pieces (most) move with one fixed-size copy, so the buffer
// it goes to needs kSlackBytes of room beyond the piece.
class CsvPiece {
 public:
  static constexpr std::size_t kSlackBytes = 32;
  CsvPiece() : CsvPiece(std::string_view()) {}
  explicit CsvPiece(std::string_view text);
  CsvPiece(const CsvPiece& other) : CsvPiece(other.view()) {}
  CsvPiece& operator=(const CsvPiece& other) { return *this = CsvPiece(other.view()); }
  CsvPiece(CsvPiece&&) noexcept = default;
  CsvPiece& operator=(CsvPiece&&) noexcept = default;

  std::size_t size() const { return size_; }
  std::string_view view() const { return {bytes_.get(), size_}; }
  // Copies the piece to out and returns its end. REQUIRES: out has size() + kSlackBytes bytes of room.
  char* put(char* out) const;

 private:
  std::size_t size_ = 0;
  std::unique_ptr<char[]> bytes_;  // size_ + kSlackBytes, zero after the text
};

// A bank's id and name as rows print them. The writer holds pointers to labels: they must stay
// where they are (a std::deque that only grows at the end) and unchanged while rows are in flight.
struct SimulatorLabel {
  SimulatorLabel(std::string id, std::string name, std::uint32_t stats_index);
  std::string bank_id;
  std::string bank_name;
  std::uint32_t stats;  // index into the run's per-bank statistics
  CsvPiece csv;         // ",bank_id,bank_name," exactly as append_csv_row writes those two fields
};

// One finished attempt, as plain data: the currency and label point to long-lived tables, the
// message to static text.
struct SimulatorRow {
  TimeMs finish_ms;
  std::int64_t amount_minor;  // >= 0
  std::int64_t latency_ms;
  const CurrencyInfo* currency;
  const SimulatorLabel* label;
  std::string_view message;
  char transaction_id[kTransactionIdLength];  // as format_transaction_id writes it
  PaymentMethod method;
  ErrorCode code;
};

// Formatted rows waiting to be written: a plain byte buffer that grows, never zero-filled.
class RowBuffer {
 public:
  explicit RowBuffer(std::size_t capacity);
  std::string_view view() const { return {bytes_.get(), size_}; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }
  // The end of the buffered bytes, with at least n bytes of room after it.
  char* room(std::size_t n);
  // REQUIRES: end within the room room() gave, at or after the end it returned.
  void commit(const char* end) { size_ = static_cast<std::size_t>(end - bytes_.get()); }

 private:
  std::unique_ptr<char[]> bytes_;
  std::size_t size_ = 0, capacity_ = 0;
};

// Writes the same bytes append_csv_row writes for the row's TransactionRow (the unit test holds the
// two against each other). Keeps caches, so one per thread; not thread-safe.
class SimulatorRowFormatter {
 public:
  SimulatorRowFormatter();
  void append(const SimulatorRow& row, RowBuffer& out);

 private:
  struct Tail {
    ErrorCode code;
    std::string message;
    CsvPiece csv;  // ",error_code,error_message\n"
  };
  const CsvPiece& currency_and_method(const CurrencyInfo* currency, PaymentMethod method);
  const CsvPiece& tail(ErrorCode code, std::string_view message);
  [[gnu::noinline]] const CsvPiece& new_currency_and_method(const CurrencyInfo* currency, PaymentMethod method);
  [[gnu::noinline]] const CsvPiece& new_tail(ErrorCode code, std::string_view message);
  char* put_timestamp(TimeMs t, char* out);

  TimeMs second_ = -1;  // the second whose "YYYY-MM-DDTHH:MM:SS." second_text_ holds
  char second_text_[kTimestampLength] = {};
  const CurrencyInfo* known_ = nullptr;  // the static currency table (money.h)
  std::size_t known_count_ = 0;
  std::vector<CsvPiece> by_currency_;  // ",CUR,method" by known currency index x method, lazily
  CsvPiece other_currency_;            // the same for a currency outside that table (tests)
  std::vector<Tail> tails_;            // the failures seen so far, by code and message
  CsvPiece uncached_tail_;             // past kMaxTails distinct failures
  CsvPiece success_tail_;              // ",,\n"
  CsvPiece status_[2];                 // "success,", "failed,"
};

}  // namespace payops
