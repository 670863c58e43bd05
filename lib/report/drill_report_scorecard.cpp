// The drill report's scorecard sections, from scorecard_to_json()'s shape: the 30-second summary the
// page opens with (verdict, timeline, the three runs side by side, payments affected) and the bars.
// Human labels only: no JSON or key names reach the page; every value from the file is escaped.
#include <array>
#include <string_view>

#include <fmt/format.h>

#include "report/drill_report.h"
#include "report/scorecard.h"
#include "platform/terminal.h"

namespace payops {
namespace {

// A value as text: strings as they are, numbers plainly, anything else as "-".
std::string text_of(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number()) return fmt::format("{:.3g}", v.get<double>());
  if (v.is_boolean()) return v.get<bool>() ? "yes" : "no";
  return "-";
}

const Json& field(const Json& object, std::string_view key) {
  static const Json null_json;
  if (!object.is_object()) return null_json;
  const auto it = object.find(key);
  return it == object.end() ? null_json : *it;
}

enum class Unit { percent, ms, ratio };
struct MetricRow {
  std::string_view key;    // in the run's "incident" object and the gaps' "metric"
  std::string_view label;
  Unit unit;
};
constexpr std::array<MetricRow, 7> kMetricRows = {{
    {"first_attempt_success", "First-attempt success", Unit::percent},
    {"latency_p95_ms", "Payment latency p95", Unit::ms},
    {"eventual_success", "Eventual success (after retries)", Unit::percent},
    {"attempts_per_payment", "Attempts per payment", Unit::ratio},
    {"latency_p50_ms", "Payment latency p50", Unit::ms},
    {"latency_p99_ms", "Payment latency p99", Unit::ms},
    {"soft_failure_share", "Payments that met a soft failure", Unit::percent},
}};

std::string metric_text(const Json& v, Unit unit) {
  if (!v.is_number()) return "-";
  const double x = v.get<double>();
  switch (unit) {
    case Unit::percent: return format_percent(x);
    case Unit::ms: return x >= 1000 ? fmt::format("{:.2f} s", x / 1000) : fmt::format("{:.0f} ms", x);
    case Unit::ratio: return fmt::format("{:.2f}", x);
  }
  return "-";
}

std::string seconds_or(const Json& ms, const Json& note, std::string_view suffix = "") {
  if (ms.is_number()) return fmt::format("{:.1f} s{}", ms.get<double>() / 1000, suffix);
  const std::string why = text_of(note);
  return why == "-" || why.empty() ? std::string("not measured") : "not measured (" + html_escape(why) + ")";
}

std::string gap_text(const Json& gaps, std::string_view metric) {
  if (!gaps.is_array()) return "-";
  for (const auto& g : gaps)
    if (text_of(field(g, "metric")) == metric)
      return field(g, "captured").is_number() ? gap_percent(field(g, "captured").get<double>()) : std::string("no room");
  return "-";
}

std::string runs_table(const Json& sc) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kRuns = {
      {{"agent", "With the agent"}, {"baseline", "Baseline (no agent)"}, {"oracle", "Oracle (hindsight)"}}};
  std::string s = "<table class=\"runs\"><tr><th>Payments started during the incident</th>";
  for (const auto& [key, label] : kRuns) s += fmt::format("<th>{}</th>", label);
  s += "<th>Gap captured</th></tr>\n";
  for (const auto& row : kMetricRows) {
    s += fmt::format("<tr><td>{}</td>", row.label);
    for (const auto& [key, label] : kRuns)
      s += fmt::format("<td class=\"num\">{}</td>",
                       html_escape(metric_text(field(field(field(sc, key), "incident"), row.key), row.unit)));
    s += fmt::format("<td class=\"num\">{}</td></tr>\n", html_escape(gap_text(field(sc, "gaps"), row.key)));
  }
  s += "<tr><td>Payments</td>";
  for (const auto& [key, label] : kRuns)
    s += fmt::format("<td class=\"num\">{}</td>", html_escape(text_of(field(field(field(sc, key), "incident"), "payments"))));
  return s + "<td></td></tr>\n</table>\n";
}

// "412 payments started during the incident; with the agent 30 met a soft failure and 9 failed ..."
std::string payments_affected(const Json& sc) {
  const Json& agent = field(field(sc, "agent"), "incident");
  if (!agent.is_object()) return "";
  const auto line = [](const Json& m) {
    const Json& n = field(m, "payments");
    const Json& rate = field(m, "eventual_success");
    const auto failed = n.is_number() && rate.is_number()
                            ? std::llround(n.get<double>() * (1 - rate.get<double>())) : 0;
    return fmt::format("{} met a soft failure, {} did not succeed (issuer declines included)",
                       html_escape(text_of(field(m, "payments_with_soft_failure"))), failed);
  };
  std::string s = fmt::format("<p>Payments affected: {} payments started during the incident. With the agent, {}",
                              html_escape(text_of(field(agent, "payments"))), line(agent));
  if (const Json& b = field(field(sc, "baseline"), "incident"); b.is_object()) s += "; without it, " + line(b);
  if (const Json& o = field(field(sc, "oracle"), "incident"); o.is_object()) s += "; with the oracle, " + line(o);
  return s + ".</p>\n";
}

// "Reachable from the log: the oracle one agent cycle late captures 94% of the first-attempt gap; ..."
std::string reachable_html(const Json& sc) {
  const Json& r = field(sc, "reachable");
  if (!r.is_object() || !field(r, "gaps").is_array()) return "";
  const Json& lag = field(r, "lag_ms");
  std::string s = fmt::format("<p>Reachable from the log: the oracle {} late (it learns every incident change one "
                              "agent cycle after it happens, the soonest a cycle can act on it)",
                              lag.is_number() ? fmt::format("{:.1f} s", lag.get<double>() / 1000) : "one cycle");
  for (const auto& g : field(r, "gaps")) {
    const auto pct = [&](const char* key) {
      return field(g, key).is_number() ? gap_percent(field(g, key).get<double>()) : std::string("-");
    };
    const std::string label = text_of(field(g, "metric")) == "first_attempt_success" ? "first-attempt" : "p95";
    s += fmt::format("; {} gap: it captures {}, the agent {} of what it captures", label, pct("late_share"), pct("captured"));
  }
  return s + ".</p>\n";
}

}  // namespace

std::string render_scorecard_summary_html(const Json& sc) {
  if (!sc.is_object()) return "<p class=\"note\">The scorecard could not be read.</p>\n";
  const Json& passed = field(sc, "passed");
  const bool ok = passed.is_boolean() && passed.get<bool>();
  // The verdict in words, with the bars a drill marked known-short by their labels (never their keys).
  std::string verdict = passed.is_boolean() ? (ok ? "PASS" : "FAIL") : "unknown";
  std::string shorts, failed;
  if (field(sc, "bars").is_array())
    for (const auto& bar : field(sc, "bars")) {
      if (field(bar, "passed") == Json(true)) continue;
      std::string& list = field(bar, "known_short") == Json(true) ? shorts : failed;
      list += (list.empty() ? "" : "; ") + text_of(field(bar, "bar"));
    }
  if (!shorts.empty()) verdict += ", with bars known to fall short: " + shorts;
  std::string s = fmt::format("<section class=\"summary\">\n<p class=\"verdict\">Verdict: <span class=\"{}\">{}</span></p>\n",
                              ok ? "pass" : "fail", html_escape(verdict));
  if (!failed.empty()) s += fmt::format("<p>Missed: {}.</p>\n", html_escape(failed));
  if (const std::string why = text_of(field(sc, "bar_reason")); why != "-" && !why.empty())
    s += fmt::format("<p>This drill&#39;s own bars: {}</p>\n", html_escape(why));
  const Json& t = field(sc, "timeline");
  if (field(sc, "calm").is_boolean() && field(sc, "calm").get<bool>()) {
    s += "<p>No-fault control run: no incident was scripted.</p>\n";
  } else if (t.is_object()) {
    const Json& recover = field(t, "recover_ms");
    s += fmt::format("<p>Timeline, from the incident&#39;s start (or from when the drill says it could first be seen): "
                     "detected after {}; traffic moved off the affected bank after {}. {}</p>\n",
                     seconds_or(field(t, "detect_ms"), field(t, "detect_note")),
                     seconds_or(field(t, "mitigate_ms"), field(t, "mitigate_note")),
                     recover.is_number()
                         ? fmt::format("Back to the operator&#39;s settings {:.1f} s after the incident ended.",
                                       recover.get<double>() / 1000)
                         : "Not back to the operator&#39;s settings by the end of the run (" +
                               html_escape(text_of(field(t, "recover_note"))) + ").");
  }
  if (field(sc, "agent").is_object()) s += runs_table(sc) + reachable_html(sc) + payments_affected(sc);
  return s + "</section>\n";
}

std::string render_scorecard_html(const Json& sc) {
  if (!sc.is_object()) return "<p class=\"note\">The scorecard is not a JSON object.</p>\n";
  std::string s;
  const Json& bars = field(sc, "bars");
  if (bars.is_array()) {
    s += "<table class=\"bars\"><tr><th>Bar</th><th>Result</th><th>Detail</th></tr>\n";
    for (const auto& bar : bars) {
      if (!bar.is_object()) continue;
      const bool passed = field(bar, "passed").is_boolean() && field(bar, "passed").get<bool>();
      const bool known_short = field(bar, "known_short").is_boolean() && field(bar, "known_short").get<bool>();
      const char* result = passed ? "pass" : known_short ? "KNOWN-SHORT" : "FAIL";
      s += fmt::format("<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>\n", html_escape(text_of(field(bar, "bar"))),
                       passed ? "pass" : known_short ? "note" : "fail", result, html_escape(text_of(field(bar, "detail"))));
    }
    s += "</table>\n";
  }
  const Json& banks = field(sc, "banks");
  if (banks.is_array() && !banks.empty()) {
    s += "<table class=\"details\"><tr><th>Bank</th><th>Health changes by the agent</th><th>Breaker changes by the agent</th>"
         "<th>Incident edges</th></tr>\n";
    for (const auto& b : banks)
      s += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                       html_escape(text_of(field(b, "bank_id"))), html_escape(text_of(field(b, "health_changes"))),
                       html_escape(text_of(field(b, "breaker_changes"))), html_escape(text_of(field(b, "incident_edges"))));
    s += "</table>\n";
  }
  const Json& samples = field(sc, "config_samples");
  s += fmt::format("<p>Double charges: {} &middot; malformed rows: {} &middot; config samples: {} ({} invalid, {} with no eligible bank)</p>\n",
                   html_escape(text_of(field(sc, "double_charges"))), html_escape(text_of(field(sc, "malformed_rows"))),
                   html_escape(text_of(field(samples, "total"))), html_escape(text_of(field(samples, "invalid"))),
                   html_escape(text_of(field(samples, "zero_eligible"))));
  return s;
}

}  // namespace payops
