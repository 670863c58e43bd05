// Learn: outcomes for pending agent actions, and escalations for the ones that did not help.
#include "learn.h"

#include <fmt/format.h>

#include "config_paths.h"

namespace payops {
namespace {

std::string pct(double v) { return fmt::format("{:.1f}%", v * 100.0); }

// The bank an entry concerns: details.args.bank_id, else the bank of its first change path.
std::string bank_of(const HistoryEntry& e) {
  if (e.details.contains("args") && e.details["args"].is_object() && e.details["args"].contains("bank_id") &&
      e.details["args"]["bank_id"].is_string()) {
    return e.details["args"]["bank_id"].get<std::string>();
  }
  for (const FieldChange& c : changes_from_details(e.details)) {
    if (c.path.starts_with("banks.")) {
      const std::size_t dot = c.path.find('.', 6);
      return c.path.substr(6, dot == std::string::npos ? std::string::npos : dot - 6);
    }
  }
  return {};
}

// True when the entry moved its bank away from traffic or health: escalating it makes sense.
bool moved_away(const HistoryEntry& e) {
  for (const FieldChange& c : changes_from_details(e.details)) {
    if (c.path.ends_with(".weight")) {
      const auto before = json_integer(c.before), after = json_integer(c.after);
      if (before && after && *after < *before) return true;
    }
    if (c.path.ends_with(".health_status") && c.after == "degraded" && c.before == "healthy") return true;
    if (c.path.ends_with(".retry_policy.level") && c.after == "low") return true;
  }
  return false;
}

}  // namespace

std::vector<Judgement> judge_pending(const Config& config, const Observation& obs, const LearnOptions& o) {
  std::vector<Judgement> out;
  const WindowStats& w = obs.short_window;
  const std::uint64_t routable = w.payments - std::min(w.payments, w.payments_hard_declined);
  const double global_rate = w.routable_payment_success_rate();
  for (std::size_t i = 0; i < config.agent_history.size(); ++i) {
    const HistoryEntry& e = config.agent_history[i];
    if (e.actor != "agent" || e.outcome != Outcome::pending) continue;
    const std::int64_t age = obs.now_ms - e.timestamp;
    if (age < o.evaluation_window_ms) continue;
    Judgement j;
    j.history_index = i;
    const std::string bank = bank_of(e);
    const BankWindowStats* b = bank.empty() ? nullptr : w.find(bank);
    const bool bank_volume = b && b->attempts >= static_cast<std::uint64_t>(o.min_attempts);
    const bool global_volume = routable >= static_cast<std::uint64_t>(o.min_payments);
    double before_rate = 0;
    if (e.details.contains("observed") && e.details["observed"].is_object() &&
        e.details["observed"].contains("payment_success_rate") && e.details["observed"]["payment_success_rate"].is_number()) {
      before_rate = e.details["observed"]["payment_success_rate"].get<double>();
    }
    const double global_target = std::min(o.global_recovered_rate, before_rate + (1.0 - before_rate) / 2);
    if (bank_volume && b->soft_failure_rate() <= o.bank_recovered_rate) {
      j.outcome = Outcome::effective;
      j.why = fmt::format("{} recovered: soft-failure rate {} over {} attempts", bank, pct(b->soft_failure_rate()),
                          b->attempts);
    } else if (global_volume && global_rate >= global_target) {
      j.outcome = Outcome::effective;
      j.why = fmt::format("payment success rate {} over {} payments (was {} when acted, target {})", pct(global_rate),
                          routable, pct(before_rate), pct(global_target));
    } else if (!global_volume && !bank_volume) {
      if (age < o.evaluation_window_ms * o.give_up_windows) continue;  // nothing to judge by yet
      j.outcome = Outcome::ineffective;
      j.why = fmt::format("no traffic to judge by in {} s", age / 1000);
    } else {
      j.outcome = Outcome::ineffective;
      j.why = fmt::format("not recovered after {} s: payment success rate {} over {} payments (target {}){}", age / 1000,
                          pct(global_rate), routable, pct(global_target),
                          b ? fmt::format(", {} soft-failure rate {} over {} attempts", bank,
                                          pct(b->soft_failure_rate()), b->attempts)
                            : std::string());
      if (!bank.empty() && moved_away(e) && bank_volume && b->soft_failure_rate() >= o.still_failing_rate) {
        j.escalation = Escalation{bank, fmt::format("{} ({} {}) did not help", e.action, bank, e.reason)};
      }
    }
    out.push_back(std::move(j));
  }
  return out;
}

void record_judgements(Config& config, const std::vector<Judgement>& judgements) {
  for (const Judgement& j : judgements) {
    if (j.history_index >= config.agent_history.size()) continue;
    HistoryEntry& e = config.agent_history[j.history_index];
    e.outcome = j.outcome;
    e.details["judgement"] = j.why;
  }
}

}  // namespace payops
