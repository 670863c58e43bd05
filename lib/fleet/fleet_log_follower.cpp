// LogFollower: incremental, contract-conforming reads of a growing transactions.csv.
#include "fleet/fleet_log_follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "contract/csv_parse.h"
#include "contract/transaction.h"

namespace payops {
namespace {

// pread() until n bytes or EOF; returns the bytes read or -1 with errno.
ssize_t pread_full(int fd, char* out, std::size_t n, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;
    if (r == 0) break;
    done += static_cast<std::size_t>(r);
  }
  return static_cast<ssize_t>(done);
}

// Counts '\n' in [0, end): the line number of the line starting at end is the count + 1.
Result<std::uint64_t> count_lines_before(int fd, const std::string& path, std::uint64_t end) {
  std::string chunk(std::size_t{1} << 20, '\0');
  std::uint64_t lines = 0;
  for (std::uint64_t pos = 0; pos < end;) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), end - pos));
    const ssize_t got = pread_full(fd, chunk.data(), want, pos);
    if (got <= 0) return make_error(fmt::format("cannot read {}: {}", path, got < 0 ? std::strerror(errno) : "file shrank"));
    for (ssize_t i = 0; i < got; ++i) lines += chunk[static_cast<std::size_t>(i)] == '\n';
    pos += static_cast<std::uint64_t>(got);
  }
  return lines;
}

}  // namespace

LogFollower::LogFollower(std::string path, std::uint64_t offset, std::uint64_t next_line, FileIdentity id)
    : path_(std::move(path)), offset_(offset), next_line_(next_line), identity_(id) {}

Result<LogFollower> LogFollower::open(std::string path, std::uint64_t start_offset) {
  // O_NONBLOCK, then fstat: a FIFO planted at the log's name is refused instead of hanging the bridge.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    return make_error(fmt::format("cannot open {}: {}", path, std::strerror(err)),
                      err == ENOENT ? Error::Kind::not_found : Error::Kind::failed);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(fmt::format("{} is not a regular file; refusing to follow it", path), Error::Kind::invalid_input);
  }
  FileIdentity id;
  id.dev = st.st_dev;
  id.ino = st.st_ino;
  if (static_cast<std::uint64_t>(st.st_size) < start_offset) {
    ::close(fd);
    return make_error(fmt::format("{} holds {} bytes but the stream already has rows up to byte {}: the log was "
                                  "replaced or truncated (the contract never truncates); refusing to guess",
                                  path, st.st_size, start_offset));
  }
  char before = '\n';
  if (start_offset > 0 && pread_full(fd, &before, 1, start_offset - 1) != 1) before = 0;
  auto lines = start_offset > 0 && before == '\n' ? count_lines_before(fd, path, start_offset) : Result<std::uint64_t>(0);
  ::close(fd);
  if (before != '\n') {
    return make_error(fmt::format("{}: byte {} (where the stream says this host's next row starts) does not follow a "
                                  "line end: the log is not the one the stream was fed from",
                                  path, start_offset));
  }
  if (!lines.ok()) return lines.error();
  return LogFollower(std::move(path), start_offset, *lines + 1, id);
}

Result<std::vector<FollowedRow>> LogFollower::read_batch(std::size_t max_bytes) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return make_error(fmt::format("cannot open {}: {}", path_, std::strerror(errno)));
  struct stat st {};
  ::fstat(fd, &st);
  if (st.st_ino != identity_.ino || st.st_dev != identity_.dev || static_cast<std::uint64_t>(st.st_size) < offset_) {
    ::close(fd);
    return make_error(fmt::format("{} was replaced or truncated while being followed (the contract's log is "
                                  "append-only); restart the bridge to resume from what the stream holds", path_));
  }
  const std::uint64_t available = static_cast<std::uint64_t>(st.st_size) - offset_;
  // Read at least one whole line: grow past max_bytes until a '\n' is in the buffer or the data ends.
  buffer_.clear();
  std::size_t scanned = 0;
  while (buffer_.size() < available) {
    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(std::max<std::size_t>(max_bytes, 4096), available - buffer_.size()));
    const std::size_t old = buffer_.size();
    buffer_.resize(old + want);
    const ssize_t got = pread_full(fd, buffer_.data() + old, want, offset_ + old);
    if (got < 0) {
      ::close(fd);
      return make_error(fmt::format("cannot read {}: {}", path_, std::strerror(errno)));
    }
    buffer_.resize(old + static_cast<std::size_t>(got));
    if (got == 0 || std::memchr(buffer_.data() + scanned, '\n', buffer_.size() - scanned) != nullptr) break;
    scanned = buffer_.size();
  }
  ::close(fd);
  const std::size_t last_nl = buffer_.rfind('\n');
  buffer_.resize(last_nl == std::string::npos ? 0 : last_nl + 1);

  std::vector<FollowedRow> rows;
  ScanSummary batch;
  RowView view;
  for (std::size_t pos = 0; pos < buffer_.size();) {
    const std::size_t nl = buffer_.find('\n', pos);
    const std::string_view line(buffer_.data() + pos, nl - pos);
    const std::uint64_t line_offset = offset_ + pos;
    if (line_offset == 0) {
      // The first line of the file must be the contract's header: anything else is refused.
      if (line != kCsvHeader) {
        return make_error(fmt::format("{}: the first line is not the contract's header (found \"{}\"); refusing to "
                                      "publish a file that is not a payops log",
                                      path_, line.substr(0, 120)));
      }
    } else if (const auto bad = parse_csv_line(line, view)) {
      ++batch.malformed;
      if (batch.first_malformed.size() < ScanSummary::kMaxNamedMalformed) batch.first_malformed.push_back({next_line_, *bad});
    } else {
      ++batch.rows;
      rows.push_back(FollowedRow{line_offset, offset_ + nl + 1, line, view.timestamp_ms});
    }
    ++batch.lines;
    ++next_line_;
    pos = nl + 1;
  }
  batch.bytes = buffer_.size();
  summary_.merge(batch);
  offset_ += buffer_.size();
  return rows;
}

}  // namespace payops
