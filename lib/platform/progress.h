// Progress for long work, on a terminal only: one line ("simulator [12000/50000] 24%") redrawn in
// place with \r, fitted to the terminal's width so it never wraps, erased when the work ends. When the
// stream is not a terminal nothing is written at all, so pipes, files and CI logs stay clean.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace payops {

// What the numbers count: items ("[n/N]"), bytes (shown in MB) or milliseconds (shown in seconds).
enum class ProgressUnit { items, bytes, ms };

// Pure: "label [done/total] 42%" (items), "label 120/500 MB 24%" (bytes), "label 12/60 s 20%" (ms).
// total 0: the percentage is left out.
std::string progress_text(std::string_view label, std::uint64_t done, std::uint64_t total, ProgressUnit unit);

// One status line on a terminal. Inactive (every call a no-op) unless `stream` is a terminal.
// show() writes "\r" + the text fitted to the width - 1 (the last column would wrap on some
// terminals) + "\x1b[K"; erase() clears it. The destructor erases.
class StatusLine {
 public:
  explicit StatusLine(std::FILE* stream);
  ~StatusLine() { erase(); }
  StatusLine(const StatusLine&) = delete;
  StatusLine& operator=(const StatusLine&) = delete;

  bool active() const { return stream_ != nullptr; }
  void show(std::string_view text);
  void erase();

 private:
  std::FILE* stream_;  // null: not a terminal
  bool shown_ = false;
};

// Progress of work with a known total, cheap enough to update per row: update() is one comparison
// until the next checkpoint (every total/1000 units); at a checkpoint the steady clock is read and
// the line redrawn if 100 ms have passed (at most ~10 redraws a second, whatever the row rate).
class Progress {
 public:
  Progress(std::FILE* stream, std::string label, std::uint64_t total, ProgressUnit unit);
  void update(std::uint64_t done) {
    if (done >= next_check_) checkpoint(done);
  }
  // For work whose total is learnt as it starts (a file's size).
  void update(std::uint64_t done, std::uint64_t total) {
    if (total != total_) total_ = total, stride_ = std::max<std::uint64_t>(1, total / 1000);
    update(done);
  }
  // Erases the line (also done by the destructor).
  void finish() { line_.erase(); }
  bool active() const { return line_.active(); }

 private:
  void checkpoint(std::uint64_t done);

  StatusLine line_;
  std::string label_;
  std::uint64_t total_;
  ProgressUnit unit_;
  std::uint64_t stride_;
  std::uint64_t next_check_;
  std::chrono::steady_clock::time_point next_draw_{};
};

}  // namespace payops
