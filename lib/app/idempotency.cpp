// Key -> transaction id, and the recorded attempts of that id in the recent log.
#include "app/idempotency.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "contract/csv_format.h"
#include "contract/csv_tail.h"
#include "contract/file_lock.h"
#include "routing/payment_gen.h"

namespace payops {

Status validate_idempotency_key(std::string_view key) {
  if (key.empty()) return make_error("the idempotency key is empty", Error::Kind::invalid_input);
  if (key.size() > kMaxIdempotencyKeyBytes)
    return make_error(fmt::format("the idempotency key is {} bytes long; the most is {}", key.size(),
                                  kMaxIdempotencyKeyBytes),
                      Error::Kind::invalid_input);
  for (char c : key) {
    const auto b = static_cast<unsigned char>(c);
    if (b < 0x20 || b == 0x7F)
      return make_error("the idempotency key holds a control character", Error::Kind::invalid_input);
  }
  return ok_status();
}

std::uint64_t fnv1a_64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::string transaction_id_for_key(std::string_view key) {
  char id[kTransactionIdLength];
  format_transaction_id(fnv1a_64(key), id);
  return std::string(id, kTransactionIdLength);
}

std::int64_t key_lock_offset(std::string_view key) {
  return static_cast<std::int64_t>(fnv1a_64(key) >> 2);
}

Result<KeyLock> KeyLock::acquire(const std::string& csv_path, std::string_view key, std::int64_t wait_ms) {
  // O_NONBLOCK so a FIFO planted at the path cannot block the open; refused below.
  const int fd = ::open(csv_path.c_str(), O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    return make_error(fmt::format("cannot open {} to lock the idempotency key: {}", csv_path,
                                  err == ELOOP ? "it is a symbolic link" : std::strerror(err)));
  }
  KeyLock lock(fd);  // closes fd on every path below
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    return make_error(fmt::format("cannot lock the idempotency key: {} is not a regular file", csv_path),
                      Error::Kind::invalid_input);
  struct flock range {};
  range.l_type = F_WRLCK;
  range.l_whence = SEEK_SET;
  range.l_start = static_cast<off_t>(key_lock_offset(key));
  range.l_len = 1;
  const auto take = [fd, &range](bool block) { return ::fcntl(fd, block ? F_OFD_SETLKW : F_OFD_SETLK, &range); };
  int err = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  switch (wait_for_lock(take, deadline, err)) {
    case LockWait::acquired: return lock;
    case LockWait::timed_out:
      return make_error("another checkout with this idempotency key is still in flight; its outcome is not "
                        "known yet: retry later with the same key to see it (nothing was charged by this run)",
                        Error::Kind::lock_timeout);
    case LockWait::failed: break;
  }
  return make_error(fmt::format("cannot lock the idempotency key in {}: {}", csv_path, std::strerror(err)));
}

KeyLock::~KeyLock() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::vector<RecordedAttempt>> find_recorded_attempts(const std::string& csv_path,
                                                            std::string_view id, TimeMs since_ms) {
  std::vector<RecordedAttempt> found;
  struct stat st {};
  if (::stat(csv_path.c_str(), &st) != 0 && errno == ENOENT) return found;
  auto tail = read_tail(csv_path, since_ms);
  if (!tail) return tail.error();
  for (const RowView& row : tail->rows) {
    if (row.transaction_id != id) continue;
    RecordedAttempt a;
    a.timestamp_ms = row.timestamp_ms;
    a.amount.assign(row.amount);
    a.currency.assign(row.currency);
    a.type = row.type;
    a.bank_id.assign(row.bank_id);
    a.bank_name = unquote_field(row.bank_name_raw);
    a.status = row.status;
    a.latency_ms = row.latency_ms;
    a.error_code = row.error_code;
    a.error_message = unquote_field(row.error_message_raw);
    found.push_back(std::move(a));
  }
  return found;
}

}  // namespace payops
