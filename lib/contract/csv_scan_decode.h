// The report's line loop: each line is decoded by CsvRowDecoder::decode_fast, which finds the
// line's end and commas with 64-byte masks as it decodes (csv_scan_masks.h); other lines go through
// parse_csv_line. Same rows, counts and malformed line numbers as csv_detail::scan_lines.
#pragma once

#include <cstring>

#include "contract/csv_parse_fast.h"
#include "contract/csv_scan.h"

namespace payops {
namespace csv_detail {

// Scans the complete lines of buffer (numbered from 1) like scan_lines: a first line equal to the
// header is skipped when has_header_line, malformed lines are counted and named, a last line without
// '\n' sets partial_tail. on_row(const DecodedRow&) is called for each good row, in order. Lines go
// to CsvRowDecoder::decode_run (decode_fast a run at a time), which finds each line's end while it
// decodes it; a line it declines is found with memchr and judged by decode (parse_csv_line's verdict).
template <class OnRow>
ScanSummary scan_decoded(std::string_view buffer, bool has_header_line, CsvRowDecoder& decoder,
                         OnRow&& on_row) {
  ScanSummary s;
  const char* const base = buffer.data();
  const std::size_t size = buffer.size();
  std::size_t pos = 0;
  DecodedRow row;
  // The last lines, where kFastReadBytes would run past the buffer, are decoded from a zero-padded
  // copy (a zero byte is no newline: a line cut by the copy is declined, never misread).
  char padded[CsvRowDecoder::kFastReadBytes];
  // Runs of common-shape lines are decoded kBatch at a time (one call per run, not per line).
  constexpr std::size_t kBatch = 32;
  DecodedRow batch[kBatch];
  while (pos < size) {
    if (!(has_header_line && pos == 0)) {
      const char* p = base + pos;
      if (size - pos >= CsvRowDecoder::kFastReadBytes) {
        std::size_t consumed = 0;
        const std::size_t n =
            decoder.decode_run(p, base + size - CsvRowDecoder::kFastReadBytes, batch, kBatch, consumed);
        for (std::size_t i = 0; i < n; ++i) on_row(static_cast<const DecodedRow&>(batch[i]));
        s.rows += n;
        s.lines += n;
        pos += consumed;
        if (n > 0) continue;  // n == 0: the line at pos is declined, parse_csv_line judges it below
      } else {
        std::memset(padded, 0, sizeof padded);
        std::memcpy(padded, p, size - pos);
        const std::size_t length = decoder.decode_fast(padded, row);
        if (length != CsvRowDecoder::kNotFast) {
          row.bank_id = std::string_view(p + (row.bank_id.data() - padded), row.bank_id.size());
          ++s.rows;
          ++s.lines;
          on_row(static_cast<const DecodedRow&>(row));
          pos += length + 1;
          continue;
        }
      }
    }
    const void* nl = std::memchr(base + pos, '\n', size - pos);
    if (nl == nullptr) break;
    const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
    const std::string_view line(base + pos, end - pos);
    if (has_header_line && pos == 0 && line == kCsvHeader) {
      // The header is line 1, and not a row.
    } else if (const auto bad = decoder.decode(line, row)) {
      ++s.malformed;
      if (s.first_malformed.size() < ScanSummary::kMaxNamedMalformed) {
        s.first_malformed.push_back(MalformedLine{s.lines + 1, *bad});
      }
    } else {
      ++s.rows;
      on_row(static_cast<const DecodedRow&>(row));
    }
    ++s.lines;
    pos = end + 1;
  }
  s.partial_tail = pos < size;
  s.bytes = pos;
  return s;
}

}  // namespace csv_detail
}  // namespace payops
