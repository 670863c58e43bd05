// Router: the contract's eligibility, smooth WRR shares, primary_first, retries and explanations.
#include <doctest/doctest.h>

#include <array>
#include <map>
#include <vector>

#include "contract/config_model.h"
#include "routing/router.h"

using namespace payops;

namespace {

Config four_banks() {
  Config c;
  const std::array<std::pair<const char*, std::int64_t>, 4> banks = {
      {{"bank_a", 50}, {"bank_b", 30}, {"bank_c", 15}, {"bank_d", 5}}};
  for (const auto& [id, w] : banks) {
    Bank b;
    b.id = id;
    b.name = std::string("Name of ") + id;
    b.weight = w;
    c.banks.push_back(b);
  }
  c.routing_rules.primary_bank = "bank_a";
  return c;
}

std::vector<std::uint64_t> first_attempt_counts(Router& r, std::size_t banks, int n) {
  std::vector<std::uint64_t> counts(banks, 0);
  for (int i = 0; i < n; ++i) {
    const auto b = r.pick({}, nullptr);
    REQUIRE(b >= 0);
    ++counts[static_cast<std::size_t>(b)];
  }
  return counts;
}

}  // namespace

TEST_CASE("first-attempt shares converge to the weights among eligible banks") {
  Config c = four_banks();
  Router r(c);
  const int n = 100000;
  const auto counts = first_attempt_counts(r, 4, n);
  // Smooth WRR is exact up to one pick per bank, far inside a 0.5% tolerance.
  CHECK(counts[0] == doctest::Approx(0.50 * n).epsilon(0.005));
  CHECK(counts[1] == doctest::Approx(0.30 * n).epsilon(0.005));
  CHECK(counts[2] == doctest::Approx(0.15 * n).epsilon(0.005));
  CHECK(counts[3] == doctest::Approx(0.05 * n).epsilon(0.005));
  // The router's own shares agree with the config model's traffic_shares (one rule, two views).
  const auto shares = traffic_shares(c);
  for (std::int32_t i = 0; i < 4; ++i) CHECK(r.share(i) == doctest::Approx(shares[static_cast<std::size_t>(i)]));
}

TEST_CASE("smooth WRR interleaves instead of bursting and is deterministic") {
  Config c = four_banks();
  Router r1(c), r2(c);
  int longest_run = 0, run = 0;
  std::int32_t prev = -1;
  for (int i = 0; i < 1000; ++i) {
    const auto a = r1.pick({}, nullptr);
    CHECK(a == r2.pick({}, nullptr));
    run = a == prev ? run + 1 : 1;
    longest_run = std::max(longest_run, run);
    prev = a;
  }
  CHECK(longest_run <= 2);  // 50% weight never gets more than two in a row
}

TEST_CASE("disabled, down and breaker-open banks get nothing, with the reason explained") {
  Config c = four_banks();
  c.banks[1].enabled = false;
  c.banks[2].health_status = Health::down;
  c.banks[3].circuit_breaker.state = BreakerState::open;
  Router r(c);
  const auto counts = first_attempt_counts(r, 4, 10000);
  CHECK(counts[0] == 10000);
  RouteExplanation e;
  CHECK(r.pick({}, &e) == 0);
  CHECK(e.basis == RouteBasis::weighted_round_robin);
  CHECK(e.share == doctest::Approx(1.0));
  REQUIRE(e.skipped.size() == 3);
  CHECK(e.skipped[0].reason == SkipReason::disabled);
  CHECK(e.skipped[1].reason == SkipReason::down);
  CHECK(e.skipped[2].reason == SkipReason::breaker_open);
  const std::string text = describe(e, c);
  CHECK(text.find("bank_a (Name of bank_a): weighted round robin, 100.0% of first attempts") == 0);
  CHECK(text.find("bank_b (disabled), bank_c (down), bank_d (breaker open)") != std::string::npos);
}

TEST_CASE("a degraded bank still takes its full share: only down is excluded") {
  Config c = four_banks();
  c.banks[1].health_status = Health::degraded;
  Router r(c);
  const auto counts = first_attempt_counts(r, 4, 10000);
  CHECK(counts[1] == doctest::Approx(3000).epsilon(0.01));
}

TEST_CASE("a half_open bank gets weight * half_open_traffic_ratio") {
  Config c = four_banks();
  c.banks[1].circuit_breaker.state = BreakerState::half_open;
  c.banks[1].circuit_breaker.half_open_traffic_ratio = 0.1;  // 30 -> 3
  Router r(c);
  const int n = 100000;
  const auto counts = first_attempt_counts(r, 4, n);
  const double total = 50 + 3 + 15 + 5;
  CHECK(counts[1] == doctest::Approx(n * 3 / total).epsilon(0.01));
  CHECK(counts[0] == doctest::Approx(n * 50 / total).epsilon(0.01));
  RouteExplanation e;
  for (int i = 0; i < 100 && e.bank_index != 1; ++i) r.pick({}, &e);
  CHECK(e.half_open);
  CHECK(traffic_shares(c)[1] == doctest::Approx(3 / total));
}

TEST_CASE("zero-weight banks are skipped, also for retries") {
  Config c = four_banks();
  c.banks[0].weight = 0;
  Router r(c);
  const auto counts = first_attempt_counts(r, 4, 1000);
  CHECK(counts[0] == 0);
  const std::int32_t tried[] = {1, 2, 3};
  RouteExplanation e;
  // Every routable bank tried: one of them is reused, never the drained one.
  const auto b = r.pick(tried, &e);
  CHECK(b != 0);
  CHECK(e.all_tried);
}

TEST_CASE("retries go to the next eligible bank not yet tried") {
  Config c = four_banks();
  Router r(c);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::int32_t> tried{r.pick({}, nullptr)};
    for (int retry = 0; retry < 3; ++retry) {
      RouteExplanation e;
      const auto b = r.pick(tried, &e);
      CHECK(e.retry);
      CHECK_FALSE(e.all_tried);
      CHECK(std::find(tried.begin(), tried.end(), b) == tried.end());
      tried.push_back(b);
    }
    // Four banks, four attempts: the fifth reuses one and says so.
    RouteExplanation e;
    CHECK(r.pick(tried, &e) >= 0);
    CHECK(e.all_tried);
  }
}

TEST_CASE("retries do not disturb the first-attempt shares") {
  Config c = four_banks();
  Router r(c);
  std::vector<std::uint64_t> counts(4, 0);
  for (int i = 0; i < 100000; ++i) {
    const auto first = r.pick({}, nullptr);
    ++counts[static_cast<std::size_t>(first)];
    if (i % 3 == 0) {
      const std::int32_t tried[] = {first};
      (void)r.pick(tried, nullptr);
    }
  }
  CHECK(counts[0] == doctest::Approx(50000).epsilon(0.005));
  CHECK(counts[3] == doctest::Approx(5000).epsilon(0.01));
}

TEST_CASE("primary_first: the primary while eligible, then by weight") {
  Config c = four_banks();
  c.routing_rules.fallback_strategy = FallbackStrategy::primary_first;
  c.routing_rules.primary_bank = "bank_c";
  Router r(c);
  RouteExplanation e;
  CHECK(r.pick({}, &e) == 2);
  CHECK(e.basis == RouteBasis::primary_first);
  const std::int32_t tried1[] = {2};
  CHECK(r.pick(tried1, nullptr) == 0);
  const std::int32_t tried2[] = {2, 0};
  CHECK(r.pick(tried2, nullptr) == 1);
  c.banks[2].health_status = Health::down;
  r.set_config(c);
  CHECK(r.pick({}, nullptr) == 0);
}

TEST_CASE("nothing eligible: the enabled primary is the last resort, else no route") {
  Config c = four_banks();
  for (auto& b : c.banks) b.health_status = Health::down;
  Router r(c);
  RouteExplanation e;
  CHECK(r.pick({}, &e) == 0);
  CHECK(e.basis == RouteBasis::last_resort);
  CHECK(e.skipped.size() == 3);
  CHECK(describe(e, c).find("last resort") != std::string::npos);
  // Retries stay on the last resort.
  const std::int32_t tried[] = {0};
  CHECK(r.pick(tried, nullptr) == 0);

  c.banks[0].enabled = false;
  r.set_config(c);
  CHECK(r.pick({}, &e) == -1);
  CHECK(e.basis == RouteBasis::no_route);
  CHECK(e.skipped.size() == 4);
  CHECK(describe(e, c).find("NO_ROUTE") == 0);
}

TEST_CASE("a reload that changes nothing keeps the round-robin sequence") {
  Config c = four_banks();
  Router a(c), b(c);
  for (int i = 0; i < 37; ++i) CHECK(a.pick({}, nullptr) == b.pick({}, nullptr));
  b.set_config(c);
  for (int i = 0; i < 100; ++i) CHECK(a.pick({}, nullptr) == b.pick({}, nullptr));
}
