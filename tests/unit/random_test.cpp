#include <doctest/doctest.h>

#include "platform/random.h"

using namespace payops;

TEST_CASE("a seed fixes the stream") {
  Random a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a.next_u64();
    CHECK(x == b.next_u64());
    differs |= x != c.next_u64();
  }
  CHECK(differs);
}

TEST_CASE("uniform, below and lognormal stay in range and centre where they should") {
  Random r(7);
  double sum = 0;
  int counts[10] = {};
  for (int i = 0; i < 100000; ++i) {
    const double u = r.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    ++counts[r.below(10)];
  }
  CHECK(sum / 100000 == doctest::Approx(0.5).epsilon(0.01));
  for (int c : counts) CHECK(c == doctest::Approx(10000).epsilon(0.05));
  int below_median = 0;
  for (int i = 0; i < 20000; ++i) below_median += r.lognormal(200, 0.5) < 200;
  CHECK(below_median == doctest::Approx(10000).epsilon(0.03));
}
