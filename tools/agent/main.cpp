// agent: flags, signals and output selection only; the cycle lives in lib/agent_cycle.cpp, the
// rules in lib/rules_reasoner.cpp, the report in lib/agent_report.cpp.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <exception>
#include <fstream>

#include <fmt/format.h>

#include "agent/agent_cycle.h"
#include "report/agent_report.h"
#include "report/drill_report.h"
#include "platform/http_client.h"
#include "agent/llm_reasoner.h"
#include "report/scorecard.h"
#include "report/war_room.h"
#include "platform/clock.h"
#include "contract/config_store.h"
#include "contract/data_dir.h"
#include "platform/exit_codes.h"
#include "platform/stop_signal.h"
#include "platform/time_util.h"

namespace {


int fail(const payops::Error& e) {
  fmt::print(stderr, "agent: {}\n", e.message);
  return payops::exit_code_for(e);
}

int usage(const std::string& message) {
  fmt::print(stderr, "agent: {}\n", message);
  return payops::kExitUsage;
}

std::optional<std::int64_t> duration_flag(const std::string& text) {
  auto v = payops::parse_duration_ms(text);
  if (!v || *v <= 0) return std::nullopt;
  return v;
}

void print_report(const payops::CycleReport& r, bool json) {
  if (json) {
    fmt::print("{}\n", payops::cycle_report_to_json(r).dump());
  } else {
    fmt::print("{}", payops::cycle_report_to_text(r));
  }
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) try {
  using namespace payops;
  CLI::App app{
      "agent: watches transactions.csv and heals routing in shared_config.json.\n"
      "Each cycle observes a short and a long window per bank (read from the end of the log),\n"
      "judges its earlier actions, decides by deterministic rules (circuit breakers, health with\n"
      "hysteresis, bounded reroutes back to the operator's weights, retry policy, chaos safety) and\n"
      "acts under the config lock. Every action is an agent_history entry with its reason.\n"
      "Stateless: cooldowns, timers and pending actions are read back from the config, so cron\n"
      "(`agent once`) and the daemon (`agent run`) decide alike; two overlapping runs never both act.\n\n"
      "Examples:\n"
      "  agent once                                  one cycle now (cron)\n"
      "  agent run --interval 10s                    daemon; Ctrl-C/SIGTERM finish the cycle and exit\n"
      "  simulator --fast --out - | agent run --input - --interval 10s   event time from the rows\n"
      "  agent once --dry-run --json                 decide and print, change nothing\n"
      "  agent --now 2026-11-22T12:00:05.000Z once   one cycle at a virtual instant (closed-loop drills)\n"
      "  agent report transactions.csv --since 2026-11-22T12:00:00.000Z\n\n"
      "  agent status --watch                        the war room: live per-bank view in this terminal\n"
      "  agent score --start TS --incident bank_b:outage:8s+20s --baseline B.csv --oracle O.csv\n"
      "  agent --reasoner llm run                    ask an LLM (OPENROUTER_API_KEY), vetted by the rules' guardrails\n\n"
      "LLM reasoner: --reasoner llm sends each cycle's observations to an OpenAI-compatible\n"
      "chat-completions endpoint (default OpenRouter, model nvidia/nemotron-3-nano-30b-a3b:free, key from\n"
      "OPENROUTER_API_KEY). Every proposed action must pass the same guardrails as the rules; a rejected\n"
      "answer, a timeout, an HTTP error or a rate limit falls back to the rules for that cycle and is\n"
      "recorded in agent_history (llm_fallback). --shadow llm asks the LLM but lets the rules act.\n\n"
      "Exit codes: 0 ok, 1 other failure (I/O), 2 usage, 3 config lock held too long by another\n"
      "process, 4 shared_config.json missing or invalid, 5 (score) the drill missed a bar."};
  app.require_subcommand(1);
  app.fallthrough();

  std::string data_dir, short_window = "30s", long_window = "5m", lock_timeout = "5s", cooldown = "120s";
  std::string reasoner = "rules", now_text;
  bool json = false, dry_run = false;
  CycleOptions options;
  app.add_option("--data-dir", data_dir, "Data directory (default: $PAYOPS_DATA_DIR, else the current directory)");
  app.add_flag("--json", json, "One JSON object per cycle (observations, reasoning, actions, outcomes)");
  app.add_flag("--dry-run", dry_run, "Decide and print; write nothing");
  app.add_option("--now", now_text,
                 "agent once: run the cycle at this virtual instant (2026-11-22T12:00:05.000Z) instead of the real "
                 "clock: windows, timers, cooldowns and history use it (the simulator's --tick passes $PAYOPS_NOW)");
  app.add_option("--short-window", short_window, "Short observation window (default 30s)");
  app.add_option("--long-window", long_window, "Long observation window (default 5m)");
  app.add_option("--chaos-abort-below", options.rules.chaos_abort_below,
                 "Turn chaos off when the payment success rate falls below this (default 0.85)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--operator-cooldown", cooldown, "Never undo an operator's change younger than this (default 120s)");
  std::string min_dwell = "60s";
  app.add_option("--min-dwell", min_dwell, "Least time between two health verdicts of a bank (default 60s)");
  app.add_option("--lock-timeout", lock_timeout, "How long to wait for the config lock (default 5s)");
  app.add_option("--reasoner", reasoner, "rules (default) or llm")->check(CLI::IsMember({"rules", "llm"}));
  std::string shadow, llm_timeout = "20s";
  LlmSettings llm;
  app.add_option("--shadow", shadow, "llm: ask the LLM beside the rules, record where they diverge, let the rules act")
      ->check(CLI::IsMember({"llm"}));
  app.add_option("--endpoint", llm.endpoint, "OpenAI-compatible base URL (default OpenRouter's)");
  app.add_option("--model", llm.model, "Model name (default nvidia/nemotron-3-nano-30b-a3b:free)");
  app.add_option("--llm-timeout", llm_timeout, "Give up on the LLM after this long and let the rules decide (default 20s)");

  std::string status_interval = "1s", status_at;
  bool watch = false;
  auto* status_cmd = app.add_subcommand("status", "The war room: per-bank weights, shares, health, breakers, sparklines, latest actions");
  status_cmd->add_flag("--watch", watch, "Refresh in place about once a second until Ctrl-C (plain text when not a terminal)");
  status_cmd->add_option("--refresh", status_interval, "Refresh interval with --watch (default 1s)");
  status_cmd->add_option("--at", status_at, "Show the log as of this timestamp (a finished drill) instead of now");
  std::uint64_t max_frames = 0;
  status_cmd->add_option("--max-frames", max_frames, "Stop after this many refreshes (0 = until interrupted)");

  std::string score_log, score_start, score_interval = "10s", baseline, oracle, samples, detect_from, score_report;
  std::vector<std::string> incident_specs, known_short;
  ScoreInputs si;
  std::int64_t max_health_changes = -1;
  double min_gain_points = -1;
  auto* score = app.add_subcommand(
      "score",
      "Drill scorecard: payment-level metrics of the agent's run against the same traffic without the agent\n"
      "(baseline) and with a capacity-aware hindsight router (oracle), over the payments started in the\n"
      "incident window. Headline: gap captured = (agent - baseline) / (oracle - baseline) per metric.\n"
      "Exit 0 when every bar passes (or fails while marked known-short), 5 when a bar fails, 1 when a\n"
      "log or the samples file cannot be read.\n"
      "Bar keys (for --known-short): first_attempt_gap, p95_gap, eventual_floor, detect, mitigate, flaps,\n"
      "zero_eligible, config_valid, double_charges, malformed, false_alarms (--calm), gain (--calm and\n"
      "--min-first-attempt-gain).\n"
      "Example: agent score --start TS --incident bank_b:outage:8s+20s --baseline B.csv --oracle O.csv \\\n"
      "           --samples samples.jsonl --known-short p95_gap --bar-reason \"the oracle has no room on p95\"");
  score->add_option("--log", score_log, "The drill's log (default: the data dir's transactions.csv)");
  score->add_option("--start", score_start, "When the drill's traffic started (incident offsets count from it)")->required();
  score->add_option("--incident", incident_specs, "The drill's incidents, in simulator syntax (repeatable)");
  score->add_option("--interval", score_interval, "The agent's cycle interval (detection bar: two cycles)");
  score->add_option("--baseline", baseline, "Log of the same traffic without the agent (needed by the gap bars)");
  score->add_option("--oracle", oracle, "Log of the same traffic with `simulator --oracle` (needed by the gap bars)");
  score->add_option("--samples", samples, "JSON lines of `config-tool show --json` taken during the drill");
  score->add_option("--detect-from", detect_from, "Time detection from this offset instead of the incident start");
  score->add_option("--max-health-changes", max_health_changes, "Flap bar per bank (default: the incident's edges)");
  score->add_option("--min-oracle-ratio", si.min_oracle_ratio,
                    "eventual_floor bar: incident eventual success >= this share of the oracle's (default 0.98)")
      ->check(CLI::Range(0.0, 1.0));
  score->add_option("--min-first-attempt-gap", si.min_first_attempt_gap,
                    "first_attempt_gap bar: share of the baseline-to-oracle gap in first-attempt success the agent "
                    "must capture (default 0.90)");
  score->add_option("--min-p95-gap", si.min_p95_gap,
                    "p95_gap bar: share of the gap in payment latency p95 the agent must capture (default 0.80)");
  score->add_option("--bar-reason", si.bar_reason, "One line: why this drill sets its own bars (printed with them)");
  score->add_option("--known-short", known_short,
                    "A bar KEY this drill is known to miss (repeatable): printed KNOWN-SHORT, does not fail the exit code");
  score->add_flag("--calm", si.calm,
                  "No-fault control run: bars are no health or breaker change by the agent (false_alarms) and "
                  "whole-run first-attempt success >= the baseline's (gain)");
  score->add_option("--min-first-attempt-gain", min_gain_points,
                    "gain bar: whole-run first-attempt success >= the baseline's + PT percentage points");
  score->add_option("--report", score_report, "Also write the HTML drill report, scorecard included, to this file");

  std::string report_out, report_start, report_title = "payops drill report", report_scorecard;
  std::vector<std::string> report_incidents;
  auto* drill_report = app.add_subcommand("drill-report", "Write a self-contained HTML report (inline SVG charts) of a data dir");
  drill_report->add_option("--out", report_out, "Output file (default: DATA_DIR/drill_report.html)");
  drill_report->add_option("--incident", report_incidents, "Incidents to shade, in simulator syntax (repeatable)");
  drill_report->add_option("--start", report_start, "What incident offsets count from (default: the first row)");
  drill_report->add_option("--title", report_title, "Page title");
  drill_report->add_option("--scorecard", report_scorecard, "A file with `agent score --json` output to include");

  auto* once = app.add_subcommand("once", "Run one cycle now and exit (for cron)");
  std::string interval = "10s", input;
  auto* run = app.add_subcommand("run", "Run cycles every --interval until SIGINT/SIGTERM (or the end of --input)");
  run->add_option("--interval", interval, "Time between cycles (default 10s; event time with --input)");
  run->add_option("--input", input, "Read rows from FILE or - (stdin) instead of the data dir's log");

  std::string report_file, since_text, until_text;
  unsigned threads = 0;
  auto* report = app.add_subcommand("report", "Per-bank statistics over a whole log (or --since/--until)");
  report->add_option("FILE", report_file, "Log file or - for stdin (default: the data dir's transactions.csv)");
  report->add_option("--since", since_text, "Only rows at or after this timestamp");
  report->add_option("--until", until_text, "Only rows before this timestamp");
  report->add_option("--threads", threads, "Scanning threads (default: one per core)");
  bool no_payments = false;
  report->add_flag("--no-payments", no_payments, "Skip retries and payment-level success (faster: per-bank numbers only)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  const DataDir dir = resolve_data_dir(data_dir);
  // A flag, not an environment variable: a stray PAYOPS_NOW in a shell must never move a real agent's clock.
  std::optional<TimeMs> virtual_now;
  if (!now_text.empty()) {
    if (!*once) return usage("--now applies to `agent once` only (the daemon and the other commands run on the real clock)");
    virtual_now = parse_timestamp(now_text);
    if (!virtual_now)
      return usage(fmt::format("--now must be a timestamp like 2026-11-22T12:00:05.000Z, got \"{}\"", now_text));
  }

  if (*report) {
    ReportOptions ro;
    ro.path = report_file.empty() ? dir.transactions_csv() : report_file;
    ro.threads = threads;
    ro.payments = !no_payments;
    if (!since_text.empty()) {
      ro.since_ms = parse_timestamp(since_text);
      if (!ro.since_ms) return usage(fmt::format("--since must be a timestamp like 2026-11-22T12:00:00.000Z, got \"{}\"", since_text));
    }
    if (!until_text.empty()) {
      ro.until_ms = parse_timestamp(until_text);
      if (!ro.until_ms) return usage(fmt::format("--until must be a timestamp like 2026-11-22T12:00:00.000Z, got \"{}\"", until_text));
    }
    auto r = build_report(ro);
    if (!r.ok()) {
      fmt::print(stderr, "agent: report: {}\n", r.error().message);
      return kExitFailure;  // a log problem, not a config one
    }
    fmt::print("{}", json ? report_to_json(*r).dump(2) + "\n" : report_to_text(*r));
    return kExitOk;
  }

  const auto parse_incidents = [](const std::vector<std::string>& specs, std::vector<Incident>& out) -> Status {
    for (const auto& spec : specs) {
      auto inc = parse_incident(spec);
      if (!inc.ok()) return make_error(inc.error().message, Error::Kind::invalid_input);
      out.push_back(*inc);
    }
    return ok_status();
  };

  if (*status_cmd) {
    StatusOptions so;
    so.data_dir = dir;
    so.watch = watch;
    so.json = json;
    so.max_frames = max_frames;
    const auto every = duration_flag(status_interval);
    if (!every) return usage(fmt::format("--refresh must be a positive duration like 1s, got \"{}\"", status_interval));
    so.interval_ms = *every;
    if (const auto w = duration_flag(short_window)) so.short_window_ms = *w;
    if (const auto w = duration_flag(long_window)) so.long_window_ms = *w;
    if (!status_at.empty()) {
      so.at_ms = parse_timestamp(status_at);
      if (!so.at_ms) return usage(fmt::format("--at must be a timestamp like 2026-11-22T12:00:00.000Z, got \"{}\"", status_at));
    }
    if (watch) install_stop_handlers();
    return run_status(so);
  }

  if (*drill_report) {
    DrillReportOptions ro;
    ro.data_dir = dir;
    ro.out_path = report_out;
    ro.title = report_title;
    if (auto s = parse_incidents(report_incidents, ro.incidents); !s.ok()) return usage(s.error().message);
    if (!report_start.empty()) {
      ro.run_start_ms = parse_timestamp(report_start);
      if (!ro.run_start_ms) return usage(fmt::format("--start must be a timestamp, got \"{}\"", report_start));
    }
    if (!report_scorecard.empty()) {
      std::ifstream in(report_scorecard);
      Json card = Json::parse(in, nullptr, false);
      if (card.is_discarded()) return usage(fmt::format("--scorecard {} is not JSON", report_scorecard));
      ro.scorecard = card;
    }
    if (auto s = write_drill_report(ro); !s.ok()) return fail(s.error());
    fmt::print("wrote {}\n", ro.out_path.empty() ? dir.dir + "/drill_report.html" : ro.out_path);
    return kExitOk;
  }

  if (*score) {
    si.log_path = score_log.empty() ? dir.transactions_csv() : score_log;
    si.baseline_log_path = baseline;
    si.oracle_log_path = oracle;
    si.samples_path = samples;
    for (const auto& key : known_short) {
      if (!is_bar_key(key))
        return usage(fmt::format("--known-short {} is not a bar key; see agent score --help for the list", key));
      si.known_short.insert(key);
    }
    if (min_gain_points >= 0) si.min_first_attempt_gain_points = min_gain_points;
    const auto start = parse_timestamp(score_start);
    if (!start) return usage(fmt::format("--start must be a timestamp like 2026-11-22T12:00:00.000Z, got \"{}\"", score_start));
    si.run_start_ms = *start;
    const auto every = duration_flag(score_interval);
    if (!every) return usage(fmt::format("--interval must be a positive duration, got \"{}\"", score_interval));
    si.agent_interval_ms = *every;
    if (!detect_from.empty()) {
      si.detect_from_offset_ms = parse_duration_ms(detect_from);
      if (!si.detect_from_offset_ms) return usage(fmt::format("--detect-from must be a duration, got \"{}\"", detect_from));
    }
    if (max_health_changes >= 0) si.max_health_changes = max_health_changes;
    if (auto s = parse_incidents(incident_specs, si.incidents); !s.ok()) return usage(s.error().message);
    auto history = load_full_history(dir.config_json(), dir.history_jsonl());
    if (!history.ok()) return fail(history.error());
    si.history = std::move(*history);
    auto card = compute_scorecard(si);
    if (!card.ok()) {
      fmt::print(stderr, "agent: score: {}\n", card.error().message);
      return kExitFailure;  // an unreadable input is never a pass, nor a config problem
    }
    fmt::print("{}", json ? scorecard_to_json(*card).dump(2) + "\n" : scorecard_to_text(*card));
    if (!score_report.empty()) {
      DrillReportOptions ro;
      ro.data_dir = dir;
      ro.out_path = score_report;
      ro.incidents = si.incidents;
      ro.run_start_ms = si.run_start_ms;
      ro.scorecard = scorecard_to_json(*card);
      if (auto s = write_drill_report(ro); !s.ok()) return fail(s.error());
    }
    return card->passed() ? kExitOk : 5;
  }

  if (reasoner == "llm" || !shadow.empty()) {
    const auto timeout = duration_flag(llm_timeout);
    if (!timeout) return usage(fmt::format("--llm-timeout must be a positive duration, got \"{}\"", llm_timeout));
    llm.timeout_ms = *timeout;
    if (const char* key = std::getenv("OPENROUTER_API_KEY")) llm.api_key = key;
    if (llm.api_key.empty() && llm.endpoint == kDefaultLlmEndpoint)
      fmt::print(stderr, "agent: OPENROUTER_API_KEY is not set; LLM calls will fail and the rules will decide\n");
  }
  const auto short_ms = duration_flag(short_window), long_ms = duration_flag(long_window);
  const auto lock_ms = parse_duration_ms(lock_timeout), cooldown_ms = parse_duration_ms(cooldown);
  if (!short_ms) return usage(fmt::format("--short-window must be a positive duration like 30s, got \"{}\"", short_window));
  if (!long_ms) return usage(fmt::format("--long-window must be a positive duration like 5m, got \"{}\"", long_window));
  if (!lock_ms || *lock_ms < 0) return usage(fmt::format("--lock-timeout must be a duration like 5s, got \"{}\"", lock_timeout));
  if (!cooldown_ms || *cooldown_ms < 0) return usage(fmt::format("--operator-cooldown must be a duration like 120s, got \"{}\"", cooldown));
  options.observe.short_window_ms = *short_ms;
  options.observe.long_window_ms = *long_ms;
  options.rules.operator_cooldown_ms = *cooldown_ms;
  const auto dwell_ms = parse_duration_ms(min_dwell);
  if (!dwell_ms || *dwell_ms < 0) return usage(fmt::format("--min-dwell must be a duration like 60s, got \"{}\"", min_dwell));
  options.rules.min_dwell_ms = *dwell_ms;
  options.dry_run = dry_run;
  options.reasoner = "rules";
  CurlHttpClient http;
  const bool streaming = *run && !input.empty();
  if (reasoner == "llm" || !shadow.empty()) {
    options.shadow = !shadow.empty();
    options.second_reasoner = [&, streaming](const Config& config, const Observation& obs, const Decision& rules_decision) {
      // Log text for the model: only from the data dir's log (a stream keeps no messages).
      const std::vector<LogSample> log_samples =
          streaming ? std::vector<LogSample>{} : sample_log_messages(dir.transactions_csv(), obs.short_since(), 3);
      LlmOutcome outcome = decide_llm(http, llm, config, obs, log_samples, rules_decision, options.rules);
      ReasonerVerdict verdict{std::move(outcome.decision), outcome.used_llm ? "llm:" + llm.model : "rules",
                              outcome.fallback_why, std::move(outcome.trace), {}};
      if (outcome.used_llm) {
        verdict.recheck = [content = verdict.trace.value("content", std::string()), now = obs.now_ms,
                           rules = options.rules](const Config& locked) -> Status {
          auto again = vet_llm_answer(content, locked, now, rules);
          if (!again.ok()) return again.error();
          return ok_status();
        };
      }
      return verdict;
    };
  }
  ConfigStoreOptions store_options;
  store_options.lock_timeout_ms = *lock_ms;
  ConfigStore store(dir, store_options);

  // The data dir's log; a log that does not exist yet is an empty one (nothing has happened).
  const std::string log_path = dir.transactions_csv();
  ObserveFn observe_log_fn = [&](TimeMs now) -> Result<Observation> {
    auto obs = observe_log(log_path, now, options.observe);
    if (!obs.ok() && obs.error().kind == Error::Kind::not_found) return observe_rows(RowWindow{}, now, options.observe);
    return obs;
  };

  if (*once) {
    ManualClock fixed(virtual_now.value_or(0));
    if (virtual_now) options.cycle_id_tag = "virtual";
    auto r = run_cycle(store, virtual_now ? static_cast<Clock&>(fixed) : SystemClock::instance(), observe_log_fn, options);
    if (!r.ok()) return fail(r.error());
    print_report(*r, json);
    return kExitOk;
  }

  // run
  const auto interval_ms = duration_flag(interval);
  if (!interval_ms) return usage(fmt::format("--interval must be a positive duration like 10s, got \"{}\"", interval));
  install_stop_handlers();
  // Keep cycles that run back to back (short intervals) from mistaking each other for a rival.
  options.min_cycle_gap_ms = std::min<std::int64_t>(options.min_cycle_gap_ms, *interval_ms / 2);

  if (!input.empty()) {
    int fd = STDIN_FILENO;
    if (input != "-") {
      fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return fail(make_error(fmt::format("cannot open {}: {}", input, std::strerror(errno))));
    }
    int code = kExitOk;
    auto status = run_stream(
        store, fd, *interval_ms, options,
        [&](const Result<CycleReport>& r) {
          if (!r.ok()) {
            code = fail(r.error());
            return r.error().kind != Error::Kind::invalid_config && r.error().kind != Error::Kind::not_found;
          }
          print_report(*r, json);
          return true;
        },
        [] { return stop_requested(); });
    if (fd != STDIN_FILENO) ::close(fd);
    if (!status.ok()) return fail(status.error());
    return code;
  }

  // The daemon: a failing first cycle (no config, broken config) ends it with that error; later
  // failures (a lock held for a while, a human's broken edit) are reported and the next cycle retries.
  bool first = true;
  Clock& clock = SystemClock::instance();
  while (!stop_requested()) {
    const TimeMs started = clock.now_ms();
    auto r = run_cycle(store, clock, observe_log_fn, options);
    if (!r.ok()) {
      if (first) return fail(r.error());
      fmt::print(stderr, "agent: {} (retrying next cycle)\n", r.error().message);
    } else {
      print_report(*r, json);
    }
    first = false;
    if (stop_requested()) break;
    clock.sleep_ms(started + *interval_ms - clock.now_ms());
  }
  return kExitOk;
} catch (const std::exception& e) {
  fmt::print(stderr, "agent: unexpected error: {}\n", e.what());
  return payops::kExitFailure;
}
