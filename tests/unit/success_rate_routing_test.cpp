// Rule 5, success-rate routing, on hand-built observations: a bank is ranked on what it does since its
// latest change point (change_point.h), whichever way its success moved and however thin its traffic.
#include <doctest/doctest.h>

#include "agent/rules_reasoner.h"
#include "agent_test_util.h"

using namespace payops;
using payops::test::kT0;
using payops::test::Rows;

namespace {

const TimeMs kNow = kT0 + 600'000;

void per_second(Rows& rows, TimeMs from, TimeMs to, int n, const std::string& bank, int fail_every = 0) {
  int i = 0;
  for (TimeMs s = from; s < to; s += 1000)
    for (int k = 0; k < n; ++k, ++i)
      rows.add(s + k * 1000 / n, bank, fail_every > 0 && i % fail_every == fail_every - 1 ? ErrorCode::NETWORK_ERROR : ErrorCode::none);
}

Config routing_config() {
  Config c = default_config();  // 50 / 25 / 15 / 10
  c.routing_rules.success_rate_routing = SuccessRateRouting{};
  c.routing_rules.success_rate_routing->enabled = true;
  c.routing_rules.success_rate_routing->half_life_s = 30;
  return c;
}

// The rank rule 5 gives bank (1 = best) with the change points judged at change_llr (1e9: never).
int rank_of(const Config& c, const Rows& rows, const std::string& bank, double change_llr) {
  RulesOptions o;
  o.sr_change_llr = change_llr;
  const Decision d = decide_rules(c, rows.observe(kNow), o);
  for (const Action& a : d.actions) {
    if (action_name(a) != "reroute_traffic" || !a.evidence.contains("success_rate_routing")) continue;
    return a.evidence["success_rate_routing"]["banks"][bank]["rank"].get<int>();
  }
  FAIL("no success-rate reroute");
  return 0;
}

}  // namespace

TEST_CASE("success-rate routing: a bank whose share was cut after its success fell stays ranked low") {
  // The drift drill's failure at main 49f953a: bank_a fell from 99% to 90%, lost its share to
  // exploration (1 attempt/s), and its 30 s half-life rate, still mostly the old 99%, ranked it first
  // again. Since its change point it is at 90%: last.
  Config c = routing_config();
  Rows rows;
  per_second(rows, kNow - 120'000, kNow - 30'000, 10, "bank_a", 100);
  per_second(rows, kNow - 30'000, kNow - 20'000, 10, "bank_a", 10);
  per_second(rows, kNow - 20'000, kNow, 1, "bank_a", 10);
  per_second(rows, kNow - 120'000, kNow, 5, "bank_b", 20);  // 95%
  per_second(rows, kNow - 120'000, kNow, 3, "bank_c", 16);  // 93.75%
  per_second(rows, kNow - 120'000, kNow, 2, "bank_d", 12);  // 91.7%
  CHECK(rank_of(c, rows, "bank_a", 1e9) == 1);  // about 96.5% on the decaying mix
  CHECK(rank_of(c, rows, "bank_a", RulesOptions{}.sr_change_llr) == 4);
}

TEST_CASE("success-rate routing: a bank that recovered ranks first on its recovery, not a minute later") {
  // bank_c failed 10% for 80 s and has served 120 attempts without a failure since (3/s for 40 s): its
  // 30 s half-life rate is ~96.4%, under bank_a's 98%; since its change point it is at 100%.
  Config c = routing_config();
  Rows rows;
  per_second(rows, kNow - 120'000, kNow, 10, "bank_a", 50);  // 98%
  per_second(rows, kNow - 120'000, kNow, 5, "bank_b", 20);   // 95%
  per_second(rows, kNow - 120'000, kNow - 40'000, 3, "bank_c", 10);
  per_second(rows, kNow - 40'000, kNow, 3, "bank_c");
  per_second(rows, kNow - 120'000, kNow, 2, "bank_d", 12);  // 91.7%
  CHECK(rank_of(c, rows, "bank_c", 1e9) == 2);
  CHECK(rank_of(c, rows, "bank_c", RulesOptions{}.sr_change_llr) == 1);
}

TEST_CASE("success-rate routing: by default the best bank alone takes all but the exploration share") {
  Config c = routing_config();
  Rows rows;
  per_second(rows, kNow - 120'000, kNow, 10, "bank_a", 20);  // 95%
  per_second(rows, kNow - 120'000, kNow, 5, "bank_b", 10);   // 90%
  per_second(rows, kNow - 120'000, kNow, 3, "bank_c", 33);   // 97%
  per_second(rows, kNow - 120'000, kNow, 2, "bank_d", 8);    // 87.5%
  const Decision d = decide_rules(c, rows.observe(kNow), RulesOptions{});
  REQUIRE(d.actions.size() == 1);
  const std::string& why = d.actions[0].reason;
  // 96% of the 100 to bank_c; 4% to the others by intent (50 : 25 : 10 -> 2, 1, 1 at least 1).
  CHECK(why.find("bank_c 15->19 toward 96") != std::string::npos);
  CHECK(why.find("bank_a 50->25 toward 2") != std::string::npos);
  CHECK(why.find("bank_b 25->1 toward 1") != std::string::npos);
  CHECK(why.find("bank_d 10->1 toward 1") != std::string::npos);
}
