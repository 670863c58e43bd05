// The simulator's run loop: payments generated on a schedule, run through the routing core, and their
// attempt rows written in finish-time order in whole-row batches. One mechanism serves both modes:
// a queue of pending rows (app/simulator_pending.h) flushed as the clock passes their finish times.
// Paced mode runs on the real clock against absolute deadlines; --fast runs on a ManualClock
// (virtual time, unpaced).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/clock.h"
#include "contract/config_model.h"
#include "contract/config_store.h"
#include "platform/result.h"
#include "routing/world.h"

namespace payops {

struct SimulatorOptions {
  double tps = 5;                  // payments per second (first attempts), > 0
  std::int64_t duration_ms = -1;   // stop starting payments after this long; -1: no limit
  std::int64_t count = -1;         // stop after this many payments; -1: no limit
  bool fast = false;               // virtual time: the clock is advanced, never waited for
  std::uint64_t seed = 1;
  std::int64_t tick_ms = 100;      // paced: how often the config is polled and rows are flushed
  std::uint64_t fast_poll_every = 1000;  // --fast: payments between config polls
  std::size_t flush_bytes = 1024 * 1024;  // a batch is written once it reaches this size (fewer lock+write syscalls than 64 KiB)
  // Paced mode: when the run ends normally, wait for in-flight payments' rows to come due (true) or
  // write them at once with their future finish times (false; a stop request always does this).
  bool wait_for_in_flight = true;
  // Hindsight routing for drill scorecards (docs/oracle.md): whenever the incidents' effects change,
  // first attempts are planned from the incident script and the banks' true capacities: unaffected
  // banks first, by the operator's weights, each kept below its capacity, then degraded banks, and
  // banks in an outage only when nothing else is left. Knowledge no real router has; it bounds what
  // the agent could achieve.
  bool oracle = false;
  // The oracle one agent cycle late (docs/oracle.md, "What is reachable from the log"): it learns
  // every change of the incidents' effects this long after it happens. An agent that runs every
  // oracle_lag_ms cannot act on an incident that starts on a cycle's instant before the next cycle
  // (the incident's first row is written after it starts), so this oracle's gain bounds what any
  // log-reading agent at that interval could capture. 0: the plain oracle.
  std::int64_t oracle_lag_ms = 0;
  // --fast lockstep with an outside process (an `agent once` in virtual time): every
  // lockstep_every_ms of virtual time, starting one period after the start, every row finished by
  // that instant is written, lockstep_hook(instant) runs and is waited for, and the config is
  // re-read if its identity changed, so payments started after the instant route by the new config.
  // The run then also waits (in virtual time) for in-flight payments, ticking on, like paced mode.
  // One simplification: a payment's retries were planned when it started, with the config of then.
  // A hook error stops the run and is returned. 0 or no hook: no lockstep.
  std::int64_t lockstep_every_ms = 0;
  std::function<Status(TimeMs instant_ms)> lockstep_hook;
  std::FILE* status_stream = nullptr;  // live status line once a second; null: none
  std::FILE* warning_stream = stderr;  // config warnings; null: none
};

// Where the loop gets its config: ConfigWatcher's interface, as a seam for tests.
class ConfigSource {
 public:
  virtual ~ConfigSource() = default;
  virtual ConfigWatcher::Poll poll() = 0;
  virtual bool has_config() const = 0;
  virtual const Config& current() const = 0;  // REQUIRES: has_config()
  virtual const std::string& last_error() const = 0;
};

class WatcherConfigSource final : public ConfigSource {
 public:
  explicit WatcherConfigSource(std::string path) : watcher_(std::move(path)) {}
  ConfigWatcher::Poll poll() override { return watcher_.poll(); }
  bool has_config() const override { return watcher_.has_config(); }
  const Config& current() const override { return watcher_.current(); }
  const std::string& last_error() const override { return watcher_.last_error(); }

 private:
  ConfigWatcher watcher_;
};

struct BankSummary {
  std::string bank_id;
  std::string bank_name;  // the latest name seen
  std::uint64_t attempts = 0;
  std::uint64_t successes = 0;
  std::uint64_t soft_failures = 0;
  std::uint64_t hard_declines = 0;
  std::uint64_t retries = 0;  // attempts on this bank that were retries
  std::int64_t p95_latency_ms = 0;
  double success_rate() const { return attempts ? static_cast<double>(successes) / static_cast<double>(attempts) : 0; }
};

struct SimulationSummary {
  std::uint64_t payments = 0;
  std::uint64_t payments_succeeded = 0;
  std::uint64_t rows = 0;
  std::uint64_t no_route = 0;
  std::uint64_t reloads = 0;        // configs adopted after the first
  std::uint64_t rejected = 0;       // invalid config versions seen (traffic kept the last good one)
  std::uint64_t lockstep_ticks = 0; // lockstep hooks run (--tick)
  TimeMs first_start_ms = 0;        // the run's clock at its start
  TimeMs last_finish_ms = 0;        // the latest row timestamp written
  double wall_seconds = 0;
  bool stopped = false;             // ended by a stop request (signal)
  std::vector<BankSummary> banks;   // in order of first appearance

  std::string to_text() const;      // a table for people
  Json to_json() const;             // for --json
};

using RowSink = std::function<Status(std::string_view rows)>;

// Runs until count, duration or stop() (checked every loop; a signal cuts the clock's sleep short).
// REQUIRES: config has a config (the caller reports a missing/invalid one before starting).
// Errors: the sink's (I/O), passed up unchanged.
Result<SimulationSummary> run_simulation(const SimulatorOptions& options, ConfigSource& config,
                                         const WorldSpec& world, const std::vector<Incident>& incidents,
                                         Clock& clock, const RowSink& sink,
                                         const std::function<bool()>& stop);

}  // namespace payops
