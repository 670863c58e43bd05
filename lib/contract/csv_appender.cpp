// Appending whole rows to transactions.csv under the contract's writing rules.
#include "contract/csv_appender.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "contract/transaction.h"
#include "platform/stop_signal.h"

namespace payops {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

std::int64_t steady_now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Holds flock(LOCK_EX) on fd for its lifetime.
class ExclusiveLock {
 public:
  explicit ExclusiveLock(int fd) : fd_(fd) {
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) {
        err_ = errno;
        return;
      }
    }
    held_ = true;
  }
  ExclusiveLock(const ExclusiveLock&) = delete;
  ExclusiveLock& operator=(const ExclusiveLock&) = delete;
  ~ExclusiveLock() {
    if (held_) ::flock(fd_, LOCK_UN);
  }
  bool held() const { return held_; }
  int error() const { return err_; }

 private:
  int fd_;
  bool held_ = false;
  int err_ = 0;
};

// write() all of data, looping on short writes and EINTR. Returns 0 or an errno.
int write_all(int fd, std::string_view data) {
  const char* p = data.data();
  std::size_t n = data.size();
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return 0;
}

// Printable form of bytes found in a foreign file, for an error message: control and non-ASCII
// bytes as \xNN, at most `limit` input bytes.
std::string escape_for_message(std::string_view s, std::size_t limit) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < limit; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (s.size() > limit) out += "...";
  return out;
}

// Under the lock: the file is empty (write the header) or starts with the header line (accept);
// anything else is refused and left as it is.
Status check_or_write_header(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error("cannot stat " + path + ": " + errno_text(errno));
  if (st.st_size == 0) {
    std::string header(kCsvHeader);
    header.push_back('\n');
    if (const int err = write_all(fd, header)) {
      return make_error("cannot write the header to " + path + ": " + errno_text(err));
    }
    return ok_status();
  }
  constexpr std::size_t kShown = 200;
  char buf[kCsvHeader.size() + 1 + kShown];
  const std::size_t want = std::min<std::size_t>(sizeof buf, static_cast<std::size_t>(st.st_size));
  std::size_t got = 0;
  while (got < want) {
    const ssize_t r = ::pread(fd, buf + got, want - got, static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return make_error("cannot read " + path + ": " + errno_text(errno));
    if (r == 0) break;
    got += static_cast<std::size_t>(r);
  }
  const std::string_view found(buf, got);
  const std::size_t nl = found.find('\n');
  if (nl != std::string_view::npos && found.substr(0, nl) == kCsvHeader) return ok_status();
  const std::string_view first_line = nl == std::string_view::npos ? found : found.substr(0, nl);
  std::string what = nl == std::string_view::npos && static_cast<std::size_t>(st.st_size) <= got
                         ? "starts with an incomplete line \"" + escape_for_message(first_line, kShown) + "\""
                         : "has the first line \"" + escape_for_message(first_line, kShown) + "\"";
  return make_error(path + " is not a payops transactions log: it " + what +
                        ", expected the header \"" + std::string(kCsvHeader) +
                        "\". Refusing to append (the file is left as it is); move it away or "
                        "choose another file.",
                    Error::Kind::conflict);
}

}  // namespace

CsvAppender::CsvAppender(int fd, std::string path, bool regular)
    : fd_(fd), path_(std::move(path)), regular_(regular) {}

Result<CsvAppender> CsvAppender::open(const std::string& path) {
  // O_RDWR, not O_WRONLY: the header check reads the first line through the same descriptor.
  // O_NOFOLLOW: a symlink planted at the log would make us create or append to its target.
  // O_NONBLOCK: a FIFO planted there must not block the open; it is refused by the fstat below.
  const int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0644);
  if (fd < 0) {
    const int err = errno;
    if (err == ELOOP)
      return make_error(path + " is a symbolic link; the log is never written through a link (remove it, or "
                               "point --data-dir at the real directory)",
                        Error::Kind::invalid_input);
    return make_error("cannot open " + path + " for appending: " + errno_text(err));
  }
  CsvAppender appender(fd, path, true);  // closes fd on every error path below
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error("cannot stat " + path + ": " + errno_text(errno));
  if (!S_ISREG(st.st_mode)) {
    return make_error(path + " is not a regular file (a FIFO, device or directory); the log must be one",
                      Error::Kind::invalid_input);
  }
  if (::fcntl(fd, F_SETFL, O_RDWR | O_APPEND) != 0)  // back to blocking writes, keeping O_APPEND
    return make_error("cannot set the flags of " + path + ": " + errno_text(errno));
  {
    ExclusiveLock lock(fd);
    if (!lock.held()) {
      return make_error("cannot lock " + path + ": " + errno_text(lock.error()));
    }
    Status header = check_or_write_header(fd, path);
    if (!header.ok()) return header.error();
    if (::fstat(fd, &st) != 0) return make_error("cannot stat " + path + ": " + errno_text(errno));
  }
  appender.dev_ = st.st_dev;
  appender.ino_ = st.st_ino;
  appender.known_end_ = static_cast<std::uint64_t>(st.st_size);
  appender.reopen_seen_ = reopen_generation();
  appender.next_check_ms_ = steady_now_ms() + appender.follow_interval_ms_;
  return appender;
}

CsvAppender CsvAppender::for_stream(int fd, bool write_header) {
  CsvAppender appender(fd, "<stream>", false);
  appender.owns_fd_ = false;
  if (write_header) {
    std::string header(kCsvHeader);
    header.push_back('\n');
    // Best effort: a failing stream fails again, with its error, on the first append().
    (void)write_all(fd, header);
  }
  return appender;
}

CsvAppender::CsvAppender(CsvAppender&& other) noexcept { *this = std::move(other); }

CsvAppender& CsvAppender::operator=(CsvAppender&& other) noexcept {
  if (this != &other) {
    if (owns_fd_ && fd_ >= 0) ::close(fd_);
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    regular_ = other.regular_;
    owns_fd_ = other.owns_fd_;
    dev_ = other.dev_;
    ino_ = other.ino_;
    known_end_ = other.known_end_;
    next_check_ms_ = other.next_check_ms_;
    follow_interval_ms_ = other.follow_interval_ms_;
    reopen_seen_ = other.reopen_seen_;
    reopens_ = other.reopens_;
    truncations_ = other.truncations_;
    notice_ = std::move(other.notice_);
    other.fd_ = -1;
  }
  return *this;
}

CsvAppender::~CsvAppender() {
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
}

void CsvAppender::notice(const std::string& sentence) const {
  if (notice_) {
    notice_(sentence);
  } else {
    std::fprintf(stderr, "payops: %s\n", sentence.c_str());
  }
}

void CsvAppender::set_follow_interval_ms(std::int64_t ms) {
  follow_interval_ms_ = ms;
  next_check_ms_ = steady_now_ms() + ms;
}

void CsvAppender::follow_path() {
  const std::uint64_t generation = reopen_generation();
  const std::int64_t now_ms = steady_now_ms();
  const bool hangup = generation != reopen_seen_;
  if (!hangup && now_ms < next_check_ms_) return;
  reopen_seen_ = generation;
  next_check_ms_ = now_ms + follow_interval_ms_;
  struct stat st {};
  const bool exists = ::stat(path_.c_str(), &st) == 0;
  const bool same_file = exists && st.st_dev == dev_ && st.st_ino == ino_;
  if (same_file && !hangup) return;
  auto fresh = CsvAppender::open(path_);
  if (!fresh.ok()) {
    notice(fmt::format("cannot reopen the transactions log after {}: {}; still writing to the old file, "
                       "retrying in {} ms",
                       hangup ? "SIGHUP" : "it was rotated", fresh.error().message, follow_interval_ms_));
    return;
  }
  if (owns_fd_ && fd_ >= 0) ::close(fd_);
  fd_ = fresh->fd_;
  fresh->fd_ = -1;
  dev_ = fresh->dev_;
  ino_ = fresh->ino_;
  known_end_ = fresh->known_end_;
  ++reopens_;
  if (same_file) {
    notice(fmt::format("{}: reopened on SIGHUP (same file, {} bytes)", path_, known_end_));
  } else {
    notice(fmt::format("{} {}: reopened it by path and writing there ({} bytes, header included)", path_,
                       exists ? "now names another file (rotated)" : "was moved away or deleted", known_end_));
  }
}

Status CsvAppender::append(std::string_view rows) {
  if (rows.empty()) return ok_status();
  if (fd_ < 0) return make_error("append to a closed CSV appender");
  if (!regular_) {
    if (const int err = write_all(fd_, rows)) {
      return make_error("cannot write rows to " + path_ + ": " + errno_text(err));
    }
    return ok_status();
  }
  follow_path();
  ExclusiveLock lock(fd_);
  if (!lock.held()) return make_error("cannot lock " + path_ + ": " + errno_text(lock.error()));
  return append_locked(rows);
}

// REQUIRES: the lock on fd_ is held.
Status CsvAppender::append_locked(std::string_view rows) {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return make_error("cannot stat " + path_ + ": " + errno_text(errno));
  auto size = static_cast<std::uint64_t>(st.st_size);
  if (size < known_end_) {
    // Sizes only grow under the contract: someone truncated the file (truncate -s 0, `> file`).
    ++truncations_;
    notice(fmt::format("{} was truncated (from at least {} to {} bytes); {}", path_, known_end_, size,
                       size == 0 ? "writing the header again before the next rows" : "appending after what is left"));
  }
  if (size == 0) {  // a truncated file starts again with the header, like a new one
    std::string header(kCsvHeader);
    header.push_back('\n');
    if (const int err = write_all(fd_, header)) {
      return make_error("cannot write the header to " + path_ + ": " + errno_text(err));
    }
    size = header.size();
  } else {
    // A writer that died inside a write() (kill -9 between pages of a large write, a full disk) may
    // have left a torn last line. Ending it first keeps our rows whole: the torn line becomes one
    // malformed line that readers skip and count, and nothing already written is changed.
    // It is ended with kTornLineEnd, not a bare "\n": a tear inside the last field can leave a prefix
    // that reads as a whole row (torn right after the first quote of a `""` pair, that quote closes
    // the field; csv_kill9_test found one such row in 14 rounds).
    char last = '\n';
    ssize_t r;
    do {
      r = ::pread(fd_, &last, 1, static_cast<off_t>(size - 1));
    } while (r < 0 && errno == EINTR);
    if (r < 0) return make_error("cannot read " + path_ + ": " + errno_text(errno));
    if (r == 1 && last != '\n') {
      if (const int err = write_all(fd_, kTornLineEnd)) {
        return make_error("cannot write to " + path_ + ": " + errno_text(err));
      }
      size += kTornLineEnd.size();
    }
  }
  if (const int err = write_all(fd_, rows)) {
    return make_error("cannot append rows to " + path_ + ": " + errno_text(err));
  }
  known_end_ = size + rows.size();
  return ok_status();
}

}  // namespace payops
