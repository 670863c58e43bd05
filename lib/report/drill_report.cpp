// The drill report: loading a data dir into buckets and rendering it as one HTML page (see
// drill_report.h).
#include "report/drill_report.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include <fmt/format.h>

#include "contract/config_paths.h"
#include "contract/config_store.h"
#include "contract/csv_scan.h"
#include "report/scorecard.h"
#include "platform/terminal.h"
#include "agent/window_stats.h"

namespace payops {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto byte = static_cast<unsigned char>(c);
    // Control bytes (ESC/OSC sequences), C1 controls and bidi overrides are shown as visible escapes,
    // as on a terminal: raw, they are invalid HTML text or reorder what the reader sees.
    if (byte < 0x20 || byte == 0x7f) {
      out += escape_for_terminal(text.substr(i, 1));
      continue;
    }
    if (const std::size_t len = unicode_control_length(text, i); len > 0) {
      out += escape_for_terminal(text.substr(i, len));
      i += len - 1;
      continue;
    }
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::int64_t choose_bucket_ms(std::int64_t span_ms, std::size_t target) {
  static constexpr std::array<std::int64_t, 17> kNice = {
      1'000,     2'000,     5'000,     10'000,     15'000,     30'000,     60'000,      120'000,    300'000,
      600'000,   900'000,   1'800'000, 3'600'000,  7'200'000,  21'600'000, 43'200'000, 86'400'000};
  if (target == 0) target = 1;
  const double ideal = static_cast<double>(std::max<std::int64_t>(span_ms, 1)) / static_cast<double>(target);
  for (const std::int64_t b : kNice)
    if (static_cast<double>(b) >= ideal * 0.85) return b;  // up to ~18% more buckets than the target is fine
  return kNice.back() * static_cast<std::int64_t>(std::ceil(ideal / static_cast<double>(kNice.back())));
}

namespace {

// Pass 1: the log's time span.
struct SpanWorker {
  TimeMs since = std::numeric_limits<TimeMs>::min();
  TimeMs until = std::numeric_limits<TimeMs>::max();
  TimeMs first = std::numeric_limits<TimeMs>::max();
  TimeMs last = std::numeric_limits<TimeMs>::min();
  std::uint64_t rows = 0;
  void operator()(const RowView& r) {
    if (r.timestamp_ms < since || r.timestamp_ms >= until) return;
    ++rows;
    first = std::min(first, r.timestamp_ms);
    last = std::max(last, r.timestamp_ms);
  }
};

// Pass 2: per bank and bucket, attempts, successes and the latencies (kept whole for an exact p95).
struct BucketWorker {
  TimeMs start_ms = 0;
  std::int64_t bucket_ms = 1;
  std::size_t buckets = 0;
  BankIndex banks;
  std::vector<std::vector<std::uint64_t>> attempts, successes;      // [bank][bucket]
  std::vector<std::vector<std::vector<std::int64_t>>> latencies;    // [bank][bucket][...]
  std::vector<std::uint64_t> all_attempts, all_successes;

  TimeMs since = std::numeric_limits<TimeMs>::min();
  TimeMs until = std::numeric_limits<TimeMs>::max();
  std::uint64_t rows = 0;  // rows in range

  void operator()(const RowView& r) {
    if (r.timestamp_ms < start_ms || r.timestamp_ms >= until) return;
    const auto b = static_cast<std::size_t>((r.timestamp_ms - start_ms) / bucket_ms);
    if (b >= buckets || r.timestamp_ms < since) return;
    ++rows;
    if (all_attempts.empty()) all_attempts.assign(buckets, 0), all_successes.assign(buckets, 0);
    const bool ok = r.status == TxnStatus::success;
    ++all_attempts[b];
    if (ok) ++all_successes[b];
    if (r.bank_id.empty()) return;  // NO_ROUTE: no bank to hold it against
    const std::size_t i = banks.index_of(r.bank_id);
    if (i >= attempts.size()) {
      attempts.emplace_back(buckets, 0);
      successes.emplace_back(buckets, 0);
      latencies.emplace_back(buckets);
    }
    ++attempts[i][b];
    if (ok) ++successes[i][b];
    latencies[i][b].push_back(r.latency_ms);
  }
};

// The percentile as LatencyHistogram::percentile defines it (Miller's non-interpolated pNN: the
// value at rank floor(fraction * count), clamped), over values that are reordered. -1 when empty.
std::int64_t percentile_of(std::vector<std::int64_t>& values, double fraction) {
  if (values.empty()) return -1;
  auto rank = static_cast<std::size_t>(fraction * static_cast<double>(values.size()));
  rank = std::min(rank, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(rank), values.end());
  return values[rank];
}

std::string_view kind_name(IncidentKind k) {
  switch (k) {
    case IncidentKind::outage: return "outage";
    case IncidentKind::latency: return "latency";
    case IncidentKind::flap: return "flap";
    case IncidentKind::errors: return "errors";
  }
  return "incident";
}

std::string clock_time(TimeMs t) { return format_timestamp(t).substr(11, 8); }

std::string seconds_text(std::int64_t ms) {
  if (ms % 60'000 == 0 && ms >= 60'000) return fmt::format("{} min", ms / 60'000);
  if (ms % 1000 == 0) return fmt::format("{} s", ms / 1000);
  return fmt::format("{:.1f} s", static_cast<double>(ms) / 1000.0);
}

constexpr std::array<std::string_view, 8> kPalette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                       "#9467bd", "#8c564b", "#e377c2", "#17becf"};
std::string_view bank_color(std::size_t i) { return kPalette[i % kPalette.size()]; }

// Geometry of one chart: time on x over the buckets' span, a value range on y.
struct Plot {
  static constexpr double kWidth = 1160, kHeight = 250;
  static constexpr double kLeft = 64, kRight = 16, kTop = 14, kBottom = 34;
  TimeMs t0 = 0, t1 = 1;
  double y0 = 0, y1 = 1;

  double plot_w() const { return kWidth - kLeft - kRight; }
  double plot_h() const { return kHeight - kTop - kBottom; }
  double x(TimeMs t) const {
    return kLeft + static_cast<double>(t - t0) / static_cast<double>(std::max<TimeMs>(t1 - t0, 1)) * plot_w();
  }
  double y(double v) const { return kTop + plot_h() - (v - y0) / (y1 - y0) * plot_h(); }
};

struct IncidentSpan {
  TimeMs from, to;
  std::string label;
};

std::vector<IncidentSpan> incident_spans(const DrillData& d) {
  std::vector<IncidentSpan> out;
  for (const auto& inc : d.incidents) {
    const TimeMs from = d.run_start_ms + inc.start_offset_ms;
    const TimeMs to = inc.duration_ms < 0 ? d.end_ms : from + inc.duration_ms;
    std::string what(kind_name(inc.kind));
    if (inc.kind == IncidentKind::latency) what += fmt::format(" (median {:.0f} ms)", inc.value);
    if (inc.kind == IncidentKind::errors) what += fmt::format(" (+{:.0f}% soft failures)", inc.value * 100);
    if (inc.kind == IncidentKind::flap) what += fmt::format(" (every {})", seconds_text(static_cast<std::int64_t>(inc.value)));
    out.push_back({from, to,
                   fmt::format("incident: {} {} from {} to {}", inc.bank_id == "*" ? "every bank" : inc.bank_id, what,
                               clock_time(from), clock_time(to))});
  }
  return out;
}

// Words for people instead of keys: "set_weights" -> "set weights".
std::string human_words(std::string_view key) {
  std::string out(key);
  std::replace_if(out.begin(), out.end(), [](char c) { return c == '_' || c == '.'; }, ' ');
  return out;
}

// "banks.bank_b.circuit_breaker.state" -> "bank_b circuit breaker state": the bank id stays as it is.
std::string human_setting(std::string_view path) {
  if (!path.starts_with("banks.")) return human_words(path);
  const std::string_view rest = path.substr(6);
  const std::size_t dot = rest.find('.');
  if (dot == std::string_view::npos) return std::string(rest);
  return std::string(rest.substr(0, dot)) + " " + human_words(rest.substr(dot + 1));
}

// A config value as people read it: strings without quotes, null as "none".
std::string human_value(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "none";
  return v.dump();
}

std::string history_label(const HistoryEntry& e) {
  std::string s = fmt::format("{} {} {}", clock_time(e.timestamp), e.actor, human_words(e.action));
  if (e.outcome) s += fmt::format(" ({})", to_string(*e.outcome));
  if (!e.reason.empty()) s += ": " + e.reason;
  return s;
}

// The frame of a chart: background, incident shading, grid with y labels, time labels.
std::string chart_open(const DrillData& d, const Plot& p, std::string_view aria,
                       const std::vector<std::pair<double, std::string>>& y_ticks) {
  std::string s = fmt::format(
      "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" "
      "height=\"{1}\" role=\"img\" aria-label=\"{2}\">\n",
      Plot::kWidth, Plot::kHeight, html_escape(aria));
  s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#fcfcfd\" stroke=\"#d0d4da\"/>\n",
                   Plot::kLeft, Plot::kTop, p.plot_w(), p.plot_h());
  for (const auto& span : incident_spans(d)) {
    if (span.to < p.t0 || span.from > p.t1) continue;
    const TimeMs from = std::clamp(span.from, p.t0, p.t1), to = std::clamp(span.to, p.t0, p.t1);
    const double x = p.x(from);
    const double w = std::max(p.x(to) - x, 2.0);  // a short incident stays visible
    s += fmt::format(
        "<rect class=\"incident\" x=\"{:.1f}\" y=\"{}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#f4a3a8\" "
        "fill-opacity=\"0.35\"><title>{}</title></rect>\n",
        x, Plot::kTop, w, p.plot_h(), html_escape(span.label));
  }
  for (const auto& [v, label] : y_ticks) {
    const double y = p.y(v);
    s += fmt::format("<line x1=\"{}\" x2=\"{:.1f}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#e6e8eb\"/>", Plot::kLeft,
                     Plot::kLeft + p.plot_w(), y, y);
    s += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"end\">{}</text>\n", Plot::kLeft - 6,
                     y + 4, html_escape(label));
  }
  // Time ticks: a nice interval giving at most about 10 labels.
  const std::int64_t step = choose_bucket_ms(p.t1 - p.t0, 10);
  for (TimeMs t = (p.t0 + step - 1) / step * step; t < p.t1; t += step) {  // the right edge would clip a label
    const double x = p.x(t);
    const std::string label = step < 60'000 ? clock_time(t) : clock_time(t).substr(0, 5);
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1:.1f}\" y2=\"{2:.1f}\" stroke=\"#9aa0a6\"/>", x,
                     Plot::kTop + p.plot_h(), Plot::kTop + p.plot_h() + 4);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"tick\" text-anchor=\"middle\">{}</text>\n", x,
                     Plot::kTop + p.plot_h() + 18, label);
  }
  return s;
}

// Markers for actions inside the chart's span: a dashed line and a dot, with the reason as <title>.
std::string chart_markers(const DrillData& d, const Plot& p) {
  std::string s;
  for (const auto& e : d.history) {
    if (e.timestamp < p.t0 || e.timestamp > p.t1) continue;
    const double x = p.x(e.timestamp);
    const std::string_view color = e.actor == "agent" ? "#6f42c1" : "#e8590c";
    s += fmt::format(
        "<g class=\"action\"><title>{0}</title>"
        "<line x1=\"{1:.1f}\" x2=\"{1:.1f}\" y1=\"{2}\" y2=\"{3:.1f}\" stroke=\"{4}\" stroke-dasharray=\"3 3\" "
        "stroke-opacity=\"0.7\"/>"
        "<line x1=\"{1:.1f}\" x2=\"{1:.1f}\" y1=\"{2}\" y2=\"{3:.1f}\" stroke=\"transparent\" stroke-width=\"7\"/>"
        "<circle cx=\"{1:.1f}\" cy=\"{2}\" r=\"4.5\" fill=\"{4}\" stroke=\"#fff\"/></g>\n",
        html_escape(history_label(e)), x, Plot::kTop, Plot::kTop + p.plot_h(), color);
  }
  return s;
}

// A polyline through the bucket centres where value(i) is present; a gap breaks the line.
template <class Value>
std::string series_path(const DrillData& d, const Plot& p, Value value, std::string_view color,
                        std::string_view extra, std::string_view title) {
  std::string path;
  bool pen_down = false;
  for (std::size_t i = 0; i < d.buckets; ++i) {
    const std::optional<double> v = value(i);
    if (!v) {
      pen_down = false;
      continue;
    }
    const TimeMs mid = d.start_ms + static_cast<std::int64_t>(i) * d.bucket_ms + d.bucket_ms / 2;
    path += fmt::format("{}{:.1f},{:.1f} ", pen_down ? "L" : "M", p.x(mid), p.y(*v));
    pen_down = true;
  }
  if (path.empty()) return {};
  return fmt::format("<path class=\"series\" d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\" {}>"
                     "<title>{}</title></path>\n",
                     path, color, extra, html_escape(title));
}

std::string success_chart(const DrillData& d, const Plot& base) {
  Plot p = base;
  p.y0 = 0, p.y1 = 1;
  std::string s = chart_open(d, p, "success rate per bank over time",
                             {{0, "0%"}, {0.25, "25%"}, {0.5, "50%"}, {0.75, "75%"}, {1, "100%"}});
  s += series_path(
      d, p,
      [&](std::size_t i) -> std::optional<double> {
        if (d.all_attempts[i] == 0) return std::nullopt;
        return BankWindowStats::ratio(d.all_successes[i], d.all_attempts[i]);
      },
      "#444", "stroke-dasharray=\"5 3\"", "all attempts");
  for (std::size_t b = 0; b < d.banks.size(); ++b) {
    const BankSeries& bank = d.banks[b];
    s += series_path(
        d, p,
        [&](std::size_t i) -> std::optional<double> {
          if (bank.attempts[i] == 0) return std::nullopt;
          return BankWindowStats::ratio(bank.successes[i], bank.attempts[i]);
        },
        bank_color(b), "", bank.id + " success rate");
  }
  return s + chart_markers(d, p) + "</svg>\n";
}

double nice_ceiling(double v) {
  if (v <= 0) return 1;
  const double mag = std::pow(10.0, std::floor(std::log10(v)));
  for (const double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= v) return m * mag;
  return 10 * mag;
}

std::string latency_chart(const DrillData& d, const Plot& base) {
  std::int64_t max_p95 = 0;
  for (const auto& b : d.banks)
    for (const auto v : b.p95_latency_ms) max_p95 = std::max(max_p95, v);
  Plot p = base;
  p.y0 = 0, p.y1 = nice_ceiling(static_cast<double>(max_p95));
  std::vector<std::pair<double, std::string>> ticks;
  for (int k = 0; k <= 4; ++k) {
    const double v = p.y1 * k / 4;
    ticks.emplace_back(v, fmt::format("{:.0f} ms", v));
  }
  std::string s = chart_open(d, p, "p95 latency per bank over time", ticks);
  for (std::size_t b = 0; b < d.banks.size(); ++b) {
    const BankSeries& bank = d.banks[b];
    s += series_path(
        d, p,
        [&](std::size_t i) -> std::optional<double> {
          if (bank.p95_latency_ms[i] < 0) return std::nullopt;
          return static_cast<double>(bank.p95_latency_ms[i]);
        },
        bank_color(b), "", bank.id + " p95 latency");
  }
  return s + chart_markers(d, p) + "</svg>\n";
}

// Stacked areas: each bank's share of the attempts that went to a bank, per bucket. A bucket with no
// such attempts breaks the areas.
std::string share_chart(const DrillData& d, const Plot& base) {
  Plot p = base;
  p.y0 = 0, p.y1 = 1;
  std::string s = chart_open(d, p, "traffic share per bank over time (stacked)",
                             {{0, "0%"}, {0.25, "25%"}, {0.5, "50%"}, {0.75, "75%"}, {1, "100%"}});
  std::vector<std::uint64_t> totals(d.buckets, 0);
  for (const auto& b : d.banks)
    for (std::size_t i = 0; i < d.buckets; ++i) totals[i] += b.attempts[i];
  std::vector<double> below(d.buckets, 0.0);
  for (std::size_t b = 0; b < d.banks.size(); ++b) {
    const BankSeries& bank = d.banks[b];
    std::string path;
    std::vector<std::pair<double, double>> lower;  // of the current run, to walk back along
    const auto close_run = [&] {
      for (auto it = lower.rbegin(); it != lower.rend(); ++it) path += fmt::format("L{:.1f},{:.1f} ", it->first, it->second);
      if (!lower.empty()) path += "Z ";
      lower.clear();
    };
    for (std::size_t i = 0; i < d.buckets; ++i) {
      if (totals[i] == 0) {
        close_run();
        continue;
      }
      const double share = BankWindowStats::ratio(bank.attempts[i], totals[i]);
      // A bucket's area spans its whole width so adjacent buckets meet.
      const TimeMs from = d.start_ms + static_cast<std::int64_t>(i) * d.bucket_ms;
      for (const TimeMs t : {from, from + d.bucket_ms}) {
        path += fmt::format("{}{:.1f},{:.1f} ", lower.empty() ? "M" : "L", p.x(t), p.y(below[i] + share));
        lower.emplace_back(p.x(t), p.y(below[i]));
      }
      below[i] += share;
    }
    close_run();
    if (path.empty()) continue;
    s += fmt::format("<path class=\"share\" d=\"{}\" fill=\"{}\" fill-opacity=\"0.8\" stroke=\"none\"><title>{}</title></path>\n",
                     path, bank_color(b), html_escape(bank.id + " share of attempts"));
  }
  return s + chart_markers(d, p) + "</svg>\n";
}

std::string percent(std::uint64_t num, std::uint64_t den) {
  return den == 0 ? std::string("-") : fmt::format("{:.2f}%", 100.0 * static_cast<double>(num) / static_cast<double>(den));
}

constexpr std::string_view kCss = R"(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2125; margin: 24px auto; max-width: 1200px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #e1e4e8; padding-bottom: 4px; }
.meta { color: #57606a; margin: 0 0 12px; }
.legend { list-style: none; padding: 0; margin: 8px 0; display: flex; flex-wrap: wrap; gap: 6px 18px; }
.legend li { display: flex; align-items: center; gap: 6px; }
.sw { display: inline-block; width: 14px; height: 10px; border-radius: 2px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg .tick { font-size: 11px; fill: #57606a; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border-bottom: 1px solid #e1e4e8; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.reason { max-width: 560px; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
.pass { color: #1a7f37; font-weight: 600; } .fail { color: #cf222e; font-weight: 600; }
.summary { border: 1px solid #d0d7de; border-radius: 6px; padding: 8px 16px; margin: 12px 0; background: #f6f8fa; }
.verdict { font-size: 18px; margin: 4px 0; }
.note { color: #9a6700; }
)";

}  // namespace

Result<DrillData> load_drill_data(const DrillReportOptions& o) {
  DrillData d;
  d.title = o.title;
  d.source = o.data_dir.dir;
  d.incidents = o.incidents;
  d.scorecard = o.scorecard;
  const std::string csv = o.data_dir.transactions_csv();

  const TimeMs since = o.since_ms.value_or(std::numeric_limits<TimeMs>::min());
  const TimeMs until = o.until_ms.value_or(std::numeric_limits<TimeMs>::max());
  auto span = scan_file_parallel<SpanWorker>(csv, o.threads, [&] {
    SpanWorker w;
    w.since = since;
    w.until = until;
    return w;
  });
  if (!span.ok()) return span.error();
  TimeMs first = std::numeric_limits<TimeMs>::max(), last = std::numeric_limits<TimeMs>::min();
  std::uint64_t in_range = 0;
  for (const auto& w : span->workers) first = std::min(first, w.first), last = std::max(last, w.last), in_range += w.rows;
  if (in_range == 0)
    return make_error(fmt::format("{} has no rows to report on{}", csv,
                                  o.since_ms || o.until_ms ? " in the range asked for" : ""),
                      Error::Kind::invalid_input);

  d.bucket_ms = choose_bucket_ms(last - first, o.target_buckets);
  d.start_ms = first / d.bucket_ms * d.bucket_ms;
  d.end_ms = last;
  d.buckets = static_cast<std::size_t>((last - d.start_ms) / d.bucket_ms) + 1;
  d.run_start_ms = o.run_start_ms.value_or(first);

  auto scan = scan_file_parallel<BucketWorker>(csv, o.threads, [&] {
    BucketWorker w;
    w.start_ms = d.start_ms;
    w.bucket_ms = d.bucket_ms;
    w.buckets = d.buckets;
    w.since = since;
    w.until = until;
    return w;
  });
  if (!scan.ok()) return scan.error();
  d.rows = 0;
  for (const auto& w : scan->workers) d.rows += w.rows;
  d.malformed = scan->summary.malformed;
  d.malformed_note = scan->summary.describe();
  d.all_attempts.assign(d.buckets, 0);
  d.all_successes.assign(d.buckets, 0);
  std::vector<std::vector<std::int64_t>> total_latencies;
  std::vector<std::vector<std::vector<std::int64_t>>> latencies;  // [bank][bucket]
  BankIndex index;
  for (auto& w : scan->workers) {
    for (std::size_t i = 0; i < w.all_attempts.size(); ++i) {
      d.all_attempts[i] += w.all_attempts[i];
      d.all_successes[i] += w.all_successes[i];
    }
    for (std::size_t wb = 0; wb < w.banks.size(); ++wb) {
      const std::size_t b = index.index_of(w.banks.id(wb));
      if (b >= d.banks.size()) {
        BankSeries series;
        series.id = w.banks.id(wb);
        series.attempts.assign(d.buckets, 0);
        series.successes.assign(d.buckets, 0);
        d.banks.push_back(std::move(series));
        latencies.emplace_back(d.buckets);
        total_latencies.emplace_back();
      }
      for (std::size_t i = 0; i < d.buckets; ++i) {
        d.banks[b].attempts[i] += w.attempts[wb][i];
        d.banks[b].successes[i] += w.successes[wb][i];
        auto& dst = latencies[b][i];
        dst.insert(dst.end(), w.latencies[wb][i].begin(), w.latencies[wb][i].end());
      }
    }
  }
  for (std::size_t b = 0; b < d.banks.size(); ++b) {
    BankSeries& series = d.banks[b];
    series.p95_latency_ms.assign(d.buckets, -1);
    for (std::size_t i = 0; i < d.buckets; ++i) {
      series.total_attempts += series.attempts[i];
      series.total_successes += series.successes[i];
      total_latencies[b].insert(total_latencies[b].end(), latencies[b][i].begin(), latencies[b][i].end());
      series.p95_latency_ms[i] = percentile_of(latencies[b][i], 0.95);
    }
    series.total_p95_latency_ms = percentile_of(total_latencies[b], 0.95);
  }

  // Names and order from the config (the log's own order is arrival order); banks only in the log
  // keep their place after those.
  const ConfigStore store(o.data_dir);
  auto config = store.load();
  if (config.ok()) {
    std::vector<BankSeries> ordered;
    for (const Bank& bank : config->banks) {
      const auto it = std::find_if(d.banks.begin(), d.banks.end(), [&](const BankSeries& s) { return s.id == bank.id; });
      if (it == d.banks.end()) continue;
      it->name = bank.name;
      ordered.push_back(std::move(*it));
      d.banks.erase(it);
    }
    for (auto& rest : d.banks) ordered.push_back(std::move(rest));
    d.banks = std::move(ordered);
    auto history = load_full_history(o.data_dir.config_json(), o.data_dir.history_jsonl());
    if (!history.ok()) return history.error();
    d.history = std::move(*history);
  } else if (config.error().kind != Error::Kind::not_found) {
    return config.error();
  }
  std::erase_if(d.history, [&](const HistoryEntry& e) { return e.timestamp < since || e.timestamp >= until; });
  std::stable_sort(d.history.begin(), d.history.end(),
                   [](const HistoryEntry& a, const HistoryEntry& b) { return a.timestamp < b.timestamp; });
  return d;
}

std::string render_drill_report_html(const DrillData& d) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  s += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n", html_escape(d.title), kCss);
  s += fmt::format("<h1>{}</h1>\n", html_escape(d.title));
  const TimeMs span_end = d.start_ms + static_cast<std::int64_t>(d.buckets) * d.bucket_ms;
  s += fmt::format(
      "<p class=\"meta\">Data: {} &middot; {} to {} UTC &middot; {} rows &middot; buckets of {} &middot; {} actions</p>\n",
      html_escape(d.source), html_escape(format_timestamp(d.start_ms)), html_escape(format_timestamp(d.end_ms)), d.rows,
      seconds_text(d.bucket_ms), d.history.size());
  if (d.malformed > 0) s += fmt::format("<p class=\"note\">{}</p>\n", html_escape(d.malformed_note));
  // An incident commander reads the verdict and the summary first; the charts explain it.
  if (d.scorecard) s += render_scorecard_summary_html(*d.scorecard);

  // Legend: banks, incidents, actions.
  s += "<ul class=\"legend\">\n";
  for (std::size_t b = 0; b < d.banks.size(); ++b)
    s += fmt::format("<li><span class=\"sw\" style=\"background:{}\"></span>{}{}</li>\n", bank_color(b),
                     html_escape(d.banks[b].id), d.banks[b].name.empty() ? "" : " &mdash; " + html_escape(d.banks[b].name));
  s += "<li><span class=\"sw\" style=\"background:#444;height:2px\"></span>all attempts</li>\n";
  s += "<li><span class=\"sw\" style=\"background:#f4a3a8\"></span>incident window</li>\n";
  s += "<li><span class=\"sw\" style=\"background:#6f42c1;border-radius:50%;width:10px\"></span>agent action</li>\n";
  s += "<li><span class=\"sw\" style=\"background:#e8590c;border-radius:50%;width:10px\"></span>operator action</li>\n";
  s += "</ul>\n";

  Plot p;
  p.t0 = d.start_ms;
  p.t1 = span_end;
  s += "<h2>Success rate per bank</h2>\n" + success_chart(d, p);
  s += "<h2>p95 latency per bank</h2>\n" + latency_chart(d, p);
  s += "<h2>Traffic share per bank (attempts, stacked)</h2>\n" + share_chart(d, p);

  s += "<h2>Banks over the report&#39;s span</h2>\n<table><tr><th>Bank</th><th>Name</th><th>Attempts</th><th>Success</th><th>p95 latency</th></tr>\n";
  for (const auto& b : d.banks)
    s += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                     html_escape(b.id), html_escape(b.name), b.total_attempts, percent(b.total_successes, b.total_attempts),
                     b.total_p95_latency_ms < 0 ? std::string("-") : fmt::format("{} ms", b.total_p95_latency_ms));
  s += "</table>\n";

  s += "<h2>Incidents</h2>\n";
  const auto spans = incident_spans(d);
  if (spans.empty()) {
    s += "<p>No incident was given for this report.</p>\n";
  } else {
    s += "<ul>\n";
    for (const auto& span : spans) s += fmt::format("<li>{}</li>\n", html_escape(span.label));
    s += "</ul>\n";
  }

  s += "<h2>Scorecard: every bar</h2>\n";
  s += d.scorecard ? render_scorecard_html(*d.scorecard)
                   : std::string("<p>No scorecard was given for this report.</p>\n");

  s += "<h2>Actions</h2>\n";
  if (d.history.empty()) {
    s += "<p>No agent or operator action was recorded.</p>\n";
  } else {
    s += "<table class=\"actions\"><tr><th>Time (UTC)</th><th>Actor</th><th>Action</th><th>Changes</th><th>Outcome</th><th>Reason</th></tr>\n";
    for (const auto& e : d.history) {
      std::string changes;
      for (const auto& c : changes_from_details(e.details))
        changes += fmt::format("{}{}: {} &rarr; {}", changes.empty() ? "" : "<br>", html_escape(human_setting(c.path)),
                               html_escape(human_value(c.before)), html_escape(human_value(c.after)));
      s += fmt::format("<tr><td class=\"time\">{}</td><td class=\"time\">{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"reason\">{}</td></tr>\n",
                       html_escape(format_timestamp(e.timestamp).substr(11, 12)), html_escape(e.actor), html_escape(human_words(e.action)), changes,
                       e.outcome ? to_string(*e.outcome) : "-", html_escape(e.reason));
    }
    s += "</table>\n";
  }
  s += "</body>\n</html>\n";
  return s;
}

Status write_drill_report(const DrillReportOptions& o) {
  auto data = load_drill_data(o);
  if (!data.ok()) return data.error();
  const std::string html = render_drill_report_html(*data);
  const std::string out = o.out_path.empty() ? o.data_dir.dir + "/drill_report.html" : o.out_path;
  // Written beside the target and renamed over it, so a reader never sees half a page.
  const std::string temp = fmt::format("{}.tmp.{}", out, getpid());
  std::FILE* f = std::fopen(temp.c_str(), "wbx");
  if (f == nullptr) return make_error(fmt::format("cannot create {}: {}", temp, std::strerror(errno)));
  const bool wrote = std::fwrite(html.data(), 1, html.size(), f) == html.size();
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !closed) {
    std::remove(temp.c_str());
    return make_error(fmt::format("cannot write {}: {}", temp, std::strerror(errno)));
  }
  if (std::rename(temp.c_str(), out.c_str()) != 0) {
    const int err = errno;
    std::remove(temp.c_str());
    return make_error(fmt::format("cannot rename {} to {}: {}", temp, out, std::strerror(err)));
  }
  return ok_status();
}

}  // namespace payops
