// Bank baselines, --world overrides, incident specs and the outcome of one simulated attempt.
#include "routing/world.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include <fmt/format.h>

namespace payops {
namespace {

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// A code and the static message a gateway would send with it. Messages are fixed per code so that
// injected (chaos, incident) failures are byte-for-byte the same as baseline ones.
struct CodeText {
  ErrorCode code;
  std::string_view message;
};
constexpr CodeText kTimeout{ErrorCode::GATEWAY_TIMEOUT, "Gateway timed out waiting for the bank"};
constexpr CodeText kUnavailable{ErrorCode::BANK_UNAVAILABLE, "Bank returned 503 Service Unavailable"};
constexpr CodeText kRateLimited{ErrorCode::RATE_LIMITED, "Bank returned 429 Too Many Requests"};
constexpr CodeText kNetwork{ErrorCode::NETWORK_ERROR, "Connection reset by peer"};

constexpr CodeText kInsufficient{ErrorCode::INSUFFICIENT_FUNDS, "Insufficient funds"};
constexpr CodeText kDoNotHonor{ErrorCode::DO_NOT_HONOR, "Issuer declined: do not honor"};
constexpr CodeText kExpired{ErrorCode::CARD_EXPIRED, "Card expired"};
constexpr CodeText kInvalidCard{ErrorCode::INVALID_CARD, "Invalid card number"};
constexpr CodeText kFraud{ErrorCode::FRAUD_SUSPECTED, "Declined by issuer risk checks"};

struct WeightedCode {
  double cumulative;  // cumulative probability, last is 1
  const CodeText* text;
};
// Which soft failure a struggling bank shows; outages are mostly hard refusals.
constexpr WeightedCode kSoftMix[] = {
    {0.35, &kUnavailable}, {0.65, &kNetwork}, {0.90, &kTimeout}, {1.0, &kRateLimited}};
constexpr WeightedCode kOutageMix[] = {{0.60, &kUnavailable}, {0.80, &kNetwork}, {1.0, &kTimeout}};
// Issuer declines: only cards expire or have invalid numbers.
constexpr WeightedCode kCardDeclineMix[] = {{0.40, &kInsufficient}, {0.65, &kDoNotHonor},
                                            {0.77, &kExpired},       {0.87, &kInvalidCard},
                                            {1.0, &kFraud}};
constexpr WeightedCode kOtherDeclineMix[] = {{0.55, &kInsufficient}, {0.85, &kDoNotHonor}, {1.0, &kFraud}};

template <std::size_t N>
const CodeText& draw(const WeightedCode (&mix)[N], Random& rng) {
  const double u = rng.uniform();
  for (const auto& w : mix)
    if (u < w.cumulative) return *w.text;
  return *mix[N - 1].text;
}

std::int64_t to_ms(double latency, std::int64_t cap_ms) {
  if (!(latency > 0)) return 0;
  if (latency >= static_cast<double>(cap_ms)) return cap_ms;
  return static_cast<std::int64_t>(latency);
}

Status apply_override(BankBehavior& b, const Json& o, const std::string& where) {
  if (!o.is_object()) return make_error(fmt::format("{}: must be an object", where), Error::Kind::invalid_input);
  const auto number = [&](const Json& v, const std::string& key, double lo, double hi) -> Result<double> {
    if (!v.is_number() || v.get<double>() < lo || v.get<double>() > hi)
      return make_error(fmt::format("{}.{}: must be a number from {} to {}", where, key, lo, hi),
                        Error::Kind::invalid_input);
    return v.get<double>();
  };
  for (const auto& [key, v] : o.items()) {
    Result<double> r = 0.0;
    if (key == "latency_median_ms") {
      if ((r = number(v, key, 1, 600000)).ok()) b.latency_median_ms = *r;
    } else if (key == "latency_sigma") {
      if ((r = number(v, key, 0, 5)).ok()) b.latency_sigma = *r;
    } else if (key == "soft_failure_rate") {
      if ((r = number(v, key, 0, 1)).ok()) b.soft_failure_rate = *r;
    } else if (key == "capacity_per_s") {
      if ((r = number(v, key, 0, 1e9)).ok()) b.capacity_per_s = *r;
    } else if (key == "timeout_ms") {
      if ((r = number(v, key, 1, 600000)).ok()) b.timeout_ms = static_cast<std::int64_t>(*r);
    } else if (key == "hard_decline_rate") {
      if (!v.is_object())
        return make_error(fmt::format("{}.hard_decline_rate: must be an object by payment method", where),
                          Error::Kind::invalid_input);
      for (const auto& [method, rate] : v.items()) {
        const auto m = parse_payment_method(method);
        if (!m)
          return make_error(fmt::format("{}.hard_decline_rate: unknown payment method \"{}\" (card, upi, "
                                        "netbanking, wallet, bank_transfer)", where, method),
                            Error::Kind::invalid_input);
        if ((r = number(rate, "hard_decline_rate." + method, 0, 1)).ok())
          b.hard_decline_rate[static_cast<std::size_t>(*m)] = *r;
      }
    } else {
      return make_error(fmt::format("{}: unknown key \"{}\"", where, key), Error::Kind::invalid_input);
    }
    if (!r.ok()) return r.error();
  }
  return ok_status();
}

}  // namespace

BankBehavior default_behavior(std::string_view bank_id) {
  BankBehavior b;
  if (bank_id == "bank_a") {  // fast, reliable, big
    b.latency_median_ms = 180, b.latency_sigma = 0.45, b.soft_failure_rate = 0.01, b.capacity_per_s = 400;
  } else if (bank_id == "bank_b") {  // slower, flakier
    b.latency_median_ms = 320, b.latency_sigma = 0.6, b.soft_failure_rate = 0.03, b.capacity_per_s = 150;
    b.hard_decline_rate = {0.07, 0.05, 0.035, 0.025, 0.02};
  } else if (bank_id == "bank_c") {  // middling
    b.latency_median_ms = 250, b.latency_sigma = 0.5, b.soft_failure_rate = 0.02, b.capacity_per_s = 250;
    b.hard_decline_rate = {0.05, 0.035, 0.03, 0.02, 0.01};
  } else if (bank_id == "bank_d") {  // slow with a long tail, small
    b.latency_median_ms = 450, b.latency_sigma = 0.8, b.soft_failure_rate = 0.05, b.capacity_per_s = 100;
    b.hard_decline_rate = {0.08, 0.05, 0.04, 0.03, 0.02};
  } else {
    // Deterministic per id, so a config with new banks still gives reproducible seeded runs.
    const std::uint64_t h = fnv1a(bank_id);
    b.latency_median_ms = 150.0 + static_cast<double>(h % 400);
    b.latency_sigma = 0.4 + static_cast<double>((h >> 12) % 40) / 100.0;
    b.soft_failure_rate = 0.01 + static_cast<double>((h >> 24) % 40) / 1000.0;
    b.capacity_per_s = 100.0 + static_cast<double>((h >> 36) % 400);
  }
  return b;
}

BankBehavior WorldSpec::behavior_for(std::string_view bank_id) const {
  BankBehavior b = default_behavior(bank_id);
  for (const auto& [id, o] : bank_overrides) {
    if (id == bank_id) {
      (void)apply_override(b, o, id);  // validated when parsed
      return b;
    }
  }
  (void)apply_override(b, default_override, "default");
  return b;
}

Result<WorldSpec> parse_world_json(std::string_view text, std::string_view source_name) {
  Json doc;
  try {
    doc = Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    return make_error(fmt::format("{}: not valid JSON: {}", source_name, e.what()), Error::Kind::invalid_input);
  }
  if (!doc.is_object())
    return make_error(fmt::format("{}: must be a JSON object with \"banks\" and/or \"default\"", source_name),
                      Error::Kind::invalid_input);
  WorldSpec spec;
  for (const auto& [key, v] : doc.items()) {
    if (key == "banks") {
      if (!v.is_object())
        return make_error(fmt::format("{}: \"banks\" must be an object keyed by bank id", source_name),
                          Error::Kind::invalid_input);
      for (const auto& [id, o] : v.items()) {
        BankBehavior probe;
        if (auto s = apply_override(probe, o, fmt::format("{}: banks.{}", source_name, id)); !s.ok())
          return s.error();
        spec.bank_overrides.emplace_back(id, o);
      }
    } else if (key == "default") {
      BankBehavior probe;
      if (auto s = apply_override(probe, v, fmt::format("{}: default", source_name)); !s.ok())
        return s.error();
      spec.default_override = v;
    } else {
      return make_error(fmt::format("{}: unknown key \"{}\" (expected \"banks\" or \"default\")", source_name, key),
                        Error::Kind::invalid_input);
    }
  }
  return spec;
}

Result<WorldSpec> load_world_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(fmt::format("cannot read world file {}", path), Error::Kind::not_found);
  std::ostringstream text;
  text << in.rdbuf();
  return parse_world_json(text.str(), path);
}

Result<Incident> parse_incident(std::string_view spec) {
  const auto bad = [&](std::string_view why) {
    return make_error(fmt::format("incident \"{}\": {} (expected BANK:KIND[=VALUE]:START[+DURATION], e.g. "
                                  "bank_b:outage:60s+120s)", spec, why),
                      Error::Kind::invalid_input);
  };
  const auto c1 = spec.find(':');
  const auto c2 = c1 == std::string_view::npos ? c1 : spec.find(':', c1 + 1);
  if (c2 == std::string_view::npos || spec.find(':', c2 + 1) != std::string_view::npos)
    return bad("needs exactly three parts separated by ':'");
  Incident inc;
  inc.bank_id = std::string(spec.substr(0, c1));
  if (inc.bank_id.empty()) return bad("the bank is empty");
  if (inc.bank_id != "*")
    for (char c : inc.bank_id)
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
        return bad("the bank must be a bank id ([a-z0-9_]+) or *");

  const std::string_view kind_part = spec.substr(c1 + 1, c2 - c1 - 1);
  const auto eq = kind_part.find('=');
  const std::string_view kind = kind_part.substr(0, eq);
  const std::string_view value = eq == std::string_view::npos ? std::string_view{} : kind_part.substr(eq + 1);
  if (kind == "outage") {
    if (eq != std::string_view::npos) return bad("outage takes no value");
    inc.kind = IncidentKind::outage;
  } else if (kind == "latency" || kind == "flap") {
    inc.kind = kind == "latency" ? IncidentKind::latency : IncidentKind::flap;
    const auto ms = parse_duration_ms(value);
    if (!ms || *ms <= 0) return bad(fmt::format("{} needs a positive duration value, e.g. {}=4000ms", kind, kind));
    inc.value = static_cast<double>(*ms);
  } else if (kind == "errors") {
    inc.kind = IncidentKind::errors;
    char* end = nullptr;
    const std::string v(value);
    const double rate = v.empty() ? -1 : std::strtod(v.c_str(), &end);
    if (v.empty() || end != v.c_str() + v.size() || !(rate >= 0 && rate <= 1))
      return bad("errors needs a failure rate from 0 to 1, e.g. errors=0.4");
    inc.value = rate;
  } else {
    return bad(fmt::format("unknown kind \"{}\" (outage, latency=MS, flap=PERIOD, errors=RATE)", kind));
  }

  const std::string_view when = spec.substr(c2 + 1);
  const auto plus = when.find('+');
  const auto start = parse_duration_ms(when.substr(0, plus));
  if (!start || *start < 0) return bad("the start offset must be a duration like 60s");
  inc.start_offset_ms = *start;
  if (plus != std::string_view::npos) {
    const auto duration = parse_duration_ms(when.substr(plus + 1));
    if (!duration || *duration <= 0) return bad("the duration after '+' must be a positive duration like 120s");
    inc.duration_ms = *duration;
  }
  return inc;
}

IncidentEffect incident_effect(std::span<const Incident> incidents, std::string_view bank_id,
                               std::int64_t offset_ms) {
  IncidentEffect effect;
  for (const Incident& inc : incidents) {
    if (!inc.applies_to(bank_id) || !inc.active_at(offset_ms)) continue;
    switch (inc.kind) {
      case IncidentKind::outage:
        effect.outage = true;
        break;
      case IncidentKind::flap: {
        const auto half_period = std::max<std::int64_t>(static_cast<std::int64_t>(inc.value), 1);
        if (((offset_ms - inc.start_offset_ms) / half_period) % 2 == 0) effect.outage = true;
        break;
      }
      case IncidentKind::latency:
        effect.latency_median_ms = std::max(effect.latency_median_ms, inc.value);
        break;
      case IncidentKind::errors:
        // Independent causes: the chance that none of them fails the attempt multiplies.
        effect.extra_error_rate = 1.0 - (1.0 - effect.extra_error_rate) * (1.0 - inc.value);
        break;
    }
  }
  return effect;
}

World::World(WorldSpec spec, std::vector<Incident> incidents, TimeMs run_start_ms)
    : spec_(std::move(spec)), incidents_(std::move(incidents)), run_start_ms_(run_start_ms) {}

void World::bind(const Config& config) {
  std::vector<BankState> old = std::move(banks_);
  banks_.clear();
  banks_.reserve(config.banks.size());
  const RoutingRules& rules = config.routing_rules;
  for (const Bank& bank : config.banks) {
    BankState state;
    state.id = bank.id;
    state.behavior = spec_.behavior_for(bank.id);
    bool targeted = !rules.chaos_targets || rules.chaos_targets->empty() ||
                    std::find(rules.chaos_targets->begin(), rules.chaos_targets->end(), bank.id) !=
                        rules.chaos_targets->end();
    state.chaos_rate = rules.chaos_mode && targeted ? std::clamp(rules.chaos_failure_rate, 0.0, 1.0) : 0.0;
    for (const Incident& inc : incidents_)
      if (inc.applies_to(bank.id)) state.incidents.push_back(inc);
    state.bucket_second.fill(std::numeric_limits<std::int64_t>::min());
    for (const BankState& prev : old) {
      if (prev.id == bank.id) {
        state.bucket_second = prev.bucket_second;
        state.bucket_count = prev.bucket_count;
      }
    }
    banks_.push_back(std::move(state));
  }
}

AttemptOutcome World::attempt(std::int32_t bank_index, PaymentMethod method, TimeMs start_ms, Random& rng) {
  BankState& bank = banks_[static_cast<std::size_t>(bank_index)];
  const BankBehavior& b = bank.behavior;
  const IncidentEffect effect = incident_effect(bank.incidents, bank.id, start_ms - run_start_ms_);
  const double median = effect.latency_median_ms > 0 ? effect.latency_median_ms : b.latency_median_ms;

  // Latency of an early refusal or broken connection: a fraction of a normal round trip.
  const auto fast_fail_latency = [&](double fraction) {
    return to_ms(rng.lognormal(std::max(median * fraction, 1.0), 0.5), b.timeout_ms);
  };
  const auto fail = [&](const CodeText& t) -> AttemptOutcome {
    switch (t.code) {
      case ErrorCode::GATEWAY_TIMEOUT:
        return {b.timeout_ms + static_cast<std::int64_t>(rng.below(40)), t.code, t.message};
      case ErrorCode::RATE_LIMITED:
        return {fast_fail_latency(0.1), t.code, t.message};
      case ErrorCode::NETWORK_ERROR:
        return {fast_fail_latency(0.6), t.code, t.message};
      default:
        return {fast_fail_latency(0.3), t.code, t.message};
    }
  };

  // Capacity: count this attempt in its second's bucket.
  const std::int64_t second = start_ms >= 0 ? start_ms / 1000 : (start_ms - 999) / 1000;
  const std::size_t slot = static_cast<std::size_t>(second % static_cast<std::int64_t>(kRingSeconds) +
                                                    static_cast<std::int64_t>(kRingSeconds)) % kRingSeconds;
  if (bank.bucket_second[slot] != second) bank.bucket_second[slot] = second, bank.bucket_count[slot] = 0;
  const std::uint32_t in_this_second = ++bank.bucket_count[slot];

  if (effect.outage) return fail(draw(kOutageMix, rng));
  if (static_cast<double>(in_this_second) > b.capacity_per_s) return fail(kRateLimited);
  // Baseline, chaos and incident errors are independent causes of one soft failure, drawn with one
  // number and one mix: the row cannot tell which cause it was.
  const double survive = (1.0 - b.soft_failure_rate) * (1.0 - bank.chaos_rate) * (1.0 - effect.extra_error_rate);
  if (rng.uniform() >= survive) return fail(draw(kSoftMix, rng));

  const std::int64_t latency = to_ms(rng.lognormal(median, b.latency_sigma), b.timeout_ms + 1);
  if (latency > b.timeout_ms) return fail(kTimeout);
  if (rng.uniform() < b.hard_decline_rate[static_cast<std::size_t>(method)]) {
    const CodeText& t = method == PaymentMethod::card ? draw(kCardDeclineMix, rng) : draw(kOtherDeclineMix, rng);
    return {latency, t.code, t.message};
  }
  return {latency, ErrorCode::none, {}};
}

}  // namespace payops
