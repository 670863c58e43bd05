// The change point success-rate routing judges a bank from (change_point.h), on hand-built rows.
#include <doctest/doctest.h>

#include "agent/change_point.h"
#include "agent_test_util.h"

using namespace payops;
using payops::test::kT0;
using payops::test::Rows;

namespace {

const TimeMs kNow = kT0 + 600'000;
const TimeMs kSince = kNow - 300'000;

// n rows a second for bank over [from, to), every fail_every-th failing (0: none).
void per_second(Rows& rows, TimeMs from, TimeMs to, int n, const std::string& bank, int fail_every = 0,
                ErrorCode code = ErrorCode::NETWORK_ERROR) {
  int i = 0;
  for (TimeMs s = from; s < to; s += 1000)
    for (int k = 0; k < n; ++k, ++i) rows.add(s + k * 1000 / n, bank, fail_every > 0 && i % fail_every == fail_every - 1 ? code : ErrorCode::none);
}

std::optional<TimeMs> change(const Rows& rows, const std::string& bank = "bank_a") {
  return success_change_since(rows.window, bank, kSince, kNow, ChangePointOptions{});
}

}  // namespace

TEST_CASE("change point: none on a steady bank, none for an unknown one") {
  Rows rows;
  per_second(rows, kNow - 200'000, kNow, 20, "bank_a", 25);  // 4% failures all along
  CHECK_FALSE(change(rows));
  CHECK_FALSE(change(rows, "bank_z"));
}

TEST_CASE("change point: a drop is found where it happened, however thin the traffic after it") {
  Rows rows;
  per_second(rows, kNow - 120'000, kNow - 30'000, 10, "bank_a", 100);  // 99%
  per_second(rows, kNow - 30'000, kNow - 20'000, 10, "bank_a", 10);    // 90% ...
  per_second(rows, kNow - 20'000, kNow, 1, "bank_a", 10);              // ... and its share cut to 1/s
  const auto at = change(rows);
  REQUIRE(at);
  CHECK(*at >= kNow - 32'000);
  CHECK(*at <= kNow - 28'000);
}

TEST_CASE("change point: the latest change counts (fell, then recovered); rate limits are not a change") {
  Rows rows;
  per_second(rows, kNow - 200'000, kNow - 100'000, 10, "bank_a", 100);  // 99%
  per_second(rows, kNow - 100'000, kNow - 50'000, 10, "bank_a", 5);     // 80%
  per_second(rows, kNow - 50'000, kNow, 10, "bank_a", 100);             // 99% again
  // A burst of 429s in the last 10 s: load, never a change of its success (they are not counted).
  per_second(rows, kNow - 10'000, kNow, 20, "bank_a", 1, ErrorCode::RATE_LIMITED);
  const auto at = change(rows);
  REQUIRE(at);
  CHECK(*at >= kNow - 52'000);
  CHECK(*at <= kNow - 48'000);
}

TEST_CASE("change point: a blip is not a change; the same rate held for long enough is") {
  Rows rows;
  per_second(rows, kNow - 120'000, kNow - 5000, 10, "bank_a", 50);  // 98%
  per_second(rows, kNow - 5000, kNow, 4, "bank_a", 10);             // 2 failures in 20: chance at 2%
  CHECK_FALSE(change(rows));
  per_second(rows, kNow - 60'000, kNow - 5000, 4, "bank_a", 2);  // 4 more a second at 50% for a minute
  CHECK(change(rows));
}
