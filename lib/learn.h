// Learn: judge the agent's earlier actions that are still `pending` once their evaluation window has
// passed. effective: the affected bank or the payment success rate recovered; ineffective otherwise.
// An ineffective action that moved a bank "away" (degraded it, took weight from it, lowered its
// retries) while the bank is still failing asks for an escalation instead of the same action again.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config_model.h"
#include "observation.h"
#include "rules_reasoner.h"

namespace payops {

struct LearnOptions {
  std::int64_t evaluation_window_ms = 60'000;  // judge an action this long after it was taken
  // Recovered: the bank's short-window soft-failure rate <= bank_recovered_rate over >= min_attempts,
  // or the routable payment success rate >= global_recovered_rate over >= min_payments (or at least
  // half of the gap to 100% that it had when the action was taken was closed).
  double bank_recovered_rate = 0.10;
  std::int64_t min_attempts = 5;
  double global_recovered_rate = 0.95;
  std::int64_t min_payments = 10;
  // Still failing (for escalation): the bank's short-window soft-failure rate >= this.
  double still_failing_rate = 0.25;
  // Without any traffic to judge by, an action is closed as ineffective after this many windows.
  int give_up_windows = 5;
};

struct Judgement {
  std::size_t history_index = 0;  // into config.agent_history
  Outcome outcome = Outcome::pending;
  std::string why;
  std::optional<Escalation> escalation;
};

// Pure: what to say about each pending agent entry old enough to judge.
std::vector<Judgement> judge_pending(const Config& config, const Observation& obs, const LearnOptions& options);
// Writes the outcomes (and details.judgement = why) into config.agent_history.
void record_judgements(Config& config, const std::vector<Judgement>& judgements);

}  // namespace payops
