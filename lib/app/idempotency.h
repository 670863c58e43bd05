// Idempotency keys for checkout: the transaction id a key stands for, and what the recent log already
// holds under that id, so a repeated request replays its recorded outcome instead of paying twice.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "platform/result.h"
#include "platform/time_util.h"
#include "contract/transaction.h"

namespace payops {

// A key is remembered for this long by default (checkout --idempotency-window).
inline constexpr std::int64_t kDefaultIdempotencyWindowMs = 24LL * 3600 * 1000;
inline constexpr std::size_t kMaxIdempotencyKeyBytes = 255;

// Refuses an empty key, one longer than kMaxIdempotencyKeyBytes, or one with control bytes
// (error kind invalid_input). The message never repeats the key (it may hold sensitive data).
Status validate_idempotency_key(std::string_view key);

// 64-bit FNV-1a of the key's bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
std::uint64_t fnv1a_64(std::string_view bytes);
// "txn_" + the 16 lowercase hex digits of fnv1a_64(key): the same key always names the same payment,
// in every process and on every machine.
std::string transaction_id_for_key(std::string_view key);

// Serialises the checkouts of one key across processes without a new shared file: an
// open-file-description record lock (fcntl F_OFD_SETLKW, F_WRLCK) on one byte of transactions.csv at
// key_lock_offset(key). Record locks are independent of the appenders' whole-file flock, so writers
// are never blocked by them, and the byte need not exist. The lock belongs to this object's own
// descriptor and dies with it (or with the process), so a crash never leaves a payment locked.
class KeyLock {
 public:
  // Opens csv_path (which must already exist: CsvAppender::open creates it) with
  // O_RDWR|O_NOFOLLOW|O_NONBLOCK and checks it is a regular file, then takes the lock, waiting up to
  // wait_ms (0: only a non-blocking try). A lock held past the wait is an error of kind
  // lock_timeout: another checkout with this key is still paying (checkout exit 6, "in flight").
  static Result<KeyLock> acquire(const std::string& csv_path, std::string_view key, std::int64_t wait_ms);

  KeyLock(KeyLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  KeyLock& operator=(KeyLock&&) = delete;
  KeyLock(const KeyLock&) = delete;
  KeyLock& operator=(const KeyLock&) = delete;
  ~KeyLock();  // closing the descriptor releases the lock

 private:
  explicit KeyLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// The locked byte: the key's FNV-1a hash cut to 62 bits, so offset + 1 never overflows off_t.
std::int64_t key_lock_offset(std::string_view key);

// One attempt as the log recorded it (owned copies of the row's fields, unquoted).
struct RecordedAttempt {
  TimeMs timestamp_ms = 0;
  std::string amount;  // decimal text as written
  std::string currency;
  PaymentMethod type = PaymentMethod::card;
  std::string bank_id;
  std::string bank_name;
  TxnStatus status = TxnStatus::success;
  std::int64_t latency_ms = 0;
  ErrorCode error_code = ErrorCode::none;
  std::string error_message;
};

// Every row with transaction_id == id whose timestamp is >= since_ms, in file order (for one checkout,
// the order of its attempts). Reads backwards from the end of the log (read_tail), so the cost
// depends on the window, not the log's size. A log that does not exist yet holds nothing.
Result<std::vector<RecordedAttempt>> find_recorded_attempts(const std::string& csv_path,
                                                            std::string_view id, TimeMs since_ms);

}  // namespace payops
