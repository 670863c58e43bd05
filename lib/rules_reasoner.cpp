// The rules reasoner (see rules_reasoner.h for the rules themselves).
#include "rules_reasoner.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "config_paths.h"

namespace payops {

const HistoryEntry* last_change(const Config& config, std::string_view path_prefix) {
  for (auto it = config.agent_history.rbegin(); it != config.agent_history.rend(); ++it) {
    for (const FieldChange& c : changes_from_details(it->details)) {
      if (std::string_view(c.path).starts_with(path_prefix)) return &*it;
    }
  }
  return nullptr;
}

bool operator_changed_recently(const Config& config, std::string_view path_prefix, TimeMs now_ms,
                               std::int64_t cooldown_ms) {
  for (auto it = config.agent_history.rbegin(); it != config.agent_history.rend(); ++it) {
    if (it->actor == "agent") continue;
    if (it->timestamp < now_ms - cooldown_ms) continue;  // entries are appended in time order, mostly
    for (const FieldChange& c : changes_from_details(it->details)) {
      if (std::string_view(c.path).starts_with(path_prefix)) return true;
    }
  }
  return false;
}

std::map<std::string, std::int64_t> intended_weights(const Config& config) {
  std::map<std::string, std::int64_t> out;
  for (const Bank& b : config.banks) {
    const std::string path = "banks." + b.id + ".weight";
    std::optional<std::int64_t> intent;
    for (auto it = config.agent_history.rbegin(); it != config.agent_history.rend() && !intent; ++it) {
      if (it->actor != "agent") {
        for (const FieldChange& c : changes_from_details(it->details)) {
          if (c.path == path) intent = json_integer(c.after);
        }
      } else if (it->action == "reroute_traffic" && it->details.contains("intended") &&
                 it->details["intended"].is_object() && it->details["intended"].contains(b.id)) {
        intent = json_integer(it->details["intended"][b.id]);
      }
    }
    out[b.id] = intent.value_or(b.weight);
  }
  return out;
}

namespace {

std::string pct(double v) { return fmt::format("{:.1f}%", v * 100.0); }

std::string bank_path(const Bank& b, std::string_view field) { return fmt::format("banks.{}.{}", b.id, field); }

// When the field last changed (any actor), or nullopt.
std::optional<TimeMs> changed_at(const Config& config, const std::string& path) {
  const HistoryEntry* e = last_change(config, path);
  if (!e) return std::nullopt;
  return e->timestamp;
}

// How many times the bank's breaker went to open since `since` (any actor).
std::int64_t recent_opens(const Config& config, const std::string& bank_id, TimeMs since) {
  const std::string path = "banks." + bank_id + ".circuit_breaker.state";
  std::int64_t n = 0;
  for (const HistoryEntry& e : config.agent_history) {
    if (e.timestamp < since) continue;
    for (const FieldChange& c : changes_from_details(e.details)) {
      if (c.path == path && c.after == "open") ++n;
    }
  }
  return n;
}

struct BankPlan {
  BreakerState breaker;
  Health health;
};

}  // namespace

Decision decide_rules(const Config& config, const Observation& obs, const RulesOptions& o,
                      const std::vector<Escalation>& escalations) {
  Decision d;
  const TimeMs now = obs.now_ms;
  const auto cooling = [&](const Bank& b, std::string_view field) {
    return operator_changed_recently(config, bank_path(b, field), now, o.operator_cooldown_ms);
  };
  const auto observed = [&](const Bank& b, const BankWindowStats& s) {
    return Json{{"bank_id", b.id},
                {"attempts", s.attempts},
                {"soft_failure_rate", s.soft_failure_rate()},
                {"payment_success_rate", obs.short_window.routable_payment_success_rate()},
                {"payments", obs.short_window.payments}};
  };

  std::map<std::string, BankPlan> plans;
  for (const Bank& b : config.banks) {
    BankPlan plan{b.circuit_breaker.state, b.health_status};
    if (!b.enabled) {
      plans[b.id] = plan;
      continue;
    }
    const CircuitBreaker& cb = b.circuit_breaker;
    const BankWindowStats* sp = obs.short_window.find(b.id);
    const BankWindowStats* lp = obs.long_window.find(b.id);
    const BankWindowStats S = sp ? *sp : BankWindowStats{};
    const BankWindowStats L = lp ? *lp : BankWindowStats{};
    const std::optional<TimeMs> breaker_changed = changed_at(config, bank_path(b, "circuit_breaker.state"));
    const TimeMs evidence_since = std::max(obs.short_since(), breaker_changed.value_or(obs.short_since()));
    const BankWindowStats E = obs.rows.bank_stats(b.id, evidence_since, now);
    const bool escalate = std::any_of(escalations.begin(), escalations.end(),
                                      [&](const Escalation& e) { return e.bank_id == b.id; });
    bool to_half_open = false;

    // --- Breaker ---
    auto breaker_action = [&](BreakerState to, std::string reason) {
      Action a{SetCircuitBreaker{b.id, to}, std::move(reason), Json{{"observed", observed(b, E)}}};
      d.actions.push_back(std::move(a));
      plan.breaker = to;
    };
    if (cooling(b, "circuit_breaker")) {
      d.notes.push_back(fmt::format("{}: breaker left {} (operator changed it within {} s)", b.id,
                                    to_string(cb.state), o.operator_cooldown_ms / 1000));
    } else if (cb.state == BreakerState::closed) {
      const bool by_run = E.trailing_soft_failures >= static_cast<std::uint64_t>(cb.failure_threshold);
      const bool by_rate = E.attempts >= static_cast<std::uint64_t>(cb.min_requests) &&
                           E.soft_failure_rate() > cb.failure_rate_threshold;
      // A degraded bank escalates to down (below); a healthy one to an open breaker.
      const bool escalate_open = escalate && b.health_status != Health::degraded;
      if (by_run || by_rate || escalate_open) {
        const std::string why =
            by_run ? fmt::format("{} consecutive soft failures (threshold {})", E.trailing_soft_failures,
                                 cb.failure_threshold)
            : by_rate ? fmt::format("soft-failure rate {} over {} attempts (threshold {}, min {})",
                                    pct(E.soft_failure_rate()), E.attempts, pct(cb.failure_rate_threshold),
                                    cb.min_requests)
                      : std::string("escalation: an earlier action on it did not help");
        breaker_action(BreakerState::open, fmt::format("{}: open the breaker: {}", b.id, why));
      }
    } else if (cb.state == BreakerState::open) {
      const TimeMs opened = cb.opened_at.value_or(breaker_changed.value_or(now));
      const std::int64_t open_ms = now - opened;
      // A bank that keeps tripping stays out longer each time (as Envoy's outlier ejection does):
      // open_duration_s times the number of opens within the long window, at most 4x.
      const std::int64_t opens = std::max<std::int64_t>(1, recent_opens(config, b.id, now - obs.long_window_ms));
      const std::int64_t hold_ms = cb.open_duration_s * 1000 * std::min<std::int64_t>(opens, 4);
      if (open_ms >= hold_ms) {
        to_half_open = true;
        breaker_action(BreakerState::half_open,
                       fmt::format("{}: breaker open for {} s (open_duration_s {} x {} opens recently): half_open "
                                   "to let {} of its traffic probe it",
                                   b.id, open_ms / 1000, cb.open_duration_s, std::min<std::int64_t>(opens, 4),
                                   pct(cb.half_open_traffic_ratio)));
      } else {
        d.notes.push_back(fmt::format("{}: breaker open for {} of {} s", b.id, open_ms / 1000, hold_ms / 1000));
      }
    } else {  // half_open: E holds the probes since it went half_open
      const bool fail_run = E.trailing_soft_failures >= static_cast<std::uint64_t>(cb.failure_threshold);
      const bool fail_rate = E.attempts >= static_cast<std::uint64_t>(o.probe_min_requests) &&
                             E.soft_failure_rate() > cb.failure_rate_threshold;
      if (fail_run || fail_rate) {
        breaker_action(BreakerState::open,
                       fmt::format("{}: probe failed: {} soft failures in {} probes ({}), {} at the end: reopen",
                                   b.id, E.soft_failures, E.attempts, pct(E.soft_failure_rate()),
                                   E.trailing_soft_failures));
      } else if (E.attempts >= static_cast<std::uint64_t>(o.probe_min_requests) &&
                 E.soft_failure_rate() <= cb.failure_rate_threshold / 2) {
        breaker_action(BreakerState::closed,
                       fmt::format("{}: probes healthy: {} soft failures in {} probes ({} <= {}): close",
                                   b.id, E.soft_failures, E.attempts, pct(E.soft_failure_rate()),
                                   pct(cb.failure_rate_threshold / 2)));
      } else {
        d.notes.push_back(fmt::format("{}: half_open, {} probes so far (need {})", b.id, E.attempts,
                                      o.probe_min_requests));
      }
    }

    // --- Health ---
    const std::optional<TimeMs> health_changed = changed_at(config, bank_path(b, "health_status"));
    const bool dwelt = !health_changed || now - *health_changed >= o.min_dwell_ms;
    auto health_action = [&](Health to, std::string reason) {
      d.actions.push_back(Action{UpdateBankHealth{b.id, to}, std::move(reason), Json{{"observed", observed(b, S)}}});
      plan.health = to;
    };
    const bool short_volume = S.attempts >= static_cast<std::uint64_t>(cb.min_requests);
    const double p95 = static_cast<double>(S.latency.percentile(0.95));
    const double long_p95 = static_cast<double>(L.latency.percentile(0.95));
    if (cooling(b, "health_status")) {
      d.notes.push_back(fmt::format("{}: health left {} (operator changed it within {} s)", b.id,
                                    to_string(b.health_status), o.operator_cooldown_ms / 1000));
    } else if (b.health_status == Health::healthy) {
      if (plan.breaker == BreakerState::open) {
        health_action(Health::degraded, fmt::format("{}: degraded: its breaker is open", b.id));
      } else if (dwelt && short_volume && S.soft_failure_rate() >= o.degrade_enter &&
                 L.soft_failure_rate() >= o.degrade_enter / 2) {
        health_action(Health::degraded,
                      fmt::format("{}: degraded: soft-failure rate {} over {} attempts in {} s (enter at {}), {} "
                                  "over {} s",
                                  b.id, pct(S.soft_failure_rate()), S.attempts, obs.short_window_ms / 1000,
                                  pct(o.degrade_enter), pct(L.soft_failure_rate()), obs.long_window_ms / 1000));
      } else if (dwelt && short_volume && p95 >= static_cast<double>(o.latency_enter_ms) &&
                 long_p95 >= static_cast<double>(o.latency_enter_ms)) {
        // Both windows must be slow: a short window's p95 over a few dozen attempts is one or two
        // gateway timeouts, which a bank with a naturally long tail produces every minute.
        health_action(Health::degraded,
                      fmt::format("{}: degraded: p95 latency {} ms over {} attempts and {} ms over {} s (enter at {} ms)",
                                  b.id, p95, S.attempts, long_p95, obs.long_window_ms / 1000, o.latency_enter_ms));
      }
    } else if (b.health_status == Health::degraded) {
      if (escalate) {
        health_action(Health::down, fmt::format("{}: down: escalation, an earlier action on it did not help", b.id));
      } else if (dwelt && plan.breaker == BreakerState::closed &&
                 S.attempts >= static_cast<std::uint64_t>(o.probe_min_requests) &&
                 S.soft_failure_rate() <= o.degrade_leave && p95 < static_cast<double>(o.latency_leave_ms)) {
        health_action(Health::healthy,
                      fmt::format("{}: healthy: soft-failure rate {} over {} attempts (leave at {}), p95 {} ms",
                                  b.id, pct(S.soft_failure_rate()), S.attempts, pct(o.degrade_leave), p95));
      }
    } else {  // down
      if (to_half_open) {
        health_action(Health::degraded, fmt::format("{}: degraded (from down) so its half_open probes can flow", b.id));
      } else if (plan.breaker == BreakerState::closed && dwelt && !cooling(b, "circuit_breaker")) {
        // Down with a closed breaker (someone marked it down): probe it the same way after dwell.
        breaker_action(BreakerState::half_open,
                       fmt::format("{}: down for {} s with a closed breaker: half_open to probe it", b.id,
                                   health_changed ? (now - *health_changed) / 1000 : 0));
        health_action(Health::degraded, fmt::format("{}: degraded (from down) so its probes can flow", b.id));
      }
    }
    plans[b.id] = plan;
  }

  // --- Weights: one reroute for every bank that moves, carrying the intent forward ---
  const std::map<std::string, std::int64_t> intent = intended_weights(config);
  RerouteTraffic reroute;
  std::vector<std::string> why;
  for (const Bank& b : config.banks) {
    if (!b.enabled) continue;
    const BankPlan& plan = plans[b.id];
    const std::int64_t want = intent.at(b.id);
    if (plan.breaker != BreakerState::closed) continue;  // the breaker governs its traffic; probes need the share
    // Evidence since the breaker last changed (at most the short window): failed probes from before a
    // close say nothing about the bank after it.
    const std::optional<TimeMs> breaker_changed = changed_at(config, bank_path(b, "circuit_breaker.state"));
    const BankWindowStats E = obs.rows.bank_stats(
        b.id, std::max(obs.short_since(), breaker_changed.value_or(obs.short_since())), now);
    const std::int64_t step = std::min(
        max_weight_step(config),
        std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(static_cast<double>(want) * o.weight_step_fraction))));
    const std::int64_t floor_weight =
        want == 0 ? 0 : std::max<std::int64_t>(1, std::llround(static_cast<double>(want) * o.degraded_floor_fraction));
    std::int64_t target = want;
    std::string state;
    if (b.circuit_breaker.state != BreakerState::closed) {
      // Closing this cycle: slow start (as Envoy and HAProxy do for a host back from ejection):
      // one step of its intent, then a step more each cycle while it stays healthy.
      target = std::min(want, std::max(floor_weight, step));
      state = "slow start after its breaker closed";
    } else if (plan.health != Health::healthy) {
      if (E.attempts < static_cast<std::uint64_t>(o.probe_min_requests)) {
        d.notes.push_back(fmt::format("{}: weight held at {}: {} attempts since its breaker changed (need {})", b.id,
                                      b.weight, E.attempts, o.probe_min_requests));
        continue;
      }
      // Between the two thresholds the weight holds: the same hysteresis as the health verdict.
      if (E.soft_failure_rate() > o.degrade_leave && E.soft_failure_rate() < o.degrade_enter) {
        d.notes.push_back(fmt::format("{}: weight held at {}: {} soft failures since its breaker changed is between "
                                      "{} and {}",
                                      b.id, b.weight, pct(E.soft_failure_rate()), pct(o.degrade_leave),
                                      pct(o.degrade_enter)));
        continue;
      }
      target = E.soft_failure_rate() <= o.degrade_leave ? want : floor_weight;
      state = fmt::format("health {}, {} soft failures over {} recent attempts", to_string(plan.health),
                          pct(E.soft_failure_rate()), E.attempts);
    } else {
      state = fmt::format("healthy, {} soft failures over {} recent attempts", pct(E.soft_failure_rate()), E.attempts);
    }
    if (b.weight == target) continue;
    if (cooling(b, "weight")) {
      d.notes.push_back(fmt::format("{}: weight left at {} (operator changed it within {} s)", b.id, b.weight,
                                    o.operator_cooldown_ms / 1000));
      continue;
    }
    const std::int64_t next = b.weight < target ? std::min(target, b.weight + step)
                                                : std::max(target, b.weight - max_weight_step(config));
    reroute.weights[b.id] = next;
    why.push_back(fmt::format("{} {}->{} toward {} ({}; intended {}, floor {})", b.id, b.weight, next, target, state,
                              want, floor_weight));
  }
  if (!reroute.weights.empty()) {
    Json intended = Json::object();
    for (const auto& [id, w] : intent) intended[id] = w;
    std::string reason = "reroute: ";
    for (std::size_t i = 0; i < why.size(); ++i) reason += (i ? "; " : "") + why[i];
    d.actions.push_back(Action{std::move(reroute), std::move(reason),
                               Json{{"intended", intended},
                                    {"observed", Json{{"payment_success_rate", obs.short_window.routable_payment_success_rate()},
                                                      {"payments", obs.short_window.payments}}}}});
  }

  // --- Retry policy ---
  for (const Bank& b : config.banks) {
    if (!b.enabled || cooling(b, "retry_policy")) continue;
    const BankPlan& plan = plans[b.id];
    const BankWindowStats* sp = obs.short_window.find(b.id);
    const BankWindowStats S = sp ? *sp : BankWindowStats{};
    const std::uint64_t transient = S.soft_by_code[soft_code_slot(ErrorCode::GATEWAY_TIMEOUT)] +
                                    S.soft_by_code[soft_code_slot(ErrorCode::RATE_LIMITED)];
    const double transient_share = BankWindowStats::ratio(transient, S.soft_failures);
    const HistoryEntry* last = last_change(config, bank_path(b, "retry_policy"));
    if (plan.health == Health::degraded && plan.breaker == BreakerState::closed &&
        S.attempts >= static_cast<std::uint64_t>(b.circuit_breaker.min_requests) &&
        S.soft_failure_rate() >= o.degrade_enter && transient_share >= o.transient_share &&
        b.retry_policy.level != RetryLevel::low) {
      Json before = Json{{"level", to_string(b.retry_policy.level)},
                         {"max_retries", b.retry_policy.max_retries},
                         {"backoff_ms", b.retry_policy.backoff_ms},
                         {"backoff_multiplier", b.retry_policy.backoff_multiplier},
                         {"max_backoff_ms", b.retry_policy.max_backoff_ms}};
      // The intent survives repeated agent changes: carry the first one's.
      if (last && last->actor == "agent" && last->details.contains("intended_retry_policy")) {
        before = last->details["intended_retry_policy"];
      }
      d.actions.push_back(Action{
          AdjustRetryPolicy{b.id, RetryLevel::low, {}, {}, {}, {}},
          fmt::format("{}: retry policy low: {} of its {} soft failures are timeouts or rate limits (transient), so "
                      "one quick retry onto another bank beats more load on this one",
                      b.id, pct(transient_share), S.soft_failures),
          Json{{"intended_retry_policy", before}, {"observed", observed(b, S)}}});
    } else if (plan.health == Health::healthy && plan.breaker == BreakerState::closed && last &&
               last->actor == "agent" && last->details.contains("intended_retry_policy")) {
      const Json& want = last->details["intended_retry_policy"];
      auto level = want.contains("level") && want["level"].is_string()
                       ? parse_retry_level(want["level"].get<std::string>())
                       : std::nullopt;
      if (!level || *level == b.retry_policy.level) continue;
      AdjustRetryPolicy a{b.id, *level, {}, {}, {}, {}};
      if (*level == RetryLevel::custom) {
        a.max_retries = json_integer(want.value("max_retries", Json()));
        a.backoff_ms = json_integer(want.value("backoff_ms", Json()));
        if (want.contains("backoff_multiplier") && want["backoff_multiplier"].is_number()) {
          a.backoff_multiplier = want["backoff_multiplier"].get<double>();
        }
        a.max_backoff_ms = json_integer(want.value("max_backoff_ms", Json()));
      }
      d.actions.push_back(Action{std::move(a),
                                 fmt::format("{}: healthy again ({} soft failures over {} attempts): retry policy "
                                             "back to {} as before the agent's change",
                                             b.id, pct(S.soft_failure_rate()), S.attempts, to_string(*level)),
                                 Json{{"observed", observed(b, S)}}});
    }
  }

  // --- Chaos safety ---
  if (config.routing_rules.chaos_mode) {
    const WindowStats& w = obs.short_window;
    const std::uint64_t routable = w.payments - std::min(w.payments, w.payments_hard_declined);
    const double rate = w.routable_payment_success_rate();
    if (routable >= static_cast<std::uint64_t>(o.min_payments) && rate < o.chaos_abort_below) {
      d.actions.push_back(Action{
          ToggleChaosMode{false},
          fmt::format("chaos off: payment success rate {} over {} payments in the last {} s is below the abort "
                      "floor {} (hard declines excluded)",
                      pct(rate), routable, obs.short_window_ms / 1000, pct(o.chaos_abort_below)),
          Json{{"observed", Json{{"payment_success_rate", rate}, {"payments", routable}}}}});
    } else {
      d.notes.push_back(fmt::format("chaos on: payment success {} over {} payments (abort below {})", pct(rate),
                                    routable, pct(o.chaos_abort_below)));
    }
  }
  return d;
}

}  // namespace payops
