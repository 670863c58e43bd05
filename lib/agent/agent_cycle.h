// One agent cycle: observe -> (under the config lock) learn -> reason -> act -> write metrics.
//
// The decide-and-write step runs inside ConfigStore::update's callback, on the config read under the
// lock, so two overlapping `agent once` runs never both act: the second one waits for the lock, sees
// the first one's metrics.updated_at within min_cycle_gap_ms of its own time, and skips. Everything a
// cycle needs from earlier cycles (cooldowns, pending actions, breaker timers, intended weights) is
// read back from agent_history and the breaker fields: nothing lives in the process between cycles.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "contract/config_store.h"
#include "agent/learn.h"
#include "agent/observation.h"
#include "platform/result.h"
#include "agent/rules_reasoner.h"

namespace payops {

// What a second reasoner (the LLM) made of a cycle: the decision to apply, the label recorded as the
// entries' reasoner ("llm:MODEL", or "rules" when it fell back), and why it fell back.
struct ReasonerVerdict {
  Decision decision;
  std::string reasoner;
  std::string fallback_why;     // empty when the second reasoner's decision is used
  Json trace = Json::object();  // request, content, reasoning, reasoning_details, rejections
  // Re-vets the decision against the config as read under the lock (the model is asked before the
  // lock is taken, on a lockless snapshot, so a slow model never holds the config lock).
  std::function<Status(const Config& locked)> recheck;
};
using ReasonerHook =
    std::function<ReasonerVerdict(const Config& config, const Observation& obs, const Decision& rules_decision)>;

struct CycleOptions {
  ObserveOptions observe;
  RulesOptions rules;
  LearnOptions learn;
  bool dry_run = false;            // decide and report, write nothing
  std::string reasoner = "rules";  // recorded in history
  // When set, asked after the rules on every cycle. Acting: its decision replaces the rules' (a
  // fallback is recorded as an `llm_fallback` history entry). Shadow: the rules act, and a divergence
  // is recorded as an `llm_shadow` entry. Neither record has an outcome: they are not actions.
  ReasonerHook second_reasoner;
  bool shadow = false;
  // A cycle that finds another cycle's metrics stamped within this of its own time does nothing.
  std::int64_t min_cycle_gap_ms = 1000;
  // The second half of the cycle id ("<time>-<tag>"); empty: the process id. A virtual-time cycle
  // (`agent once --now`) sets a fixed tag so a rerun of the same drill writes the same bytes.
  std::string cycle_id_tag;
};

struct CycleReport {
  std::string cycle_id;
  TimeMs now_ms = 0;
  bool dry_run = false;
  std::string skipped;  // why the cycle did nothing (another cycle just ran); empty otherwise
  Json observations = Json::object();
  std::vector<std::string> reasoning;
  std::vector<HistoryEntry> actions;  // applied (or, in a dry run, that would be)
  std::vector<std::string> refused;   // actions the guardrails stopped, with why
  Json outcomes = Json::array();      // judgements of earlier actions
  std::string malformed_note;
  Json llm = nullptr;   // the second reasoner's trace, when one ran
  Config config_after;  // the config as written (or as it would be)
};

// Where rows come from: observe at `now`.
using ObserveFn = std::function<Result<Observation>(TimeMs now_ms)>;

// Runs one cycle at clock.now_ms(). Errors: from the store (lock timeout, invalid or missing
// config) and from observing (a missing log is an error naming it).
Result<CycleReport> run_cycle(ConfigStore& store, Clock& clock, const ObserveFn& observe,
                              const CycleOptions& options);

// The pure part of a cycle on a config already in hand: learn, reason, apply (checks included),
// metrics. Returns false in report.skipped's sense when another cycle ran within the gap.
void cycle_on_config(Config& config, const Observation& obs, const CycleOptions& options, CycleReport& report);

// Stream mode (`agent run --input`): rows arrive on fd (a pipe or a file, with or without the
// header) and time is the rows' time. A cycle runs when the first row at or past each boundary
// arrives (boundaries every interval_ms from the first row), at the boundary's time, over the rows
// before it (none for the partial interval at end of input). Malformed lines are skipped and counted. on_cycle gets
// every cycle's outcome and returns false to stop; stop() is polled between reads (signals).
Status run_stream(ConfigStore& store, int fd, std::int64_t interval_ms, const CycleOptions& options,
                  const std::function<bool(const Result<CycleReport>&)>& on_cycle,
                  const std::function<bool()>& stop);

// Observation as JSON (per bank short and long windows, payments), for --json and the LLM prompt.
Json observation_to_json(const Observation& obs, const Config& config);
Json cycle_report_to_json(const CycleReport& report);
// A short human summary: one line for the payments, one per bank, one per action.
std::string cycle_report_to_text(const CycleReport& report);

}  // namespace payops
