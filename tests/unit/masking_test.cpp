// Masking: card-like digit runs keep only their last 4 digits, customer ids keep a short tail.
#include <doctest/doctest.h>

#include "app/masking.h"

using namespace payops;

TEST_CASE("card-like numbers of 12 or more digits are masked to their last 4") {
  CHECK(mask_card_numbers("4111111111111111") == "****1111");
  CHECK(mask_card_numbers("card 4111 1111 1111 1234 declined") == "card ****1234 declined");
  CHECK(mask_card_numbers("4111-1111-1111-9876,") == "****9876,");
  CHECK(mask_card_numbers("amount \"378282246310005\" is too large") == "amount \"****0005\" is too large");
  CHECK(mask_card_numbers("123456789012") == "****9012");                   // 12 digits: masked
  CHECK(mask_card_numbers("12345678901234567890123") == "****0123");        // longer runs too
}

TEST_CASE("shorter numbers, amounts, timestamps and text are left alone") {
  CHECK(mask_card_numbers("12345678901") == "12345678901");  // 11 digits
  CHECK(mask_card_numbers("125.50 INR") == "125.50 INR");
  CHECK(mask_card_numbers("1000000000.00") == "1000000000.00");
  CHECK(mask_card_numbers("2026-11-22T12:00:00.123Z") == "2026-11-22T12:00:00.123Z");
  CHECK(mask_card_numbers("") == "");
  CHECK(mask_card_numbers("bank_a (Stripe Gateway)") == "bank_a (Stripe Gateway)");
  // A separator must sit between two digits to join groups; doubled separators split the run.
  CHECK(mask_card_numbers("4111  1111  1111  1111") == "4111  1111  1111  1111");
  CHECK(mask_card_numbers("ends with dash 411111111111-") == "ends with dash ****1111-");
}

TEST_CASE("customer ids keep only a short tail") {
  CHECK(mask_customer_id("") == "");
  CHECK(mask_customer_id("cus_1") == "****");
  CHECK(mask_customer_id("12345678") == "****");
  CHECK(mask_customer_id("cus_8812345") == "****2345");
  CHECK(mask_customer_id("4111111111111111") == "****1111");
  CHECK(mask_customer_id("jane.doe@example.com") == "****.com");
  CHECK(mask_customer_id("kunde_müller_ä") == "****er_ä");  // never cuts a UTF-8 character
}
