// The scorecard for people (a table and the bars) and for machines (one JSON object), over the same
// Scorecard.
#include <fmt/format.h>

#include "report/scorecard.h"
#include "platform/terminal.h"

namespace payops {
namespace {

std::string seconds(std::optional<std::int64_t> ms) {
  return ms ? fmt::format("{:.1f} s", double(*ms) / 1000) : std::string("-");
}

std::string figure(const MetricGap& g, double v) {
  if (g.key.ends_with("_ms")) return fmt::format("{:.0f} ms", v);
  if (g.key == "attempts_per_payment") return fmt::format("{:.2f}", v);
  return format_percent(v);
}

Json metrics_json(const PaymentMetrics& m) {
  Json banks = Json::array();
  for (const auto& b : m.banks)
    banks.push_back({{"bank_id", b.bank_id}, {"first_attempts", b.first_attempts}, {"attempts", b.attempts},
                     {"successes", b.successes}, {"soft_failures", b.soft_failures}});
  return Json{{"payments", m.payments},
              {"eventual_success", m.eventual_success()},
              {"first_attempt_success", m.first_attempt_success()},
              {"attempts_per_payment", m.attempts_per_payment()},
              {"latency_p50_ms", m.latency_p50_ms},
              {"latency_p95_ms", m.latency_p95_ms},
              {"latency_p99_ms", m.latency_p99_ms},
              {"payments_with_soft_failure", m.met_soft_failure},
              {"soft_failure_share", m.soft_failure_share()},
              {"no_route_payments", m.no_route},
              {"banks", banks}};
}

Json run_json(const RunMetrics& r) {
  if (!r.present) return nullptr;
  return Json{{"incident", metrics_json(r.incident)}, {"whole_run", metrics_json(r.whole_run)}};
}

Json optional_ms(const std::optional<std::int64_t>& v) { return v ? Json(*v) : Json(nullptr); }

// The runs side by side over the incident window, with the gap captured per metric.
std::string gap_table(const Scorecard& s) {
  Table table({"payments started in the incident", "with agent", "baseline", "oracle", "gap captured"});
  for (std::size_t c = 1; c < 5; ++c) table.align_right(c);
  for (const auto& g : s.gaps)
    table.add_row({g.label, figure(g, g.agent), figure(g, g.baseline), figure(g, g.oracle),
                   g.captured ? gap_percent(*g.captured) : std::string("no room")});
  const auto count = [](const RunMetrics& r) { return r.present ? std::to_string(r.incident.payments) : "-"; };
  table.add_row({"payments", count(s.agent), count(s.baseline), count(s.oracle), ""});
  return table.render();
}

// One line per headline metric: what the oracle one cycle late reached, and the agent's share of it.
std::string reachable_text(const Scorecard& s) {
  if (s.reachable.empty()) return "";
  std::string out = fmt::format("reachable from the log (the oracle {} late: it learns every incident change one agent "
                                "cycle after it happens, the soonest a cycle can act on it):\n",
                                seconds(s.late_oracle_lag_ms));
  for (const ReachableGap& r : s.reachable) {
    const MetricGap* full = s.gap(r.key);
    out += fmt::format("  {}: late oracle {} = {} of the gap; the agent captures {}\n", r.label, figure(*full, r.late_oracle),
                       r.late_share ? gap_percent(*r.late_share) : "-",
                       r.captured ? gap_percent(*r.captured) + " of the late oracle's gap" : "- (" + r.why_none + ")");
  }
  return out;
}

Json reachable_json(const Scorecard& s) {
  if (s.reachable.empty()) return nullptr;
  Json gaps = Json::array();
  for (const ReachableGap& r : s.reachable)
    gaps.push_back({{"metric", r.key}, {"late_oracle", r.late_oracle},
                    {"late_share", r.late_share ? Json(*r.late_share) : Json(nullptr)},
                    {"captured", r.captured ? Json(*r.captured) : Json(nullptr)}, {"why_none", r.why_none}});
  return Json{{"lag_ms", s.late_oracle_lag_ms}, {"gaps", gaps}};
}

std::string whole_run_table(const Scorecard& s) {
  Table table({"whole run", "with agent", "baseline", "oracle"});
  for (std::size_t c = 1; c < 4; ++c) table.align_right(c);
  const auto rate = [](const RunMetrics& r, double (PaymentMetrics::*f)() const) {
    return r.present ? format_percent((r.whole_run.*f)()) : std::string("-");
  };
  table.add_row({"first-attempt success", rate(s.agent, &PaymentMetrics::first_attempt_success),
                 rate(s.baseline, &PaymentMetrics::first_attempt_success), rate(s.oracle, &PaymentMetrics::first_attempt_success)});
  table.add_row({"eventual success", rate(s.agent, &PaymentMetrics::eventual_success),
                 rate(s.baseline, &PaymentMetrics::eventual_success), rate(s.oracle, &PaymentMetrics::eventual_success)});
  const auto count = [](const RunMetrics& r) { return r.present ? std::to_string(r.whole_run.payments) : "-"; };
  table.add_row({"payments", count(s.agent), count(s.baseline), count(s.oracle)});
  return table.render();
}

}  // namespace

Json scorecard_to_json(const Scorecard& s) {
  Json gaps = Json::array();
  for (const auto& g : s.gaps)
    gaps.push_back({{"metric", g.key}, {"label", g.label}, {"higher_is_better", g.higher_is_better},
                    {"agent", g.agent}, {"baseline", g.baseline}, {"oracle", g.oracle},
                    {"captured", g.captured ? Json(*g.captured) : Json(nullptr)}, {"why_none", g.why_none}});
  Json banks = Json::array();
  for (const auto& b : s.banks)
    banks.push_back(Json{{"bank_id", b.bank_id}, {"health_changes", b.health_changes},
                         {"breaker_changes", b.breaker_changes}, {"incident_edges", b.incident_edges}});
  Json bars = Json::array();
  for (const auto& b : s.bars)
    bars.push_back(Json{{"key", b.key}, {"bar", b.name}, {"passed", b.passed}, {"known_short", b.known_short},
                        {"detail", b.detail}});
  const Timeline& t = s.timeline;
  return Json{{"verdict", s.verdict()},
              {"passed", s.passed()},
              {"calm", s.calm},
              {"bar_reason", s.bar_reason},
              {"incident", {{"start", format_timestamp(s.incident_start_ms)}, {"end", format_timestamp(s.incident_end_ms)}}},
              {"agent", run_json(s.agent)},
              {"baseline", run_json(s.baseline)},
              {"oracle", run_json(s.oracle)},
              {"gaps", gaps},
              {"late_oracle", run_json(s.late_oracle)},
              {"reachable", reachable_json(s)},
              {"timeline", {{"detect_ms", optional_ms(t.detect_ms)}, {"mitigate_ms", optional_ms(t.mitigate_ms)},
                            {"recover_ms", optional_ms(t.recover_ms)}, {"detect_note", t.detect_note},
                            {"mitigate_note", t.mitigate_note}, {"recover_note", t.recover_note}}},
              {"banks", banks},
              {"double_charges", s.double_charges},
              {"malformed_rows", s.malformed_rows},
              {"config_samples", {{"total", s.samples}, {"invalid", s.invalid_samples}, {"zero_eligible", s.zero_eligible_samples}}},
              {"bars", bars}};
}

std::string scorecard_to_text(const Scorecard& s) {
  std::string out;
  if (s.calm) {
    out += "scorecard: no-fault control run (--calm)\n";
  } else {
    out += fmt::format("scorecard: incident {} .. {} ({:.1f} s)\n", format_timestamp(s.incident_start_ms),
                       format_timestamp(s.incident_end_ms), double(s.incident_end_ms - s.incident_start_ms) / 1000);
    if (const MetricGap* g = s.gap("first_attempt_success"); g && g->captured)
      out += "gap captured: first-attempt success " + gap_percent(*g->captured);
    if (const MetricGap* g = s.gap("latency_p95_ms"); g && g->captured)
      out += ", payment latency p95 " + gap_percent(*g->captured);
    out += s.gaps.empty() ? "" : "\n";
    out += s.gaps.empty() ? "(no gap: the baseline and oracle logs are both needed)\n" : gap_table(s);
    out += reachable_text(s);
  }
  out += whole_run_table(s);
  if (!s.calm && s.incident_end_ms <= s.incident_start_ms) {
    out += "timeline: no scripted incident, nothing to time\n";
  } else if (!s.calm) {
    const Timeline& t = s.timeline;
    out += fmt::format("timeline: detect {}{}, mitigate {}{}, recover {}{}\n", seconds(t.detect_ms),
                       t.detect_ms ? "" : " (" + t.detect_note + ")", seconds(t.mitigate_ms),
                       t.mitigate_ms ? "" : " (" + t.mitigate_note + ")",
                       t.recover_ms ? seconds(t.recover_ms) + " after the incident ended" : "-",
                       t.recover_note.empty() ? "" : " (" + t.recover_note + ")");
  }
  for (const auto& b : s.banks)
    out += fmt::format("{}: {} health changes, {} breaker changes by the agent, {} incident edges\n", b.bank_id,
                       b.health_changes, b.breaker_changes, b.incident_edges);
  out += fmt::format("double charges: {}   malformed rows: {}   config samples: {} ({} invalid, {} with no eligible bank)\n",
                     s.double_charges, s.malformed_rows, s.samples, s.invalid_samples, s.zero_eligible_samples);
  out += s.bar_reason.empty() ? "bars:\n" : fmt::format("bars (this drill's reason: {}):\n", s.bar_reason);
  for (const auto& b : s.bars) {
    const char* mark = b.passed ? "PASS" : b.known_short ? "KNOWN-SHORT" : "FAIL";
    out += fmt::format("  [{}] {} ({}): {}\n", mark, b.name, b.key, b.detail);
  }
  out += fmt::format("RESULT: {}\n", s.verdict());
  return out;
}

}  // namespace payops
