// The healing rules on hand-built observations: precise operator cooldown, ejection cap and panic,
// RATE_LIMITED as load, learned capacity, slowness, probe weight, bounded hold, success-rate routing.
#include <doctest/doctest.h>

#include "agent_test_util.h"
#include "agent/rules_reasoner.h"

using namespace payops;
using payops::test::kT0;
using payops::test::Rows;

namespace {

const TimeMs kNow = kT0 + 600'000;

const Action* find_action(const Decision& d, const std::string& name, const std::string& bank = "") {
  for (const Action& a : d.actions) {
    if (action_name(a) != name) continue;
    if (bank.empty() || action_bank(a) == bank) return &a;
    if (const auto* r = std::get_if<RerouteTraffic>(&a.args); r && r->weights.count(bank)) return &a;
  }
  return nullptr;
}

std::int64_t rerouted(const Decision& d, const std::string& bank) {
  const Action* a = find_action(d, "reroute_traffic", bank);
  return a ? std::get<RerouteTraffic>(a->args).weights.at(bank) : -1;
}

bool has_note(const Decision& d, const std::string& text) {
  for (const std::string& n : d.notes)
    if (n.find(text) != std::string::npos) return true;
  return false;
}

void apply_all(Config& c, const Decision& d, TimeMs now) {
  for (const Action& a : d.actions) (void)apply_action(c, a, ActionContext{now, "test", "rules"});
}

// n rows per second for bank over [from, to), every fail_every-th failing with code, given latency.
void per_second(Rows& rows, TimeMs from, TimeMs to, int n, const std::string& bank, int fail_every = 0,
                ErrorCode code = ErrorCode::BANK_UNAVAILABLE, std::int64_t latency_ms = 200) {
  int i = 0;
  for (TimeMs s = from; s < to; s += 1000) {
    for (int k = 0; k < n; ++k, ++i) {
      const bool fail = fail_every > 0 && i % fail_every == fail_every - 1;
      rows.add(s + k * 1000 / n, bank, fail ? code : ErrorCode::none, latency_ms);
    }
  }
}

}  // namespace

TEST_CASE("operator cooldown protects the exact field: tuning open_duration_s does not freeze the breaker") {
  Config c = test::two_bank_config();
  Rows rows;
  per_second(rows, kNow - 10'000, kNow - 1000, 10, "bank_a");
  for (int i = 0; i < 6; ++i) rows.add(kNow - 600 + i * 100, "bank_b", ErrorCode::BANK_UNAVAILABLE);
  SUBCASE("a sibling field") {
    c.agent_history.push_back(test::operator_entry(kNow - 5000, "banks.bank_b.circuit_breaker.open_duration_s", 30, 8));
    c.agent_history.push_back(test::operator_entry(kNow - 5000, "banks.bank_b.circuit_breaker.failure_threshold", 5, 5));
    CHECK(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_b"));
  }
  SUBCASE("the state itself") {
    c.agent_history.push_back(test::operator_entry(kNow - 5000, "banks.bank_b.circuit_breaker.state", "open", "closed"));
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    CHECK_FALSE(find_action(d, "set_circuit_breaker", "bank_b"));
    CHECK(has_note(d, "bank_b: breaker left closed (operator changed it within 120 s)"));
  }
  SUBCASE("an object containing it") {
    c.agent_history.push_back(test::operator_entry(kNow - 5000, "banks.bank_b.circuit_breaker", Json::object(), Json::object()));
    CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_b"));
  }
}

TEST_CASE("a dead bank is ejected in one cycle, within the ejection cap, and not in a panic") {
  Config c = default_config();  // four banks: the cap is two
  Rows rows;
  for (const char* id : {"bank_a", "bank_c", "bank_d"}) per_second(rows, kNow - 6000, kNow, 20, id);
  per_second(rows, kNow - 2000, kNow, 10, "bank_b", 1);  // everything fails
  SUBCASE("open now") {
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    const Action* open = find_action(d, "set_circuit_breaker", "bank_b");
    REQUIRE(open);
    CHECK(std::get<SetCircuitBreaker>(open->args).state == BreakerState::open);
  }
  SUBCASE("two banks already out: the cap holds it") {
    c.banks[2].circuit_breaker.state = BreakerState::open;
    c.banks[2].circuit_breaker.opened_at = kNow;
    c.banks[3].health_status = Health::down;
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    CHECK_FALSE(find_action(d, "set_circuit_breaker", "bank_b"));
    CHECK(has_note(d, "ejection cap, 2 of the enabled banks already out (max 2)"));
  }
  SUBCASE("every other bank fails too: panic, nothing is ejected") {
    Rows all_bad;
    for (const char* id : {"bank_a", "bank_b", "bank_c", "bank_d"}) per_second(all_bad, kNow - 6000, kNow, 20, id, 1);
    const Decision d = decide_rules(c, all_bad.observe(kNow), RulesOptions{});
    CHECK_FALSE(find_action(d, "set_circuit_breaker"));
    CHECK(has_note(d, "panic"));
  }
}

TEST_CASE("capacity panic: a bank that still serves stays in when the others' learned ceilings cannot carry the load") {
  Config c = test::two_bank_config();  // bank_a 60, bank_b 40
  // bank_b fails 2 of 3 served attempts (above the 50% breaker threshold, below the 75% of
  // serving_min_success), never 5 in a row.
  const auto failing_b = [](Rows& rows, TimeMs from) {
    for (int i = 0; i < 60; ++i)
      rows.add(from + i * 50, "bank_b", i % 3 == 2 ? ErrorCode::none : ErrorCode::NETWORK_ERROR);
  };
  SUBCASE("bank_a saturated: its ceiling (60/s) is below the attempts (77/s): bank_b stays closed") {
    Rows rows;
    per_second(rows, kNow - 30'000, kNow, 75, "bank_a", 5, ErrorCode::RATE_LIMITED);  // 60/s served: its ceiling
    failing_b(rows, kNow - 3000);
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    CHECK_FALSE(find_action(d, "set_circuit_breaker", "bank_b"));
    CHECK(has_note(d, "bank_b: breaker left closed: capacity panic, it still succeeds on 33.3% of 60 served attempts"));
  }
  SUBCASE("bank_a never rate-limited: no ceiling known, bank_b is ejected") {
    Rows rows;
    per_second(rows, kNow - 30'000, kNow, 75, "bank_a");
    failing_b(rows, kNow - 3000);
    CHECK(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_b"));
  }
  SUBCASE("a bank that fails nearly everything is ejected even then") {
    Rows rows;
    per_second(rows, kNow - 30'000, kNow, 75, "bank_a", 5, ErrorCode::RATE_LIMITED);
    per_second(rows, kNow - 3000, kNow, 20, "bank_b", 1);
    CHECK(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_b"));
  }
  SUBCASE("half_open probes that fail but serve close the breaker instead of reopening it") {
    c.banks[1].circuit_breaker.state = BreakerState::half_open;
    c.agent_history.push_back(test::operator_entry(kNow - 300'000, "banks.bank_b.circuit_breaker.state", "open", "half_open"));
    Rows rows;
    per_second(rows, kNow - 30'000, kNow, 75, "bank_a", 5, ErrorCode::RATE_LIMITED);
    failing_b(rows, kNow - 3000);
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    const Action* a = find_action(d, "set_circuit_breaker", "bank_b");
    REQUIRE(a);
    CHECK(std::get<SetCircuitBreaker>(a->args).state == BreakerState::closed);
    CHECK(a->reason.find("capacity panic") != std::string::npos);
  }
}

TEST_CASE("RATE_LIMITED is load, not a fault: no breaker, no health verdict") {
  Config c = test::two_bank_config();
  Rows rows;
  per_second(rows, kNow - 300'000, kNow, 10, "bank_a");
  per_second(rows, kNow - 30'000, kNow, 40, "bank_b", 2, ErrorCode::RATE_LIMITED);
  for (int i = 0; i < 10; ++i) rows.add(kNow - 100 + i, "bank_b", ErrorCode::RATE_LIMITED);
  const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  CHECK_FALSE(find_action(d, "set_circuit_breaker", "bank_b"));
  CHECK_FALSE(find_action(d, "update_bank_health", "bank_b"));
  // The same volume of real faults does both.
  Rows faults;
  per_second(faults, kNow - 300'000, kNow, 10, "bank_a");
  per_second(faults, kNow - 30'000, kNow, 40, "bank_b", 2, ErrorCode::NETWORK_ERROR);
  for (int i = 0; i < 10; ++i) faults.add(kNow - 100 + i, "bank_b", ErrorCode::NETWORK_ERROR);
  const Decision f = decide_rules(c, faults.observe(kNow), RulesOptions{});
  CHECK(find_action(f, "set_circuit_breaker", "bank_b"));
  CHECK(find_action(f, "update_bank_health", "bank_b"));
}

TEST_CASE("capacity is learned from the seconds a bank rate-limited") {
  Rows rows;
  per_second(rows, kNow - 20'000, kNow - 10'000, 20, "bank_a");             // never limited
  per_second(rows, kNow - 10'000, kNow, 40, "bank_a", 4, ErrorCode::RATE_LIMITED);  // 30 served per second
  const Observation obs = rows.observe(kNow);
  const auto cap = learned_capacity_per_s(obs.rows, "bank_a", kNow - 20'000, kNow);
  REQUIRE(cap);
  CHECK(*cap == doctest::Approx(30));
  CHECK_FALSE(learned_capacity_per_s(obs.rows, "bank_a", kNow - 20'000, kNow - 10'000));
  CHECK_FALSE(learned_capacity_per_s(obs.rows, "bank_z", kNow - 20'000, kNow));
}

TEST_CASE("capacity is learned from a bank a little past its ceiling; 429s among many faults are no ceiling") {
  // 400 attempts a second, 20 refused (5%) beside 4 other faults: saturated, though under a tenth.
  Rows rows;
  for (TimeMs s = kNow - 5000; s < kNow; s += 1000) {
    for (int k = 0; k < 400; ++k) {
      const ErrorCode code = k % 20 == 19 ? ErrorCode::RATE_LIMITED : k % 100 == 50 ? ErrorCode::NETWORK_ERROR : ErrorCode::none;
      rows.add(s + k * 1000 / 400, "bank_a", code);
    }
  }
  // A bank failing for other reasons (chaos at 70%): its 429s, 7% of its attempts, are a tenth of its faults.
  for (TimeMs s = kNow - 5000; s < kNow; s += 1000) {
    for (int k = 0; k < 100; ++k) {
      const ErrorCode code = k < 7 ? ErrorCode::RATE_LIMITED : k < 70 ? ErrorCode::BANK_UNAVAILABLE : ErrorCode::none;
      rows.add(s + k * 10, "bank_b", code);
    }
  }
  const Observation obs = rows.observe(kNow);
  const auto cap = learned_capacity_per_s(obs.rows, "bank_a", kNow - 5000, kNow);
  REQUIRE(cap);
  CHECK(*cap == doctest::Approx(380));
  CHECK_FALSE(learned_capacity_per_s(obs.rows, "bank_b", kNow - 5000, kNow));
}

TEST_CASE("capacity: traffic taken from a failing bank is not piled onto a bank past its ceiling") {
  Config c = test::two_bank_config();  // bank_a 60, bank_b 40
  Rows rows;
  per_second(rows, kNow - 30'000, kNow, 75, "bank_a", 5, ErrorCode::RATE_LIMITED);  // 60/s served: its ceiling
  per_second(rows, kNow - 30'000, kNow, 25, "bank_b", 2, ErrorCode::NETWORK_ERROR);  // 50% faults
  const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  const Action* a = find_action(d, "reroute_traffic", "bank_b");
  REQUIRE(a);
  // Without the cap bank_b goes to its floor (4) and bank_a takes 94% of 100 attempts/s; with it,
  // bank_a is planned at <= 80% of 60/s = 48/s, so bank_b keeps about half.
  CHECK(rerouted(d, "bank_b") > 20);
  CHECK(a->reason.find("capacity") != std::string::npos);
  CHECK(a->evidence.contains("capacity"));
}

TEST_CASE("capacity panic: a half_open bank is no room, its unknown ceiling does not lift the panic") {
  Config c = default_config();  // bank_a 50, bank_b 25, bank_c 15, bank_d 10
  c.banks[3].enabled = false;
  c.banks[2].circuit_breaker.state = BreakerState::half_open;  // bank_c on trial, no rows, no ceiling
  Rows rows;
  per_second(rows, kNow - 30'000, kNow, 75, "bank_a", 5, ErrorCode::RATE_LIMITED);  // 60/s served: its ceiling
  int i = 0;
  for (TimeMs s = kNow - 30'000; s < kNow; s += 1000)  // 60% faults: above the 50% threshold, 40% served
    for (int k = 0; k < 25; ++k, ++i) rows.add(s + k * 40, "bank_b", i % 5 < 3 ? ErrorCode::NETWORK_ERROR : ErrorCode::none);
  const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  CHECK_FALSE(find_action(d, "set_circuit_breaker", "bank_b"));
  CHECK(has_note(d, "bank_b: breaker left closed: capacity panic"));
}

TEST_CASE("capacity: a bank with no learned ceiling takes at most a quarter more than its peak served second") {
  Config c = default_config();  // bank_a 50, bank_b 25, bank_c 15, bank_d 10
  c.banks[1].circuit_breaker.state = BreakerState::open;  // bank_b and bank_c out: a and d carry it
  c.banks[1].circuit_breaker.opened_at = kNow;
  c.banks[2].circuit_breaker.state = BreakerState::open;
  c.banks[2].circuit_breaker.opened_at = kNow;
  Rows rows;
  per_second(rows, kNow - 30'000, kNow, 75, "bank_a", 5, ErrorCode::RATE_LIMITED);  // ceiling 60/s
  per_second(rows, kNow - 30'000, kNow, 15, "bank_d");                               // never limited
  const Observation obs = rows.observe(kNow);
  CHECK(peak_served_per_s(obs.rows, "bank_d", kNow - 30'000, kNow) == doctest::Approx(15));
  CHECK(peak_served_per_s(obs.rows, "bank_a", kNow - 30'000, kNow) == doctest::Approx(60));
  CHECK(peak_served_per_s(obs.rows, "bank_z", kNow - 30'000, kNow) == 0);
  const Decision d = decide_rules(c, obs, RulesOptions{});
  // 90 attempts/s: bank_a is capped at 48/s (53%); bank_d, with no ceiling known, may take 1.25 x
  // 15/s = 18.75/s (21%), not the whole 47% excess; everyone capped, the shares are spread in
  // proportion (a 72%, d 28%), so bank_d's target is 17 of 60, not 28 (all of bank_a's excess);
  // it climbs there in bounded steps (10 -> 13).
  const Action* a = find_action(d, "reroute_traffic", "bank_d");
  REQUIRE(a);
  CHECK(rerouted(d, "bank_d") == 13);
  CHECK(a->reason.find("bank_d 10->13 toward 17 ") != std::string::npos);
}

TEST_CASE("slow is a failure mode: a slow bank loses first-attempt share and regains it on recovery") {
  Config c = test::two_bank_config();
  Rows slow;
  per_second(slow, kNow - 30'000, kNow, 20, "bank_a");
  per_second(slow, kNow - 30'000, kNow, 10, "bank_b", 0, ErrorCode::none, 3000);  // all succeed, slowly
  Decision d = decide_rules(c, slow.observe(kNow), RulesOptions{});
  const Action* h = find_action(d, "update_bank_health", "bank_b");
  REQUIRE(h);
  CHECK(h->reason.find("slow") != std::string::npos);
  CHECK(rerouted(d, "bank_b") == 15);  // down by the guardrail's bound toward the slow floor 1
  apply_all(c, d, kNow);
  apply_all(c, decide_rules(c, slow.observe(kNow + 1000), RulesOptions{}), kNow + 1000);
  CHECK(c.banks[1].weight == 1);
  Rows fast;
  // Traffic goes on past each cycle: a held bank comes back only on attempts that started after its
  // weight was last set and finished at the rate that weight predicts (silence.h).
  per_second(fast, kNow + 2000, kNow + 37'000, 60, "bank_a");
  per_second(fast, kNow + 2000, kNow + 37'000, 30, "bank_b", 0, ErrorCode::none, 250);
  std::vector<std::int64_t> seen;
  for (TimeMs t = kNow + 32'000; t < kNow + 37'000; t += 1000) {
    apply_all(c, decide_rules(c, fast.observe(t), RulesOptions{}), t);
    seen.push_back(c.banks[1].weight);
  }
  CHECK(seen == std::vector<std::int64_t>{11, 21, 31, 40, 40});
}

TEST_CASE("slow verdict: after a cut of its weight, the slow tail of the attempts sent before it is no verdict") {
  // drift, seed 3 (under a trial outlier rule): bank_d cut from 25 to 1, then "slow" 5 s later: 30%
  // of 69 rows over 1.5 s, the slow tail (up to 8 s timeouts) of attempts started under its larger share.
  Config c = test::two_bank_config();
  const ObserveOptions drill{6'000, 300'000};
  const TimeMs cut_at = kNow - 5'000;
  Rows rows;
  per_second(rows, kNow - 60'000, kNow, 40, "bank_a");
  per_second(rows, kNow - 60'000, cut_at, 20, "bank_b");
  per_second(rows, cut_at, kNow, 1, "bank_b");
  // 30 slow successes of attempts started before the cut, finishing in the 3 s after it.
  for (int i = 0; i < 30; ++i) rows.add(cut_at + 100 * i + 100, "bank_b", ErrorCode::none, 3'000 + 100 * i);
  SUBCASE("cut: judged on the attempts started since, too few to tell") {
    RerouteTraffic cut;
    cut.weights["bank_b"] = 20;
    apply_all(c, Decision{{Action{cut, "t", Json{{"intended", Json{{"bank_a", 60}, {"bank_b", 40}}}}}}, {}}, cut_at);
    CHECK_FALSE(find_action(decide_rules(c, observe_rows(rows.window, kNow, drill), RulesOptions{}), "update_bank_health", "bank_b"));
  }
  SUBCASE("the same rows without a cut: slow") {
    const Decision d = decide_rules(c, observe_rows(rows.window, kNow, drill), RulesOptions{});
    const Action* h = find_action(d, "update_bank_health", "bank_b");
    REQUIRE(h);
    CHECK(h->reason.find("slow") != std::string::npos);
  }
}

TEST_CASE("half_open probes flow at a real rate, and the hold never compounds past 2x") {
  Config c = test::two_bank_config();
  RerouteTraffic down;
  down.weights["bank_b"] = 15;
  apply_all(c, Decision{{Action{down, "t", Json{{"intended", Json{{"bank_a", 60}, {"bank_b", 40}}}}}}, {}}, kNow - 200'000);
  for (TimeMs t : {kNow - 150'000, kNow - 100'000, kNow - 61'000}) {
    apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::open}, "t", {}}}, {}}, t);
    if (t != kNow - 61'000)
      apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::half_open}, "t", {}}}, {}}, t + 1);
  }
  Rows rows;
  per_second(rows, kNow - 30'000, kNow, 100, "bank_a");
  // Three opens in the long window: the hold is 2 x 30 s, not 3 x.
  CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow - 2000), RulesOptions{}), "set_circuit_breaker", "bank_b"));
  const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  REQUIRE(find_action(d, "set_circuit_breaker", "bank_b"));
  // The probe weight is the least that lets 2 probes/s through (13 x 10% of 61.3 of the 100
  // payments/s), above its slow start (10, a quarter of its intent 40); not the intent itself: each
  // probe into a bank still down is a failed first attempt.
  CHECK(rerouted(d, "bank_b") == 13);
  CHECK(find_action(d, "reroute_traffic", "bank_b")->reason.find("probe weight") != std::string::npos);
}

TEST_CASE("half_open probe weight: at its intent when the other banks' learned ceilings cannot carry the traffic") {
  Config c = test::two_bank_config();
  RerouteTraffic down;
  down.weights["bank_b"] = 15;
  apply_all(c, Decision{{Action{down, "t", Json{{"intended", Json{{"bank_a", 60}, {"bank_b", 40}}}}}}, {}}, kNow - 200'000);
  apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::open}, "t", {}}}, {}}, kNow - 61'000);
  Rows rows;
  // bank_a answers RATE_LIMITED to one attempt in five every second: its ceiling is 80/s of the 100/s.
  per_second(rows, kNow - 30'000, kNow, 100, "bank_a", 5, ErrorCode::RATE_LIMITED);
  const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  REQUIRE(find_action(d, "set_circuit_breaker", "bank_b"));
  // Toward its intent 40, one guardrail step (19 of the 75) at a time, not down to the 13 that 2
  // probes/s need: the load it does not take would be refused by bank_a.
  CHECK(rerouted(d, "bank_b") == 34);
}

TEST_CASE("half_open probe weight: the slow-start weight when that already gives the minimum probe rate") {
  Config c = test::two_bank_config();  // 60 / 40
  apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::open}, "t", {}}}, {}}, kNow - 61'000);
  Rows rows;
  per_second(rows, kNow - 30'000, kNow, 400, "bank_a");
  const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  REQUIRE(find_action(d, "set_circuit_breaker", "bank_b"));
  // At 400 payments/s, 2 probes/s need only weight 4; the slow start is 10 (a quarter of 40). The
  // bank leaves its intent 40 toward 10 now (one guardrail step, 25 of the 100), not at the close.
  const Action* reroute = find_action(d, "reroute_traffic", "bank_b");
  REQUIRE(reroute);
  CHECK(rerouted(d, "bank_b") == 15);
  CHECK(reroute->reason.find("40->15 toward 10") != std::string::npos);
}

TEST_CASE("success-rate routing: the best banks get the share, the rest explore; off returns to the intent") {
  Config c = default_config();  // 50 / 25 / 15 / 10
  Rows rows;
  per_second(rows, kNow - 120'000, kNow, 10, "bank_a", 20, ErrorCode::NETWORK_ERROR);  // 95%
  per_second(rows, kNow - 120'000, kNow, 5, "bank_b", 10, ErrorCode::NETWORK_ERROR);   // 90%
  per_second(rows, kNow - 120'000, kNow, 3, "bank_c", 33, ErrorCode::NETWORK_ERROR);   // 97%
  per_second(rows, kNow - 120'000, kNow, 2, "bank_d", 8, ErrorCode::NETWORK_ERROR);    // 87.5%
  CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "reroute_traffic"));  // absent = off
  c.routing_rules.success_rate_routing = SuccessRateRouting{};
  c.routing_rules.success_rate_routing->enabled = true;
  c.routing_rules.success_rate_routing->best_banks = 2;
  const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  CHECK_FALSE(find_action(d, "update_bank_health"));
  CHECK_FALSE(find_action(d, "set_circuit_breaker"));
  const Action* a = find_action(d, "reroute_traffic");
  REQUIRE(a);
  // Targets: a and c share 96% of 100 by intent (74, 22), b and d 4% (3, 1); steps bounded.
  CHECK(rerouted(d, "bank_a") == 63);
  CHECK(rerouted(d, "bank_c") == 19);
  CHECK(rerouted(d, "bank_b") == 3);
  CHECK(rerouted(d, "bank_d") == 1);
  REQUIRE(a->evidence.contains("success_rate_routing"));
  CHECK(a->evidence["success_rate_routing"]["banks"]["bank_c"]["rank"] == 1);
  apply_all(c, d, kNow);
  for (int i = 1; i < 4; ++i) apply_all(c, decide_rules(c, rows.observe(kNow + i * 1000), RulesOptions{}), kNow + i * 1000);
  CHECK(c.banks[0].weight == 74);
  CHECK(c.banks[2].weight == 22);
  CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow + 5000), RulesOptions{}), "reroute_traffic"));  // settled
  // Switched off: back to the operator's weights, in steps.
  c.routing_rules.success_rate_routing->enabled = false;
  for (int i = 6; i < 12; ++i) apply_all(c, decide_rules(c, rows.observe(kNow + i * 1000), RulesOptions{}), kNow + i * 1000);
  CHECK(c.banks[0].weight == 50);
  CHECK(c.banks[1].weight == 25);
  CHECK(c.banks[2].weight == 15);
  CHECK(c.banks[3].weight == 10);
}

TEST_CASE("outlier: a bank failing 5+ points more than its peers and than its own norm loses its share") {
  Config c = test::two_bank_config();
  c.banks.push_back(c.banks[1]);
  c.banks[2].id = "bank_c";
  Rows rows;
  per_second(rows, kNow - 120'000, kNow, 40, "bank_a", 50);  // 2% faults all along
  per_second(rows, kNow - 120'000, kNow, 20, "bank_c", 50);
  SUBCASE("degrades from its norm: 2% -> 20% (under degrade_enter 25%), peers at 2%") {
    per_second(rows, kNow - 120'000, kNow - 30'000, 20, "bank_b", 50);
    per_second(rows, kNow - 30'000, kNow, 20, "bank_b", 5);  // the short window (30 s here)
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    const Action* h = find_action(d, "update_bank_health", "bank_b");
    REQUIRE(h);
    CHECK(h->reason.find("outlier: 20.0% faults over 600 served attempts, its peers 2.0%") != std::string::npos);
    CHECK(rerouted(d, "bank_b") < 40);
    CHECK_FALSE(find_action(d, "update_bank_health", "bank_a"));
  }
  SUBCASE("always that much worse than its peers: its norm, the operator's choice") {
    per_second(rows, kNow - 120'000, kNow, 20, "bank_b", 5);
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    CHECK_FALSE(find_action(d, "update_bank_health", "bank_b"));
    CHECK(rerouted(d, "bank_b") == -1);
  }
  SUBCASE("a few seconds after its change: judged on its rows since then, not diluted by the window") {
    // slow_degradation, default seed: 15% faults from 2% took the whole 6 s window to reach the margin,
    // ~35 failed first attempts. Since the change point: 13 faults in 80 (16%), peers and norm 2%.
    per_second(rows, kNow - 120'000, kNow - 4'000, 20, "bank_b", 50);
    per_second(rows, kNow - 4'000, kNow, 20, "bank_b", 6);
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    const Action* h = find_action(d, "update_bank_health", "bank_b");
    REQUIRE(h);
    // Counted by start: the 4 rows of the change's first 200 ms started before it.
    CHECK(h->reason.find("outlier: 17.1% faults over 76 served attempts") != std::string::npos);
    CHECK(rerouted(d, "bank_b") < 40);
    // 1.5 s after the change, 30 attempts: under the 40 an outlier verdict needs.
    Rows early;
    per_second(early, kNow - 120'000, kNow, 40, "bank_a", 50);
    per_second(early, kNow - 120'000, kNow, 20, "bank_c", 50);
    per_second(early, kNow - 120'000, kNow - 1'500, 20, "bank_b", 50);
    per_second(early, kNow - 1'500, kNow, 20, "bank_b", 6);
    CHECK_FALSE(find_action(decide_rules(c, early.observe(kNow), RulesOptions{}), "update_bank_health", "bank_b"));
  }
  SUBCASE("7 points over its peers and its norm: an outlier at the 5-point margin, not at 10") {
    // slow_degradation, seed 1: its 15% phase showed as ~10 points of faults; caught at 5 points, the
    // gap went from 88% to 102%.
    per_second(rows, kNow - 120'000, kNow - 10'000, 20, "bank_b", 50);
    per_second(rows, kNow - 10'000, kNow, 20, "bank_b", 11);  // 9.1%: 18 faults in 200
    const Observation obs = rows.observe(kNow);
    CHECK(find_action(decide_rules(c, obs, RulesOptions{}), "update_bank_health", "bank_b"));
    RulesOptions ten_points;
    ten_points.outlier_margin = 0.10;
    CHECK_FALSE(find_action(decide_rules(c, obs, ten_points), "update_bank_health", "bank_b"));
  }
  SUBCASE("failing past degrade_enter since its change: the failing rules' to judge, not the outlier's") {
    // overload: bank_b failing half its attempts, cut at its first cycle as an "outlier" before the
    // others' ceilings were learned, cost 15-34 points of the gap.
    per_second(rows, kNow - 120'000, kNow - 3'000, 20, "bank_b", 50);
    per_second(rows, kNow - 3'000, kNow, 20, "bank_b", 2);  // 50%: 30 faults in 60
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    const Action* h = find_action(d, "update_bank_health", "bank_b");
    CHECK((h == nullptr || h->reason.find("outlier") == std::string::npos));
  }
  SUBCASE("after its share was cut, the timeouts of attempts started before the cut are no change") {
    // drift, seed 6: bank_b cut from 96% of first attempts to 2%, then 8 s GATEWAY_TIMEOUT rows of
    // attempts started under load: 23.5% faults by finish time, none of them started after the cut.
    per_second(rows, kNow - 120'000, kNow - 4'000, 20, "bank_b", 50);
    per_second(rows, kNow - 4'000, kNow, 10, "bank_b");
    for (TimeMs t = kNow - 4'000; t < kNow; t += 250) rows.add(t, "bank_b", ErrorCode::GATEWAY_TIMEOUT, 8'000);
    CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "update_bank_health", "bank_b"));
  }
  SUBCASE("too few attempts to tell") {
    per_second(rows, kNow - 120'000, kNow - 30'000, 20, "bank_b", 50);
    rows.spread(kNow - 30'000, kNow, 15, "bank_b", 5);  // 3 of 15: under min_requests (20)
    CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "update_bank_health", "bank_b"));
  }
}

TEST_CASE("outlier: its weight stays cut while its faults do not rule out that it is still worse") {
  // slow_degradation, seed 2: bank_c, an outlier at its floor 2, went back 2 -> 6 toward its intent
  // at 9.2% faults (under degrade_leave) in the middle of its incident.
  Config c = test::two_bank_config();
  c.banks.push_back(c.banks[1]);
  c.banks[2].id = "bank_c";
  RerouteTraffic cut;
  cut.weights["bank_b"] = 20;  // within the guardrail's step; then to its floor by hand
  apply_all(c, Decision{{Action{cut, "t", Json{{"intended", Json{{"bank_a", 60}, {"bank_b", 40}, {"bank_c", 40}}}}}}, {}},
            kNow - 90'000);
  c.banks[1].weight = 2;
  HistoryEntry verdict = test::operator_entry(kNow - 90'000, "banks.bank_b.health_status", "healthy", "degraded");
  verdict.actor = "agent";
  verdict.action = "update_bank_health";
  verdict.reason = "bank_b: degraded: outlier: 13.8% faults over 189 served attempts, its peers 0.3%";
  c.agent_history.push_back(verdict);
  c.banks[1].health_status = Health::degraded;
  Rows rows;
  per_second(rows, kNow - 120'000, kNow, 40, "bank_a", 200);  // peers at 0.5%
  per_second(rows, kNow - 120'000, kNow, 20, "bank_c", 200);
  per_second(rows, kNow - 90'000, kNow, 2, "bank_b", 12);  // 8.3% since the verdict: 15 faults in 180
  CHECK(rerouted(decide_rules(c, rows.observe(kNow), RulesOptions{}), "bank_b") == -1);
  // The same counts after a verdict of another kind: under degrade_leave, it goes back up.
  c.agent_history.back().reason = "bank_b: degraded: fault rate 30.0% over 40 served attempts in 30 s";
  const Decision back = decide_rules(c, rows.observe(kNow), RulesOptions{});
  CHECK(rerouted(back, "bank_b") > 2);
}

TEST_CASE("outlier: the verdict is withdrawn only on faults that rule out a bank still worse than its peers") {
  // drift, seed 1: bank_a degraded as an outlier at 13.8% faults, then called healthy on 1 fault in
  // 32 exploration attempts (under degrade_leave, 10%) while still 5 points worse: a flap.
  Config c = test::two_bank_config();
  c.banks.push_back(c.banks[1]);
  c.banks[2].id = "bank_c";
  c.banks[1].health_status = Health::degraded;
  HistoryEntry verdict = test::operator_entry(kNow - 90'000, "banks.bank_b.health_status", "healthy", "degraded");
  verdict.actor = "agent";
  verdict.action = "update_bank_health";
  verdict.reason = "bank_b: degraded: outlier: 13.8% faults over 189 served attempts, its peers 0.3%";
  Rows rows;
  per_second(rows, kNow - 120'000, kNow, 40, "bank_a", 200);  // peers at 0.5%
  per_second(rows, kNow - 120'000, kNow, 20, "bank_c", 200);
  const auto health_of_b = [&](const Config& config) {
    const Decision d = decide_rules(config, rows.observe(kNow), RulesOptions{});  // outlives the pointer into it
    const Action* h = find_action(d, "update_bank_health", "bank_b");
    return h ? std::get<UpdateBankHealth>(h->args).health_status : Health::degraded;
  };
  SUBCASE("still ~6% faults since the verdict: under degrade_leave, but not ruled out an outlier") {
    per_second(rows, kNow - 90'000, kNow, 1, "bank_b", 16);  // 5 faults in 90
    c.agent_history.push_back(verdict);
    CHECK(health_of_b(c) == Health::degraded);
    // Read by details.degraded_as, whatever the reason says; learn's own details.verdict (an object,
    // learn.cpp) is another key (recovery drill: "type must be string, but is object" when shared).
    c.agent_history.back().reason = "bank_b: degraded";
    c.agent_history.back().details["verdict"] = Json{{"outcome", "effective"}};
    CHECK(health_of_b(c) == Health::healthy);
    c.agent_history.back().details["degraded_as"] = "outlier";
    CHECK(health_of_b(c) == Health::degraded);
    c.agent_history.back().details["degraded_as"] = Json::object();  // not a string: not this verdict
    CHECK(health_of_b(c) == Health::healthy);
    // The same counts after a verdict of another kind: degrade_leave alone decides, as before.
    c.agent_history.back().details.erase("degraded_as");
    c.agent_history.back().reason = "bank_b: degraded: fault rate 30.0% over 40 served attempts in 30 s";
    CHECK(health_of_b(c) == Health::healthy);
  }
  SUBCASE("back at its peers' rate: no fault in 90 rules out 5.5% (P = 0.007)") {
    per_second(rows, kNow - 90'000, kNow, 1, "bank_b");
    c.agent_history.push_back(verdict);
    CHECK(health_of_b(c) == Health::healthy);
  }
  SUBCASE("recovered after a bad spell: judged since its success changed, not on the spell's faults") {
    per_second(rows, kNow - 90'000, kNow - 60'000, 2, "bank_b", 4);  // 15 faults in 60, then
    per_second(rows, kNow - 60'000, kNow, 2, "bank_b");             // none in 120 (P = 0.001 at 5.5%)
    c.agent_history.push_back(verdict);
    CHECK(health_of_b(c) == Health::healthy);
  }
}

TEST_CASE("success-rate routing: a bank whose success just fell is ranked on what it does now") {
  Config c = default_config();  // 50 / 25 / 15 / 10
  c.routing_rules.success_rate_routing = SuccessRateRouting{};
  c.routing_rules.success_rate_routing->enabled = true;
  c.routing_rules.success_rate_routing->half_life_s = 30;
  Rows rows;
  per_second(rows, kNow - 120'000, kNow, 10, "bank_a", 20, ErrorCode::NETWORK_ERROR);  // 95%
  per_second(rows, kNow - 120'000, kNow, 5, "bank_b", 10, ErrorCode::NETWORK_ERROR);   // 90%
  per_second(rows, kNow - 120'000, kNow - 5'000, 6, "bank_c", 33, ErrorCode::NETWORK_ERROR);  // 97%...
  per_second(rows, kNow - 5'000, kNow, 6, "bank_c", 2, ErrorCode::NETWORK_ERROR);             // ...then 50%
  per_second(rows, kNow - 120'000, kNow, 2, "bank_d", 8, ErrorCode::NETWORK_ERROR);    // 87.5%
  const auto rank_of_c = [&](double change_llr) {
    RulesOptions o;
    o.sr_change_llr = change_llr;
    const Decision d = decide_rules(c, rows.observe(kNow), o);
    const Action* a = find_action(d, "reroute_traffic");
    REQUIRE(a);
    return a->evidence["success_rate_routing"]["banks"]["bank_c"]["rank"].get<int>();
  };
  // Over 30 s of half-life the last 5 s weigh 11%: about 92%, still second. Its last 5 s (30 attempts,
  // 15 failed) against the 115 s before (3% failed) are a change point (log-likelihood ratio ~28):
  // judged on what it does since, 50%, it is last.
  CHECK(rank_of_c(1e9) == 2);
  CHECK(rank_of_c(RulesOptions{}.sr_change_llr) == 4);
}

TEST_CASE("a failing bank's floor is what watches it recover (watch_rate_per_s), not a tenth of its intent") {
  Config c = default_config();  // 50 / 25 / 15 / 10
  // bank_c fails every other attempt (50%: not above its breaker's threshold, never 5 in a row). The
  // others carried 40% more in the first third of the window than in the rest.
  const auto rows_at = [](int scale, int busy_percent) {
    Rows rows;
    const std::vector<std::pair<std::string, int>> others = {{"bank_a", 10}, {"bank_b", 5}, {"bank_d", 2}};
    for (const auto& [id, n] : others) {
      per_second(rows, kNow - 30'000, kNow - 20'000, n * scale * busy_percent / 100, id);
      per_second(rows, kNow - 20'000, kNow, n * scale, id);
    }
    per_second(rows, kNow - 30'000, kNow, 3 * scale, "bank_c", 2);
    return rows;
  };
  SUBCASE("at 100 payments/s weight 1 gives it ~1.2/s: the floor is 1, not 2 (a tenth of 15)") {
    const Decision d = decide_rules(c, rows_at(5, 140).observe(kNow), RulesOptions{});
    CHECK(rerouted(d, "bank_c") == 1);
    CHECK(find_action(d, "reroute_traffic", "bank_c")->reason.find("failing: 50.0% faults") != std::string::npos);
  }
  SUBCASE("the others never carried what they would take at 1: the tenth of its intent") {
    CHECK(rerouted(decide_rules(c, rows_at(5, 100).observe(kNow), RulesOptions{}), "bank_c") == 2);
  }
  SUBCASE("at 20 payments/s watching it at 1/s would take weight 5: the tenth of its intent bounds it") {
    CHECK(rerouted(decide_rules(c, rows_at(1, 140).observe(kNow), RulesOptions{}), "bank_c") == 2);
  }
}

TEST_CASE("half_open: probes that can neither close nor reopen decide by min_requests: not healthy is a failure") {
  Config c = test::two_bank_config();
  c.banks[1].health_status = Health::degraded;
  apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::half_open}, "t", {}}}, {}}, kNow - 10'000);
  Rows rows;
  rows.spread(kNow - 9000, kNow, 300, "bank_a");
  SUBCASE("a third of 24 probes fail (above 25%, below 50%, never 5 in a row): reopen") {
    rows.spread(kNow - 9000, kNow, 24, "bank_b", 3);
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    const Action* a = find_action(d, "set_circuit_breaker", "bank_b");
    REQUIRE(a);
    CHECK(std::get<SetCircuitBreaker>(a->args).state == BreakerState::open);
    CHECK(a->reason.find("8 faults in 24 probes (33.3%)") != std::string::npos);
    CHECK(a->reason.find("not healthy enough to close") != std::string::npos);
  }
  SUBCASE("the same rate over 15 probes, under min_requests (20): keep probing") {
    rows.spread(kNow - 9000, kNow, 15, "bank_b", 3);
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    CHECK_FALSE(find_action(d, "set_circuit_breaker", "bank_b"));
    CHECK(has_note(d, "bank_b: half_open, 15 probes so far"));
  }
}

TEST_CASE("slow start after a close: twice what carried the probes, then doubling each healthy cycle") {
  Config c = test::two_bank_config();  // 60 / 40
  RerouteTraffic probe;
  probe.weights["bank_b"] = 15;
  apply_all(c, Decision{{Action{probe, "t", Json{{"intended", Json{{"bank_a", 60}, {"bank_b", 40}}}}}}, {}}, kNow - 30'000);
  apply_all(c, Decision{{Action{UpdateBankHealth{"bank_b", Health::degraded}, "t", {}}}, {}}, kNow - 30'000);
  apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::half_open}, "t", {}}}, {}}, kNow - 10'000);
  Rows rows;
  per_second(rows, kNow - 30'000, kNow + 20'000, 60, "bank_a");
  per_second(rows, kNow - 9000, kNow + 20'000, 10, "bank_b");
  const Decision close = decide_rules(c, rows.observe(kNow), RulesOptions{});
  const Action* a = find_action(close, "set_circuit_breaker", "bank_b");
  REQUIRE(a);
  CHECK(std::get<SetCircuitBreaker>(a->args).state == BreakerState::closed);
  // Its probes ran at 15 x 10%: it closes at 3 (not at a quarter of its intent, 10).
  CHECK(rerouted(close, "bank_b") == 3);
  apply_all(c, close, kNow);
  std::vector<std::int64_t> seen;
  for (TimeMs t = kNow + 10'000; t < kNow + 16'000; t += 1000) {
    apply_all(c, decide_rules(c, rows.observe(t), RulesOptions{}), t);
    seen.push_back(c.banks[1].weight);
  }
  // Doubling while it is small, then a quarter of its intent per cycle, up to the intent.
  CHECK(seen == std::vector<std::int64_t>{6, 12, 22, 32, 40, 40});
}

TEST_CASE("a burst of faults in a bank's newest attempts opens its breaker, though a straggler ended the run") {
  Config c = test::two_bank_config();
  Rows rows;
  per_second(rows, kNow - 30'000, kNow, 40, "bank_a", 25);  // 4% faults
  // bank_b goes down a second ago: 19 fast faults, and one success of an attempt started before the
  // outage finishing between them (1.2 s), so the trailing run is 1 and its 30 s rate 7%.
  const auto outage = [](Rows& r) {
    for (int i = 0; i < 20; ++i)
      r.add(kNow - 1000 + i * 50, "bank_b", i == 18 ? ErrorCode::none : ErrorCode::BANK_UNAVAILABLE, i == 18 ? 1200 : 80);
  };
  SUBCASE("its peers fail 4%: 19 of 20 is beyond chance: open") {
    per_second(rows, kNow - 30'000, kNow - 1000, 20, "bank_b", 25);
    outage(rows);
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    const Action* a = find_action(d, "set_circuit_breaker", "bank_b");
    REQUIRE(a);
    CHECK(std::get<SetCircuitBreaker>(a->args).state == BreakerState::open);
    CHECK(a->reason.find("19 faults in its newest 20 served attempts") != std::string::npos);
  }
  SUBCASE("stragglers of before the outage among its newest rows: left out since its change point") {
    // bank_outage, seed 5: 6 successes of attempts started before the outage, finishing in it,
    // among the newest 20 rows: 14 of 20 faults is no burst by finish time.
    per_second(rows, kNow - 30'000, kNow - 2000, 20, "bank_b", 25);
    for (int i = 0; i < 34; ++i) rows.add(kNow - 2000 + i * 58, "bank_b", ErrorCode::BANK_UNAVAILABLE, 40);
    for (int i = 0; i < 6; ++i) rows.add(kNow - 1100 + i * 200, "bank_b", ErrorCode::none, 2500);
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    const Action* a = find_action(d, "set_circuit_breaker", "bank_b");
    REQUIRE(a);
    CHECK(std::get<SetCircuitBreaker>(a->args).state == BreakerState::open);
    CHECK(a->reason.find("20 faults in its newest 20 served attempts") != std::string::npos);
  }
  SUBCASE("a bank whose own norm is 50% faults: 19 of 20 is within chance for it") {
    per_second(rows, kNow - 200'000, kNow - 30'000, 2, "bank_b", 2);
    per_second(rows, kNow - 30'000, kNow - 1000, 20, "bank_b", 25);
    outage(rows);
    CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_b"));
  }
  SUBCASE("fewer than min_requests served attempts since its breaker last changed: no verdict") {
    for (int i = 0; i < 12; ++i) rows.add(kNow - 600 + i * 50, "bank_b", i == 10 ? ErrorCode::none : ErrorCode::BANK_UNAVAILABLE);
    apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::closed}, "t", {}}}, {}}, kNow - 700);
    CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_b"));
  }
}

TEST_CASE("a burst is a bank that has all but stopped serving: 14 faults in its newest 20 is left to the rate") {
  Config c = test::two_bank_config();
  Rows rows;
  per_second(rows, kNow - 30'000, kNow, 40, "bank_a", 25);
  per_second(rows, kNow - 30'000, kNow - 1000, 20, "bank_b", 25);
  // 70% faults in its newest 20 (above the 50% threshold, below 75%), never 5 in a row.
  for (int i = 0; i < 20; ++i)
    rows.add(kNow - 1000 + i * 50, "bank_b", i % 9 == 0 || i % 9 == 4 || i == 19 ? ErrorCode::none : ErrorCode::BANK_UNAVAILABLE);
  CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_b"));
}
