// A direct-mapped table of checked spans: a slot holds the span's bytes (zero-padded to kMaxBytes)
// and its verdict. A hit is decided by comparing every byte, never by the hash alone.
#include "contract/csv_parse_span_cache.h"

#include <cstring>
#include <string_view>

#include "contract/csv_parse.h"

namespace payops {

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

}  // namespace

SpanVerdictCache::SpanVerdictCache() : slots_(new Slot[std::size_t{2} << kSetBits]()) {}
SpanVerdictCache::~SpanVerdictCache() = default;

const SpanVerdict* SpanVerdictCache::check_slow(const char* span, std::size_t size, Slot* set) {
  if (set == nullptr) {
    if (!check_fields(span, size, uncached_)) return nullptr;
    uncached_.id = UINT32_MAX;  // no id: the caller cannot tell two such spans apart by it
    return &uncached_;
  }
  SpanVerdict v;
  if (!check_fields(span, size, v)) return nullptr;
  v.id = next_id_ == UINT32_MAX ? UINT32_MAX : next_id_++;  // ids run out after 4G distinct spans
  set[1] = set[0];
  Slot* const slot = &set[0];
  std::memset(slot->bytes, 0, sizeof slot->bytes);
  std::memcpy(slot->bytes, span, size);
  slot->size = static_cast<std::uint32_t>(size);
  slot->verdict = v;
  return &slot->verdict;
}

}  // namespace payops
