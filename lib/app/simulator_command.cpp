#include "app/simulator_command.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

#include "contract/csv_appender.h"
#include "contract/data_dir.h"
#include "platform/clock.h"
#include "platform/error_output.h"
#include "platform/exit_codes.h"
#include "platform/random.h"
#include "platform/stop_signal.h"
#include "platform/terminal.h"
#include "platform/tick_command.h"
#include "platform/time_flags.h"
#include "platform/time_util.h"
#include "routing/world.h"

namespace payops {
namespace {

// Empty (the default) is now; otherwise the shared time syntax (platform/time_util.h).
std::optional<TimeMs> parse_start(const std::string& text, TimeMs now) {
  if (text.empty()) return now;
  return parse_time_flag(text, now);
}

// Everything the run needs besides the config and the log, read from the flags.
struct SimulatorPlan {
  SimulatorOptions options;
  std::vector<Incident> incidents;
  WorldSpec world;
  TimeMs start_ms = 0;
};

// --duration, --count, --start and the closed-loop pair; a usage sentence naming the flag on a bad one.
Status read_run_flags(const SimulatorFlags& flags, SimulatorOptions& options) {
  if (!flags.duration.empty()) {
    const auto d = parse_duration_ms(flags.duration);
    if (!d || *d < 0) return make_error(fmt::format("--duration \"{}\" is not {}", flags.duration, kDurationSyntax));
    options.duration_ms = *d;
  }
  options.count = flags.count;
  if (options.fast && options.count < 0 && options.duration_ms < 0)
    return make_error("--fast needs --count or --duration (unpaced, it would otherwise fill the disk)");
  if (!options.fast && !flags.start.empty()) return make_error("--start only applies to --fast (paced mode runs on the real clock)");
  if (flags.tick_every.empty() != flags.tick.empty())
    return make_error("--tick-every and --tick go together: how often, and what to run");
  if (!flags.oracle_lag.empty()) {
    if (!options.oracle) return make_error("--oracle-lag needs --oracle (it delays what the oracle knows)");
    const auto lag = parse_duration_ms(flags.oracle_lag);
    if (!lag || *lag < 0) return make_error(fmt::format("--oracle-lag \"{}\" is not {}", flags.oracle_lag, kDurationSyntax));
    options.oracle_lag_ms = *lag;
  }
  if (!flags.tick.empty()) {
    if (!options.fast) return make_error("--tick needs --fast (a closed loop in virtual time; paced mode runs beside a real agent)");
    if (flags.out == "-") return make_error("--tick cannot be used with --out -: the tick command could not read rows sent to stdout");
    const auto every = parse_duration_ms(flags.tick_every);
    if (!every || *every <= 0)
      return make_error(fmt::format("--tick-every \"{}\" is not a positive duration like 1s or 500ms", flags.tick_every));
    options.lockstep_every_ms = *every;
    options.lockstep_hook = [command = flags.tick](TimeMs instant_ms) { return run_tick_command(command, instant_ms); };
  }
  return ok_status();
}

Result<SimulatorPlan> read_plan(const SimulatorFlags& flags) {
  SimulatorPlan plan;
  plan.options = flags.options;
  if (auto s = read_run_flags(flags, plan.options); !s.ok()) return s.error();
  for (const auto& spec : flags.incidents) {
    auto inc = parse_incident(spec);
    if (!inc) return inc.error();
    plan.incidents.push_back(std::move(*inc));
  }
  if (!flags.world.empty()) {
    auto w = load_world_file(flags.world);
    if (!w) return w.error();
    plan.world = std::move(*w);
  }
  const auto start = parse_start(flags.start, SystemClock::instance().now_ms());
  if (!start)
    return make_error(fmt::format("--start \"{}\" is not {}", flags.start, kTimeSyntax));
  plan.start_ms = *start;
  plan.options.seed = flags.seed ? *flags.seed : Random::os_seed();
  return plan;
}

// The first read of the config: the run needs a valid one to start. An exit code when it cannot.
std::optional<int> check_initial_config(WatcherConfigSource& config, const DataDir& dir) {
  switch (config.poll()) {
    case ConfigWatcher::Poll::reloaded:
      return std::nullopt;
    case ConfigWatcher::Poll::missing:
      return report_error("simulator", kExitInvalidConfig,
                          fmt::format("no config at {}: run `config-tool init --data-dir {}` first", dir.config_json(), dir.dir));
    default:
      return report_error("simulator", kExitInvalidConfig,
                          config.last_error() + "; fix the file, or recreate it with `config-tool init --force`");
  }
}

}  // namespace

int simulator_command(const SimulatorFlags& flags) {
  auto plan = read_plan(flags);
  if (!plan) return report_error("simulator", kExitUsage, plan.error().message);
  const DataDir dir = resolve_data_dir(flags.data_dir);
  WatcherConfigSource config(dir.config_json());
  if (const auto code = check_initial_config(config, dir)) return *code;

  const bool to_stdout = flags.out == "-";
  auto appender = to_stdout ? Result<CsvAppender>(CsvAppender::for_stream(STDOUT_FILENO, true))
                            : CsvAppender::open(flags.out.empty() ? dir.transactions_csv() : flags.out);
  if (!appender) return report_error("simulator", kExitFailure, appender.error().message);
  std::FILE* report = to_stdout ? stderr : stdout;  // stdout may carry the CSV
  SimulatorOptions& options = plan->options;
  if (!flags.quiet && is_terminal(stderr)) options.status_stream = stderr;

  install_stop_handlers();
  ManualClock virtual_clock(plan->start_ms);
  Clock& clock = options.fast ? static_cast<Clock&>(virtual_clock) : SystemClock::instance();
  const RowSink sink = [&](std::string_view rows) { return appender->append(rows); };
  auto summary = run_simulation(options, config, plan->world, plan->incidents, clock, sink, [] { return stop_requested(); });
  if (!summary) return report_error("simulator", kExitFailure, summary.error().message);
  if (flags.json) {
    fmt::print(report, "{}\n", summary->to_json().dump(2));
  } else if (!flags.quiet) {
    fmt::print(report, "{}", summary->to_text());
  }
  return kExitOk;
}

}  // namespace payops
