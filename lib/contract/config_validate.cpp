// Validation of a parsed shared_config.json: every problem, each with its JSON path, so a human
// fixing a hand edit sees all of them at once ("banks[2].retry_policy.max_retries: must be 0..10,
// got 42"). Conversion (config_model.cpp) relies on this having passed.
#include <algorithm>
#include <optional>

#include "contract/config_limits.h"
#include "contract/config_model.h"

namespace payops {
namespace {

// A value as the message shows it: compact JSON, cut so one problem stays one short line.
std::string show(const Json& v) {
  std::string s = v.dump(-1, ' ', /*ensure_ascii=*/true, Json::error_handler_t::replace);
  constexpr std::size_t kMax = 60;
  if (s.size() > kMax) s = s.substr(0, kMax) + "...";
  return s;
}

std::string json_quoted(std::string_view s) { return show(Json(std::string(s))); }

bool valid_bank_id(const std::string& id) {
  if (id.empty()) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

struct IntRange {
  std::int64_t lo;
  std::optional<std::int64_t> hi;
  std::string text() const {
    return hi ? std::to_string(lo) + ".." + std::to_string(*hi) : ">= " + std::to_string(lo);
  }
};

struct NumberRange {
  double lo;
  std::optional<double> hi;
  const char* text;
};
constexpr NumberRange kRate{0.0, 1.0, "0..1"};
constexpr NumberRange kNonNegative{0.0, std::nullopt, ">= 0"};

class Validator {
 public:
  std::vector<Problem> problems;

  void add(std::string path, std::string message) {
    problems.push_back(Problem{std::move(path), std::move(message)});
  }

  // Each check_* looks at obj[key] (path = base + "." + key). A missing optional key is fine; a
  // missing required key is a problem. Returns the member when it is present and well formed.
  const Json* get(const Json& obj, const char* key, const std::string& base, bool required,
                  const std::string& what) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) add(join(base, key), "is required (" + what + ")");
      return nullptr;
    }
    return &*it;
  }

  std::optional<std::int64_t> check_int(const Json& obj, const char* key, const std::string& base,
                                        IntRange range, bool required = false) {
    const Json* v = get(obj, key, base, required, "an integer " + range.text());
    if (v == nullptr) return std::nullopt;
    const auto n = json_integer(*v);
    if (!n) {
      add(join(base, key), "must be an integer " + range.text() + ", got " + show(*v));
      return std::nullopt;
    }
    if (*n < range.lo || (range.hi && *n > *range.hi)) {
      add(join(base, key), "must be " + range.text() + ", got " + show(*v));
      return std::nullopt;
    }
    return n;
  }

  void check_number(const Json& obj, const char* key, const std::string& base, NumberRange range) {
    const Json* v = get(obj, key, base, false, "");
    if (v == nullptr) return;
    if (!v->is_number()) {
      add(join(base, key), std::string("must be a number ") + range.text + ", got " + show(*v));
      return;
    }
    const double d = v->get<double>();
    if (!(d >= range.lo) || (range.hi && d > *range.hi)) {
      add(join(base, key), std::string("must be ") + range.text + ", got " + show(*v));
    }
  }

  std::optional<bool> check_bool(const Json& obj, const char* key, const std::string& base) {
    const Json* v = get(obj, key, base, false, "");
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) {
      add(join(base, key), "must be true or false, got " + show(*v));
      return std::nullopt;
    }
    return v->get<bool>();
  }

  // A string; `nullable` also accepts null (read as absent).
  const Json* check_string(const Json& obj, const char* key, const std::string& base, bool required,
                           bool nullable = false) {
    const Json* v = get(obj, key, base, required, "a string");
    if (v == nullptr || (nullable && v->is_null())) return nullptr;
    if (!v->is_string()) {
      add(join(base, key), std::string("must be a string") + (nullable ? " or null" : "") + ", got " +
                               show(*v));
      return nullptr;
    }
    return v;
  }

  template <class E>
  std::optional<E> check_enum(const Json& obj, const char* key, const std::string& base,
                              std::optional<E> (*parse)(std::string_view),
                              std::initializer_list<E> values, bool nullable = false) {
    const Json* v = get(obj, key, base, false, "");
    if (v == nullptr || (nullable && v->is_null())) return std::nullopt;
    if (v->is_string()) {
      if (auto e = parse(v->get<std::string>())) return e;
    }
    std::string allowed;
    for (const E e : values) {
      if (!allowed.empty()) allowed += ", ";
      allowed += to_string(e);
    }
    add(join(base, key), "must be one of " + allowed + (nullable ? " (or null)" : "") + "; got " +
                             show(*v));
    return std::nullopt;
  }

  void check_timestamp(const Json& obj, const char* key, const std::string& base, bool required,
                       bool nullable) {
    const Json* v = get(obj, key, base, required, "a timestamp like 2026-11-22T12:00:00.123Z");
    if (v == nullptr || (nullable && v->is_null())) return;
    if (v->is_string() && parse_timestamp(v->get<std::string>())) return;
    add(join(base, key), std::string("must be a timestamp like 2026-11-22T12:00:00.123Z") +
                             (nullable ? " or null" : "") + ", got " + show(*v));
  }

  // An optional sub-object: returns it when present and an object.
  const Json* check_object(const Json& obj, const char* key, const std::string& base, bool required) {
    const Json* v = get(obj, key, base, required, "an object");
    if (v == nullptr) return nullptr;
    if (!v->is_object()) {
      add(join(base, key), "must be an object, got " + show(*v));
      return nullptr;
    }
    return v;
  }

  static std::string join(const std::string& base, const char* key) {
    return base.empty() ? std::string(key) : base + "." + key;
  }

  void check_breaker(const Json& cb, const std::string& p) {
    check_enum<BreakerState>(cb, "state", p, parse_breaker_state,
                             {BreakerState::closed, BreakerState::open, BreakerState::half_open});
    check_int(cb, "failure_threshold", p, {1, std::nullopt});
    check_number(cb, "failure_rate_threshold", p, kRate);
    check_int(cb, "min_requests", p, {0, std::nullopt});
    check_int(cb, "open_duration_s", p, {0, std::nullopt});
    check_number(cb, "half_open_traffic_ratio", p, kRate);
    check_int(cb, "failure_count", p, {0, std::nullopt});
    check_timestamp(cb, "last_failure_time", p, false, true);
    check_timestamp(cb, "opened_at", p, false, true);
  }

  void check_retry(const Json& rp, const std::string& p) {
    check_enum<RetryLevel>(rp, "level", p, parse_retry_level,
                           {RetryLevel::low, RetryLevel::normal, RetryLevel::high, RetryLevel::custom});
    check_int(rp, "max_retries", p, {0, 10});
    check_int(rp, "backoff_ms", p, {0, std::nullopt});
    check_number(rp, "backoff_multiplier", p, NumberRange{1.0, std::nullopt, ">= 1"});
    check_int(rp, "max_backoff_ms", p, {0, std::nullopt});
    check_bool(rp, "jitter", p);
  }

  void check_metrics(const Json& m, const std::string& p) {
    check_number(m, "success_rate", p, kRate);
    check_number(m, "soft_failure_rate", p, kRate);
    check_number(m, "avg_latency_ms", p, kNonNegative);
    check_number(m, "p95_latency_ms", p, kNonNegative);
    check_int(m, "total_requests", p, {0, std::nullopt});
    check_int(m, "failed_requests", p, {0, std::nullopt});
    check_int(m, "window_s", p, {0, std::nullopt});
    check_timestamp(m, "updated_at", p, false, true);
  }

  void check_history_entry(const Json& e, const std::string& p) {
    if (!e.is_object()) {
      add(p, "must be an object, got " + show(e));
      return;
    }
    check_timestamp(e, "timestamp", p, true, false);
    if (const Json* a = check_string(e, "action", p, true);
        a != nullptr && a->get_ref<const std::string&>().empty()) {
      add(join(p, "action"), "must not be empty");
    }
    check_object(e, "details", p, false);
    check_string(e, "actor", p, false);
    check_string(e, "reason", p, false);
    check_string(e, "cycle_id", p, false, true);
    check_string(e, "reasoner", p, false, true);
    check_enum<Outcome>(e, "outcome", p, parse_outcome,
                        {Outcome::pending, Outcome::effective, Outcome::ineffective}, true);
  }
};

// Integer limits (hardening): a weight is 0..kMaxBankWeight, as the `weights` command accepts, so
// the router's scaled sums and the guardrails' step arithmetic cannot overflow.
std::optional<std::int64_t> check_bank_weight(Validator& v, const Json& bank, const std::string& p) {
  const auto weight = v.check_int(bank, "weight", p, {0, std::nullopt}, true);
  if (weight && *weight > kMaxBankWeight) {
    v.add(p + ".weight", "must be at most " + std::to_string(kMaxBankWeight) + " (the largest weight), got " +
                             std::to_string(*weight));
    return std::nullopt;
  }
  return weight;
}

}  // namespace

namespace {

// routing_rules.success_rate_routing (optional): an object whose keys have the ranges the agent can
// act on sensibly; unknown keys are a newer tool's and pass.
void check_success_rate_routing(Validator& v, const Json& rr, const std::string& base, std::size_t bank_count) {
  const Json* srr = v.check_object(rr, "success_rate_routing", base, false);
  if (srr == nullptr) return;
  const std::string p = base + ".success_rate_routing";
  v.check_bool(*srr, "enabled", p);
  v.check_number(*srr, "exploration_share", p, NumberRange{0.0, 0.5, "0..0.5"});
  v.check_int(*srr, "best_banks", p, IntRange{1, static_cast<std::int64_t>(std::max<std::size_t>(1, bank_count))});
  v.check_int(*srr, "half_life_s", p, IntRange{1, 3600});
}

}  // namespace

std::vector<Problem> validate_config_json(const Json& doc) {
  Validator v;
  if (!doc.is_object()) {
    v.add("", "the top level must be a JSON object with \"banks\" and \"routing_rules\", got " +
                  show(doc));
    return std::move(v.problems);
  }

  // banks
  std::vector<std::string> ids;  // valid ids in order, for primary_bank and chaos_targets
  bool weights_known = true;     // false once a weight or enabled flag is unusable
  bool any_enabled = false;
  bool any_enabled_weight = false;
  const auto banks_it = doc.find("banks");
  if (banks_it == doc.end()) {
    v.add("banks", "is required (a non-empty array of banks)");
  } else if (!banks_it->is_array() || banks_it->empty()) {
    v.add("banks", "must be a non-empty array of banks, got " + show(*banks_it));
  } else {
    std::vector<std::pair<std::string, std::size_t>> seen;  // id -> first index
    for (std::size_t i = 0; i < banks_it->size(); ++i) {
      const Json& bank = (*banks_it)[i];
      const std::string p = "banks[" + std::to_string(i) + "]";
      if (!bank.is_object()) {
        v.add(p, "must be an object, got " + show(bank));
        weights_known = false;
        continue;
      }
      if (const Json* id = v.check_string(bank, "id", p, true)) {
        const auto& s = id->get_ref<const std::string&>();
        if (!valid_bank_id(s)) {
          v.add(p + ".id", "must match [a-z0-9_]+, got " + show(*id));
        } else {
          const auto dup = std::find_if(seen.begin(), seen.end(),
                                        [&](const auto& e) { return e.first == s; });
          if (dup != seen.end()) {
            v.add(p + ".id", "duplicate of banks[" + std::to_string(dup->second) + "].id " + json_quoted(s));
          } else {
            seen.emplace_back(s, i);
            ids.push_back(s);
          }
        }
      }
      v.check_string(bank, "name", p, true);
      const auto weight = check_bank_weight(v, bank, p);
      const auto enabled = v.check_bool(bank, "enabled", p);
      if (!weight || (bank.contains("enabled") && !enabled)) {
        weights_known = false;
      } else if (enabled.value_or(true)) {
        any_enabled = true;
        if (*weight > 0) any_enabled_weight = true;
      }
      v.check_enum<Health>(bank, "health_status", p, parse_health,
                           {Health::healthy, Health::degraded, Health::down});
      if (const Json* cb = v.check_object(bank, "circuit_breaker", p, false)) {
        v.check_breaker(*cb, p + ".circuit_breaker");
      }
      if (const Json* rp = v.check_object(bank, "retry_policy", p, false)) {
        v.check_retry(*rp, p + ".retry_policy");
      }
      if (const Json* m = v.check_object(bank, "metrics", p, false)) {
        v.check_metrics(*m, p + ".metrics");
      }
    }
    if (weights_known && any_enabled && !any_enabled_weight) {
      v.add("banks", "every enabled bank has weight 0, so no payment could be routed; give at least "
                     "one enabled bank a weight > 0");
    }
  }

  std::string known = "(known: ";
  for (std::size_t i = 0; i < ids.size(); ++i) known += (i ? ", " : "") + ids[i];
  known += ")";
  const auto is_known = [&](const std::string& id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
  };

  // routing_rules
  if (const Json* rr = v.check_object(doc, "routing_rules", "", true)) {
    const std::string p = "routing_rules";
    if (const Json* pb = v.check_string(*rr, "primary_bank", p, true)) {
      const auto& s = pb->get_ref<const std::string&>();
      if (!is_known(s)) v.add(p + ".primary_bank", json_quoted(s) + " is not a bank id " + known);
    }
    v.check_enum<FallbackStrategy>(*rr, "fallback_strategy", p, parse_fallback_strategy,
                                   {FallbackStrategy::weighted_round_robin,
                                    FallbackStrategy::primary_first});
    v.check_bool(*rr, "chaos_mode", p);
    v.check_number(*rr, "chaos_failure_rate", p, kRate);
    check_success_rate_routing(v, *rr, p, ids.size());
    if (const auto ct = rr->find("chaos_targets"); ct != rr->end()) {
      if (!ct->is_array()) {
        v.add(p + ".chaos_targets", "must be an array of bank ids, got " + show(*ct));
      } else {
        for (std::size_t i = 0; i < ct->size(); ++i) {
          const Json& t = (*ct)[i];
          const std::string tp = p + ".chaos_targets[" + std::to_string(i) + "]";
          if (!t.is_string()) {
            v.add(tp, "must be a bank id (a string), got " + show(t));
          } else if (!is_known(t.get<std::string>())) {
            v.add(tp, show(t) + " is not a bank id " + known);
          }
        }
      }
    }
  }

  // agent_history (optional; [] when absent)
  if (const auto h = doc.find("agent_history"); h != doc.end()) {
    if (!h->is_array()) {
      v.add("agent_history", "must be an array of history entries, got " + show(*h));
    } else {
      for (std::size_t i = 0; i < h->size(); ++i) {
        v.check_history_entry((*h)[i], "agent_history[" + std::to_string(i) + "]");
      }
    }
  }
  return std::move(v.problems);
}

}  // namespace payops
