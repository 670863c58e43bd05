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

// What a structural scan found in one line (see scan_decoded in csv_scan_decode.h).
struct LineShapeHint {
  const std::uint32_t* comma_at;  // offsets in the line of its first commas, ascending
  int commas;                     // how many of them (kCsvFieldCount or more means too many)
  bool plain;                     // no '"' and no byte >= 0x80 anywhere in the line
};

// One per thread: it remembers the last timestamp's "YYYY-MM-DDTHH:MM:SS" prefix, so a run of rows
// in the same second costs one 19-byte compare instead of a calendar conversion each, and the
// verdicts on the rows' currency..status spans (SpanVerdictCache).
class CsvRowDecoder {
 public:
  // line excludes the '\n'. Returns nullopt and fills out on a good row; otherwise the reason
  // parse_csv_line gives (out unchanged). Same acceptance as parse_csv_line, always.
  std::optional<Malformed> decode(std::string_view line, const LineShapeHint& hint, DecodedRow& out);

 private:
  bool decode_plain(std::string_view line, const std::uint32_t* comma_at, DecodedRow& out);
  bool timestamp(const char* p, TimeMs& out);

  char second_prefix_[19] = {};
  TimeMs second_base_ms_ = 0;
  bool have_second_ = false;
  SpanVerdictCache spans_;
};

// "txn_" + 16 lowercase hex digits at p (20 bytes readable) to its key; false if not in that form.
bool decode_transaction_id(const char* p, std::uint64_t& key);

}  // namespace payops
