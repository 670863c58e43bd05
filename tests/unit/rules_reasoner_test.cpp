#include <doctest/doctest.h>

#include "agent_test_util.h"
#include "agent/rules_reasoner.h"

using namespace payops;
using payops::test::kT0;
using payops::test::Rows;

namespace {

const Action* find_action(const Decision& d, const std::string& name, const std::string& bank = "") {
  for (const Action& a : d.actions) {
    if (action_name(a) == name && (bank.empty() || action_bank(a) == bank ||
                                   (name == "reroute_traffic" &&
                                    std::get<RerouteTraffic>(a.args).weights.count(bank)))) {
      return &a;
    }
  }
  return nullptr;
}

// Applies a decision the way a cycle does, so the next decision sees the history it left.
void apply_all(Config& c, const Decision& d, TimeMs now) {
  for (const Action& a : d.actions) {
    auto r = apply_action(c, a, ActionContext{now, "test", "rules"});
    (void)r;
  }
}

const TimeMs kNow = kT0 + 600'000;

}  // namespace

TEST_CASE("breaker opens at failure_threshold trailing soft failures, not one before") {
  Config c = test::two_bank_config();
  for (int failures : {4, 5}) {
    CAPTURE(failures);
    Rows rows;
    rows.spread(kNow - 20'000, kNow - 10'000, 10, "bank_b");
    for (int i = 0; i < failures; ++i) rows.add(kNow - 5000 + i, "bank_b", ErrorCode::BANK_UNAVAILABLE);
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    const Action* open = find_action(d, "set_circuit_breaker", "bank_b");
    CHECK((open != nullptr) == (failures == 5));
    if (open) {
      CHECK(open->reason.find("5 consecutive faults (threshold 5)") != std::string::npos);
      CHECK(find_action(d, "update_bank_health", "bank_b"));  // an open breaker means degraded
    }
  }
}

TEST_CASE("breaker opens on the soft-failure rate only with min_requests attempts") {
  Config c = test::two_bank_config();
  for (int n : {19, 20}) {
    CAPTURE(n);
    Rows rows;
    // Every other attempt fails, never two in a row: only the rate can trip it (rate 0.5 is not
    // above 0.5, so use 2 of 3 failing with a success last).
    for (int i = 0; i < n; ++i) {
      rows.add(kNow - 20'000 + i * 100, "bank_b", i % 3 == 2 || i == n - 1 ? ErrorCode::none : ErrorCode::NETWORK_ERROR);
    }
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    CHECK((find_action(d, "set_circuit_breaker", "bank_b") != nullptr) == (n == 20));
  }
}

TEST_CASE("hard declines never count against a bank") {
  Config c = test::two_bank_config();
  Rows rows;
  for (int i = 0; i < 50; ++i) rows.add(kNow - 20'000 + i * 100, "bank_b", ErrorCode::INSUFFICIENT_FUNDS);
  const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  CHECK(d.actions.empty());
}

TEST_CASE("breaker timers: open -> half_open after open_duration_s, longer for a bank that keeps tripping") {
  Config c = test::two_bank_config();
  Rows rows;
  rows.spread(kNow - 60'000, kNow, 60, "bank_a");
  Decision open = decide_rules(c, Rows{}.observe(kNow), RulesOptions{});
  CHECK(open.actions.empty());
  apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::open}, "test", {}}}, {}}, kNow - 29'000);
  CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_b"));
  const Decision later = decide_rules(c, rows.observe(kNow + 1000), RulesOptions{});
  REQUIRE(find_action(later, "set_circuit_breaker", "bank_b"));
  CHECK(std::get<SetCircuitBreaker>(find_action(later, "set_circuit_breaker", "bank_b")->args).state ==
        BreakerState::half_open);
  // A second open within the long window doubles the hold.
  apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::closed}, "t", {}}}, {}}, kNow + 1000);
  apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::open}, "t", {}}}, {}}, kNow + 2000);
  CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow + 40'000), RulesOptions{}), "set_circuit_breaker", "bank_b"));
  CHECK(find_action(decide_rules(c, rows.observe(kNow + 62'000), RulesOptions{}), "set_circuit_breaker", "bank_b"));
}

TEST_CASE("half_open: healthy probes close the breaker, failed probes reopen it (health unchanged)") {
  Config c = test::two_bank_config();
  c.banks[1].health_status = Health::degraded;
  apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::half_open}, "t", {}}}, {}}, kNow - 10'000);
  SUBCASE("healthy") {
    Rows rows;
    rows.spread(kNow - 40'000, kNow - 12'000, 30, "bank_b", 1);  // failures before half_open: not evidence
    rows.spread(kNow - 9000, kNow, 6, "bank_b");
    // bank_a's attempts in the same span: the probes finish at the rate bank_b's share predicts.
    rows.spread(kNow - 9000, kNow, 100, "bank_a");
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    const Action* a = find_action(d, "set_circuit_breaker", "bank_b");
    REQUIRE(a);
    CHECK(std::get<SetCircuitBreaker>(a->args).state == BreakerState::closed);
  }
  SUBCASE("too few probes yet") {
    Rows rows;
    rows.spread(kNow - 9000, kNow, 4, "bank_b");
    CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_b"));
  }
  SUBCASE("failed") {
    Rows rows;
    rows.spread(kNow - 9000, kNow, 6, "bank_b", 1);
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    REQUIRE(find_action(d, "set_circuit_breaker", "bank_b"));
    CHECK(std::get<SetCircuitBreaker>(find_action(d, "set_circuit_breaker", "bank_b")->args).state == BreakerState::open);
    CHECK_FALSE(find_action(d, "update_bank_health", "bank_b"));
  }
}

TEST_CASE("health hysteresis: enter degraded at 25%, leave only at 10% after the dwell") {
  Config c = test::two_bank_config();
  RulesOptions o;
  SUBCASE("20% is not enough to enter") {
    Rows rows;
    rows.spread(kNow - 300'000, kNow, 600, "bank_b", 5, ErrorCode::GATEWAY_TIMEOUT);
    CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), o), "update_bank_health", "bank_b"));
  }
  SUBCASE("enter at 25% over both windows; hover at 20% stays degraded; 5% after dwell leaves") {
    Rows rows;
    rows.spread(kNow - 300'000, kNow, 600, "bank_b", 4, ErrorCode::GATEWAY_TIMEOUT);
    Decision d = decide_rules(c, rows.observe(kNow), o);
    REQUIRE(find_action(d, "update_bank_health", "bank_b"));
    apply_all(c, d, kNow);
    CHECK(c.banks[1].health_status == Health::degraded);
    Rows hover;
    hover.spread(kNow, kNow + 120'000, 240, "bank_b", 5, ErrorCode::GATEWAY_TIMEOUT);
    CHECK_FALSE(find_action(decide_rules(c, hover.observe(kNow + 120'000), o), "update_bank_health", "bank_b"));
    Rows good;
    good.spread(kNow, kNow + 120'000, 240, "bank_b", 20, ErrorCode::GATEWAY_TIMEOUT);
    CHECK_FALSE(find_action(decide_rules(c, good.observe(kNow + 30'000), o), "update_bank_health", "bank_b"));  // dwell
    d = decide_rules(c, good.observe(kNow + 120'000), o);
    REQUIRE(find_action(d, "update_bank_health", "bank_b"));
    CHECK(std::get<UpdateBankHealth>(find_action(d, "update_bank_health", "bank_b")->args).health_status == Health::healthy);
  }
}

TEST_CASE("reroute moves weight away in bounded steps and restores it gradually to the operator's intent") {
  Config c = test::two_bank_config();  // bank_a 60, bank_b 40
  c.banks[1].health_status = Health::degraded;
  c.agent_history.push_back(test::operator_entry(kNow - 3'600'000, "banks.bank_b.health_status", "healthy", "degraded"));
  Rows bad;
  bad.spread(kNow - 30'000, kNow, 100, "bank_b", 2);
  std::vector<std::int64_t> seen;
  TimeMs t = kNow;
  for (int i = 0; i < 6; ++i, t += 10'000) {
    const Decision d = decide_rules(c, bad.observe(kNow), RulesOptions{});
    apply_all(c, Decision{[&] {
                            std::vector<Action> only;
                            for (const Action& a : d.actions) if (action_name(a) == "reroute_traffic") only.push_back(a);
                            return only;
                          }(),
                          {}},
              t);
    seen.push_back(c.banks[1].weight);
  }
  // Down by at most the guardrail bound (25% of the enabled total 100) to the floor 4 (10% of 40).
  CHECK(seen == std::vector<std::int64_t>{15, 4, 4, 4, 4, 4});
  CHECK(c.banks[0].weight == 60);
  c.banks[1].health_status = Health::healthy;
  Rows good;
  good.spread(t - 30'000, t, 100, "bank_b");
  seen.clear();
  for (int i = 0; i < 5; ++i, t += 10'000) {
    apply_all(c, decide_rules(c, good.observe(t - 10'000), RulesOptions{}), t);
    seen.push_back(c.banks[1].weight);
  }
  CHECK(seen == std::vector<std::int64_t>{14, 24, 34, 40, 40});
  CHECK(intended_weights(c).at("bank_b") == 40);
}

TEST_CASE("an operator's recent change is never undone; after the cooldown the new intent is honoured") {
  Config c = test::two_bank_config();
  c.banks[1].weight = 10;
  c.agent_history.push_back(test::operator_entry(kNow - 60'000, "banks.bank_b.weight", 40, 10));
  Rows good;
  good.spread(kNow - 30'000, kNow, 100, "bank_b");
  CHECK_FALSE(find_action(decide_rules(c, good.observe(kNow), RulesOptions{}), "reroute_traffic"));
  CHECK(intended_weights(c).at("bank_b") == 10);  // the operator's 10 is the intent now
  // An operator who degraded a bank keeps it degraded through the cooldown even if it looks fine.
  c.banks[1].health_status = Health::degraded;
  c.agent_history.push_back(test::operator_entry(kNow - 60'000, "banks.bank_b.health_status", "healthy", "degraded"));
  CHECK_FALSE(find_action(decide_rules(c, good.observe(kNow), RulesOptions{}), "update_bank_health"));
  // ... and so does a breaker the operator opened, whatever the failures say.
  Rows bad;
  for (int i = 0; i < 10; ++i) bad.add(kNow - 1000 + i, "bank_a", ErrorCode::BANK_UNAVAILABLE);
  c.agent_history.push_back(test::operator_entry(kNow - 1000, "banks.bank_a.circuit_breaker.state", "open", "closed"));
  CHECK_FALSE(find_action(decide_rules(c, bad.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_a"));
  // Once the cooldown is over, fresh failures open it as usual.
  for (int i = 0; i < 10; ++i) bad.add(kNow + 120'000 + i, "bank_a", ErrorCode::BANK_UNAVAILABLE);
  CHECK(find_action(decide_rules(c, bad.observe(kNow + 120'010), RulesOptions{}), "set_circuit_breaker", "bank_a"));
}

TEST_CASE("chaos abort: below the floor with enough payments, and not before") {
  Config c = test::two_bank_config();
  c.routing_rules.chaos_mode = true;
  c.routing_rules.chaos_failure_rate = 0.5;
  RulesOptions o;
  Rows rows;
  // 40 payments, 30% never succeed (each a single failed attempt).
  for (int i = 0; i < 40; ++i) rows.add(kNow - 20'000 + i * 100, "bank_a", i % 10 < 3 ? ErrorCode::NETWORK_ERROR : ErrorCode::none);
  const Decision d = decide_rules(c, rows.observe(kNow), o);
  const Action* off = find_action(d, "toggle_chaos_mode");
  REQUIRE(off);
  CHECK(off->reason.find("70.0%") != std::string::npos);
  CHECK(off->reason.find("85.0%") != std::string::npos);
  o.chaos_abort_below = 0.6;
  CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), o), "toggle_chaos_mode"));
  o.chaos_abort_below = 0.85;
  o.min_payments = 50;
  CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), o), "toggle_chaos_mode"));
}

TEST_CASE("the last route is never removed: the ejection cap stops the rule, the guardrail stops any other path") {
  Config c = test::two_bank_config();
  c.banks[0].circuit_breaker.state = BreakerState::open;
  c.banks[0].circuit_breaker.opened_at = kNow;
  Rows rows;
  for (int i = 0; i < 10; ++i) rows.add(kNow - 1000 + i, "bank_b", ErrorCode::BANK_UNAVAILABLE);
  const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  CHECK_FALSE(find_action(d, "set_circuit_breaker", "bank_b"));  // one of two banks is out: the cap
  bool capped = false;
  for (const std::string& n : d.notes) capped |= n.find("bank_b: breaker left closed: ejection cap") != std::string::npos;
  CHECK(capped);
  const Status s = check_action(c, Action{SetCircuitBreaker{"bank_b", BreakerState::open}, "test", {}});
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("last route") != std::string::npos);
}

TEST_CASE("transient failures lower the retry policy; a healthy bank gets its old policy back") {
  Config c = test::two_bank_config();
  c.banks[1].health_status = Health::degraded;
  Rows rows;
  rows.spread(kNow - 30'000, kNow, 100, "bank_b", 3, ErrorCode::RATE_LIMITED);
  Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  REQUIRE(find_action(d, "adjust_retry_policy", "bank_b"));
  apply_all(c, d, kNow);
  CHECK(c.banks[1].retry_policy.level == RetryLevel::low);
  c.banks[1].health_status = Health::healthy;
  Rows good;
  good.spread(kNow, kNow + 30'000, 100, "bank_b");
  d = decide_rules(c, good.observe(kNow + 30'000), RulesOptions{});
  REQUIRE(find_action(d, "adjust_retry_policy", "bank_b"));
  apply_all(c, d, kNow + 30'000);
  CHECK(c.banks[1].retry_policy.level == RetryLevel::normal);
  CHECK(c.banks[1].retry_policy.max_retries == 3);
}

TEST_CASE("retries: low when a retry has a bank that is not failing to go to; high on a last route refusing for load") {
  Config c = test::two_bank_config();
  c.banks[1].health_status = Health::degraded;
  Rows rows;
  rows.spread(kNow - 30'000, kNow, 100, "bank_b", 3, ErrorCode::RATE_LIMITED);
  const auto level = [&](const Decision& d) -> std::optional<RetryLevel> {
    const Action* a = find_action(d, "adjust_retry_policy", "bank_b");
    if (!a) return std::nullopt;
    return std::get<AdjustRetryPolicy>(a->args).level;
  };
  SUBCASE("bank_a's breaker is open: bank_b, the last route, refuses a third of its attempts for load") {
    c.banks[0].circuit_breaker.state = BreakerState::open;
    c.banks[0].circuit_breaker.opened_at = kNow - 1000;
    CHECK(level(decide_rules(c, rows.observe(kNow), RulesOptions{})) == RetryLevel::high);
  }
  SUBCASE("bank_a routable but failing half its attempts") {
    rows.spread(kNow - 30'000, kNow, 100, "bank_a", 2, ErrorCode::BANK_UNAVAILABLE);
    CHECK(level(decide_rules(c, rows.observe(kNow), RulesOptions{})) == RetryLevel::high);
  }
  SUBCASE("the last route timing out, not refusing for load: fewer retries would lose payments, more add load") {
    c.banks[0].circuit_breaker.state = BreakerState::open;
    c.banks[0].circuit_breaker.opened_at = kNow - 1000;
    Rows slow;
    slow.spread(kNow - 30'000, kNow, 100, "bank_b", 3, ErrorCode::GATEWAY_TIMEOUT);
    CHECK_FALSE(level(decide_rules(c, slow.observe(kNow), RulesOptions{})));
  }
  SUBCASE("bank_a routable and serving: one quick retry there") {
    rows.spread(kNow - 30'000, kNow, 100, "bank_a");
    CHECK(level(decide_rules(c, rows.observe(kNow), RulesOptions{})) == RetryLevel::low);
  }
}

TEST_CASE("latency degrades a bank only when both windows are slow, not on a long tail's timeouts") {
  Config c = test::two_bank_config();
  RulesOptions o;
  SUBCASE("a naturally slow tail: a few 8 s timeouts in the short window, a normal long window") {
    Rows rows;
    for (int i = 0; i < 600; ++i) rows.add(kNow - 300'000 + i * 500, "bank_b", ErrorCode::none, 400);
    for (int i = 0; i < 3; ++i) rows.add(kNow - 5'000 + i * 1000, "bank_b", ErrorCode::none, 7900);
    CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), o), "update_bank_health", "bank_b"));
  }
  SUBCASE("a latency storm: both windows above latency_enter_ms") {
    Rows rows;
    for (int i = 0; i < 300; ++i) rows.add(kNow - 300'000 + i * 1000, "bank_b", ErrorCode::none, 400);
    for (int i = 0; i < 120; ++i) rows.add(kNow - 30'000 + i * 250, "bank_b", ErrorCode::none, 5000);
    const Decision d = decide_rules(c, rows.observe(kNow), o);
    const Action* a = find_action(d, "update_bank_health", "bank_b");
    REQUIRE(a);
    CHECK(std::get<UpdateBankHealth>(a->args).health_status == Health::degraded);
    CHECK(a->reason.find("slow, 80.0% of 150 attempts took >= 1500 ms") != std::string::npos);
  }
}
