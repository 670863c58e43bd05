// Scanning many lines: a whole file (mmap, split across cores, no allocation per row) or a buffer.
// Malformed lines are skipped and counted, the first few named by line number; a last line without
// '\n' is a write in progress and is not a row.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "contract/csv_parse.h"
#include "platform/result.h"

namespace payops {

struct MalformedLine {
  std::uint64_t line_number;  // 1-based physical line number in the file (the header is line 1)
  Malformed reason;
};

struct ScanSummary {
  std::uint64_t rows = 0;        // good rows delivered
  std::uint64_t malformed = 0;   // lines skipped
  std::vector<MalformedLine> first_malformed;  // at most kMaxNamedMalformed, lowest line numbers
  bool partial_tail = false;     // the data ended in a line without '\n' (ignored)
  std::uint64_t bytes = 0;       // bytes covered, up to the last '\n'
  std::uint64_t lines = 0;       // complete lines seen: rows + malformed + the skipped header

  static constexpr std::size_t kMaxNamedMalformed = 5;
  // Combines with the summary of the chunk that follows this one. REQUIRES: later's line numbers
  // are already absolute (scan it with the right first_line); partial_tail becomes later's unless
  // later is empty (no lines, no partial tail).
  void merge(const ScanSummary& later);
  // "3 malformed lines skipped (line 7: field_count, line 12: bad_utf8, ...)"; empty when none.
  std::string describe() const;
};

// Scans buffer, which starts at 1-based line first_line. If has_header_line and the first line is the
// contract's header, it is skipped (counted in `lines`, not a row); any other first line is parsed
// like every other line, and a header anywhere else is malformed (repeated_header). on_row is called
// for each good row in order; the RowView points into buffer. Never allocates per row.
ScanSummary scan_buffer(std::string_view buffer, std::uint64_t first_line, bool has_header_line,
                        const std::function<void(const RowView&)>& on_row);

// A visitor per worker: scan_file_parallel calls make_worker() once for each of `threads` chunks,
// calls worker i for each row of chunk i (in file order within the chunk, on one thread), then the
// caller merges worker results itself (workers are returned in chunk order). The summary is merged,
// with true file line numbers.
template <class Worker>
struct ParallelScan {
  std::vector<Worker> workers;
  ScanSummary summary;
};

// Maps the file at path and scans it in `threads` chunks split at line boundaries. Worker must be
// movable and have `void operator()(const RowView&)`; RowViews are valid only during the call (the
// mapping is gone when this returns). threads == 0 means one per core. Small files use fewer busy
// threads (the other workers see no rows). The bytes scanned are those present when the file was
// opened; writers only append, so the mapping stays valid while they do.
template <class Worker>
Result<ParallelScan<Worker>> scan_file_parallel(const std::string& path, unsigned threads,
                                                const std::function<Worker()>& make_worker);

// Implementation detail of scan_file_parallel, exposed for the template below.
struct MappedFile {
  static Result<MappedFile> open(const std::string& path);
  MappedFile(MappedFile&&) noexcept;
  MappedFile& operator=(MappedFile&&) noexcept;
  MappedFile(const MappedFile&) = delete;
  ~MappedFile();
  std::string_view data() const { return {ptr_, size_}; }

 private:
  MappedFile() = default;
  const char* ptr_ = nullptr;
  std::size_t size_ = 0;
};
// Splits data into n chunks at '\n' boundaries: returns n+1 offsets, first 0, last data.size(), each
// other one just after a '\n' (or data.size()); chunks may be empty. REQUIRES: n >= 1.
std::vector<std::size_t> split_at_lines(std::string_view data, unsigned n);
// Calls body(i) on `n` threads (i in [0,n)) and joins; n == 1 runs inline.
void run_parallel(unsigned n, const std::function<void(unsigned)>& body);
unsigned default_thread_count();

}  // namespace payops

#include "contract/csv_scan_inl.h"
