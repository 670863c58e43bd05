// Keeping customer identifiers and card-like numbers out of the log and off the screen: every text
// checkout echoes (customer id, idempotency key, error sentences, bank names) passes through here.
#pragma once

#include <string>
#include <string_view>

namespace payops {

// Card-like numbers: a run of at least kMinMaskedDigits digits, optionally grouped by single spaces
// or dashes ("4111 1111 1111 1111", "4111-1111-1111-1111"). Payment card numbers are 12-19 digits;
// longer runs are masked too, since one may embed a card number.
inline constexpr std::size_t kMinMaskedDigits = 12;

// Replaces each card-like number in text by "****" and its last 4 digits ("****1111"); the group
// separators go with it, so the masked form does not reveal the number's length or grouping.
// Everything else is kept byte for byte.
std::string mask_card_numbers(std::string_view text);

// A short masked form of a customer identifier: "****" and its last 4 characters ("****4821");
// identifiers of 8 bytes or fewer become "****" alone, so at least half is always hidden.
// The empty string stays empty (no customer given).
std::string mask_customer_id(std::string_view customer_id);

}  // namespace payops
