// A direct-mapped table of checked spans: a slot holds the span's bytes (zero-padded to kMaxBytes)
// and its verdict. A hit is decided by comparing every byte, never by the hash alone.
#include "contract/csv_parse_span_cache.h"

#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "contract/csv_parse.h"

namespace payops {

struct SpanVerdictCache::Slot {
  alignas(16) char bytes[kMaxBytes];
  std::uint32_t size;  // 0: empty (no cached span is that short)
  SpanVerdict verdict;
};

namespace {

// The checks parse_csv_line makes on these five fields, in any order (the caller only needs yes/no).
bool check_fields(const char* span, std::size_t size, SpanVerdict& v) {
  std::size_t commas[4];
  int found = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (span[i] != ',') continue;
    if (found == 4) return false;  // six fields or more
    commas[found++] = i;
  }
  if (found != 4) return false;
  const auto field = [&](int k) {
    const std::size_t begin = k == 0 ? 0 : commas[k - 1] + 1;
    const std::size_t end = k == 4 ? size : commas[k];
    return std::string_view(span + begin, end - begin);
  };
  const std::string_view bank = field(2);
  const auto status = parse_txn_status(field(4));
  if (!is_currency_text(field(0)) || !parse_payment_method(field(1)) || !is_bank_id_text(bank) || !status) {
    return false;
  }
  if (bank.size() > 255 || commas[1] + 1 > 255) return false;  // not representable: checked per row
  v.status = *status;
  v.bank_begin = static_cast<std::uint8_t>(commas[1] + 1);
  v.bank_size = static_cast<std::uint8_t>(bank.size());
  return true;
}

std::size_t slot_of(const char* span, std::size_t size, unsigned bits) {
  std::uint64_t head, tail;
  std::memcpy(&head, span, 8);
  std::memcpy(&tail, span + size - 8, 8);
  const std::uint64_t h = (head ^ (tail << 29 | tail >> 35) ^ size) * 0x9E3779B97F4A7C15ULL;
  return static_cast<std::size_t>(h >> (64 - bits));
}

// The size bytes at span equal the slot's. REQUIRES: kMinBytes <= size <= kMaxBytes, slot.size == size.
bool same_bytes(const char* slot_bytes, const char* span, std::size_t size) {
#if defined(__SSE2__)
  // 16-byte pieces at 0, 16, 32, 48, the last one moved back to end at size: overlapping, never
  // past the span, and both sides compared at the same offsets.
  for (std::size_t at = 0;; at += 16) {
    const std::size_t from = at + 16 <= size ? at : size - 16;
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(slot_bytes + from));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(span + from));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(a, b)) != 0xFFFF) return false;
    if (from + 16 >= size) return true;
  }
#else
  return std::memcmp(slot_bytes, span, size) == 0;
#endif
}

}  // namespace

SpanVerdictCache::SpanVerdictCache() : slots_(new Slot[std::size_t{1} << kSlotBits]()) {}
SpanVerdictCache::~SpanVerdictCache() = default;

const SpanVerdict* SpanVerdictCache::check(const char* span, std::size_t size) {
  if (size < kMinBytes || size > kMaxBytes) {
    if (!check_fields(span, size, uncached_)) return nullptr;
    uncached_.id = UINT32_MAX;  // no id: the caller cannot tell two such spans apart by it
    return &uncached_;
  }
  Slot& slot = slots_[slot_of(span, size, kSlotBits)];
  if (slot.size == size && same_bytes(slot.bytes, span, size)) return &slot.verdict;
  SpanVerdict v;
  if (!check_fields(span, size, v)) return nullptr;
  v.id = next_id_ == UINT32_MAX ? UINT32_MAX : next_id_++;  // ids run out after 4G distinct spans
  std::memset(slot.bytes, 0, sizeof slot.bytes);
  std::memcpy(slot.bytes, span, size);
  slot.size = static_cast<std::uint32_t>(size);
  slot.verdict = v;
  return &slot.verdict;
}

}  // namespace payops
