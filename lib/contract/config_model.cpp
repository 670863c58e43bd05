// shared_config.json <-> typed Config: enum names, JSON text parsing with FILE:LINE:COLUMN errors,
// conversion that fills the contract's defaults and keeps unknown keys in `extra` at every object
// level, serialization in the contract's key order, the default config and traffic shares.
// Validation (what makes a document acceptable) lives in config_validate.cpp.
#include "contract/config_model.h"

#include <array>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <set>

namespace payops {

// ---- enums -------------------------------------------------------------------------------------

namespace {

template <class E, std::size_t N>
std::optional<E> parse_enum(std::string_view s, const std::array<std::string_view, N>& names) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<std::string_view, 3> kHealthNames = {"healthy", "degraded", "down"};
constexpr std::array<std::string_view, 3> kBreakerNames = {"closed", "open", "half_open"};
constexpr std::array<std::string_view, 4> kRetryLevelNames = {"low", "normal", "high", "custom"};
constexpr std::array<std::string_view, 2> kStrategyNames = {"weighted_round_robin", "primary_first"};
constexpr std::array<std::string_view, 3> kOutcomeNames = {"pending", "effective", "ineffective"};

}  // namespace

std::string_view to_string(Health v) { return kHealthNames.at(static_cast<std::size_t>(v)); }
std::string_view to_string(BreakerState v) { return kBreakerNames.at(static_cast<std::size_t>(v)); }
std::string_view to_string(RetryLevel v) { return kRetryLevelNames.at(static_cast<std::size_t>(v)); }
std::string_view to_string(FallbackStrategy v) {
  return kStrategyNames.at(static_cast<std::size_t>(v));
}
std::string_view to_string(Outcome v) { return kOutcomeNames.at(static_cast<std::size_t>(v)); }

std::optional<Health> parse_health(std::string_view s) { return parse_enum<Health>(s, kHealthNames); }
std::optional<BreakerState> parse_breaker_state(std::string_view s) {
  return parse_enum<BreakerState>(s, kBreakerNames);
}
std::optional<RetryLevel> parse_retry_level(std::string_view s) {
  return parse_enum<RetryLevel>(s, kRetryLevelNames);
}
std::optional<FallbackStrategy> parse_fallback_strategy(std::string_view s) {
  return parse_enum<FallbackStrategy>(s, kStrategyNames);
}
std::optional<Outcome> parse_outcome(std::string_view s) {
  return parse_enum<Outcome>(s, kOutcomeNames);
}

// ---- small pieces ------------------------------------------------------------------------------

std::optional<std::int64_t> json_integer(const Json& v) {
  if (v.is_number_integer() && !v.is_number_unsigned()) return v.get<std::int64_t>();
  if (v.is_number_unsigned()) {
    const auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_float()) {
    const double d = v.get<double>();
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    if (!std::isfinite(d) || d != std::trunc(d) || d >= 9223372036854775808.0 ||
        d < -9223372036854775808.0) {
      return std::nullopt;
    }
    return static_cast<std::int64_t>(d);
  }
  return std::nullopt;
}

RetryPolicy RetryPolicy::preset(RetryLevel level) {
  RetryPolicy p;
  p.level = level;
  switch (level) {
    case RetryLevel::low:
      p.max_retries = 1;
      p.backoff_ms = 500;
      break;
    case RetryLevel::high:
      p.max_retries = 5;
      p.backoff_ms = 2000;
      break;
    case RetryLevel::normal:
    case RetryLevel::custom:
      p.max_retries = 3;
      p.backoff_ms = 1000;
      break;
  }
  return p;
}

Bank* Config::find_bank(std::string_view id) {
  for (auto& b : banks) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

const Bank* Config::find_bank(std::string_view id) const {
  for (const auto& b : banks) {
    if (b.id == id) return &b;
  }
  return nullptr;
}

// ---- parsing JSON text -------------------------------------------------------------------------

namespace {

// nlohmann's DOM builder, but a syntax error is recorded (byte offset + message) instead of thrown,
// so every error, including number overflow (an out_of_range, not a parse_error), has a position.
// The DOM parser plus a refusal of duplicate keys: nlohmann keeps the last value silently, so a hand
// edit that names "weight" twice would take effect in a way nobody chose. The first duplicate stops
// the parse; duplicate_key_path names it ("banks[1].weight").
class PositionedDomParser : public nlohmann::detail::json_sax_dom_parser<Json> {
  using Base = nlohmann::detail::json_sax_dom_parser<Json>;

 public:
  using Base::Base;
  template <class Exception>
  bool parse_error(std::size_t position, const std::string& /*last_token*/, const Exception& ex) {
    error_position = position;
    error_message = ex.what();
    return false;
  }
  bool null() { return value(), Base::null(); }
  bool boolean(bool v) { return value(), Base::boolean(v); }
  bool number_integer(Json::number_integer_t v) { return value(), Base::number_integer(v); }
  bool number_unsigned(Json::number_unsigned_t v) { return value(), Base::number_unsigned(v); }
  bool number_float(Json::number_float_t v, const std::string& s) { return value(), Base::number_float(v, s); }
  bool string(std::string& v) { return value(), Base::string(v); }
  bool start_object(std::size_t n) {
    value();
    frames_.push_back({true, {}, {}, 0, false});
    return Base::start_object(n);
  }
  bool key(std::string& k) {
    Frame& f = frames_.back();
    if (!f.keys.insert(k).second) {
      f.key = k;
      duplicate_key_path = path();
      return false;
    }
    f.key = k;
    return Base::key(k);
  }
  bool end_object() {
    frames_.pop_back();
    return Base::end_object();
  }
  bool start_array(std::size_t n) {
    value();
    frames_.push_back({false, {}, {}, 0, false});
    return Base::start_array(n);
  }
  bool end_array() {
    frames_.pop_back();
    return Base::end_array();
  }

  std::size_t error_position = 0;
  std::string error_message;
  std::string duplicate_key_path;  // non-empty when the parse stopped at a duplicate key

 private:
  struct Frame {
    bool is_object;
    std::set<std::string> keys;
    std::string key;        // objects: the key being read
    std::size_t index;      // arrays: the element being read
    bool started;           // arrays: an element was seen
  };
  // Called before each value: an array's element index advances.
  void value() {
    if (frames_.empty() || frames_.back().is_object) return;
    Frame& f = frames_.back();
    if (f.started) ++f.index;
    f.started = true;
  }
  std::string path() const {
    std::string p;
    for (const Frame& f : frames_) {
      if (f.is_object) p += (p.empty() ? "" : ".") + f.key;
      else p += "[" + std::to_string(f.index) + "]";
    }
    return p;
  }
  std::vector<Frame> frames_;
};

// nlohmann prefixes its messages with "[json.exception.parse_error.101] parse error at line 1,
// column 5: "; we print our own FILE:LINE:COLUMN, so keep only what follows.
std::string strip_nlohmann_prefix(std::string message) {
  if (!message.empty() && message.front() == '[') {
    const auto close = message.find("] ");
    if (close != std::string::npos) message.erase(0, close + 2);
  }
  if (message.rfind("parse error", 0) == 0) {
    const auto colon = message.find(": ");
    if (colon != std::string::npos) message.erase(0, colon + 2);
  }
  return message;
}

// Line and column (both 1-based) of the byte at 0-based `offset`, clamped to the text's end.
std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset) {
  if (offset > text.size()) offset = text.size();
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, offset - line_start + 1};
}

// Deeper documents are refused before parsing: serialization and comparison recurse, and a config
// has no business nesting this deep.
constexpr std::size_t kMaxNestingDepth = 128;

// Offset of the bracket that goes deeper than kMaxNestingDepth, or npos.
std::size_t find_excess_nesting(std::string_view text) {
  std::size_t depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxNestingDepth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

std::string position_prefix(std::string_view text, std::string_view source_name, std::size_t offset) {
  const auto [line, column] = line_column(text, offset);
  return std::string(source_name) + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

}  // namespace

Result<Json> parse_json_text(std::string_view text, std::string_view source_name) {
  if (const auto deep = find_excess_nesting(text); deep != std::string_view::npos) {
    return make_error(position_prefix(text, source_name, deep) + "nesting deeper than " +
                          std::to_string(kMaxNestingDepth) + " levels",
                      Error::Kind::invalid_config);
  }
  Json doc;
  PositionedDomParser parser(doc, /*allow_exceptions=*/false);
  const bool ok = Json::sax_parse(text, &parser, nlohmann::detail::input_format_t::json,
                                  /*strict=*/true, /*ignore_comments=*/false);
  if (!ok && !parser.duplicate_key_path.empty()) {
    return make_error(std::string(source_name) + ": duplicate key " + parser.duplicate_key_path +
                          " (a key may appear once in an object: which value was meant is unknown)",
                      Error::Kind::invalid_config);
  }
  if (!ok) {
    // nlohmann's position counts bytes read, so the offending byte is at position - 1.
    const std::size_t offset = parser.error_position > 0 ? parser.error_position - 1 : 0;
    return make_error(position_prefix(text, source_name, offset) +
                          strip_nlohmann_prefix(parser.error_message),
                      Error::Kind::invalid_config);
  }
  return doc;
}

// ---- JSON -> Config (REQUIRES: validate_config_json found no problem) ---------------------------

namespace {

using Keys = std::initializer_list<std::string_view>;

Json unknown_keys(const Json& obj, Keys known) {
  Json extra = Json::object();
  for (const auto& [key, value] : obj.items()) {
    bool is_known = false;
    for (const auto k : known) {
      if (k == key) {
        is_known = true;
        break;
      }
    }
    if (!is_known) extra[key] = value;
  }
  return extra;
}

const Json* member(const Json& obj, const char* key) {
  const auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

void read_int(const Json& obj, const char* key, std::int64_t& out) {
  if (const Json* v = member(obj, key)) out = json_integer(*v).value_or(out);
}
void read_number(const Json& obj, const char* key, double& out) {
  if (const Json* v = member(obj, key); v != nullptr && v->is_number()) out = v->get<double>();
}
void read_bool(const Json& obj, const char* key, bool& out) {
  if (const Json* v = member(obj, key); v != nullptr && v->is_boolean()) out = v->get<bool>();
}
void read_string(const Json& obj, const char* key, std::string& out) {
  if (const Json* v = member(obj, key); v != nullptr && v->is_string()) out = v->get<std::string>();
}
void read_optional_string(const Json& obj, const char* key, std::optional<std::string>& out) {
  if (const Json* v = member(obj, key); v != nullptr && v->is_string()) out = v->get<std::string>();
}
void read_timestamp(const Json& obj, const char* key, std::optional<TimeMs>& out) {
  if (const Json* v = member(obj, key); v != nullptr && v->is_string()) {
    out = parse_timestamp(v->get<std::string>());
  }
}
template <class E>
void read_enum(const Json& obj, const char* key, E& out, std::optional<E> (*parse)(std::string_view)) {
  if (const Json* v = member(obj, key); v != nullptr && v->is_string()) {
    if (const auto e = parse(v->get<std::string>())) out = *e;
  }
}

CircuitBreaker breaker_from_json(const Json& obj) {
  CircuitBreaker b;
  read_enum(obj, "state", b.state, parse_breaker_state);
  read_int(obj, "failure_threshold", b.failure_threshold);
  read_number(obj, "failure_rate_threshold", b.failure_rate_threshold);
  read_int(obj, "min_requests", b.min_requests);
  read_int(obj, "open_duration_s", b.open_duration_s);
  read_number(obj, "half_open_traffic_ratio", b.half_open_traffic_ratio);
  read_int(obj, "failure_count", b.failure_count);
  read_timestamp(obj, "last_failure_time", b.last_failure_time);
  read_timestamp(obj, "opened_at", b.opened_at);
  b.extra = unknown_keys(obj, {"state", "failure_threshold", "failure_rate_threshold", "min_requests",
                               "open_duration_s", "half_open_traffic_ratio", "failure_count",
                               "last_failure_time", "opened_at"});
  return b;
}

RetryPolicy retry_from_json(const Json& obj) {
  RetryLevel level = RetryLevel::normal;
  read_enum(obj, "level", level, parse_retry_level);
  // Missing numbers come from the level's preset, so {"level": "high"} means 5 retries / 2000 ms.
  RetryPolicy p = RetryPolicy::preset(level);
  read_int(obj, "max_retries", p.max_retries);
  read_int(obj, "backoff_ms", p.backoff_ms);
  read_number(obj, "backoff_multiplier", p.backoff_multiplier);
  read_int(obj, "max_backoff_ms", p.max_backoff_ms);
  read_bool(obj, "jitter", p.jitter);
  p.extra = unknown_keys(obj, {"level", "max_retries", "backoff_ms", "backoff_multiplier",
                               "max_backoff_ms", "jitter"});
  return p;
}

BankMetrics metrics_from_json(const Json& obj) {
  BankMetrics m;
  read_number(obj, "success_rate", m.success_rate);
  read_number(obj, "soft_failure_rate", m.soft_failure_rate);
  read_number(obj, "avg_latency_ms", m.avg_latency_ms);
  read_number(obj, "p95_latency_ms", m.p95_latency_ms);
  read_int(obj, "total_requests", m.total_requests);
  read_int(obj, "failed_requests", m.failed_requests);
  read_int(obj, "window_s", m.window_s);
  read_timestamp(obj, "updated_at", m.updated_at);
  m.extra = unknown_keys(obj, {"success_rate", "soft_failure_rate", "avg_latency_ms", "p95_latency_ms",
                               "total_requests", "failed_requests", "window_s", "updated_at"});
  return m;
}

Bank bank_from_json(const Json& obj) {
  Bank b;
  read_string(obj, "id", b.id);
  read_string(obj, "name", b.name);
  read_int(obj, "weight", b.weight);
  read_bool(obj, "enabled", b.enabled);
  read_enum(obj, "health_status", b.health_status, parse_health);
  if (const Json* v = member(obj, "circuit_breaker")) b.circuit_breaker = breaker_from_json(*v);
  if (const Json* v = member(obj, "retry_policy")) b.retry_policy = retry_from_json(*v);
  if (const Json* v = member(obj, "metrics")) b.metrics = metrics_from_json(*v);
  b.extra = unknown_keys(obj, {"id", "name", "weight", "enabled", "health_status", "circuit_breaker",
                               "retry_policy", "metrics"});
  return b;
}

SuccessRateRouting success_rate_routing_from_json(const Json& obj) {
  SuccessRateRouting r;
  read_bool(obj, "enabled", r.enabled);
  read_number(obj, "exploration_share", r.exploration_share);
  read_int(obj, "best_banks", r.best_banks);
  read_int(obj, "half_life_s", r.half_life_s);
  r.extra = unknown_keys(obj, {"enabled", "exploration_share", "best_banks", "half_life_s"});
  return r;
}

RoutingRules routing_from_json(const Json& obj) {
  RoutingRules r;
  read_string(obj, "primary_bank", r.primary_bank);
  read_enum(obj, "fallback_strategy", r.fallback_strategy, parse_fallback_strategy);
  read_bool(obj, "chaos_mode", r.chaos_mode);
  read_number(obj, "chaos_failure_rate", r.chaos_failure_rate);
  if (const Json* v = member(obj, "chaos_targets"); v != nullptr && v->is_array()) {
    std::vector<std::string> targets;
    for (const auto& t : *v) {
      if (t.is_string()) targets.push_back(t.get<std::string>());
    }
    r.chaos_targets = std::move(targets);
  }
  if (const Json* v = member(obj, "success_rate_routing"); v != nullptr && v->is_object()) {
    r.success_rate_routing = success_rate_routing_from_json(*v);
  }
  r.extra = unknown_keys(obj, {"primary_bank", "fallback_strategy", "chaos_mode", "chaos_failure_rate",
                               "chaos_targets", "success_rate_routing"});
  return r;
}

HistoryEntry history_from_json(const Json& obj) {
  HistoryEntry e;
  std::optional<TimeMs> ts;
  read_timestamp(obj, "timestamp", ts);
  e.timestamp = ts.value_or(0);
  read_string(obj, "action", e.action);
  if (const Json* v = member(obj, "details"); v != nullptr && v->is_object()) e.details = *v;
  read_string(obj, "actor", e.actor);
  read_string(obj, "reason", e.reason);
  read_optional_string(obj, "cycle_id", e.cycle_id);
  read_optional_string(obj, "reasoner", e.reasoner);
  if (const Json* v = member(obj, "outcome"); v != nullptr && v->is_string()) {
    e.outcome = parse_outcome(v->get<std::string>());
  }
  e.extra = unknown_keys(obj, {"timestamp", "action", "details", "actor", "reason", "cycle_id",
                               "reasoner", "outcome"});
  return e;
}

}  // namespace

Result<Config> config_from_json(const Json& doc, std::string_view source_name) {
  const auto problems = validate_config_json(doc);
  if (!problems.empty()) {
    std::string message;
    for (const auto& p : problems) {
      if (!message.empty()) message += '\n';
      message += std::string(source_name) + ": " + p.to_string();
    }
    return make_error(std::move(message), Error::Kind::invalid_config);
  }
  Config config;
  for (const auto& b : doc.at("banks")) config.banks.push_back(bank_from_json(b));
  config.routing_rules = routing_from_json(doc.at("routing_rules"));
  if (const Json* h = member(doc, "agent_history")) {
    for (const auto& e : *h) config.agent_history.push_back(history_from_json(e));
  }
  config.extra = unknown_keys(doc, {"banks", "routing_rules", "agent_history"});
  return config;
}

Result<Config> parse_config_text(std::string_view text, std::string_view source_name) {
  auto doc = parse_json_text(text, source_name);
  if (!doc) return doc.error();
  return config_from_json(*doc, source_name);
}

// ---- Config -> JSON ----------------------------------------------------------------------------

namespace {

Json timestamp_or_null(const std::optional<TimeMs>& t) {
  return t ? Json(format_timestamp(*t)) : Json(nullptr);
}

// Unknown keys go after the known ones, in the order they were read. A key in `extra` that is also a
// known key (possible only when code put it there) loses to the typed field.
void append_extra(Json& out, const Json& extra) {
  if (!extra.is_object()) return;
  for (const auto& [key, value] : extra.items()) {
    if (!out.contains(key)) out[key] = value;
  }
}

Json breaker_to_json(const CircuitBreaker& b) {
  Json j = Json::object();
  j["state"] = to_string(b.state);
  j["failure_threshold"] = b.failure_threshold;
  j["failure_rate_threshold"] = b.failure_rate_threshold;
  j["min_requests"] = b.min_requests;
  j["open_duration_s"] = b.open_duration_s;
  j["half_open_traffic_ratio"] = b.half_open_traffic_ratio;
  j["failure_count"] = b.failure_count;
  j["last_failure_time"] = timestamp_or_null(b.last_failure_time);
  j["opened_at"] = timestamp_or_null(b.opened_at);
  append_extra(j, b.extra);
  return j;
}

Json retry_to_json(const RetryPolicy& p) {
  Json j = Json::object();
  j["level"] = to_string(p.level);
  j["max_retries"] = p.max_retries;
  j["backoff_ms"] = p.backoff_ms;
  j["backoff_multiplier"] = p.backoff_multiplier;
  j["max_backoff_ms"] = p.max_backoff_ms;
  j["jitter"] = p.jitter;
  append_extra(j, p.extra);
  return j;
}

Json metrics_to_json(const BankMetrics& m) {
  Json j = Json::object();
  j["success_rate"] = m.success_rate;
  j["soft_failure_rate"] = m.soft_failure_rate;
  j["avg_latency_ms"] = m.avg_latency_ms;
  j["p95_latency_ms"] = m.p95_latency_ms;
  j["total_requests"] = m.total_requests;
  j["failed_requests"] = m.failed_requests;
  j["window_s"] = m.window_s;
  j["updated_at"] = timestamp_or_null(m.updated_at);
  append_extra(j, m.extra);
  return j;
}

Json bank_to_json(const Bank& b) {
  Json j = Json::object();
  j["id"] = b.id;
  j["name"] = b.name;
  j["weight"] = b.weight;
  j["enabled"] = b.enabled;
  j["health_status"] = to_string(b.health_status);
  j["circuit_breaker"] = breaker_to_json(b.circuit_breaker);
  j["retry_policy"] = retry_to_json(b.retry_policy);
  j["metrics"] = metrics_to_json(b.metrics);
  append_extra(j, b.extra);
  return j;
}

Json routing_to_json(const RoutingRules& r) {
  Json j = Json::object();
  j["primary_bank"] = r.primary_bank;
  j["fallback_strategy"] = to_string(r.fallback_strategy);
  j["chaos_mode"] = r.chaos_mode;
  j["chaos_failure_rate"] = r.chaos_failure_rate;
  if (r.chaos_targets) j["chaos_targets"] = *r.chaos_targets;
  if (r.success_rate_routing) j["success_rate_routing"] = success_rate_routing_to_json(*r.success_rate_routing);
  append_extra(j, r.extra);
  return j;
}

}  // namespace

HistoryEntry history_entry_from_json(const Json& obj) { return history_from_json(obj); }

Json history_entry_to_json(const HistoryEntry& e) {
  Json j = Json::object();
  j["timestamp"] = format_timestamp(e.timestamp);
  j["action"] = e.action;
  j["details"] = e.details.is_object() ? e.details : Json::object();
  j["actor"] = e.actor;
  j["reason"] = e.reason;
  if (e.cycle_id) j["cycle_id"] = *e.cycle_id;
  if (e.reasoner) j["reasoner"] = *e.reasoner;
  if (e.outcome) j["outcome"] = to_string(*e.outcome);
  append_extra(j, e.extra);
  return j;
}

Json config_to_json(const Config& config) {
  Json j = Json::object();
  Json banks = Json::array();
  for (const auto& b : config.banks) banks.push_back(bank_to_json(b));
  j["banks"] = std::move(banks);
  j["routing_rules"] = routing_to_json(config.routing_rules);
  Json history = Json::array();
  for (const auto& e : config.agent_history) history.push_back(history_entry_to_json(e));
  j["agent_history"] = std::move(history);
  append_extra(j, config.extra);
  return j;
}

std::string config_to_text(const Config& config) {
  // replace: a string that is not valid UTF-8 (only possible from code, never from a parsed file)
  // is written with U+FFFD rather than throwing halfway through a write.
  return config_to_json(config).dump(2, ' ', /*ensure_ascii=*/false,
                                     Json::error_handler_t::replace) +
         "\n";
}

Json success_rate_routing_to_json(const SuccessRateRouting& r) {
  Json j = Json::object();
  j["enabled"] = r.enabled;
  j["exploration_share"] = r.exploration_share;
  j["best_banks"] = r.best_banks;
  j["half_life_s"] = r.half_life_s;
  append_extra(j, r.extra);
  return j;
}

// ---- defaults and routing helpers --------------------------------------------------------------

Config default_config() {
  Config c;
  const struct {
    const char* id;
    const char* name;
    std::int64_t weight;
  } kBanks[] = {
      {"bank_a", "Stripe Gateway", 50},
      {"bank_b", "Adyen", 25},
      {"bank_c", "Razorpay", 15},
      {"bank_d", "PayPal Braintree", 10},
  };
  for (const auto& k : kBanks) {
    Bank b;
    b.id = k.id;
    b.name = k.name;
    b.weight = k.weight;
    b.retry_policy = RetryPolicy::preset(RetryLevel::normal);
    c.banks.push_back(std::move(b));
  }
  c.routing_rules.primary_bank = "bank_a";
  c.routing_rules.fallback_strategy = FallbackStrategy::weighted_round_robin;
  c.routing_rules.chaos_mode = false;
  c.routing_rules.chaos_failure_rate = 0.2;
  return c;
}

bool is_eligible(const Bank& bank) {
  return bank.enabled && bank.health_status != Health::down &&
         bank.circuit_breaker.state != BreakerState::open;
}

std::vector<double> traffic_shares(const Config& config) {
  std::vector<double> effective(config.banks.size(), 0.0);
  double total = 0;
  for (std::size_t i = 0; i < config.banks.size(); ++i) {
    const Bank& b = config.banks[i];
    if (!is_eligible(b) || b.weight <= 0) continue;
    double w = static_cast<double>(b.weight);
    if (b.circuit_breaker.state == BreakerState::half_open) w *= b.circuit_breaker.half_open_traffic_ratio;
    effective[i] = w;
    total += w;
  }
  if (total <= 0) return std::vector<double>(config.banks.size(), 0.0);
  for (auto& w : effective) w /= total;
  return effective;
}

}  // namespace payops
