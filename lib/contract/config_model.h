// shared_config.json as typed values: banks (with circuit breaker, retry policy, metrics),
// routing_rules and agent_history, with the contract's defaults. Every object keeps the keys it does
// not know in `extra`, so a round trip never drops a newer tool's fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "platform/result.h"
#include "platform/time_util.h"

namespace payops {

using Json = nlohmann::ordered_json;  // ordered: files keep a human-friendly key order

enum class Health : std::uint8_t { healthy, degraded, down };
enum class BreakerState : std::uint8_t { closed, open, half_open };
enum class RetryLevel : std::uint8_t { low, normal, high, custom };
enum class FallbackStrategy : std::uint8_t { weighted_round_robin, primary_first };
enum class Outcome : std::uint8_t { pending, effective, ineffective };

std::string_view to_string(Health v);
std::string_view to_string(BreakerState v);
std::string_view to_string(RetryLevel v);
std::string_view to_string(FallbackStrategy v);
std::string_view to_string(Outcome v);
std::optional<Health> parse_health(std::string_view s);
std::optional<BreakerState> parse_breaker_state(std::string_view s);
std::optional<RetryLevel> parse_retry_level(std::string_view s);
std::optional<FallbackStrategy> parse_fallback_strategy(std::string_view s);
std::optional<Outcome> parse_outcome(std::string_view s);

struct CircuitBreaker {
  BreakerState state = BreakerState::closed;
  std::int64_t failure_threshold = 5;
  double failure_rate_threshold = 0.5;
  std::int64_t min_requests = 20;
  std::int64_t open_duration_s = 30;
  double half_open_traffic_ratio = 0.1;
  std::int64_t failure_count = 0;
  std::optional<TimeMs> last_failure_time;
  std::optional<TimeMs> opened_at;
  Json extra = Json::object();
};

struct RetryPolicy {
  RetryLevel level = RetryLevel::normal;
  std::int64_t max_retries = 3;
  std::int64_t backoff_ms = 1000;
  double backoff_multiplier = 2.0;
  std::int64_t max_backoff_ms = 10000;
  bool jitter = true;
  Json extra = Json::object();

  // The preset values for low/normal/high (custom keeps what it has): low = 1 retry / 500 ms,
  // normal = 3 / 1000 ms, high = 5 / 2000 ms.
  static RetryPolicy preset(RetryLevel level);
};

struct BankMetrics {
  double success_rate = 0;
  double soft_failure_rate = 0;
  double avg_latency_ms = 0;
  double p95_latency_ms = 0;
  std::int64_t total_requests = 0;
  std::int64_t failed_requests = 0;
  std::int64_t window_s = 0;
  std::optional<TimeMs> updated_at;
  Json extra = Json::object();
};

struct Bank {
  std::string id;    // [a-z0-9_]+, unique
  std::string name;
  std::int64_t weight = 0;
  bool enabled = true;
  Health health_status = Health::healthy;
  CircuitBreaker circuit_breaker;
  RetryPolicy retry_policy;
  BankMetrics metrics;
  Json extra = Json::object();
};

// routing_rules.success_rate_routing (an addition to the contract, documented in the README): the
// agent prefers the banks with the best recency-weighted success rate in steady state. Absent or
// enabled=false: the operator's weights rule.
struct SuccessRateRouting {
  bool enabled = false;
  double exploration_share = 0.04;  // share of first attempts kept on the other banks, so none starves
  // How many top banks share the rest. 1: the best bank alone (what the drift drill measures, its
  // header); the capacity rule spills what it cannot carry.
  std::int64_t best_banks = 1;
  std::int64_t half_life_s = 30;    // recency weighting of the success rate
  Json extra = Json::object();
};

Json success_rate_routing_to_json(const SuccessRateRouting& r);

struct RoutingRules {
  std::string primary_bank;
  FallbackStrategy fallback_strategy = FallbackStrategy::weighted_round_robin;
  bool chaos_mode = false;
  double chaos_failure_rate = 0;
  // Absent and empty both mean "all banks"; kept distinct so a round trip writes what it read.
  std::optional<std::vector<std::string>> chaos_targets;
  std::optional<SuccessRateRouting> success_rate_routing;  // absent = off
  Json extra = Json::object();
};

struct HistoryEntry {
  TimeMs timestamp = 0;
  std::string action;
  Json details = Json::object();
  std::string actor;   // "agent", "config-tool"
  std::string reason;
  std::optional<std::string> cycle_id;
  std::optional<std::string> reasoner;  // "rules" or "llm:MODEL"
  std::optional<Outcome> outcome;
  Json extra = Json::object();
};

struct Config {
  std::vector<Bank> banks;
  RoutingRules routing_rules;
  std::vector<HistoryEntry> agent_history;
  Json extra = Json::object();  // unknown top-level keys

  Bank* find_bank(std::string_view id);
  const Bank* find_bank(std::string_view id) const;
};

inline constexpr std::size_t kDefaultHistoryLimit = 200;

// The integral value of a JSON number where the contract wants an integer: integers, and floats with
// no fractional part (5.0 is 5) that fit in int64. nullopt for 5.5, bools, strings and anything else.
std::optional<std::int64_t> json_integer(const Json& v);

// One validation finding: where (a JSON path like "banks[2].retry_policy.max_retries") and what.
struct Problem {
  std::string path;
  std::string message;
  std::string to_string() const { return path.empty() ? message : path + ": " + message; }
};

// Every problem in a parsed document, in document order. Empty means valid. Checks types, ranges,
// enums, id format and uniqueness, primary_bank and chaos_targets naming real banks, and that the
// enabled banks' weights are not all zero when any bank is enabled.
// Required: top-level object with "banks" (non-empty array) and "routing_rules" (object); per bank
// "id", "name", "weight"; routing_rules.primary_bank; per history entry "timestamp" and "action".
// Everything else may be missing (config_from_json fills the contract's defaults). Integers accept
// integral floats (5.0) and refuse fractions (5.5). Timestamps are the contract's exact form or null.
// Unknown keys are not checked: they belong to newer tools and are preserved.
std::vector<Problem> validate_config_json(const Json& doc);

// Parses JSON text (strict: no comments, no trailing data; a repeated key keeps its last value).
// On a syntax error: "FILE:LINE:COLUMN: <what>", with `source_name` as FILE, kind invalid_config.
// Nesting deeper than 128 levels is refused the same way.
Result<Json> parse_json_text(std::string_view text, std::string_view source_name);

// Validates then converts; on problems the error lists all of them, one per line, each prefixed by
// source_name. Missing optional fields get the contract's defaults (a retry_policy's missing numbers
// come from its level's preset). Unknown keys land in `extra` at every object level.
Result<Config> config_from_json(const Json& doc, std::string_view source_name);
// Convenience: parse_json_text + config_from_json. Error kind is invalid_config.
Result<Config> parse_config_text(std::string_view text, std::string_view source_name);

// Known keys in the contract's order, then each object's `extra` keys in the order they were read.
// Absent optional timestamps are null; cycle_id/reasoner/outcome and chaos_targets are written only
// when present.
Json config_to_json(const Config& config);
// Pretty JSON text (2-space indent, trailing newline), as written to disk.
std::string config_to_text(const Config& config);

Json history_entry_to_json(const HistoryEntry& e);
// The inverse, lenient: fields of the wrong type are left at their defaults (for reading the
// agent_history.jsonl archive, whose lines were valid entries when they were written).
HistoryEntry history_entry_from_json(const Json& obj);

// The default config shipped at the repo's top level: four banks, bank_a "Stripe Gateway" weight 50.
Config default_config();

// Why a bank may take no traffic, the most fundamental reason first; `none` when it is eligible
// (the contract: enabled, health != down, breaker not open). The one eligibility rule: the router,
// the simulator, the agent and config-tool all ask here.
enum class Ineligibility : std::uint8_t { none, disabled, down, breaker_open };
Ineligibility ineligibility(const Bank& bank);
bool is_eligible(const Bank& bank);  // ineligibility(bank) == Ineligibility::none

// Effective weights are integers in thousandths of a weight, so the router's sums are exact.
inline constexpr std::int64_t kWeightScale = 1000;
// The bank's effective weight: weight (clamped to [0, kMaxBankWeight], so a config built in code
// cannot overflow a sum) * kWeightScale, times half_open_traffic_ratio clamped to [0, 1] when the
// breaker is half_open, rounded to the nearest integer. 0 when the bank is not eligible.
std::int64_t effective_weight(const Bank& bank);
// Routable: eligible with a positive effective weight (takes a share of first attempts).
bool is_routable(const Bank& bank);

// Share of first attempts each bank gets: effective weight / sum of effective weights. Ineligible
// banks get 0; all 0 when nothing is routable. Same order as config.banks.
std::vector<double> traffic_shares(const Config& config);

}  // namespace payops
