// Following one host's transactions.csv from a byte offset, as the contract's reader: only whole
// lines count (a last line without '\n' is a write in progress), the header is checked and skipped,
// malformed lines are skipped and counted by line number. Each good row keeps its byte offsets, so a
// bridge can name it (host + offset) and resume after it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contract/config_store.h"
#include "contract/csv_scan.h"
#include "platform/result.h"

namespace payops {

// One good row of the log: its bytes without the '\n', where it starts and where the next line starts.
struct FollowedRow {
  std::uint64_t offset = 0;  // byte offset of the row's first byte
  std::uint64_t end = 0;     // offset just after its '\n' (where the next line starts)
  std::string_view line;     // points into the follower's buffer; valid until the next read_batch()
  TimeMs timestamp_ms = 0;
};

class LogFollower {
 public:
  // start_offset must be 0 or the start of a line (the end of a row a bridge published before).
  // Line numbers of malformed lines are absolute: open() counts the '\n's before start_offset.
  // Errors: not_found while the file does not exist (a caller may wait for it), failed on I/O, and
  // failed when the file is shorter than start_offset (it was replaced: the contract never truncates).
  static Result<LogFollower> open(std::string path, std::uint64_t start_offset);

  // Reads whole lines appended since the last call, up to about max_bytes (at least one whole line
  // however long it is, up to the contract's 64 KiB limit plus one). Returns the good rows; malformed
  // lines are added to summary(). An empty result means nothing new (or only a partial last line).
  // Errors: a first line that is not the contract's header (the file is refused, never guessed at);
  // the file replaced by another (new inode) or truncated below what was read.
  Result<std::vector<FollowedRow>> read_batch(std::size_t max_bytes);

  std::uint64_t offset() const { return offset_; }  // where the next unread line starts
  const ScanSummary& summary() const { return summary_; }  // malformed lines and rows so far
  const std::string& path() const { return path_; }

 private:
  LogFollower(std::string path, std::uint64_t offset, std::uint64_t next_line, FileIdentity id);
  std::string path_;
  std::uint64_t offset_ = 0;
  std::uint64_t next_line_ = 1;  // 1-based number of the line that starts at offset_
  FileIdentity identity_;
  std::string buffer_;
  ScanSummary summary_;
};

}  // namespace payops
