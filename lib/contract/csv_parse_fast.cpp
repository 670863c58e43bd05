// The report's line decoder: fixed-position checks and SSE2 hex decoding on the common line shape,
// parse_csv_line for the rest. Every check here mirrors one in parse_csv_line; when the fast path is
// unsure it hands the line over rather than deciding.
#include "contract/csv_parse_fast.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "contract/money.h"
#include "contract/transaction.h"  // transaction_key

namespace payops {
namespace {

bool all_digits(const char* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] < '0' || p[i] > '9') return false;
  }
  return true;
}

// The amount field, n bytes at p, as is_decimal_amount judges it (digits, then optionally '.' and 1-3
// digits), for 1 <= n <= 8, in one 8-byte load. REQUIRES: 8 bytes readable at p.
bool is_short_decimal_amount(const char* p, std::size_t n) {
  std::uint64_t x;
  std::memcpy(&x, p, 8);
  const std::uint64_t keep = n == 8 ? ~std::uint64_t{0} : (std::uint64_t{1} << (8 * n)) - 1;
  const std::uint64_t d = (x ^ 0x3030303030303030ULL) & keep;  // a digit becomes 0..9
  // The high bit of a byte is set iff it is >= 10 (a carry out of a byte happens only from one
  // that is already >= 0x8A, so it can mark its neighbour too, never hide a non-digit).
  const std::uint64_t non_digit = ((d + 0x7676767676767676ULL) | d) & 0x8080808080808080ULL & keep;
  if (non_digit == 0) return true;
  if ((non_digit & (non_digit - 1)) != 0) return false;  // two or more non-digits
  const std::size_t dot = static_cast<std::size_t>(__builtin_ctzll(non_digit)) / 8;
  const std::size_t fraction = n - dot - 1;
  return p[dot] == '.' && dot >= 1 && fraction >= 1 && fraction <= 3;
}

// Non-negative decimal integer of 1..18 digits (parse_csv_line's latency_ms).
bool parse_latency_digits(const char* p, std::size_t n, std::int64_t& out) {
  if (n == 0 || n > 18) return false;
  std::int64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto digit = static_cast<unsigned>(static_cast<unsigned char>(p[i])) - unsigned{'0'};
    if (digit > 9) return false;
    v = v * 10 + static_cast<std::int64_t>(digit);
  }
  out = v;
  return true;
}

// The 19-byte "YYYY-MM-DDTHH:MM:SS" prefixes at a and b are equal: three overlapping 8-byte loads.
bool same_second(const char* a, const char* b) {
  std::uint64_t x[3], y[3];
  std::memcpy(&x[0], a, 8), std::memcpy(&x[1], a + 8, 8), std::memcpy(&x[2], a + 11, 8);
  std::memcpy(&y[0], b, 8), std::memcpy(&y[1], b + 8, 8), std::memcpy(&y[2], b + 11, 8);
  return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2])) == 0;
}

}  // namespace

#if defined(__SSE2__)
bool decode_transaction_id(const char* p, std::uint64_t& key) {
  if (std::memcmp(p, "txn_", 4) != 0) return false;
  const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 4));
  // x in [lo, lo + span) as unsigned bytes: (x - lo) == min(x - lo, span - 1).
  const auto in_range = [](__m128i x, char lo, char span) {
    const __m128i d = _mm_sub_epi8(x, _mm_set1_epi8(lo));
    return _mm_cmpeq_epi8(_mm_min_epu8(d, _mm_set1_epi8(static_cast<char>(span - 1))), d);
  };
  const __m128i digit = in_range(v, '0', 10);
  const __m128i letter = in_range(v, 'a', 6);
  if (_mm_movemask_epi8(_mm_or_si128(digit, letter)) != 0xFFFF) return false;
  // Nibble values: digits - '0', letters - 'a' + 10.
  const __m128i nib = _mm_or_si128(_mm_and_si128(digit, _mm_sub_epi8(v, _mm_set1_epi8('0'))),
                                   _mm_and_si128(letter, _mm_sub_epi8(v, _mm_set1_epi8('a' - 10))));
  // 16-bit lane k holds digit 2k (low byte, the high nibble) and 2k+1: join them into one byte.
  const __m128i bytes = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(nib, _mm_set1_epi16(0x00FF)), 4),
                                     _mm_srli_epi16(nib, 8));
  const __m128i packed = _mm_packus_epi16(bytes, bytes);
  std::uint64_t le;
  std::memcpy(&le, &packed, sizeof le);  // first digit pair in the lowest byte
  key = __builtin_bswap64(le);
  return true;
}
#else
bool decode_transaction_id(const char* p, std::uint64_t& key) {
  const auto k = transaction_key(std::string_view(p, 20));
  if (!k) return false;
  key = *k;
  return true;
}
#endif

// p: 24 bytes of a timestamp field. The second prefix decides the calendar checks; the rest is
// ".mmmZ", checked on every row.
bool CsvRowDecoder::timestamp(const char* p, TimeMs& out) {
  if (p[19] != '.' || p[23] != 'Z' || !all_digits(p + 20, 3)) return false;
  const TimeMs ms = (p[20] - '0') * 100 + (p[21] - '0') * 10 + (p[22] - '0');
  if (!have_second_ || !same_second(p, second_prefix_)) {
    const auto t = parse_timestamp(std::string_view(p, kTimestampLength));
    if (!t) return false;
    std::memcpy(second_prefix_, p, sizeof second_prefix_);
    second_base_ms_ = *t - ms;
    have_second_ = true;
  }
  out = second_base_ms_ + ms;
  return true;
}

MaskIsa best_mask_isa() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const MaskIsa isa = __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512f") ? MaskIsa::avx512
                             : __builtin_cpu_supports("avx2")                                            ? MaskIsa::avx2
                                                                                                         : MaskIsa::sse2;
  return isa;
#else
  return MaskIsa::sse2;
#endif
}

CsvRowDecoder::CsvRowDecoder(MaskIsa isa) : isa_(isa) {
#if !(defined(__x86_64__) && defined(__GNUC__))
  isa_ = MaskIsa::sse2;  // no AVX2 or AVX-512 variant on this target
#endif
}

namespace {
// The highest set bit of the 128-bit mask hi:lo, cleared; returns its index, or 0 when none is set.
unsigned take_highest(std::uint64_t& lo, std::uint64_t& hi) {
  if (hi != 0) {
    const auto bit = static_cast<unsigned>(63 - __builtin_clzll(hi));
    hi ^= std::uint64_t{1} << bit;
    return 64 + bit;
  }
  if (lo == 0) return 0;
  const auto bit = static_cast<unsigned>(63 - __builtin_clzll(lo));
  lo ^= std::uint64_t{1} << bit;
  return bit;
}
}  // namespace

namespace {
// The two ways to compute the masks, as types so decode_fast_with inlines the one it is given.
struct Sse2Masks {
  static csv_detail::BlockMasks at(const char* p) { return csv_detail::block_masks(p); }
};
#if defined(__x86_64__) && defined(__GNUC__)
struct Avx2Masks {
  __attribute__((target("avx2"))) static csv_detail::BlockMasks at(const char* p) {
    return csv_detail::block_masks_avx2(p);
  }
};
struct Avx512Masks {
  __attribute__((target("avx512f,avx512bw"))) static csv_detail::BlockMasks at(const char* p) {
    return csv_detail::block_masks_avx512(p);
  }
};
#else
using Avx2Masks = Sse2Masks;
using Avx512Masks = Sse2Masks;
#endif
}  // namespace

// flatten: the body, its masks and its small helpers inline into each variant, so the AVX2 one is
// compiled for AVX2 throughout and the SSE2 one never touches AVX2 code.
__attribute__((flatten)) std::size_t CsvRowDecoder::decode_fast_sse2(const char* p, DecodedRow& out) {
  return decode_fast_with<Sse2Masks>(p, out);
}
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"), flatten)) std::size_t CsvRowDecoder::decode_fast_avx2(const char* p,
                                                                                      DecodedRow& out) {
  return decode_fast_with<Avx2Masks>(p, out);
}
__attribute__((target("avx512f,avx512bw"), flatten)) std::size_t CsvRowDecoder::decode_fast_avx512(const char* p,
                                                                                                   DecodedRow& out) {
  return decode_fast_with<Avx512Masks>(p, out);
}
#else
std::size_t CsvRowDecoder::decode_fast_avx2(const char* p, DecodedRow& out) { return decode_fast_sse2(p, out); }
std::size_t CsvRowDecoder::decode_fast_avx512(const char* p, DecodedRow& out) { return decode_fast_sse2(p, out); }
#endif

__attribute__((flatten)) std::size_t CsvRowDecoder::decode_run_sse2(const char* p, const char* last_start,
                                                                    DecodedRow* rows, std::size_t max,
                                                                    std::size_t& consumed) {
  return decode_run_with<Sse2Masks>(p, last_start, rows, max, consumed);
}
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"), flatten)) std::size_t CsvRowDecoder::decode_run_avx2(const char* p,
                                                                                     const char* last_start,
                                                                                     DecodedRow* rows,
                                                                                     std::size_t max,
                                                                                     std::size_t& consumed) {
  return decode_run_with<Avx2Masks>(p, last_start, rows, max, consumed);
}
__attribute__((target("avx512f,avx512bw"), flatten)) std::size_t CsvRowDecoder::decode_run_avx512(
    const char* p, const char* last_start, DecodedRow* rows, std::size_t max, std::size_t& consumed) {
  return decode_run_with<Avx512Masks>(p, last_start, rows, max, consumed);
}
#else
std::size_t CsvRowDecoder::decode_run_avx2(const char* p, const char* last_start, DecodedRow* rows,
                                           std::size_t max, std::size_t& consumed) {
  return decode_run_sse2(p, last_start, rows, max, consumed);
}
std::size_t CsvRowDecoder::decode_run_avx512(const char* p, const char* last_start, DecodedRow* rows,
                                             std::size_t max, std::size_t& consumed) {
  return decode_run_sse2(p, last_start, rows, max, consumed);
}
#endif

template <class Masks>
std::size_t CsvRowDecoder::decode_run_with(const char* p, const char* last_start, DecodedRow* rows,
                                           std::size_t max, std::size_t& consumed) {
  const char* const first = p;
  std::size_t n = 0;
  while (n < max && p <= last_start) {
    // The bytes about ten rows ahead, requested now: the hardware prefetcher stops at each 4 KiB
    // page, so without this every page's first lines wait for memory. Two 64-byte lines per row
    // (rows are ~100 bytes) keep ahead. A hint: no effect on results; past the buffer it is dropped.
    __builtin_prefetch(p + kPrefetchAheadBytes);
    __builtin_prefetch(p + kPrefetchAheadBytes + 64);
    const std::size_t length = decode_fast_with<Masks>(p, rows[n]);
    if (length == kNotFast) break;
    ++n;
    p += length + 1;
  }
  consumed = static_cast<std::size_t>(p - first);
  return n;
}

// Offsets below are from the line's start; the masks cover [kAfterId, kAfterId + 128).
template <class Masks>
std::size_t CsvRowDecoder::decode_fast_with(const char* p, DecodedRow& out) {
  constexpr std::size_t kAfterId = kTimestampLength + 22;  // "timestamp,txn_<16 hex>,"
  if (p[kTimestampLength] != ',' || p[kAfterId - 1] != ',') return kNotFast;
  // Locals, not a DecodedRow: out is written field by field at the end (a struct copy was a
  // `rep movs` per row) and stays unchanged on kNotFast.
  TimeMs timestamp_ms;
  std::uint64_t txn_key;
  std::int64_t latency_ms;
  ErrorCode error_code;
  // Both fields admit only digits, letters and -:.TZ_, so the line has no other comma, quote,
  // newline or non-ASCII byte before kAfterId.
  if (!timestamp(p, timestamp_ms)) return kNotFast;
  if (!decode_transaction_id(p + kTimestampLength + 1, txn_key)) return kNotFast;
  // The line's end, and its commas and specials before it, as a 128-bit mask hi:lo.
  const csv_detail::BlockMasks m = Masks::at(p + kAfterId);
  std::uint64_t lo, hi = 0, special;
  std::size_t end;
  if (m.newline != 0) {
    end = static_cast<std::size_t>(__builtin_ctzll(m.newline));
    const std::uint64_t below = (std::uint64_t{1} << end) - 1;
    lo = m.comma & below;
    special = m.special & below;
  } else {
    const csv_detail::BlockMasks m2 = Masks::at(p + kAfterId + 64);
    if (m2.newline == 0) return kNotFast;  // a long line: decode() takes it
    end = static_cast<std::size_t>(__builtin_ctzll(m2.newline));
    const std::uint64_t below = (std::uint64_t{1} << end) - 1;
    lo = m.comma;
    hi = m2.comma & below;
    special = m.special | (m2.special & below);
    end += 64;
  }
  // amount, 5 fields, latency_ms, error_code, error_message: 8 more commas, the first one in lo.
  // Not counted (no popcnt in the x86-64 baseline): the amount's comma is the lowest, the last
  // three are the highest, and the span check below demands exactly four between them.
  if (special != 0 || lo == 0) return kNotFast;
  const std::size_t length = kAfterId + end;
  if (p[length - 1] == '\r') return kNotFast;
  const auto amount_size = static_cast<std::size_t>(__builtin_ctzll(lo));
  lo &= lo - 1;
  if (amount_size >= 1 && amount_size <= 8 ? !is_short_decimal_amount(p + kAfterId, amount_size)
                                           : !is_decimal_amount(std::string_view(p + kAfterId, amount_size))) {
    return kNotFast;
  }
  // The last three commas, from the top; the four inside currency..status are the span cache's.
  const std::size_t c9 = kAfterId + take_highest(lo, hi), c8 = kAfterId + take_highest(lo, hi),
                    c7 = kAfterId + take_highest(lo, hi);
  if (c7 <= kAfterId + amount_size) return kNotFast;  // fewer than four commas after the amount's
  // currency,type,bank_id,bank_name,status: checked once per distinct span of bytes.
  const std::size_t span_at = kAfterId + amount_size + 1;
  const SpanVerdict* span = spans_.check(p + span_at, c7 - span_at);
  if (span == nullptr) return kNotFast;
  if (!parse_latency_digits(p + c7 + 1, c8 - c7 - 1, latency_ms)) return kNotFast;
  if (c9 == c8 + 1) {
    error_code = ErrorCode::none;
  } else {
    const auto code = parse_error_code(std::string_view(p + c8 + 1, c9 - c8 - 1));
    if (!code) return kNotFast;
    error_code = *code;
  }
  if ((span->status == TxnStatus::success) != (error_code == ErrorCode::none)) return kNotFast;
  if (span->bank_size == 0 && error_code != ErrorCode::NO_ROUTE) return kNotFast;
  // The bank name and the error message are free text: nothing to check on a line without quotes.
  out.timestamp_ms = timestamp_ms;
  out.txn_key = txn_key;
  out.bank_id = std::string_view(p + span_at + span->bank_begin, span->bank_size);
  out.status = span->status;
  out.error_code = error_code;
  out.latency_ms = latency_ms;
  out.span_id = span->id;
  return length;
}

std::optional<Malformed> CsvRowDecoder::decode(std::string_view line, DecodedRow& out) {
  RowView row;
  if (const auto bad = parse_csv_line(line, row)) return bad;
  out.timestamp_ms = row.timestamp_ms;
  out.txn_key = transaction_key(row.transaction_id).value_or(0);  // the parser checked its form
  out.bank_id = row.bank_id;
  out.status = row.status;
  out.error_code = row.error_code;
  out.latency_ms = row.latency_ms;
  out.span_id = DecodedRow::kNoSpanId;
  return std::nullopt;
}

}  // namespace payops
