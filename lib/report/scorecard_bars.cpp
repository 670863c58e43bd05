// The scorecard's bars: what a drill must reach to pass. Each bar has a stable key (kBarKeys) a drill
// can mark known-short; a bar that cannot be judged (no payments in the window, an oracle no better
// than the baseline, a run not given) fails and says why, so a check that cannot fail never passes.
#include <algorithm>

#include <fmt/format.h>

#include "report/scorecard.h"
#include "platform/terminal.h"

namespace payops {
namespace {


// Why the gap bars cannot be judged, or "" when they can.
std::string gap_unjudgeable(const ScoreInputs& in, const Scorecard& s) {
  if (in.incidents.empty()) return "no incident was given (a no-fault run is scored with --calm)";
  if (!s.baseline.present || !s.oracle.present) return "the gap needs both --baseline and --oracle logs";
  if (s.agent.incident.payments == 0) return "no payment started in the incident window in the agent's log";
  if (s.baseline.incident.payments == 0 || s.oracle.incident.payments == 0)
    return "no payment started in the incident window in the baseline's or the oracle's log";
  return "";
}

Scorecard::Bar gap_bar(const ScoreInputs& in, const Scorecard& s, std::string key, std::string name,
                       std::string_view metric, double min_gap, bool percent_metric) {
  Scorecard::Bar bar{std::move(key), std::move(name), false, false, gap_unjudgeable(in, s)};
  bar.floor = fmt::format("{:.0f}% of the gap (half the bar)", min_gap * 50);
  if (!bar.detail.empty()) {
    bar.floor_met = in.incidents.empty();  // no incident window: nothing the agent could be judged on
    if (bar.floor_met) bar.floor = "no incident window to judge";
    return bar;
  }
  const MetricGap* g = s.gap(metric);
  const auto value = [&](double v) { return percent_metric ? format_percent(v) : fmt::format("{:.0f} ms", v); };
  const std::string figures = g ? fmt::format("agent {}, baseline {}, oracle {}", value(g->agent), value(g->baseline),
                                              value(g->oracle))
                                : std::string();
  if (!g || !g->captured) {
    bar.detail = g ? fmt::format("{} ({})", g->why_none, figures) : "no gap was computed";
    bar.floor_met = g != nullptr;  // the oracle had no room: no gap to fall short of
    if (bar.floor_met) bar.floor = "no gap to fall short of";
    return bar;
  }
  bar.passed = *g->captured >= min_gap;
  bar.floor_met = *g->captured >= min_gap / 2;
  bar.detail = fmt::format("{} of the gap captured, bar {:.0f}% ({})", gap_percent(*g->captured), min_gap * 100, figures);
  // Short of the bar: how much of the gap was reachable from the log, and how much of that the agent took.
  for (const ReachableGap& r : s.reachable)
    if (!bar.passed && r.key == metric && r.late_share && r.captured)
      bar.detail += fmt::format("; the oracle one cycle late reaches {} of the gap, the agent {} of that",
                                gap_percent(*r.late_share), gap_percent(*r.captured));
  return bar;
}

void flap_bars(const ScoreInputs& in, Scorecard& s) {
  for (const auto& b : s.banks) {
    const std::int64_t allowed = in.max_health_changes.value_or(std::max<std::int64_t>(b.incident_edges, 0));
    s.bars.push_back({"flaps", fmt::format("no flapping on {}", b.bank_id), b.health_changes <= allowed, false,
                      fmt::format("{} health changes <= {}", b.health_changes, allowed)});
  }
}

void incident_bars(const ScoreInputs& in, Scorecard& s) {
  s.bars.push_back(gap_bar(in, s, "first_attempt_gap", "first-attempt success: gap captured", "first_attempt_success",
                           in.min_first_attempt_gap, true));
  s.bars.push_back(gap_bar(in, s, "p95_gap", "payment latency p95: gap captured", "latency_p95_ms", in.min_p95_gap, false));

  Scorecard::Bar floor{"eventual_floor", "eventual success near the oracle's", false, false, {}};
  floor.floor = "the baseline's eventual success (no worse than no agent)";
  if (!s.oracle.present || s.oracle.incident.payments == 0 || s.agent.incident.payments == 0) {
    floor.detail = "needs an oracle log and payments started in the incident window";
    floor.floor_met = in.incidents.empty();  // no incident window (chaos): nothing to judge
    if (floor.floor_met) floor.floor = "no incident window to judge";
  } else {
    // The reference is the better of the oracle's and the baseline's: an oracle that gives payments up
    // (last_route) must not let an agent do worse than no agent at all.
    const double oracle = s.oracle.incident.eventual_success();
    const double baseline = s.baseline.present ? s.baseline.incident.eventual_success() : 0.0;
    const double need = in.min_oracle_ratio * std::max(oracle, baseline);
    floor.passed = s.agent.incident.eventual_success() >= need;
    if (s.baseline.present)
      floor.floor = fmt::format("the baseline's {} (no worse than no agent)", format_percent(s.baseline.incident.eventual_success()));
    floor.floor_met = s.baseline.present && s.agent.incident.eventual_success() >= s.baseline.incident.eventual_success();
    floor.detail = baseline > oracle
                       ? fmt::format("{} >= {:.0f}% of the baseline's {}, above the oracle's {} ({})",
                                     format_percent(s.agent.incident.eventual_success()), in.min_oracle_ratio * 100,
                                     format_percent(baseline), format_percent(oracle), format_percent(need))
                       : fmt::format("{} >= {:.0f}% of the oracle's {} ({})", format_percent(s.agent.incident.eventual_success()),
                                     in.min_oracle_ratio * 100, format_percent(oracle), format_percent(need));
  }
  s.bars.push_back(floor);

  if (in.incidents.empty()) {  // no scripted incident: nothing to detect or mitigate
    flap_bars(in, s);
    return;
  }
  const std::int64_t bar_ms = in.detect_cycles * in.agent_interval_ms + in.detect_slack_ms;
  const auto& t = s.timeline;
  s.bars.push_back({"detect", fmt::format("detection within {} agent cycles", in.detect_cycles),
                    t.detect_ms && *t.detect_ms <= bar_ms, false,
                    t.detect_ms ? fmt::format("{:.1f} s <= {:.1f} s", double(*t.detect_ms) / 1000, double(bar_ms) / 1000)
                                : t.detect_note,
                    t.detect_ms.has_value(), "an agent action on the affected bank at some point"});
  const bool single_bank = std::any_of(in.incidents.begin(), in.incidents.end(),
                                       [](const Incident& i) { return i.bank_id != "*"; });
  if (single_bank) {
    const std::int64_t window_ms = s.incident_end_ms - s.incident_start_ms;
    s.bars.push_back({"mitigate", "traffic moved off the affected bank during the incident",
                      t.mitigate_ms && *t.mitigate_ms <= window_ms, false,
                      t.mitigate_ms ? fmt::format("share below half its normal after {:.1f} s (incident lasts {:.1f} s)",
                                                  double(*t.mitigate_ms) / 1000, double(window_ms) / 1000)
                                    : t.mitigate_note,
                      t.mitigate_ms.has_value(), "the bank's share below half its normal at some point"});
  }
  flap_bars(in, s);
}

// Whole-run first-attempt success against the baseline's plus a margin (the drift and calm drills).
Scorecard::Bar gain_bar(const Scorecard& s, double points) {
  Scorecard::Bar bar{"gain", fmt::format("whole-run first-attempt success at least the baseline's + {:.1f} points", points),
                     false, false, {}};
  if (!s.baseline.present || s.baseline.whole_run.payments == 0 || s.agent.whole_run.payments == 0) {
    bar.detail = "needs a baseline log and payments in both runs";
    return bar;
  }
  const double agent = s.agent.whole_run.first_attempt_success(), base = s.baseline.whole_run.first_attempt_success();
  bar.passed = agent >= base + points / 100;
  bar.floor = fmt::format("+{:.1f} points (half the bar)", points / 2);
  bar.floor_met = points > 0 && agent >= base + points / 200;
  bar.detail = fmt::format("agent {}, baseline {}, difference {:+.1f} points", format_percent(agent), format_percent(base), (agent - base) * 100);
  return bar;
}

void safety_bars(Scorecard& s) {
  s.bars.push_back({"zero_eligible", "never zero eligible banks", s.zero_eligible_samples == 0, false,
                    fmt::format("{} of {} samples had none", s.zero_eligible_samples, s.samples)});
  s.bars.push_back({"config_valid", "config valid at every sample", s.invalid_samples == 0, false,
                    fmt::format("{} of {} samples invalid", s.invalid_samples, s.samples)});
  s.bars.push_back({"double_charges", "no double charges", s.double_charges == 0, false,
                    fmt::format("{} payments charged twice", s.double_charges)});
  s.bars.push_back({"malformed", "no malformed rows", s.malformed_rows == 0, false,
                    fmt::format("{} malformed rows", s.malformed_rows)});
}

// A marked bar that fails is excused only at or above its floor; one that passes says its mark can go.
void mark_known_short(const ScoreInputs& in, Scorecard::Bar& b) {
  if (!in.known_short.contains(b.key)) return;
  if (b.passed) {
    b.known_short = true;
    b.detail += "; marked known-short but passed: the mark can go";
  } else if (b.floor_met) {
    b.known_short = true;
    b.detail += fmt::format("; known-short, within its floor: {}", b.floor);
  } else {
    b.detail += b.floor.empty() ? "; marked known-short, but this bar has no floor to be excused at"
                                : fmt::format("; marked known-short, but below its floor of {}", b.floor);
  }
}

}  // namespace

void add_bars(const ScoreInputs& in, Scorecard& s) {
  if (in.calm) {
    std::int64_t changes = 0;
    std::string where;
    for (const auto& b : s.banks) {
      changes += b.health_changes + b.breaker_changes;
      if (b.health_changes + b.breaker_changes > 0)
        where += fmt::format("{}{} ({} health, {} breaker)", where.empty() ? "" : ", ", b.bank_id, b.health_changes,
                             b.breaker_changes);
    }
    s.bars.push_back({"false_alarms", "no false alarms: no health or breaker change by the agent", changes == 0, false,
                      changes == 0 ? std::string("none") : fmt::format("{} changes: {}", changes, where)});
    s.bars.push_back(gain_bar(s, in.min_first_attempt_gain_points.value_or(0)));
  } else {
    incident_bars(in, s);
    if (in.min_first_attempt_gain_points) s.bars.push_back(gain_bar(s, *in.min_first_attempt_gain_points));
  }
  safety_bars(s);
  for (auto& b : s.bars) mark_known_short(in, b);
}

}  // namespace payops
