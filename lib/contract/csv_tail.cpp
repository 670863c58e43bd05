// The recent end of transactions.csv, read backwards from EOF so the cost follows the window.
#include "contract/csv_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "contract/transaction.h"

namespace payops {
namespace {

constexpr std::size_t kFirstBlockBytes = 64 * 1024;

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Reads exactly n bytes at offset (the file only grows, so they are there).
bool pread_exact(int fd, char* buf, std::size_t n, std::uint64_t offset) {
  while (n > 0) {
    const ssize_t got = ::pread(fd, buf, n, static_cast<off_t>(offset));
    if (got < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (got == 0) {
      errno = EIO;  // shorter than fstat said: the contract forbids truncation
      return false;
    }
    buf += got;
    n -= static_cast<std::size_t>(got);
    offset += static_cast<std::uint64_t>(got);
  }
  return true;
}

// The timestamp of the first complete line of block (whose first line is cut off unless at_bof),
// skipping lines whose timestamp does not parse. nullopt if none.
std::optional<TimeMs> first_complete_timestamp(std::string_view block, bool at_bof) {
  std::size_t pos = 0;
  if (!at_bof) {
    const std::size_t nl = block.find('\n');
    if (nl == std::string_view::npos) return std::nullopt;
    pos = nl + 1;
  }
  while (pos < block.size()) {
    const std::size_t nl = block.find('\n', pos);
    if (nl == std::string_view::npos) return std::nullopt;  // the partial last line
    const std::string_view line = block.substr(pos, nl - pos);
    if (line.size() > kTimestampLength && line[kTimestampLength] == ',') {
      if (const auto ts = parse_timestamp(line.substr(0, kTimestampLength))) return ts;
    }
    pos = nl + 1;
  }
  return std::nullopt;
}

}  // namespace

Result<TailWindow> read_tail(const std::string& path, TimeMs since_ms, TimeMs until_ms,
                             std::int64_t slack_ms) {
  // O_NONBLOCK: a FIFO planted at the path must not block the open; refused by the fstat below.
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) {
    const int err = errno;
    return make_error("cannot open " + path + ": " + std::strerror(err),
                      err == ENOENT ? Error::Kind::not_found : Error::Kind::failed);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    const int err = errno;
    return make_error("cannot stat " + path + ": " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode))
    return make_error(path + " is not a regular file (a FIFO or device is never a transactions log)",
                      Error::Kind::invalid_input);
  TailWindow w;
  w.file_size = static_cast<std::uint64_t>(st.st_size);
  const TimeMs stop_before = since_ms - slack_ms;

  // Grow the block backwards from EOF; each round reads only the new bytes in front of the old ones.
  std::uint64_t start = w.file_size;
  std::size_t block = kFirstBlockBytes;
  bool overlong = false;
  while (start > 0) {
    const std::uint64_t new_start = start > block ? start - block : 0;
    const auto added = static_cast<std::size_t>(start - new_start);
    std::vector<char> grown(added + w.buffer.size());
    if (!pread_exact(fd.get(), grown.data(), added, new_start)) {
      const int err = errno;
      return make_error("cannot read " + path + ": " + std::strerror(err));
    }
    if (!w.buffer.empty()) std::memcpy(grown.data() + added, w.buffer.data(), w.buffer.size());
    w.buffer = std::move(grown);
    w.bytes_read += added;
    start = new_start;
    const std::string_view data(w.buffer.data(), w.buffer.size());
    // A first line longer than the contract's line limit is malformed whatever it holds, and rows
    // are appended after it, so nothing in front of it is newer: stop here rather than read it all
    // (a 500 MB line, or a 500 MB unterminated last line, would cost seconds and its size in memory).
    if (start > 0) {
      const std::size_t nl = data.find('\n');
      if ((nl == std::string_view::npos ? data.size() : nl) > kMaxLineBytes) {
        overlong = true;
        break;
      }
    }
    const auto ts = first_complete_timestamp(data, start == 0);
    if (ts && *ts < stop_before) break;
    block *= 2;
  }
  w.file_offset = start;

  std::string_view data(w.buffer.data(), w.buffer.size());
  if (start > 0) {
    // The first line of the block may have been cut: it is not looked at.
    const std::size_t nl = data.find('\n');
    data = nl == std::string_view::npos ? std::string_view() : data.substr(nl + 1);
  }
  w.summary = csv_detail::scan_lines(data, 1, start == 0, [&](const RowView& row) {
    if (row.timestamp_ms < since_ms) return;
    if (until_ms > 0 && row.timestamp_ms >= until_ms) return;
    w.rows.push_back(row);
  });
  if (overlong) ++w.summary.malformed;  // the over-long line the reader stopped at (line number unknown)
  return w;
}

}  // namespace payops
