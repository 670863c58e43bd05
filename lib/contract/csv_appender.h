// The contract's appender for transactions.csv: O_APPEND descriptor, an exclusive flock held for the
// duration of each write() of whole rows, the header written only into an empty file under that lock,
// and a file with a foreign header refused. Nothing ever rewrites or truncates existing bytes.
//
// Rotation: a long-running writer follows its path, not its descriptor. Before a write it checks, at
// most once a second (or at once after a SIGHUP, see platform/stop_signal.h), whether the path now
// names another file (logrotate's `mv`, a delete); if so it opens the path again, creating the file
// and writing the header into it. Under the lock of every write it notices a file that shrank below
// what it last saw (`truncate -s 0`) and writes the header into a file found empty, so a truncated
// log never continues headerless. Each such event is reported once through the notice sink.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "platform/result.h"

namespace payops {

// What a writer appends to a torn last line (a writer killed inside a write()) before its own rows:
// eleven commas and a newline. Every torn line then reads as malformed: it either ends inside an open
// quote or has at least 12 fields. A bare newline could leave a prefix that reads as a shorter row.
inline constexpr std::string_view kTornLineEnd = ",,,,,,,,,,,\n";

class CsvAppender {
 public:
  // Opens (creating if needed, mode 0644) the log at path, without following a symlink and without
  // blocking on a FIFO: a link or non-regular file there is refused (kind invalid_input). Writes the header if the file is empty;
  // refuses, with the file name and the header found, a file whose first line is not the contract's.
  static Result<CsvAppender> open(const std::string& path);
  // Writes to an already open descriptor that is not a regular file (stdout to a pipe): no lock, no
  // header check; the header is written first if write_header (best effort: a broken stream reports
  // its error on the first append). The descriptor stays the caller's: it is not closed.
  static CsvAppender for_stream(int fd, bool write_header);

  CsvAppender(CsvAppender&& other) noexcept;
  CsvAppender& operator=(CsvAppender&& other) noexcept;
  CsvAppender(const CsvAppender&) = delete;
  CsvAppender& operator=(const CsvAppender&) = delete;
  ~CsvAppender();

  // REQUIRES: rows is empty or one or more whole rows, each ending in '\n'. Takes the lock, writes all
  // of it (looping on short writes while still holding the lock), releases. Empty input is a no-op.
  // If, under the lock, the file does not end in '\n' (a writer died inside a write(): kill -9
  // between pages of a large write, a full disk), a '\n' is appended first so the torn line stays
  // one malformed line and these rows stay whole; existing bytes are never changed.
  Status append(std::string_view rows);

  const std::string& path() const { return path_; }

  // Where rotation and truncation notices go, one sentence each naming the path (default: stderr,
  // prefixed "payops: "). Long-running tools keep the default: these are loud warnings by design.
  using NoticeSink = std::function<void(const std::string& sentence)>;
  void set_notice_sink(NoticeSink sink) { notice_ = std::move(sink); }
  // How often the path is re-checked for a new file (a stat); 0: before every write (tests). The
  // next check is due this long after the call.
  void set_follow_interval_ms(std::int64_t ms);
  std::uint64_t reopens() const { return reopens_; }          // files reopened (rotation or SIGHUP)
  std::uint64_t truncations() const { return truncations_; }  // shrunk files found under the lock

 private:
  CsvAppender(int fd, std::string path, bool regular);
  // Reopens by path when the path names another file than fd_, or a SIGHUP came; at most once per
  // follow interval otherwise. A failed reopen is reported and retried later; writing goes on to the
  // old file meanwhile (losing rows to an unlinked file is better than stopping the traffic).
  void follow_path();
  void notice(const std::string& sentence) const;
  Status append_locked(std::string_view rows);
  int fd_ = -1;
  std::string path_;
  bool regular_ = true;
  bool owns_fd_ = true;
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  std::uint64_t known_end_ = 0;       // file size after our last write: a smaller size is a truncation
  std::int64_t next_check_ms_ = 0;    // steady-clock time of the next path check
  std::int64_t follow_interval_ms_ = 1000;
  std::uint64_t reopen_seen_ = 0;     // reopen_generation() at the last reopen check
  std::uint64_t reopens_ = 0;
  std::uint64_t truncations_ = 0;
  NoticeSink notice_;
};

}  // namespace payops
