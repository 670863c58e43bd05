// The deterministic reasoner: from one Observation and the current config (whose agent_history and
// breaker fields are the agent's whole memory) to a list of actions, each with a reason that names
// its numbers. Stateless: the same inputs give the same decisions, so cron runs and a daemon agree.
//
// Words. A bank's FAULTS are its soft failures other than RATE_LIMITED; its fault rate is faults over
// the attempts it served (attempts - RATE_LIMITED). RATE_LIMITED is a LOAD signal, never a health
// verdict: it feeds the bank's learned capacity (observation.h, learned_capacity_per_s) and nothing
// else. A SLOW call takes >= max(slow_call_floor_ms, slow_peer_factor x the median of its peers'
// short-window p50): far above what the other banks answer in. The EVIDENCE for a bank is its rows
// since its breaker last changed state, never older than the short window, so failures from before a
// close cannot reopen it. A SILENT bank's attempts stopped finishing while its peers' go on (silence.h:
// far fewer rows in the last 2 s than its share of the 4 s before predicts, beyond what chance can
// explain, while the peers' own rate holds): its attempts hang, seconds before the slow rows or
// timeouts that prove it arrive. A bank whose attempts CRAWL counts as silent too (silence.h,
// bank_crawling: counted by start, fewer than half of its attempts of the last 2 s that have had the
// slow-call threshold to finish did so, against its share of the starts in the 4 s before, beyond
// chance): a 2.5 s-median bank still finishes its share of rows in any 2 s. Silence is judged only on
// a bank whose weight, breaker and health nobody changed within those 6 s.
// An OUTLIER fails more than its peers AND than it used to: its fault rate in the evidence is >=
// outlier_margin above both the pooled fault rate of the other enabled banks with a closed breaker
// (short window) and its own norm (the long window before the short one), each over >= 100 served
// attempts, and so many faults are beyond chance at the higher of those two rates (Poisson tail <
// outlier_alpha: a thin bank's 3 faults in 20 are not a verdict). When its success CHANGED within the
// evidence (change_point.h, searched over the long window so the calm seconds before count), the
// evidence is its attempts STARTED since the change, >= 40 of them: a window-wide rate dilutes a
// fresh degradation with the seconds before it (slow_degradation: 15% faults took the whole 6 s
// window to show 10 points), and by start, the timeouts of attempts sent before a cut of its share
// are not mistaken for a change (drift, seed 6).
// It catches the bank that degrades below the absolute thresholds (15% more errors than usual
// costs every customer routed there, though 22% faults is under degrade_enter); a bank that is
// always a little worse than the others (a few points) is its operator's choice, not an incident.
//
// The rules, in the order they decide, per enabled bank (disabled banks are the operator's):
// 1. Operator cooldown. No rule writes a field that a non-agent history entry changed less than
//    operator_cooldown_ms ago. The protection is exact: a change to banks.X.circuit_breaker.state (or
//    to an object containing it, like banks.X) protects the breaker state; a change to a sibling such
//    as open_duration_s or failure_threshold protects nothing (the operator tuned the rule, not the
//    verdict). Protected fields: kAgentFields. `enabled` is never touched at all.
// 2. Breaker (eject what is dead).
//    closed -> open: failure_threshold trailing faults in the evidence, or a fault rate above
//    failure_rate_threshold with >= min_requests served attempts, or a BURST (more than
//    failure_rate_threshold, and more than 1 - serving_min_success, of its newest min_requests
//    served attempts are faults: it has all but stopped serving; beyond chance at
//    the higher of its peers' fault rate and its norm: stragglers, attempts started before an outage
//    that succeed after it began, end the trailing run), or silence (every customer routed
//    to a hanging bank waits out a timeout), or a learn escalation on a healthy bank. Subject to the ejection cap and panic mode (like Envoy's max_ejection_percent and panic
//    threshold): at most max(1, max_ejection_fraction x enabled banks) banks are ejected (breaker open
//    or down) at once, and no breaker opens when every other eligible bank is failing too (panic:
//    ejecting would only pile the load onto failing banks; the failure is not one bank's). Nor does
//    one open in a CAPACITY PANIC: the bank still succeeds on >= serving_min_success of its served
//    attempts, every other eligible bank with a closed breaker has a learned ceiling (a half_open one
//    is on trial, no room to plan on), and those ceilings sum below the attempts per second (its traffic would become RATE_LIMITED and retry storms elsewhere, worse
//    than a bank that still serves some; the weight rule keeps it at its floor). The guardrail
//    refuses any action that would leave zero eligible routes.
//    open -> half_open: after the hold, open_duration_s x the number of opens of this breaker within
//    the long window, at most max_hold_multiplier (2): a bank that keeps tripping stays out longer,
//    but a long outage does not compound the hold without limit. On half_open the bank's weight is
//    set so its probes flow at >= min_probe_rate_per_s (not a trickle of a floor weight), and at
//    least at its slow-start weight (one step of its intent), not at its intent: each probe into a
//    bank still down is a failed first attempt, and a close then starts right at slow start. At
//    least its intent, though, when the other eligible banks' learned ceilings sum below the
//    attempts per second (the load it does not take would be refused there). A `down` bank becomes
//    `degraded` so the probes can flow.
//    half_open -> open: failure_threshold trailing faults, or a fault rate above the threshold over
//    >= probe_min_requests probes, or >= min_requests probes not healthy enough to close (between
//    the thresholds: it is not left probing), or probes that HANG (fewer than a quarter of the probes its
//    share predicts have finished, beyond chance: silence.h completion_since), except in a capacity
//    panic (then closed, at its floor weight).
//    half_open -> closed: >= probe_min_requests probes with a fault rate at most half the threshold
//    and a slow-call rate at most slow_leave, and its probes FINISHING at >= 3/4 of the rate its
//    share predicts (the probes that finish first are the fast ones: a hanging bank's survivors look
//    healthy).
// 3. Health, with hysteresis and dwell.
//    healthy -> degraded: its breaker opened; or (after min_dwell) it is silent or an outlier; or the short window has >= min_requests
//    served attempts with a fault rate >= degrade_enter and the long window agrees at >= half of it;
//    or the bank is SLOW: slow-call rate >= slow_enter over >= max(min_requests, 50) attempts (rows
//    are written when attempts finish, so a thin window over-represents the slow ones), or p95 >=
//    latency_enter_ms in both windows; no slow verdict (here or in rule 4) while the peers' own rate
//    falls (traffic ending: the last rows are the slow tail of earlier starts). Within 10 s of a cut
//    of its weight, both are judged on the attempts started since the cut: the rows that finish
//    then are the slow tail of the larger share before it.
//    degraded -> healthy: after min_dwell, breaker closed, not silent, >= probe_min_requests served
//    attempts in the short window with fault rate <= degrade_leave, slow-call rate <= slow_leave and
//    p95 < latency_leave_ms; and when it was degraded as an OUTLIER, its faults since that verdict
//    rule out (Poisson tail < outlier_leave_alpha) a fault rate of its peers' + outlier_leave_margin:
//    an outlier is a few points worse than its peers, well under degrade_leave, so that threshold
//    alone would call it healthy on a lucky handful of exploration attempts while it is still worse
//    (drift, seed 1: degraded at 13.8% faults, "healthy" on 1 fault in 32, still at +5 points).
//    degraded -> down: only on a learn escalation, and only with the breaker closed (open
//    or probing, a failed probe is already answered by a longer hold: a `down` then would be undone at
//    the next probe, one verdict per flap). down -> half_open probing after the dwell.
// 4. Weights (one reroute per cycle for every bank that moves; moves up at most one step of
//    weight_step_fraction of the intent per cycle, moves down at most the guardrail's bound).
//    The reference is the operator's intended weight (intended_weights); the agent returns to it.
//    * Breaker open or half_open: the breaker governs the traffic; the weight is left alone (except
//      the probe weight set when it goes half_open).
//    * Breaker closing this cycle: slow start (as Envoy and HAProxy do) at twice the weight that
//      carried its probes (weight x half_open_traffic_ratio), at most one step of its intent; then,
//      while it is not healthy again, it moves up by at most its own weight per cycle (doubling)
//      and one step of its intent. From a probe weight of 25 of a 50 intent: 5, 10, 20, 33, 46, 50,
//      5 cycles. One step of its intent at once and step-wise up (4 cycles) when the others cannot
//      take the traffic it does not (their learned ceilings, or 1.25x their peak served second).
//    * Failing, an outlier or slow in the evidence (fault rate >= degrade_enter, or slow-call rate >= slow_enter
//      over >= 50 attempts; judged over >= min_requests attempts for a healthy bank, >=
//      probe_min_requests otherwise): toward a floor of the weight that keeps watch_rate_per_s
//      first attempts on it (to see it recover), at most degraded_floor_fraction of its intent (that
//      fraction when the others cannot take what it sheds), or of 1 when it is only slow (it succeeds, so 1 shows its recovery, and each first attempt it
//      takes is a slow payment) (never 0: a trickle keeps recovery observable). Silent: to 1 at
//      once, like a slow bank, before the rows that prove its slowness arrive. Back toward the
//      reference once fault rate <= degrade_leave, slow-call rate <= slow_leave and its attempts
//      since its weight was last set finish at >= 3/4 of the rate its share predicts
//      (completion_since, >= 5 due); held in between. This holds whatever the health verdict says:
//      `degraded` for slowness moves weight like failures do.
//    * Otherwise the reference: the intent, or with routing_rules.success_rate_routing enabled the
//      success-rate allocation (rule 5).
//    * Capacity: no bank's projected load (its share x the attempts per second in the short window)
//      may exceed capacity_headroom x its learned capacity; the excess goes to banks with room
//      (water-filling), never to a bank faulting above its breaker's threshold. A bank that never
//      rate-limited has no known ceiling: it takes at most 1 + unknown_growth times its peak served
//      second of the short window (it ramps up cycle by cycle until it rate-limits, instead of being
//      handed the whole excess at once). A capacity move within max(2, 10% of the weight) of the
//      current weight holds instead (the attempts per second wobble; a weight should not).
// 5. Success-rate routing (steady state, opt-in). Among the healthy banks with a closed breaker:
//    recency-weighted success rate (half-life half_life_s, RATE_LIMITED and hard declines excluded)
//    over its rows since its latest CHANGE POINT (change_point.h: the split of its seconds where its
//    success changed, log-likelihood ratio >= sr_change_llr, >= sr_min_samples attempts each side)
//    ranks them: a bank whose success just fell or rose is judged on what it does since, however
//    thin the traffic its new rank leaves it; the best_banks best (default 1) share 1 - exploration_share in proportion to their intents, the
//    others share exploration_share likewise (at least weight 1 each, so none starves). A bank in the
//    current best set keeps its place unless another beats it by sr_switch_margin (no flapping on
//    noise). Banks with fewer than sr_min_samples weighted attempts keep their reference weight.
// 6. Retry policy. Transient trouble (>= degrade_enter soft failures, >= transient_share of them
//    GATEWAY_TIMEOUT or RATE_LIMITED, breaker closed, and the bank degraded or refusing >=
//    degrade_enter of its attempts for load) -> `low` (one quick retry onto another bank beats more
//    load on this one), when another routable bank with a closed breaker is not failing. Without one
//    a retry can only come back: a bank refusing >= degrade_enter of its attempts for load then gets
//    `high` (5 retries, 2 s backoff: a refused attempt is served a few seconds later, when the burst
//    has passed), any other trouble keeps its policy. last_route, default seed: eventual success
//    70.1% with `low`, 81.6% kept `normal`, 93.2% with 4 x 2 s, against 89.8% with no agent. A healthy bank the agent had changed gets the policy it had before the
//    agent's change back once its soft failures are <= degrade_leave.
// 7. Chaos safety. chaos_mode on, >= min_payments routable payments in the short window and a
//    payment success rate (hard declines excluded) below chaos_abort_below -> chaos off. The floor is
//    the operator's own instruction, so this one rule does not wait out the operator cooldown.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/agent_actions.h"
#include "contract/config_model.h"
#include "agent/observation.h"
#include "agent/silence.h"

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
  // Ejection cap and panic (rule 2).
  double max_ejection_fraction = 0.5;
  std::int64_t max_hold_multiplier = 2;
  double min_probe_rate_per_s = 2.0;
  // A failing bank keeps at least this many first attempts per second, to see it recover (rule 4).
  double watch_rate_per_s = 1.0;
  // Capacity panic (rule 2): a bank succeeding on at least this share of its served attempts stays in
  // when the other banks' learned ceilings cannot carry the traffic.
  double serving_min_success = 0.25;
  // Slowness (rules 3, 4).
  std::int64_t slow_call_floor_ms = 1500;
  double slow_peer_factor = 4.0;
  double slow_enter = 0.25;
  double slow_leave = 0.10;
  // Outlier (rules 3, 4): a fault rate this far above its peers' and its norm, beyond chance
  // (Poisson tail < outlier_alpha).
  double outlier_margin = 0.05;
  double outlier_alpha = 1e-6;
  // An outlier verdict is withdrawn only when the faults since it rule out, at this tail
  // probability, a fault rate outlier_leave_margin above its peers' (rule 3, degraded -> healthy).
  double outlier_leave_margin = 0.05;
  double outlier_leave_alpha = 0.01;
  // Silence (rules 3, 4; silence.h): attempts that stop finishing are the first sign of a hang.
  SilenceOptions silence;
  // Capacity (rule 4): the share of a learned ceiling the agent plans to use.
  double capacity_headroom = 0.8;
  // A bank with no learned ceiling takes at most this much more than its peak served second.
  double unknown_growth = 0.25;
  // Success-rate routing (rule 5).
  double sr_min_samples = 30.0;
  double sr_switch_margin = 0.005;
  double sr_change_llr = 8.0;  // a change point's log-likelihood ratio (change_point.h)
};

// The bank fields the agent writes, relative to banks.ID: an operator's change to one of them (or to
// an object that contains it) is protected for operator_cooldown_ms.
inline constexpr std::array<std::string_view, 8> kAgentFields = {
    "weight", "health_status", "circuit_breaker.state", "retry_policy.level", "retry_policy.max_retries",
    "retry_policy.backoff_ms", "retry_policy.backoff_multiplier", "retry_policy.max_backoff_ms"};

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
// True when a non-agent (operator) entry changed `field_path` itself, or an object containing it
// ("banks.b" contains "banks.b.weight"), within cooldown_ms before now. A change to a sibling or a
// child does not count: "banks.b.circuit_breaker.open_duration_s" does not protect
// "banks.b.circuit_breaker.state".
bool operator_changed_recently(const Config& config, std::string_view field_path, TimeMs now_ms,
                               std::int64_t cooldown_ms);
// The operator's intended weight per bank id: per bank, the newest of (a) an operator entry that set
// banks.ID.weight (its "after"), (b) an agent reroute_traffic entry's details.intended[ID] (what the
// agent believed the intent was when it first moved weight, carried forward by every reroute);
// with neither, the current weight (nobody has moved it, so it is the intent).
std::map<std::string, std::int64_t> intended_weights(const Config& config);

// --- Rule pieces, exposed for their unit tests ---

// The slow-call threshold for bank_id: max(floor, factor x median short-window p50 of the other
// enabled banks with >= min_requests attempts); the floor alone when no peer has volume.
std::int64_t slow_call_threshold_ms(const Config& config, const Observation& obs, std::string_view bank_id,
                                    const RulesOptions& options);
// Recency-weighted success rate of a bank over the long window: each attempt weighs
// 2^(-age / half_life); RATE_LIMITED and hard declines are left out. {rate, weighted attempts}.
struct WeightedRate {
  double rate = 0;
  double samples = 0;
};
// since_ms (clamped to the long window) starts the rows counted: rule 5 passes a change point.
WeightedRate recency_success_rate(const Observation& obs, std::string_view bank_id, std::int64_t half_life_ms,
                                  std::optional<TimeMs> since_ms = std::nullopt);
// Splits `total` over banks by `share` (summing to 1) with the capacity caps (share limit per bank,
// > 1 when none): the water-filling of rule 4. Returns shares summing to 1 (or less when every bank
// is capped: then the remainder is spread in proportion, there is nowhere better to send it).
std::map<std::string, double> cap_shares(std::map<std::string, double> share,
                                         const std::map<std::string, double>& cap);

}  // namespace payops
