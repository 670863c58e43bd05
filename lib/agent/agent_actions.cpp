// The agent's tools: JSON form, guardrails and application with one history entry per action.
#include "agent/agent_actions.h"

#include <algorithm>
#include <cmath>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "contract/config_limits.h"
#include "contract/config_paths.h"

namespace payops {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

Error invalid(std::string message) { return make_error(std::move(message), Error::Kind::invalid_input); }

Json args_to_json(const ActionArgs& args) {
  return std::visit(
      Overloaded{
          [](const RerouteTraffic& a) {
            Json w = Json::object();
            for (const auto& [id, weight] : a.weights) w[id] = weight;
            return Json{{"weights", w}};
          },
          [](const UpdateBankHealth& a) {
            return Json{{"bank_id", a.bank_id}, {"health_status", to_string(a.health_status)}};
          },
          [](const ToggleChaosMode& a) { return Json{{"chaos_mode", a.chaos_mode}}; },
          [](const AdjustRetryPolicy& a) {
            Json j{{"bank_id", a.bank_id}, {"level", to_string(a.level)}};
            if (a.max_retries) j["max_retries"] = *a.max_retries;
            if (a.backoff_ms) j["backoff_ms"] = *a.backoff_ms;
            if (a.backoff_multiplier) j["backoff_multiplier"] = *a.backoff_multiplier;
            if (a.max_backoff_ms) j["max_backoff_ms"] = *a.max_backoff_ms;
            return j;
          },
          [](const SetCircuitBreaker& a) {
            return Json{{"bank_id", a.bank_id}, {"state", to_string(a.state)}};
          },
      },
      args);
}

// Reads args strictly: every key must be in `allowed`, every key in `required` present.
Status check_keys(const Json& args, std::string_view name, std::initializer_list<std::string_view> allowed,
                  std::initializer_list<std::string_view> required) {
  for (const auto& [key, value] : args.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return invalid(fmt::format("{}: unknown argument \"{}\"", name, key));
    }
  }
  for (auto key : required) {
    if (!args.contains(std::string(key))) return invalid(fmt::format("{}: missing argument \"{}\"", name, key));
  }
  return ok_status();
}

Result<std::string> string_arg(const Json& args, std::string_view name, const char* key) {
  const Json& v = args[key];
  if (!v.is_string()) return invalid(fmt::format("{}: \"{}\" must be a string", name, key));
  return v.get<std::string>();
}

Result<std::int64_t> int_arg(const Json& args, std::string_view name, const char* key) {
  auto v = json_integer(args[key]);
  if (!v) return invalid(fmt::format("{}: \"{}\" must be an integer", name, key));
  return *v;
}

}  // namespace

std::string action_name(const Action& action) {
  return std::visit(Overloaded{
                        [](const RerouteTraffic&) { return std::string("reroute_traffic"); },
                        [](const UpdateBankHealth&) { return std::string("update_bank_health"); },
                        [](const ToggleChaosMode&) { return std::string("toggle_chaos_mode"); },
                        [](const AdjustRetryPolicy&) { return std::string("adjust_retry_policy"); },
                        [](const SetCircuitBreaker&) { return std::string("set_circuit_breaker"); },
                    },
                    action.args);
}

std::string action_bank(const Action& action) {
  return std::visit(Overloaded{
                        [](const RerouteTraffic& a) { return a.weights.empty() ? std::string() : a.weights.begin()->first; },
                        [](const UpdateBankHealth& a) { return a.bank_id; },
                        [](const ToggleChaosMode&) { return std::string(); },
                        [](const AdjustRetryPolicy& a) { return a.bank_id; },
                        [](const SetCircuitBreaker& a) { return a.bank_id; },
                    },
                    action.args);
}

Json action_to_json(const Action& action) {
  return Json{{"name", action_name(action)}, {"args", args_to_json(action.args)}, {"reason", action.reason}};
}

Result<Action> action_from_json(const Json& json) {
  if (!json.is_object()) return invalid("an action must be a JSON object with \"name\" and \"args\"");
  if (!json.contains("name") || !json["name"].is_string()) return invalid("an action needs a string \"name\"");
  const std::string name = json["name"].get<std::string>();
  const Json args = json.contains("args") ? json["args"] : Json::object();
  if (!args.is_object()) return invalid(fmt::format("{}: \"args\" must be an object", name));
  Action action;
  if (json.contains("reason")) {
    if (!json["reason"].is_string()) return invalid(fmt::format("{}: \"reason\" must be a string", name));
    action.reason = json["reason"].get<std::string>();
  }
  if (name == "reroute_traffic") {
    if (auto s = check_keys(args, name, {"weights"}, {"weights"}); !s.ok()) return s.error();
    if (!args["weights"].is_object() || args["weights"].empty()) {
      return invalid("reroute_traffic: \"weights\" must be a non-empty object of bank id -> integer");
    }
    RerouteTraffic a;
    for (const auto& [id, w] : args["weights"].items()) {
      auto v = json_integer(w);
      if (!v) return invalid(fmt::format("reroute_traffic: weight of \"{}\" must be an integer", id));
      a.weights[id] = *v;
    }
    action.args = std::move(a);
  } else if (name == "update_bank_health") {
    if (auto s = check_keys(args, name, {"bank_id", "health_status"}, {"bank_id", "health_status"}); !s.ok()) return s.error();
    auto id = string_arg(args, name, "bank_id");
    if (!id.ok()) return id.error();
    auto h = args["health_status"].is_string() ? parse_health(args["health_status"].get<std::string>()) : std::nullopt;
    if (!h) return invalid("update_bank_health: \"health_status\" must be healthy, degraded or down");
    action.args = UpdateBankHealth{*id, *h};
  } else if (name == "toggle_chaos_mode") {
    if (auto s = check_keys(args, name, {"chaos_mode"}, {"chaos_mode"}); !s.ok()) return s.error();
    if (!args["chaos_mode"].is_boolean()) return invalid("toggle_chaos_mode: \"chaos_mode\" must be true or false");
    action.args = ToggleChaosMode{args["chaos_mode"].get<bool>()};
  } else if (name == "adjust_retry_policy") {
    if (auto s = check_keys(args, name,
                            {"bank_id", "level", "max_retries", "backoff_ms", "backoff_multiplier", "max_backoff_ms"},
                            {"bank_id", "level"});
        !s.ok()) {
      return s.error();
    }
    AdjustRetryPolicy a;
    auto id = string_arg(args, name, "bank_id");
    if (!id.ok()) return id.error();
    a.bank_id = *id;
    auto level = args["level"].is_string() ? parse_retry_level(args["level"].get<std::string>()) : std::nullopt;
    if (!level) return invalid("adjust_retry_policy: \"level\" must be low, normal, high or custom");
    a.level = *level;
    for (const char* key : {"max_retries", "backoff_ms", "max_backoff_ms"}) {
      if (!args.contains(key)) continue;
      auto v = int_arg(args, name, key);
      if (!v.ok()) return v.error();
      if (std::string_view(key) == "max_retries") a.max_retries = *v;
      else if (std::string_view(key) == "backoff_ms") a.backoff_ms = *v;
      else a.max_backoff_ms = *v;
    }
    if (args.contains("backoff_multiplier")) {
      if (!args["backoff_multiplier"].is_number()) return invalid("adjust_retry_policy: \"backoff_multiplier\" must be a number");
      a.backoff_multiplier = args["backoff_multiplier"].get<double>();
    }
    action.args = std::move(a);
  } else if (name == "set_circuit_breaker") {
    if (auto s = check_keys(args, name, {"bank_id", "state"}, {"bank_id", "state"}); !s.ok()) return s.error();
    auto id = string_arg(args, name, "bank_id");
    if (!id.ok()) return id.error();
    auto st = args["state"].is_string() ? parse_breaker_state(args["state"].get<std::string>()) : std::nullopt;
    if (!st) return invalid("set_circuit_breaker: \"state\" must be closed, open or half_open");
    action.args = SetCircuitBreaker{*id, *st};
  } else {
    return invalid(fmt::format(
        "unknown action \"{}\" (known: reroute_traffic, update_bank_health, toggle_chaos_mode, "
        "adjust_retry_policy, set_circuit_breaker)",
        name));
  }
  return action;
}

Json action_schema_json() {
  return Json::array({
      Json{{"name", "reroute_traffic"},
           {"args", {{"weights", "object: bank_id -> integer weight 0-10000; each bank moves at most the step bound per action"}}}},
      Json{{"name", "update_bank_health"},
           {"args", {{"bank_id", "string"}, {"health_status", "healthy | degraded | down"}}}},
      Json{{"name", "toggle_chaos_mode"}, {"args", {{"chaos_mode", "false (the agent may only end chaos)"}}}},
      Json{{"name", "adjust_retry_policy"},
           {"args",
            {{"bank_id", "string"},
             {"level", "low | normal | high | custom"},
             {"max_retries", "optional integer 0-10 (custom)"},
             {"backoff_ms", "optional integer 0-60000 (custom)"},
             {"backoff_multiplier", "optional number 1-10 (custom)"},
             {"max_backoff_ms", "optional integer 0-600000 (custom)"}}}},
      Json{{"name", "set_circuit_breaker"},
           {"args", {{"bank_id", "string"}, {"state", "closed | open | half_open"}}}},
  });
}

std::int64_t max_weight_step(const Config& config) {
  std::int64_t total = 0;
  for (const Bank& b : config.banks) {
    // Clamped to the validated range: a config built in code cannot overflow the sum.
    if (b.enabled) total = std::min(total + std::clamp<std::int64_t>(b.weight, 0, kMaxBankWeight), INT64_MAX / 2);
  }
  const auto fraction = static_cast<std::int64_t>(std::ceil(static_cast<double>(total) * kMaxWeightStepFraction));
  return std::max(kMinWeightStep, fraction);
}

namespace {

// Applies the args to config without any checks. Breaker timestamps follow the state.
void apply_args(Config& config, const ActionArgs& args, TimeMs now_ms) {
  std::visit(Overloaded{
                 [&](const RerouteTraffic& a) {
                   for (const auto& [id, w] : a.weights) config.find_bank(id)->weight = w;
                 },
                 [&](const UpdateBankHealth& a) { config.find_bank(a.bank_id)->health_status = a.health_status; },
                 [&](const ToggleChaosMode& a) { config.routing_rules.chaos_mode = a.chaos_mode; },
                 [&](const AdjustRetryPolicy& a) {
                   RetryPolicy& p = config.find_bank(a.bank_id)->retry_policy;
                   if (a.level != RetryLevel::custom) {
                     const RetryPolicy preset = RetryPolicy::preset(a.level);
                     p.level = preset.level;
                     p.max_retries = preset.max_retries;
                     p.backoff_ms = preset.backoff_ms;
                     p.backoff_multiplier = preset.backoff_multiplier;
                     p.max_backoff_ms = preset.max_backoff_ms;
                   } else {
                     p.level = RetryLevel::custom;
                   }
                   if (a.max_retries) p.max_retries = *a.max_retries;
                   if (a.backoff_ms) p.backoff_ms = *a.backoff_ms;
                   if (a.backoff_multiplier) p.backoff_multiplier = *a.backoff_multiplier;
                   if (a.max_backoff_ms) p.max_backoff_ms = *a.max_backoff_ms;
                 },
                 [&](const SetCircuitBreaker& a) {
                   CircuitBreaker& cb = config.find_bank(a.bank_id)->circuit_breaker;
                   if (cb.state == a.state) return;
                   if (a.state == BreakerState::open) cb.opened_at = now_ms;
                   if (a.state == BreakerState::closed) {
                     cb.opened_at.reset();
                     cb.failure_count = 0;
                   }
                   cb.state = a.state;
                 },
             },
             args);
}

Status need_bank(const Config& config, const std::string& id, std::string_view action) {
  if (config.find_bank(id)) return ok_status();
  std::string known;
  for (const Bank& b : config.banks) known += (known.empty() ? "" : ", ") + b.id;
  return invalid(fmt::format("{}: no bank \"{}\" (known: {})", action, id, known));
}

}  // namespace

Status check_action(const Config& config, const Action& action) {
  const std::string name = action_name(action);
  Status shape = std::visit(
      Overloaded{
          [&](const RerouteTraffic& a) -> Status {
            if (a.weights.empty()) return invalid("reroute_traffic: no weights given");
            const std::int64_t step = max_weight_step(config);
            for (const auto& [id, w] : a.weights) {
              if (auto s = need_bank(config, id, name); !s.ok()) return s;
              if (w < 0 || w > kMaxWeight) {
                return invalid(fmt::format("reroute_traffic: weight {} for {} is outside 0-{}", w, id, kMaxWeight));
              }
              const std::int64_t from = std::clamp<std::int64_t>(config.find_bank(id)->weight, 0, kMaxBankWeight);
              if (std::abs(w - from) > step) {
                return invalid(fmt::format("reroute_traffic: {} would move from {} to {}, more than the step bound {}",
                                           id, from, w, step));
              }
            }
            return ok_status();
          },
          [&](const UpdateBankHealth& a) -> Status { return need_bank(config, a.bank_id, name); },
          [&](const ToggleChaosMode& a) -> Status {
            if (a.chaos_mode && !config.routing_rules.chaos_mode) {
              return invalid("toggle_chaos_mode: the agent may end a chaos experiment, never start one");
            }
            return ok_status();
          },
          [&](const AdjustRetryPolicy& a) -> Status {
            if (auto s = need_bank(config, a.bank_id, name); !s.ok()) return s;
            if (a.level != RetryLevel::custom &&
                (a.max_retries || a.backoff_ms || a.backoff_multiplier || a.max_backoff_ms)) {
              return invalid("adjust_retry_policy: explicit numbers need level \"custom\"");
            }
            if (a.max_retries && (*a.max_retries < 0 || *a.max_retries > 10)) {
              return invalid(fmt::format("adjust_retry_policy: max_retries {} is outside 0-10", *a.max_retries));
            }
            if (a.backoff_ms && (*a.backoff_ms < 0 || *a.backoff_ms > 60000)) {
              return invalid(fmt::format("adjust_retry_policy: backoff_ms {} is outside 0-60000", *a.backoff_ms));
            }
            if (a.backoff_multiplier && !(*a.backoff_multiplier >= 1.0 && *a.backoff_multiplier <= 10.0)) {
              return invalid(fmt::format("adjust_retry_policy: backoff_multiplier {} is outside 1-10", *a.backoff_multiplier));
            }
            if (a.max_backoff_ms && (*a.max_backoff_ms < 0 || *a.max_backoff_ms > 600000)) {
              return invalid(fmt::format("adjust_retry_policy: max_backoff_ms {} is outside 0-600000", *a.max_backoff_ms));
            }
            return ok_status();
          },
          [&](const SetCircuitBreaker& a) -> Status { return need_bank(config, a.bank_id, name); },
      },
      action.args);
  if (!shape.ok()) return shape;

  // The last route: if some eligible bank carries a positive weight now, one still must after the
  // action. (When none does, an action cannot make that worse, and may be the fix.)
  auto has_route = [](const Config& c) {
    bool route = false;
    for (const Bank& b : c.banks) route |= is_eligible(b) && b.weight > 0;
    return route;
  };
  Config after = config;
  apply_args(after, action.args, 0);
  if (has_route(config) && !has_route(after)) {
    return invalid(fmt::format("{}: refused, it would leave no eligible bank with traffic (the last route)", name));
  }
  return ok_status();
}

std::string bound_reason(std::string_view reason) {
  if (reason.size() <= kMaxReasonBytes) return std::string(reason);
  constexpr std::string_view kCut = "...";
  std::size_t end = kMaxReasonBytes - kCut.size();
  // Back up to a UTF-8 lead byte so the cut never splits a character.
  while (end > 0 && (static_cast<unsigned char>(reason[end]) & 0xC0) == 0x80) --end;
  return std::string(reason.substr(0, end)) + std::string(kCut);
}

namespace {

// Traffic shares with `weights_from`'s weights and `eligibility_from`'s eligibility (banks matched by
// position: a cycle never adds or removes banks).
std::vector<double> weight_shares(const Config& weights_from, const Config& eligibility_from) {
  Config mixed = eligibility_from;
  for (std::size_t i = 0; i < mixed.banks.size() && i < weights_from.banks.size(); ++i)
    mixed.banks[i].weight = weights_from.banks[i].weight;
  return traffic_shares(mixed);
}

}  // namespace

Status check_cycle_budget(const Config& before, const Config& after, std::size_t action_count) {
  if (action_count > kMaxLlmActionsPerCycle)
    return invalid(fmt::format("{} actions in one cycle, more than the bound {}", action_count, kMaxLlmActionsPerCycle));
  if (before.banks.size() != after.banks.size()) return invalid("a cycle may not add or remove banks");
  const std::vector<double> from = traffic_shares(before);
  const std::vector<double> to = weight_shares(after, before);
  double moved = 0;
  for (std::size_t i = 0; i < from.size() && i < to.size(); ++i) moved += std::fabs(to[i] - from[i]);
  moved /= 2;  // a share that leaves one bank arrives at another: count it once
  if (moved > kMaxCycleWeightShiftFraction + 1e-9)
    return invalid(fmt::format("the weights together move {:.0f}% of the traffic in one cycle, more than the "
                               "bound {:.0f}%",
                               moved * 100, kMaxCycleWeightShiftFraction * 100));
  std::vector<std::string> ejected;
  for (std::size_t i = 0; i < before.banks.size(); ++i) {
    const Bank& b = before.banks[i];
    const Bank& a = after.banks[i];
    const bool marked_down = a.health_status == Health::down && b.health_status != Health::down;
    const bool opened = a.circuit_breaker.state == BreakerState::open && b.circuit_breaker.state != BreakerState::open;
    if (marked_down || opened) ejected.push_back(a.id);
  }
  if (ejected.size() > kMaxBanksEjectedPerCycle)
    return invalid(fmt::format("{} banks marked down or their breaker opened in one cycle ({}), more than the "
                               "bound {}",
                               ejected.size(), fmt::join(ejected, ", "), kMaxBanksEjectedPerCycle));
  return ok_status();
}

Result<HistoryEntry> apply_action(Config& config, const Action& action, const ActionContext& ctx) {
  if (auto s = check_action(config, action); !s.ok()) return s.error();
  Config after = config;
  apply_args(after, action.args, ctx.now_ms);
  const std::vector<FieldChange> changes = diff_configs(config, after);
  if (changes.empty()) {
    return make_error(fmt::format("{}: changes nothing", action_name(action)), Error::Kind::conflict);
  }
  HistoryEntry e;
  e.timestamp = ctx.now_ms;
  e.action = action_name(action);
  e.details = changes_to_details(changes);
  e.details["args"] = args_to_json(action.args);
  for (const auto& [key, value] : action.evidence.items()) e.details[key] = value;
  e.actor = "agent";
  e.reason = bound_reason(action.reason);
  e.cycle_id = ctx.cycle_id;
  e.reasoner = ctx.reasoner;
  e.outcome = Outcome::pending;
  after.agent_history.push_back(e);
  config = std::move(after);
  return e;
}

}  // namespace payops
