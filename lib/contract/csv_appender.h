// The contract's appender for transactions.csv: O_APPEND descriptor, an exclusive flock held for the
// duration of each write() of whole rows, the header written only into an empty file under that lock,
// and a file with a foreign header refused. Nothing ever rewrites or truncates existing bytes.
#pragma once

#include <string>
#include <string_view>

#include "platform/result.h"

namespace payops {

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

 private:
  CsvAppender(int fd, std::string path, bool regular);
  int fd_ = -1;
  std::string path_;
  bool regular_ = true;
  bool owns_fd_ = true;
};

}  // namespace payops
