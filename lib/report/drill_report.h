// The drill report: one self-contained HTML file (inline CSS and SVG, no scripts, no external
// assets) that shows what happened in a drill: success rate, p95 latency and traffic share per bank
// over time, the incident windows shaded, every agent/operator action as a marker with its reason
// on hover (SVG <title>), the action log and the scorecard. Built from a data dir after the run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "contract/config_model.h"
#include "contract/data_dir.h"
#include "platform/result.h"
#include "platform/time_util.h"
#include "routing/world.h"

namespace payops {

struct DrillReportOptions {
  DataDir data_dir;              // transactions.csv, shared_config.json, agent_history.jsonl
  std::string out_path;          // empty: DATA_DIR/drill_report.html
  std::vector<Incident> incidents;
  std::optional<TimeMs> run_start_ms;  // what incident offsets count from; default: the first row
  std::optional<Json> scorecard;       // scorecard_to_json() output, shown as tables
  std::string title = "payops drill report";
  // Only rows in [since_ms, until_ms): a close-up of the incident in a long run.
  std::optional<TimeMs> since_ms;
  std::optional<TimeMs> until_ms;
  std::size_t target_buckets = 120;    // the bucket size is the nice duration nearest span / this
  unsigned threads = 0;                // scanning threads; 0: one per core
};

// One bank's numbers per time bucket.
struct BankSeries {
  std::string id;
  std::string name;
  std::vector<std::uint64_t> attempts;
  std::vector<std::uint64_t> successes;
  std::vector<std::int64_t> p95_latency_ms;  // -1 where the bank had no attempts
  std::uint64_t total_attempts = 0;
  std::uint64_t total_successes = 0;
  std::int64_t total_p95_latency_ms = -1;
};

// Everything the page shows, already reduced to buckets.
struct DrillData {
  std::string title;
  std::string source;  // the data dir, as given
  TimeMs start_ms = 0;  // first bucket's start
  TimeMs end_ms = 0;    // last row's timestamp
  std::int64_t bucket_ms = 1000;
  std::size_t buckets = 0;
  std::vector<BankSeries> banks;
  std::vector<std::uint64_t> all_attempts, all_successes;  // every row, NO_ROUTE included
  std::uint64_t rows = 0;
  std::uint64_t malformed = 0;
  std::string malformed_note;
  TimeMs run_start_ms = 0;
  std::vector<Incident> incidents;
  std::vector<HistoryEntry> history;  // archive then config, oldest first
  std::optional<Json> scorecard;
};

// The nice bucket size (1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 6, 12, 24 h) that
// gives at most about target buckets over span_ms.
std::int64_t choose_bucket_ms(std::int64_t span_ms, std::size_t target);

// Reads the data dir: two parallel passes over the log (its span, then the buckets), the config's
// bank names and agent_history, and the agent_history.jsonl archive. Errors: no log or an empty one
// (not_found / invalid_input), a config that does not parse (invalid_config).
Result<DrillData> load_drill_data(const DrillReportOptions& options);

// Pure: the page. Every piece of text from the files is HTML-escaped.
std::string render_drill_report_html(const DrillData& data);

// The summary the page opens with, from scorecard_to_json()'s shape: the verdict, the timeline, the
// headline metrics of the agent, baseline and oracle runs side by side with the gap captured, and the
// payments affected. Human labels only; every value from the file is escaped. drill_report_scorecard.cpp.
std::string render_scorecard_summary_html(const Json& scorecard);

// The scorecard's detail section: every bar (PASS, FAIL or KNOWN-SHORT, with its detail), the agent's
// health and breaker changes per bank, double charges, malformed rows and config samples. Escaped.
std::string render_scorecard_html(const Json& scorecard);

// &, <, >, " and ' as entities: safe in text and in quoted attributes.
std::string html_escape(std::string_view text);

// load_drill_data + render + write (temp file in the same directory, then rename).
Status write_drill_report(const DrillReportOptions& options);

}  // namespace payops
