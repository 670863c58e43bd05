// Reading only the recent end of the log: the rows of the last N seconds, found by seeking backwards
// from the end of the file, so the cost depends on the window and not on the size of the log.
#pragma once

#include <string>
#include <vector>

#include "contract/csv_scan.h"
#include "platform/result.h"
#include "platform/time_util.h"

namespace payops {

// Rows are nearly, not strictly, in time order (writers flush in batches), so the reader keeps
// reading backwards until it has passed since_ms by this slack, then filters by timestamp.
inline constexpr std::int64_t kDefaultTailSlackMs = 5000;

struct TailWindow {
  std::vector<char> buffer;    // the bytes read; rows point into it (heap storage survives moves)
  std::vector<RowView> rows;   // rows with timestamp >= since_ms, in file order
  ScanSummary summary;         // malformed counts over the bytes read (line numbers are relative:
                               // counted from the first line read, since the absolute number is unknown)
  std::uint64_t file_offset = 0;  // where buffer starts in the file
  std::uint64_t file_size = 0;    // size seen at read time (up to the last '\n' is what counts)
  std::uint64_t bytes_read = 0;   // bytes read from the file (== buffer.size()): the cost of the call

  TailWindow() = default;
  TailWindow(TailWindow&&) = default;
  TailWindow& operator=(TailWindow&&) = default;
};

// Reads rows with timestamp >= since_ms (and, if until_ms > 0, < until_ms) from the end of the log.
// A missing file is an error naming it; an empty or header-only log gives no rows.
// How: reads backwards from EOF in blocks (64 KiB, then doubling) until the first complete line of
// the block read so far has a timestamp < since_ms - slack_ms (or the beginning of the file is
// reached), then parses every complete line of that block. The first, possibly partial, line of a
// block that does not start at the beginning of the file is not looked at; neither is a last line
// without '\n'. The header is skipped when the block starts at the beginning of the file. A row
// written more than slack_ms out of order before the stop point may be missed: that is the slack.
// Bounded memory: when the first line of the block read so far is longer than kMaxLineBytes (a
// line the contract calls malformed, or an unterminated write in progress that large), reading
// stops there and that line counts as one malformed line: the cost stays within a few times the
// window plus the line limit, whatever the size of that line. A FIFO or other non-regular file at
// path is refused (invalid_input) without blocking.
Result<TailWindow> read_tail(const std::string& path, TimeMs since_ms, TimeMs until_ms = 0,
                             std::int64_t slack_ms = kDefaultTailSlackMs);

}  // namespace payops
