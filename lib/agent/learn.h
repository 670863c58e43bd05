// Learn: judge the agent's earlier actions that are still `pending` once their evaluation window has
// passed, by the customer-visible figures each aimed at:
// * AWAY from a bank (opened its breaker, degraded or downed it, took weight from it, lowered its
//   retries): aimed at what customers felt. Effective only when the first-attempt success rate over
//   all payments reached its target (half the gap from its value when acted to 100%, at most
//   first_attempt_recovered_rate), the bank's failed first attempts are at most felt_max of all first
//   attempts, and the attempts' p95 latency is at most latency_recovered_ms.
// * TOWARD a bank (half_open, closed its breaker, healthy, gave it weight back, restored retries):
//   aimed at the bank serving well. Effective only when the bank's fault rate is at most
//   bank_recovered_rate and its slow-call share at most bank_slow_max over >= min_attempts; a
//   half_open whose probes failed is ineffective.
// * Anything else (chaos off, success-rate moves): effective when first-attempt success did not fall
//   (by more than noise_margin) from its value when acted.
// The numbers of the verdict go into the entry (details.verdict). An ineffective AWAY action while the
// bank is still failing asks for an escalation instead of the same action again.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "contract/config_model.h"
#include "agent/observation.h"
#include "agent/rules_reasoner.h"

namespace payops {

struct LearnOptions {
  std::int64_t evaluation_window_ms = 60'000;  // judge an action this long after it was taken
  double bank_recovered_rate = 0.10;  // TOWARD: the bank's fault rate at most this
  double bank_slow_max = 0.10;        // TOWARD: the bank's share of slow calls at most this
  std::int64_t min_attempts = 5;
  double first_attempt_recovered_rate = 0.90;  // AWAY: the target's cap
  double felt_max = 0.02;                      // AWAY: the bank's failed first attempts / all first attempts
  std::int64_t latency_recovered_ms = 2000;    // AWAY: p95 of all attempts
  double noise_margin = 0.01;                  // OTHER: allowed dip in first-attempt success
  std::int64_t min_payments = 10;
  // Still failing (for escalation): the bank's short-window fault rate >= this.
  double still_failing_rate = 0.25;
  // Without any traffic to judge by, an action is closed as ineffective after this many windows.
  int give_up_windows = 5;
};

struct Judgement {
  std::size_t history_index = 0;  // into config.agent_history
  Outcome outcome = Outcome::pending;
  std::string why;
  Json verdict = Json::object();  // the numbers behind the outcome
  std::optional<Escalation> escalation;
};

// Pure: what to say about each pending agent entry old enough to judge.
std::vector<Judgement> judge_pending(const Config& config, const Observation& obs, const LearnOptions& options);
// Writes the outcomes (details.judgement = why, details.verdict = the numbers) into config.agent_history.
void record_judgements(Config& config, const std::vector<Judgement>& judgements);

}  // namespace payops
