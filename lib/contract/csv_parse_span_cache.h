// The verdict on the middle of a transactions.csv row, currency,type,bank_id,bank_name,status,
// remembered by its exact bytes. A log holds a few hundred distinct such spans (currencies x methods
// x banks x two statuses) over millions of rows, so the report's line decoder checks each distinct
// span once and afterwards pays a hash and a 16-byte-at-a-time compare per row.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
  // Inline: a hit is the per-row path of agent report; everything else is check_slow.
  const SpanVerdict* check(const char* span, std::size_t size) {
    if (size < kMinBytes || size > kMaxBytes) return check_slow(span, size, nullptr);
    Slot* const set = &slots_[2 * set_of(span, size)];
    if (set[0].size == size && same_bytes(set[0].bytes, span, size)) return &set[0].verdict;
    if (set[1].size == size && same_bytes(set[1].bytes, span, size)) return &set[1].verdict;
    return check_slow(span, size, set);
  }

 private:
  struct Slot {
    alignas(16) char bytes[kMaxBytes];
    std::uint32_t size;  // 0: empty (no cached span is that short)
    SpanVerdict verdict;
  };
  // 2^kSetBits sets of two slots: a log's ~400 spans in one slot each of 1024 collided often
  // enough to cost a re-check per 15 rows (two spans in one slot evict each other).
  static constexpr unsigned kSetBits = 10;

  // The first, middle and last 8 bytes: spans differ mostly in the middle (the bank's id and name
  // between "EUR,card," and ",success"), so without the middle they crowd a few slots.
  static std::size_t set_of(const char* span, std::size_t size) {
    std::uint64_t head, mid, tail;
    std::memcpy(&head, span, 8);
    std::memcpy(&mid, span + (size - 8) / 2, 8);
    std::memcpy(&tail, span + size - 8, 8);
    const std::uint64_t h =
        ((head ^ (mid << 21 | mid >> 43) ^ (tail << 43 | tail >> 21)) + size) * 0x9E3779B97F4A7C15ULL;
    return static_cast<std::size_t>(h >> (64 - kSetBits));
  }
  // The size bytes at span equal the slot's. REQUIRES: kMinBytes <= size <= kMaxBytes.
  static bool same_bytes(const char* slot_bytes, const char* span, std::size_t size) {
#if defined(__SSE2__)
    // 16-byte pieces at 0, 16, 32, 48, the last one moved back to end at size: overlapping, never
    // past the span, and both sides compared at the same offsets. Up to 32 bytes (most spans): the
    // first and the last piece, one branch.
    const auto piece_equal = [&](std::size_t from) {
      const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(slot_bytes + from));
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(span + from));
      return _mm_cmpeq_epi8(a, b);
    };
    const __m128i ends = _mm_and_si128(piece_equal(0), piece_equal(size - 16));
    if (_mm_movemask_epi8(ends) != 0xFFFF) return false;
    for (std::size_t at = 16; at + 16 < size; at += 16) {
      if (_mm_movemask_epi8(piece_equal(at)) != 0xFFFF) return false;
    }
    return true;
#else
    return std::memcmp(slot_bytes, span, size) == 0;
#endif
  }
  // A span outside the cached sizes (set == nullptr), or a miss on both slots of set: checked, and
  // remembered in set[0] (its old span moves to set[1]).
  const SpanVerdict* check_slow(const char* span, std::size_t size, Slot* set);

  std::unique_ptr<Slot[]> slots_;
  std::uint32_t next_id_ = 0;
  SpanVerdict uncached_;
};

}  // namespace payops
