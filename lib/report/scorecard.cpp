// Scorecard computation over drill artefacts: the runs' payment metrics, the gaps, the timeline,
// the agent's state changes, the config samples, and the bars.
#include "report/scorecard.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>

#include <fmt/format.h>

#include "contract/config_paths.h"
#include "contract/config_store.h"
#include "platform/terminal.h"

namespace payops {
namespace {

std::int64_t incident_edges(const Incident& inc, TimeMs run_start, TimeMs run_end) {
  const std::int64_t end_offset = inc.duration_ms < 0 ? run_end - run_start : inc.start_offset_ms + inc.duration_ms;
  if (inc.kind != IncidentKind::flap) return inc.duration_ms < 0 ? 1 : 2;
  const auto half = static_cast<std::int64_t>(inc.value);
  if (half <= 0) return 2;
  return std::max<std::int64_t>(2, (end_offset - inc.start_offset_ms) / half + 1);
}

RunMetrics metrics_of(const PaymentLog& log, TimeMs from, TimeMs to) {
  return {true, payment_metrics(log, from, to),
          payment_metrics(log, std::numeric_limits<TimeMs>::min(), std::numeric_limits<TimeMs>::max())};
}

// A comparison run's log: "" is a run not given (its metrics stay absent); a path that cannot be read
// is an error that names it and what it was for.
Status read_run(const std::string& path, const char* what, TimeMs from, TimeMs to, RunMetrics& out,
                std::optional<PaymentLog>& log) {
  if (path.empty()) return ok_status();
  auto read = read_payment_log(path);
  if (!read.ok()) return make_error(fmt::format("{} log: {}", what, read.error().message), read.error().kind);
  out = metrics_of(*read, from, to);
  log = std::move(*read);
  return ok_status();
}

// Health and breaker transitions the agent made per bank, next to the incidents' edges on it.
std::vector<BankScore> bank_scores(const ScoreInputs& in, TimeMs run_end) {
  std::map<std::string, BankScore> per_bank;
  for (const auto& inc : in.incidents)
    if (inc.bank_id != "*") {
      auto& b = per_bank[inc.bank_id];
      b.bank_id = inc.bank_id;
      b.incident_edges += incident_edges(inc, in.run_start_ms, run_end);
    }
  for (const auto& e : in.history) {
    if (e.actor != "agent") continue;
    for (const auto& c : changes_from_details(e.details)) {
      if (!c.path.starts_with("banks.")) continue;
      const std::string rest = c.path.substr(6);
      const std::string bank = rest.substr(0, rest.find('.'));
      auto& b = per_bank[bank];
      b.bank_id = bank;
      if (c.path.ends_with(".health_status")) ++b.health_changes;
      if (c.path.ends_with(".circuit_breaker.state")) ++b.breaker_changes;
    }
  }
  std::vector<BankScore> out;
  for (auto& [id, b] : per_bank) out.push_back(b);
  return out;
}

// Config samples: one JSON object per line; a line that is not a valid `show --json` is an invalid
// config at that moment. A samples file that was named but cannot be read is an error, never a pass.
Status read_samples(const std::string& path, Scorecard& s) {
  if (path.empty()) return ok_status();
  std::ifstream samples(path);
  if (!samples) return make_error(fmt::format("cannot read the config samples file {}", path), Error::Kind::not_found);
  for (std::string line; std::getline(samples, line);) {
    if (line.empty()) continue;
    ++s.samples;
    const Json doc = Json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("banks") || !doc["banks"].is_array()) {
      ++s.invalid_samples;
      continue;
    }
    bool any = false;
    for (const auto& b : doc["banks"])
      any |= b.is_object() && b.value("eligible", false) && b.value("weight", 0) > 0;
    s.zero_eligible_samples += !any;
  }
  return ok_status();
}

std::vector<std::string> affected_banks(const std::vector<Incident>& incidents) {
  std::vector<std::string> out;
  for (const auto& inc : incidents)
    if (inc.bank_id != "*" && std::find(out.begin(), out.end(), inc.bank_id) == out.end()) out.push_back(inc.bank_id);
  return out;
}

// The incident window spans every scripted incident; none gives an empty window at the run's start.
void set_incident_window(const ScoreInputs& in, TimeMs run_end, Scorecard& s) {
  if (in.incidents.empty()) {
    s.incident_start_ms = s.incident_end_ms = in.run_start_ms;
    return;
  }
  s.incident_start_ms = std::numeric_limits<TimeMs>::max();
  s.incident_end_ms = std::numeric_limits<TimeMs>::min();
  for (const auto& inc : in.incidents) {
    s.incident_start_ms = std::min(s.incident_start_ms, in.run_start_ms + inc.start_offset_ms);
    s.incident_end_ms = std::max(s.incident_end_ms, inc.duration_ms < 0 ? run_end
                                                    : in.run_start_ms + inc.start_offset_ms + inc.duration_ms);
  }
}

}  // namespace

Result<std::vector<HistoryEntry>> load_full_history(const std::string& config_path,
                                                    const std::string& archive_path) {
  auto archived = read_history_archive(archive_path);
  if (!archived.ok()) return archived.error();
  std::vector<HistoryEntry> out = std::move(*archived);
  // The contract's bounded, non-blocking reader: a FIFO or an oversized file at the path is refused.
  auto text = read_small_file(config_path);
  if (!text.ok()) return text.error();
  auto config = parse_config_text(*text, config_path);
  if (!config.ok()) return config.error();
  out.insert(out.end(), config->agent_history.begin(), config->agent_history.end());
  return out;
}

Result<Scorecard> compute_scorecard(const ScoreInputs& in) {
  Scorecard s;
  s.calm = in.calm;
  s.bar_reason = in.bar_reason;
  auto agent_log = read_payment_log(in.log_path);
  if (!agent_log.ok()) return make_error(fmt::format("agent log: {}", agent_log.error().message), agent_log.error().kind);
  const TimeMs run_end = in.run_end_ms.value_or(agent_log->last_row_ms);
  set_incident_window(in, run_end, s);

  s.agent = metrics_of(*agent_log, s.incident_start_ms, s.incident_end_ms);
  std::optional<PaymentLog> agent = std::move(*agent_log), baseline, oracle;
  if (auto st = read_run(in.baseline_log_path, "baseline", s.incident_start_ms, s.incident_end_ms, s.baseline, baseline);
      !st.ok())
    return st.error();
  if (auto st = read_run(in.oracle_log_path, "oracle", s.incident_start_ms, s.incident_end_ms, s.oracle, oracle); !st.ok())
    return st.error();
  std::optional<PaymentLog> late_oracle;
  if (auto st = read_run(in.late_oracle_log_path, "late oracle", s.incident_start_ms, s.incident_end_ms, s.late_oracle,
                         late_oracle);
      !st.ok())
    return st.error();
  if (auto st = read_samples(in.samples_path, s); !st.ok()) return st.error();
  s.malformed_rows = agent->malformed_rows;
  for (const auto& p : agent->payments) s.double_charges += p.successes > 1;
  if (s.baseline.present && s.oracle.present)
    s.gaps = metric_gaps(s.agent.incident, s.baseline.incident, s.oracle.incident);
  if (!s.gaps.empty() && s.late_oracle.present) {
    s.reachable = reachable_gaps(s.gaps, s.agent.incident, s.baseline.incident, s.late_oracle.incident);
    s.late_oracle_lag_ms = in.agent_interval_ms;
  }

  TimelineInputs ti;
  ti.agent_log = &*agent;
  ti.baseline_log = baseline ? &*baseline : nullptr;
  ti.affected_banks = affected_banks(in.incidents);
  ti.incident_start_ms = s.incident_start_ms;
  ti.incident_end_ms = s.incident_end_ms;
  ti.origin_ms = in.detect_from_offset_ms ? in.run_start_ms + *in.detect_from_offset_ms : s.incident_start_ms;
  ti.history = &in.history;
  ti.any_change_detects = ti.affected_banks.empty();
  if (!in.incidents.empty()) s.timeline = compute_timeline(ti);
  s.banks = bank_scores(in, run_end);
  add_bars(in, s);
  return s;
}

ChanceRoom proportion_chance_room(double p_b, std::uint64_t n_b, double p_o, std::uint64_t n_o) {
  if (n_b == 0 || n_o == 0) return {};
  const double variance = p_b * (1 - p_b) / static_cast<double>(n_b) + p_o * (1 - p_o) / static_cast<double>(n_o);
  return {2 * std::sqrt(variance), std::min(n_b, n_o)};
}

MetricGap metric_gap(std::string key, std::string label, bool higher_is_better, double agent, double baseline,
                     double oracle, ChanceRoom chance) {
  MetricGap g{std::move(key), std::move(label), higher_is_better, agent, baseline, oracle, std::nullopt, {}};
  const double room = higher_is_better ? oracle - baseline : baseline - oracle;
  // Below this the oracle is no better than the baseline: a ratio over noise would mean nothing.
  const double min_room = std::max(std::abs(baseline), std::abs(oracle)) * 1e-3 + 1e-9;
  if (room <= min_room) {
    g.why_none = fmt::format("the oracle is no better than the baseline on {}, so there was no gap to capture", g.label);
    return g;
  }
  if (room <= chance.value) {
    g.why_none = fmt::format("the oracle's edge on {} ({:.2f} points) is within chance (two standard errors, {:.2f} "
                             "points over {} payments), so there was no gap to capture",
                             g.label, 100 * room, 100 * chance.value, chance.payments);
    return g;
  }
  g.captured = (agent - baseline) / (oracle - baseline);
  return g;
}

std::vector<MetricGap> metric_gaps(const PaymentMetrics& a, const PaymentMetrics& b, const PaymentMetrics& o) {
  std::vector<MetricGap> out;
  if (a.payments == 0 || b.payments == 0 || o.payments == 0) return out;
  const auto chance = [&](double p_b, double p_o) { return proportion_chance_room(p_b, b.payments, p_o, o.payments); };
  out.push_back(metric_gap("first_attempt_success", "first-attempt success", true, a.first_attempt_success(),
                           b.first_attempt_success(), o.first_attempt_success(),
                           chance(b.first_attempt_success(), o.first_attempt_success())));
  out.push_back(metric_gap("latency_p95_ms", "payment latency p95", false, double(a.latency_p95_ms),
                           double(b.latency_p95_ms), double(o.latency_p95_ms)));
  out.push_back(metric_gap("eventual_success", "eventual success", true, a.eventual_success(), b.eventual_success(),
                           o.eventual_success(), chance(b.eventual_success(), o.eventual_success())));
  out.push_back(metric_gap("attempts_per_payment", "attempts per payment", false, a.attempts_per_payment(),
                           b.attempts_per_payment(), o.attempts_per_payment()));
  out.push_back(metric_gap("latency_p50_ms", "payment latency p50", false, double(a.latency_p50_ms),
                           double(b.latency_p50_ms), double(o.latency_p50_ms)));
  out.push_back(metric_gap("latency_p99_ms", "payment latency p99", false, double(a.latency_p99_ms),
                           double(b.latency_p99_ms), double(o.latency_p99_ms)));
  out.push_back(metric_gap("soft_failure_share", "payments that met a soft failure", false, a.soft_failure_share(),
                           b.soft_failure_share(), o.soft_failure_share(),
                           chance(b.soft_failure_share(), o.soft_failure_share())));
  // A payment that fails early ends early: an oracle that completes clearly fewer payments than the
  // baseline (more than 2 points) owes its latency partly to the payments it gave up, so its latency
  // is no reference (last_route: the oracle's p95 6.3 s at 72.7% eventual success, the baseline's
  // 14.4 s at 89.8%). Those gaps are not judged, and say why.
  constexpr double kEventualSlack = 0.02;
  if (o.eventual_success() < b.eventual_success() - kEventualSlack)
    for (MetricGap& g : out) {
      if (!g.key.starts_with("latency_")) continue;
      g.captured.reset();
      g.why_none = fmt::format("the oracle's {} is bought with failed payments (its eventual success {} is below the "
                               "baseline's {}), so it is no reference",
                               g.label, format_percent(o.eventual_success()), format_percent(b.eventual_success()));
    }
  return out;
}

std::vector<ReachableGap> reachable_gaps(const std::vector<MetricGap>& full, const PaymentMetrics& agent,
                                         const PaymentMetrics& baseline, const PaymentMetrics& late_oracle) {
  std::vector<ReachableGap> out;
  const std::vector<MetricGap> late = metric_gaps(agent, baseline, late_oracle);
  for (const std::string_view key : {"first_attempt_success", "latency_p95_ms"}) {
    const auto full_gap = std::find_if(full.begin(), full.end(), [&](const MetricGap& g) { return g.key == key; });
    const auto late_gap = std::find_if(late.begin(), late.end(), [&](const MetricGap& g) { return g.key == key; });
    if (full_gap == full.end() || late_gap == late.end()) continue;
    ReachableGap r{full_gap->key, full_gap->label, late_gap->oracle, std::nullopt, late_gap->captured, late_gap->why_none};
    // The late oracle's own share of the full gap: the formula of metric_gap with it in the agent's place.
    if (full_gap->captured)
      r.late_share = metric_gap(r.key, r.label, full_gap->higher_is_better, late_gap->oracle, full_gap->baseline,
                                full_gap->oracle).captured;
    out.push_back(std::move(r));
  }
  return out;
}

std::string gap_percent(double captured) {
  const double whole = std::round(captured * 100);
  return fmt::format("{:.0f}%", whole == 0 ? 0.0 : whole);
}

const MetricGap* Scorecard::gap(std::string_view key) const {
  for (const auto& g : gaps)
    if (g.key == key) return &g;
  return nullptr;
}

bool Scorecard::passed() const {
  return std::all_of(bars.begin(), bars.end(), [](const Bar& b) { return b.passed || b.known_short; });
}

std::string Scorecard::verdict() const {
  if (!passed()) return "FAIL";
  std::string shorts;
  for (const auto& b : bars)
    if (!b.passed && b.known_short) shorts += (shorts.empty() ? "" : ", ") + b.key;
  return shorts.empty() ? "PASS" : fmt::format("PASS with known-short bars ({})", shorts);
}

bool is_bar_key(std::string_view key) {
  return std::find(kBarKeys.begin(), kBarKeys.end(), key) != kBarKeys.end();
}

bool is_known_short_key(std::string_view key) {
  return std::find(kKnownShortKeys.begin(), kKnownShortKeys.end(), key) != kKnownShortKeys.end();
}

}  // namespace payops
