// Template part of csv_scan.h: the line loop shared by scan_buffer, scan_file_parallel and
// read_tail (the visitor is a template parameter so the per-row call inlines), and
// scan_file_parallel itself. Included from csv_scan.h only.
#pragma once

#include <algorithm>
#include <cstring>
#include <utility>

namespace payops {
namespace csv_detail {

// Scans the complete lines of buffer (see scan_buffer). Lines are numbered from first_line; a
// trailing line without '\n' sets partial_tail and is not looked at.
template <class OnRow>
ScanSummary scan_lines(std::string_view buffer, std::uint64_t first_line, bool has_header_line,
                       OnRow&& on_row) {
  ScanSummary s;
  const char* const begin = buffer.data();
  const char* const end = begin + buffer.size();
  const char* cur = begin;
  std::uint64_t line_number = first_line;
  RowView row;
  while (cur < end) {
    const char* nl = static_cast<const char*>(std::memchr(cur, '\n', static_cast<std::size_t>(end - cur)));
    if (nl == nullptr) {
      s.partial_tail = true;
      break;
    }
    const std::string_view line(cur, static_cast<std::size_t>(nl - cur));
    if (has_header_line && cur == begin && line == kCsvHeader) {
      // The header is line first_line, and not a row.
    } else if (const auto bad = parse_csv_line(line, row)) {
      ++s.malformed;
      if (s.first_malformed.size() < ScanSummary::kMaxNamedMalformed) {
        s.first_malformed.push_back(MalformedLine{line_number, *bad});
      }
    } else {
      ++s.rows;
      on_row(static_cast<const RowView&>(row));
    }
    ++s.lines;
    ++line_number;
    cur = nl + 1;
  }
  s.bytes = static_cast<std::uint64_t>(cur - begin);
  return s;
}

// Adds offset to every named line number of s (a chunk scanned as if it started at line 1).
void shift_line_numbers(ScanSummary& s, std::uint64_t offset);

}  // namespace csv_detail

template <class Worker>
Result<ParallelScan<Worker>> scan_file_parallel(const std::string& path, unsigned threads,
                                                const std::function<Worker()>& make_worker) {
  auto mapped = MappedFile::open(path);
  if (!mapped.ok()) return mapped.error();
  const std::string_view data = mapped->data();
  if (threads == 0) threads = default_thread_count();
  // Below ~1 MiB per thread, threads cost more than they save: extra chunks stay empty.
  constexpr std::size_t kMinChunkBytes = std::size_t{1} << 20;
  const unsigned busy =
      static_cast<unsigned>(std::min<std::size_t>(threads, data.size() / kMinChunkBytes + 1));
  std::vector<std::size_t> offsets = split_at_lines(data, busy);
  offsets.resize(threads + 1, data.size());

  ParallelScan<Worker> result;
  result.workers.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) result.workers.push_back(make_worker());
  std::vector<ScanSummary> summaries(threads);
  run_parallel(busy, [&](unsigned i) {
    Worker& worker = result.workers[i];
    // Every chunk counts its lines from 1; the true numbers are known once all chunks are done.
    summaries[i] = csv_detail::scan_lines(data.substr(offsets[i], offsets[i + 1] - offsets[i]), 1,
                                          i == 0, [&worker](const RowView& row) { worker(row); });
  });
  std::uint64_t lines_before = 0;
  for (unsigned i = 0; i < threads; ++i) {
    csv_detail::shift_line_numbers(summaries[i], lines_before);
    lines_before += summaries[i].lines;
    if (i == 0) {
      result.summary = std::move(summaries[0]);
    } else {
      result.summary.merge(summaries[i]);
    }
  }
  return result;
}

}  // namespace payops
