// Retry timing: exponential growth, the cap, full jitter bounds, and max_retries.
#include <doctest/doctest.h>

#include "routing/retry_backoff.h"

using namespace payops;

TEST_CASE("backoff grows by the multiplier and stops at the cap") {
  RetryPolicy p;
  p.backoff_ms = 1000;
  p.backoff_multiplier = 2.0;
  p.max_backoff_ms = 10000;
  CHECK(backoff_ceiling_ms(p, 0) == 1000);
  CHECK(backoff_ceiling_ms(p, 1) == 2000);
  CHECK(backoff_ceiling_ms(p, 3) == 8000);
  CHECK(backoff_ceiling_ms(p, 4) == 10000);
  CHECK(backoff_ceiling_ms(p, 1000) == 10000);  // no overflow
  p.backoff_multiplier = 1.5;
  CHECK(backoff_ceiling_ms(p, 2) == 2250);
}

TEST_CASE("without jitter the wait is the ceiling and the rng is untouched") {
  RetryPolicy p;
  p.jitter = false;
  Random a(1), b(1);
  CHECK(backoff_delay_ms(p, 1, a) == 2000);
  CHECK(a.next_u64() == b.next_u64());
}

TEST_CASE("full jitter is uniform in [0, ceiling]") {
  RetryPolicy p;  // 1000 ms, x2, cap 10000, jitter on
  Random rng(3);
  for (std::int64_t i = 0; i < 6; ++i) {
    const auto ceiling = backoff_ceiling_ms(p, i);
    double sum = 0;
    std::int64_t lo = ceiling, hi = 0;
    for (int n = 0; n < 20000; ++n) {
      const auto d = backoff_delay_ms(p, i, rng);
      REQUIRE(d >= 0);
      REQUIRE(d <= ceiling);
      lo = std::min(lo, d), hi = std::max(hi, d);
      sum += static_cast<double>(d);
    }
    CHECK(sum / 20000 == doctest::Approx(static_cast<double>(ceiling) / 2).epsilon(0.03));
    CHECK(lo < ceiling / 50);
    CHECK(hi > ceiling - ceiling / 50);
  }
}

TEST_CASE("max_retries bounds the retries") {
  RetryPolicy p;
  p.max_retries = 3;
  CHECK(may_retry(p, 0));
  CHECK(may_retry(p, 2));
  CHECK_FALSE(may_retry(p, 3));
  p.max_retries = 0;
  CHECK_FALSE(may_retry(p, 0));
}

TEST_CASE("the presets match the contract") {
  CHECK(RetryPolicy::preset(RetryLevel::low).max_retries == 1);
  CHECK(RetryPolicy::preset(RetryLevel::low).backoff_ms == 500);
  CHECK(RetryPolicy::preset(RetryLevel::normal).max_retries == 3);
  CHECK(RetryPolicy::preset(RetryLevel::normal).backoff_ms == 1000);
  CHECK(RetryPolicy::preset(RetryLevel::high).max_retries == 5);
  CHECK(RetryPolicy::preset(RetryLevel::high).backoff_ms == 2000);
}
