#include <doctest/doctest.h>

#include "agent/agent_actions.h"
#include "agent_test_util.h"

using namespace payops;

TEST_CASE("actions round-trip through their JSON form") {
  for (const char* text : {
           R"({"name":"reroute_traffic","args":{"weights":{"bank_b":20}},"reason":"r"})",
           R"({"name":"update_bank_health","args":{"bank_id":"bank_b","health_status":"degraded"},"reason":"r"})",
           R"({"name":"toggle_chaos_mode","args":{"chaos_mode":false},"reason":"r"})",
           R"({"name":"adjust_retry_policy","args":{"bank_id":"bank_a","level":"custom","max_retries":2,"backoff_ms":1500},"reason":"r"})",
           R"({"name":"set_circuit_breaker","args":{"bank_id":"bank_a","state":"half_open"},"reason":"r"})",
       }) {
    CAPTURE(text);
    const Json in = Json::parse(text);
    auto a = action_from_json(in);
    REQUIRE(a.ok());
    CHECK(action_to_json(*a) == in);
  }
}

TEST_CASE("malformed actions are refused with the reason") {
  for (const char* text : {
           R"([1])", R"({"name":"delete_bank","args":{}})", R"({"name":"set_circuit_breaker","args":{"bank_id":"bank_a"}})",
           R"({"name":"set_circuit_breaker","args":{"bank_id":"bank_a","state":"ajar"}})",
           R"({"name":"update_bank_health","args":{"bank_id":"bank_a","health_status":"down","enabled":false}})",
           R"({"name":"reroute_traffic","args":{"weights":{"bank_a":12.5}}})",
       }) {
    CAPTURE(text);
    auto a = action_from_json(Json::parse(text));
    REQUIRE_FALSE(a.ok());
    CHECK(a.error().kind == Error::Kind::invalid_input);
  }
}

TEST_CASE("guardrails: known banks, ranges, bounded steps, no chaos on, never the last route") {
  const Config c = test::two_bank_config();  // bank_a 60, bank_b 40: step bound 25
  auto check = [&](const char* text) { return check_action(c, *action_from_json(Json::parse(text))); };
  CHECK(check(R"({"name":"reroute_traffic","args":{"weights":{"bank_b":15}}})").ok());
  CHECK_FALSE(check(R"({"name":"reroute_traffic","args":{"weights":{"bank_b":14}}})").ok());
  CHECK_FALSE(check(R"({"name":"reroute_traffic","args":{"weights":{"bank_z":40}}})").ok());
  CHECK_FALSE(check(R"({"name":"reroute_traffic","args":{"weights":{"bank_b":-1}}})").ok());
  CHECK_FALSE(check(R"({"name":"toggle_chaos_mode","args":{"chaos_mode":true}})").ok());
  CHECK_FALSE(check(R"({"name":"adjust_retry_policy","args":{"bank_id":"bank_a","level":"custom","max_retries":11}})").ok());
  CHECK_FALSE(check(R"({"name":"adjust_retry_policy","args":{"bank_id":"bank_a","level":"low","max_retries":1}})").ok());
  CHECK(check(R"({"name":"update_bank_health","args":{"bank_id":"bank_a","health_status":"down"}})").ok());
  Config one = c;
  one.banks[0].health_status = Health::down;
  const auto last = action_from_json(Json::parse(R"({"name":"update_bank_health","args":{"bank_id":"bank_b","health_status":"down"}})"));
  const Status s = check_action(one, *last);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().message.find("last route") != std::string::npos);
}

TEST_CASE("apply_action records one pending history entry with before/after, and stamps breaker times") {
  Config c = test::two_bank_config();
  Action a{SetCircuitBreaker{"bank_b", BreakerState::open}, "bank_b: 5 consecutive soft failures", Json{{"observed", 1}}};
  auto e = apply_action(c, a, ActionContext{test::kT0, "cycle-1", "rules"});
  REQUIRE(e.ok());
  CHECK(c.banks[1].circuit_breaker.state == BreakerState::open);
  CHECK(c.banks[1].circuit_breaker.opened_at == test::kT0);
  REQUIRE(c.agent_history.size() == 1);
  const HistoryEntry& h = c.agent_history.back();
  CHECK(h.action == "set_circuit_breaker");
  CHECK(h.actor == "agent");
  CHECK(h.cycle_id == "cycle-1");
  CHECK(h.reasoner == "rules");
  CHECK(h.outcome == Outcome::pending);
  CHECK(h.details["changes"][0]["path"] == "banks.bank_b.circuit_breaker.state");
  CHECK(h.details["changes"][0]["before"] == "closed");
  CHECK(h.details["changes"][0]["after"] == "open");
  CHECK(h.details["observed"] == 1);
  // The same action again changes nothing and records nothing.
  auto again = apply_action(c, a, ActionContext{test::kT0, "cycle-2", "rules"});
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().kind == Error::Kind::conflict);
  CHECK(c.agent_history.size() == 1);
}
