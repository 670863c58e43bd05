// The agent's last cycle and the age of the data, for people and machines.
#include "agent/agent_liveness.h"

#include <algorithm>

#include <fmt/format.h>

namespace payops {

std::optional<TimeMs> last_cycle_time(const Config& config) {
  std::optional<TimeMs> t;
  for (const Bank& b : config.banks) {
    if (b.metrics.updated_at) t = std::max(t.value_or(*b.metrics.updated_at), *b.metrics.updated_at);
  }
  if (t) return t;
  for (const HistoryEntry& e : config.agent_history) {
    if (e.actor == "agent") t = std::max(t.value_or(e.timestamp), e.timestamp);
  }
  return t;
}

AgentLiveness agent_liveness(const Config& config, TimeMs now_ms, std::int64_t interval_ms) {
  AgentLiveness l;
  l.last_cycle_ms = last_cycle_time(config);
  if (!l.last_cycle_ms) return l;
  l.age_ms = now_ms - *l.last_cycle_ms;
  l.stale = *l.age_ms > kStaleCycles * std::max<std::int64_t>(interval_ms, 1);
  return l;
}

std::string age_in_words(std::int64_t age_ms) {
  const std::int64_t s = std::max<std::int64_t>(age_ms, 0) / 1000;
  if (s < 60) return fmt::format("{} s", s);
  if (s < 3600) return fmt::format("{} m", s / 60);
  if (s < 86'400) return s % 3600 / 60 ? fmt::format("{} h {} m", s / 3600, s % 3600 / 60) : fmt::format("{} h", s / 3600);
  return s % 86'400 / 3600 ? fmt::format("{} d {} h", s / 86'400, s % 86'400 / 3600) : fmt::format("{} d", s / 86'400);
}

std::string liveness_line(const AgentLiveness& l) {
  if (!l.last_cycle_ms) return "agent: no cycle recorded in this config — not running?";
  const std::string at = format_timestamp(*l.last_cycle_ms);
  if (*l.age_ms < 0) return fmt::format("agent: last cycle at {} (ahead of this clock by {})", at, age_in_words(-*l.age_ms));
  return fmt::format("agent: last cycle {} ago ({}){}", age_in_words(*l.age_ms), at, l.stale ? " — not running?" : "");
}

Json liveness_to_json(const AgentLiveness& l) {
  return Json{{"last_cycle_at", l.last_cycle_ms ? Json(format_timestamp(*l.last_cycle_ms)) : Json()},
              {"age_s", l.age_ms ? Json(static_cast<double>(*l.age_ms) / 1000.0) : Json()},
              {"stale", l.stale}};
}

}  // namespace payops
