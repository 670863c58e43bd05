// Learn: outcomes for pending agent actions by the customer-visible figures each aimed at, and
// escalations for the ones that did not help (see learn.h).
#include "agent/learn.h"

#include <fmt/format.h>

#include "contract/config_paths.h"
#include "platform/terminal.h"

namespace payops {
namespace {


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

enum class Aim { away, toward, other };

// What the entry aimed at: away from its bank (less traffic, worse verdict), toward it, or neither.
Aim aim_of(const HistoryEntry& e) {
  if (e.details.contains("success_rate_routing")) return Aim::other;  // a steady-state preference, not a verdict
  int away = 0, toward = 0;
  for (const FieldChange& c : changes_from_details(e.details)) {
    if (c.path.ends_with(".weight")) {
      const auto before = json_integer(c.before), after = json_integer(c.after);
      if (before && after) (*after < *before ? away : toward) += 1;
    } else if (c.path.ends_with(".health_status")) {
      (c.after == "healthy" ? toward : away) += 1;
    } else if (c.path.ends_with(".circuit_breaker.state")) {
      (c.after == "open" ? away : toward) += 1;
    } else if (c.path.ends_with(".retry_policy.level")) {
      (c.after == "low" ? away : toward) += 1;
    }
  }
  if (away > 0 && toward == 0) return Aim::away;
  if (toward > 0 && away == 0) return Aim::toward;
  return Aim::other;
}

double observed_number(const HistoryEntry& e, const char* key, double fallback) {
  if (e.details.contains("observed") && e.details["observed"].is_object() && e.details["observed"].contains(key) &&
      e.details["observed"][key].is_number())
    return e.details["observed"][key].get<double>();
  return fallback;
}

// The figures a verdict reads, now.
struct Now {
  double first_attempt = 0;  // first-attempt success over all payments
  std::uint64_t payments = 0;
  std::int64_t p95_ms = 0;   // over all attempts
};

Now figures(const Observation& obs) {
  Now n;
  n.first_attempt = obs.short_window.first_attempt_success_rate();
  n.payments = obs.short_window.payments;
  LatencyHistogram all;
  for (const BankWindowStats& s : obs.short_window.per_bank) all.merge(s.latency);
  n.p95_ms = all.percentile(0.95);
  return n;
}

// AWAY: customers no longer feel the bank, and first-attempt success and latency recovered.
void judge_away(Judgement& j, const HistoryEntry& e, const std::string& bank, const BankWindowStats* b, const Now& now,
                const LearnOptions& o) {
  const double before = observed_number(e, "first_attempt_success_rate", observed_number(e, "payment_success_rate", 0));
  const double target = std::min(o.first_attempt_recovered_rate, before + (1.0 - before) / 2);
  const std::uint64_t felt_n = b ? b->first_attempts - b->first_attempt_successes : 0;
  const double felt = BankWindowStats::ratio(felt_n, now.payments);
  const bool ok = now.first_attempt >= target && felt <= o.felt_max && now.p95_ms <= o.latency_recovered_ms;
  j.outcome = ok ? Outcome::effective : Outcome::ineffective;
  j.verdict = Json{{"aim", "away"}, {"first_attempt_success_rate", now.first_attempt}, {"when_acted", before},
                   {"target", target}, {"bank_failed_first_attempt_share", felt}, {"felt_max", o.felt_max},
                   {"p95_latency_ms", now.p95_ms}, {"latency_target_ms", o.latency_recovered_ms}, {"payments", now.payments}};
  j.why = fmt::format("{}: first-attempt success {} over {} payments (was {}, target {}), {} of first attempts failed on "
                      "{} (max {}), p95 {} ms (max {} ms)",
                      ok ? "recovered" : "not recovered", format_percent(now.first_attempt), now.payments, format_percent(before),
                      format_percent(target), format_percent(felt), bank.empty() ? "the bank" : bank, format_percent(o.felt_max), now.p95_ms,
                      o.latency_recovered_ms);
}

// TOWARD: the bank serves well again.
void judge_toward(Judgement& j, const Config& config, const Observation& obs, const std::string& bank,
                  const BankWindowStats& b, const LearnOptions& o) {
  const std::int64_t slow_ms = slow_call_threshold_ms(config, obs, bank, RulesOptions{});
  const double slow = BankWindowStats::ratio(b.latency.count_at_least(slow_ms), b.attempts);
  const bool ok = b.fault_rate() <= o.bank_recovered_rate && slow <= o.bank_slow_max;
  j.outcome = ok ? Outcome::effective : Outcome::ineffective;
  j.verdict = Json{{"aim", "toward"}, {"bank_id", bank}, {"fault_rate", b.fault_rate()}, {"max_fault_rate", o.bank_recovered_rate},
                   {"slow_call_rate", slow}, {"slow_call_ms", slow_ms}, {"attempts", b.attempts}};
  j.why = fmt::format("{} {}: fault rate {} (max {}), {} slow over {} attempts", bank,
                      ok ? "serves well" : "still failing or slow", format_percent(b.fault_rate()), format_percent(o.bank_recovered_rate),
                      format_percent(slow), b.attempts);
}

void judge_other(Judgement& j, const HistoryEntry& e, const Now& now, const LearnOptions& o) {
  const double before = observed_number(e, "first_attempt_success_rate", observed_number(e, "payment_success_rate", 0));
  const bool ok = now.first_attempt >= before - o.noise_margin;
  j.outcome = ok ? Outcome::effective : Outcome::ineffective;
  j.verdict = Json{{"aim", "other"}, {"first_attempt_success_rate", now.first_attempt}, {"when_acted", before},
                   {"noise_margin", o.noise_margin}, {"payments", now.payments}};
  j.why = fmt::format("first-attempt success {} over {} payments ({} when acted, {} allowed dip)", format_percent(now.first_attempt),
                      now.payments, format_percent(before), format_percent(o.noise_margin));
}

}  // namespace

std::vector<Judgement> judge_pending(const Config& config, const Observation& obs, const LearnOptions& o) {
  std::vector<Judgement> out;
  const Now now = figures(obs);
  for (std::size_t i = 0; i < config.agent_history.size(); ++i) {
    const HistoryEntry& e = config.agent_history[i];
    if (e.actor != "agent" || e.outcome != Outcome::pending) continue;
    const std::int64_t age = obs.now_ms - e.timestamp;
    if (age < o.evaluation_window_ms) continue;
    Judgement j;
    j.history_index = i;
    const std::string bank = bank_of(e);
    const BankWindowStats* b = bank.empty() ? nullptr : obs.short_window.find(bank);
    const bool bank_volume = b && b->attempts >= static_cast<std::uint64_t>(o.min_attempts);
    const bool global_volume = now.payments >= static_cast<std::uint64_t>(o.min_payments);
    const Aim aim = aim_of(e);
    const bool can_judge = aim == Aim::toward ? bank_volume : global_volume;
    if (!can_judge) {
      if (age < o.evaluation_window_ms * o.give_up_windows) continue;  // nothing to judge by yet
      j.outcome = Outcome::ineffective;
      j.why = fmt::format("no traffic to judge by in {} s", age / 1000);
      j.verdict = Json{{"aim", "none"}, {"age_s", age / 1000}};
    } else if (aim == Aim::away) {
      judge_away(j, e, bank, b, now, o);
      if (j.outcome == Outcome::ineffective && bank_volume && b->fault_rate() >= o.still_failing_rate)
        j.escalation = Escalation{bank, fmt::format("{} ({} {}) did not help", e.action, bank, e.reason)};
    } else if (aim == Aim::toward) {
      judge_toward(j, config, obs, bank, *b, o);
    } else {
      judge_other(j, e, now, o);
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
    e.details["verdict"] = j.verdict;
  }
}

}  // namespace payops
