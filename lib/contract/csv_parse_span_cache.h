// The verdict on the middle of a transactions.csv row, currency,type,bank_id,bank_name,status,
// remembered by its exact bytes. A log holds a few hundred distinct such spans (currencies x methods
// x banks x two statuses) over millions of rows, so the report's line decoder checks each distinct
// span once and afterwards pays a hash and a 16-byte-at-a-time compare per row.
#pragma once

#include <cstdint>
#include <memory>

#include "contract/transaction.h"

namespace payops {

// A good span, decoded. id is the same for every row with these bytes while the cache lives and
// different for different bytes, so a caller can hang its own per-span facts (a bank's index) on it.
struct SpanVerdict {
  std::uint32_t id = 0;
  TxnStatus status = TxnStatus::success;
  std::uint8_t bank_begin = 0;  // bank_id's offset in the span
  std::uint8_t bank_size = 0;   // 0: empty bank_id (allowed on NO_ROUTE rows only: the caller checks)
};

class SpanVerdictCache {
 public:
  // Spans outside [kMinBytes, kMaxBytes] are checked every time (no good span is shorter than 17).
  static constexpr std::size_t kMinBytes = 16, kMaxBytes = 64;

  SpanVerdictCache();
  ~SpanVerdictCache();
  SpanVerdictCache(const SpanVerdictCache&) = delete;
  SpanVerdictCache& operator=(const SpanVerdictCache&) = delete;

  // span: the bytes from the first byte of currency to the last byte of status, in a line without
  // quotes. Returns the verdict if they are five fields (four commas) that pass parse_csv_line's
  // checks for them (currency, type, bank_id's characters, status; the bank name is free text),
  // nullptr otherwise. The pointer is valid until the next call. A hit costs a hash and a compare:
  // the commas are looked for only on a miss.
  const SpanVerdict* check(const char* span, std::size_t size);

 private:
  struct Slot;
  static constexpr unsigned kSlotBits = 10;
  std::unique_ptr<Slot[]> slots_;
  std::uint32_t next_id_ = 0;
  SpanVerdict uncached_;
};

}  // namespace payops
