// Decoding one line of transactions.csv into the few fields a whole-log report needs, at memory
// speed: a fast path for the common shape (no quote, no non-ASCII byte, exactly 11 fields) that
// accepts exactly what parse_csv_line accepts, and parse_csv_line itself for everything else, so
// malformed lines get the same reason as everywhere else.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "contract/csv_parse.h"
#include "contract/csv_parse_span_cache.h"
#include "contract/csv_scan_masks.h"

namespace payops {

// A good row, reduced: what `agent report` counts. bank_id points into the line.
struct DecodedRow {
  TimeMs timestamp_ms = 0;
  std::uint64_t txn_key = 0;  // transaction_key(transaction_id): the 16 hex digits as a number
  std::string_view bank_id;   // empty on NO_ROUTE rows
  TxnStatus status = TxnStatus::success;
  ErrorCode error_code = ErrorCode::none;
  std::int64_t latency_ms = 0;
  // Rows with the same currency..status bytes carry the same id (SpanVerdict::id) while the decoder
  // lives, so a caller can number their bank once per id; kNoSpanId when the decoder has no id for it.
  static constexpr std::uint32_t kNoSpanId = UINT32_MAX;
  std::uint32_t span_id = kNoSpanId;
};

// Which block_masks decode_fast uses: the SSE2 baseline, AVX2 or AVX-512 BW (same masks, the tests
// run every variant the CPU has).
enum class MaskIsa : std::uint8_t { sse2, avx2, avx512 };
// The widest of them this CPU has (asked once per process).
MaskIsa best_mask_isa();

// One per thread: it remembers the last timestamp's "YYYY-MM-DDTHH:MM:SS" prefix, so a run of rows
// in the same second costs one 19-byte compare instead of a calendar conversion each, and the
// verdicts on the rows' currency..status spans (SpanVerdictCache).
class CsvRowDecoder {
 public:
  // Bytes decode_fast may read from a line's start, whatever the line's length.
  static constexpr std::size_t kFastReadBytes = kTimestampLength + 22 + 128;
  static constexpr std::size_t kNotFast = SIZE_MAX;

  explicit CsvRowDecoder(MaskIsa isa = best_mask_isa());
  // The common shape in one pass: the fixed-width timestamp and id are checked where they must be,
  // then one or two 64-byte masks after them give the line's end and its other commas, and each
  // field is decoded as its comma is taken from the mask. Returns the line's length (the offset of
  // its '\n') and fills out if the line starting at p is a good row of that shape (no quote, no byte
  // >= 0x80, at most kFastReadBytes - 1 bytes, no '\r' before the '\n'); kNotFast otherwise, out
  // unchanged: the caller finds the line's end and asks decode(), which gives parse_csv_line's
  // verdict. REQUIRES: kFastReadBytes readable at p.
  std::size_t decode_fast(const char* p, DecodedRow& out) {
    // One well-predicted branch per line instead of a call through a pointer per 64 bytes: each
    // variant has its masks inlined.
    if (isa_ == MaskIsa::avx512) return decode_fast_avx512(p, out);
    return isa_ == MaskIsa::avx2 ? decode_fast_avx2(p, out) : decode_fast_sse2(p, out);
  }
  // decode_fast over consecutive lines, in one call: rows[0..n) are the lines starting at p, each
  // decoded as decode_fast would, and consumed the bytes they take ('\n's included). Stops before a
  // line decode_fast declines, after max rows, or before a line that starts past last_start; n may
  // be 0. Each variant keeps its constants in registers across the run and pays a call per run, not
  // per line. REQUIRES: every line starting at or before last_start has kFastReadBytes readable.
  std::size_t decode_run(const char* p, const char* last_start, DecodedRow* rows, std::size_t max,
                         std::size_t& consumed) {
    if (isa_ == MaskIsa::avx512) return decode_run_avx512(p, last_start, rows, max, consumed);
    return isa_ == MaskIsa::avx2 ? decode_run_avx2(p, last_start, rows, max, consumed)
                                 : decode_run_sse2(p, last_start, rows, max, consumed);
  }
  // Any line (excluding the '\n'): nullopt and out filled on a good row, otherwise the reason
  // parse_csv_line gives (out unchanged). Same acceptance as parse_csv_line, always.
  std::optional<Malformed> decode(std::string_view line, DecodedRow& out);

 private:
  // How far ahead of the line being decoded decode_run asks for the bytes (about ten rows): on the
  // 1 GB log 1024..4096 all cut user time by about a tenth (bench/speed6.md); 1024 stays inside L1.
  static constexpr std::size_t kPrefetchAheadBytes = 1024;

  bool timestamp(const char* p, TimeMs& out);
  std::size_t decode_fast_sse2(const char* p, DecodedRow& out);
  std::size_t decode_fast_avx2(const char* p, DecodedRow& out);
  std::size_t decode_fast_avx512(const char* p, DecodedRow& out);
  template <class Masks>
  std::size_t decode_fast_with(const char* p, DecodedRow& out);
  std::size_t decode_run_sse2(const char* p, const char* last_start, DecodedRow* rows, std::size_t max,
                              std::size_t& consumed);
  std::size_t decode_run_avx2(const char* p, const char* last_start, DecodedRow* rows, std::size_t max,
                              std::size_t& consumed);
  std::size_t decode_run_avx512(const char* p, const char* last_start, DecodedRow* rows, std::size_t max,
                                std::size_t& consumed);
  template <class Masks>
  std::size_t decode_run_with(const char* p, const char* last_start, DecodedRow* rows, std::size_t max,
                              std::size_t& consumed);

  char second_prefix_[19] = {};
  TimeMs second_base_ms_ = 0;
  bool have_second_ = false;
  SpanVerdictCache spans_;
  MaskIsa isa_;
};

// "txn_" + 16 lowercase hex digits at p (20 bytes readable) to its key; false if not in that form.
bool decode_transaction_id(const char* p, std::uint64_t& key);

}  // namespace payops
