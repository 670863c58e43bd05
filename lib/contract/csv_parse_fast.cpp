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

bool is_upper3(std::string_view s) {
  return s.size() == 3 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && s[2] >= 'A' &&
         s[2] <= 'Z';
}

// s equals the literal word (a constant-size memcmp: the compiler turns it into integer compares).
template <std::size_t N>
bool is_word(std::string_view s, const char (&word)[N]) {
  return s.size() == N - 1 && std::memcmp(s.data(), word, N - 1) == 0;
}

// The five payment methods have five different lengths, so the length picks the only candidate.
bool is_payment_method(std::string_view s) {
  switch (s.size()) {
    case 3: return is_word(s, "upi");
    case 4: return is_word(s, "card");
    case 6: return is_word(s, "wallet");
    case 10: return is_word(s, "netbanking");
    case 13: return is_word(s, "bank_transfer");
    default: return false;
  }
}

bool is_bank_id_text(std::string_view s) {
  for (const char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
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

// The common shape: 10 commas, no quote, ASCII only, no '\r' at the end, at most kMaxLineBytes.
// Returns false when the line is not a good row (the caller then asks parse_csv_line why).
bool CsvRowDecoder::decode_plain(std::string_view line, const std::uint32_t* c, DecodedRow& out) {
  const char* p = line.data();
  const auto field = [&](int k) {
    const std::uint32_t begin = k == 0 ? 0 : c[k - 1] + 1;
    const std::uint32_t end = k == kCsvFieldCount - 1 ? static_cast<std::uint32_t>(line.size()) : c[k];
    return std::string_view(p + begin, end - begin);
  };
  if (c[0] != kTimestampLength || c[1] != kTimestampLength + 21) return false;
  DecodedRow row;
  if (!timestamp(p, row.timestamp_ms)) return false;
  if (!decode_transaction_id(p + kTimestampLength + 1, row.txn_key)) return false;
  if (!is_decimal_amount(field(2)) || !is_upper3(field(3)) || !is_payment_method(field(4))) return false;
  const std::string_view status = field(7);
  if (is_word(status, "success")) {
    row.status = TxnStatus::success;
  } else if (is_word(status, "failed")) {
    row.status = TxnStatus::failed;
  } else {
    return false;
  }
  const std::string_view latency = field(8);
  if (latency.empty() || latency.size() > 18 || !all_digits(latency.data(), latency.size())) return false;
  std::int64_t v = 0;
  for (const char ch : latency) v = v * 10 + (ch - '0');
  row.latency_ms = v;
  const std::string_view code_text = field(9);
  if (code_text.empty()) {
    row.error_code = ErrorCode::none;
  } else {
    const auto code = parse_error_code(code_text);
    if (!code) return false;
    row.error_code = *code;
  }
  if ((row.status == TxnStatus::success) != (row.error_code == ErrorCode::none)) return false;
  const std::string_view bank = field(5);
  if (!is_bank_id_text(bank) || (bank.empty() && row.error_code != ErrorCode::NO_ROUTE)) return false;
  row.bank_id = bank;
  out = row;
  return true;
}

std::optional<Malformed> CsvRowDecoder::decode(std::string_view line, const LineShapeHint& hint,
                                               DecodedRow& out) {
  if (hint.plain && hint.commas == kCsvFieldCount - 1 && line.size() <= kMaxLineBytes &&
      line.back() != '\r' && decode_plain(line, hint.comma_at, out)) {
    return std::nullopt;
  }
  RowView row;
  if (const auto bad = parse_csv_line(line, row)) return bad;
  out.timestamp_ms = row.timestamp_ms;
  out.txn_key = transaction_key(row.transaction_id).value_or(0);  // the parser checked its form
  out.bank_id = row.bank_id;
  out.status = row.status;
  out.error_code = row.error_code;
  out.latency_ms = row.latency_ms;
  return std::nullopt;
}

}  // namespace payops
