// `agent report`, `agent status`, `agent drill-report` and `agent score`: the read-only subcommands.
// The cycle subcommands (once, run) are in agent_run.cpp.
#include "app/agent_commands.h"

#include <fstream>

#include <fmt/format.h>

#include "app/agent_flags.h"
#include "contract/data_dir.h"
#include "platform/error_output.h"
#include "platform/clock.h"
#include "platform/exit_codes.h"
#include "platform/progress.h"
#include "platform/stop_signal.h"
#include "platform/time_flags.h"
#include "platform/time_util.h"
#include "report/agent_report.h"
#include "report/drill_report.h"
#include "report/prometheus_textfile.h"
#include "report/war_room.h"

namespace payops {
namespace {

// Relative time flags (-1h, now) count from the real clock.
TimeMs wall_now() { return SystemClock::instance().now_ms(); }

}  // namespace

int agent_report(const AgentFlags& flags, const AgentReportFlags& report) {
  if (auto s = refuse_virtual_now(flags); !s.ok()) return agent_usage(s.error().message);
  const DataDir dir = resolve_data_dir(flags.data_dir);
  ReportOptions ro;
  ro.path = report.file.empty() ? dir.transactions_csv() : report.file;
  ro.threads = report.threads;
  ro.payments = !report.no_payments;
  if (!report.since.empty()) {
    ro.since_ms = parse_time_flag(report.since, wall_now());
    if (!ro.since_ms)
      return agent_usage(fmt::format("--since must be {}, got \"{}\"", kTimeSyntax, report.since));
  }
  if (!report.until.empty()) {
    ro.until_ms = parse_time_flag(report.until, wall_now());
    if (!ro.until_ms)
      return agent_usage(fmt::format("--until must be {}, got \"{}\"", kTimeSyntax, report.until));
  }
  // A big file takes seconds: a progress line on a terminal (nothing when stderr is not one).
  Progress progress(stderr, "agent report", 0, ProgressUnit::bytes);
  if (progress.active()) ro.on_progress = [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };
  auto r = build_report(ro);
  progress.finish();
  if (!r.ok()) {
    return report_error("agent", kExitFailure, "report: " + r.error().message);  // a log problem, not a config one
  }
  fmt::print("{}", flags.json ? report_to_json(*r).dump(2) + "\n" : report_to_text(*r));
  return kExitOk;
}

int agent_status(const AgentFlags& flags, const AgentStatusFlags& status) {
  if (auto s = refuse_virtual_now(flags); !s.ok()) return agent_usage(s.error().message);
  StatusOptions so;
  so.data_dir = resolve_data_dir(flags.data_dir);
  so.watch = status.watch;
  so.json = flags.json;
  so.max_frames = status.max_frames;
  const auto every = positive_duration(status.refresh);
  if (!every) return agent_usage(fmt::format("--refresh must be a positive duration like 1s, got \"{}\"", status.refresh));
  so.interval_ms = *every;
  // The windows are the cycle's; a bad one is reported by once/run, the war room keeps its default.
  if (const auto w = positive_duration(flags.short_window)) so.short_window_ms = *w;
  if (const auto w = positive_duration(flags.long_window)) so.long_window_ms = *w;
  if (!status.at.empty()) {
    so.at_ms = parse_time_flag(status.at, wall_now());
    if (!so.at_ms) return agent_usage(fmt::format("--at must be {}, got \"{}\"", kTimeSyntax, status.at));
  }
  if (!status.prometheus.empty()) {
    if (status.watch) return agent_usage("--prometheus writes one snapshot; run it from a timer, not with --watch");
    StatusSource source(so.data_dir, so.short_window_ms, so.long_window_ms);
    const StatusSnapshot snap = source.read(so.at_ms.value_or(SystemClock::instance().now_ms()));
    if (!source.has_config()) return agent_fail(make_error(source.config_problem(), Error::Kind::invalid_config));
    if (auto s = write_file_atomically(status.prometheus, status_to_prometheus(snap)); !s.ok()) return agent_fail(s.error());
    return kExitOk;
  }
  if (status.watch) install_stop_handlers();
  return run_status(so);
}

namespace {

// --start, --since, --until and --scorecard of drill-report into ro; a usage sentence on a bad value.
Status read_drill_report_inputs(const AgentDrillReportFlags& report, DrillReportOptions& ro) {
  if (auto s = parse_incident_flags(report.incidents, ro.incidents); !s.ok()) return s;
  const std::pair<const char*, std::pair<const std::string*, std::optional<TimeMs>*>> times[] = {
      {"--start", {&report.start, &ro.run_start_ms}},
      {"--since", {&report.since, &ro.since_ms}},
      {"--until", {&report.until, &ro.until_ms}}};
  for (const auto& [flag, field] : times) {
    if (field.first->empty()) continue;
    *field.second = parse_time_flag(*field.first, wall_now());
    if (!*field.second)
      return make_error(fmt::format("{} must be {}, got \"{}\"", flag, kTimeSyntax, *field.first));
  }
  if (!report.scorecard.empty()) {
    std::ifstream in(report.scorecard);
    Json card = Json::parse(in, nullptr, false);
    if (card.is_discarded()) return make_error(fmt::format("--scorecard {} is not JSON", report.scorecard));
    ro.scorecard = card;
  }
  return ok_status();
}

}  // namespace

int agent_drill_report(const AgentFlags& flags, const AgentDrillReportFlags& report) {
  if (auto s = refuse_virtual_now(flags); !s.ok()) return agent_usage(s.error().message);
  const DataDir dir = resolve_data_dir(flags.data_dir);
  DrillReportOptions ro;
  ro.data_dir = dir;
  ro.out_path = report.out;
  ro.title = report.title;
  if (auto s = read_drill_report_inputs(report, ro); !s.ok()) return agent_usage(s.error().message);
  if (auto s = write_drill_report(ro); !s.ok()) return agent_fail(s.error());
  if (!flags.quiet) fmt::print("wrote {}\n", ro.out_path.empty() ? dir.dir + "/drill_report.html" : ro.out_path);
  return kExitOk;
}

namespace {

// The score flags into ScoreInputs (history not yet loaded); a usage sentence on a bad value.
Result<ScoreInputs> score_inputs(const DataDir& dir, const AgentScoreFlags& score) {
  ScoreInputs si = score.inputs;
  si.log_path = score.log.empty() ? dir.transactions_csv() : score.log;
  si.baseline_log_path = score.baseline;
  si.oracle_log_path = score.oracle;
  si.late_oracle_log_path = score.late_oracle;
  si.samples_path = score.samples;
  for (const auto& key : score.known_short) {
    if (!is_bar_key(key))
      return make_error(fmt::format("--known-short {} is not a bar key; see agent score --help for the list", key));
    if (!is_known_short_key(key))
      return make_error(fmt::format("--known-short {}: this bar has no known-short floor and cannot be marked "
                                    "(markable: first_attempt_gap, p95_gap, eventual_floor, detect, mitigate, gain)", key));
    si.known_short.insert(key);
  }
  if (score.min_gain_points >= 0) si.min_first_attempt_gain_points = score.min_gain_points;
  const auto start = parse_time_flag(score.start, wall_now());
  if (!start) return make_error(fmt::format("--start must be {}, got \"{}\"", kTimeSyntax, score.start));
  si.run_start_ms = *start;
  const auto every = positive_duration(score.interval);
  if (!every) return make_error(fmt::format("--interval must be a positive duration, got \"{}\"", score.interval));
  si.agent_interval_ms = *every;
  if (!score.detect_from.empty()) {
    si.detect_from_offset_ms = parse_duration_ms(score.detect_from);
    if (!si.detect_from_offset_ms) return make_error(fmt::format("--detect-from must be a duration, got \"{}\"", score.detect_from));
  }
  if (score.max_health_changes >= 0) si.max_health_changes = score.max_health_changes;
  if (auto s = parse_incident_flags(score.incidents, si.incidents); !s.ok()) return s.error();
  return si;
}

}  // namespace

int agent_score(const AgentFlags& flags, const AgentScoreFlags& score) {
  if (auto s = refuse_virtual_now(flags); !s.ok()) return agent_usage(s.error().message);
  const DataDir dir = resolve_data_dir(flags.data_dir);
  auto si = score_inputs(dir, score);
  if (!si.ok()) return agent_usage(si.error().message);
  auto history = load_full_history(dir.config_json(), dir.history_jsonl());
  if (!history.ok()) return agent_fail(history.error());
  si->history = std::move(*history);
  auto card = compute_scorecard(*si);
  if (!card.ok()) {
    // An unreadable input is never a pass, nor a config problem.
    return report_error("agent", kExitFailure, "score: " + card.error().message);
  }
  if (!flags.quiet) fmt::print("{}", flags.json ? scorecard_to_json(*card).dump(2) + "\n" : scorecard_to_text(*card));
  if (!score.report.empty()) {
    DrillReportOptions ro;
    ro.data_dir = dir;
    ro.out_path = score.report;
    ro.incidents = si->incidents;
    ro.run_start_ms = si->run_start_ms;
    ro.scorecard = scorecard_to_json(*card);
    if (auto s = write_drill_report(ro); !s.ok()) return agent_fail(s.error());
  }
  return card->passed() ? kExitOk : kExitScoreMissedBar;
}

}  // namespace payops
