// The subcommands of `agent`, one function each. tools/agent/main.cpp binds its flags to these
// structs as typed (durations and timestamps as the text the user wrote) and calls one function;
// the functions check the text, print one clear sentence on a usage error and return the exit code
// (platform/exit_codes.h; `score` adds 5 for a missed bar).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "agent/agent_cycle.h"
#include "agent/llm_client.h"
#include "report/scorecard.h"

namespace payops {

// `agent score`: the drill missed a bar that is not marked known-short.
inline constexpr int kExitScoreMissedBar = 5;

// The flags every subcommand sees (declared on the app, given before or after the subcommand).
struct AgentFlags {
  std::string data_dir;  // empty: $PAYOPS_DATA_DIR, else the current directory
  bool json = false;
  bool dry_run = false;
  bool quiet = false;  // once, run, score, drill-report: print nothing but errors
  std::string now;  // `agent once --now`: a virtual instant; refused by every other subcommand
  std::string short_window = "30s";
  std::string long_window = "5m";
  std::string lock_timeout = "5s";
  std::string operator_cooldown = "120s";
  std::string min_dwell = "60s";
  std::string reasoner = "rules";  // rules or llm
  std::string shadow;              // empty or llm
  std::string llm_timeout = "20s";
  LlmSettings llm;       // endpoint and model from the flags; key from OPENROUTER_API_KEY
  CycleOptions cycle;    // chaos_abort_below from its flag; the rest from the text flags above
};

struct AgentStatusFlags {
  bool watch = false;
  std::string refresh = "1s";
  std::string at;
  std::uint64_t max_frames = 0;
  std::string prometheus;  // FILE: write the snapshot in Prometheus text format there (atomically), print nothing
};

struct AgentScoreFlags {
  std::string log, start, interval = "10s", baseline, oracle, late_oracle, samples, detect_from, report;
  std::vector<std::string> incidents, known_short;
  std::int64_t max_health_changes = -1;  // < 0: the incident's edges
  double min_gain_points = -1;           // < 0: the scorecard's default
  ScoreInputs inputs;                    // the bar thresholds, --bar-reason and --calm
};

struct AgentDrillReportFlags {
  std::string out, start, title = "payops drill report", scorecard;
  std::string since, until;  // a close-up: only rows in [since, until)
  std::vector<std::string> incidents;
};

struct AgentRunFlags {
  std::string interval = "10s";
  std::string input;  // FILE or - (stdin); empty: the data dir's log
  bool apply = false; // with --input: write the data dir's live config (else a scratch copy, unless --data-dir)
};

struct AgentReportFlags {
  std::string file;  // empty: the data dir's transactions.csv
  std::string since, until;
  unsigned threads = 0;
  bool no_payments = false;
};

int agent_report(const AgentFlags& flags, const AgentReportFlags& report);
int agent_status(const AgentFlags& flags, const AgentStatusFlags& status);
int agent_drill_report(const AgentFlags& flags, const AgentDrillReportFlags& report);
int agent_score(const AgentFlags& flags, const AgentScoreFlags& score);
int agent_once(const AgentFlags& flags);
int agent_run(const AgentFlags& flags, const AgentRunFlags& run);

}  // namespace payops
