// Newline, comma and "special" (quote or byte >= 0x80) masks of 64 bytes: SSE2 (the x86-64
// baseline), or AVX2 or AVX-512 where the CPU has it (best_mask_isa(), chosen once at run time).
// Same masks.
#pragma once

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

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
// block_masks with AVX2: two 32-byte compares per kind instead of four 16-byte ones. Only inlined
// into functions compiled for AVX2 (CsvRowDecoder's AVX2 variant, chosen at run time), so nothing
// else requires AVX2.
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

// block_masks with AVX-512 (BW): one 64-byte load, each mask straight from a compare into a mask
// register (no movemask, shift and or to join halves). Only inlined into CsvRowDecoder's AVX-512
// variant, chosen at run time.
__attribute__((target("avx512f,avx512bw"))) inline BlockMasks block_masks_avx512(const char* p) {
  const __m512i v = _mm512_loadu_si512(p);
  return BlockMasks{_mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n')), _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(',')),
                    _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"')) | _mm512_movepi8_mask(v)};
}
#endif

}  // namespace csv_detail
}  // namespace payops
