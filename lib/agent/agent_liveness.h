// Is the agent alive? What a person looking at `agent status` or `config-tool show` needs first: when
// the agent last completed a cycle and how old the config's metrics are, in words, with a warning
// when that is much longer than the agent's interval. Pure: the caller passes the clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "contract/config_model.h"
#include "platform/time_util.h"

namespace payops {

// The agent's default `run --interval`: a cycle older than kStaleCycles of these is "not running?".
inline constexpr std::int64_t kDefaultAgentIntervalMs = 10'000;
inline constexpr std::int64_t kStaleCycles = 3;

struct AgentLiveness {
  std::optional<TimeMs> last_cycle_ms;  // newest metrics.updated_at, else newest agent history entry
  std::optional<std::int64_t> age_ms;   // now - last_cycle_ms; negative: stamped in our future
  bool stale = true;                    // no cycle, or older than kStaleCycles intervals
};

// The time of the newest completed cycle: every cycle (acting or not) stamps metrics.updated_at on
// every bank, so the newest stamp is the newest cycle; a config without metrics falls back to the
// newest history entry written by the agent. nullopt: the agent never ran on this config.
std::optional<TimeMs> last_cycle_time(const Config& config);

AgentLiveness agent_liveness(const Config& config, TimeMs now_ms,
                             std::int64_t interval_ms = kDefaultAgentIntervalMs);

// An age in words, coarse on purpose: "0 s", "42 s", "4 m", "1 h 5 m", "3 d 2 h".
std::string age_in_words(std::int64_t age_ms);

// One line: "agent: last cycle 4 m ago (2026-11-22T12:00:00.000Z) — not running?",
// "agent: last cycle 3 s ago (...)", "agent: no cycle recorded in this config — not running?", or for
// a stamp in the future (a virtual-time drill) "agent: last cycle at ... (ahead of this clock by 5 m)".
std::string liveness_line(const AgentLiveness& liveness);

// {"last_cycle_at": "..." | null, "age_s": number | null, "stale": bool}
Json liveness_to_json(const AgentLiveness& liveness);

}  // namespace payops
