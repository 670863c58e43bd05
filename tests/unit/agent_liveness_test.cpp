// When did the agent last complete a cycle, and is that too long ago?
#include <doctest/doctest.h>

#include "agent/agent_liveness.h"
#include "contract/config_model.h"

using namespace payops;

TEST_CASE("liveness: the newest metrics stamp is the last cycle; old means not running") {
  Config c = default_config();
  const TimeMs t0 = *parse_timestamp("2026-11-22T12:00:00.000Z");
  c.banks[0].metrics.updated_at = t0 - 5000;
  c.banks[1].metrics.updated_at = t0;
  const AgentLiveness fresh = agent_liveness(c, t0 + 3000);
  REQUIRE(fresh.last_cycle_ms);
  CHECK(*fresh.last_cycle_ms == t0);
  CHECK(*fresh.age_ms == 3000);
  CHECK_FALSE(fresh.stale);
  CHECK(liveness_line(fresh) == "agent: last cycle 3 s ago (2026-11-22T12:00:00.000Z)");
  const AgentLiveness old = agent_liveness(c, t0 + 4 * 60'000 + 10'000);
  CHECK(old.stale);
  CHECK(liveness_line(old) == "agent: last cycle 4 m ago (2026-11-22T12:00:00.000Z) — not running?");
  const Json j = liveness_to_json(old);
  CHECK(j["last_cycle_at"] == "2026-11-22T12:00:00.000Z");
  CHECK(j["age_s"].get<double>() == doctest::Approx(250.0));
  CHECK(j["stale"] == true);
}

TEST_CASE("liveness: no metrics and no agent history is unknown: null in JSON, a warning in words") {
  Config c = default_config();
  for (Bank& b : c.banks) b.metrics.updated_at.reset();
  c.agent_history.clear();
  const AgentLiveness l = agent_liveness(c, 1000);
  CHECK_FALSE(l.last_cycle_ms);
  CHECK(l.stale);
  CHECK(liveness_to_json(l)["last_cycle_at"].is_null());
  CHECK(liveness_to_json(l)["age_s"].is_null());
  CHECK(liveness_line(l).find("not running?") != std::string::npos);
  HistoryEntry e;
  e.timestamp = 500;
  e.actor = "agent";
  c.agent_history.push_back(e);
  CHECK(agent_liveness(c, 1000).last_cycle_ms == TimeMs{500});
}

TEST_CASE("liveness: ages in words") {
  CHECK(age_in_words(999) == "0 s");
  CHECK(age_in_words(59'999) == "59 s");
  CHECK(age_in_words(60'000) == "1 m");
  CHECK(age_in_words(3'900'000) == "1 h 5 m");
  CHECK(age_in_words(7'200'000) == "2 h");
  CHECK(age_in_words(86'400'000LL * 3 + 7'200'000) == "3 d 2 h");
}
