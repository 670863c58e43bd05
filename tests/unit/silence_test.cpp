// Silence: a bank whose attempts stop finishing while its peers' go on is ejected before its slow
// rows arrive; chance alone never looks like silence; a held bank comes back only when its attempts
// finish at the rate its share predicts (the fast survivors of a hanging bank do not count).
#include <doctest/doctest.h>

#include "agent_test_util.h"
#include "agent/chance.h"
#include "agent/rules_reasoner.h"
#include "agent/silence.h"

using namespace payops;
using payops::test::kT0;
using payops::test::Rows;

namespace {

const TimeMs kNow = kT0 + 600'000;

// n rows per second for bank over [from, to), all succeeding, finishing at the given times.
void per_second(Rows& rows, TimeMs from, TimeMs to, int n, const std::string& bank, std::int64_t latency_ms = 200) {
  for (TimeMs s = from; s < to; s += 1000)
    for (int k = 0; k < n; ++k) rows.add(s + k * 1000 / n, bank, ErrorCode::none, latency_ms);
}

const Action* find_action(const Decision& d, const std::string& name, const std::string& bank) {
  for (const Action& a : d.actions)
    if (action_name(a) == name && action_bank(a) == bank) return &a;
  return nullptr;
}

void apply_all(Config& c, const Decision& d, TimeMs now) {
  for (const Action& a : d.actions) (void)apply_action(c, a, ActionContext{now, "test", "rules"});
}

}  // namespace

TEST_CASE("poisson_at_most: the chance of k or fewer when mean are due") {
  CHECK(poisson_at_most(0, 0) == 1.0);
  CHECK(poisson_at_most(0, 2.0) == doctest::Approx(0.135335).epsilon(1e-5));
  CHECK(poisson_at_most(2, 10.0) == doctest::Approx(0.0027694).epsilon(1e-4));
  CHECK(poisson_at_most(0, 21.0) < 1e-9);
  CHECK(poisson_at_most(100, 10.0) == doctest::Approx(1.0));
}

TEST_CASE("poisson_at_least: the upper tail, accurate where 1 - at_most would round to 0") {
  CHECK(poisson_at_least(0, 3.0) == 1.0);
  CHECK(poisson_at_least(1, 0.0) == 0.0);
  CHECK(poisson_at_least(1, 2.0) == doctest::Approx(1 - 0.135335).epsilon(1e-5));
  CHECK(poisson_at_least(3, 10.0) == doctest::Approx(1 - 0.0027694).epsilon(1e-5));
  const double tail = poisson_at_least(23, 3.9);  // 23 faults where 3.9 are due
  CHECK(tail > 0);
  CHECK(tail < 1e-10);
  CHECK(poisson_at_least(23, 3.9) > poisson_at_least(24, 3.9));
}

TEST_CASE("a bank whose rows stop while its peers' go on is silent; its numbers say so") {
  Rows rows;
  per_second(rows, kNow - 10'000, kNow, 60, "bank_a");
  per_second(rows, kNow - 10'000, kNow - 2'000, 30, "bank_b");  // then nothing: its attempts hang
  const BankSilence s = bank_silence(rows.window, "bank_b", kNow, SilenceOptions{});
  CHECK(s.silent);
  CHECK(s.finished == 0);
  CHECK(s.baseline_share == doctest::Approx(1.0 / 3));
  CHECK(s.expected == doctest::Approx(60.0).epsilon(0.05));  // 0.5 x bank_a's ~120 rows
  CHECK_FALSE(bank_silence(rows.window, "bank_a", kNow, SilenceOptions{}).silent);
}

TEST_CASE("traffic that ends is not silence: the fast bank's rows stop first, its slow peers' last") {
  Rows rows;
  // Until 2 s ago: bank_a 60/s (fast), bank_d 30/s. Then the traffic stops; what still finishes is
  // bank_d's slow tail (15/s), none of bank_a's: by the shares alone bank_a would be silent.
  per_second(rows, kNow - 10'000, kNow - 2'000, 60, "bank_a");
  per_second(rows, kNow - 10'000, kNow - 2'000, 30, "bank_d", 1800);
  per_second(rows, kNow - 2'000, kNow, 15, "bank_d", 1800);
  const BankSilence ending = bank_silence(rows.window, "bank_a", kNow, SilenceOptions{});
  CHECK(ending.finished <= 5);  // the last of its rows, finished just inside the window
  CHECK(ending.expected > 40);
  CHECK(ending.traffic_falling);
  CHECK_FALSE(ending.silent);
  // The same tail with the peer's rate held (bank_d still at 30/s): bank_a's missing rows are silence.
  Rows held;
  per_second(held, kNow - 10'000, kNow - 2'000, 60, "bank_a");
  per_second(held, kNow - 10'000, kNow, 30, "bank_d", 1800);
  const BankSilence hung = bank_silence(held.window, "bank_a", kNow, SilenceOptions{});
  CHECK_FALSE(hung.traffic_falling);
  CHECK(hung.silent);
}

TEST_CASE("chance is not silence: a thin bank or a dip within noise stays quiet") {
  SUBCASE("a dip to half at volume is not below a quarter") {
    Rows rows;
    per_second(rows, kNow - 10'000, kNow, 60, "bank_a");
    per_second(rows, kNow - 10'000, kNow - 2'000, 30, "bank_b");
    per_second(rows, kNow - 2'000, kNow, 15, "bank_b");
    CHECK_FALSE(bank_silence(rows.window, "bank_b", kNow, SilenceOptions{}).silent);
  }
  SUBCASE("10 expected and 2 seen: below a quarter, but chance gives that 0.3% of the time") {
    Rows rows;
    per_second(rows, kNow - 10'000, kNow, 45, "bank_a");
    per_second(rows, kNow - 10'000, kNow - 2'000, 5, "bank_b");
    rows.add(kNow - 1500, "bank_b");
    rows.add(kNow - 500, "bank_b");
    const BankSilence s = bank_silence(rows.window, "bank_b", kNow, SilenceOptions{});
    CHECK(s.expected == doctest::Approx(10.0).epsilon(0.05));
    CHECK(s.finished == 2);
    CHECK_FALSE(s.silent);
  }
  SUBCASE("a bank alone has no peers to be compared with") {
    Rows rows;
    per_second(rows, kNow - 10'000, kNow - 2'000, 30, "bank_b");
    per_second(rows, kNow - 10'000, kNow, 1, "");  // NO_ROUTE rows count for nobody
    CHECK_FALSE(bank_silence(rows.window, "bank_b", kNow, SilenceOptions{}).silent);
  }
  SUBCASE("the log's end is its newest row: a log that stopped growing is not a silent bank") {
    Rows rows;
    per_second(rows, kNow - 10'000, kNow - 5'000, 60, "bank_a");
    per_second(rows, kNow - 10'000, kNow - 5'000, 30, "bank_b");
    CHECK_FALSE(bank_silence(rows.window, "bank_b", kNow, SilenceOptions{}).silent);
  }
}

TEST_CASE("completion since a cut: finishing fast, hanging, or too soon to tell") {
  Rows rows;
  per_second(rows, kNow - 5'000, kNow, 100, "bank_a");
  const double share = 0.1;  // bank_b's share of first attempts per the config: ~11 due per 100 of bank_a's
  SUBCASE("hanging: none of its attempts since the cut finished") {
    const BankCompletion c = completion_since(rows.window, "bank_b", kNow - 3'000, kNow, share, 1500, SilenceOptions{});
    CHECK(c.expected == doctest::Approx(16.8).epsilon(0.02));  // bank_a's 151 that started in [-3 s, -1.5 s]
    CHECK(c.hanging);
    CHECK_FALSE(c.finishing);
  }
  SUBCASE("slow rows that started before the cut are not evidence of recovery") {
    per_second(rows, kNow - 3'000, kNow, 11, "bank_b", 4'000);  // started before kNow - 3000
    const BankCompletion c = completion_since(rows.window, "bank_b", kNow - 3'000, kNow, share, 1500, SilenceOptions{});
    CHECK(c.finished == 0);
    CHECK(c.hanging);
  }
  SUBCASE("crawling: only its fast few finish in time, so it is not finishing (nor dead)") {
    for (TimeMs t = kNow - 3'000; t < kNow; t += 91) rows.add(t, "bank_b", ErrorCode::none, (t / 91) % 10 < 3 ? 200 : 2'500);
    const BankCompletion c = completion_since(rows.window, "bank_b", kNow - 3'000, kNow, share, 1500, SilenceOptions{});
    CHECK_FALSE(c.finishing);
  }
  SUBCASE("finishing at its share") {
    per_second(rows, kNow - 3'000, kNow, 11, "bank_b");
    const BankCompletion c = completion_since(rows.window, "bank_b", kNow - 3'000, kNow, share, 1500, SilenceOptions{});
    CHECK(c.finishing);
    CHECK_FALSE(c.hanging);
  }
  SUBCASE("too soon: no attempt has had the time to finish fast yet") {
    const BankCompletion c = completion_since(rows.window, "bank_b", kNow - 300, kNow, share, 1500, SilenceOptions{});
    CHECK(c.expected < 5);
    CHECK_FALSE(c.finishing);
    CHECK_FALSE(c.hanging);
  }
  SUBCASE("alone in the config: this rule cannot tell, so it does not hold the bank") {
    CHECK(completion_since(rows.window, "bank_b", kNow - 3'000, kNow, 1.0, 1500, SilenceOptions{}).finishing);
  }
}

TEST_CASE("rules: a silent bank is ejected and degraded at once, and not judged right after its weight moved") {
  Config c = test::two_bank_config();
  c.banks.push_back(c.banks[1]);
  c.banks[2].id = "bank_c";
  Rows rows;
  per_second(rows, kNow - 30'000, kNow, 60, "bank_a");
  per_second(rows, kNow - 30'000, kNow, 30, "bank_c");
  per_second(rows, kNow - 30'000, kNow - 2'000, 30, "bank_b");
  SUBCASE("ejected") {
    const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
    const Action* open = find_action(d, "set_circuit_breaker", "bank_b");
    REQUIRE(open);
    CHECK(std::get<SetCircuitBreaker>(open->args).state == BreakerState::open);
    CHECK(open->reason.find("silent: 0 attempts finished in the last 2 s") != std::string::npos);
    CHECK(find_action(d, "update_bank_health", "bank_b"));
    CHECK_FALSE(find_action(d, "set_circuit_breaker", "bank_a"));
  }
  SUBCASE("its weight moved 3 s ago: its share moved by itself, so silence is not judged") {
    apply_all(c, Decision{{Action{RerouteTraffic{{{"bank_b", 30}}}, "cut", {}}}, {}}, kNow - 3'000);
    CHECK_FALSE(find_action(decide_rules(c, rows.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_b"));
  }
}

TEST_CASE("rules: half_open probes that hang reopen the breaker even when the few that finished look fine") {
  Config c = test::two_bank_config();
  c.banks[1].health_status = Health::degraded;
  apply_all(c, Decision{{Action{SetCircuitBreaker{"bank_b", BreakerState::half_open}, "t", {}}}, {}}, kNow - 10'000);
  Rows rows;
  per_second(rows, kNow - 10'000, kNow, 100, "bank_a");
  // bank_b (weight 40 x ratio 0.1 = 4 of 64) is due ~57 probes among those that had 1.5 s to finish; 6 fast ones finished, the rest hang.
  for (int i = 0; i < 6; ++i) rows.add(kNow - 9'000 + i * 1000, "bank_b");
  const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  const Action* a = find_action(d, "set_circuit_breaker", "bank_b");
  REQUIRE(a);
  CHECK(std::get<SetCircuitBreaker>(a->args).state == BreakerState::open);
  CHECK(a->reason.find("6 of 57 expected probes finished") != std::string::npos);
}

TEST_CASE("crawling: a bank whose median goes to 2.5 s is not silent by finish time, but by start it is") {
  // bank_b (share 0.4 of two_bank_config) answers 85% of the attempts started in the last 5 s in
  // 2.5 s: rows by finish time still arrive at its share's rate (the slow ones started seconds before),
  // but of the attempts that started in the span and had 1.5 s to finish, only its fast 15% did.
  Config c = test::two_bank_config();
  const auto build = [](double slow_share) {
    Rows rows;
    per_second(rows, kNow - 10'000, kNow, 60, "bank_a");
    per_second(rows, kNow - 10'000, kNow - 5'000, 40, "bank_b");
    int i = 0;
    for (TimeMs start = kNow - 5'000; start < kNow; start += 25, ++i) {
      const std::int64_t latency = (i % 100) < slow_share * 100 ? 2'500 : 200;
      if (start + latency <= kNow) rows.add(start + latency, "bank_b", ErrorCode::none, latency);
    }
    return rows;
  };
  Rows crawl = build(0.85);
  const Observation obs = crawl.observe(kNow);
  CHECK_FALSE(bank_silence(obs.rows, "bank_b", kNow, SilenceOptions{}).silent);
  const BankCompletion by_start = bank_crawling(obs.rows, "bank_b", kNow, 1500, SilenceOptions{});
  CHECK(by_start.expected == doctest::Approx(80).epsilon(0.05));
  CHECK(by_start.finished <= 16);  // its fast 15%
  CHECK(by_start.hanging);
  const Decision d = decide_rules(c, obs, RulesOptions{});
  const Action* open = find_action(d, "set_circuit_breaker", "bank_b");
  REQUIRE(open);
  CHECK(open->reason.find("crawling") != std::string::npos);
  // A bank with its usual long tail (7% of attempts at 2.5 s) is not crawling.
  Rows tail = build(0.07);
  CHECK_FALSE(bank_crawling(tail.observe(kNow).rows, "bank_b", kNow, 1500, SilenceOptions{}).hanging);
  CHECK_FALSE(find_action(decide_rules(c, tail.observe(kNow), RulesOptions{}), "set_circuit_breaker", "bank_b"));
}

TEST_CASE("crawling is not judged across a weight cut: the starts before it predict more than the bank now gets") {
  Config c = test::two_bank_config();
  Rows rows;
  per_second(rows, kNow - 20'000, kNow, 400, "bank_a");
  per_second(rows, kNow - 20'000, kNow - 6'500, 200, "bank_b");
  per_second(rows, kNow - 6'500, kNow, 5, "bank_b");  // cut 6.5 s ago, all fast: nothing crawls
  RerouteTraffic cut;
  cut.weights["bank_b"] = 15;  // one guardrail step
  apply_all(c, Decision{{Action{cut, "t", Json{{"intended", Json{{"bank_a", 60}, {"bank_b", 40}}}}}}, {}}, kNow - 6'500);
  const Observation obs = rows.observe(kNow);
  // Across the cut the log says "too few": the verdict would be wrong ...
  CHECK(bank_crawling(obs.rows, "bank_b", kNow, 1500, SilenceOptions{}).hanging);
  // ... so the rules do not ask while the crawl's spans reach back over the change.
  REQUIRE(c.banks[1].weight == 15);
  const Decision d = decide_rules(c, obs, RulesOptions{});
  CHECK_FALSE(find_action(d, "set_circuit_breaker", "bank_b"));
  CHECK_FALSE(find_action(d, "update_bank_health", "bank_b"));
}

TEST_CASE("rules: traffic that ends leaves the slow tail last; it is no slow verdict, while the same tail with traffic held is") {
  Config c = test::two_bank_config();
  c.banks[1].id = "bank_d";
  // Until 4 s ago bank_a 60/s at 200 ms and bank_d 30/s, one in ten taking 3 s. Then the payments
  // stop: what still finishes is bank_d's slow attempts (10/s over 4 s): 40 of its last 6 s's 100
  // rows are slow, past slow_enter. By the window alone bank_d is slow.
  Rows rows;
  per_second(rows, kNow - 30'000, kNow - 4'000, 60, "bank_a");
  per_second(rows, kNow - 30'000, kNow - 4'000, 27, "bank_d");
  per_second(rows, kNow - 30'000, kNow - 4'000, 3, "bank_d", 3000);
  per_second(rows, kNow - 4'000, kNow, 10, "bank_d", 3000);
  // The drills' 6 s short window, where the tail is most of the window.
  ObserveOptions six;
  six.short_window_ms = 6'000;
  const Decision ending = decide_rules(c, observe_rows(rows.window, kNow, six), RulesOptions{});
  CHECK_FALSE(find_action(ending, "update_bank_health", "bank_d"));
  CHECK_FALSE(find_action(ending, "reroute_traffic", "bank_d"));
  // The same tail while bank_a's traffic goes on is a verdict on bank_d (its attempts hang: silent).
  per_second(rows, kNow - 4'000, kNow, 60, "bank_a");
  CHECK(find_action(decide_rules(c, observe_rows(rows.window, kNow, six), RulesOptions{}), "update_bank_health", "bank_d"));
  // And a bank that is slow while traffic holds (bank_d at its rate, half of it at 3 s) is slow.
  Rows slow;
  per_second(slow, kNow - 30'000, kNow, 60, "bank_a");
  per_second(slow, kNow - 30'000, kNow - 4'000, 30, "bank_d");
  per_second(slow, kNow - 4'000, kNow, 15, "bank_d");
  per_second(slow, kNow - 4'000, kNow, 15, "bank_d", 3000);
  const Decision d = decide_rules(c, observe_rows(slow.window, kNow, six), RulesOptions{});
  const Action* h = find_action(d, "update_bank_health", "bank_d");
  REQUIRE(h);
}
