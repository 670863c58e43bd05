// The drill scorecard: how well the whole loop healed. Reads a drill's transactions.csv (with the
// agent), optionally the same traffic without the agent (baseline) and with hindsight-perfect
// routing (oracle), the agent_history, the incident timeline and config samples taken during the
// drill, and judges them against the bars every drill asserts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config_model.h"
#include "result.h"
#include "time_util.h"
#include "world.h"

namespace payops {

struct ScoreInputs {
  std::string log_path;              // the drill's log, written with the agent running
  std::string baseline_log_path;     // optional: the same traffic and incidents, no agent
  std::string oracle_log_path;       // optional: the same, routed by `simulator --oracle`
  std::vector<Incident> incidents;   // offsets from run_start_ms
  TimeMs run_start_ms = 0;
  std::optional<TimeMs> run_end_ms;  // default: the last row's timestamp
  std::vector<HistoryEntry> history; // agent_history, archive included, oldest first
  std::string samples_path;          // optional: JSON lines of `config-tool show --json` (or {"invalid":...})
  std::int64_t agent_interval_ms = 10000;
  // Bars (the defaults are the ones every drill asserts).
  double min_oracle_ratio = 0.98;    // incident success >= this x the oracle's
  std::int64_t detect_cycles = 2;    // first action on the affected bank within this many cycles
  // Detection is timed from this offset instead of the first incident's start (a slow degradation
  // is only detectable once it is bad).
  std::optional<std::int64_t> detect_from_offset_ms;
  // The flap bar: at most this many health changes per bank instead of the incident's edge count.
  std::optional<std::int64_t> max_health_changes;
  // Slack added to the detection bar for the observation window to fill and the log to flush.
  std::int64_t detect_slack_ms = 2000;
};

struct RunRates {
  bool present = false;
  std::uint64_t payments = 0, succeeded = 0;
  std::uint64_t incident_payments = 0, incident_succeeded = 0;
  double overall() const { return payments ? double(succeeded) / double(payments) : 0; }
  double during_incident() const {
    return incident_payments ? double(incident_succeeded) / double(incident_payments) : 0;
  }
};

struct BankScore {
  std::string bank_id;
  std::int64_t health_changes = 0;   // health_status transitions the agent made
  std::int64_t breaker_changes = 0;  // circuit_breaker.state transitions the agent made
  std::int64_t incident_edges = 0;   // starts and ends of the incidents on this bank (flap: each flip)
};

struct Scorecard {
  RunRates agent, baseline, oracle;
  std::optional<std::int64_t> time_to_detect_ms;    // first agent action on an affected bank - start
  std::optional<std::int64_t> time_to_mitigate_ms;  // success back within 2 points of baseline
  std::vector<BankScore> banks;
  std::uint64_t double_charges = 0;   // transaction ids with more than one success row
  std::uint64_t malformed_rows = 0;
  std::uint64_t samples = 0, invalid_samples = 0, zero_eligible_samples = 0;
  TimeMs incident_start_ms = 0, incident_end_ms = 0;

  struct Bar {
    std::string name;
    bool passed;
    std::string detail;
  };
  std::vector<Bar> bars;
  bool passed() const;
};

Result<Scorecard> compute_scorecard(const ScoreInputs& inputs);
Json scorecard_to_json(const Scorecard& s);
std::string scorecard_to_text(const Scorecard& s);

// agent_history.jsonl (archived entries, oldest first) followed by the config's list.
Result<std::vector<HistoryEntry>> load_full_history(const std::string& config_path,
                                                    const std::string& archive_path);

}  // namespace payops
