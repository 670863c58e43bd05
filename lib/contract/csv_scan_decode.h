// The report's line loop: finds newlines, commas, quotes and non-ASCII bytes 64 bytes at a time
// (SSE2, the x86-64 baseline) in one pass over the buffer, and hands each line with its comma
// positions to CsvRowDecoder. Same rows, counts and malformed line numbers as csv_detail::scan_lines.
#pragma once

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

#include "contract/csv_parse_fast.h"
#include "contract/csv_scan.h"

namespace payops {
namespace csv_detail {

// Bit i of each mask: byte p[i] is '\n' / ',' / a quote or >= 0x80. REQUIRES: 64 bytes readable.
struct BlockMasks {
  std::uint64_t newline, comma, special;
};
inline BlockMasks block_masks(const char* p) {
  BlockMasks m{0, 0, 0};
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n'), comma = _mm_set1_epi8(','), quote = _mm_set1_epi8('"');
  for (int i = 0; i < 4; ++i) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    const auto bits = [](__m128i x) { return static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm_movemask_epi8(x))); };
    m.newline |= bits(_mm_cmpeq_epi8(v, nl)) << (16 * i);
    m.comma |= bits(_mm_cmpeq_epi8(v, comma)) << (16 * i);
    m.special |= bits(_mm_or_si128(_mm_cmpeq_epi8(v, quote), v)) << (16 * i);  // the sign bit: >= 0x80
  }
#else
  for (int i = 0; i < 64; ++i) {
    const auto c = static_cast<unsigned char>(p[i]);
    m.newline |= std::uint64_t{c == '\n'} << i;
    m.comma |= std::uint64_t{c == ','} << i;
    m.special |= std::uint64_t{c == '"' || c >= 0x80} << i;
  }
#endif
  return m;
}

#if defined(__x86_64__) && defined(__GNUC__)
// block_masks with AVX2: two 32-byte compares per kind instead of four 16-byte ones. Called through
// a pointer (block_masks_for_this_cpu), so it is compiled for AVX2 without requiring it elsewhere.
__attribute__((target("avx2"))) inline BlockMasks block_masks_avx2(const char* p) {
  const __m256i nl = _mm256_set1_epi8('\n'), comma = _mm256_set1_epi8(','), quote = _mm256_set1_epi8('"');
  const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + 32));
  const auto bits = [](__m256i a, __m256i b) __attribute__((target("avx2"))) {
    return static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(a))) |
           static_cast<std::uint64_t>(static_cast<std::uint32_t>(_mm256_movemask_epi8(b))) << 32;
  };
  return BlockMasks{bits(_mm256_cmpeq_epi8(lo, nl), _mm256_cmpeq_epi8(hi, nl)),
                    bits(_mm256_cmpeq_epi8(lo, comma), _mm256_cmpeq_epi8(hi, comma)),
                    bits(_mm256_or_si256(_mm256_cmpeq_epi8(lo, quote), lo),
                         _mm256_or_si256(_mm256_cmpeq_epi8(hi, quote), hi))};
}
#endif

using BlockMasksFn = BlockMasks (*)(const char*);
// The fastest block_masks this CPU runs (same masks either way).
inline BlockMasksFn block_masks_for_this_cpu() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const BlockMasksFn fn = __builtin_cpu_supports("avx2") ? block_masks_avx2 : block_masks;
  return fn;
#else
  return block_masks;
#endif
}

// Scans the complete lines of buffer (numbered from 1) like scan_lines: a first line equal to the
// header is skipped when has_header_line, malformed lines are counted and named, a last line without
// '\n' sets partial_tail. on_row(const DecodedRow&) is called for each good row, in order.
template <class OnRow>
ScanSummary scan_decoded(std::string_view buffer, bool has_header_line, CsvRowDecoder& decoder,
                         OnRow&& on_row) {
  ScanSummary s;
  const char* const base = buffer.data();
  const std::size_t size = buffer.size();
  std::size_t line_start = 0;
  std::uint32_t comma_at[kCsvFieldCount];
  int commas = 0;
  bool special = false;
  DecodedRow row;
  const auto finish_line = [&](std::size_t end) {
    const std::string_view line(base + line_start, end - line_start);
    const std::uint64_t line_number = s.lines + 1;
    if (has_header_line && line_start == 0 && line == kCsvHeader) {
      // The header is line 1, and not a row.
    } else if (const auto bad = decoder.decode(line, LineShapeHint{comma_at, commas, !special}, row)) {
      ++s.malformed;
      if (s.first_malformed.size() < ScanSummary::kMaxNamedMalformed) {
        s.first_malformed.push_back(MalformedLine{line_number, *bad});
      }
    } else {
      ++s.rows;
      on_row(static_cast<const DecodedRow&>(row));
    }
    ++s.lines;
    line_start = end + 1;
    commas = 0;
    special = false;
  };
  // Records the commas and specials of mask range [from, to) of the block at block_pos.
  const auto take = [&](const BlockMasks& m, std::uint64_t range, std::size_t block_pos) {
    special |= (m.special & range) != 0;
    for (std::uint64_t c = m.comma & range; c != 0 && commas < kCsvFieldCount; c &= c - 1) {
      comma_at[commas++] = static_cast<std::uint32_t>(block_pos + static_cast<std::size_t>(__builtin_ctzll(c)) - line_start);
    }
  };
  const BlockMasksFn masks_of = block_masks_for_this_cpu();
  for (std::size_t pos = 0; pos < size; pos += 64) {
    BlockMasks m;
    if (pos + 64 <= size) {
      m = masks_of(base + pos);
    } else {
      alignas(16) char tail[64] = {};  // zero bytes are neither newline, comma nor special
      std::memcpy(tail, base + pos, size - pos);
      m = masks_of(tail);
    }
    std::uint64_t rest = ~std::uint64_t{0};  // mask bits not yet given to a line
    for (std::uint64_t nl = m.newline; nl != 0; nl &= nl - 1) {
      const int bit = __builtin_ctzll(nl);
      const std::uint64_t below = (std::uint64_t{1} << bit) - 1;
      take(m, rest & below, pos);
      finish_line(pos + static_cast<std::size_t>(bit));
      rest = ~(below | (std::uint64_t{1} << bit));  // 0 after bit 63
    }
    take(m, rest, pos);
  }
  s.partial_tail = line_start < size;
  s.bytes = line_start;
  return s;
}

}  // namespace csv_detail
}  // namespace payops
