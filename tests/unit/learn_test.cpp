#include <doctest/doctest.h>

#include "agent_test_util.h"
#include "agent/learn.h"

using namespace payops;
using payops::test::kT0;
using payops::test::Rows;

namespace {
Config with_action(const Action& a, TimeMs at) {
  Config c = test::two_bank_config();
  c.banks[1].health_status = Health::healthy;
  auto e = apply_action(c, a, ActionContext{at, "c1", "rules"});
  REQUIRE(e.ok());
  return c;
}
}  // namespace

TEST_CASE("learn waits for the evaluation window, then judges by the bank or the payments") {
  const Action degrade{UpdateBankHealth{"bank_b", Health::degraded}, "bank_b failing",
                       Json{{"observed", Json{{"payment_success_rate", 0.7}}}}};
  Config c = with_action(degrade, kT0);
  Rows recovered;
  recovered.spread(kT0 + 40'000, kT0 + 70'000, 50, "bank_b");
  CHECK(judge_pending(c, recovered.observe(kT0 + 59'000), LearnOptions{}).empty());
  auto j = judge_pending(c, recovered.observe(kT0 + 70'000), LearnOptions{});
  REQUIRE(j.size() == 1);
  CHECK(j[0].outcome == Outcome::effective);
  record_judgements(c, j);
  CHECK(c.agent_history[0].outcome == Outcome::effective);
  CHECK(judge_pending(c, recovered.observe(kT0 + 80'000), LearnOptions{}).empty());  // judged once
}

TEST_CASE("an ineffective move away from a still-failing bank escalates") {
  const Action degrade{UpdateBankHealth{"bank_b", Health::degraded}, "bank_b failing",
                       Json{{"observed", Json{{"payment_success_rate", 0.7}}}}};
  Config c = with_action(degrade, kT0);
  Rows failing;
  failing.spread(kT0 + 40'000, kT0 + 70'000, 50, "bank_b", 2);  // 50% soft failures, payments at 50%
  auto j = judge_pending(c, failing.observe(kT0 + 70'000), LearnOptions{});
  REQUIRE(j.size() == 1);
  CHECK(j[0].outcome == Outcome::ineffective);
  REQUIRE(j[0].escalation.has_value());
  CHECK(j[0].escalation->bank_id == "bank_b");
  // The rules then take it further (degraded -> down) instead of repeating the degrade.
  c.banks[1].health_status = Health::degraded;
  const Decision d = decide_rules(c, failing.observe(kT0 + 70'000), RulesOptions{}, {*j[0].escalation});
  bool down = false;
  for (const Action& a : d.actions) {
    if (auto* h = std::get_if<UpdateBankHealth>(&a.args)) down |= h->health_status == Health::down;
  }
  CHECK(down);
}

TEST_CASE("an escalation leaves a bank whose breaker is open degraded: the hold answers it, not a verdict") {
  const Action degrade{UpdateBankHealth{"bank_b", Health::degraded}, "bank_b failing",
                       Json{{"observed", Json{{"payment_success_rate", 0.7}}}}};
  Config c = with_action(degrade, kT0);
  Rows failing;
  failing.spread(kT0 + 40'000, kT0 + 70'000, 50, "bank_b", 2);
  auto j = judge_pending(c, failing.observe(kT0 + 70'000), LearnOptions{});
  REQUIRE(j.size() == 1);
  REQUIRE(j[0].escalation.has_value());
  c.banks[1].health_status = Health::degraded;
  c.banks[1].circuit_breaker.state = BreakerState::open;  // opened just now: no probe due yet
  c.banks[1].circuit_breaker.opened_at = kT0 + 69'000;
  const Decision d = decide_rules(c, failing.observe(kT0 + 70'000), RulesOptions{}, {*j[0].escalation});
  for (const Action& a : d.actions) {
    if (auto* h = std::get_if<UpdateBankHealth>(&a.args)) CHECK(h->health_status != Health::down);
  }
}

TEST_CASE("no traffic: pending until the give-up bound, then ineffective without escalation") {
  Config c = with_action(Action{SetCircuitBreaker{"bank_b", BreakerState::open}, "x", {}}, kT0);
  CHECK(judge_pending(c, Rows{}.observe(kT0 + 120'000), LearnOptions{}).empty());
  auto j = judge_pending(c, Rows{}.observe(kT0 + 300'000), LearnOptions{});
  REQUIRE(j.size() == 1);
  CHECK(j[0].outcome == Outcome::ineffective);
  CHECK_FALSE(j[0].escalation.has_value());
}

TEST_CASE("a half_open whose probes failed is ineffective, with the verdict's numbers in the entry") {
  Config c = with_action(Action{SetCircuitBreaker{"bank_b", BreakerState::half_open}, "probe", {}}, kT0);
  Rows rows;
  rows.spread(kT0 + 40'000, kT0 + 70'000, 100, "bank_a");  // customers are fine: the others carry them
  rows.spread(kT0 + 40'000, kT0 + 70'000, 10, "bank_b", 1);  // every probe fails
  auto j = judge_pending(c, rows.observe(kT0 + 70'000), LearnOptions{});
  REQUIRE(j.size() == 1);
  CHECK(j[0].outcome == Outcome::ineffective);
  CHECK(j[0].verdict["aim"] == "toward");
  CHECK(j[0].verdict["fault_rate"].get<double>() == doctest::Approx(1.0));
  record_judgements(c, j);
  CHECK(c.agent_history[0].details["verdict"]["max_fault_rate"].get<double>() == doctest::Approx(0.10));
}

TEST_CASE("a move away is effective only when first-attempt success recovered, not eventual success") {
  const Action open{SetCircuitBreaker{"bank_b", BreakerState::open}, "bank_b failing",
                    Json{{"observed", Json{{"first_attempt_success_rate", 0.7}}}}};
  Config c = with_action(open, kT0);
  Rows rows;
  // Every payment's first attempt fails on bank_b and its retry succeeds on bank_a: eventual success
  // is 100%, first-attempt success 50%.
  for (int i = 0; i < 40; ++i) {
    const TimeMs t = kT0 + 40'000 + i * 500;
    rows.add(t, "bank_a");
    rows.add(t + 1, "bank_b", ErrorCode::BANK_UNAVAILABLE, 100, 1000 + i);
    rows.add(t + 2, "bank_a", ErrorCode::none, 100, 1000 + i);
  }
  auto j = judge_pending(c, rows.observe(kT0 + 70'000), LearnOptions{});
  REQUIRE(j.size() == 1);
  CHECK(j[0].outcome == Outcome::ineffective);
  CHECK(j[0].verdict["first_attempt_success_rate"].get<double>() == doctest::Approx(0.5));
  CHECK(j[0].escalation.has_value());  // bank_b is still failing
}
