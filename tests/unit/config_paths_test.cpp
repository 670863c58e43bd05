#include <doctest/doctest.h>

#include "contract/config_paths.h"

using namespace payops;

TEST_CASE("dotted paths address banks by id and fields by name") {
  const Json doc = config_to_json(default_config());
  CHECK(get_path(doc, "banks.bank_a.weight").value() == 50);
  CHECK(get_path(doc, "banks.bank_a.name").value() == "Stripe Gateway");
  CHECK(get_path(doc, "routing_rules.chaos_mode").value() == false);
  CHECK(get_path(doc, "banks.bank_b.circuit_breaker.state").value() == "closed");
  const auto missing = get_path(doc, "banks.bank_z.weight");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().message.find("no bank \"bank_z\" (known: bank_a, bank_b, bank_c, bank_d)") != std::string::npos);
  const auto typo = get_path(doc, "banks.bank_a.wieght");
  REQUIRE_FALSE(typo.ok());
  CHECK(typo.error().message.find("banks.bank_a has no field \"wieght\"") != std::string::npos);
}

TEST_CASE("set refuses typos, sections, metrics and history, and allows chaos_targets") {
  Json doc = config_to_json(default_config());
  CHECK(set_path(doc, "banks.bank_b.weight", 7).ok());
  CHECK(doc["banks"][1]["weight"] == 7);
  CHECK_FALSE(set_path(doc, "banks.bank_b.wieght", 7).ok());
  CHECK_FALSE(set_path(doc, "banks.bank_b.circuit_breaker", 7).ok());
  CHECK_FALSE(set_path(doc, "banks.bank_b.metrics.success_rate", 1).ok());
  CHECK_FALSE(set_path(doc, "agent_history", Json::array()).ok());
  CHECK(set_path(doc, "routing_rules.chaos_targets", Json::array({"bank_c"})).ok());
  CHECK(doc["routing_rules"]["chaos_targets"][0] == "bank_c");
}

TEST_CASE("command-line values are JSON when they parse, else text") {
  CHECK(parse_cli_value("50") == 50);
  CHECK(parse_cli_value("0.25") == 0.25);
  CHECK(parse_cli_value("true") == true);
  CHECK(parse_cli_value("bank_b") == "bank_b");
  CHECK(parse_cli_value("\"50\"") == "50");
  CHECK(parse_cli_value("[\"a\",\"b\"]").size() == 2);
}

TEST_CASE("diff_configs names each changed field by its dotted path") {
  Config before = default_config();
  Config after = before;
  after.find_bank("bank_c")->weight = 3;
  after.find_bank("bank_c")->health_status = Health::degraded;
  after.find_bank("bank_a")->metrics.success_rate = 0.5;  // metrics are not operator changes
  after.routing_rules.chaos_mode = true;
  const auto changes = diff_configs(before, after);
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].path == "banks.bank_c.weight");
  CHECK(changes[0].before == 15);
  CHECK(changes[0].after == 3);
  CHECK(changes[1].path == "banks.bank_c.health_status");
  CHECK(changes[2].path == "routing_rules.chaos_mode");
  const auto round = changes_from_details(changes_to_details(changes));
  REQUIRE(round.size() == 3);
  CHECK(round[1].after == "degraded");
}
