// The drill scorecard: how much of the possible healing the agent achieved, as customers feel it.
// Reads a drill's transactions.csv (with the agent), the same traffic without the agent (baseline)
// and with a capacity-aware hindsight router (oracle, `simulator --oracle`), the agent_history, the
// incident script and config samples taken during the drill. The headline is the gap captured,
// (agent - baseline) / (oracle - baseline), per payment-level metric over the payments started in the
// incident window; the bars turn it into a verdict (exit 5 when one fails).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "contract/config_model.h"
#include "report/payment_metrics.h"
#include "platform/result.h"
#include "platform/time_util.h"
#include "routing/world.h"

namespace payops {

// The stable bar keys, in the order the bars are printed.
inline constexpr std::array<std::string_view, 12> kBarKeys = {
    "first_attempt_gap", "p95_gap", "eventual_floor", "detect", "mitigate", "flaps",
    "zero_eligible", "config_valid", "double_charges", "malformed", "false_alarms", "gain"};
// The bars a drill may mark `--known-short KEY`: those with a known-short floor (Scorecard::Bar::floor).
// Safety, flap and false-alarm bars have none: a drill cannot excuse a double charge.
inline constexpr std::array<std::string_view, 6> kKnownShortKeys = {
    "first_attempt_gap", "p95_gap", "eventual_floor", "detect", "mitigate", "gain"};
bool is_bar_key(std::string_view key);
bool is_known_short_key(std::string_view key);

struct ScoreInputs {
  std::string log_path;              // the drill's log, written with the agent running
  std::string baseline_log_path;     // the same traffic and incidents, no agent ("" : not given)
  std::string oracle_log_path;       // the same, routed by `simulator --oracle` ("" : not given)
  // The same, by `simulator --oracle --oracle-lag <agent interval>`: the oracle one cycle late, what
  // is reachable from the log (docs/oracle.md). "" : not given. Reported, never a bar.
  std::string late_oracle_log_path;
  std::vector<Incident> incidents;   // offsets from run_start_ms
  TimeMs run_start_ms = 0;
  std::optional<TimeMs> run_end_ms;  // default: the last row's timestamp
  std::vector<HistoryEntry> history; // agent_history, archive included, oldest first
  std::string samples_path;          // JSON lines of `config-tool show --json` (or {"invalid":...}); "" : none
  std::int64_t agent_interval_ms = 10000;

  // Bars.
  double min_first_attempt_gap = 0.90;  // gap captured on first-attempt success
  double min_p95_gap = 0.80;            // gap captured on payment latency p95
  double min_oracle_ratio = 0.98;       // eventual_floor: incident eventual success >= this x oracle's
  std::string bar_reason;               // why this drill sets its own bars (printed with them)
  std::set<std::string> known_short;    // bar keys this drill is known to miss
  // The no-fault control: no incident; the bars are no health or breaker change by the agent and a
  // whole-run first-attempt success at least the baseline's.
  bool calm = false;
  // The gain bar: whole-run first-attempt success >= the baseline's + this many percentage points.
  std::optional<double> min_first_attempt_gain_points;
  std::int64_t detect_cycles = 2;    // first action on the affected bank within this many cycles
  // Detection is timed from this offset instead of the first incident's start (a slow degradation
  // is only detectable once it is bad).
  std::optional<std::int64_t> detect_from_offset_ms;
  // The flap bar: at most this many health changes per bank instead of the incident's edge count.
  std::optional<std::int64_t> max_health_changes;
  // Slack added to the detection bar for the observation window to fill and the log to flush.
  std::int64_t detect_slack_ms = 2000;
};

// One run's payment-level metrics: over the payments started in the incident window, and over the
// whole run.
struct RunMetrics {
  bool present = false;
  PaymentMetrics incident, whole_run;
};

// Gap captured on one metric: (agent - baseline) / (oracle - baseline). For metrics where lower is
// better the same formula holds (both differences change sign). No value when the oracle is no
// better than the baseline (no room to heal: the bar cannot be judged) or a run is missing.
struct MetricGap {
  std::string key;    // "first_attempt_success", "latency_p95_ms", ...
  std::string label;  // for people
  bool higher_is_better = true;
  double agent = 0, baseline = 0, oracle = 0;
  std::optional<double> captured;
  std::string why_none;  // when !captured
};

// What is reachable from the log, on one metric: the oracle one agent cycle late knows every
// incident exactly but learns each change one cycle after it happens, the soonest a cycle can act
// on an incident's first row. late_share: its share of the full gap (what the first cycle of every
// incident change is worth is the rest); captured: the agent's share of the late oracle's gap.
struct ReachableGap {
  std::string key, label;
  double late_oracle = 0;
  std::optional<double> late_share, captured;
  std::string why_none;  // when !captured
};

struct BankScore {
  std::string bank_id;
  std::int64_t health_changes = 0;   // health_status transitions the agent made
  std::int64_t breaker_changes = 0;  // circuit_breaker.state transitions the agent made
  std::int64_t incident_edges = 0;   // starts and ends of the incidents on this bank (flap: each flip)
};

// Detect, mitigate, recover: from the files only. Each is measured from the same origin as detection
// (the incident's start, or --detect-from), so mitigate >= detect always.
struct Timeline {
  std::optional<std::int64_t> detect_ms;    // first agent action touching an affected bank
  std::optional<std::int64_t> mitigate_ms;  // affected banks' first-attempt share below half the pre-incident share
  std::optional<std::int64_t> recover_ms;   // after the incident ends: weight, health, breaker back to intent
  std::string detect_note, mitigate_note, recover_note;  // why a time is missing
};

struct Scorecard {
  RunMetrics agent, baseline, oracle, late_oracle;
  std::vector<MetricGap> gaps;  // over the incident window; first_attempt_success first
  std::vector<ReachableGap> reachable;  // first-attempt success and p95, when the late oracle ran
  std::int64_t late_oracle_lag_ms = 0;
  Timeline timeline;
  std::vector<BankScore> banks;
  std::uint64_t double_charges = 0;   // payments with more than one success row
  std::uint64_t malformed_rows = 0;
  std::uint64_t samples = 0, invalid_samples = 0, zero_eligible_samples = 0;
  TimeMs incident_start_ms = 0, incident_end_ms = 0;
  bool calm = false;
  std::string bar_reason;

  struct Bar {
    std::string key;   // one of kBarKeys
    std::string name;  // for people
    bool passed = false;
    // Marked known-short by the drill AND at or above its floor: the bar fails without failing the
    // verdict. A mark on a bar below its floor leaves this false (the bar fails and says why).
    bool known_short = false;
    std::string detail;
    // The known-short floor: what a marked bar must still reach, so that an agent that does nothing
    // never passes a drill. Half the bar for the gap and gain bars, "happened at all" for detect and
    // mitigate, "no worse than no agent" for eventual_floor; a gap that cannot be judged (no incident,
    // or an oracle no better than the baseline) meets it. Bars without a floor cannot be marked.
    bool floor_met = false;
    std::string floor = {};  // the floor in words, "" for a bar that has none
  };
  std::vector<Bar> bars;
  // Every bar passed, or failed while marked known-short.
  bool passed() const;
  // "PASS", "PASS (known-short: ...)" or "FAIL".
  std::string verdict() const;
  const MetricGap* gap(std::string_view key) const;
};

// Errors: a log, baseline, oracle or samples file that cannot be read (the message names it).
Result<Scorecard> compute_scorecard(const ScoreInputs& inputs);
Json scorecard_to_json(const Scorecard& s);
std::string scorecard_to_text(const Scorecard& s);

// agent_history.jsonl (archived entries, oldest first) followed by the config's list.
Result<std::vector<HistoryEntry>> load_full_history(const std::string& config_path,
                                                    const std::string& archive_path);

// A gap captured as people read it: "76%" (never "-0%").
std::string gap_percent(double captured);

// --- pieces, exposed for tests ---
// How far apart two runs' values may lie by chance alone; 0 = no estimate (then only a relative
// 0.1% counts as no room).
struct ChanceRoom {
  double value = 0;
  std::uint64_t payments = 0;  // the smaller run's, for the explanation
};
// Two standard errors of the difference of two proportions (p_b over n_b payments, p_o over n_o).
// Runs of one seed share their luck (common random numbers) and are closer than that, so this is a
// conservative bound: an oracle edge inside it could be luck, and a ratio over it would mean nothing.
ChanceRoom proportion_chance_room(double p_b, std::uint64_t n_b, double p_o, std::uint64_t n_o);
MetricGap metric_gap(std::string key, std::string label, bool higher_is_better, double agent, double baseline,
                     double oracle, ChanceRoom chance = {});
// The gaps of the agent against baseline and oracle over the incident window.
std::vector<MetricGap> metric_gaps(const PaymentMetrics& agent, const PaymentMetrics& baseline,
                                   const PaymentMetrics& oracle);

// Against the late oracle, for the headline metrics of `full` (the gaps against the oracle).
std::vector<ReachableGap> reachable_gaps(const std::vector<MetricGap>& full, const PaymentMetrics& agent,
                                         const PaymentMetrics& baseline, const PaymentMetrics& late_oracle);

struct TimelineInputs {
  const PaymentLog* agent_log = nullptr;
  const PaymentLog* baseline_log = nullptr;  // optional: the operator's shares when no pre-incident traffic
  std::vector<std::string> affected_banks;
  TimeMs incident_start_ms = 0, incident_end_ms = 0;
  TimeMs origin_ms = 0;  // what the times count from (incident start or --detect-from)
  const std::vector<HistoryEntry>* history = nullptr;
  bool any_change_detects = false;  // no single affected bank ("*"): any agent change counts
};
Timeline compute_timeline(const TimelineInputs& in);

// Appends the bars the inputs ask for (scorecard_bars.cpp).
void add_bars(const ScoreInputs& in, Scorecard& s);

}  // namespace payops
