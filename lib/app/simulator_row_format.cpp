// Simulator rows as CSV text, with append_csv_row's output for whatever repeats cut out once.
#include "app/simulator_row_format.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "contract/csv_format.h"

namespace payops {
namespace {

constexpr std::size_t kMaxTails = 256;  // distinct (error code, message) pairs kept formatted
// The most bytes a row's own numbers take: "YYYY-MM-DDTHH:MM:SS.mmmZ," + id + "," + amount (19
// digits, a point, a leading zero) + the latency's 19 digits.
constexpr std::size_t kNumbersBytes = kTimestampLength + 1 + kTransactionIdLength + 1 + 22 + 20;

// "000" .. "999": a timestamp's milliseconds by table, not by three divisions.
struct MillisTable {
  char digits[1000][4];
};
constexpr MillisTable kMillis = [] {
  MillisTable t{};
  for (int i = 0; i < 1000; ++i) {
    t.digits[i][0] = static_cast<char>('0' + i / 100);
    t.digits[i][1] = static_cast<char>('0' + i / 10 % 10);
    t.digits[i][2] = static_cast<char>('0' + i % 10);
  }
  return t;
}();

// A row whose every field is plain ASCII without commas; callers set the fields they cut out.
TransactionRow template_row() {
  TransactionRow row;
  row.timestamp_ms = 0;
  row.transaction_id = "txn_0000000000000000";
  row.currency = "INR";
  return row;
}

// Fields first..last (0-based, with the commas between them) of append_csv_row's text for row. The
// fields before first and after last must be plain (no comma, so no quoting): then counting commas
// from each end finds the cut, whatever the fields in between hold.
std::string cut_fields(const TransactionRow& row, int first, int last) {
  std::string text;
  append_csv_row(text, row);
  text.pop_back();  // the '\n'
  std::size_t begin = 0;
  for (int i = 0; i < first; ++i) begin = text.find(',', begin) + 1;
  std::size_t end = text.size();
  for (int i = kCsvFieldCount - 1; i > last; --i) end = text.rfind(',', end - 1);
  return text.substr(begin, end - begin);
}

// "," + fields + after (appended one by one: GCC 12's -Wrestrict misfires on operator+ here).
std::string framed(const std::string& fields, std::string_view after) {
  std::string text(1, ',');
  text.append(fields);
  text.append(after);
  return text;
}

std::string label_text(const std::string& id, const std::string& name) {
  TransactionRow row = template_row();
  row.bank_id = id;
  row.bank_name = name;
  return framed(cut_fields(row, 5, 6), ",");
}

std::string currency_text(std::string_view code, PaymentMethod method) {
  TransactionRow row = template_row();
  row.currency = code;
  row.type = method;
  return framed(cut_fields(row, 3, 4), "");
}

std::string tail_text(ErrorCode code, std::string_view message) {
  TransactionRow row = template_row();
  row.status = code == ErrorCode::none ? TxnStatus::success : TxnStatus::failed;
  row.error_code = code;
  row.error_message = message;
  return framed(cut_fields(row, 9, 10), "\n");
}

// The amount as append_amount writes it: integer digits (at least one), then a point and exactly
// `decimals` digits when decimals > 0. The usual decimals divide by a constant (a multiply), not by
// a run-time power of ten (a slow 64-bit division per row). REQUIRES: 0 <= decimals <= 18.
template <int kDecimals>
char* put_amount_fixed(char* out, std::uint64_t minor) {
  constexpr std::uint64_t kUnit = [] {
    std::uint64_t unit = 1;
    for (int d = 0; d < kDecimals; ++d) unit *= 10;
    return unit;
  }();
  out = std::to_chars(out, out + 20, minor / kUnit).ptr;
  if constexpr (kDecimals > 0) {
    *out++ = '.';
    std::uint64_t fraction = minor % kUnit;
    for (int d = kDecimals; d > 0; --d) {
      out[d - 1] = static_cast<char>('0' + fraction % 10);
      fraction /= 10;
    }
  }
  return out + kDecimals;
}

char* put_amount(char* out, std::uint64_t minor, int decimals) {
  switch (decimals) {
    case 0: return put_amount_fixed<0>(out, minor);
    case 2: return put_amount_fixed<2>(out, minor);
    case 3: return put_amount_fixed<3>(out, minor);
    default: break;
  }
  std::uint64_t unit = 1;
  for (int d = 0; d < decimals; ++d) unit *= 10;
  out = std::to_chars(out, out + 20, minor / unit).ptr;
  if (decimals == 0) return out;
  *out++ = '.';
  std::uint64_t fraction = minor % unit;
  for (int d = decimals; d > 0; --d) {
    out[d - 1] = static_cast<char>('0' + fraction % 10);
    fraction /= 10;
  }
  return out + decimals;
}

std::string status_text(TxnStatus status) {
  std::string text(to_string(status));
  text.push_back(',');
  return text;
}

int decimals_of(std::string_view code) {
  const auto info = find_currency(code);
  return info ? info->decimals : 2;  // append_csv_row's rule for an unknown currency
}

}  // namespace

CsvPiece::CsvPiece(std::string_view text)
    : size_(text.size()), bytes_(new char[text.size() + kSlackBytes]()) {
  // An empty piece (a success's error code) may have a null data(): memcpy from null is undefined even
  // for 0 bytes (UBSan stops there).
  if (!text.empty()) std::memcpy(bytes_.get(), text.data(), text.size());
}

char* CsvPiece::put(char* out) const {
  if (size_ <= kSlackBytes) {
    std::memcpy(out, bytes_.get(), kSlackBytes);  // one fixed-size move; the bytes past size_ are overwritten later
  } else {
    std::memcpy(out, bytes_.get(), size_);
  }
  return out + size_;
}

SimulatorLabel::SimulatorLabel(std::string id, std::string name, std::uint32_t stats_index)
    : bank_id(std::move(id)), bank_name(std::move(name)), stats(stats_index), csv(label_text(bank_id, bank_name)) {}

RowBuffer::RowBuffer(std::size_t capacity) : bytes_(new char[capacity]), capacity_(capacity) {}

char* RowBuffer::room(std::size_t n) {
  if (capacity_ - size_ < n) {
    const std::size_t capacity = std::max(capacity_ * 2, size_ + n);
    std::unique_ptr<char[]> bytes(new char[capacity]);
    std::memcpy(bytes.get(), bytes_.get(), size_);
    bytes_ = std::move(bytes);
    capacity_ = capacity;
  }
  return bytes_.get() + size_;
}

SimulatorRowFormatter::SimulatorRowFormatter()
    : success_tail_(tail_text(ErrorCode::none, {})),
      status_{CsvPiece(status_text(TxnStatus::success)), CsvPiece(status_text(TxnStatus::failed))} {
  known_ = known_currencies(&known_count_);
  by_currency_.resize(known_count_ * kPaymentMethodCount);
  tails_.reserve(kMaxTails);
}

// The lookups run once per row: the cached case inline, the first sight of a value out of line.
const CsvPiece& SimulatorRowFormatter::currency_and_method(const CurrencyInfo* currency, PaymentMethod method) {
  if (currency >= known_ && currency < known_ + known_count_) {
    const CsvPiece& piece =
        by_currency_[static_cast<std::size_t>(currency - known_) * kPaymentMethodCount + static_cast<std::size_t>(method)];
    if (piece.size() != 0) return piece;
  }
  return new_currency_and_method(currency, method);
}

const CsvPiece& SimulatorRowFormatter::new_currency_and_method(const CurrencyInfo* currency, PaymentMethod method) {
  CsvPiece text(currency_text(currency->code, method));
  if (currency >= known_ && currency < known_ + known_count_) {
    CsvPiece& piece =
        by_currency_[static_cast<std::size_t>(currency - known_) * kPaymentMethodCount + static_cast<std::size_t>(method)];
    piece = std::move(text);
    return piece;
  }
  other_currency_ = std::move(text);
  return other_currency_;
}

const CsvPiece& SimulatorRowFormatter::tail(ErrorCode code, std::string_view message) {
  if (code == ErrorCode::none && message.empty()) return success_tail_;
  for (const Tail& t : tails_)
    if (t.code == code && t.message == message) return t.csv;
  return new_tail(code, message);
}

const CsvPiece& SimulatorRowFormatter::new_tail(ErrorCode code, std::string_view message) {
  if (tails_.size() == kMaxTails) {
    uncached_tail_ = CsvPiece(tail_text(code, message));
    return uncached_tail_;
  }
  tails_.push_back(Tail{code, std::string(message), CsvPiece(tail_text(code, message))});
  return tails_.back().csv;
}

// format_timestamp's 24 bytes, the part before the milliseconds worked out once per second (rows
// come in time order, many to a second).
char* SimulatorRowFormatter::put_timestamp(TimeMs t, char* out) {
  if (t < 0) {  // before 1970: rare enough to leave to the calendar code
    format_timestamp(t, out);
    return out + kTimestampLength;
  }
  const TimeMs second = t / 1000;
  if (second != second_) {
    format_timestamp(second * 1000, second_text_);
    second_ = second;
  }
  std::memcpy(out, second_text_, kTimestampLength);
  std::memcpy(out + 20, kMillis.digits[t % 1000], 3);
  return out + kTimestampLength;
}

void SimulatorRowFormatter::append(const SimulatorRow& row, RowBuffer& out) {
  const CsvPiece& money = currency_and_method(row.currency, row.method);
  const CsvPiece& label = row.label->csv;
  const CsvPiece& end = tail(row.code, row.message);
  const bool known = row.currency >= known_ && row.currency < known_ + known_count_;
  const int decimals = known ? row.currency->decimals : decimals_of(row.currency->code);

  const CsvPiece& status = status_[row.code == ErrorCode::none ? 0 : 1];
  char* p = out.room(kNumbersBytes + money.size() + label.size() + status.size() + end.size() + CsvPiece::kSlackBytes);
  p = put_timestamp(row.finish_ms, p);
  *p++ = ',';
  std::memcpy(p, row.transaction_id, kTransactionIdLength);
  p += kTransactionIdLength;
  *p++ = ',';
  p = put_amount(p, static_cast<std::uint64_t>(row.amount_minor), decimals);
  p = money.put(p);
  p = label.put(p);
  p = status.put(p);
  // A negative latency can only come from a clock step; the contract's column is non-negative.
  p = std::to_chars(p, p + 20, row.latency_ms < 0 ? 0 : row.latency_ms).ptr;
  p = end.put(p);
  out.commit(p);
}

}  // namespace payops
