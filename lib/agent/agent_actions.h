// The agent's action schema: the five tools both reasoners (rules, and later an LLM) may use, their
// JSON form {"name": ..., "args": {...}, "reason": ...}, the guardrails every action passes before
// anything is written, and apply_action, which changes a Config and records one agent_history entry.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "contract/config_model.h"
#include "platform/result.h"

namespace payops {

// reroute_traffic {"weights": {"bank_b": 20, ...}}: new weights for the listed banks only.
struct RerouteTraffic {
  std::map<std::string, std::int64_t> weights;
};
// update_bank_health {"bank_id": "bank_b", "health_status": "degraded"}
struct UpdateBankHealth {
  std::string bank_id;
  Health health_status = Health::healthy;
};
// toggle_chaos_mode {"chaos_mode": false}. The agent may only end a chaos experiment: turning it on
// is an operator's decision, refused by the guardrails.
struct ToggleChaosMode {
  bool chaos_mode = false;
};
// adjust_retry_policy {"bank_id": "bank_b", "level": "low"}: a preset level, or "custom" with any of
// max_retries (0-10), backoff_ms (0-60000), backoff_multiplier (1-10), max_backoff_ms (0-600000).
struct AdjustRetryPolicy {
  std::string bank_id;
  RetryLevel level = RetryLevel::normal;
  std::optional<std::int64_t> max_retries;
  std::optional<std::int64_t> backoff_ms;
  std::optional<double> backoff_multiplier;
  std::optional<std::int64_t> max_backoff_ms;
};
// set_circuit_breaker {"bank_id": "bank_b", "state": "open"}. Opening stamps opened_at with the
// cycle's time; closing clears it and the failure count.
struct SetCircuitBreaker {
  std::string bank_id;
  BreakerState state = BreakerState::closed;
};

using ActionArgs =
    std::variant<RerouteTraffic, UpdateBankHealth, ToggleChaosMode, AdjustRetryPolicy, SetCircuitBreaker>;

struct Action {
  ActionArgs args;
  std::string reason;  // one sentence with the numbers behind it
  // Extra facts recorded in the history entry's details (e.g. "observed", "intended").
  Json evidence = Json::object();
};

// "reroute_traffic", "update_bank_health", ... (the agent_history action names).
std::string action_name(const Action& action);
// The bank the action concerns, empty for chaos; for reroute, the bank whose weight moves most.
std::string action_bank(const Action& action);

// {"name": ..., "args": {...}, "reason": ...}
Json action_to_json(const Action& action);
// Strict: unknown names, unknown or missing args, wrong types are errors (kind invalid_input) that
// say which. Ranges are checked by check_action, not here.
Result<Action> action_from_json(const Json& json);
// The tool descriptions for an LLM prompt: one JSON object per tool with its args and ranges.
Json action_schema_json();

// Guardrail limits. A bank's weight may move by at most max(kMinWeightStep, kMaxWeightStepFraction
// of the enabled banks' total weight) per action, so no single decision swings traffic wholesale.
inline constexpr std::int64_t kMaxWeight = 10000;
inline constexpr std::int64_t kMinWeightStep = 5;
inline constexpr double kMaxWeightStepFraction = 0.25;
std::int64_t max_weight_step(const Config& config);

// Free text the agent stores: a reason longer than this is cut (on a UTF-8 boundary, marked with
// "...") before it is stored in agent_history and before it is put into a prompt, so no answer can
// grow the config or the next prompt without bound.
inline constexpr std::size_t kMaxReasonBytes = 400;
std::string bound_reason(std::string_view reason);

// Per-cycle bounds on an LLM's answer, checked on the NET effect of all its actions (the config
// before the cycle against the config after all of them), so no order of actions can get around
// them: at most kMaxLlmActionsPerCycle actions; the weights move at most
// kMaxCycleWeightShiftFraction of the traffic (half the summed change of each bank's share, the
// shares computed with the eligibility before the cycle); at most kMaxBanksEjectedPerCycle banks
// marked down or their breaker opened.
inline constexpr std::size_t kMaxLlmActionsPerCycle = 6;
inline constexpr double kMaxCycleWeightShiftFraction = 0.25;
inline constexpr std::size_t kMaxBanksEjectedPerCycle = 1;
// Errors (kind invalid_input) name the bound and the measured value.
Status check_cycle_budget(const Config& before, const Config& after, std::size_t action_count);

// The guardrails: known bank(s); values in range; bounded weight steps; the agent never turns chaos
// on; and after the action at least one eligible bank with a positive weight remains (the last
// route is never removed). `enabled` is not in the schema at all: the agent cannot touch it.
// Errors (kind invalid_input) name the rule broken.
Status check_action(const Config& config, const Action& action);

struct ActionContext {
  TimeMs now_ms = 0;
  std::string cycle_id;
  std::string reasoner = "rules";  // "rules" or "llm:MODEL"
};

// Checks, applies, and appends one agent_history entry (actor "agent", outcome pending, details =
// {"changes": [{"path","before","after"}...], "args": {...}} plus the action's evidence). An action
// that would change nothing is refused (kind conflict) and writes nothing. Returns the entry.
Result<HistoryEntry> apply_action(Config& config, const Action& action, const ActionContext& ctx);

}  // namespace payops
