// Progress lines on a terminal (see progress.h).
#include "platform/progress.h"

#include <algorithm>

#include <fmt/format.h>

#include "platform/terminal.h"

namespace payops {

namespace {
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);
}  // namespace

std::string progress_text(std::string_view label, std::uint64_t done, std::uint64_t total, ProgressUnit unit) {
  std::string counts;
  switch (unit) {
    case ProgressUnit::items: counts = fmt::format("[{}/{}]", done, total); break;
    case ProgressUnit::bytes: counts = fmt::format("{}/{} MB", done >> 20, total >> 20); break;
    case ProgressUnit::ms: counts = fmt::format("{}/{} s", done / 1000, total / 1000); break;
  }
  if (total == 0) return fmt::format("{} {}", label, counts);
  const double pct = 100.0 * static_cast<double>(std::min(done, total)) / static_cast<double>(total);
  return fmt::format("{} {} {:.0f}%", label, counts, pct);
}

StatusLine::StatusLine(std::FILE* stream) : stream_(stream != nullptr && is_terminal(stream) ? stream : nullptr) {}

void StatusLine::show(std::string_view text) {
  if (stream_ == nullptr) return;
  const std::size_t cols = terminal_size(stream_).cols;
  // Appended piece by piece: gcc 12's -Wrestrict misfires on `"\r" + std::string + "..."` in Release.
  std::string line = "\r";
  line += fit_to_columns(escape_for_terminal(text), cols > 1 ? cols - 1 : 0);
  line += "\x1b[K";
  std::fwrite(line.data(), 1, line.size(), stream_);
  std::fflush(stream_);
  shown_ = true;
}

void StatusLine::erase() {
  if (stream_ == nullptr || !shown_) return;
  std::fputs("\r\x1b[K", stream_);
  std::fflush(stream_);
  shown_ = false;
}

Progress::Progress(std::FILE* stream, std::string label, std::uint64_t total, ProgressUnit unit)
    : line_(stream),
      label_(std::move(label)),
      total_(total),
      unit_(unit),
      stride_(std::max<std::uint64_t>(1, total / 1000)),
      // Inactive: the first checkpoint is never reached, so update() stays one comparison.
      next_check_(line_.active() ? 0 : UINT64_MAX) {}

void Progress::checkpoint(std::uint64_t done) {
  next_check_ = done + stride_;
  const auto now = std::chrono::steady_clock::now();
  if (now < next_draw_) return;
  next_draw_ = now + kRedrawEvery;
  line_.show(progress_text(label_, done, total_, unit_));
}

}  // namespace payops
