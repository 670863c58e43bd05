// The War Room: a live view of the routing loop for a terminal. A snapshot (per bank: weight and
// actual share, health, breaker and its timer, success rate and p95 over the short window with a
// sparkline of the last minutes; global payments/s and success; the latest agent_history; chaos) is
// built from one tail read of the log plus the config, then rendered by pure functions as a table,
// as plain text or as JSON. run_status() refreshes it in place on a terminal.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "platform/clock.h"
#include "contract/config_model.h"
#include "contract/config_store.h"
#include "contract/data_dir.h"
#include "agent/observation.h"
#include "platform/result.h"

namespace payops {

// One bank's row in the view.
struct BankSnapshot {
  std::string id;
  std::string name;
  bool in_config = true;  // false: the bank appears in the log but not in the current config
  std::int64_t weight = 0;
  bool enabled = true;
  double configured_share = 0;  // traffic_shares(): what the weights ask for
  double actual_share = 0;      // this bank's first attempts / all first attempts, short window
  Health health = Health::healthy;
  BreakerState breaker = BreakerState::closed;
  std::optional<TimeMs> opened_at;
  std::int64_t open_duration_s = 30;
  std::uint64_t attempts = 0;  // short window
  double success_rate = 0;     // short window, attempts that succeeded
  std::int64_t p95_latency_ms = 0;
  // Success rate per sparkline bucket, oldest first; nullopt where the bank had no attempts.
  std::vector<std::optional<double>> spark;
};

struct HistoryLine {
  TimeMs timestamp = 0;
  std::string actor;
  std::string action;
  std::string reason;  // untrusted: escaped when rendered
  std::optional<Outcome> outcome;
};

struct StatusSnapshot {
  TimeMs now_ms = 0;
  std::int64_t short_window_ms = 0;
  std::int64_t spark_bucket_ms = 0;
  std::vector<BankSnapshot> banks;
  std::uint64_t attempts = 0;        // short window, every row (NO_ROUTE included)
  std::uint64_t payments = 0;        // distinct transaction ids, short window
  double payments_per_s = 0;
  double payment_success_rate = 0;   // payments that succeeded on any attempt / payments
  std::uint64_t no_route = 0;
  bool chaos_mode = false;
  double chaos_failure_rate = 0;
  std::vector<std::string> chaos_targets;  // empty: all banks
  std::vector<HistoryLine> history;  // newest first
  std::uint64_t malformed = 0;
  std::vector<std::string> notes;    // what is missing or rejected ("no transactions.csv yet", ...)
};

struct SnapshotOptions {
  std::int64_t short_window_ms = 30'000;
  std::int64_t spark_bucket_ms = 15'000;
  std::size_t spark_buckets = 20;    // the long window is spark_bucket_ms * spark_buckets
  std::size_t history_lines = 8;
};

// Pure: the view of `config` (may be null: no config yet) and of the rows in `rows`, at now_ms.
StatusSnapshot build_snapshot(const Config* config, const RowWindow& rows, TimeMs now_ms,
                              const SnapshotOptions& options);

// Sparkline of values in [0, 1] (absolute scale, so banks compare at a glance): one character per
// value from ▁ (0) to █ (1), or from the ASCII ramp "_.,-=+*#" when !unicode; a missing value is a
// space.
std::string sparkline(const std::vector<std::optional<double>>& values, bool unicode);

struct RenderOptions {
  bool unicode = true;  // block characters, else ASCII
  bool color = false;   // ANSI colours (only on a terminal without NO_COLOR)
  std::size_t width = 0;   // cut lines to this many columns; 0: no limit
};

// The snapshot as text for people: a header line, the bank table, the global line, chaos, history.
// Every line ends in '\n'. Log- and config-derived text is escaped (escape_for_terminal).
std::string render_status_text(const StatusSnapshot& snapshot, const RenderOptions& options);
// The same for machines.
Json status_to_json(const StatusSnapshot& snapshot);

// True when the locale (LC_ALL, else LC_CTYPE, else LANG) names UTF-8.
bool locale_is_utf8();

struct StatusOptions {
  DataDir data_dir;
  bool watch = false;        // refresh until SIGINT/SIGTERM (or max_frames)
  bool json = false;         // JSON (one document per frame when watching, one per line)
  std::int64_t interval_ms = 1000;
  std::int64_t short_window_ms = 30'000;
  std::int64_t long_window_ms = 300'000;  // the sparkline's span: 20 buckets of long/20
  std::optional<TimeMs> at_ms;  // view the log as of this time (a finished drill) instead of now
  std::uint64_t max_frames = 0;  // 0: unlimited (tests set a bound)
  Clock* clock = nullptr;        // null: SystemClock
  std::FILE* out = stdout;
};

// Snapshots read from a data dir, one per call: the config through a ConfigWatcher (one stat per
// call; re-read only when the file's identity changes; a rejected version is noted for as long as
// it stays) and one tail read of the log's long window. Takes no lock.
class StatusSource {
 public:
  StatusSource(DataDir dir, std::int64_t short_window_ms, std::int64_t long_window_ms);
  StatusSnapshot read(TimeMs now_ms);
  bool has_config() const { return watcher_.has_config(); }
  // Why there is no config (missing, or its first parse/validation error); empty when there is.
  std::string config_problem() const;

 private:
  DataDir dir_;
  std::int64_t short_window_ms_;
  std::int64_t long_window_ms_;
  ConfigWatcher watcher_;
  std::string rejected_;  // the current file's rejection, until a good version replaces it
};

// `agent status [--watch] [--json]`. On a terminal (and NO_COLOR unset) --watch uses the alternate
// screen and redraws in place (cursor home, clear to end), hiding the cursor; it restores the
// terminal on exit and on SIGINT/SIGTERM/SIGHUP. Elsewhere it prints one plain block per refresh.
// Without --watch, a missing config is an error (exit 4); with --watch it is shown and waited for.
// Returns an exit code.
int run_status(const StatusOptions& options);

}  // namespace payops
