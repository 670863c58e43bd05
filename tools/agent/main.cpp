// agent: flags only; each subcommand is one function in lib/app/agent_commands.h (the cycle in
// lib/agent/agent_cycle.cpp, the rules in lib/agent/rules_reasoner.cpp, the report in lib/report/).
#include <CLI/CLI.hpp>

#include <exception>

#include <fmt/format.h>

#include "app/agent_commands.h"
#include "app/agent_help.h"
#include "app/cli_parse.h"
#include "platform/error_output.h"
#include "platform/exit_codes.h"

namespace {

// `agent score`: the drill's inputs and its bars.
CLI::App* add_score_command(CLI::App& app, payops::AgentScoreFlags& sc) {
  using payops::between;
  auto* score = app.add_subcommand("score", payops::kAgentScoreDescription);
  score->add_option("--log", sc.log, "The drill's log (default: the data dir's transactions.csv)");
  score->add_option("--start", sc.start, "When the drill's traffic started (incident offsets count from it)")->required();
  score->add_option("--incident", sc.incidents, "The drill's incidents, in simulator syntax (repeatable)");
  score->add_option("--interval", sc.interval, "The agent's cycle interval (detection bar: two cycles)");
  score->add_option("--baseline", sc.baseline, "Log of the same traffic without the agent (needed by the gap bars)");
  score->add_option("--oracle", sc.oracle, "Log of the same traffic with `simulator --oracle` (needed by the gap bars)");
  score->add_option("--late-oracle", sc.late_oracle,
                    "Log of `simulator --oracle --oracle-lag INTERVAL`: what is reachable from the log, reported "
                    "beside the gaps (not a bar)");
  score->add_option("--samples", sc.samples, "JSON lines of `config-tool show --json` taken during the drill");
  score->add_option("--detect-from", sc.detect_from, "Time detection from this offset instead of the incident start");
  score->add_option("--max-health-changes", sc.max_health_changes, "Flap bar per bank (default: the incident's edges)");
  score->add_option("--min-oracle-ratio", sc.inputs.min_oracle_ratio,
                    "eventual_floor bar: incident eventual success >= this share of the oracle's (default 0.98)")
      ->check(between(0, 1));
  score->add_option("--min-first-attempt-gap", sc.inputs.min_first_attempt_gap,
                    "first_attempt_gap bar: share of the baseline-to-oracle gap in first-attempt success the agent "
                    "must capture (default 0.90)");
  score->add_option("--min-p95-gap", sc.inputs.min_p95_gap,
                    "p95_gap bar: share of the gap in payment latency p95 the agent must capture (default 0.80)");
  score->add_option("--bar-reason", sc.inputs.bar_reason, "One line: why this drill sets its own bars (printed with them)");
  score->add_option("--known-short", sc.known_short,
                    "A bar KEY this drill is known to miss (repeatable): printed KNOWN-SHORT and excused only at or above its "
                    "floor (half the bar for first_attempt_gap/p95_gap/gain, at some point for detect/mitigate, no worse "
                    "than the baseline for eventual_floor), so an agent that does nothing still fails");
  score->add_flag("--calm", sc.inputs.calm,
                  "No-fault control run: bars are no health or breaker change by the agent (false_alarms) and "
                  "whole-run first-attempt success >= the baseline's (gain)");
  score->add_option("--min-first-attempt-gain", sc.min_gain_points,
                    "gain bar: whole-run first-attempt success >= the baseline's + PT percentage points");
  score->add_option("--report", sc.report, "Also write the HTML drill report, scorecard included, to this file");
  return score;
}

}  // namespace

int main(int argc, char** argv) try {
  using namespace payops;
  CLI::App app{kAgentDescription};
  app.require_subcommand(1);
  app.fallthrough();
  add_version_flag(app, "agent");

  AgentFlags f;
  app.add_option("--data-dir", f.data_dir, "Data directory (default: $PAYOPS_DATA_DIR, else the current directory)");
  app.add_flag("--json", f.json, "One JSON object per cycle (observations, reasoning, actions, outcomes)");
  app.add_flag("--dry-run", f.dry_run, "Decide and print; write nothing");
  app.add_option("--now", f.now,
                 "agent once: run the cycle at this virtual instant (2026-11-22T12:00:05.000Z) instead of the real "
                 "clock: windows, timers, cooldowns and history use it (the simulator's --tick passes $PAYOPS_NOW)");
  app.add_option("--short-window", f.short_window, "Short observation window (default 30s)");
  app.add_option("--long-window", f.long_window, "Long observation window (default 5m)");
  app.add_option("--chaos-abort-below", f.cycle.rules.chaos_abort_below,
                 "Turn chaos off when the payment success rate falls below this (default 0.85)")
      ->check(between(0, 1));
  app.add_option("--operator-cooldown", f.operator_cooldown, "Never undo an operator's change younger than this (default 120s)");
  app.add_option("--min-dwell", f.min_dwell, "Least time between two health verdicts of a bank (default 60s)");
  app.add_option("--lock-timeout", f.lock_timeout, "How long to wait for the config lock (default 5s)");
  app.add_option("--reasoner", f.reasoner, "rules (default) or llm")->check(CLI::IsMember({"rules", "llm"}));
  app.add_option("--shadow", f.shadow, "llm: ask the LLM beside the rules, record where they diverge, let the rules act")
      ->check(CLI::IsMember({"llm"}));
  app.add_option("--endpoint", f.llm.endpoint, "OpenAI-compatible base URL (default OpenRouter's)");
  app.add_option("--model", f.llm.model, "Model name (default nvidia/nemotron-3-nano-30b-a3b:free)");
  app.add_option("--llm-timeout", f.llm_timeout, "Give up on the LLM after this long and let the rules decide (default 20s)");

  AgentStatusFlags st;
  auto* status = app.add_subcommand("status", "The war room: per-bank weights, shares, health, breakers, sparklines, latest actions");
  status->add_flag("--watch", st.watch, "Refresh in place about once a second until Ctrl-C (plain text when not a terminal)");
  status->add_option("--refresh", st.refresh, "Refresh interval with --watch (default 1s)");
  status->add_option("--at", st.at, "Show the log as of this timestamp (a finished drill) instead of now");
  status->add_option("--max-frames", st.max_frames, "Stop after this many refreshes (0 = until interrupted)");
  status->add_option("--prometheus", st.prometheus,
                     "Write one snapshot to FILE in Prometheus text format (node_exporter textfile; temp+rename)");

  AgentScoreFlags sc;
  auto* score = add_score_command(app, sc);

  AgentDrillReportFlags dr;
  auto* drill_report = app.add_subcommand("drill-report", "Write a self-contained HTML report (inline SVG charts) of a data dir");
  drill_report->add_option("--out", dr.out, "Output file (default: DATA_DIR/drill_report.html)");
  drill_report->add_option("--incident", dr.incidents, "Incidents to shade, in simulator syntax (repeatable)");
  drill_report->add_option("--start", dr.start, "What incident offsets count from (default: the first row)");
  drill_report->add_option("--title", dr.title, "Page title");
  drill_report->add_option("--scorecard", dr.scorecard, "A file with `agent score --json` output to include");
  drill_report->add_option("--since", dr.since, "A close-up: only rows at or after this timestamp (finer buckets)");
  drill_report->add_option("--until", dr.until, "A close-up: only rows before this timestamp");

  auto* once = app.add_subcommand("once", "Run one cycle now and exit (for cron)");
  AgentRunFlags rn;
  auto* run = app.add_subcommand("run", "Run cycles every --interval until SIGINT/SIGTERM (or the end of --input)");
  run->add_option("--interval", rn.interval, "Time between cycles (default 10s; event time with --input)");
  run->add_option("--input", rn.input, "Read rows from FILE or - (stdin) instead of the data dir's log");
  run->add_flag("--apply", rn.apply,
                "With --input: change the live config (default: a scratch copy, printed, unless --data-dir is given)");

  AgentReportFlags rp;
  auto* report = app.add_subcommand("report", "Per-bank statistics over a whole log (or --since/--until)");
  report->add_option("FILE", rp.file, "Log file or - for stdin (default: the data dir's transactions.csv)");
  report->add_option("--since", rp.since, "Only rows at or after this timestamp");
  report->add_option("--until", rp.until, "Only rows before this timestamp");
  report->add_option("--threads", rp.threads, "Scanning threads (default: one per core)");
  report->add_flag("--no-payments", rp.no_payments, "Skip retries and payment-level success (faster: per-bank numbers only)");

  const std::string json_help = "Machine-readable JSON output (errors too: {\"error\": ..., \"exit_code\": N} on stdout)";
  for (auto* sub : {status, score, drill_report, once, run, report})
    add_output_flags(*sub, f.json, sub == once || sub == run || sub == score || sub == drill_report ? &f.quiet : nullptr, json_help);
  if (auto code = parse_command_line(app, argc, argv, "agent")) return *code;
  set_json_errors(f.json);
  if (*report) return agent_report(f, rp);
  if (*status) return agent_status(f, st);
  if (*drill_report) return agent_drill_report(f, dr);
  if (*score) return agent_score(f, sc);
  if (*once) return agent_once(f);
  return agent_run(f, rn);
} catch (const std::exception& e) {
  return payops::report_error("agent", payops::kExitFailure, std::string("unexpected error: ") + e.what());
}
