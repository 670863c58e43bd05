// config_model: enum names, JSON text parsing with positions, defaults, unknown-key preservation at
// every level, serialization shape, the default config and traffic shares.
#include <doctest/doctest.h>

#include "contract/config_model.h"

using namespace payops;

namespace {

Json parse_ok(std::string_view text) {
  auto j = parse_json_text(text, "t.json");
  REQUIRE_MESSAGE(j.ok(), (j.ok() ? "" : j.error().message));
  return *j;
}

Config config_ok(std::string_view text) {
  auto c = parse_config_text(text, "t.json");
  REQUIRE_MESSAGE(c.ok(), (c.ok() ? "" : c.error().message));
  return *c;
}

constexpr std::string_view kMinimal =
    R"({"banks":[{"id":"x","name":"X","weight":1}],"routing_rules":{"primary_bank":"x"}})";

}  // namespace

TEST_CASE("config model: enum names round-trip and unknown names are refused") {
  for (auto h : {Health::healthy, Health::degraded, Health::down}) CHECK(parse_health(to_string(h)) == h);
  for (auto s : {BreakerState::closed, BreakerState::open, BreakerState::half_open}) {
    CHECK(parse_breaker_state(to_string(s)) == s);
  }
  for (auto l : {RetryLevel::low, RetryLevel::normal, RetryLevel::high, RetryLevel::custom}) {
    CHECK(parse_retry_level(to_string(l)) == l);
  }
  for (auto f : {FallbackStrategy::weighted_round_robin, FallbackStrategy::primary_first}) {
    CHECK(parse_fallback_strategy(to_string(f)) == f);
  }
  for (auto o : {Outcome::pending, Outcome::effective, Outcome::ineffective}) {
    CHECK(parse_outcome(to_string(o)) == o);
  }
  CHECK(to_string(BreakerState::half_open) == "half_open");
  CHECK_FALSE(parse_health("Healthy").has_value());
  CHECK_FALSE(parse_breaker_state("half-open").has_value());
  CHECK_FALSE(parse_fallback_strategy("").has_value());
}

TEST_CASE("config model: default config: four banks, contract defaults, no chaos_targets key") {
  const Config c = default_config();
  REQUIRE(c.banks.size() == 4);
  const char* ids[] = {"bank_a", "bank_b", "bank_c", "bank_d"};
  const char* names[] = {"Stripe Gateway", "Adyen", "Razorpay", "PayPal Braintree"};
  const std::int64_t weights[] = {50, 25, 15, 10};
  for (std::size_t i = 0; i < 4; ++i) {
    const Bank& b = c.banks[i];
    CHECK(b.id == ids[i]);
    CHECK(b.name == names[i]);
    CHECK(b.weight == weights[i]);
    CHECK(b.enabled);
    CHECK(b.health_status == Health::healthy);
    CHECK(b.circuit_breaker.state == BreakerState::closed);
    CHECK(b.circuit_breaker.failure_threshold == 5);
    CHECK(b.circuit_breaker.failure_rate_threshold == 0.5);
    CHECK(b.circuit_breaker.min_requests == 20);
    CHECK(b.circuit_breaker.open_duration_s == 30);
    CHECK(b.circuit_breaker.half_open_traffic_ratio == 0.1);
    CHECK_FALSE(b.circuit_breaker.opened_at.has_value());
    CHECK(b.retry_policy.level == RetryLevel::normal);
    CHECK(b.retry_policy.max_retries == 3);
    CHECK(b.retry_policy.backoff_ms == 1000);
    CHECK(b.retry_policy.backoff_multiplier == 2.0);
    CHECK(b.retry_policy.max_backoff_ms == 10000);
    CHECK(b.retry_policy.jitter);
  }
  CHECK(c.routing_rules.primary_bank == "bank_a");
  CHECK(c.routing_rules.fallback_strategy == FallbackStrategy::weighted_round_robin);
  CHECK_FALSE(c.routing_rules.chaos_mode);
  CHECK(c.routing_rules.chaos_failure_rate == 0.2);
  CHECK(c.agent_history.empty());

  const Json j = config_to_json(c);
  CHECK_FALSE(j["routing_rules"].contains("chaos_targets"));
  CHECK(j["agent_history"] == Json::array());
  CHECK(validate_config_json(j).empty());
}

TEST_CASE("config model: serialized text: contract key order, 2-space indent, trailing newline, null timestamps") {
  const std::string text = config_to_text(default_config());
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');
  CHECK(text.rfind("{\n  \"banks\": [\n    {\n      \"id\": \"bank_a\",\n      \"name\": \"Stripe Gateway\",", 0) == 0);
  const Json j = parse_ok(text);
  std::vector<std::string> top;
  for (const auto& [k, v] : j.items()) top.push_back(k);
  CHECK(top == std::vector<std::string>{"banks", "routing_rules", "agent_history"});
  std::vector<std::string> bank_keys;
  for (const auto& [k, v] : j["banks"][0].items()) bank_keys.push_back(k);
  CHECK(bank_keys == std::vector<std::string>{"id", "name", "weight", "enabled", "health_status",
                                              "circuit_breaker", "retry_policy", "metrics"});
  CHECK(j["banks"][0]["circuit_breaker"]["last_failure_time"].is_null());
  CHECK(j["banks"][0]["metrics"]["updated_at"].is_null());
  // Text -> Config -> text is the identity for what we write.
  CHECK(config_to_text(config_ok(text)) == text);
}

TEST_CASE("config model: unknown keys survive a round trip at every object level, after the known keys") {
  Json doc = config_to_json(default_config());
  doc["future_top"] = Json{{"nested", Json::array({1, 2, 3})}};
  doc["banks"][1]["region"] = "eu-west";
  doc["banks"][1]["circuit_breaker"]["cooldown_jitter"] = 0.3;
  doc["banks"][1]["retry_policy"]["idempotency"] = true;
  doc["banks"][1]["metrics"]["p99_latency_ms"] = 812.5;
  doc["routing_rules"]["race_counter"] = 7;
  doc["routing_rules"]["sticky"] = Json{{"by", "card_bin"}};
  doc["agent_history"] = Json::array({Json{{"timestamp", "2026-11-22T12:00:00.123Z"},
                                           {"action", "set_weights"},
                                           {"details", Json{{"bank_a", Json{{"before", 50}, {"after", 40}}}}},
                                           {"actor", "agent"},
                                           {"reason", "bank_a soft failures 31% over 60 s"},
                                           {"cycle_id", "c-1"},
                                           {"reasoner", "rules"},
                                           {"outcome", "pending"},
                                           {"confidence", 0.8}}});
  const std::string text = doc.dump(2) + "\n";
  const Config c = config_ok(text);
  CHECK(c.extra["future_top"]["nested"][2] == 3);
  CHECK(c.banks[1].extra["region"] == "eu-west");
  CHECK(c.banks[1].circuit_breaker.extra["cooldown_jitter"] == 0.3);
  CHECK(c.banks[1].retry_policy.extra["idempotency"] == true);
  CHECK(c.banks[1].metrics.extra["p99_latency_ms"] == 812.5);
  CHECK(c.routing_rules.extra["race_counter"] == 7);
  REQUIRE(c.agent_history.size() == 1);
  CHECK(c.agent_history[0].extra["confidence"] == 0.8);
  CHECK(c.agent_history[0].outcome == Outcome::pending);
  CHECK(c.agent_history[0].cycle_id == "c-1");

  const Json out = config_to_json(c);
  CHECK(out == doc);
  CHECK(config_to_text(c) == text);  // same keys in the same order, byte for byte
  CHECK(out["banks"][1].items().begin().key() == "id");
  CHECK(std::prev(out["banks"][1].end()).key() == "region");
}

TEST_CASE("config model: missing optional fields get the contract's defaults") {
  const Config c = config_ok(kMinimal);
  REQUIRE(c.banks.size() == 1);
  const Bank& b = c.banks[0];
  CHECK(b.enabled);
  CHECK(b.health_status == Health::healthy);
  CHECK(b.circuit_breaker.failure_threshold == 5);
  CHECK(b.circuit_breaker.min_requests == 20);
  CHECK(b.retry_policy.max_retries == 3);
  CHECK(b.retry_policy.max_backoff_ms == 10000);
  CHECK(b.metrics.total_requests == 0);
  CHECK(c.routing_rules.fallback_strategy == FallbackStrategy::weighted_round_robin);
  CHECK_FALSE(c.routing_rules.chaos_mode);
  CHECK_FALSE(c.routing_rules.chaos_targets.has_value());
  CHECK(c.agent_history.empty());
  CHECK(config_to_json(c)["agent_history"] == Json::array());

  SUBCASE("a retry level without numbers takes its preset") {
    const Config h = config_ok(
        R"({"banks":[{"id":"x","name":"X","weight":1,"retry_policy":{"level":"high"}},
                     {"id":"y","name":"Y","weight":1,"retry_policy":{"level":"low","max_retries":2}}],
            "routing_rules":{"primary_bank":"x"}})");
    CHECK(h.banks[0].retry_policy.max_retries == 5);
    CHECK(h.banks[0].retry_policy.backoff_ms == 2000);
    CHECK(h.banks[1].retry_policy.max_retries == 2);  // an explicit value wins over the preset
    CHECK(h.banks[1].retry_policy.backoff_ms == 500);
  }
  SUBCASE("presets") {
    CHECK(RetryPolicy::preset(RetryLevel::low).max_retries == 1);
    CHECK(RetryPolicy::preset(RetryLevel::low).backoff_ms == 500);
    CHECK(RetryPolicy::preset(RetryLevel::normal).max_retries == 3);
    CHECK(RetryPolicy::preset(RetryLevel::high).backoff_ms == 2000);
    CHECK(RetryPolicy::preset(RetryLevel::custom).level == RetryLevel::custom);
  }
}

TEST_CASE("config model: chaos_targets: absent and empty stay distinct through a round trip") {
  Json doc = parse_ok(kMinimal);
  CHECK_FALSE(config_to_json(config_ok(doc.dump()))["routing_rules"].contains("chaos_targets"));
  doc["routing_rules"]["chaos_targets"] = Json::array();
  const Config c = config_ok(doc.dump());
  REQUIRE(c.routing_rules.chaos_targets.has_value());
  CHECK(c.routing_rules.chaos_targets->empty());
  CHECK(config_to_json(c)["routing_rules"]["chaos_targets"] == Json::array());
}

TEST_CASE("config model: integers: integral floats are accepted, fractions are not") {
  CHECK(json_integer(Json(5)) == 5);
  CHECK(json_integer(Json(5.0)) == 5);
  CHECK(json_integer(Json(-3)) == -3);
  CHECK_FALSE(json_integer(Json(5.5)).has_value());
  CHECK_FALSE(json_integer(Json(true)).has_value());
  CHECK_FALSE(json_integer(Json("5")).has_value());
  CHECK_FALSE(json_integer(Json(1e19)).has_value());
  CHECK_FALSE(json_integer(Json(std::uint64_t{18446744073709551615u})).has_value());
  Json doc = parse_ok(kMinimal);
  doc["banks"][0]["weight"] = 40.0;
  CHECK(config_ok(doc.dump()).banks[0].weight == 40);
}

TEST_CASE("config model: timestamps are read and written in the contract's form") {
  Json doc = parse_ok(kMinimal);
  doc["banks"][0]["circuit_breaker"] = Json{{"state", "open"}, {"opened_at", "2026-11-22T12:00:00.123Z"}};
  const Config c = config_ok(doc.dump());
  REQUIRE(c.banks[0].circuit_breaker.opened_at.has_value());
  CHECK(*c.banks[0].circuit_breaker.opened_at == *parse_timestamp("2026-11-22T12:00:00.123Z"));
  CHECK_FALSE(c.banks[0].circuit_breaker.last_failure_time.has_value());
  const Json out = config_to_json(c);
  CHECK(out["banks"][0]["circuit_breaker"]["opened_at"] == "2026-11-22T12:00:00.123Z");
  CHECK(out["banks"][0]["circuit_breaker"]["last_failure_time"].is_null());
}

TEST_CASE("config model: parse errors carry FILE:LINE:COLUMN and nlohmann's message without its prefix") {
  SUBCASE("invalid literal on line 3") {
    auto r = parse_json_text("{\n  \"banks\": [\n    oops\n  ]\n}\n", "dir/shared_config.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == Error::Kind::invalid_config);
    CHECK(r.error().message.rfind("dir/shared_config.json:3:5: syntax error while parsing value", 0) == 0);
    CHECK(r.error().message.find("[json.exception") == std::string::npos);
    CHECK(r.error().message.find("parse error at line") == std::string::npos);
  }
  SUBCASE("truncated document points past the end") {
    auto r = parse_json_text("{\n \"a\": 1,\n", "f");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("f:3:1: ", 0) == 0);
  }
  SUBCASE("empty file") {
    auto r = parse_json_text("", "f");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("f:1:1: ", 0) == 0);
  }
  SUBCASE("trailing garbage") {
    auto r = parse_json_text("{} x", "f");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("f:1:4: ", 0) == 0);
  }
  SUBCASE("number overflow has a position too") {
    auto r = parse_json_text("{\"a\":\n 1e400}", "f");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("f:2:", 0) == 0);
    CHECK(r.error().message.find("number overflow") != std::string::npos);
  }
  SUBCASE("absurd nesting is refused before parsing") {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    auto r = parse_json_text(deep, "f");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message == "f:1:129: nesting deeper than 128 levels");
    // Brackets inside strings do not count.
    CHECK(parse_json_text("[\"" + std::string(500, '[') + "\"]", "f").ok());
  }
  SUBCASE("parse_config_text reports validation problems per line with the file name") {
    auto r = parse_config_text(R"({"banks":[{"id":"x","name":"X","weight":-1}],"routing_rules":{}})", "c.json");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == Error::Kind::invalid_config);
    CHECK(r.error().message ==
          "c.json: banks[0].weight: must be >= 0, got -1\n"
          "c.json: routing_rules.primary_bank: is required (a string)");
  }
}

TEST_CASE("config model: history entries: optional agent fields only when present") {
  HistoryEntry e;
  e.timestamp = *parse_timestamp("2026-11-22T12:00:00.000Z");
  e.action = "set_enabled";
  e.actor = "config-tool";
  e.reason = "operator disabled bank_c for maintenance";
  Json j = history_entry_to_json(e);
  CHECK(j["timestamp"] == "2026-11-22T12:00:00.000Z");
  CHECK(j["details"] == Json::object());
  CHECK_FALSE(j.contains("cycle_id"));
  CHECK_FALSE(j.contains("outcome"));
  e.outcome = Outcome::effective;
  e.reasoner = "llm:some-model";
  j = history_entry_to_json(e);
  CHECK(j["outcome"] == "effective");
  CHECK(j["reasoner"] == "llm:some-model");
}

TEST_CASE("config model: eligibility and traffic shares") {
  Config c = default_config();
  auto shares = traffic_shares(c);
  REQUIRE(shares.size() == 4);
  CHECK(shares[0] == doctest::Approx(0.50));
  CHECK(shares[1] == doctest::Approx(0.25));
  CHECK(shares[2] == doctest::Approx(0.15));
  CHECK(shares[3] == doctest::Approx(0.10));

  c.banks[0].health_status = Health::down;
  CHECK_FALSE(is_eligible(c.banks[0]));
  shares = traffic_shares(c);
  CHECK(shares[0] == 0);
  CHECK(shares[1] == doctest::Approx(0.5));

  c.banks[1].circuit_breaker.state = BreakerState::open;
  c.banks[2].enabled = false;
  CHECK_FALSE(is_eligible(c.banks[1]));
  CHECK_FALSE(is_eligible(c.banks[2]));
  shares = traffic_shares(c);
  CHECK(shares[3] == doctest::Approx(1.0));

  // half_open keeps weight * half_open_traffic_ratio.
  c = default_config();
  c.banks[0].circuit_breaker.state = BreakerState::half_open;  // 50 * 0.1 = 5 of 55
  CHECK(is_eligible(c.banks[0]));
  shares = traffic_shares(c);
  CHECK(shares[0] == doctest::Approx(5.0 / 55.0));
  CHECK(shares[1] == doctest::Approx(25.0 / 55.0));

  // Nothing eligible: every share is 0, never NaN.
  for (auto& b : c.banks) b.enabled = false;
  for (double s : traffic_shares(c)) CHECK(s == 0);
}

TEST_CASE("config model: find_bank") {
  Config c = default_config();
  REQUIRE(c.find_bank("bank_c") != nullptr);
  CHECK(c.find_bank("bank_c")->name == "Razorpay");
  CHECK(c.find_bank("bank_z") == nullptr);
  const Config& cc = c;
  CHECK(cc.find_bank("bank_d")->weight == 10);
}
