// validate_config_json: every rule, each with its exact JSON path and message, all problems at once.
#include <doctest/doctest.h>

#include <algorithm>

#include "contract/config_model.h"

using namespace payops;

namespace {

Json base() { return config_to_json(default_config()); }

std::vector<std::string> problems_of(const Json& doc) {
  std::vector<std::string> out;
  for (const auto& p : validate_config_json(doc)) out.push_back(p.to_string());
  return out;
}

// The document has exactly this one problem.
void check_only(const Json& doc, const std::string& expected) {
  const auto got = problems_of(doc);
  INFO("problems: " << Json(got).dump());
  REQUIRE(got.size() == 1);
  CHECK(got[0] == expected);
}

constexpr const char* kKnown = "(known: bank_a, bank_b, bank_c, bank_d)";

}  // namespace

TEST_CASE("config validate: the default config is valid") { CHECK(problems_of(base()).empty()); }

TEST_CASE("config validate: top level shape") {
  check_only(Json::array(), R"(the top level must be a JSON object with "banks" and "routing_rules", got [])");
  check_only(Json("x"), R"(the top level must be a JSON object with "banks" and "routing_rules", got "x")");

  Json d = base();
  d.erase("banks");
  // Without banks, primary_bank names no known bank either.
  auto got = problems_of(d);
  REQUIRE(got.size() == 2);
  CHECK(got[0] == "banks: is required (a non-empty array of banks)");
  CHECK(got[1] == R"(routing_rules.primary_bank: "bank_a" is not a bank id (known: ))");

  d = base();
  d["banks"] = Json::array();
  CHECK(problems_of(d)[0] == "banks: must be a non-empty array of banks, got []");
  d["banks"] = Json::object();
  CHECK(problems_of(d)[0] == "banks: must be a non-empty array of banks, got {}");

  d = base();
  d.erase("routing_rules");
  check_only(d, "routing_rules: is required (an object)");
  d["routing_rules"] = 3;
  check_only(d, "routing_rules: must be an object, got 3");

  d = base();
  d.erase("agent_history");
  CHECK(problems_of(d).empty());  // defaults to []
  d["agent_history"] = Json::object();
  check_only(d, "agent_history: must be an array of history entries, got {}");
}

TEST_CASE("config validate: bank required fields, types and id rules") {
  Json d = base();
  d["banks"][0]["weight"] = "fifty";
  check_only(d, R"(banks[0].weight: must be an integer >= 0, got "fifty")");
  d["banks"][0]["weight"] = -5;
  check_only(d, "banks[0].weight: must be >= 0, got -5");
  d["banks"][0]["weight"] = 12.5;
  check_only(d, "banks[0].weight: must be an integer >= 0, got 12.5");
  d["banks"][0]["weight"] = true;
  check_only(d, "banks[0].weight: must be an integer >= 0, got true");
  d["banks"][0]["weight"] = 50.0;  // integral float: accepted
  CHECK(problems_of(d).empty());

  d = base();
  d["banks"][2].erase("weight");
  check_only(d, "banks[2].weight: is required (an integer >= 0)");
  d = base();
  d["banks"][2].erase("name");
  check_only(d, "banks[2].name: is required (a string)");
  d = base();
  d["banks"][2]["name"] = 7;
  check_only(d, "banks[2].name: must be a string, got 7");

  d = base();
  d["banks"][3]["id"] = "bank_b";
  check_only(d, R"(banks[3].id: duplicate of banks[1].id "bank_b")");
  d["banks"][3]["id"] = "Bank D";
  check_only(d, R"(banks[3].id: must match [a-z0-9_]+, got "Bank D")");
  d["banks"][3]["id"] = "";
  check_only(d, R"(banks[3].id: must match [a-z0-9_]+, got "")");
  d["banks"][3].erase("id");
  check_only(d, "banks[3].id: is required (a string)");

  d = base();
  d["banks"][1] = "bank_b";
  CHECK(problems_of(d)[0] == R"(banks[1]: must be an object, got "bank_b")");

  d = base();
  d["banks"][1]["enabled"] = "yes";
  check_only(d, R"(banks[1].enabled: must be true or false, got "yes")");
}

TEST_CASE("config validate: unknown enum values list the allowed values") {
  Json d = base();
  d["banks"][1]["health_status"] = "sick";
  check_only(d, R"(banks[1].health_status: must be one of healthy, degraded, down; got "sick")");
  d = base();
  d["banks"][0]["circuit_breaker"]["state"] = "half-open";
  check_only(d, R"(banks[0].circuit_breaker.state: must be one of closed, open, half_open; got "half-open")");
  d = base();
  d["banks"][0]["retry_policy"]["level"] = 3;
  check_only(d, "banks[0].retry_policy.level: must be one of low, normal, high, custom; got 3");
  d = base();
  d["routing_rules"]["fallback_strategy"] = "random";
  check_only(d, R"(routing_rules.fallback_strategy: must be one of weighted_round_robin, primary_first; got "random")");
}

TEST_CASE("config validate: ranges: retries, rates, multiplier, counts") {
  Json d = base();
  d["banks"][2]["retry_policy"]["max_retries"] = 42;
  check_only(d, "banks[2].retry_policy.max_retries: must be 0..10, got 42");
  d["banks"][2]["retry_policy"]["max_retries"] = 5.5;
  check_only(d, "banks[2].retry_policy.max_retries: must be an integer 0..10, got 5.5");
  d["banks"][2]["retry_policy"]["max_retries"] = 10;
  CHECK(problems_of(d).empty());

  d = base();
  d["banks"][0]["retry_policy"]["backoff_multiplier"] = 0.5;
  check_only(d, "banks[0].retry_policy.backoff_multiplier: must be >= 1, got 0.5");
  d["banks"][0]["retry_policy"]["backoff_multiplier"] = "2";
  check_only(d, R"(banks[0].retry_policy.backoff_multiplier: must be a number >= 1, got "2")");
  d["banks"][0]["retry_policy"]["backoff_multiplier"] = 1;
  CHECK(problems_of(d).empty());

  d = base();
  d["banks"][0]["retry_policy"]["backoff_ms"] = -1;
  check_only(d, "banks[0].retry_policy.backoff_ms: must be >= 0, got -1");
  d = base();
  d["banks"][0]["retry_policy"]["jitter"] = 1;
  check_only(d, "banks[0].retry_policy.jitter: must be true or false, got 1");

  d = base();
  d["banks"][0]["circuit_breaker"]["failure_rate_threshold"] = 1.5;
  check_only(d, "banks[0].circuit_breaker.failure_rate_threshold: must be 0..1, got 1.5");
  d = base();
  d["banks"][0]["circuit_breaker"]["half_open_traffic_ratio"] = -0.1;
  check_only(d, "banks[0].circuit_breaker.half_open_traffic_ratio: must be 0..1, got -0.1");
  d = base();
  d["banks"][0]["circuit_breaker"]["failure_threshold"] = 0;
  check_only(d, "banks[0].circuit_breaker.failure_threshold: must be >= 1, got 0");
  d = base();
  d["banks"][0]["circuit_breaker"]["failure_count"] = -2;
  check_only(d, "banks[0].circuit_breaker.failure_count: must be >= 0, got -2");

  d = base();
  d["routing_rules"]["chaos_failure_rate"] = 2;
  check_only(d, "routing_rules.chaos_failure_rate: must be 0..1, got 2");
  d["routing_rules"]["chaos_failure_rate"] = 1;
  CHECK(problems_of(d).empty());

  d = base();
  d["banks"][1]["metrics"]["success_rate"] = 1.01;
  check_only(d, "banks[1].metrics.success_rate: must be 0..1, got 1.01");
  d = base();
  d["banks"][1]["metrics"]["p95_latency_ms"] = -3.0;
  check_only(d, "banks[1].metrics.p95_latency_ms: must be >= 0, got -3.0");
  d = base();
  d["banks"][1]["metrics"]["total_requests"] = "many";
  check_only(d, R"(banks[1].metrics.total_requests: must be an integer >= 0, got "many")");

  d = base();
  d["banks"][1]["circuit_breaker"] = "closed";
  check_only(d, R"(banks[1].circuit_breaker: must be an object, got "closed")");
}

TEST_CASE("config validate: timestamps must be the contract's form or null") {
  Json d = base();
  d["banks"][0]["circuit_breaker"]["opened_at"] = "yesterday";
  check_only(d, R"(banks[0].circuit_breaker.opened_at: must be a timestamp like 2026-11-22T12:00:00.123Z or null, got "yesterday")");
  d["banks"][0]["circuit_breaker"]["opened_at"] = "2026-11-22T12:00:00Z";  // no milliseconds
  CHECK(problems_of(d).size() == 1);
  d["banks"][0]["circuit_breaker"]["opened_at"] = "2026-02-30T12:00:00.000Z";  // impossible date
  CHECK(problems_of(d).size() == 1);
  d["banks"][0]["circuit_breaker"]["opened_at"] = 1764158400000;
  CHECK(problems_of(d).size() == 1);
  d["banks"][0]["circuit_breaker"]["opened_at"] = "2026-11-22T12:00:00.123Z";
  d["banks"][0]["circuit_breaker"]["last_failure_time"] = nullptr;
  d["banks"][0]["metrics"]["updated_at"] = "2026-11-22T12:00:00.123Z";
  CHECK(problems_of(d).empty());
}

TEST_CASE("config validate: routing_rules: primary_bank and chaos_targets must name banks") {
  Json d = base();
  d["routing_rules"]["primary_bank"] = "bank_z";
  check_only(d, std::string(R"(routing_rules.primary_bank: "bank_z" is not a bank id )") + kKnown);
  d["routing_rules"].erase("primary_bank");
  check_only(d, "routing_rules.primary_bank: is required (a string)");

  d = base();
  d["routing_rules"]["chaos_targets"] = Json::array({"bank_b", "bank_z", 3});
  const auto got = problems_of(d);
  REQUIRE(got.size() == 2);
  CHECK(got[0] == std::string(R"(routing_rules.chaos_targets[1]: "bank_z" is not a bank id )") + kKnown);
  CHECK(got[1] == "routing_rules.chaos_targets[2]: must be a bank id (a string), got 3");
  d["routing_rules"]["chaos_targets"] = "bank_b";
  check_only(d, R"(routing_rules.chaos_targets: must be an array of bank ids, got "bank_b")");
  d["routing_rules"]["chaos_targets"] = Json::array();
  CHECK(problems_of(d).empty());

  d = base();
  d["routing_rules"]["chaos_mode"] = "on";
  check_only(d, R"(routing_rules.chaos_mode: must be true or false, got "on")");
}

TEST_CASE("config validate: weights: the enabled banks' weights must not all be zero") {
  const std::string msg =
      "banks: every enabled bank has weight 0, so no payment could be routed; give at least one "
      "enabled bank a weight > 0";
  Json d = base();
  for (auto& b : d["banks"]) b["weight"] = 0;
  check_only(d, msg);
  // The only weighted bank is disabled: still nothing to route to.
  d["banks"][2]["weight"] = 10;
  d["banks"][2]["enabled"] = false;
  check_only(d, msg);
  // Every bank disabled: an operator's deliberate stop, not a weight mistake.
  for (auto& b : d["banks"]) b["enabled"] = false;
  CHECK(problems_of(d).empty());
  // A zero-weight bank beside weighted ones is fine.
  d = base();
  d["banks"][3]["weight"] = 0;
  CHECK(problems_of(d).empty());
}

TEST_CASE("config validate: agent_history entries") {
  Json d = base();
  d["agent_history"] = Json::array(
      {Json{{"timestamp", "2026-11-22T12:00:00.123Z"}, {"action", "reroute_traffic"}, {"details", Json::object()},
            {"actor", "agent"}, {"reason", "r"}, {"outcome", "pending"}, {"cycle_id", nullptr}},
       Json{{"action", "set_weights"}},
       Json{{"timestamp", "2026-11-22T12:00:00.123Z"}, {"action", ""}, {"details", 1}, {"outcome", "great"}},
       7});
  const auto got = problems_of(d);
  INFO(Json(got).dump());
  REQUIRE(got.size() == 5);
  CHECK(got[0] == "agent_history[1].timestamp: is required (a timestamp like 2026-11-22T12:00:00.123Z)");
  CHECK(got[1] == "agent_history[2].action: must not be empty");
  CHECK(got[2] == "agent_history[2].details: must be an object, got 1");
  CHECK(got[3] == R"(agent_history[2].outcome: must be one of pending, effective, ineffective (or null); got "great")");
  CHECK(got[4] == "agent_history[3]: must be an object, got 7");
}

TEST_CASE("config validate: every problem is reported at once, in document order") {
  Json d = base();
  d["banks"][0]["weight"] = "fifty";
  d["banks"][2]["retry_policy"]["max_retries"] = 42;
  d["banks"][3]["id"] = "bank_b";
  d["routing_rules"]["primary_bank"] = "bank_z";
  d["routing_rules"]["chaos_failure_rate"] = -1;
  const auto got = problems_of(d);
  REQUIRE(got.size() == 5);
  CHECK(got[0] == R"(banks[0].weight: must be an integer >= 0, got "fifty")");
  CHECK(got[1] == "banks[2].retry_policy.max_retries: must be 0..10, got 42");
  CHECK(got[2] == R"(banks[3].id: duplicate of banks[1].id "bank_b")");
  CHECK(got[3] == R"(routing_rules.primary_bank: "bank_z" is not a bank id (known: bank_a, bank_b, bank_c))");
  CHECK(got[4] == "routing_rules.chaos_failure_rate: must be 0..1, got -1");
  // Problem carries path and message separately too.
  const auto raw = validate_config_json(d);
  CHECK(raw[1].path == "banks[2].retry_policy.max_retries");
  CHECK(raw[1].message == "must be 0..10, got 42");
}

TEST_CASE("config validate: unknown keys are never problems, and long values are cut in messages") {
  Json d = base();
  d["whatever"] = Json{{"deep", Json::array({nullptr, "x"})}};
  d["banks"][0]["metrics"]["new_metric"] = "text";
  CHECK(problems_of(d).empty());
  d["banks"][0]["name"] = Json::array();
  d["banks"][0]["name"].push_back(std::string(200, 'x'));
  const auto got = problems_of(d);
  REQUIRE(got.size() == 1);
  CHECK(got[0].size() < 120);
  CHECK(got[0].find("...") != std::string::npos);
}

TEST_CASE("config validate: routing_rules.success_rate_routing is optional, and checked when present") {
  Json d = base();
  CHECK_FALSE(d["routing_rules"].contains("success_rate_routing"));  // absent = off
  d["routing_rules"]["success_rate_routing"] = Json{{"enabled", true}};
  CHECK(problems_of(d).empty());
  const auto c = config_from_json(d, "test");
  REQUIRE(c.ok());
  REQUIRE(c->routing_rules.success_rate_routing);
  CHECK(c->routing_rules.success_rate_routing->enabled);
  CHECK(c->routing_rules.success_rate_routing->exploration_share == doctest::Approx(0.04));
  CHECK(config_to_json(*c)["routing_rules"]["success_rate_routing"]["best_banks"] == 1);
  d["routing_rules"]["success_rate_routing"]["exploration_share"] = 0.9;
  check_only(d, "routing_rules.success_rate_routing.exploration_share: must be 0..0.5, got 0.9");
  d["routing_rules"]["success_rate_routing"] = Json{{"enabled", "yes"}, {"best_banks", 5}};
  const auto got = problems_of(d);
  REQUIRE(got.size() == 2);
  CHECK(got[0] == R"(routing_rules.success_rate_routing.enabled: must be true or false, got "yes")");
  CHECK(got[1].starts_with("routing_rules.success_rate_routing.best_banks: must be 1..4"));
  d["routing_rules"]["success_rate_routing"] = true;
  check_only(d, "routing_rules.success_rate_routing: must be an object, got true");
}

TEST_CASE("config validate: a weight is at most 1e9, so router and guardrail sums cannot overflow") {
  Json d = base();
  d["banks"][0]["weight"] = 1'000'000'000;
  CHECK(problems_of(d).empty());
  d["banks"][0]["weight"] = 1'000'000'001;
  check_only(d, "banks[0].weight: must be at most 1000000000 (the largest weight), got 1000000001");
  d["banks"][0]["weight"] = 9'223'372'036'854'775'000LL;  // near 2^63: passed before, overflowed the router
  CHECK(problems_of(d).size() == 1);
}

TEST_CASE("config parse: a duplicate key is an error naming its path") {
  const std::string text = R"({"banks": [{"id": "bank_a"}, {"id": "bank_b", "weight": 5, "weight": 7}],
                               "routing_rules": {}, "agent_history": []})";
  auto r = parse_config_text(text, "c.json");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind == Error::Kind::invalid_config);
  CHECK_MESSAGE(r.error().message.find("duplicate key banks[1].weight") != std::string::npos, r.error().message);
  auto top = parse_config_text(R"({"banks": [], "banks": []})", "c.json");
  REQUIRE_FALSE(top.ok());
  CHECK_MESSAGE(top.error().message.find("duplicate key banks ") != std::string::npos, top.error().message);
  // The same key in two different objects is fine.
  CHECK(parse_json_text(R"({"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 1}, {"x": 2}]})", "j").ok());
}
