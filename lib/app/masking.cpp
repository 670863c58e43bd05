// Masking of card-like digit runs and customer identifiers.
#include "app/masking.h"

namespace payops {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_separator(char c) { return c == ' ' || c == '-'; }

}  // namespace

std::string mask_card_numbers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i])) {
      out += text[i++];
      continue;
    }
    // A run: digits, where a single separator between two digits continues it.
    std::size_t end = i, digits = 0;
    std::string last4;
    while (end < text.size()) {
      if (is_digit(text[end])) {
        ++digits;
        last4 += text[end];
        if (last4.size() > 4) last4.erase(0, 1);
        ++end;
      } else if (is_separator(text[end]) && end + 1 < text.size() && is_digit(text[end + 1])) {
        ++end;
      } else {
        break;
      }
    }
    if (digits >= kMinMaskedDigits) {
      out += "****";
      out += last4;
    } else {
      out.append(text.substr(i, end - i));
    }
    i = end;
  }
  return out;
}

std::string mask_customer_id(std::string_view customer_id) {
  if (customer_id.empty()) return {};
  if (customer_id.size() <= 8) return "****";
  // Count the last 4 characters, not bytes, so a UTF-8 sequence is never cut in half.
  std::size_t start = customer_id.size(), chars = 0;
  while (start > 0 && chars < 4) {
    --start;
    if ((static_cast<unsigned char>(customer_id[start]) & 0xC0) != 0x80) ++chars;
  }
  return "****" + mask_card_numbers(customer_id.substr(start));
}

}  // namespace payops
