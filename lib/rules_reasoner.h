// The deterministic reasoner: from one Observation and the current config (whose agent_history and
// breaker fields are the agent's whole memory) to a list of actions, each with a reason that names
// its numbers. Stateless: the same inputs give the same decisions, so cron runs and a daemon agree.
//
// The rules, per enabled bank (disabled banks are the operator's and are left alone):
// * Breaker. Evidence is the bank's rows since its breaker last changed state (never older than the
//   short window), so failures from before a close cannot reopen it.
//   closed -> open: failure_threshold soft failures at the end of the evidence, or a soft-failure
//   rate above failure_rate_threshold with at least min_requests attempts.
//   open -> half_open: open_duration_s after opened_at, times the number of opens of this breaker
//   within the long window (at most 4x), so a bank that keeps tripping is probed less often. A bank that is `down` goes to `degraded` in
//   the same step, since a down bank gets no probe traffic.
//   half_open -> open on failure_threshold trailing soft
//   failures or a rate above the threshold over >= probe_min_requests probes; half_open -> closed when
//   >= probe_min_requests probes show a soft-failure rate at most half the threshold.
// * Health, with hysteresis and dwell. healthy -> degraded when the breaker opens, or (after
//   min_dwell since the last health change) when the short window has >= min_requests attempts with a
//   soft-failure rate >= degrade_enter and the long window agrees at >= degrade_enter/2 (a blip in
//   one window is not a trend), or p95 latency >= latency_enter_ms in both windows. degraded -> healthy only
//   after min_dwell, with the breaker closed and the short window at <= degrade_leave (and p95 <
//   latency_leave_ms) over >= probe_min_requests attempts. degraded -> down only on a learn
//   escalation: a failed probe just reopens the breaker (with a longer hold), so an outage that
//   outlasts several probes costs one health verdict, not two per probe. A bank between the two thresholds keeps its verdict: that is what stops flapping.
// * Weights. Each bank's intended weight is the operator's (see intended_weights). While a bank's
//   breaker is open or half_open its weight is left alone (the breaker governs its traffic, and the
//   half_open probes need the bank's share). When the breaker closes, the bank slow-starts at one step
//   (weight_step_fraction of its intent). With the breaker closed, a bank that is not healthy moves
//   toward a floor of degraded_floor_fraction of its intent (never 0: a trickle keeps recovery
//   observable) while its rows since the breaker last changed show at least degrade_enter soft
//   failures, back toward its intent once they show at most degrade_leave, and holds in between (held while there are fewer than
//   probe_min_requests); a healthy bank moves toward its intent. Moves up are one step per cycle,
//   moves down at most the guardrail's bound, so weight returns gradually and never drifts.
// * Retry policy. Transient trouble (>= transient_share of soft failures are GATEWAY_TIMEOUT or
//   RATE_LIMITED, with the bank degraded but its breaker closed) -> `low` (one quick retry is enough:
//   a retry goes to another bank, more retries only add latency and load). A hard outage needs no
//   retry change: the open breaker already stops retries onto the bank, and the bank's own policy
//   keeps failing payments moving to the others. A healthy bank the agent had changed gets the policy
//   it had before the agent's change back.
// * Chaos safety. chaos_mode on, >= min_payments routable payments in the short window and a
//   payment success rate (hard declines excluded: no routing fixes an issuer's decline) below
//   chaos_abort_below -> chaos off. The floor is the operator's own instruction, so this one rule
//   does not wait out the operator cooldown.
// * Operator cooldown. No rule changes a field of a bank (weight, health_status, circuit_breaker,
//   retry_policy) or chaos_mode that a non-agent history entry changed less than operator_cooldown_ms
//   ago. `enabled` is never touched at all.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "agent_actions.h"
#include "config_model.h"
#include "observation.h"

namespace payops {

struct RulesOptions {
  double chaos_abort_below = 0.85;
  std::int64_t min_payments = 20;  // volume needed before the chaos floor is judged
  std::int64_t operator_cooldown_ms = 120'000;
  double degrade_enter = 0.25;
  double degrade_leave = 0.10;
  std::int64_t latency_enter_ms = 4000;
  std::int64_t latency_leave_ms = 2000;
  std::int64_t min_dwell_ms = 60'000;
  std::int64_t probe_min_requests = 5;
  double weight_step_fraction = 0.25;
  double degraded_floor_fraction = 0.10;
  double transient_share = 0.5;
};

// A learn verdict that asks for a stronger response on a bank (see learn.h).
struct Escalation {
  std::string bank_id;
  std::string why;
};

struct Decision {
  std::vector<Action> actions;     // in the order to apply
  std::vector<std::string> notes;  // the reasoning, one line per bank/rule that looked at something
};

Decision decide_rules(const Config& config, const Observation& obs, const RulesOptions& options,
                      const std::vector<Escalation>& escalations = {});

// --- The agent's memory, read back from agent_history (shared with learn and the LLM reasoner) ---

// The newest history entry that changed a path starting with `path_prefix` (e.g.
// "banks.bank_b.circuit_breaker.state"), by any actor; nullptr if none.
const HistoryEntry* last_change(const Config& config, std::string_view path_prefix);
// True when a non-agent (operator) entry changed `path_prefix` within cooldown_ms before now.
bool operator_changed_recently(const Config& config, std::string_view path_prefix, TimeMs now_ms,
                               std::int64_t cooldown_ms);
// The operator's intended weight per bank id: per bank, the newest of (a) an operator entry that set
// banks.ID.weight (its "after"), (b) an agent reroute_traffic entry's details.intended[ID] (what the
// agent believed the intent was when it first moved weight, carried forward by every reroute);
// with neither, the current weight (nobody has moved it, so it is the intent).
std::map<std::string, std::int64_t> intended_weights(const Config& config);

}  // namespace payops
